"""Neuron populations in fixed point: Loihi CUBA leaky integrate-and-fire compartments (`LIF`),
and the Loihi 2 neurons Lava models: sigma-delta (`SigmaDelta`), adaptive-threshold refractory LIF
(`ATRLIF`), resonate-and-fire (`Resonator`) and product (`Product`) compartments.

Every population names its state variables (`STATE`); the kernels hold them in four int32 slots
per compartment (u, v, then two auxiliary ones) in that order."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._checks import check_count, check_name, int_array, int_scalar
from ..errors import network_error
from ..kernels.fixed_point import (BIAS_EXP_ACCEPTED, BIAS_MANT_ACCEPTED, DECAY_ACCEPTED, RF_ZERO_SHIFT, UV_BITS,
                                   VTH_ACCEPTED_MAX)


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
        with vth_lo (Lava's TernaryLIF): v < (vth_lo << 6) spikes -1 and resets v to 0

    trunc0 rounds toward zero. ``a_in`` is the int32 sum of this step's dendritic input.

    Parameters
    ----------
    name : unique node name.
    n : number of compartments.
    du, dv : current and voltage decay, scalar or (n,): 12-bit unsigned on Loihi (0 = no decay,
        4095 = full decay); Lava also computes with du = -1 (no current decay) and 4096.
    vth : threshold mantissa, scalar or (n,): 17-bit unsigned on Loihi, up to 2**25 - 1 in Lava;
        the effective threshold is ``vth << 6``.
    bias_mant : bias mantissa, scalar or (n,): 13-bit signed on Loihi, 16-bit in Lava.
    bias_exp : bias exponent, scalar or (n,): 0..7 on Loihi, [-16, 16] here as in Lava (negative:
        arithmetic right shift; the shifted bias wraps to int32 as Lava's does).
    u, v : initial state, scalar or (n,), 24-bit signed.
    reset_interval, reset_offset : when set, u and v are zeroed at steps with
        ``t % reset_interval == reset_offset`` (Lava ``LIFReset``).
    reset : what a spike does to v: "zero" (Loihi 1 and Lava's LIF) or "subtract" the threshold
        (Sinabs' and snnTorch's default; Loihi 2 runs it as a programmable neuron).
    vth_lo : None, or a lower threshold mantissa, scalar or (n,), 24-bit signed: the population is
        then ternary (Lava's TernaryLIF; vth is its vth_hi): it spikes -1 when v < vth_lo << 6, a
        payload of -1 to graded connections (binary ones count it as a spike). Reset "zero" only.
    """

    #: State variables, in the kernels' slot order, then the spike output.
    STATE = ("u", "v")
    #: The neuron model, as profiles name the models a core runs (`core.neuron_models`).
    MODEL = "lif"
    #: The dendrites (input ports) of a compartment; a `Connection` targets one by index.
    DENDRITES = ("a_in",)

    name: str
    n: int
    du: NDArray[np.int64] | int = 0
    dv: NDArray[np.int64] | int = 0
    vth: NDArray[np.int64] | int = 10
    bias_mant: NDArray[np.int64] | int = 0
    bias_exp: NDArray[np.int64] | int = 0
    u: NDArray[np.int64] | int = 0
    v: NDArray[np.int64] | int = 0
    reset_interval: int | None = None
    reset_offset: int = 0
    reset: str = "zero"
    vth_lo: NDArray[np.int64] | int | None = None

    def __post_init__(self) -> None:
        check_name("LIF", self.name)
        name, n = self.name, check_count(self.name, "n", self.n)
        set_ = object.__setattr__
        set_(self, "n", n)
        for field, lo, hi in (("du", *DECAY_ACCEPTED), ("dv", *DECAY_ACCEPTED), ("vth", 0, VTH_ACCEPTED_MAX)):
            set_(self, field, _scalar_or_array(name, field, getattr(self, field), lo, hi, n))
        set_(self, "bias_mant", int_array(name, "bias_mant", self.bias_mant, *BIAS_MANT_ACCEPTED, (n,)))
        set_(self, "bias_exp", int_array(name, "bias_exp", self.bias_exp, *BIAS_EXP_ACCEPTED, (n,)))
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
        if self.vth_lo is not None:
            set_(self, "vth_lo", _scalar_or_array(name, "vth_lo", self.vth_lo, -uv, uv - 1, n))
            if np.any(np.asarray(self.vth_lo) >= np.asarray(self.vth)):
                raise network_error(name, "vth_lo", "values below vth (as Lava's TernaryLIF requires)",
                                    f"{np.max(self.vth_lo)} against vth {np.min(self.vth)}")
            if self.reset != "zero":
                raise network_error(name, "reset", "'zero' for a ternary population (vth_lo set)", repr(self.reset))

    def initial_state(self) -> tuple[NDArray[np.int64], ...]:
        """The state slots at step 0, each (n,) int64."""
        return self.u, self.v

    @property
    def bias(self) -> NDArray[np.int64]:
        """Effective bias per compartment: ``bias_mant`` shifted by ``bias_exp`` (arithmetic),
        wrapped to int32 as Lava's int32 shift wraps it."""
        return _shifted_bias(self.bias_mant, self.bias_exp)


