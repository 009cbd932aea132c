"""Loihi fixed-point arithmetic, bit-exact with Lava's ``fixed_pt`` LIF model, and the one home of
its widths and limits (the IR, the quantizer and the NIR importer read them from here).

All values are widened to int64 before multiplying; results are wrapped or clipped with the
widths named below, never by accident of a dtype.
"""
import numpy as np
from numba import njit

DECAY_SHIFT = 12          # decays are fractions of 2**12
DECAY_BITS = DECAY_SHIFT  # du and dv are 12-bit unsigned
DECAY_MAX = (1 << DECAY_BITS) - 1
DECAY_MASK = (1 << DECAY_SHIFT) - 1
ACT_SHIFT = 6             # dendritic input and the threshold are MSB-aligned by 6 bits
UV_BITS = 24              # u and v are 24-bit signed
UV_MAX = 1 << (UV_BITS - 1)
V_LIMIT = UV_MAX - 1      # v saturates at +-(2**23 - 1)
VTH_BITS = 17             # threshold mantissa, unsigned
VTH_MAX = (1 << VTH_BITS) - 1
BIAS_MANT_BITS = 13       # bias mantissa, signed
BIAS_MANT_MAX = (1 << (BIAS_MANT_BITS - 1)) - 1
BIAS_EXP_MAX = 7          # bias exponents 0..7 on hardware
# What Lava's fixed-point models compute with, wider than Loihi's registers (its own tests use
# these values): the IR accepts them so that every graph Lava runs runs here.
DECAY_ACCEPTED = (-1, 1 << DECAY_SHIFT)       # du = -1: no current decay; du = dv = 4096: full decay
VTH_ACCEPTED_MAX = (1 << 25) - 1              # vth << 6 stays inside int32
BIAS_MANT_ACCEPTED = (-(1 << 15), (1 << 15) - 1)  # int16, as Lava's model stores bias_mant
BIAS_EXP_ACCEPTED = (-16, 16)                 # int16 shifts of an int32 (a shift past 31 bits wraps)
MAX_WEIGHT_BITS = 8       # synaptic weight mantissas (9 with the sign for mixed-sign matrices)
WEIGHT_MANT_MAX = (1 << MAX_WEIGHT_BITS) - 1
WEIGHT_EXP_RANGE = (-8, 7)
MAX_DELAY = 63            # axonal delays are 6-bit
MAX_MESSAGE_BITS = 24     # graded payloads are signed 24-bit at most (Loihi 2 graded spikes)
INT32_OFFSET = 1 << 31
INT32_MASK = (1 << 32) - 1


@njit(cache=True, inline="always")
def wrap_int32(x):
    """`x` (int64) wrapped to the signed 32-bit range, as a C int32 store would."""
    return ((x + INT32_OFFSET) & INT32_MASK) - INT32_OFFSET


@njit(cache=True, inline="always")
def decay(x, keep):
    """``x * keep / 2**12`` rounded toward zero (keep = 4096 - decay constant), branch-free:
    a negative product gets 2**12 - 1 added before the arithmetic shift."""
    y = x * keep
    return (y + ((y >> 63) & DECAY_MASK)) >> DECAY_SHIFT


@njit(cache=True, inline="always")
def lif_compartment(u, v, a_in, keep_u, keep_v, bias, vth_eff, vth_lo_eff, subtract):
    """One Loihi CUBA-LIF step of one compartment, branch-free so loops over it vectorise.

    Parameters
    ----------
    u, v : int64 current and voltage before the step (24-bit values held in int32).
    a_in : int64 summed dendritic input (int32 range).
    keep_u : 4096 - (du + 1); keep_v : 4096 - dv.
    bias : effective bias (bias_mant shifted by bias_exp).
    vth_eff : threshold already shifted left by 6.
    vth_lo_eff : lower threshold shifted left by 6 (Lava's TernaryLIF: v below it spikes -1);
        below -2**23 for a neuron without one.
    subtract : 0 to reset v to 0 on a spike (Loihi, Lava), 1 to subtract `vth_eff` from it.

    Returns
    -------
    (u, v, spike, u_wrapped, v_saturated) after the step; spike is +1 above the threshold, -1 below
    the lower one (v then resets to 0), else 0. u gets at most one +-2**24 correction (as in
    Lava), so extreme input can leave it outside 24 bits.
    """
    u1 = wrap_int32(decay(u, keep_u) + wrap_int32(a_in << ACT_SHIFT))
    over = u1 > UV_MAX
    under = u1 <= -UV_MAX
    u2 = u1 - over * (2 * UV_MAX) + under * (2 * UV_MAX)
    v1 = wrap_int32(decay(v, keep_v) + u2 + bias)
    v2 = min(max(v1, -V_LIMIT), V_LIMIT)
    pos = np.int64(v2 > vth_eff)
    neg = np.int64(v2 < vth_lo_eff)       # never with pos: vth_lo < vth
    v3 = v2 - pos * (v2 - subtract * (v2 - vth_eff)) - neg * v2
    return u2, v3, pos - neg, over | under, v1 != v2


