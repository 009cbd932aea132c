"""The time loop: per step, update every compartment, collect spikes, deliver them.

Samples of a batch are independent and run in parallel (`prange` over samples); within a
sample the loop is serial and event-driven: delivery touches only the rows of axons that
spiked, so its cost is spikes x fan-out.
"""
import numpy as np
from numba import njit, prange

from .fixed_point import (atrlif_compartment, lif_compartment, product_compartment, resonator_compartment,
                          sigma_delta_compartment)
from .layout import (ATRLIF_MODEL, LIF_MODEL, PRODUCT_MODEL, RESONATOR_MODEL, SUM_CONV24, LearnTrace, Model, Scratch,
                     State, Synapses, Tally, Trace)
from .learning import deliver_plastic, learn_step, record_learning
from .prefetch import prefetch_row
from .synapse import accumulate_partial, add_row, flush_partial, scatter_row, scatter_row_delayed


@njit(cache=True, inline="always")
def reset_due(t, interval, offset):
    """Whether a LIF population reset every `interval` steps (0: never) at `offset` zeroes its u
    and v before step t."""
    return interval > 0 and t % interval == offset


@njit(cache=True, inline="always")
def lif_update(u, v, a_in, keep_u, keep_v, bias, vth_eff, vth_lo_eff, subtract):
    """One LIF compartment's step (`fixed_point.lif_compartment`, int64 arguments) with its
    counters: returns (u, v, spike, wrapped, saturated, active: nonzero input or spiked, nonzero:
    v nonzero before the step, nonzero input or nonzero bias)."""
    u1, v1, spike, wrapped, saturated = lif_compartment(u, v, a_in, keep_u, keep_v, bias, vth_eff, vth_lo_eff,
                                                         subtract)
    return (u1, v1, spike, wrapped, saturated, (a_in != 0) | (spike != 0),
            (v != 0) | (a_in != 0) | (bias != 0))


@njit(cache=True, inline="always")
def sigma_delta_update(sigma, act, residue, error, a_in, bias, vth, integrate, delta, relu, cum_error, in_shift,
                       out_shift, gate):
    """One sigma-delta compartment's step (`fixed_point.sigma_delta_compartment`, the same
    arguments) with its counters: returns (sigma, act, residue, error, payload, wrapped, active:
    nonzero input or payload, nonzero: act nonzero before the step, nonzero input or bias)."""
    s, a, r, e, x, wrapped = sigma_delta_compartment(sigma, act, residue, error, a_in, bias, vth, integrate, delta,
                                                     relu, cum_error, in_shift, out_shift, gate)
    return s, a, r, e, x, wrapped, (a_in != 0) | (x != 0), (act != 0) | (a_in != 0) | (bias != 0)


@njit(cache=True, inline="always")
def atrlif_update(i, v, theta, r, a_in, bias, keep_i, keep_v, keep_theta, keep_r, theta_0, theta_step):
    """One ATRLIF compartment's step (`fixed_point.atrlif_compartment`, the same arguments) with
    its counters: returns (i, v, theta, r, spike, wrapped, saturated, active, nonzero) as
    `lif_update` counts them."""
    i1, v1, t1, r1, spike, wrapped, saturated = atrlif_compartment(i, v, theta, r, a_in, bias, keep_i, keep_v,
                                                                   keep_theta, keep_r, theta_0, theta_step)
    return (i1, v1, t1, r1, spike, wrapped, saturated, (a_in != 0) | (spike != 0),
            (v != 0) | (a_in != 0) | (bias != 0))


@njit(cache=True, inline="always")
def resonator_update(re, im, a_re, a_im, cos, sin, vth, kind, state_exp, decay_bits):
    """One resonator compartment's step (`fixed_point.resonator_compartment`, the same arguments)
    from its two dendrites, with its counters: returns (re, im, payload, wrapped, saturated,
    active: nonzero input or payload, nonzero: a nonzero part or input)."""
    r1, i1, x, wrapped, saturated = resonator_compartment(re, im, a_re, a_im, cos, sin, vth, kind, state_exp,
                                                          decay_bits)
    return (r1, i1, x, wrapped, saturated, (a_re != 0) | (a_im != 0) | (x != 0),
            (re != 0) | (im != 0) | (a_re != 0) | (a_im != 0))


@njit(cache=True, inline="always")
def product_update(exp, a1, a2, vth):
    """One product compartment's step (`fixed_point.product_compartment`) from its two dendrites,
    with its counters: returns (payload, wrapped, active: nonzero input or payload, nonzero:
    nonzero input)."""
    x, wrapped = product_compartment(a1, a2, vth, exp)
    return x, wrapped, (a1 != 0) | (a2 != 0) | (x != 0), (a1 != 0) | (a2 != 0)