def _shifted_bias(mant: NDArray[np.int64], exp: NDArray[np.int64]) -> NDArray[np.int64]:
    """mant shifted left by exp (right when negative, arithmetic), wrapped to int32 as Lava's int32 shift."""
    shifted = np.where(exp >= 0, mant << np.maximum(exp, 0), mant >> np.maximum(-exp, 0))
    return ((shifted + 2**31) % 2**32) - 2**31


def _scalar_or_array(node: str, field: str, value: object, lo: int, hi: int, n: int) -> int | NDArray[np.int64]:
    """An int when `value` is one number (or an (n,) array of one value), else an (n,) int64 array."""
    arr = int_array(node, field, value, lo, hi, None if np.ndim(value) == 0 else (n,))
    if arr.ndim == 0 or (arr.size and np.all(arr == arr.flat[0])):
        return int(arr.flat[0])
    return arr


#: `SigmaDelta.gate` values.
GATES = ("none", "abs", "positive")
#: int32 bounds of sigma-delta values (Lava's fixed-point models hold them in int32 and let them wrap).
INT32 = (-(2**31), 2**31 - 1)


@dataclass(frozen=True, eq=False)
class SigmaDelta:
    """A population of `n` sigma-delta compartments (Loihi 2 graded neurons), bit-exact with Lava
    0.10's ``fixed_pt`` Sigma, Delta and SigmaDelta models.

    Dynamics per time step, int32 arithmetic that wraps as numpy's int32 arrays do::

        a = a_in << in_shift
        sigma = sigma + a              (sigma=True; else sigma keeps its value)
        new = f(sigma + bias)          (sigma=True; else new = a + bias); f = max(., 0) with relu
        delta=False: s = new           (Lava's Sigma: sends its running sum; with a gate, only where
                                        |new| > vth ("abs", GradedVec) or new > vth ("positive", GradedReluVec))
        delta=True:  d = new - act + residue
                     cum_error: error = error + d; fire = |error| >= vth   else fire = |d| >= vth
                     s = d where fire else 0; error = 0 where s != 0 (cum_error); residue = d - s
        act = new
        out = s >> out_shift           (arithmetic shift; a nonzero out is a graded spike)

    ``|x|`` of -2**31 stays -2**31, as numpy's int32 abs. ``a_in`` is the int32 sum of this step's
    dendritic input. Lava's processes map as: Sigma = (sigma=True, delta=False); Delta =
    (sigma=False, in_shift = spike_exp + state_exp, out_shift = state_exp); SigmaDelta =
    (sigma=True, out_shift = state_exp, relu for ActivationMode.RELU), with vth and bias already
    scaled by 2**(spike_exp + state_exp) as Lava's processes scale them; GradedVec and
    GradedReluVec = (sigma=False, delta=False, gate "abs" or "positive").

    Parameters
    ----------
    name : unique node name.
    n : number of compartments.
    vth : threshold on |delta| (or |error|), scalar or (n,), int32.
    bias : added to the activation's input, scalar or (n,), int32.
    relu : rectify the activation (ActivationMode.RELU); False is the identity (UNIT).
    cum_error : fire on the accumulated error instead of the delta.
    sigma : integrate the input (a sigma dendrite); False feeds it straight to the activation.
    delta : send thresholded changes of the activation; False sends the activation every step.
    in_shift, out_shift : left shift of the input and arithmetic right shift of the output, in [0, 31].
    gate : without delta encoding, which activations are sent: "none" (all), "abs" (|new| > vth) or
        "positive" (new > vth).
    """

    STATE = ("sigma", "act", "residue", "error")
    MODEL = "sigma_delta"
    DENDRITES = ("a_in",)

    name: str
    n: int
    vth: NDArray[np.int64] | int = 0
    bias: NDArray[np.int64] | int = 0
    relu: bool = True
    cum_error: bool = False
    sigma: bool = True
    delta: bool = True
    in_shift: int = 0
    out_shift: int = 0
    gate: str = "none"

    def __post_init__(self) -> None:
        check_name("SigmaDelta", self.name)
        name, n = self.name, check_count(self.name, "n", self.n)
        set_ = object.__setattr__
        set_(self, "n", n)
        set_(self, "vth", _scalar_or_array(name, "vth", self.vth, *INT32, n))
        set_(self, "bias", int_array(name, "bias", self.bias, *INT32, (n,)))
        for field in ("relu", "cum_error", "sigma", "delta"):
            if not isinstance(getattr(self, field), (bool, np.bool_)):
                raise network_error(name, field, "True or False", repr(getattr(self, field)))
            set_(self, field, bool(getattr(self, field)))
        for field in ("in_shift", "out_shift"):
            set_(self, field, int_scalar(name, field, getattr(self, field), 0, 31))
        if self.gate not in GATES:
            raise network_error(name, "gate", f"one of {GATES}", repr(self.gate))
        if self.gate != "none" and self.delta:
            raise network_error(name, "gate", "'none' with delta encoding (its threshold applies to the delta)",
                                repr(self.gate))

    def initial_state(self) -> tuple[NDArray[np.int64], ...]:
        """The state slots at step 0 (sigma, act, residue, error), each (n,) int64 zeros as Lava starts them."""
        return tuple(np.zeros(self.n, np.int64) for _ in self.STATE)


