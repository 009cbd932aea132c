"""Loihi fixed-point arithmetic, bit-exact with Lava's ``fixed_pt`` LIF model.

All values are widened to int64 before multiplying; results are wrapped or clipped with the
widths named below, never by accident of a dtype.
"""
from numba import njit

DECAY_SHIFT = 12          # decays are fractions of 2**12
ACT_SHIFT = 6             # dendritic input is MSB-aligned by 6 bits before adding to u
UV_MAX = 1 << 23          # u and v are 24-bit signed
V_LIMIT = UV_MAX - 1      # v saturates at +-(2**23 - 1)
INT32_OFFSET = 1 << 31
INT32_MASK = (1 << 32) - 1


@njit(cache=True, inline="always")
def wrap_int32(x):
    """`x` (int64) wrapped to the signed 32-bit range, as a C int32 store would."""
    return ((x + INT32_OFFSET) & INT32_MASK) - INT32_OFFSET


@njit(cache=True, inline="always")
def decay(x, keep):
    """``x * keep / 2**12`` rounded toward zero (keep = 4096 - decay constant)."""
    y = x * keep
    if y >= 0:
        return y >> DECAY_SHIFT
    return -((-y) >> DECAY_SHIFT)


@njit(cache=True, inline="always")
def lif_compartment(u, v, a_in, keep_u, keep_v, bias, vth_eff):
    """One Loihi CUBA-LIF step of one compartment.

    Parameters
    ----------
    u, v : int64 current and voltage before the step (24-bit values held in int32).
    a_in : int64 summed dendritic input (int32 range).
    keep_u : 4096 - (du + 1); keep_v : 4096 - dv.
    bias : effective bias (bias_mant shifted by bias_exp).
    vth_eff : threshold already shifted left by 6.

    Returns
    -------
    (u, v, spiked, u_wrapped, v_saturated) after the step; v is 0 when spiked.
    """
    u_new = wrap_int32(decay(u, keep_u) + wrap_int32(a_in << ACT_SHIFT))
    u_wrapped = False
    if u_new > UV_MAX:
        u_new -= 2 * UV_MAX
        u_wrapped = True
    elif u_new <= -UV_MAX:
        u_new += 2 * UV_MAX
        u_wrapped = True
    v_new = wrap_int32(decay(v, keep_v) + u_new + bias)
    v_saturated = False
    if v_new > V_LIMIT:
        v_new = V_LIMIT
        v_saturated = True
    elif v_new < -V_LIMIT:
        v_new = -V_LIMIT
        v_saturated = True
    spiked = v_new > vth_eff
    if spiked:
        v_new = 0
    return u_new, v_new, spiked, u_wrapped, v_saturated
