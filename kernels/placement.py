"""Mapping kernels: split populations into core-sized pieces and tally what each core holds.

Synaptic memory follows nengo-loihi's model of Loihi synapse formats: an input axon's synapses on
a core are stored in blocks of at most `per_block` synapses, each block costing
n x bits-per-synapse + `header` bits rounded up to whole `word` bits; the dense format (no index
bits, every target in the axon's span stored) or the sparse one (index bits, nonzeros only),
whichever is smaller.
"""
import numpy as np
from numba import njit

from .prefetch import prefetch


@njit(cache=True, inline="always")
def block_bits(n, bits_per_synapse, per_block, header, word):
    """Bits to store `n` synapses of one axon in blocks."""
    if n <= 0:
        return 0
    full = n // per_block
    rest = n - full * per_block
    bits = full * (-(-(per_block * bits_per_synapse + header) // word) * word)
    if rest:
        bits += -(-(rest * bits_per_synapse + header) // word) * word
    return bits


@njit(cache=True)
def block_tables(widths, index_bits, max_n, per_block, header, word):
    """Bits for 0..max_n synapses of one axon, per row width: (sparse, dense), each (W, max_n + 1).

    Sparse stores n synapses with index bits; dense stores every target of the span without.
    """
    sparse = np.zeros((widths.shape[0], max_n + 1), np.int64)
    dense = np.zeros((widths.shape[0], max_n + 1), np.int64)
    for w in range(widths.shape[0]):
        for n in range(max_n + 1):
            sparse[w, n] = block_bits(n, widths[w] + index_bits, per_block, header, word)
            dense[w, n] = block_bits(n, widths[w], per_block, header, word)
    return sparse, dense


@njit(cache=True, inline="always")
def synapse_target(r, q, start, dense, dense_weight, target):
    """Target compartment of entry q of row r (starting at `start`), or -1 for a zero entry of a
    dense row (dense rows store every target, sparse rows only synapses)."""
    if dense[r]:
        return q if dense_weight[start + q] != 0 else -1
    return target[start + q]


@njit(cache=True, inline="always")
def row_length(r, row_nnz, dense, n_dst_of_row):
    """Entries stored for row r: every target of a dense row, the synapses of a sparse one."""
    return n_dst_of_row[r] if dense[r] else row_nnz[r]


@njit(cache=True)
def rows_by_target(row_start, row_nnz, dense, n_dst_of_row, target, dense_weight, rows, n_targets):
    """For `rows` (synapse rows into one population), the rows reaching each target compartment:
    CSR (ptr (n_targets + 1,), int32 row ids). Counting sort, O(synapses)."""
    count = np.zeros(n_targets + 1, np.int64)
    for r in rows:
        for q in range(row_length(r, row_nnz, dense, n_dst_of_row)):
            t = synapse_target(r, q, row_start[r], dense, dense_weight, target)
            if t >= 0:
                count[t + 1] += 1
    ptr = np.cumsum(count)
    fill = ptr[:-1].copy()
    out = np.empty(ptr[-1], np.int32)
    for r in rows:
        for q in range(row_length(r, row_nnz, dense, n_dst_of_row)):
            t = synapse_target(r, q, row_start[r], dense, dense_weight, target)
            if t >= 0:
                out[fill[t]] = r
                fill[t] += 1
    return ptr, out


@njit(cache=True)
def greedy_pieces(order, in_ptr, in_row, row_width, n_rows, max_comp, max_axons, max_bits, sparse, dense):
    """Fill cores in `order`, adding a compartment while every limit still holds.

    Parameters
    ----------
    order : (n,) compartments (local to the population) in placement order.
    in_ptr, in_row : CSR of the input rows of each compartment (`rows_by_target`).
    row_width : (n_rows,) index into the `block_tables` of each row's bits per synapse.
    max_comp, max_axons, max_bits : per-core limits (max_axons or max_bits < 0: unlimited).
    sparse, dense : `block_tables` for up to max_comp synapses per axon.

    An axon costs the cheaper of sparse[count] and dense[span], span counted in placement
    positions on the core.

    Returns
    -------
    (ends, axons, bits, fail): piece end positions in `order` and each piece's input axons and
    memory bits; `fail` = (compartment, axons, bits) of a compartment that fits no core alone,
    or (-1, 0, 0).
    """
    n = order.shape[0]
    state = np.zeros((n_rows, 4), np.int32)   # piece + 1 (0: none yet), count, first position, bits
    flat_state = state.reshape(-1)
    max_fan_in = 0
    for j in range(in_ptr.shape[0] - 1):
        max_fan_in = max(max_fan_in, in_ptr[j + 1] - in_ptr[j])
    trial = np.zeros(max_fan_in, np.int32)
    ends = np.empty(n, np.int64)
    axons_out = np.empty(n, np.int64)
    bits_out = np.empty(n, np.int64)
    fail = np.array([-1, 0, 0], np.int64)
    piece = 1
    size = 0
    axons = 0
    bits = 0
    for pos in range(n):
        j = order[pos]
        if pos + 1 < n:
            nxt = order[pos + 1]
            for e in range(in_ptr[nxt], in_ptr[nxt + 1]):
                prefetch(flat_state, in_row[e] * 4)
        for attempt in range(2):
            d_axons = 0
            d_bits = 0
            for e in range(in_ptr[j], in_ptr[j + 1]):
                r = in_row[e]
                w = row_width[r]
                if state[r, 0] != piece:
                    new = min(sparse[w, 1], dense[w, 1])
                    d_axons += 1
                    d_bits += new
                else:
                    new = min(sparse[w, state[r, 1] + 1], dense[w, size - state[r, 2] + 1])
                    d_bits += new - state[r, 3]
                trial[e - in_ptr[j]] = new
            fits = (size < max_comp and (max_axons < 0 or axons + d_axons <= max_axons)
                    and (max_bits < 0 or bits + d_bits <= max_bits))
            if fits:
                break
            if size == 0:
                fail[0] = j
                fail[1] = d_axons
                fail[2] = d_bits
                return ends[:piece - 1], axons_out[:piece - 1], bits_out[:piece - 1], fail
            ends[piece - 1] = pos
            axons_out[piece - 1] = axons
            bits_out[piece - 1] = bits
            piece += 1
            size = 0
            axons = 0
            bits = 0
        for e in range(in_ptr[j], in_ptr[j + 1]):
            r = in_row[e]
            if state[r, 0] != piece:
                state[r, 0] = piece
                state[r, 1] = 1
                state[r, 2] = size
            else:
                state[r, 1] += 1
            state[r, 3] = trial[e - in_ptr[j]]
        axons += d_axons
        bits += d_bits
        size += 1
    if size:
        ends[piece - 1] = n
        axons_out[piece - 1] = axons
        bits_out[piece - 1] = bits
    else:
        piece -= 1
    return ends[:piece], axons_out[:piece], bits_out[:piece], fail


@njit(cache=True)
def route(conn_src_node, conn_row_base, conn_n_src, first, n_pops, row_start, row_nnz, dense, n_dst_of_row,
          conn_dst_first, target, dense_weight, core_of, tile_row, tile_col, chip_of, n_cores):
    """Where each synapse row's spikes go.

    Returns
    -------
    out_axons : (n_cores,) distinct destination cores summed over the core's compartments' rows.
    dest_per_comp : (N,) destination cores per compartment, over all its rows.
    row_route : (rows, 5) per row: messages (distinct destination cores), messages within the
        source's tile, east-west hops, north-south hops, messages to another chip. Rows from
        spike sources (not on a core) count messages only.
    syn_on_core : (n_conns, n_cores) synapses of each connection on each core.
    """
    n_conns = conn_src_node.shape[0]
    out_axons = np.zeros(n_cores, np.int64)
    dest_per_comp = np.zeros(first[n_pops], np.int64)
    row_route = np.zeros((row_start.shape[0], 5), np.int64)
    syn_on_core = np.zeros((n_conns, n_cores), np.int64)
    stamp = np.full(n_cores, -1, np.int64)
    core_of = core_of.astype(np.int32)
    for c in range(n_conns):
        src = conn_src_node[c]
        on_core = src < n_pops
        for i in range(conn_n_src[c]):
            r = conn_row_base[c] + i
            src_core = core_of[first[src] + i] if on_core else -1
            for q in range(row_length(r, row_nnz, dense, n_dst_of_row)):
                t = synapse_target(r, q, row_start[r], dense, dense_weight, target)
                if t < 0:
                    continue
                core = core_of[conn_dst_first[c] + t]
                syn_on_core[c, core] += 1
                if stamp[core] == r:
                    continue
                stamp[core] = r
                row_route[r, 0] += 1
                if not on_core:
                    continue
                out_axons[src_core] += 1
                dest_per_comp[first[src] + i] += 1
                if chip_of[core] != chip_of[src_core]:
                    row_route[r, 4] += 1
                elif tile_row[core] == tile_row[src_core] and tile_col[core] == tile_col[src_core]:
                    row_route[r, 1] += 1
                else:
                    row_route[r, 2] += abs(tile_col[core] - tile_col[src_core])
                    row_route[r, 3] += abs(tile_row[core] - tile_row[src_core])
    return out_axons, dest_per_comp, row_route, syn_on_core


@njit(cache=True)
def synaptic_ops_per_core(conn_src_node, conn_row_base, conn_n_src, first, row_start, row_nnz, dense, n_dst_of_row,
                          conn_dst_first, target, dense_weight, core_of, axon_spikes, n_cores):
    """(n_cores,) synaptic ops landing on each core: every synapse weighted by its axon's spikes."""
    out = np.zeros(n_cores, np.int64)
    for c in range(conn_src_node.shape[0]):
        src = conn_src_node[c]
        for i in range(conn_n_src[c]):
            spikes = axon_spikes[first[src] + i]
            if spikes == 0:
                continue
            r = conn_row_base[c] + i
            for q in range(row_length(r, row_nnz, dense, n_dst_of_row)):
                t = synapse_target(r, q, row_start[r], dense, dense_weight, target)
                if t >= 0:
                    out[core_of[conn_dst_first[c] + t]] += spikes
    return out
