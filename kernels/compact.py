"""One pass from stored weights to the synapse table: truncate, drop zeros, pre-shift."""
import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def stored_weight(w, truncate_bits, flip):
    """Weight mantissa as the synapse stores it: the low `truncate_bits` of the magnitude dropped
    (flip = -1 for inhibitory matrices, whose magnitudes are the negated weights)."""
    return flip * (((flip * w) >> truncate_bits) << truncate_bits)


@njit(cache=True)
def compact_rows(indptr, indices, data, delays, truncate_bits, flip, left_shift):
    """Synapse rows (one per presynaptic axon) from a CSC weight matrix.

    Parameters
    ----------
    indptr, indices, data : CSC of the (n_dst, n_src) weights; column i is axon i's row.
    delays : per-synapse delays aligned with `data`, or an empty array.
    truncate_bits, flip : truncation (see `stored_weight`).
    left_shift : non-negative weight exponent folded into the weights.

    Returns
    -------
    (row_nnz (n_src,) int64, target (kept,) uint32, weight (kept,) int16, delay (kept or 0,) uint8)
    """
    n_src = indptr.shape[0] - 1
    row_nnz = np.zeros(n_src, np.int64)
    for i in range(n_src):
        for e in range(indptr[i], indptr[i + 1]):
            row_nnz[i] += stored_weight(np.int64(data[e]), truncate_bits, flip) != 0
    total = row_nnz.sum()
    target = np.empty(total, np.uint32)
    weight = np.empty(total, np.int16)
    delay = np.empty(total if delays.shape[0] else 0, np.uint8)
    q = 0
    for i in range(n_src):
        for e in range(indptr[i], indptr[i + 1]):
            w = stored_weight(np.int64(data[e]), truncate_bits, flip)
            if w != 0:
                target[q] = indices[e]
                weight[q] = w << left_shift
                if delays.shape[0]:
                    delay[q] = delays[e]
                q += 1
    return row_nnz, target, weight, delay
