"""A slow, obvious oracle of the emulator's semantics, written from Lava 0.10's fixed_pt models.

It shares no code with the kernels: each connection keeps its own Lava-style output buffer
(n_dst x delay slots), state is plain int64 numpy with explicit wraps, and counters are
brute-force counts. Use it only on small networks.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from neurochip.ir import ATRLIF, LIF, Network, Product, Resonator, SigmaDelta, SignMode


def wrap32(x):
    return (np.asarray(x, dtype=np.int64) + 2**31) % 2**32 - 2**31


def stored_weights(conn) -> np.ndarray:
    """Dense (n_dst, n_src) weights as the synapse stores them (floor to 2**k of the magnitude)."""
    w = conn.weights.toarray() if sp.issparse(conn.weights) else np.array(conn.weights)
    w = w.astype(np.int64)
    k = 8 - conn.num_weight_bits + (conn.sign_mode is SignMode.MIXED)
    if conn.sign_mode is SignMode.INHIBITORY:
        return -(np.floor_divide(-w, 2**k) * 2**k)
    return np.floor_divide(w, 2**k) * 2**k


def delays_of(conn) -> np.ndarray:
    shape = conn.shape
    if conn.delays is None:
        return np.zeros(shape, np.int64)
    if isinstance(conn.delays, int):
        return np.full(shape, conn.delays, np.int64)
    d = conn.delays
    return (d.toarray() if sp.issparse(d) else np.asarray(d)).astype(np.int64)


def round_to_zero_decay(x, keep):
    y = x * keep
    return np.sign(y) * (np.abs(y) // 4096)


def lif_step(pop: LIF, t, u, v, a_in):
    """Returns (u, v, s, n_wrapped, n_saturated, n_active, n_nonzero)."""
    if pop.reset_interval and t % pop.reset_interval == pop.reset_offset:
        u = np.zeros_like(u)
        v = np.zeros_like(v)
    v_before = v
    u = wrap32(round_to_zero_decay(u, 4096 - (pop.du + 1)) + wrap32(a_in * 64))
    hi, lo = u > 2**23, u <= -(2**23)
    u = np.where(hi, u - 2**24, np.where(lo, u + 2**24, u))
    bias = np.array([m * 2**e if e >= 0 else m // 2**(-e) for m, e in zip(pop.bias_mant, pop.bias_exp)],
                    dtype=np.int64)
    v = wrap32(round_to_zero_decay(v, 4096 - pop.dv) + u + bias)
    sat = (v > 2**23 - 1) | (v < -(2**23 - 1))
    v = np.clip(v, -(2**23 - 1), 2**23 - 1)
    vth = np.broadcast_to(pop.vth, v.shape) * 64
    s = (v > vth).astype(np.int64) - (v < np.broadcast_to(pop.vth_lo, v.shape) * 64 if pop.vth_lo is not None else 0)
    v = np.where(s > 0, v - vth if pop.reset == "subtract" else 0, np.where(s < 0, 0, v))
    nonzero = (v_before != 0) | (a_in != 0) | (bias != 0)
    return u, v, s, int(np.sum(hi | lo)), int(np.sum(sat)), int(np.sum((a_in != 0) | (s != 0))), int(np.sum(nonzero))


def sigma_delta_step(pop: SigmaDelta, t, sigma, act, residue, error, a_in):
    """Lava 0.10's fixed-point Sigma/Delta/SigmaDelta ``run_spk`` written out on int32 numpy arrays
    (which wrap). Returns the state, the payload and the counters (as `lif_step`)."""
    i32 = np.int32
    sigma, act, residue, error = (np.asarray(x, i32) for x in (sigma, act, residue, error))
    with np.errstate(over="ignore"):
        a = np.left_shift(np.asarray(a_in, i32), i32(pop.in_shift))
        bias = np.broadcast_to(pop.bias, a.shape).astype(i32)
        vth = np.broadcast_to(pop.vth, a.shape).astype(i32)
        nonzero = (act != 0) | (a_in != 0) | (bias != 0)
        wraps = 0
        if pop.sigma:
            wraps = int(np.sum(sigma.astype(np.int64) + a != (sigma + a)))
            sigma = sigma + a
            new = sigma + bias
        else:
            new = a + bias
        if pop.relu:
            new = np.maximum(new, i32(0))
        s = new
        if pop.gate == "abs":                  # GradedVec
            s = new * (np.abs(new) > vth)
        elif pop.gate == "positive":           # GradedReluVec
            s = new * (new > vth)
        if pop.delta:
            d = new - act + residue
            if pop.cum_error:
                error = error + d
                s = np.where(np.abs(error) >= vth, d, i32(0)).astype(i32)
                error = error * (1 - (np.abs(s) > 0)).astype(i32)
            else:
                s = np.where(np.abs(d) >= vth, d, i32(0)).astype(i32)
            residue = d - s
        out = np.right_shift(s, i32(pop.out_shift))
    active = int(np.sum((a_in != 0) | (out != 0)))
    return (sigma, new, residue, error), out.astype(np.int64), wraps, 0, active, int(np.sum(nonzero))


def atrlif_step(pop: ATRLIF, t, i, v, theta, r, a_in):
    """Lava 0.10's fixed-point ATRLIF ``run_spk`` written out on numpy arrays (int32 state, the
    current's decay in float64). Returns the state, the spikes and the counters (as `lif_step`)."""
    i32, i64 = np.int32, np.int64
    i, v, theta, r = (np.asarray(x, i32) for x in (i, v, theta, r))
    half = 2**23
    bias = np.asarray(pop.bias, i64).astype(i32)
    theta_0, theta_step = i32(pop.theta_0_eff), i32(pop.theta_step_eff)
    nonzero = int(np.sum((v != 0) | (a_in != 0) | (bias != 0)))
    with np.errstate(over="ignore"):
        dec = i64(i * (4096 - (pop.delta_i * 4096 + 1)))
        dec = np.sign(dec) * np.right_shift(np.abs(dec), 12)
        upd = (dec + np.asarray(a_in, i32) * 64).astype(i32)
        i = np.where(upd > half, upd - 2 * half, np.where(upd <= -half, upd + 2 * half, upd)).astype(i32)
        wraps = int(np.sum((upd > half) | (upd <= -half)))

        def decayed(x, delta):
            y = i64(x) * i64(4096 - delta * 4096)
            return np.sign(y) * np.right_shift(np.abs(y), 12)

        v_upd = (decayed(v, pop.delta_v) + i + bias).astype(i32)
        sat = int(np.sum((v_upd > half - 1) | (v_upd < -(half - 1))))
        v = np.clip(v_upd, -(half - 1), half - 1).astype(i32)
        theta = (decayed(theta - theta_0, pop.delta_theta).astype(i32) + theta_0).astype(i32)
        r = decayed(r, pop.delta_r).astype(i32)
        s = (v - r) >= theta
        r = np.where(s, r + 2 * theta, r).astype(i32)
        theta = np.where(s, theta + theta_step, theta).astype(i32)
    active = int(np.sum((a_in != 0) | s))
    return (i, v, theta, r), s.astype(np.int64), wraps, sat, active, nonzero