@njit(cache=True)
def update_population(keep_u, keep_v, vth_eff, vth_lo_eff, subtract, bias, u, v, acc, fired):
    """Update one population's compartments (1-D slices, the decays and thresholds too) from
    `acc` (then cleared); set `fired`.

    Returns (u wraps, v saturations, active compartments, nonzero compartments: see
    `lif_update`). The body is branch-free and vectorises.
    """
    n_wrap = 0
    n_sat = 0
    n_active = 0
    n_nonzero = 0
    for i in range(u.shape[0]):
        ui, vi, spiked, wrapped, saturated, active, nonzero = lif_update(
            np.int64(u[i]), np.int64(v[i]), np.int64(acc[i]), np.int64(keep_u[i]), np.int64(keep_v[i]),
            np.int64(bias[i]), np.int64(vth_eff[i]), np.int64(vth_lo_eff[i]), subtract)
        acc[i] = 0
        u[i] = ui
        v[i] = vi
        fired[i] = spiked
        n_wrap += wrapped
        n_sat += saturated
        n_active += active
        n_nonzero += nonzero
    return n_wrap, n_sat, n_active, n_nonzero


@njit(cache=True)
def update_sigma_delta(flags, bias, vth, sigma, act, residue, error, acc, fired, out):
    """Update one sigma-delta population's compartments (1-D slices) from `acc` (then cleared);
    set `fired` (1 where the payload `out` is nonzero). `flags` is the population's row of
    `Compartments.sigma_delta`. Returns the counters of `update_population` (sigma wraps, 0,
    active, nonzero: see `sigma_delta_update`)."""
    integrate, delta, relu, cum_error, in_shift, out_shift, gate = (flags[0], flags[1], flags[2], flags[3], flags[4],
                                                                    flags[5], flags[6])
    n_wrap = 0
    n_active = 0
    n_nonzero = 0
    for i in range(sigma.shape[0]):
        s, a, r, e, x, wrapped, active, nonzero = sigma_delta_update(
            np.int64(sigma[i]), np.int64(act[i]), np.int64(residue[i]), np.int64(error[i]), np.int64(acc[i]),
            np.int64(bias[i]), np.int64(vth[i]), integrate, delta, relu, cum_error, in_shift, out_shift, gate)
        acc[i] = 0
        sigma[i] = s
        act[i] = a
        residue[i] = r
        error[i] = e
        out[i] = x
        fired[i] = x != 0
        n_wrap += wrapped
        n_active += active
        n_nonzero += nonzero
    return n_wrap, 0, n_active, n_nonzero


@njit(cache=True)
def update_atrlif(params, bias, i, v, theta, r, acc, fired):
    """Update one ATRLIF population's compartments (1-D slices) from `acc` (then cleared); set
    `fired`. `params` is the population's row of `Compartments.atrlif`. Returns the counters of
    `update_population` (i wraps, v saturations, active, nonzero)."""
    keep_i = params[0]
    keep_v, keep_theta, keep_r = np.int64(params[1]), np.int64(params[2]), np.int64(params[3])
    theta_0, theta_step = np.int64(params[4]), np.int64(params[5])
    n_wrap = 0
    n_sat = 0
    n_active = 0
    n_nonzero = 0
    for k in range(i.shape[0]):
        i1, v1, t1, r1, spike, wrapped, saturated, active, nonzero = atrlif_update(
            np.int64(i[k]), np.int64(v[k]), np.int64(theta[k]), np.int64(r[k]), np.int64(acc[k]), np.int64(bias[k]),
            keep_i, keep_v, keep_theta, keep_r, theta_0, theta_step)
        acc[k] = 0
        i[k] = i1
        v[k] = v1
        theta[k] = t1
        r[k] = r1
        fired[k] = spike
        n_wrap += wrapped
        n_sat += saturated
        n_active += active
        n_nonzero += nonzero
    return n_wrap, n_sat, n_active, n_nonzero


