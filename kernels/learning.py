"""Loihi's learning engine for one sample, bit-exact with Lava 0.10's bit-approximate models.

Per step: a plastic connection delivers the spikes of its presynaptic node through its current
weights, notes which neurons spiked (the within-epoch step of each one's last spike, tx and ty;
a second spike in an epoch adds its impulse at once), and at the last step of an epoch runs the
rule: the traces' histories over the epoch (decay, then the impulses of that step), then every
synapse a product's dependency reaches gets ``w << 7`` plus its products (each a fixed-point
product of clipped factors, shifted to 15 bits and scaled), and rounds back stochastically.
Layout and codes: `layout.Plastic`, `layout.Synapses`, `neurochip.ir.learning`.
"""
import numpy as np
from numba import njit

from .fixed_point import wrap_int32

TRACE_MAX = 127                  # traces are 7-bit unsigned
ACC_LO, ACC_HI = -32769, 32767   # the accumulator's clip (its low end as Lava states it)
ACC_SHIFT = 7                    # one unit of a synaptic variable is 2**7 accumulator units
ACC_FRACTION = (1 << ACC_SHIFT) - 1
REGULAR, OVERWRITE, ADD_SATURATE, ADD_WRAP = 0, 1, 2, 3
DEP_X0, DEP_Y0, DEP_U = 0, 1, 2
VAR_W, VAR_D, VAR_T, VAR_X0, VAR_Y0 = 5, 6, 7, 8, 9
N_X, N_Y = 2, 3
#: Clip ranges of a synaptic variable after learning: weights by sign mode (mixed, excitatory,
#: inhibitory), tag_2, tag_1; and the accumulator's saturation before rounding.
WEIGHT_CLIP = ((-256, 255), (0, 255), (-255, 0))
WEIGHT_SATURATE = ((ACC_LO, ACC_HI), (0, ACC_HI), (ACC_LO, 0))
TAG_2_CLIP, TAG_1_CLIP = (0, 255), (-257, 255)


@njit(cache=True, inline="always")
def add_impulse(trace, draw, whole, frac):
    """The trace plus an impulse, clipped to [0, 127]. The impulse's fraction (x 256) adds one when
    the 7-bit draw is below it, as Lava compares them (so a fraction of 1/2 always adds one)."""
    return min(max(trace + whole + (draw < frac), 0), TRACE_MAX)


@njit(cache=True, inline="always")
def decay_trace(trace, factor, draw):
    """``factor * trace`` rounded down, plus one when the draw in [0, 1) is below the fraction."""
    z = factor * trace
    whole = np.floor(z)
    return np.int64(whole) + (draw < z - whole)


@njit(cache=True, inline="always")
def clip(x, lo, hi):
    return min(max(x, lo), hi)


@njit(cache=True, inline="always")
def half_payload(p):
    """The uint8 a graded payload p adds to x1: p / 2 rounded half to even, wrapped to 8 bits."""
    h = p >> 1
    if p & 1 and h & 1:
        h += 1
    return h & 255


@njit(cache=True)
def deliver_plastic(acc, weight, mask, w0, n_post, sparse, exp, spikes, payload, lo, hi, axon0, graded):
    """Add the spikes lo..hi (axons from `axon0`) through the connection's current weights (rows of
    n_post from `w0`) into `acc`, the target's slice of the next ring slot. Returns the synaptic
    events: stored synapses of the spiking rows."""
    events = 0
    for q in range(lo, hi):
        x = np.int64(payload[q]) if graded else np.int64(1)
        row = w0 + (spikes[q] - axon0) * n_post
        for i in range(n_post):
            acc[i] = wrap_int32(acc[i] + (wrap_int32(weight[row + i] * x) << exp))
        if sparse:
            for i in range(n_post):
                events += mask[row + i]
        else:
            events += n_post
    return events


