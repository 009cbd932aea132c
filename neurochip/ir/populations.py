"""Neuron populations: Loihi CUBA leaky integrate-and-fire compartments in fixed point."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._checks import check_count, check_name, int_array, int_scalar
from ..errors import network_error
from ..kernels.fixed_point import BIAS_EXP_RANGE, BIAS_MANT_BITS, DECAY_MAX, UV_BITS, VTH_MAX


#: What a spike does to v (`LIF.reset`).
RESETS = ("zero", "subtract")


@dataclass(frozen=True, eq=False)
class LIF:
    """A population of `n` current-based LIF compartments in Loihi fixed point.

    Dynamics per time step t (1-based), all integers, bit-exact with Lava's ``fixed_pt`` LIF::

        if reset_interval and t % reset_interval == reset_offset: u = v = 0
        u = trunc0(u * (4096 - du - 1) / 4096) + (a_in << 6)   # int32, then one +-2**24 wrap into (-2**23, 2**23]
        v = trunc0(v * (4096 - dv) / 4096) + u + (bias_mant << bias_exp)   # clipped to +-(2**23 - 1)
        s = v > (vth << 6);  v[s] = 0 (reset "zero"), or v[s] -= vth << 6 ("subtract"); u is not reset

    trunc0 rounds toward zero. ``a_in`` is the int32 sum of this step's dendritic input.

    Parameters
    ----------
    name : unique node name.
    n : number of compartments.
    du, dv : current and voltage decay, 12-bit unsigned (0 = no decay, 4095 = full decay).
    vth : threshold mantissa, 17-bit unsigned; the effective threshold is ``vth << 6``.
    bias_mant : bias mantissa, scalar or (n,), 13-bit signed.
    bias_exp : bias exponent, scalar or (n,), in [-12, 7] (negative: arithmetic right shift).
    u, v : initial state, scalar or (n,), 24-bit signed.
    reset_interval, reset_offset : when set, u and v are zeroed at steps with
        ``t % reset_interval == reset_offset`` (Lava ``LIFReset``).
    reset : what a spike does to v: "zero" (Loihi 1 and Lava's LIF) or "subtract" the threshold
        (Sinabs' and snnTorch's default; Loihi 2 runs it as a programmable neuron).
    """

    name: str
    n: int
    du: int = 0
    dv: int = 0
    vth: int = 10
    bias_mant: NDArray[np.int64] | int = 0
    bias_exp: NDArray[np.int64] | int = 0
    u: NDArray[np.int64] | int = 0
    v: NDArray[np.int64] | int = 0
    reset_interval: int | None = None
    reset_offset: int = 0
    reset: str = "zero"

    def __post_init__(self) -> None:
        check_name("LIF", self.name)
        name, n = self.name, check_count(self.name, "n", self.n)
        set_ = object.__setattr__
        set_(self, "n", n)
        set_(self, "du", int_scalar(name, "du", self.du, 0, DECAY_MAX))
        set_(self, "dv", int_scalar(name, "dv", self.dv, 0, DECAY_MAX))
        set_(self, "vth", int_scalar(name, "vth", self.vth, 0, VTH_MAX))
        half = 2 ** (BIAS_MANT_BITS - 1)
        set_(self, "bias_mant", int_array(name, "bias_mant", self.bias_mant, -half, half - 1, (n,)))
        set_(self, "bias_exp", int_array(name, "bias_exp", self.bias_exp, *BIAS_EXP_RANGE, (n,)))
        uv = 2 ** (UV_BITS - 1)
        set_(self, "u", int_array(name, "u", self.u, -uv, uv, (n,)))
        set_(self, "v", int_array(name, "v", self.v, -uv + 1, uv - 1, (n,)))
        if self.reset_interval is not None:
            interval = check_count(name, "reset_interval", self.reset_interval)
            set_(self, "reset_interval", interval)
            offset = int_scalar(name, "reset_offset", self.reset_offset, 0, interval - 1)
            set_(self, "reset_offset", offset)
        elif self.reset_offset != 0:
            raise network_error(name, "reset_offset", "0 when reset_interval is None", self.reset_offset)
        if self.reset not in RESETS:
            raise network_error(name, "reset", f"one of {RESETS}", repr(self.reset))

    @property
    def bias(self) -> NDArray[np.int64]:
        """Effective bias per compartment: ``bias_mant`` shifted by ``bias_exp`` (arithmetic)."""
        exp = self.bias_exp
        return np.where(exp >= 0, self.bias_mant << np.maximum(exp, 0), self.bias_mant >> np.maximum(-exp, 0))