@njit(cache=True, inline="always")
def abs_int32(x):
    """|x| of an int32 value as numpy's int32 abs computes it: -2**31 stays -2**31."""
    return wrap_int32(-x if x < 0 else x)


@njit(cache=True, inline="always")
def sigma_delta_compartment(sigma, act, residue, error, a_in, bias, vth, integrate, delta, relu, cum_error,
                            in_shift, out_shift, gate):
    """One step of one Loihi 2 sigma-delta compartment, as Lava 0.10's fixed-point Sigma, Delta
    and SigmaDelta models compute it in int32 (see `neurochip.ir.SigmaDelta`).

    Parameters
    ----------
    sigma, act, residue, error : int64 state before the step (int32 values).
    a_in : int64 summed dendritic input (int32 range).
    bias, vth : int64 (int32 values).
    integrate, delta, relu, cum_error : 0 or 1 (the population's `sigma`, `delta`, `relu`, `cum_error`).
    in_shift, out_shift : input left shift and output arithmetic right shift, in [0, 31].
    gate : without delta encoding, 0 sends every activation, 1 those with |new| > vth, 2 those
        with new > vth.

    Returns
    -------
    (sigma, act, residue, error, out, sigma_wrapped) after the step; out is the graded payload
    sent (nonzero: a spike).
    """
    a = wrap_int32(a_in << in_shift)
    summed = sigma + a
    wrapped = np.int64(0)
    if integrate:
        sigma = wrap_int32(summed)
        wrapped = np.int64(sigma != summed)
        x = sigma
    else:
        x = a
    new = wrap_int32(x + bias)
    if relu and new < 0:
        new = np.int64(0)
    s = new
    if gate == 1 and not abs_int32(new) > vth or gate == 2 and not new > vth:
        s = np.int64(0)
    if delta:
        d = wrap_int32(new - act + residue)
        if cum_error:
            error = wrap_int32(error + d)
            fire = abs_int32(error) >= vth
        else:
            fire = abs_int32(d) >= vth
        s = d if fire else np.int64(0)
        if cum_error and abs_int32(s) > 0:
            error = np.int64(0)
        residue = wrap_int32(d - s)
    return sigma, new, residue, error, s >> out_shift, wrapped


@njit(cache=True, inline="always")
def trunc_shift(y, bits):
    """trunc0(y / 2**bits) of an int64 y, as ``sign(y) * (|y| >> bits)``."""
    return -((-y) >> bits) if y < 0 else y >> bits


@njit(cache=True, inline="always")
def shift_decay(x, keep):
    """trunc0(x * keep / 2**12) for int64 x and an integer factor `keep`."""
    return trunc_shift(x * keep, DECAY_SHIFT)


@njit(cache=True, inline="always")
def atrlif_compartment(i, v, theta, r, a_in, bias, keep_i, keep_v, keep_theta, keep_r, theta_0, theta_step):
    """One step of one adaptive-threshold refractory LIF compartment, as Lava 0.10's fixed-point
    ATRLIF model computes it (see `neurochip.ir.ATRLIF`).

    Parameters
    ----------
    i, v, theta, r : int64 state before the step (int32 values).
    a_in : int64 summed dendritic input (int32 range).
    bias : int64 effective bias.
    keep_i : float64 4096 - (4096 delta_i + 1) (the model multiplies the current in floating point).
    keep_v, keep_theta, keep_r : int64 int(4096 - 4096 delta).
    theta_0, theta_step : int64 scaled threshold base and step.

    Returns
    -------
    (i, v, theta, r, spike, i_wrapped, v_saturated) after the step.
    """
    i_dec = np.int64(np.float64(i) * keep_i)
    i_dec = -((-i_dec) >> DECAY_SHIFT) if i_dec < 0 else i_dec >> DECAY_SHIFT
    i1 = wrap_int32(i_dec + wrap_int32(a_in << ACT_SHIFT))
    over = i1 > UV_MAX
    under = i1 <= -UV_MAX
    i2 = i1 - over * (2 * UV_MAX) + under * (2 * UV_MAX)
    v1 = wrap_int32(shift_decay(v, keep_v) + i2 + bias)
    v2 = min(max(v1, -V_LIMIT), V_LIMIT)
    theta1 = wrap_int32(wrap_int32(shift_decay(wrap_int32(theta - theta_0), keep_theta)) + theta_0)
    r1 = wrap_int32(shift_decay(r, keep_r))
    spike = wrap_int32(v2 - r1) >= theta1
    if spike:
        r1 = wrap_int32(r1 + wrap_int32(2 * theta1))
        theta1 = wrap_int32(theta1 + theta_step)
    return i2, v2, theta1, r1, np.int64(spike), over | under, v1 != v2