@njit(cache=True)
def note_pre(within, spikes, payload, lo, hi, axon0, graded, mode, x, tx, base, n_pre, impulse, frac):
    """Presynaptic spikes lo..hi (ascending axons) of this step: tx, and the impulses of a second
    spike in the epoch (added at once, rounding up) or x1 from a graded payload (`mode`). In
    "add_wrap" mode every neuron's x1 is re-wrapped each step, as Lava adds the (zero) payload of
    silent neurons too (an x1 of 128, left by a wrap from 255, becomes 1). Returns the trace updates."""
    n = 0
    q = lo
    for j in range(n_pre if mode == ADD_WRAP else 0):
        if q < hi and spikes[q] - axon0 == j:
            q += 1
        elif x[0, base + j] > TRACE_MAX:
            x[0, base + j] -= TRACE_MAX
            n += 1
    for q in range(lo, hi):
        j = base + spikes[q] - axon0
        multi = tx[j] > 0
        stamp = True
        if mode == REGULAR:
            if multi:
                x[0, j] = add_impulse(np.int64(x[0, j]), 0, impulse[0], frac[0])
                n += 1
        else:
            h = half_payload(np.int64(payload[q]) if graded else np.int64(1))
            s = (np.int64(x[0, j]) + h) & 255
            if mode == OVERWRITE:
                x[0, j] = h
            elif mode == ADD_SATURATE:
                x[0, j] = min(s, TRACE_MAX)
            else:
                stamp = s > TRACE_MAX
                x[0, j] = s - TRACE_MAX if stamp else s
            n += 1
        if multi and stamp:
            x[1, j] = add_impulse(np.int64(x[1, j]), 0, impulse[1], frac[1])
            n += 1
        if stamp:
            tx[j] = within
    return n


@njit(cache=True)
def note_post(within, spikes, lo, hi, first, y, ty, base, impulse, frac, draw):
    """Postsynaptic spikes lo..hi of this step: ty, and the y impulses of a second spike in the
    epoch (added at once with this step's first y-impulse draw). Returns the trace updates."""
    n = 0
    for q in range(lo, hi):
        i = base + spikes[q] - first
        if ty[i] > 0:
            for k in range(N_Y):
                y[k, i] = add_impulse(np.int64(y[k, i]), draw, impulse[N_X + k], frac[N_X + k])
            n += N_Y
        ty[i] = within
    return n


@njit(cache=True)
def histories(trace, stamp, base, n, n_rows, row0, carry, decay, impulse, frac, draw_decay, draw_impulse, hist, h0,
              t_epoch):
    """Fill ``hist[h0 + (s * n_rows + k) * n + j]``, s = 0..t_epoch, with trace row k of neuron j at
    within-epoch step s: the stored value at s = 0, then per step the decay (carried rows) and the
    impulse of a neuron whose last spike was at s. Returns the trace updates (impulses and
    decays of nonzero values)."""
    updates = 0
    for k in range(n_rows):
        for j in range(n):
            hist[h0 + k * n + j] = trace[k, base + j]
    for s in range(1, t_epoch + 1):
        for k in range(n_rows):
            at, prev = h0 + (s * n_rows + k) * n, h0 + ((s - 1) * n_rows + k) * n
            for j in range(n):
                v = np.int64(0)
                if carry[row0 + k]:
                    v = np.int64(hist[prev + j])
                    if v != 0:
                        v = decay_trace(v, decay[row0 + k], draw_decay)
                        updates += 1
                if stamp[base + j] == s:
                    v = add_impulse(v, draw_impulse, impulse[row0 + k], frac[row0 + k])
                    updates += 1
                hist[at + j] = v
    return updates


@njit(cache=True, inline="always")
def round_back(acc, saturate_lo, saturate_hi, lo, hi, draw):
    """The accumulator saturated, divided by 2**7 with stochastic rounding, clipped to [lo, hi]."""
    acc = clip(acc, saturate_lo, saturate_hi)
    return clip((acc >> ACC_SHIFT) + (draw < (acc & ACC_FRACTION) / (ACC_FRACTION + 1)), lo, hi)


