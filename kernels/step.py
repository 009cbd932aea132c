"""The time loop: per step, update every compartment, collect spikes, deliver them.

Samples of a batch are independent and run in parallel (`prange` over samples); within a
sample the loop is serial and event-driven: delivery touches only the rows of axons that
spiked, so its cost is spikes x fan-out.
"""
import numpy as np
from numba import njit, prange

from .fixed_point import lif_compartment
from .prefetch import prefetch_row
from .synapse import accumulate_partial, add_row, flush_partial, scatter_row, scatter_row_delayed


@njit(cache=True)
def update_population(keep_u, keep_v, vth_eff, bias, u, v, acc, fired):
    """Update one population's compartments (1-D slices) from `acc` (then cleared); set `fired`.

    Returns (u wraps, v saturations, active compartments: nonzero input or spiked). The body is
    branch-free and vectorises.
    """
    n_wrap = 0
    n_sat = 0
    n_active = 0
    for i in range(u.shape[0]):
        a_in = np.int64(acc[i])
        ui, vi, spiked, wrapped, saturated = lif_compartment(
            np.int64(u[i]), np.int64(v[i]), a_in, keep_u, keep_v, np.int64(bias[i]), vth_eff)
        acc[i] = 0
        u[i] = ui
        v[i] = vi
        fired[i] = spiked
        n_wrap += wrapped
        n_sat += saturated
        n_active += (a_in != 0) | spiked
    return n_wrap, n_sat, n_active


@njit(cache=True)
def list_fired(fired, spikes, payload, comp_spikes):
    """List the flagged compartments in ascending order (and count them per compartment in
    `comp_spikes`); returns how many.

    `fired` is padded to a multiple of 8 bytes and scanned a word (8 flags) at a time, so
    the cost is N/8 loads plus the spikes.
    """
    words = fired.view(np.uint64)
    n_spk = 0
    for w in range(words.shape[0]):
        if words[w] != 0:
            for i in range(8 * w, 8 * w + 8):
                if fired[i]:
                    spikes[n_spk] = i
                    payload[n_spk] = 1
                    comp_spikes[i] += 1
                    n_spk += 1
    return n_spk


@njit(cache=True)
def update_compartments(t, k, comp, first, n_pops, u, v, acc, fired, spikes, payload, node_spk, node_cnt,
                        comp_spikes):
    """Update every population, list spikes (ascending compartment), count per node.

    Returns the number of spikes listed.
    """
    for p in range(n_pops):
        lo = first[p]
        hi = first[p + 1]
        interval = comp.reset_interval[p]
        if interval > 0 and t % interval == comp.reset_offset[p]:
            u[lo:hi] = 0
            v[lo:hi] = 0
        n_wrap, n_sat, n_active = update_population(comp.keep_u[p], comp.keep_v[p], comp.vth_eff[p],
                                                    comp.bias[lo:hi], u[lo:hi], v[lo:hi], acc[lo:hi], fired[lo:hi])
        node_cnt[k, p, 0] = hi - lo
        node_cnt[k, p, 2] = n_wrap
        node_cnt[k, p, 3] = n_sat
        node_cnt[k, p, 4] = n_active
    n_spk = list_fired(fired, spikes, payload, comp_spikes)
    q = 0
    for p in range(n_pops):
        node_spk[p] = q
        while q < n_spk and spikes[q] < first[p + 1]:
            q += 1
        node_cnt[k, p, 1] = q - node_spk[p]
    return n_spk


@njit(cache=True)
def collect_source_spikes(k, first, n_pops, inputs, n_spk, spikes, payload, node_spk, node_cnt, axon_spikes):
    """Append this step's nonzero source payloads to the spike list. Returns the list length."""
    n_comp = first[n_pops]
    n_nodes = first.shape[0] - 1
    for s in range(n_pops, n_nodes):
        node_spk[s] = n_spk
        for a in range(first[s], first[s + 1]):
            x = inputs[k, a - n_comp]
            if x != 0:
                spikes[n_spk] = a
                payload[n_spk] = x
                axon_spikes[a] += 1
                n_spk += 1
        node_cnt[k, s, 1] = n_spk - node_spk[s]
    node_spk[n_nodes] = n_spk
    return n_spk


