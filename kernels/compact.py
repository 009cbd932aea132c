"""From stored weights to the synapse table: truncate, drop zeros, pre-shift, in one pass."""
import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def stored_weight(w, truncate_bits, flip):
    """Weight mantissa as the synapse stores it: the low `truncate_bits` of the magnitude dropped
    (flip = -1 for inhibitory matrices, whose magnitudes are the negated weights)."""
    return flip * (((flip * w) >> truncate_bits) << truncate_bits)


@njit(cache=True)
def kept_per_row(indptr, data, truncate_bits, flip):
    """(n_src,) int64: synapses of each row (CSC column) whose stored weight is nonzero."""
    n_src = indptr.shape[0] - 1
    row_nnz = np.zeros(n_src, np.int64)
    for i in range(n_src):
        for e in range(indptr[i], indptr[i + 1]):
            row_nnz[i] += stored_weight(np.int64(data[e]), truncate_bits, flip) != 0
    return row_nnz


@njit(cache=True)
def compact_rows(indptr, indices, data, delays, truncate_bits, flip, left_shift, keep_all):
    """Synapse rows (one per presynaptic axon) from a CSC weight matrix.

    Parameters
    ----------
    indptr, indices, data : CSC of the (n_dst, n_src) weights; column i is axon i's row.
    delays : per-synapse delays aligned with `data`, or an empty array.
    truncate_bits, flip : truncation (see `stored_weight`).
    left_shift : non-negative weight exponent folded into the weights.
    keep_all : no stored weight is zero (`kept_per_row` sums to nnz): targets and delays are
        the inputs' and are not copied (empty arrays are returned for them).

    Returns
    -------
    (target (kept,) uint32, weight (kept,) int16, delay (kept or 0,) uint8)
    """
    n_out = 0 if keep_all else indices.shape[0]
    weight = np.empty(data.shape[0], np.int16)
    target = np.empty(n_out, np.uint32)
    delay = np.empty(n_out if delays.shape[0] else 0, np.uint8)
    q = 0
    for e in range(data.shape[0]):
        w = stored_weight(np.int64(data[e]), truncate_bits, flip)
        if keep_all:
            weight[e] = w << left_shift
        elif w != 0:
            target[q] = indices[e]
            weight[q] = w << left_shift
            if delays.shape[0]:
                delay[q] = delays[e]
            q += 1
    return target[:q], weight if keep_all else weight[:q], delay[:q]


@njit(cache=True)
def dense_to_csc(w):
    """(indptr, indices int32, data) of the CSC form of a C-ordered dense (n_dst, n_src) matrix:
    two row-major passes (count per column, then fill), indices ascending within each column.
    Faster than a generic nonzero() on large matrices, whose transpose scipy would walk."""
    n_dst, n_src = w.shape
    indptr = np.zeros(n_src + 1, np.int64)
    for i in range(n_dst):
        for j in range(n_src):
            if w[i, j] != 0:
                indptr[j + 1] += 1
    for j in range(n_src):
        indptr[j + 1] += indptr[j]
    fill = indptr[:-1].copy()
    indices = np.empty(indptr[n_src], np.int32)
    data = np.empty(indptr[n_src], w.dtype)
    for i in range(n_dst):
        for j in range(n_src):
            if w[i, j] != 0:
                k = fill[j]
                indices[k] = i
                data[k] = w[i, j]
                fill[j] = k + 1
    return indptr, indices, data


@njit(cache=True)
def dense_to_csr(m):
    """(indptr, indices int32, data) of the CSR form of a C-ordered dense matrix: the CSC form of
    its transpose (a Fortran-ordered matrix's `.T` is C-ordered), in one row-major pass per stage."""
    n_rows, n_cols = m.shape
    indptr = np.zeros(n_rows + 1, np.int64)
    for i in range(n_rows):
        count = 0
        for j in range(n_cols):
            count += m[i, j] != 0
        indptr[i + 1] = indptr[i] + count
    indices = np.empty(indptr[n_rows], np.int32)
    data = np.empty(indptr[n_rows], m.dtype)
    k = 0
    for i in range(n_rows):
        for j in range(n_cols):
            if m[i, j] != 0:
                indices[k] = j
                data[k] = m[i, j]
                k += 1
    return indptr, indices, data