@njit(cache=True, inline="always")
def factor_value(var, const, sgn, width, x_value, y_value, w, d, t, sx, sy):
    """A factor's clipped value: its variable (the trace values given, w, d, t or a spike flag) plus
    its constant, or the sign of that."""
    if var < N_X:
        v = x_value
    elif var < N_X + N_Y:
        v = y_value
    elif var == VAR_W:
        v = w
    elif var == VAR_D:
        v = d
    elif var == VAR_T:
        v = t
    elif var == VAR_X0:
        v = np.int64(sx > 0)
    else:
        v = np.int64(sy > 0)
    v += const
    if sgn:
        v = np.int64(np.sign(v))
    return clip(v, -(1 << width), (1 << width) - 1)


@njit(cache=True, inline="always")
def product_term(m, mantissa, exp_shift, right_shift):
    """A product's contribution to the accumulator: its factors' product m times the mantissa (int32
    wrap), shifted right to 15 bits, scaled, clipped."""
    m = wrap_int32(m * mantissa)
    return clip((m >> right_shift) << exp_shift, ACC_LO, ACC_HI)


@njit(cache=True)
def side_factor(part, k, var, const, sgn, width, hist, h0, n, n_rows, row, stamp, base, t_epoch):
    """Multiply `part[k, s, j]`, s = 1..t_epoch, by one neuron-level factor of the n neurons on one
    side of the synapse: trace row `row` of their history at `h0` (`histories` layout), or their
    spike flag (x0, y0) from `stamp`. factor_value picks by `var`, so the value fills both sides."""
    for s in range(1, t_epoch + 1):
        at = h0 + (s * n_rows + row) * n
        for j in range(n):
            v, spiked = np.int64(hist[at + j]), stamp[base + j]
            part[k, s, j] = wrap_int32(part[k, s, j] * factor_value(var, const, sgn, width, v, v, v, v, v, spiked,
                                                                    spiked))


@njit(cache=True)
def neuron_factors(prod, factor, r0, r1, hist, xh, yh, tx, ty, x0, y0, n_pre, n_post, t_epoch):
    """The factors of products r0..r1 that depend on one neuron, multiplied out once per epoch:
    part_x (products, t_epoch + 1, n_pre) the presynaptic ones (x1, x2 at step s, x0), part_y
    (products, t_epoch + 1, n_post) the postsynaptic ones (y1..y3 at step s, y0), int32-wrapped as
    the engine's running product is (mod 2**32, so splitting it changes nothing); synaptic
    (products,) whether a product also has w, d or t factors, left to each synapse."""
    n = r1 - r0
    part_x = np.ones((n, t_epoch + 1, n_pre), np.int64)
    part_y = np.ones((n, t_epoch + 1, n_post), np.int64)
    synaptic = np.zeros(n, np.bool_)
    for r in range(r0, r1):
        k = r - r0
        for f in range(prod[r, 4], prod[r + 1, 4]):
            var, const, sgn, width = factor[f, 0], factor[f, 1], factor[f, 2], factor[f, 3]
            if var < N_X or var == VAR_X0:
                side_factor(part_x, k, var, const, sgn, width, hist, xh, n_pre, N_X, min(var, N_X - 1), tx, x0,
                            t_epoch)
            elif var < N_X + N_Y or var == VAR_Y0:
                side_factor(part_y, k, var, const, sgn, width, hist, yh, n_post, N_Y, min(max(var - N_X, 0), N_Y - 1),
                            ty, y0, t_epoch)
            else:
                synaptic[k] = True
    return part_x, part_y, synaptic