@njit(cache=True)
def deliver(t, k, first, conns, syn, ring, spikes, payload, node_spk, partial, mark, touched, conn_cnt):
    """Deliver this step's spikes through every connection into the ring buffer."""
    n_slots = ring.shape[0]
    t_next = t + 1
    for c in range(conns.src_node.shape[0]):
        src = conns.src_node[c]
        lo = node_spk[src]
        hi = node_spk[src + 1]
        if lo == hi:
            continue
        axon0 = first[src]
        row0 = conns.row_base[c]
        off = conns.dst_first[c]
        n_dst = conns.n_dst[c]
        graded = conns.graded[c]
        uniform = conns.delay[c]
        shift = conns.right_shift[c]
        acc = ring[(t_next + max(uniform, 0)) % n_slots][off:off + n_dst]
        n_events = 0
        n_touched = 0
        for q in range(lo, hi):
            x = payload[q] if graded else 1
            r = row0 + spikes[q] - axon0
            start = syn.row_start[r]
            nnz = syn.row_nnz[r]
            n_events += nnz
            if shift > 0:
                n_touched = accumulate_partial(partial, mark, touched, n_touched, off, syn.target,
                                               syn.weight, syn.delay, uniform, start, start + nnz, x)
            elif conns.dense[c]:
                add_row(acc, syn.dense_weight[start:start + n_dst], x)
            elif uniform >= 0:
                if conns.prefetch[c] and q + 1 < hi:
                    r_next = row0 + spikes[q + 1] - axon0
                    prefetch_row(syn.target, syn.weight, syn.row_start[r_next], syn.row_nnz[r_next])
                scatter_row(acc, syn.target, syn.weight, start, start + nnz, x)
            else:
                scatter_row_delayed(ring, t_next, off, syn.target, syn.weight, syn.delay,
                                    start, start + nnz, x)
        if shift > 0:
            flush_partial(ring, t_next, partial, mark, touched, n_touched, shift, conns.wrap_first[c])
        conn_cnt[k, c, 0] = hi - lo
        conn_cnt[k, c, 1] = n_events
        conn_cnt[k, c, 2] = (hi - lo) * conns.message_bits[c] * graded


@njit(cache=True)
def record_step(k, u, v, spikes, n_spk, rec_index, rec_slot, rec_u, rec_v, rec_s):
    """Copy step k's u, v and spikes of the traced compartments."""
    for j in range(rec_index.shape[0]):
        i = rec_index[j]
        rec_u[k, j] = u[i]
        rec_v[k, j] = v[i]
        rec_s[k, j] = 0
    for q in range(n_spk):
        j = rec_slot[spikes[q]]
        if j >= 0:
            rec_s[k, j] = 1


@njit(cache=True)
def run_sample(t0, inputs, comp, first, n_pops, conns, syn, u, v, ring, partial, mark, touched,
               fired, spikes, payload, node_spk, rec_index, rec_slot, rec_u, rec_v, rec_s, node_cnt, conn_cnt,
               comp_spikes):
    """Run one sample for ``inputs.shape[0]`` steps starting after step `t0` (steps are 1-based)."""
    n_slots = ring.shape[0]
    n_rec = rec_index.shape[0]
    for k in range(inputs.shape[0]):
        t = t0 + k + 1
        n_spk = update_compartments(t, k, comp, first, n_pops, u, v, ring[t % n_slots], fired, spikes,
                                    payload, node_spk, node_cnt, comp_spikes)
        if n_rec:
            record_step(k, u, v, spikes, n_spk, rec_index, rec_slot, rec_u, rec_v, rec_s)
        collect_source_spikes(k, first, n_pops, inputs, n_spk, spikes, payload, node_spk, node_cnt, comp_spikes)
        deliver(t, k, first, conns, syn, ring, spikes, payload, node_spk, partial, mark, touched, conn_cnt)


@njit(cache=True, parallel=True)
def run_batch(t0, inputs, comp, first, n_pops, conns, syn, u, v, ring, partial, mark, touched,
              fired, spikes, payload, node_spk, rec_index, rec_slot, rec_u, rec_v, rec_s, node_cnt, conn_cnt,
              comp_spikes):
    """Run every sample of a batch; arrays with a leading batch axis are per sample.

    Parameters
    ----------
    t0 : steps already run (the first step run is t0 + 1).
    inputs : (B, T, S) int32 source payloads for steps t0+1..t0+T.
    comp, conns, syn : packed constants (`layout`).
    first : (n_nodes + 1,) int64 axon offsets of nodes; n_pops : number of LIF nodes.
    u, v : (B, N) int32 state, updated in place. ring : (B, R, N) int32 dendritic ring buffer.
    partial, mark, touched : per-sample scratch for right-shifted connections.
    fired : (B, N rounded up to a multiple of 8) uint8 spike flags, padding zero; spikes, payload, node_spk : per-sample spike-list buffers.
    rec_index : (K,) compartments to trace into rec_u, rec_v, rec_s (B, T, K) int32;
        rec_slot : (N,) int64, the trace column of each compartment or -1.
    node_cnt : (B, T, n_nodes, 5) int64; conn_cnt : (B, T, C, 3) int64 counters (layout).
    comp_spikes : (B, N + S) int64 spikes per axon (compartments, then source channels), added to.
    """
    for b in prange(inputs.shape[0]):
        run_sample(t0, inputs[b], comp, first, n_pops, conns, syn, u[b], v[b], ring[b], partial[b],
                   mark[b], touched[b], fired[b], spikes[b], payload[b], node_spk[b], rec_index, rec_slot, rec_u[b],
                   rec_v[b], rec_s[b], node_cnt[b], conn_cnt[b], comp_spikes[b])