def _fraction(node: str, field: str, value: object) -> float:
    """A decay fraction as Lava's ATRLIF takes it: a finite float in [0, 1]."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise network_error(node, field, "a number in [0, 1]", repr(value)) from None
    if not 0.0 <= x <= 1.0:
        raise network_error(node, field, "a number in [0, 1]", repr(value))
    return x


@dataclass(frozen=True, eq=False)
class ATRLIF:
    """A population of `n` adaptive-threshold, refractory LIF compartments, bit-exact with Lava
    0.10's ``fixed_pt`` ATRLIF model (which mimics Loihi 2's fixed point).

    Dynamics per time step, as that model computes them (decays as floats, as Lava keeps them)::

        i = trunc0(trunc0(i * (4096 - (4096 delta_i + 1))) / 4096) + (a_in << 6)   # int32, one +-2**24 wrap
        v = clip(int32(trunc0(v * int(4096 - 4096 delta_v)) / 4096) + i + bias), +-(2**23 - 1))
        theta = int32(trunc0((theta - theta_0) * int(4096 - 4096 delta_theta)) / 4096) + theta_0
        r = int32(trunc0(r * int(4096 - 4096 delta_r)) / 4096)
        s = (v - r) >= theta;  where s: r += 2 theta, theta += theta_step

    trunc0 rounds toward zero; theta_0 and theta_step are int32(x * 64) of the values given, and
    theta starts at theta_0 (the model overwrites any initial theta).

    Parameters
    ----------
    name, n : node name and size.
    delta_i, delta_v, delta_theta, delta_r : decay fractions in [0, 1] (floats, as in Lava).
    theta_0, theta_step : base threshold and its increase per spike (scaled by 64, truncated).
    bias_mant, bias_exp : bias mantissa (int16) and exponent (negative: arithmetic right shift).
    i, v, r : initial state, scalar or (n,), 24-bit signed.
    """

    STATE = ("i", "v", "theta", "r")
    MODEL = "atrlif"
    DENDRITES = ("a_in",)

    name: str
    n: int
    delta_i: float = 0.4
    delta_v: float = 0.4
    delta_theta: float = 0.2
    delta_r: float = 0.2
    theta_0: float = 5.0
    theta_step: float = 3.75
    bias_mant: NDArray[np.int64] | int = 0
    bias_exp: NDArray[np.int64] | int = 0
    i: NDArray[np.int64] | int = 0
    v: NDArray[np.int64] | int = 0
    r: NDArray[np.int64] | int = 0

    def __post_init__(self) -> None:
        check_name("ATRLIF", self.name)
        name, n = self.name, check_count(self.name, "n", self.n)
        set_ = object.__setattr__
        set_(self, "n", n)
        for field in ("delta_i", "delta_v", "delta_theta", "delta_r"):
            set_(self, field, _fraction(name, field, getattr(self, field)))
        for field in ("theta_0", "theta_step"):
            x = getattr(self, field)
            if not isinstance(x, (int, float, np.integer, np.floating)) or not abs(float(x) * 64) < 2**31:
                raise network_error(name, field, "a number whose x 64 fits int32", repr(x))
            set_(self, field, float(x))
        set_(self, "bias_mant", int_array(name, "bias_mant", self.bias_mant, *BIAS_MANT_ACCEPTED, (n,)))
        set_(self, "bias_exp", int_array(name, "bias_exp", self.bias_exp, *BIAS_EXP_ACCEPTED, (n,)))
        uv = 2 ** (UV_BITS - 1)
        for field in ("i", "v", "r"):
            set_(self, field, int_array(name, field, getattr(self, field), -uv, uv, (n,)))

    @property
    def theta_0_eff(self) -> int:
        """theta_0 as the model holds it: int32(theta_0 * 64)."""
        return int(np.int32(self.theta_0 * 64))

    @property
    def theta_step_eff(self) -> int:
        return int(np.int32(self.theta_step * 64))

    @property
    def bias(self) -> NDArray[np.int64]:
        """bias_mant shifted by bias_exp, wrapped to int32 (as `LIF.bias`)."""
        return _shifted_bias(self.bias_mant, self.bias_exp)

    def initial_state(self) -> tuple[NDArray[np.int64], ...]:
        return self.i, self.v, np.full(self.n, self.theta_0_eff, np.int64), self.r


#: `Resonator.kind` values: Lava's RF, RF_IZ and RFZero.
RESONATOR_KINDS = ("rf", "rf_iz", "rf_zero")


@dataclass(frozen=True, eq=False)
class Resonator:
    """A population of `n` resonate-and-fire compartments (Loihi 2), bit-exact with Lava 0.10's
    ``fixed_pt`` RF, RF_IZ and RFZero models. Two dendrites: 0 feeds the real part, 1 the imaginary.

    kind "rf" and "rf_iz" (Lava's RF and RF_IZ; int64 arithmetic)::

        a_re = int32(a_real << state_exp); a_im = int32(a_imag << state_exp)
        re' = clip(trunc0(cos re / 2**decay_bits) - trunc0(sin im / 2**decay_bits) + a_re, +-(2**23 - 1))
        im' = clip(trunc0(sin re / 2**decay_bits) + trunc0(cos im / 2**decay_bits) + a_im, +-(2**23 - 1))
        rf:    s = re' >= vth and im' >= 0 and im < 0 (a phase crossing above threshold)
        rf_iz: s = im' >= vth; where s: re' = 0, im' = vth - 1

    kind "rf_zero" (Lava's RFZero; int32 arithmetic that wraps, decays fractions of 2**15)::

        re' = floor(int32(cos re) / 2**15) - floor(int32(sin im) / 2**15) + a_real
        im' = floor(int32(cos im) / 2**15) + floor(int32(sin re) / 2**15) + a_imag
        s = re' (a graded payload) where re' > vth and im' >= 0 and im < 0

    Parameters
    ----------
    name, n : node name and size.
    cos_decay, sin_decay : the rotation's decays as integers, scalar or (n,), int32 (Lava's RF:
        int32((1 - alpha) cos(2 pi / period) 2**decay_bits); RFZero: its lct and lst).
    vth : threshold, scalar or (n,), int32 (Lava's RF scales it by 2**state_exp itself).
    decay_bits : the decays' fraction bits, 0..31 ("rf_zero": 15).
    state_exp : left shift of the input, 0..31 ("rf_zero": 0).
    kind : "rf", "rf_iz" or "rf_zero".
    real, imag : initial state, scalar or (n,), int32.
    """

    STATE = ("real", "imag")
    MODEL = "resonator"
    DENDRITES = ("real", "imag")

    name: str
    n: int
    cos_decay: NDArray[np.int64] | int
    sin_decay: NDArray[np.int64] | int
    vth: NDArray[np.int64] | int = 1
    decay_bits: int = 12
    state_exp: int = 0
    kind: str = "rf"
    real: NDArray[np.int64] | int = 0
    imag: NDArray[np.int64] | int = 0

    def __post_init__(self) -> None:
        check_name("Resonator", self.name)
        name, n = self.name, check_count(self.name, "n", self.n)
        set_ = object.__setattr__
        set_(self, "n", n)
        if self.kind not in RESONATOR_KINDS:
            raise network_error(name, "kind", f"one of {RESONATOR_KINDS}", repr(self.kind))
        for field in ("cos_decay", "sin_decay", "real", "imag"):
            set_(self, field, int_array(name, field, getattr(self, field), *INT32, (n,)))
        set_(self, "vth", _scalar_or_array(name, "vth", self.vth, *INT32, n))
        zero = self.kind == "rf_zero"
        for field, fixed in (("decay_bits", RF_ZERO_SHIFT), ("state_exp", 0)):
            value = int_scalar(name, field, getattr(self, field), 0, 31)
            if zero and value != fixed:
                raise network_error(name, field, f"{fixed} for kind 'rf_zero' (Lava's RFZero)", value)
            set_(self, field, value)

    def initial_state(self) -> tuple[NDArray[np.int64], ...]:
        return self.real, self.imag


@dataclass(frozen=True, eq=False)
class Product:
    """A population of `n` product compartments (Lava 0.10's ``fixed_pt`` ProdNeuron): two
    dendrites whose int32 sums multiply::

        p = int32(a_in1 * a_in2) >> exp          (the product wraps in int32; arithmetic shift)
        s = p (a graded payload) where |p| > vth (|-2**31| stays -2**31, as numpy's int32 abs)

    The state `v` is held as given: Lava's model computes p without storing it.

    Parameters
    ----------
    name, n : node name and size.
    vth : threshold, scalar or (n,), int32.
    exp : right shift of the product, 0..31.
    v : the state variable Lava's process declares, scalar or (n,), int32 (never updated).
    """

    STATE = ("v",)
    MODEL = "product"
    DENDRITES = ("a_in1", "a_in2")

    name: str
    n: int
    vth: NDArray[np.int64] | int = 1
    exp: int = 0
    v: NDArray[np.int64] | int = 0

    def __post_init__(self) -> None:
        check_name("Product", self.name)
        name, n = self.name, check_count(self.name, "n", self.n)
        set_ = object.__setattr__
        set_(self, "n", n)
        set_(self, "vth", _scalar_or_array(name, "vth", self.vth, *INT32, n))
        set_(self, "exp", int_scalar(name, "exp", self.exp, 0, 31))
        set_(self, "v", int_array(name, "v", self.v, *INT32, (n,)))

    def initial_state(self) -> tuple[NDArray[np.int64], ...]:
        return (self.v,)


#: The population types a `Network` holds.
POPULATIONS = (LIF, SigmaDelta, ATRLIF, Resonator, Product)
