"""From real-valued parameters to Loihi fixed point: the one quantizer that ANN conversion
(`convert`) and NIR import (`interop.nir`) share.

Weights are expressed in threshold units (a weight of 1.0 alone drives v from 0 to threshold).
A population's threshold mantissa ``vth`` is chosen so that its largest |weight| maps to the
largest even mantissa (254: exact for every sign mode); each weight then becomes the mantissa
``round(w vth)`` on the grid a `bits`-bit synapse stores (one bit fewer of magnitude for mixed
signs), and biases become ``mantissa << exponent`` in the 2**6-scaled units of v.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .ir import SignMode
from .kernels.fixed_point import (ACT_SHIFT, BIAS_EXP_MAX, BIAS_MANT_MAX, DECAY_MAX, DECAY_SHIFT, MAX_WEIGHT_BITS,
                                  VTH_MAX, WEIGHT_MANT_MAX)

#: The largest mantissa every sign mode stores exactly with 8 bits (mixed signs keep even values).
WEIGHT_TARGET = WEIGHT_MANT_MAX - 1


def threshold_for(w_max: float) -> int:
    """Threshold mantissa mapping the largest |weight| `w_max` (threshold units) to 254."""
    return int(np.clip(np.floor(WEIGHT_TARGET / (w_max or 1.0)), 1, VTH_MAX))


def sign_mode_of(real: NDArray) -> SignMode:
    """Mixed when `real` holds both signs, inhibitory when it holds no positive value and some
    negative one, else excitatory."""
    lo, hi = (float(real.min()), float(real.max())) if real.size else (0.0, 0.0)
    if lo < 0 < hi:
        return SignMode.MIXED
    return SignMode.INHIBITORY if lo < 0 else SignMode.EXCITATORY


def weight_mantissas(real: NDArray, bits: int, mode: SignMode | None = None) -> tuple[NDArray[np.int64], SignMode]:
    """(integer mantissas, sign mode) of real-valued mantissas `real` for `bits`-bit synapses.

    Each value is rounded to the nearest multiple of the grid the synapse keeps
    (2**(8 - bits), doubled for mixed signs) and clipped into the sign mode's range, so the
    result is exactly what the synapse stores. `mode` defaults to `sign_mode_of(real)`.
    """
    mode = mode or sign_mode_of(real)
    grid = 2 ** (MAX_WEIGHT_BITS - bits + int(mode is SignMode.MIXED))
    top = (WEIGHT_MANT_MAX // grid) * grid
    lo, hi = {SignMode.MIXED: (-(WEIGHT_MANT_MAX + 1), top), SignMode.EXCITATORY: (0, top),
              SignMode.INHIBITORY: (-top, 0)}[mode]
    return np.clip(grid * np.round(real / grid), lo, hi).astype(np.int64), mode


def bias_mantissa(bias: NDArray) -> tuple[NDArray[np.int64], int]:
    """(mantissas, shared exponent) of biases given in v units (already scaled by 2**6): the
    smallest exponent in 0..7 that fits the largest |bias| into a 13-bit signed mantissa."""
    largest = max(float(np.abs(bias).max(initial=0.0)), 1.0)
    exp = int(np.clip(math.ceil(math.log2(largest / BIAS_MANT_MAX)), 0, BIAS_EXP_MAX))
    return np.clip(np.round(bias / 2**exp), -BIAS_MANT_MAX - 1, BIAS_MANT_MAX).astype(np.int64), exp


def bias_in_v_units(bias: NDArray, vth: int) -> NDArray[np.float64]:
    """Biases in threshold units, as v units (``bias x vth x 2**6``)."""
    return np.asarray(bias, np.float64) * vth * 2**ACT_SHIFT


def decays(du_fraction: NDArray, dv_fraction: NDArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Loihi du, dv (12-bit) from the fractions of current and voltage lost per step: u keeps
    ``(4096 - du - 1) / 4096`` and v keeps ``(4096 - dv) / 4096``."""
    unity = 1 << DECAY_SHIFT
    du = np.clip(np.round(unity * np.asarray(du_fraction)) - 1, 0, DECAY_MAX).astype(np.int64)
    dv = np.clip(np.round(unity * np.asarray(dv_fraction)), 0, DECAY_MAX).astype(np.int64)
    return du, dv


def relative_error(quantized: NDArray, real: NDArray) -> float:
    """L1 error of `quantized` against `real`, relative to the L1 size of `real` (0 when empty)."""
    den = float(np.abs(real).sum())
    return float(np.abs(quantized - real).sum()) / den if den else 0.0
