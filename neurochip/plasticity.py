"""Plastic connections in kernel layout: their constants (`layout.Plastic`), each sample's learning
state (`layout.Synapses`), the random streams Lava's learning engine draws from, and recorded
weights and traces read back."""
from __future__ import annotations

import copy

import numpy as np
import scipy.sparse as sp

from .ir import Network
from .ir.learning import GRADED_SPIKE, TARGETS, TRACES, WIDTHS, LearningRule
from .ir.connections import SignMode
from .kernels.layout import Draws, LearnTrace, Plastic, Synapses

#: Seed of the weight-rounding stream: Lava's ConnVarRandom always uses its default seed.
CONN_SEED = 2
#: Draws of each trace stream per step (Lava advances them twice in every step).
DRAWS_PER_STEP = 2
IMPULSE_DRAW_RANGE = 2**7
FRACTION_SCALE = 2**8
SIGN_MODES = (SignMode.MIXED, SignMode.EXCITATORY, SignMode.INHIBITORY)


def plastic_weights(c) -> tuple[np.ndarray, np.ndarray]:
    """(weights, stored) of plastic connection `c`: the (n_dst, n_src) int32 weights truncated once
    to its weight bits, and where synapses are stored (all of a dense matrix; the entries of a
    sparse one that stay nonzero, as Lava's LearningSparse keeps them)."""
    w = c.effective_weights()
    if sp.issparse(w):
        dense = w.toarray().astype(np.int32)
        return dense, dense != 0
    return np.asarray(w, np.int32), np.ones(w.shape, bool)


def _products(rule: LearningRule) -> tuple[list, list, list]:
    """(first product of dw, dd, dt and the end; product rows; factor rows) of one rule."""
    firsts, prods, factors = [], [], []
    for target in TARGETS:
        firsts.append(len(prods))
        for p in rule.products[target]:
            prods.append([p.dependency, p.mantissa, p.exponent + 7, max(0, p.width - 15), len(factors)])
            factors.extend([f.var, f.const, int(f.sgn), WIDTHS[f.var]] for f in p.factors)
    firsts.append(len(prods))
    return firsts, prods, factors


def pack_plastic(network: Network, first: np.ndarray, index: dict[str, int]) -> Plastic:
    """The constants of `network`'s plastic connections (`first`, `index`: the nodes' axon offsets
    and indices)."""
    cols = {f: [] for f in Plastic._fields}
    prods, factors, masks = [], [], []
    w_at = tag_at = pre_at = post_at = 0
    for k, c in enumerate(network.connections):
        rule = c.learning
        if rule is None:
            continue
        n_post, n_pre = c.shape
        tags = (any(rule.products[t] for t in ("dd", "dt")) or rule.reads("d") or rule.reads("t")
                or np.any(c.tag_1 != 0) or np.any(c.tag_2 != 0))
        impulses = [getattr(rule, f"{t}_impulse") for t in TRACES]
        if rule.graded_spike != "regular":
            impulses[0] = 0      # Lava's LearningDense drops x1's impulse for graded-spike updates
        taus = np.array([getattr(rule, f"{t}_tau") for t in TRACES], np.float64)
        whole = np.floor(impulses)
        firsts, p_rows, f_rows = _products(rule)
        for row in p_rows:
            row[4] += len(factors)
        for field, value in (("conn", k), ("post_node", index[c.dst]), ("n_pre", n_pre), ("n_post", n_post),
                             ("w_first", w_at), ("tag_first", tag_at if tags else -1), ("pre_first", pre_at),
                             ("post_first", post_at), ("t_epoch", rule.t_epoch), ("decimate", rule.decimate),
                             ("graded_spike", GRADED_SPIKE.index(rule.graded_spike)),
                             ("post_spikes", int(rule.post_spikes)), ("sign_mode", SIGN_MODES.index(c.sign_mode)),
                             ("sparse", int(sp.issparse(c.weights))), ("weight_exp", c.weight_exp),
                             ("carry", (taus != 0).astype(np.int64)),
                             ("decay", np.exp(-1 / np.where(taus != 0, taus, 1.0))),
                             ("impulse", whole.astype(np.int64)),
                             ("impulse_frac", np.round((np.array(impulses) - whole) * FRACTION_SCALE).astype(np.int64)),
                             ("prod_first", np.array(firsts, np.int64) + len(prods))):
            cols[field].append(value)
        prods.extend(p_rows)
        factors.extend(f_rows)
        masks.append(plastic_weights(c)[1].T.ravel().astype(np.uint8))
        w_at += n_pre * n_post
        tag_at += n_pre * n_post if tags else 0
        pre_at += n_pre
        post_at += n_post
    n_plastic = len(cols["conn"])
    widths = {"carry": len(TRACES), "decay": len(TRACES), "impulse": len(TRACES), "impulse_frac": len(TRACES),
              "prod_first": len(TARGETS) + 1}
    arrays = {}
    for field in Plastic._fields:
        if field in ("prod", "factor", "mask"):
            continue
        shape = (n_plastic, widths[field]) if field in widths else (n_plastic,)
        arrays[field] = np.array(cols[field], np.float64 if field == "decay" else np.int64).reshape(shape)
    prods.append([0, 0, 0, 0, len(factors)])          # sentinel: where the last product's factors end
    return Plastic(**arrays, prod=np.array(prods, np.int64).reshape(-1, 5),
                   factor=np.array(factors, np.int64).reshape(-1, 4) if factors else np.zeros((0, 4), np.int64),
                   mask=np.concatenate(masks) if masks else np.zeros(0, np.uint8))


