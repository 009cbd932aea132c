"""The time loop on a CUDA GPU (numba-cuda), bit-exact with `step.run_batch`.

One cooperative kernel runs a window of steps for every sample of a batch. Each step has three
phases separated by grid barriers:

1. update: each thread one compartment (the scalar updates `step` uses, so the arithmetic is
   the CPU's own) or one source channel; spikes go to their node's list, a block reserving its
   tile's places with one atomic; a tile's counters are summed in shared memory first.
2. deliver: warps take a sparse connection's spikes, lanes a spike's synapses, and add into the
   dendritic ring with 32-bit atomic adds. A two's-complement add wraps as Lava's int32 ports
   do, and a sum mod 2**32 does not depend on order, so the ring equals the CPU's bit for bit.
   Dense connections are gathered instead: a thread per target sums every spike's weight (an
   int64 sum, wrapped once: the same value mod 2**32). Connections whose exponent shifts right
   (or whose sum is wrapped apart) add exact int64 partial sums.
3. flush: each nonzero partial sum's input (`synapse.partial_input`) into the ring.

Work is shared out by sample first: with fewer samples than blocks each sample gets a group of
blocks; with more, each block takes whole samples. Spike lists are in no particular order
within a node; nothing downstream depends on the order.

A logical block may be played by a physical one several times over (`n_virtual`): numba-cuda's
simulator runs a cooperative grid of one block only, so the tests exercise the sharing with
virtual blocks.
"""
import numpy as np
from numba import cuda

from .fixed_point import wrap_int32
from .layout import ATRLIF_MODEL, LIF_MODEL, PRODUCT_MODEL, RESONATOR_MODEL, SUM_CONV24
from .step import atrlif_update, lif_update, product_update, reset_due, resonator_update, sigma_delta_update
from .synapse import partial_input

WARP = 32
#: Shared per-tile counters: u wraps, v saturations, active, nonzero (`layout.NODE_COUNTERS`
#: columns 2..5), then the tile's spikes.
TILE_COUNTERS = 5
SPIKES = TILE_COUNTERS - 1