def resonator_step(pop: Resonator, t, re, im, a_re, a_im):
    """Lava 0.10's fixed-point RF / RF_IZ (int64 numpy, sign * (|x| >> bits), clip) and RFZero
    (int32 numpy that wraps, floor division) ``run_spk`` written out. Returns the state, the
    payloads and the counters (as `lif_step`)."""
    i32, i64 = np.int32, np.int64
    cos, sin, vth = (np.broadcast_to(np.asarray(x, i64), (pop.n,)) for x in (pop.cos_decay, pop.sin_decay, pop.vth))
    nonzero = int(np.sum((re != 0) | (im != 0) | (a_re != 0) | (a_im != 0)))
    if pop.kind == "rf_zero":
        r, m = np.asarray(re, i32), np.asarray(im, i32)
        with np.errstate(over="ignore"):
            new_re = (r * cos.astype(i32)) // 2**15 - (m * sin.astype(i32)) // 2**15 + np.asarray(a_re, i32)
            new_im = (m * cos.astype(i32)) // 2**15 + (r * sin.astype(i32)) // 2**15 + np.asarray(a_im, i32)
        exact_re = (i64(r) * cos) // 2**15 - (i64(m) * sin) // 2**15 + a_re
        exact_im = (i64(m) * cos) // 2**15 + (i64(r) * sin) // 2**15 + a_im
        wraps = int(np.sum((new_re != exact_re) | (new_im != exact_im)))
        s = new_re * ((new_re > vth) & (new_im >= 0) & (m < 0))
        state, sat = (i64(new_re), i64(new_im)), 0
    else:
        def scaled(x):
            return np.sign(x) * np.right_shift(np.abs(x), pop.decay_bits)

        with np.errstate(over="ignore"):
            x_re = np.left_shift(np.asarray(a_re, i32), i32(pop.state_exp))
            x_im = np.left_shift(np.asarray(a_im, i32), i32(pop.state_exp))
        r, m = np.asarray(re, i64), np.asarray(im, i64)
        wide_re = scaled(cos * r) - scaled(sin * m) + x_re
        wide_im = scaled(sin * r) + scaled(cos * m) + x_im
        lim = 2**23 - 1
        new_re, new_im = np.clip(wide_re, -lim, lim), np.clip(wide_im, -lim, lim)
        sat = int(np.sum((new_re != wide_re) | (new_im != wide_im)))
        if pop.kind == "rf":
            s = ((new_re >= vth) & (new_im >= 0) & (m < 0)).astype(i64)
        else:
            s = (new_im >= vth).astype(i64)
            new_re = new_re * (1 - s)
            new_im = s * wrap32(vth - 1) + (1 - s) * new_im
        state, wraps = (new_re, new_im), 0
    active = int(np.sum((a_re != 0) | (a_im != 0) | (s != 0)))
    return state, np.asarray(s, i64), wraps, sat, active, nonzero


