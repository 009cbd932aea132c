"""Event-driven synaptic delivery: one presynaptic row at a time, cost = the row's synapses.

Dendritic accumulators are int32 rows of a delay ring buffer; each addition is widened to int64
and wrapped back to int32 (`wrap_int32`, which compiles to a plain 32-bit store), which is exactly
Lava's int32 port arithmetic, with or without the JIT.
"""
import numpy as np
from numba import njit

from .fixed_point import INT32_OFFSET, wrap_int32
from .layout import SUM_CONV24, SUM_INT32

#: Lava's Conv wraps its output to signed 24 bits (`utils.signed_clamp(x, bits=24)`).
CONV_OFFSET = 1 << 23
CONV_MASK = (1 << 24) - 1


@njit(cache=True, inline="always")
def scatter_row(acc, target, weight, start, stop, payload):
    """``acc[target[e]] += payload * weight[e]`` for synapses start..stop.

    `acc` is the target population's slice of one ring slot; `target` is unsigned, so no
    negative-index check is generated.
    """
    if payload == 1:
        for e in range(start, stop):
            acc[target[e]] = wrap_int32(np.int64(acc[target[e]]) + weight[e])
    else:
        for e in range(start, stop):
            acc[target[e]] = wrap_int32(acc[target[e]] + payload * weight[e])


@njit(cache=True, inline="always")
def scatter_row_delayed(ring, t_next, offset, target, weight, delay, start, stop, payload):
    """As `scatter_row`, into ring slot ``(t_next + delay[e]) % R`` per synapse."""
    n_slots = ring.shape[0]
    for e in range(start, stop):
        slot = (t_next + np.int64(delay[e])) % n_slots
        ring[slot, offset + target[e]] = wrap_int32(ring[slot, offset + target[e]] + payload * weight[e])


@njit(cache=True)
def add_row(acc, row, payload):
    """``acc += payload * row`` over equal-length 1-D slices (vectorised)."""
    if payload == 1:
        for j in range(acc.shape[0]):
            acc[j] = wrap_int32(np.int64(acc[j]) + row[j])
    else:
        for j in range(acc.shape[0]):
            acc[j] = wrap_int32(acc[j] + payload * row[j])


@njit(cache=True, inline="always")
def accumulate_partial(partial, mark, touched, n_touched, offset, target, weight, delay,
                       uniform_delay, start, stop, payload, wrap_products):
    """Per-step int64 partial sums, for connections whose exponent shifts right or whose output
    is wrapped apart (`layout.SUM_*`). With `wrap_products` each product wraps to int32 first (Lava's
    DelayDense multiplies weights and payloads in int32, then sums in int64; where the sum is
    wrapped before the shift anyway this changes nothing); without, products are exact (Lava's Conv
    sums in float64).

    `partial` is (D + 1, N); `mark` flags entries already listed in `touched` (flat indices).
    Returns the new number of touched entries.
    """
    n = partial.shape[1]
    for e in range(start, stop):
        d = uniform_delay if uniform_delay >= 0 else np.int64(delay[e])
        j = offset + target[e]
        if mark[d, j] == 0:
            mark[d, j] = 1
            touched[n_touched] = d * n + j
            n_touched += 1
        x = payload * weight[e]
        partial[d, j] += wrap_int32(x) if wrap_products else x
    return n_touched


@njit(cache=True, inline="always")
def partial_input(x, right_shift, sum_mode):
    """The dendritic input a step's exact partial sum `x` (int64) makes, formed as `sum_mode` says
    (`layout.SUM_*`: SUM_INT32 wraps it to int32 before the arithmetic right shift, as Lava's
    int32 dot product; SUM_WIDE shifts it as it is; SUM_CONV24 casts it to int32 as numpy casts a
    float, then wraps it to signed 24 bits, as Lava's Conv)."""
    if sum_mode == SUM_INT32:
        x = wrap_int32(x)
    elif sum_mode == SUM_CONV24:
        if x < -INT32_OFFSET or x >= INT32_OFFSET:
            x = -INT32_OFFSET
        x = ((x + CONV_OFFSET) & CONV_MASK) - CONV_OFFSET
    return x >> right_shift


@njit(cache=True, inline="always")
def flush_partial(ring, t_next, partial, mark, touched, n_touched, right_shift, sum_mode):
    """Add each touched partial sum's input (`partial_input`) to its ring slot, and clear it."""
    n = partial.shape[1]
    n_slots = ring.shape[0]
    for q in range(n_touched):
        d = touched[q] // n
        j = touched[q] - d * n
        x = partial[d, j]
        partial[d, j] = 0
        mark[d, j] = 0
        slot = (t_next + d) % n_slots
        ring[slot, j] = wrap_int32(ring[slot, j] + partial_input(x, right_shift, sum_mode))