@cuda.jit(device=True, inline="always")
def sample_share(rank, n_ranks, batch):
    """How logical block `rank` of `n_ranks` shares the samples: (first sample, sample stride,
    its rank within the group of blocks given each sample, the group's size)."""
    group = max(1, n_ranks // batch)
    return rank // group, n_ranks // group, rank % group, group


@cuda.jit(device=True, inline="always")
def update_compartment(t, p, i, comp, first, u, v, aux, acc):
    """Step compartment `i` of population `p` (one sample's u, v, aux (2, N) and ring slot `acc`,
    whose entries it clears). Returns (payload sent: the spike, +-1, or the graded payload,
    wrapped, saturated, active, nonzero) as `step.update_compartments` counts them."""
    model = comp.model[p]
    a_in = np.int64(acc[i])
    acc[i] = 0
    if model == LIF_MODEL:
        if reset_due(t, comp.reset_interval[p], comp.reset_offset[p]):
            u[i] = 0
            v[i] = 0
        u1, v1, x, wrapped, saturated, active, nonzero = lif_update(
            np.int64(u[i]), np.int64(v[i]), a_in, np.int64(comp.keep_u[i]), np.int64(comp.keep_v[i]),
            np.int64(comp.bias[i]), np.int64(comp.vth_eff[i]), np.int64(comp.vth_lo_eff[i]), comp.reset_subtract[p])
        u[i] = u1
        v[i] = v1
    elif model == ATRLIF_MODEL:
        par = comp.atrlif
        i1, v1, t1, r1, x, wrapped, saturated, active, nonzero = atrlif_update(
            np.int64(u[i]), np.int64(v[i]), np.int64(aux[0, i]), np.int64(aux[1, i]), a_in, np.int64(comp.bias[i]),
            par[p, 0], np.int64(par[p, 1]), np.int64(par[p, 2]), np.int64(par[p, 3]), np.int64(par[p, 4]),
            np.int64(par[p, 5]))
        u[i] = i1
        v[i] = v1
        aux[0, i] = t1
        aux[1, i] = r1
    elif model == RESONATOR_MODEL or model == PRODUCT_MODEL:
        j = comp.second[p] + i - first[p]
        a2 = np.int64(acc[j])
        acc[j] = 0
        if model == RESONATOR_MODEL:
            par = comp.resonator
            re, im, x, wrapped, saturated, active, nonzero = resonator_update(
                np.int64(u[i]), np.int64(v[i]), a_in, a2, np.int64(comp.rotation[0, i]),
                np.int64(comp.rotation[1, i]), np.int64(comp.vth_eff[i]), par[p, 0], par[p, 1], par[p, 2])
            u[i] = re
            v[i] = im
        else:
            x, wrapped, active, nonzero = product_update(comp.product_exp[p], a_in, a2, np.int64(comp.vth_eff[i]))
            saturated = False
    else:
        f = comp.sigma_delta
        s, a, r, e, x, wrapped, active, nonzero = sigma_delta_update(
            np.int64(u[i]), np.int64(v[i]), np.int64(aux[0, i]), np.int64(aux[1, i]), a_in, np.int64(comp.bias[i]),
            np.int64(comp.vth_eff[i]), f[p, 0], f[p, 1], f[p, 2], f[p, 3], f[p, 4], f[p, 5], f[p, 6])
        saturated = False
        u[i] = s
        v[i] = a
        aux[0, i] = r
        aux[1, i] = e
    return x, wrapped, saturated, active, nonzero


@cuda.jit(device=True, inline="always")
def record_compartment(b, k, i, x, u, v, aux, trace):
    """Copy compartment `i`'s state slots and payload `x` at step k into its trace column, if traced."""
    if trace.u.shape[2] == 0:
        return
    j = trace.slot[i]
    if j >= 0:
        trace.u[b, k, j] = u[b, i]
        trace.v[b, k, j] = v[b, i]
        if trace.aux.shape[3] > 0:
            trace.aux[b, k, 0, j] = aux[b, 0, i]
            trace.aux[b, k, 1, j] = aux[b, 1, i]
        trace.s[b, k, j] = x


@cuda.jit(device=True, inline="always")
def update_phase(k, t, rank, n_ranks, inputs, comp, first, n_pops, tiles, u, v, aux, ring, spikes, payload, trace,
                 node_cnt, axon_spikes, cnt, base):
    """Phase 1 of step t (window index k): update the tiles of this block's samples, list spikes."""
    tx = cuda.threadIdx.x
    n_comp = first[n_pops]
    n_slots = ring.shape[1]
    b, b_step, r, group = sample_share(rank, n_ranks, u.shape[0])
    while b < u.shape[0]:
        for w in range(r, tiles.shape[0], group):
            node = tiles[w, 0]
            i = tiles[w, 1] + tx
            if tx < TILE_COUNTERS:
                cnt[tx] = 0
            cuda.syncthreads()
            x = np.int64(0)
            pos = -1
            if i < tiles[w, 2]:
                if node < n_pops:
                    x, wrapped, saturated, active, nonzero = update_compartment(
                        t, node, i, comp, first, u[b], v[b], aux[b], ring[b, t % n_slots])
                    if wrapped:
                        cuda.atomic.add(cnt, 0, 1)
                    if saturated:
                        cuda.atomic.add(cnt, 1, 1)
                    if active:
                        cuda.atomic.add(cnt, 2, 1)
                    if nonzero:
                        cuda.atomic.add(cnt, 3, 1)
                    record_compartment(b, k, i, x, u, v, aux, trace)
                else:
                    x = np.int64(inputs[b, k, i - n_comp])
                if x != 0:
                    pos = cuda.atomic.add(cnt, SPIKES, 1)
                    axon_spikes[b, i] += 1
            cuda.syncthreads()
            if tx == 0:
                base[0] = cuda.atomic.add(node_cnt, (b, k, node, 1), cnt[SPIKES])
                for c in range(SPIKES):
                    if cnt[c] != 0:
                        cuda.atomic.add(node_cnt, (b, k, node, 2 + c), cnt[c])
            cuda.syncthreads()
            if pos >= 0:
                q = first[node] + base[0] + pos
                spikes[b, q] = i
                payload[b, q] = x
        b += b_step


@cuda.jit(device=True, inline="always")
def add_input(ring, b, slot, col, y):
    """ring[b, slot, col] += y, wrapped to int32 (an atomic 32-bit add)."""
    cuda.atomic.add(ring, (b, slot, col), np.int32(wrap_int32(y)))


@cuda.jit(device=True, inline="always")
def gather_dense(b, k, c, rank_thread, n_threads, slot, first, conns, syn, ring, spikes, payload, node_cnt, conn_cnt):
    """Deliver dense connection c's spikes of sample b by target: thread `rank_thread` of the
    sample's `n_threads` sums, for each of its targets, every spike's weight (coalesced reads of
    the dense rows, no atomics but one add per target), and counts its share of the spikes' synapses."""
    src = conns.src_node[c]
    axon0 = first[src]
    row0 = conns.row_base[c] - axon0
    n_spk = node_cnt[b, k, src, 1]
    events = np.int64(0)
    for q in range(rank_thread, n_spk, n_threads):
        events += syn.row_nnz[row0 + spikes[b, axon0 + q]]
    if events != 0:
        cuda.atomic.add(conn_cnt, (b, k, c, 1), events)
    for j in range(rank_thread, conns.n_dst[c], n_threads):
        total = np.int64(0)
        for q in range(n_spk):
            x = np.int64(payload[b, axon0 + q]) if conns.graded[c] else np.int64(1)
            total += x * np.int64(syn.dense_weight[syn.row_start[row0 + spikes[b, axon0 + q]] + j])
        if total != 0:
            add_input(ring, b, slot, conns.dst_first[c] + j, total)


@cuda.jit(device=True, inline="always")
def deliver_phase(k, t, rank, n_ranks, first, conns, syn, part, ring, spikes, payload, partial, node_cnt, conn_cnt):
    """Phase 2 of step t: deliver this block's share of every connection's spikes."""
    lane = cuda.threadIdx.x % WARP
    n_warps = cuda.blockDim.x // WARP
    n_slots = ring.shape[1]
    t_next = t + 1
    b, b_step, r, group = sample_share(rank, n_ranks, ring.shape[0])
    while b < ring.shape[0]:
        for c in range(conns.src_node.shape[0]):
            src = conns.src_node[c]
            axon0 = first[src]
            off = conns.dst_first[c]
            n_dst = conns.n_dst[c]
            uniform = conns.delay[c]
            sum_mode = conns.sum_mode[c]
            pbase = part[c]
            slot = (t_next + max(uniform, 0)) % n_slots
            if conns.dense[c] and pbase < 0:
                gather_dense(b, k, c, r * cuda.blockDim.x + cuda.threadIdx.x, group * cuda.blockDim.x, slot, first,
                             conns, syn, ring, spikes, payload, node_cnt, conn_cnt)
                continue
            events = np.int64(0)
            for q in range(r * n_warps + cuda.threadIdx.x // WARP, node_cnt[b, k, src, 1], group * n_warps):
                x = np.int64(payload[b, axon0 + q]) if conns.graded[c] else np.int64(1)
                row = conns.row_base[c] + spikes[b, axon0 + q] - axon0
                start = syn.row_start[row]
                nnz = syn.row_nnz[row]
                events += nnz
                for e in range(start + lane, start + nnz, WARP):
                    d = uniform if uniform >= 0 else np.int64(syn.delay[e])
                    y = x * np.int64(syn.weight[e])
                    if pbase >= 0:
                        cuda.atomic.add(partial, (b, pbase + d * n_dst + syn.target[e]),
                                        y if sum_mode == SUM_CONV24 else wrap_int32(y))
                    else:
                        add_input(ring, b, slot if uniform >= 0 else (t_next + d) % n_slots, off + syn.target[e], y)
            if lane == 0 and events != 0:
                cuda.atomic.add(conn_cnt, (b, k, c, 1), events)
        b += b_step


@cuda.jit(device=True, inline="always")
def flush_phase(t, rank, n_ranks, depth, conns, part, ring, partial):
    """Phase 3 of step t: add this block's share of the nonzero partial sums to the ring, clear them."""
    n_slots = ring.shape[1]
    b, b_step, r, group = sample_share(rank, n_ranks, ring.shape[0])
    while b < ring.shape[0]:
        for c in range(conns.src_node.shape[0]):
            pbase = part[c]
            if pbase < 0:
                continue
            n_dst = conns.n_dst[c]
            for e in range(r * cuda.blockDim.x + cuda.threadIdx.x, depth * n_dst, group * cuda.blockDim.x):
                x = partial[b, pbase + e]
                if x != 0:
                    partial[b, pbase + e] = 0
                    d = e // n_dst
                    add_input(ring, b, (t + 1 + d) % n_slots, conns.dst_first[c] + e - d * n_dst,
                              partial_input(x, conns.right_shift[c], conns.sum_mode[c]))
        b += b_step


@cuda.jit
def run_window(k0, k1, t0, n_virtual, depth, inputs, comp, first, n_pops, conns, syn, tiles, part, u, v, aux, ring,
               spikes, payload, partial, trace, node_cnt, conn_cnt, axon_spikes):
    """Run steps t0+k0+1 .. t0+k1 of every sample (a cooperative launch: grid barriers).

    Parameters
    ----------
    k0, k1 : the window, as indices into the inputs, traces and counters.
    t0 : steps run before the inputs' first step.
    n_virtual : logical blocks each physical block plays.
    depth : delay slots of the partial sums (0: no right-shifted connection).
    inputs : (B, T, S) int32 source payloads.
    comp, first, n_pops, conns, syn : the packed constants (`layout.Model`).
    tiles : (n_tiles, 3) int64 node, first and end axon of each tile (one node's, at most a block).
    part : (C,) int64 each connection's first column in `partial`, or -1 (no partial sums).
    u, v (B, N), aux (B, 2, N or 0), ring (B, R, I) int32 : the state, updated in place.
    spikes, payload : (B, N + S) int32 this step's spike lists (node k's from first[k]).
    partial : (B, depth x n_dst summed over partial-sum connections, at least 1) int64, zero between steps.
    trace : `layout.Trace` with a leading batch axis.
    node_cnt (B, T, n_nodes, 6), conn_cnt (B, T, C, 5), axon_spikes (B, N + S) int64 : counters,
        zero on entry (node_cnt's spike column places each block's spikes in the lists); conn_cnt
        column 1 only (`run_batch_cuda` fills the columns derived from node_cnt).
    """
    grid = cuda.cg.this_grid()
    cnt = cuda.shared.array(TILE_COUNTERS, np.int64)
    base = cuda.shared.array(1, np.int64)
    n_ranks = cuda.gridDim.x * n_virtual
    for k in range(k0, k1):
        t = t0 + k + 1
        for vb in range(n_virtual):
            update_phase(k, t, cuda.blockIdx.x * n_virtual + vb, n_ranks, inputs, comp, first, n_pops, tiles, u, v,
                         aux, ring, spikes, payload, trace, node_cnt, axon_spikes, cnt, base)
        grid.sync()
        for vb in range(n_virtual):
            deliver_phase(k, t, cuda.blockIdx.x * n_virtual + vb, n_ranks, first, conns, syn, part, ring, spikes,
                          payload, partial, node_cnt, conn_cnt)
        grid.sync()
        if depth > 0:
            for vb in range(n_virtual):
                flush_phase(t, cuda.blockIdx.x * n_virtual + vb, n_ranks, depth, conns, part, ring, partial)
            grid.sync()


def tiles_of(first, threads):
    """(n_tiles, 3) int64 node, first and end axon of each tile: every node's axons in runs of at
    most `threads` (one block's tile in the update phase)."""
    rows = [(k, lo, min(lo + threads, first[k + 1])) for k in range(first.shape[0] - 1)
            for lo in range(int(first[k]), int(first[k + 1]), threads)]
    return np.array(rows, np.int64).reshape(-1, 3)


def partial_columns(conns, depth):
    """(C,) int64 each partial-sum connection's first column in the partial buffer (`depth` x n_dst
    each), -1 for the others; and the buffer's width (at least 1)."""
    sizes = np.where((conns.right_shift > 0) | (conns.sum_mode == SUM_CONV24), depth * conns.n_dst, -1)
    starts = np.concatenate([[0], np.cumsum(np.maximum(sizes, 0))])
    return np.where(sizes >= 0, starts[:-1], -1).astype(np.int64), max(1, int(starts[-1]))


def each(arrays, put):
    """A NamedTuple of arrays with each passed through `put`."""
    return type(arrays)(*(put(a) for a in arrays))


def kernel_args(t0, inputs, model, state, trace, tally, depth, threads, n_virtual, put):
    """`run_window`'s arguments after k0, k1. The constants and work buffers are passed through
    `put` (`cuda.to_device`, or nothing to type them on the host); state, trace and tally are
    passed as they are (the caller's device copies)."""
    part, width = partial_columns(model.conns, depth)
    batch, n_axons = inputs.shape[0], int(model.first[-1])
    return (t0, n_virtual, depth, put(inputs), each(model.comp, put), put(model.first), model.n_pops,
            each(model.conns, put), each(model.syn, put), put(tiles_of(model.first, threads)), put(part), *state,
            put(np.zeros((batch, n_axons), np.int32)), put(np.zeros((batch, n_axons), np.int32)),
            put(np.zeros((batch, width), np.int64)), trace, *tally)


def run_batch_cuda(t0, inputs, model, state, trace, tally, depth, threads=128, blocks=0, n_virtual=1,
                   window=1000):
    """`step.run_batch` on the current CUDA device, for networks without plastic connections:
    state and trace (`layout` tuples of host arrays with a leading batch axis) are updated in
    place, and tally, which must be zero, is filled.

    depth : delay slots of the partial sums (`Packed.partial_depth`).
    threads : threads per block (a multiple of 32).
    blocks : blocks of the cooperative grid (0: as many as fit on the device at once).
    n_virtual : logical blocks each block plays (a simulator, whose cooperative grids have one block).
    window : steps per launch (the host regains control between launches).
    """
    on_device = [each(x, cuda.to_device) for x in (state, trace, tally)]
    args = kernel_args(t0, inputs, model, *on_device, depth, threads, n_virtual, cuda.to_device)
    if blocks == 0:
        kernel = run_window.compile(tuple(run_window.typeof_pyval(a) for a in (0, 0, *args)))
        blocks = kernel.max_cooperative_grid_blocks(threads)
    steps = inputs.shape[1]
    for k0 in range(0, steps, window):
        run_window[blocks, threads](k0, min(k0 + window, steps), *args)
        cuda.synchronize()
    for host, dev in zip(state + trace[2:] + tally, on_device[0] + on_device[1][2:] + on_device[2]):
        dev.copy_to_host(host)
    conns = model.conns
    tally.node[:, :, :model.n_pops, 0] = np.diff(model.first[:model.n_pops + 1])
    spikes_in = tally.node[:, :, conns.src_node, 1]
    tally.conn[:, :, :, 0] = spikes_in
    tally.conn[:, :, :, 2] = spikes_in * (conns.message_bits * conns.graded)