def rules(network: Network) -> list[LearningRule]:
    """The plastic connections' rules, in `Plastic` order."""
    return [c.learning for c in network.plastic]


def initial_synapses(network: Network, pl: Plastic, batch: int) -> Synapses:
    """Each sample's learning state before step 1: weights truncated once, the given tags, zero traces."""
    plastic = network.plastic
    weight = [plastic_weights(c)[0].T.ravel() for c in plastic]
    tags = [c for c, g in zip(plastic, pl.tag_first) if g >= 0]

    def per_sample(parts, dtype=np.int32) -> np.ndarray:
        flat = np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
        return np.repeat(flat[None], batch, axis=0)

    n_pre, n_post = int(pl.n_pre.sum()), int(pl.n_post.sum())
    return Synapses(per_sample(weight), per_sample([np.asarray(c.tag_1).T.ravel() for c in tags]),
                    per_sample([np.asarray(c.tag_2).T.ravel() for c in tags]),
                    np.zeros((batch, 2, n_pre), np.int32), np.zeros((batch, 3, n_post), np.int32),
                    np.zeros((batch, n_pre), np.int32), np.zeros((batch, n_post), np.int32))


def initial_streams(network: Network) -> tuple:
    """Lava's five random streams of each plastic connection, as their constructors leave them (each
    has drawn once): x decay, x impulse, y decay, y impulse (seeded rng_seed .. rng_seed + 3), weight
    rounding (seed 2). Returned as bit-generator states, so a resumed run continues them."""
    streams = []
    for rule in rules(network):
        gens = [np.random.default_rng(rule.rng_seed + k) for k in range(4)] + [np.random.default_rng(CONN_SEED)]
        for k, g in enumerate(gens):
            _draw(g, k, 1)
        streams.append(tuple(copy.deepcopy(g.bit_generator.state) for g in gens))
    return tuple(streams)


def _draw(g: np.random.Generator, stream: int, n: int) -> np.ndarray:
    """n draws of stream `stream` (odd streams: 7-bit impulse draws; others: floats in [0, 1))."""
    if stream in (1, 3):
        return g.integers(0, IMPULSE_DRAW_RANGE, size=n, dtype=np.int64).astype(np.float64)
    return g.random(n)