@njit(cache=True)
def update_resonator(params, cos, sin, vth, re, im, acc_re, acc_im, fired, out):
    """Update one resonator population's compartments (1-D slices) from its two dendrites `acc_re`,
    `acc_im` (then cleared); set `fired` and the payloads `out`. `params` is the population's row
    of `Compartments.resonator`. Returns the counters of `update_population` (wraps, saturations,
    active, nonzero: see `resonator_update`)."""
    kind, state_exp, decay_bits = params[0], params[1], params[2]
    n_wrap = 0
    n_sat = 0
    n_active = 0
    n_nonzero = 0
    for k in range(re.shape[0]):
        r1, i1, x, wrapped, saturated, active, nonzero = resonator_update(
            np.int64(re[k]), np.int64(im[k]), np.int64(acc_re[k]), np.int64(acc_im[k]), np.int64(cos[k]),
            np.int64(sin[k]), np.int64(vth[k]), kind, state_exp, decay_bits)
        acc_re[k] = 0
        acc_im[k] = 0
        re[k] = r1
        im[k] = i1
        out[k] = x
        fired[k] = x != 0
        n_wrap += wrapped
        n_sat += saturated
        n_active += active
        n_nonzero += nonzero
    return n_wrap, n_sat, n_active, n_nonzero


@njit(cache=True)
def update_product(exp, vth, acc1, acc2, fired, out):
    """Update one product population's compartments (1-D slices) from its two dendrites (then
    cleared); set `fired` and the payloads `out`. Returns the counters of `update_population`
    (product wraps, 0, active, nonzero: see `product_update`)."""
    n_wrap = 0
    n_active = 0
    n_nonzero = 0
    for k in range(acc1.shape[0]):
        x, wrapped, active, nonzero = product_update(exp, np.int64(acc1[k]), np.int64(acc2[k]), np.int64(vth[k]))
        acc1[k] = 0
        acc2[k] = 0
        out[k] = x
        fired[k] = x != 0
        n_wrap += wrapped
        n_active += active
        n_nonzero += nonzero
    return n_wrap, 0, n_active, n_nonzero


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
                    payload[n_spk] = fired[i]
                    comp_spikes[i] += 1
                    n_spk += 1
    return n_spk


@njit(cache=True)
def update_compartments(t, k, model, state, acc, scratch, tally):
    """Update every population from `acc` (one ring slot: first dendrites, then second ones), list
    spikes (ascending compartment) with their payloads, count per node. Returns the number of
    spikes listed."""
    comp, first = model.comp, model.first
    u, v, aux = state.u, state.v, state.aux
    node_cnt = tally.node
    for p in range(model.n_pops):
        lo = first[p]
        hi = first[p + 1]
        if comp.model[p] == LIF_MODEL:
            if reset_due(t, comp.reset_interval[p], comp.reset_offset[p]):
                u[lo:hi] = 0
                v[lo:hi] = 0
            n_wrap, n_sat, n_active, n_nonzero = update_population(
                comp.keep_u[lo:hi], comp.keep_v[lo:hi], comp.vth_eff[lo:hi], comp.vth_lo_eff[lo:hi],
                comp.reset_subtract[p], comp.bias[lo:hi], u[lo:hi], v[lo:hi], acc[lo:hi], scratch.fired[lo:hi])
        elif comp.model[p] == ATRLIF_MODEL:
            n_wrap, n_sat, n_active, n_nonzero = update_atrlif(
                comp.atrlif[p], comp.bias[lo:hi], u[lo:hi], v[lo:hi], aux[0, lo:hi], aux[1, lo:hi], acc[lo:hi],
                scratch.fired[lo:hi])
        elif comp.model[p] == RESONATOR_MODEL:
            lo2 = comp.second[p]
            n_wrap, n_sat, n_active, n_nonzero = update_resonator(
                comp.resonator[p], comp.rotation[0, lo:hi], comp.rotation[1, lo:hi], comp.vth_eff[lo:hi], u[lo:hi],
                v[lo:hi], acc[lo:hi], acc[lo2:lo2 + hi - lo], scratch.fired[lo:hi], scratch.out[lo:hi])
        elif comp.model[p] == PRODUCT_MODEL:
            lo2 = comp.second[p]
            n_wrap, n_sat, n_active, n_nonzero = update_product(
                comp.product_exp[p], comp.vth_eff[lo:hi], acc[lo:hi], acc[lo2:lo2 + hi - lo], scratch.fired[lo:hi],
                scratch.out[lo:hi])
        else:
            n_wrap, n_sat, n_active, n_nonzero = update_sigma_delta(
                comp.sigma_delta[p], comp.bias[lo:hi], comp.vth_eff[lo:hi], u[lo:hi], v[lo:hi], aux[0, lo:hi],
                aux[1, lo:hi], acc[lo:hi], scratch.fired[lo:hi], scratch.out[lo:hi])
        node_cnt[k, p, 0] = hi - lo
        node_cnt[k, p, 2] = n_wrap
        node_cnt[k, p, 3] = n_sat
        node_cnt[k, p, 4] = n_active
        node_cnt[k, p, 5] = n_nonzero
    n_spk = list_fired(scratch.fired, scratch.spikes, scratch.payload, tally.axon_spikes)
    q = 0
    for p in range(model.n_pops):
        scratch.node_spk[p] = q
        while q < n_spk and scratch.spikes[q] < first[p + 1]:
            q += 1
        node_cnt[k, p, 1] = q - scratch.node_spk[p]
        if comp.model[p] != LIF_MODEL and comp.model[p] != ATRLIF_MODEL:     # graded payloads
            for j in range(scratch.node_spk[p], q):
                scratch.payload[j] = scratch.out[scratch.spikes[j]]
    return n_spk