def product_step(pop: Product, t, v, a1, a2):
    """Lava 0.10's fixed-point ProdNeuron ``run_spk`` on int32 numpy arrays (v is left as it is)."""
    with np.errstate(over="ignore"):
        p = np.asarray(a1, np.int32) * np.asarray(a2, np.int32)
    wraps = int(np.sum(p != np.asarray(a1, np.int64) * a2))
    p >>= np.int32(pop.exp)
    s = p * (np.abs(p) > np.asarray(pop.vth))
    nonzero = int(np.sum((a1 != 0) | (a2 != 0)))
    active = int(np.sum((a1 != 0) | (a2 != 0) | (s != 0)))
    return (v,), s.astype(np.int64), wraps, 0, active, nonzero


def source_values(src, steps, batch):
    return src.emit(steps, batch)


def reference_run(network: Network, steps: int, batch: int = 1):
    """Traces {pop: {u, v, s: (B, T, n)}} and counters {name: {counter: (B, T)}}."""
    pops = {p.name: p for p in network.populations}
    srcs = {s.name: source_values(s, steps, batch) for s in network.sources}
    conns = network.connections
    W = {c.name: stored_weights(c) for c in conns}
    D = {c.name: delays_of(c) for c in conns}
    traces = {p: {k: np.zeros((batch, steps, pops[p].n), np.int64) for k in (*pops[p].STATE, "s")} for p in pops}
    counters = {name: {} for name in (*pops, *srcs, *(c.name for c in conns))}
    learned = ("weights", "tag_1", "tag_2", "x1", "x2", "y1", "y2", "y3")
    for c in conns:
        if c.learning is not None:
            traces[c.name] = {var: [] for var in learned}
    for b in range(batch):
        from reference_learning import Plastic
        plastic = {c.name: Plastic(c, steps) for c in conns if c.learning is not None}
        state = {p: [np.array(x, np.int64) for x in pops[p].initial_state()] for p in pops}
        buf = {c.name: np.zeros((c.shape[0], int(D[c.name].max()) + 1), np.int64) for c in conns}
        for k in range(steps):
            t = k + 1
            out = {}
            for p, pop in pops.items():
                a_in = [wrap32(sum((wrap32(buf[c.name][:, 0]) for c in conns if c.dst == p and c.dendrite == d),
                                   np.zeros(pop.n, np.int64))) for d in range(len(pop.DENDRITES))]
                if isinstance(pop, LIF):
                    u, v, s, n_wrap, n_sat, n_active, n_nonzero = lif_step(pop, t, *state[p], *a_in)
                    state[p] = [u, v]
                else:
                    step = {SigmaDelta: sigma_delta_step, ATRLIF: atrlif_step, Resonator: resonator_step,
                            Product: product_step}[type(pop)]
                    state[p], s, n_wrap, n_sat, n_active, n_nonzero = step(pop, t, *state[p], *a_in)
                out[p] = s.astype(np.int64)
                for var, val in zip((*pop.STATE, "s"), (*state[p], s)):
                    traces[p][var][b, k] = val
                for name, val in (("neuron_updates", pop.n), ("spikes", int(np.count_nonzero(s))), ("u_wraps", n_wrap),
                                  ("v_saturations", n_sat), ("active_updates", n_active),
                                  ("nonzero_updates", n_nonzero)):
                    counters[p].setdefault(name, np.zeros((batch, steps), np.int64))[b, k] = val
            for name, arr in srcs.items():
                out[name] = arr[b, k].astype(np.int64)
                counters[name].setdefault("spikes", np.zeros((batch, steps), np.int64))[b, k] = np.count_nonzero(arr[b, k])
            for c in conns:
                x = out[c.src]
                payload = x if c.num_message_bits > 0 else (x != 0).astype(np.int64)
                w, d = W[c.name], D[c.name]
                n_slots = buf[c.name].shape[1]
                shifted = np.zeros_like(buf[c.name])
                for slot in range(n_slots):
                    products = np.where(d == slot, w, 0) * payload[None, :]
                    if c.name in plastic:
                        acc = plastic[c.name].deliver(x)
                    elif c.accumulator == "conv24":      # Lava's Conv: float sum, int32 cast, 24-bit wrap
                        acc = products.sum(axis=1)
                        acc = np.where((acc < -(2**31)) | (acc >= 2**31), -(2**31), acc)
                        acc = (acc + 2**23) % 2**24 - 2**23
                    else:                              # int32 products (DelayDense), int32 sum (Dense)
                        acc = wrap32(products).sum(axis=1)
                        if c.delays is None or c.accumulator == "sparse":   # DelaySparse: scipy's int32 sum
                            acc = wrap32(acc)
                    shifted[:, slot] = acc << c.weight_exp if c.weight_exp >= 0 else acc >> -c.weight_exp
                nxt = np.roll(buf[c.name], -1, axis=1)
                nxt[:, -1] = 0
                buf[c.name] = wrap32(nxt + shifted)
                active = x != 0
                engine = plastic.get(c.name)
                row = {"spikes_in": int(active.sum()),
                       "synaptic_ops": int(np.count_nonzero(w[:, active])) if engine is None
                       else int(engine.stored[:, active].sum()),
                       "message_bits": int(active.sum()) * c.num_message_bits}
                if engine is not None:
                    before = engine.updates, engine.trace_updates
                    engine.step(t, x, out[c.dst])
                    row.update(synaptic_updates=engine.updates - before[0],
                               trace_updates=engine.trace_updates - before[1])
                    for var, value in zip(learned, (engine.weights, engine.tag_1, engine.tag_2, *engine.x,
                                                    *engine.y)):
                        traces[c.name][var].append(value.copy())
                for name, val in row.items():
                    counters[c.name].setdefault(name, np.zeros((batch, steps), np.int64))[b, k] = val
    for c in conns:
        if c.learning is not None:
            traces[c.name] = {var: np.array(v).reshape(batch, steps, *v[0].shape)
                              for var, v in traces[c.name].items()}
    return traces, counters