def window_draws(network: Network, streams: tuple, t0: int, steps: int) -> tuple[Draws, tuple]:
    """The draws of steps t0+1..t0+steps (`layout.Draws`) and the streams' states after them."""
    plastic = rules(network)
    n_epochs = max((((t0 + steps) // r.t_epoch) - t0 // r.t_epoch for r in plastic), default=0)
    trace = np.zeros((len(plastic), 4, DRAWS_PER_STEP * steps))
    conn = np.zeros((len(plastic), n_epochs))
    after = []
    for p, (rule, states) in enumerate(zip(plastic, streams)):
        gens = []
        for k, state in enumerate(states):
            g = np.random.Generator(np.random.PCG64())
            g.bit_generator.state = copy.deepcopy(state)
            gens.append(g)
            if k < 4:
                trace[p, k] = _draw(g, k, DRAWS_PER_STEP * steps)
        epochs = (t0 + steps) // rule.t_epoch - t0 // rule.t_epoch
        conn[p, :epochs] = gens[4].random(epochs)
        after.append(tuple(copy.deepcopy(g.bit_generator.state) for g in gens))
    return Draws(trace, conn), tuple(after)


def learn_trace(network: Network, pl: Plastic, record: list[str], batch: int, steps: int) -> LearnTrace:
    """Trace buffers for the plastic connections named in `record`."""
    names = [c.name for c in network.plastic]
    first = np.full((len(names), 4), -1, np.int64)
    sizes = np.zeros(4, np.int64)
    for p, name in enumerate(names):
        if name not in record:
            continue
        size = int(pl.n_pre[p] * pl.n_post[p])
        for col, n in enumerate((size, size if pl.tag_first[p] >= 0 else 0, pl.n_pre[p], pl.n_post[p])):
            first[p, col] = sizes[col] if n else -1
            sizes[col] += n
    if not record:
        first = np.zeros((0, 4), np.int64)
    z = np.zeros
    return LearnTrace(first, z((batch, steps, sizes[0]), np.int32), z((batch, steps, sizes[1]), np.int32),
                      z((batch, steps, sizes[1]), np.int32), z((batch, steps, 2, sizes[2]), np.int32),
                      z((batch, steps, 3, sizes[3]), np.int32))


def read_learn_trace(network: Network, pl: Plastic, rec: LearnTrace) -> dict[str, dict[str, np.ndarray]]:
    """Connection name -> var ("weights", "tag_1", "tag_2", "x1", "x2", "y1", "y2", "y3") -> (B, T, ...)
    as a Lava Monitor records the connection's Vars: weights and tags (n_dst, n_src)."""
    out = {}
    plastic = network.plastic
    for p, c in enumerate(plastic):
        if rec.first.shape[0] == 0 or rec.first[p, 0] < 0:
            continue
        n_post, n_pre = c.shape
        b, t = rec.weight.shape[:2]

        def matrix(arr, col):
            return arr[:, :, col:col + n_pre * n_post].reshape(b, t, n_pre, n_post).transpose(0, 1, 3, 2)

        cw, cg, cx, cy = rec.first[p]
        zeros = np.zeros((b, t, n_post, n_pre), np.int32)
        vars_ = {"weights": matrix(rec.weight, cw),
                 "tag_1": matrix(rec.tag_1, cg) if cg >= 0 else zeros,
                 "tag_2": matrix(rec.tag_2, cg) if cg >= 0 else zeros}
        vars_.update({f"x{k + 1}": rec.x[:, :, k, cx:cx + n_pre] for k in range(2)})
        vars_.update({f"y{k + 1}": rec.y[:, :, k, cy:cy + n_post] for k in range(3)})
        out[c.name] = vars_
    return out


def read_learned(network: Network, pl: Plastic, syn: Synapses) -> dict[str, dict[str, np.ndarray]]:
    """Connection name -> var -> (B, ...) of the learning state `syn` (an `EmulatorState.learned`):
    what a one-step record of every plastic connection would hold at that state."""
    first = np.stack([pl.w_first, pl.tag_first, pl.pre_first, pl.post_first], axis=1).reshape(-1, 4)
    rec = LearnTrace(first, *(a[:, None] for a in syn[:5]))
    return {name: {var: arr[:, 0] for var, arr in vars_.items()}
            for name, vars_ in read_learn_trace(network, pl, rec).items()}


def history_size(pl: Plastic) -> int:
    """int32 entries of one sample's trace-history scratch (the largest connection's)."""
    sizes = (pl.t_epoch + 1) * (2 * pl.n_pre + 3 * pl.n_post)
    return int(sizes.max(initial=0))

