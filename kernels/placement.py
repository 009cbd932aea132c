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
def synapse_target(r, q, rows):
    """Target compartment of entry q of row r, or -1 for a zero entry of a dense row (dense rows
    store every target, sparse rows only synapses)."""
    start = rows.start[r]
    if rows.dense[r]:
        return q if rows.dense_weight[start + q] != 0 else -1
    return rows.target[start + q]


@njit(cache=True, inline="always")
def row_length(r, rows):
    """Entries stored for row r: every target of a dense row, the synapses of a sparse one."""
    return rows.n_dst[r] if rows.dense[r] else rows.nnz[r]


@njit(cache=True)
def rows_by_target(rows, selected, n_targets):
    """For the `selected` rows (synapse rows into one population), the rows reaching each target
    compartment: CSR (ptr (n_targets + 1,), int32 row ids). Counting sort, O(synapses)."""
    count = np.zeros(n_targets + 1, np.int64)
    for r in selected:
        for q in range(row_length(r, rows)):
            t = synapse_target(r, q, rows)
            if t >= 0:
                count[t + 1] += 1
    ptr = np.cumsum(count)
    fill = ptr[:-1].copy()
    out = np.empty(ptr[-1], np.int32)
    for r in selected:
        for q in range(row_length(r, rows)):
            t = synapse_target(r, q, rows)
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
            fits = size < max_comp   # (a full core is closed without looking up tables beyond max_comp)
            if fits:
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
                fits = (max_axons < 0 or axons + d_axons <= max_axons) and (max_bits < 0 or bits + d_bits <= max_bits)
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
def route(conns, first, n_pops, rows, sites, axon_weight):
    """Where each synapse row's spikes go, and what lands on each core.

    Parameters
    ----------
    conns : `layout.RowConnections`; first : (n_nodes + 1,) axon offsets; n_pops : populations
        (nodes from n_pops on are spike sources, not on a core).
    rows : `layout.Rows`; sites : `layout.Sites` (n_cores = sites.tile_row.size).
    axon_weight : (N + S,) int64 per-axon weights (spike counts, say), or an empty array.

    Returns
    -------
    out_axons : (n_cores,) distinct destination cores summed over the core's compartments' rows.
    dest_per_comp : (N,) destination cores per compartment, over all its rows.
    row_route : (rows, 6) per row: messages (distinct destination cores), messages within the
        source's tile, east-west hops, north-south hops, messages to another chip of the same
        board, messages to another board. Rows from spike sources (not on a core) count messages
        only.
    syn_on_core : (n_conns, n_cores) synapses of each connection on each core.
    weighted_on_core : (n_cores,) every synapse on the core weighted by its axon's weight (with
        spike counts: the synaptic ops landing on each core), or zeros without weights.
    messages_on_core : (n_cores,) every (axon, destination core) pair weighted by the axon's
        weight (with spike counts: the messages each core receives), or zeros without weights.
    """
    n_cores = sites.tile_row.shape[0]
    n_conns = conns.src_node.shape[0]
    weighted = axon_weight.shape[0] > 0
    out_axons = np.zeros(n_cores, np.int64)
    dest_per_comp = np.zeros(first[n_pops], np.int64)
    row_route = np.zeros((rows.start.shape[0], 6), np.int64)
    syn_on_core = np.zeros((n_conns, n_cores), np.int64)
    weighted_on_core = np.zeros(n_cores, np.int64)
    messages_on_core = np.zeros(n_cores, np.int64)
    stamp = np.full(n_cores, -1, np.int64)
    core_of = sites.core_of.astype(np.int32)
    tile_row, tile_col, chip, board = sites.tile_row, sites.tile_col, sites.chip, sites.board
    for c in range(n_conns):
        src = conns.src_node[c]
        on_core = src < n_pops
        for i in range(conns.n_src[c]):
            r = conns.row_base[c] + i
            axon = first[src] + i
            weight = axon_weight[axon] if weighted else 0
            src_core = core_of[axon] if on_core else -1
            for q in range(row_length(r, rows)):
                t = synapse_target(r, q, rows)
                if t < 0:
                    continue
                core = core_of[conns.dst_first[c] + t]
                syn_on_core[c, core] += 1
                weighted_on_core[core] += weight
                if stamp[core] == r:
                    continue
                stamp[core] = r
                row_route[r, 0] += 1
                messages_on_core[core] += weight
                if not on_core:
                    continue
                out_axons[src_core] += 1
                dest_per_comp[axon] += 1
                if board[core] != board[src_core]:
                    row_route[r, 5] += 1
                elif chip[core] != chip[src_core]:
                    row_route[r, 4] += 1
                elif tile_row[core] == tile_row[src_core] and tile_col[core] == tile_col[src_core]:
                    row_route[r, 1] += 1
                else:
                    row_route[r, 2] += abs(tile_col[core] - tile_col[src_core])
                    row_route[r, 3] += abs(tile_row[core] - tile_row[src_core])
    return out_axons, dest_per_comp, row_route, syn_on_core, weighted_on_core, messages_on_core
