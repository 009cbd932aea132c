"""Seeded random networks that reach the corners: extreme weights, decays 0 and 4095, large
biases, graded payloads, every weight exponent, delays, resets, wrap-around and saturation."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from neurochip.ir import (ATRLIF, LIF, BernoulliSource, Connection, LearningRule, Network, Product, Resonator,
                          SigmaDelta, SpikeSource)
from neurochip.ir.learning import GRADED_SPIKE


def pick(rng, options):
    return options[rng.integers(len(options))]


def per_neuron(rng, n, values):
    """One of `values`, or (a quarter of the time) an (n,) array of them."""
    return rng.choice(values, n) if rng.random() < 0.25 else int(pick(rng, values))


def random_lif(rng, name, n, lava_values=False):
    """Loihi's register ranges, scalar or per neuron; with `lava_values` also the wider values
    Lava computes with (du = -1 or 4096, dv = 4096, vth 2**17 and 2**20, biases up to 8000 << 10)."""
    decays = [0, 1, 4095, int(rng.integers(0, 4096))] + ([-1, 4096] if lava_values else [])
    thresholds = [0, 1, 2**17 - 1, int(rng.integers(0, 2**10)), int(rng.integers(0, 2**17))]
    return dict(
        name=name, n=n,
        du=per_neuron(rng, n, decays),
        dv=per_neuron(rng, n, [d for d in decays if d >= 0]),
        vth=per_neuron(rng, n, thresholds + ([2**17, 2**20] if lava_values else [])),
        bias_mant=rng.integers(*pick(rng, [(-4096, 4096), (-8000, 8001)] if lava_values else [(-4096, 4096)]), n)
        * (rng.random() < 0.6),
        bias_exp=rng.integers(0, pick(rng, [8, 11]) if lava_values else 8, n),
        u=rng.integers(-(2**23), 2**23 + 1, n) * (rng.random() < 0.3),
        v=rng.integers(-(2**23) + 1, 2**23, n) * (rng.random() < 0.3),
    )


def random_sigma_delta(rng, name, n):
    """Sigma, Delta and SigmaDelta compartments (Lava's three processes), thresholds and biases
    from zero to the int32 extremes, shifts as Lava's 3-bit exponents give them."""
    sigma, delta = pick(rng, [(True, True), (True, True), (True, False), (False, True), (False, False)])
    big = [0, 1, 2**31 - 1, -(2**31), int(rng.integers(0, 2**8)), int(rng.integers(0, 2**20))]
    return SigmaDelta(name=name, n=n, sigma=sigma, delta=delta, relu=bool(rng.random() < 0.5),
                      cum_error=bool(rng.random() < 0.4),
                      vth=per_neuron(rng, n, [0, 1, 2**30, int(rng.integers(0, 2**10)), int(rng.integers(0, 2**16))]),
                      bias=(rng.choice(big, n) * (rng.random() < 0.5)) if sigma else 0,
                      in_shift=int(rng.integers(0, 15)) if not sigma else 0, out_shift=int(rng.integers(0, 8)),
                      gate=pick(rng, ["none", "abs", "positive"]) if not delta else "none")


def random_atrlif(rng, name, n):
    """ATRLIF compartments: decays 0, 1 and random fractions, thresholds and steps from 0 to 2**16,
    biases up to 8000 << 10, random initial i, v, r."""
    frac = [0.0, 1.0, 0.5, float(rng.random()), float(rng.random())]
    return ATRLIF(name=name, n=n, delta_i=pick(rng, frac), delta_v=pick(rng, frac), delta_theta=pick(rng, frac),
                  delta_r=pick(rng, frac), theta_0=float(pick(rng, [0, 1, 5, float(rng.random() * 2**16)])),
                  theta_step=float(pick(rng, [0, 3.75, float(rng.random() * 2**10)])),
                  bias_mant=rng.integers(-8000, 8001, n) * (rng.random() < 0.5), bias_exp=rng.integers(0, 11, n),
                  i=rng.integers(-(2**23), 2**23 + 1, n) * (rng.random() < 0.3),
                  v=rng.integers(-(2**23), 2**23 + 1, n) * (rng.random() < 0.3),
                  r=rng.integers(-(2**23), 2**23 + 1, n) * (rng.random() < 0.3))


def random_resonator(rng, name, n):
    """RF, RF_IZ and RFZero compartments: decays as Lava's processes form them from a period and a
    decay (RFZero's per neuron, some at the int32 extremes so that its products wrap), input
    shifts 0..8, thresholds from 0 to 2**20, random initial parts."""
    kind = pick(rng, ["rf", "rf_iz", "rf_zero"])
    zero = kind == "rf_zero"
    bits = 15 if zero else int(pick(rng, [1, 8, 12, 12, 16, int(rng.integers(1, 24))]))
    period = rng.uniform(2, 40, n if zero else 1)
    keep = np.exp(-rng.uniform(0, 0.3, n if zero else 1))
    cos, sin = (((keep * f(2 * np.pi / period)) * 2**bits).astype(np.int32).astype(np.int64) for f in (np.cos, np.sin))
    if zero and rng.random() < 0.3:
        cos = np.where(rng.random(n) < 0.3, rng.integers(-(2**31), 2**31, n), cos)
    state_exp = 0 if zero else int(rng.integers(0, 9))
    part = 2**31 - 1 if zero else 2**23 - 1
    return Resonator(name=name, n=n, cos_decay=np.broadcast_to(cos, (n,)), sin_decay=np.broadcast_to(sin, (n,)),
                     vth=per_neuron(rng, n, [0, 1, int(rng.integers(0, 2**12)), int(rng.integers(0, 2**20))])
                     if zero else int(rng.integers(0, 2**12)) << state_exp,
                     decay_bits=bits, state_exp=state_exp, kind=kind,
                     real=rng.integers(-part, part + 1, n) * (rng.random() < 0.3),
                     imag=rng.integers(-part, part + 1, n) * (rng.random() < 0.3))


def random_product(rng, name, n):
    """Product compartments: thresholds from negative to 2**20, shifts 0..20."""
    return Product(name=name, n=n, vth=per_neuron(rng, n, [-1, 0, 1, int(rng.integers(0, 2**20))]),
                   exp=int(rng.integers(0, 21)), v=rng.integers(-100, 100, n) * (rng.random() < 0.2))


def random_weights(rng, n_dst, n_src, mode):
    lo, hi = {"mixed": (-256, 255), "excitatory": (0, 255), "inhibitory": (-255, 0)}[mode]
    w = rng.integers(lo, hi + 1, (n_dst, n_src))
    extremes = rng.random((n_dst, n_src)) < 0.2
    w = np.where(extremes, rng.choice([lo, hi], (n_dst, n_src)), w)
    w = w * (rng.random((n_dst, n_src)) < pick(rng, [0.1, 0.5, 1.0]))
    return w


def random_connection(rng, name, src, dst, n_src, n_dst, graded_ok, sparse_ok=True, conv24=False, dendrite=0):
    """A random connection; with `conv24`, a quarter are summed as Lava's Conv sums (no exponent,
    mixed weights kept whole: 9 bits)."""
    mode = pick(rng, ["mixed", "excitatory", "inhibitory"])
    w = random_weights(rng, n_dst, n_src, mode)
    delay_kind = pick(rng, ["none", "none", "scalar", "array"])
    delays = None if delay_kind == "none" else (
        int(rng.integers(0, 5)) if delay_kind == "scalar" else rng.integers(0, 6, w.shape))
    kw = dict(weight_exp=int(rng.integers(-8, 8)), num_weight_bits=int(rng.integers(1, 9)))
    if conv24 and rng.random() < 0.25:
        kw = dict(weight_exp=0, num_weight_bits=9 if mode == "mixed" else 8, accumulator="conv24")
    elif conv24 and rng.random() < 0.2:
        kw["accumulator"] = "sparse"
    return Connection(
        name=name, src=src, dst=dst, sign_mode=mode,
        weights=sp.csr_array(w) if sparse_ok and rng.random() < 0.3 else w,
        num_message_bits=int(pick(rng, [0, 0, 8, 24])) if graded_ok else 0, delays=delays, dendrite=dendrite, **kw)


def _scale(rng):
    """A product's scale as a rule literal: mantissa in [-7, 7] (a negated bracket may flip its
    sign), exponent in [-7, 8], in one of the grammar's forms; the sign returned apart when written
    as an operator."""
    mant, exp = int(rng.integers(-7, 8)), int(pick(rng, [0, 0, int(rng.integers(-7, 9))]))
    form = int(rng.integers(4))
    if form == 0:
        return 1, f"({mant})" + (f" * 2 ^ {exp}" if exp else "")
    if form == 1 and mant == 1 and exp:
        return 1, f"2^{exp}"
    return (-1 if mant < 0 else 1), f"{abs(mant)}*2^{exp}" if exp else str(abs(mant))


def random_rule_product(rng, dependency):
    """One product: the dependency first, then a scale and up to three factors in random order."""
    pool = ["x1", "x2", "y1", "y2", "y3", "w", "d", "t", "x0", "y0", "(w + 3)", "(x1 - 5)", "(20 - y1)",
            "sgn(w)", "sgn(t - 2)", "sgn(d + 1)"]
    sign, scale = _scale(rng)
    parts = [scale] + [pick(rng, pool) for _ in range(int(rng.integers(0, 4)))]
    rng.shuffle(parts)
    return sign, " * ".join([dependency] + parts)


def random_rule(rng, graded=False):
    """A random rule of the supported grammar: dw (always), dd and dt (sometimes), traces with
    integer or fractional impulses and integer or fractional taus (some 0), epochs 1..4, and the
    graded-spike modes for graded connections."""
    k = int(rng.integers(0, 3))
    deps = ["x0", "y0", f"u{k}"]
    strings = {}
    for target in ("dw", "dd", "dt"):
        if target != "dw" and rng.random() < 0.6:
            continue
        text = ""
        for q in range(int(rng.integers(1, 4))):
            sign, product = random_rule_product(rng, pick(rng, deps))
            text += (" - " if sign < 0 else " + " if q else "") + product
        strings[target] = text
    traces = {}
    for trace in ("x1", "x2", "y1", "y2", "y3"):
        traces[f"{trace}_impulse"] = float(pick(rng, [0, 16, int(rng.integers(0, 128)), 0.25, 0.5, 2.75,
                                                      float(np.round(rng.uniform(0, 40), 3))]))
        traces[f"{trace}_tau"] = float(pick(rng, [0, 1, 10, int(rng.integers(1, 100)), float(rng.uniform(0.5, 50))]))
    return LearningRule(**strings, **traces, t_epoch=int(pick(rng, [1, 1, 2, 3, 4])), rng_seed=int(rng.integers(0, 2**20)),
                        post_spikes=bool(rng.random() < 0.85),
                        graded_spike=pick(rng, GRADED_SPIKE) if graded else "regular")


def random_plastic_connection(rng, name, src, dst, n_src, n_dst, graded_ok, dendrite=0):
    """A plastic connection (LearningDense or, a third of the time, LearningSparse)."""
    mode = pick(rng, ["mixed", "mixed", "excitatory", "inhibitory"])
    w = random_weights(rng, n_dst, n_src, mode)
    bits = int(pick(rng, [0, 0, 8, 24])) if graded_ok else 0
    tags = {}
    if rng.random() < 0.3:
        tags = dict(tag_1=rng.integers(-257, 256, w.shape), tag_2=rng.integers(0, 256, w.shape))
    return Connection(name=name, src=src, dst=dst, sign_mode=mode, weights=sp.csr_array(w) if rng.random() < 0.3 else w,
                      weight_exp=int(pick(rng, [0, 0, int(rng.integers(0, 8))])),
                      num_weight_bits=int(pick(rng, [8, 8, int(rng.integers(1, 9))])), num_message_bits=bits,
                      dendrite=dendrite, learning=random_rule(rng, graded=bits > 0), **tags)


def random_network(rng, max_n=12, max_steps=60, lava_values=False, subtract=False, sigma_delta=False,
                   conv24=False, two_dendrites=False, learning=False):
    """A random network and a step count (`lava_values`: see `random_lif`; `subtract`: some
    populations reset by subtraction, some are ternary; `sigma_delta`: some are sigma-delta or
    ATRLIF; `conv24`: see `random_connection`; `two_dendrites`: some are resonators or products,
    connections feeding either dendrite; `learning`: about half the connections are plastic)."""
    steps = int(rng.integers(1, max_steps + 1))
    n_pops = int(rng.integers(1, 4))
    pops = []
    for p in range(n_pops):
        if two_dendrites and rng.random() < 0.5:
            make = random_resonator if rng.random() < 0.6 else random_product
            pops.append(make(rng, f"p{p}", int(rng.integers(1, max_n + 1))))
            continue
        if sigma_delta and rng.random() < 0.5:
            make = random_sigma_delta if rng.random() < 0.6 else random_atrlif
            pops.append(make(rng, f"p{p}", int(rng.integers(1, max_n + 1))))
            continue
        kw = random_lif(rng, f"p{p}", int(rng.integers(1, max_n + 1)), lava_values)
        if rng.random() < 0.25:
            kw["reset_interval"] = int(rng.integers(1, 12))
            kw["reset_offset"] = int(rng.integers(0, kw["reset_interval"]))
        if subtract and rng.random() < 0.5:
            kw["reset"] = "subtract"
        elif subtract and rng.random() < 0.3:
            vth_lo = rng.integers(-(2**14), 2**10, kw["n"]) if rng.random() < 0.5 else int(rng.integers(-(2**14), 0))
            kw["vth_lo"] = np.minimum(vth_lo, np.asarray(kw["vth"]) - 1)
        pops.append(LIF(**kw))
    sources = []
    for s in range(int(rng.integers(0, 3))):
        n = int(rng.integers(1, max_n + 1))
        if rng.random() < 0.5:
            period = int(rng.integers(1, steps + 5))
            graded = rng.random() < 0.4
            vals = rng.integers(-(2**23) + 1, 2**23, (period, n)) if graded else np.ones((period, n), np.int64)
            sources.append(SpikeSource(f"s{s}", vals * (rng.random((period, n)) < 0.4)))
        else:
            sources.append(BernoulliSource(f"s{s}", n, p=float(rng.random()), seed=int(rng.integers(0, 1000))))
    nodes = [(p.name, p.n, True) for p in pops] + [(s.name, s.n, isinstance(s, SpikeSource)) for s in sources]
    conns = []
    for c in range(int(rng.integers(1, 6))):
        src_name, n_src, graded_ok = nodes[rng.integers(len(nodes))]
        dst = pops[rng.integers(len(pops))]
        make = random_plastic_connection if learning and rng.random() < 0.5 else random_connection
        kw = {} if make is random_plastic_connection else dict(conv24=conv24)
        conns.append(make(rng, f"c{c}", src_name, dst.name, n_src, dst.n, graded_ok,
                          dendrite=int(rng.integers(len(dst.DENDRITES))), **kw))
    return Network(pops, sources, conns), steps