#: `Resonator.kind` codes (the index in `neurochip.ir.populations.RESONATOR_KINDS`).
RF_KIND, RF_IZ_KIND, RF_ZERO_KIND = 0, 1, 2
#: RFZero's decays are fractions of 2**15.
RF_ZERO_SHIFT = 15


@njit(cache=True, inline="always")
def resonator_compartment(re, im, a_re, a_im, cos, sin, vth, kind, state_exp, decay_bits):
    """One step of one resonate-and-fire compartment, as Lava 0.10's fixed-point RF, RF_IZ
    (kind RF_KIND, RF_IZ_KIND) and RFZero (RF_ZERO_KIND) models compute it (see
    `neurochip.ir.Resonator`).

    Parameters
    ----------
    re, im : int64 state before the step (int32 values).
    a_re, a_im : int64 summed input of the two dendrites (int32 range).
    cos, sin, vth : int64 (int32 values).
    state_exp, decay_bits : input left shift and the decays' fraction bits (RF and RF_IZ).

    Returns
    -------
    (re, im, out, wrapped, saturated) after the step: out is the payload sent (RF, RF_IZ: 1 on a
    spike; RFZero: re); wrapped: RFZero's int32 arithmetic left the exact result; saturated: RF's
    clip changed a part.
    """
    if kind == RF_ZERO_KIND:
        exact_re = ((re * cos) >> RF_ZERO_SHIFT) - ((im * sin) >> RF_ZERO_SHIFT) + a_re
        exact_im = ((im * cos) >> RF_ZERO_SHIFT) + ((re * sin) >> RF_ZERO_SHIFT) + a_im
        re1 = wrap_int32((wrap_int32(re * cos) >> RF_ZERO_SHIFT) - (wrap_int32(im * sin) >> RF_ZERO_SHIFT) + a_re)
        im1 = wrap_int32((wrap_int32(im * cos) >> RF_ZERO_SHIFT) + (wrap_int32(re * sin) >> RF_ZERO_SHIFT) + a_im)
        out = re1 if re1 > vth and im1 >= 0 and im < 0 else np.int64(0)
        return re1, im1, out, (re1 != exact_re) | (im1 != exact_im), False
    x_re = wrap_int32(a_re << state_exp)
    x_im = wrap_int32(a_im << state_exp)
    re0 = trunc_shift(cos * re, decay_bits) - trunc_shift(sin * im, decay_bits) + x_re
    im0 = trunc_shift(sin * re, decay_bits) + trunc_shift(cos * im, decay_bits) + x_im
    re1 = min(max(re0, -V_LIMIT), V_LIMIT)
    im1 = min(max(im0, -V_LIMIT), V_LIMIT)
    saturated = (re1 != re0) | (im1 != im0)
    if kind == RF_KIND:
        return re1, im1, np.int64(re1 >= vth and im1 >= 0 and im < 0), False, saturated
    if im1 >= vth:
        return np.int64(0), wrap_int32(vth - 1), np.int64(1), False, saturated
    return re1, im1, np.int64(0), False, saturated


@njit(cache=True, inline="always")
def product_compartment(a1, a2, vth, exp):
    """One step of one product compartment, as Lava 0.10's fixed-point ProdNeuron computes it
    (see `neurochip.ir.Product`): a1, a2 the int64 sums of its two dendrites (int32 range).
    Returns (payload sent, the product wrapped)."""
    exact = a1 * a2
    p = wrap_int32(exact) >> exp
    return (p if abs_int32(p) > vth else np.int64(0)), exact != wrap_int32(exact)