@njit(cache=True)
def collect_source_spikes(k, model, inputs, n_spk, scratch, tally):
    """Append this step's nonzero source payloads to the spike list. Returns the list length."""
    first = model.first
    n_comp = first[model.n_pops]
    n_nodes = first.shape[0] - 1
    spikes, payload, node_spk = scratch.spikes, scratch.payload, scratch.node_spk
    for s in range(model.n_pops, n_nodes):
        node_spk[s] = n_spk
        for a in range(first[s], first[s + 1]):
            x = inputs[k, a - n_comp]
            if x != 0:
                spikes[n_spk] = a
                payload[n_spk] = x
                tally.axon_spikes[a] += 1
                n_spk += 1
        tally.node[k, s, 1] = n_spk - node_spk[s]
    node_spk[n_nodes] = n_spk
    return n_spk


@njit(cache=True)
def deliver(t, k, model, ring, scratch, conn_cnt, pl, learned):
    """Deliver this step's spikes through every connection into the ring buffer (plastic ones
    through `learned`, the sample's current weights)."""
    first, conns, syn = model.first, model.conns, model.syn
    spikes, payload = scratch.spikes, scratch.payload
    n_slots = ring.shape[0]
    t_next = t + 1
    for c in range(conns.src_node.shape[0]):
        src = conns.src_node[c]
        lo = scratch.node_spk[src]
        hi = scratch.node_spk[src + 1]
        if lo == hi:
            continue
        axon0 = first[src]
        row0 = conns.row_base[c]
        off = conns.dst_first[c]
        n_dst = conns.n_dst[c]
        graded = conns.graded[c]
        uniform = conns.delay[c]
        shift = conns.right_shift[c]
        sum_mode = conns.sum_mode[c]
        partial = shift > 0 or sum_mode == SUM_CONV24
        acc = ring[(t_next + max(uniform, 0)) % n_slots][off:off + n_dst]
        p = conns.plastic[c]
        if p >= 0:
            conn_cnt[k, c, 0] = hi - lo
            conn_cnt[k, c, 1] = deliver_plastic(acc, learned.weight, pl.mask, pl.w_first[p], n_dst, pl.sparse[p],
                                                pl.weight_exp[p], spikes, payload, lo, hi, axon0, graded)
            conn_cnt[k, c, 2] = (hi - lo) * conns.message_bits[c] * graded
            continue
        n_events = 0
        n_touched = 0
        for q in range(lo, hi):
            x = np.int64(payload[q]) if graded else np.int64(1)   # widened, as a C int64 product
            r = row0 + spikes[q] - axon0
            start = syn.row_start[r]
            nnz = syn.row_nnz[r]
            n_events += nnz
            if partial:
                n_touched = accumulate_partial(scratch.partial, scratch.mark, scratch.touched, n_touched, off,
                                               syn.target, syn.weight, syn.delay, uniform, start, start + nnz, x,
                                               sum_mode != SUM_CONV24)
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
        if partial:
            flush_partial(ring, t_next, scratch.partial, scratch.mark, scratch.touched, n_touched, shift, sum_mode)
        conn_cnt[k, c, 0] = hi - lo
        conn_cnt[k, c, 1] = n_events
        conn_cnt[k, c, 2] = (hi - lo) * conns.message_bits[c] * graded


@njit(cache=True)
def traced_range(index):
    """The first traced compartment when the traced compartments are one ascending run (a slice
    copy records them), else -1."""
    for j in range(1, index.shape[0]):
        if index[j] != index[j - 1] + 1:
            return -1
    return index[0] if index.shape[0] else -1