@njit(cache=True)
def learn_epoch(p, pl, syn, epoch, draws, hist):
    """Run plastic connection p's rule at the end of epoch `epoch` (1-based). `draws`: the x decay,
    x impulse, y decay and y impulse draws of this step, then the weight-rounding draw.
    Returns (synaptic updates, trace updates)."""
    n_pre, n_post, t_epoch = pl.n_pre[p], pl.n_post[p], pl.t_epoch[p]
    x0, y0 = pl.pre_first[p], pl.post_first[p]
    xh, yh = 0, (t_epoch + 1) * N_X * n_pre
    traces = histories(syn.x, syn.tx, x0, n_pre, N_X, 0, pl.carry[p], pl.decay[p], pl.impulse[p],
                       pl.impulse_frac[p], draws[0], draws[1], hist, xh, t_epoch)
    traces += histories(syn.y, syn.ty, y0, n_post, N_Y, N_X, pl.carry[p], pl.decay[p], pl.impulse[p],
                        pl.impulse_frac[p], draws[2], draws[3], hist, yh, t_epoch)
    b = pl.prod_first[p]
    x_dep = y_dep = u_dep = False
    for r in range(b[0], b[3]):
        dep = pl.prod[r, 0]
        x_dep |= dep == DEP_X0
        y_dep |= dep == DEP_Y0
        u_dep |= dep == DEP_U
    u_on = u_dep and epoch % (1 << pl.decimate[p]) == 0
    every = u_on or b[2] < b[3]          # tag_1's clip reaches synapses no dependency touches
    sparse, w0, g0, mask = pl.sparse[p], pl.w_first[p], pl.tag_first[p], pl.mask
    mode = pl.sign_mode[p]
    lows = (WEIGHT_SATURATE[mode][0], 0, ACC_LO)          # per target (dw, dd, dt): saturation, clip
    highs = (WEIGHT_SATURATE[mode][1], ACC_HI, ACC_HI)
    clip_lo = (WEIGHT_CLIP[mode][0], TAG_2_CLIP[0], TAG_1_CLIP[0])
    clip_hi = (WEIGHT_CLIP[mode][1], TAG_2_CLIP[1], TAG_1_CLIP[1])
    prod, factor, draw, weight, tag_1, tag_2 = pl.prod, pl.factor, draws[4], syn.weight, syn.tag_1, syn.tag_2
    part_x, part_y, synaptic = neuron_factors(prod, factor, b[0], b[3], hist, xh, yh, syn.tx, syn.ty, x0, y0, n_pre,
                                              n_post, t_epoch)
    posts = np.empty(n_post, np.int64)          # postsynaptic neurons that spiked in the epoch
    n_posts = 0
    for i in range(n_post):
        if syn.ty[y0 + i] > 0:
            posts[n_posts] = i
            n_posts += 1
    updates = 0
    for j in range(n_pre):
        sx = syn.tx[x0 + j]
        full = every or (x_dep and sx > 0)
        count = n_post if full else n_posts if y_dep else 0
        for q in range(count):
            i = q if full else posts[q]
            e = j * n_post + i
            if sparse and mask[w0 + e] == 0:
                continue
            sy = syn.ty[y0 + i]
            updates += np.int64(u_on or (x_dep and sx > 0) or (y_dep and sy > 0))
            g = g0 + e
            old = (np.int64(weight[w0 + e]), np.int64(tag_2[g]) if g0 >= 0 else np.int64(0),
                   np.int64(tag_1[g]) if g0 >= 0 else np.int64(0))
            for target in range(3):
                if b[target] == b[target + 1]:
                    continue
                acc = clip(old[target] << ACC_SHIFT, ACC_LO, ACC_HI)
                for r in range(b[target], b[target + 1]):
                    dep = prod[r, 0]
                    s = sx if dep == DEP_X0 else sy if dep == DEP_Y0 else t_epoch if u_on else 0
                    if s == 0:
                        continue
                    k = r - b[0]
                    m = wrap_int32(part_x[k, s, j] * part_y[k, s, i])
                    if synaptic[k]:
                        for f in range(prod[r, 4], prod[r + 1, 4]):
                            var = factor[f, 0]
                            if VAR_W <= var <= VAR_T:
                                m = wrap_int32(m * factor_value(var, factor[f, 1], factor[f, 2], factor[f, 3], np.int64(0),
                                                                np.int64(0), old[0], old[1], old[2], sx, sy))
                    acc = clip(acc + product_term(m, prod[r, 1], prod[r, 2], prod[r, 3]), ACC_LO, ACC_HI)
                value = round_back(acc, lows[target], highs[target], clip_lo[target], clip_hi[target], draw)
                if target == 0:
                    weight[w0 + e] = value
                elif target == 1:
                    tag_2[g] = value
                else:
                    tag_1[g] = value
    for k in range(N_X):
        for j in range(n_pre):
            syn.x[k, x0 + j] = hist[xh + (t_epoch * N_X + k) * n_pre + j]
    for k in range(N_Y):
        for i in range(n_post):
            syn.y[k, y0 + i] = hist[yh + (t_epoch * N_Y + k) * n_post + i]
    syn.tx[x0:x0 + n_pre] = 0
    syn.ty[y0:y0 + n_post] = 0
    return updates, traces