@njit(cache=True)
def record_step(k, state, spikes, payload, n_spk, trace, lo):
    """Copy step k's state slots and spikes (+1, -1 for a ternary neuron's negative spike, or a
    graded payload) of the traced compartments (`lo`: see `traced_range`)."""
    with_aux = trace.aux.shape[2] > 0
    n = trace.index.shape[0]
    if lo >= 0:
        trace.u[k] = state.u[lo:lo + n]
        trace.v[k] = state.v[lo:lo + n]
        if with_aux:
            trace.aux[k] = state.aux[:, lo:lo + n]
        trace.s[k] = 0
    else:
        for j in range(n):
            i = trace.index[j]
            trace.u[k, j] = state.u[i]
            trace.v[k, j] = state.v[i]
            if with_aux:
                trace.aux[k, 0, j] = state.aux[0, i]
                trace.aux[k, 1, j] = state.aux[1, i]
            trace.s[k, j] = 0
    for q in range(n_spk):
        j = trace.slot[spikes[q]]
        if j >= 0:
            trace.s[k, j] = payload[q]


@njit(cache=True)
def run_sample(t0, inputs, model, state, scratch, trace, tally, pl, draws, learned, hist, rec):
    """Run one sample for ``inputs.shape[0]`` steps starting after step `t0` (steps are 1-based)."""
    n_slots = state.ring.shape[0]
    n_rec = trace.index.shape[0]
    lo = traced_range(trace.index)
    n_plastic = pl.conn.shape[0]
    for k in range(inputs.shape[0]):
        t = t0 + k + 1
        n_spk = update_compartments(t, k, model, state, state.ring[t % n_slots], scratch, tally)
        if n_rec:
            record_step(k, state, scratch.spikes, scratch.payload, n_spk, trace, lo)
        collect_source_spikes(k, model, inputs, n_spk, scratch, tally)
        deliver(t, k, model, state.ring, scratch, tally.conn, pl, learned)
        if n_plastic:
            learn_step(t, t0, k, model, pl, draws, learned, scratch.spikes, scratch.payload, scratch.node_spk, hist,
                       tally.conn)
            if rec.first.shape[0]:
                record_learning(k, pl, learned, rec)


@njit(cache=True, parallel=True)
def run_batch(t0, inputs, comp, first, n_pops, conns, syn, state, scratch, trace, tally, pl, draws, learned, hist,
              rec):
    """Run every sample of a batch, in parallel over samples; `state`, `scratch`, `tally` and the
    trace arrays carry a leading batch axis B (see `layout`).

    Parameters
    ----------
    t0 : steps already run (the first step run is t0 + 1).
    inputs : (B, T, S) int32 source payloads for steps t0+1..t0+T.
    comp, first, n_pops, conns, syn : the packed constants (the fields of `layout.Model`, passed
        apart: a parallel loop takes flat tuples of arrays only), shared by all samples.
    state : u, v (B, N), aux (B, 2, N or 0) and ring (B, R, I) int32 (I dendritic inputs), updated in place.
    scratch : per-sample work buffers (`layout.Scratch`).
    trace : compartments to trace into u, v, s (B, T, K) and aux (B, T, 2, K or 0) int32 (`layout.Trace`).
    tally : node (B, T, n_nodes, 5), conn (B, T, C, 3) and axon_spikes (B, N + S) int64 counters,
        added to (`layout.Tally`).
    pl, draws : the plastic connections' constants and this window's random draws, shared by all
        samples (`layout.Plastic`, `layout.Draws`; P = 0 when none).
    learned : each sample's weights, tags and traces of the plastic connections (`layout.Synapses`),
        updated in place; hist (B, H) int32 the trace-history scratch.
    rec : recorded plastic connections (`layout.LearnTrace`; `first` (0, 4) records none).
    """
    for b in prange(inputs.shape[0]):
        run_sample(t0, inputs[b], Model(comp, first, n_pops, conns, syn),
                   State(state.u[b], state.v[b], state.aux[b], state.ring[b]),
                   Scratch(scratch.partial[b], scratch.mark[b], scratch.touched[b], scratch.fired[b], scratch.out[b],
                           scratch.spikes[b], scratch.payload[b], scratch.node_spk[b]),
                   Trace(trace.index, trace.slot, trace.u[b], trace.v[b], trace.aux[b], trace.s[b]),
                   Tally(tally.node[b], tally.conn[b], tally.axon_spikes[b]), pl, draws,
                   Synapses(learned.weight[b], learned.tag_1[b], learned.tag_2[b], learned.x[b], learned.y[b],
                            learned.tx[b], learned.ty[b]), hist[b],
                   LearnTrace(rec.first, rec.weight[b], rec.tag_1[b], rec.tag_2[b], rec.x[b], rec.y[b]))