@njit(cache=True)
def learn_step(t, t0, k, model, pl, draws, syn, spikes, payload, node_spk, hist, conn_cnt):
    """Step t's learning for every plastic connection (after delivery): note this step's pre and
    post spikes; at an epoch's last step run the rule. Draws are indexed from step t0 + 1."""
    first, conns = model.first, model.conns
    at = 2 * (t - t0)
    for p in range(pl.conn.shape[0]):
        c = pl.conn[p]
        t_epoch = pl.t_epoch[p]
        within = t % t_epoch if t % t_epoch else t_epoch
        src, dst = conns.src_node[c], pl.post_node[p]
        n = note_pre(within, spikes, payload, node_spk[src], node_spk[src + 1], first[src], conns.graded[c],
                     pl.graded_spike[p], syn.x, syn.tx, pl.pre_first[p], pl.n_pre[p], pl.impulse[p],
                     pl.impulse_frac[p])
        if pl.post_spikes[p]:
            n += note_post(within, spikes, node_spk[dst], node_spk[dst + 1], first[dst], syn.y, syn.ty,
                           pl.post_first[p], pl.impulse[p], pl.impulse_frac[p], draws.trace[p, 3, at - 2])
        if t % t_epoch == 0:
            epoch = t // t_epoch
            step_draws = (draws.trace[p, 0, at - 1], draws.trace[p, 1, at - 1], draws.trace[p, 2, at - 1],
                          draws.trace[p, 3, at - 1], draws.conn[p, epoch - t0 // t_epoch - 1])
            updates, traces = learn_epoch(p, pl, syn, epoch, step_draws, hist)
            conn_cnt[k, c, 3] += updates
            n += traces
        conn_cnt[k, c, 4] += n


@njit(cache=True)
def record_learning(k, pl, syn, rec):
    """Copy step k's weights, tags and traces of the recorded plastic connections (`layout.LearnTrace`)."""
    for p in range(pl.conn.shape[0]):
        cw, cg, cx, cy = rec.first[p, 0], rec.first[p, 1], rec.first[p, 2], rec.first[p, 3]
        if cw < 0:
            continue
        size = pl.n_pre[p] * pl.n_post[p]
        rec.weight[k, cw:cw + size] = syn.weight[pl.w_first[p]:pl.w_first[p] + size]
        if cg >= 0:
            rec.tag_1[k, cg:cg + size] = syn.tag_1[pl.tag_first[p]:pl.tag_first[p] + size]
            rec.tag_2[k, cg:cg + size] = syn.tag_2[pl.tag_first[p]:pl.tag_first[p] + size]
        rec.x[k, :, cx:cx + pl.n_pre[p]] = syn.x[:, pl.pre_first[p]:pl.pre_first[p] + pl.n_pre[p]]
        rec.y[k, :, cy:cy + pl.n_post[p]] = syn.y[:, pl.post_first[p]:pl.post_first[p] + pl.n_post[p]]
