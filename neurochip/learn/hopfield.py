"""Associative memory learned on the chip: a recurrent population stores +-1 patterns by one-shot
Hebbian learning in the learning engine, then recalls them from corrupted cues.

Storage (`storage_network`): pattern p's +1 neurons are driven to spike together at step 2p + 2;
the recurrent plastic connection's rule, over epochs of 2 steps (one pattern each),

    dw = 8 x0 y0 - 4 x0 - 4 y0 + 2 u0   (= 2 s_i s_j for s = 2 spike - 1)

adds 2 s_i s_j to every synapse: W = 2 sum_p xi_p xi_p^T, exactly (no trace, no rounding). The
threshold keeps the growing recurrent input below spiking while storing.
Recall (`recall_network`): the host zeroes the self-connections and sets each neuron's bias to
-32 x its row sum (`bias_mant` = -row sum, `bias_exp` = 5), the threshold to 0; a cue source
clamps the state for one step, then each step computes s <- sign(W s) (spike iff W s > 0), the
synchronous Hopfield update, which `recall_numpy` computes in integers for the same result.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from ..api import emulate
from ..baseline.cost import Work, dtype_bytes, price_work
from ..energy import brain_reference
from ..errors import NetworkError
from ..ir import LIF, Connection, LearningRule, Network, SpikeSource
from . import DENSE_DTYPES

#: One-shot Hebbian rule over 2-step epochs: every synapse gains 2 s_i s_j per stored pattern.
HEBB = "8 * x0 * y0 - 4 * x0 - 4 * y0 + 2 * u0"
STEPS_PER_PATTERN = 2
#: The clamp: weight 254 << (6 + 7) per cue spike, far above any recurrent or bias input.
CLAMP_WEIGHT, CLAMP_EXP = 254, 7
#: Storage threshold mantissa: (2**14) << 6 lies between the recurrent input and the clamp.
STORE_VTH = 2**14
#: A neuron integrates nothing across steps: u and v decay fully (du 4095, dv 4096).
FULL_DECAY_U, FULL_DECAY_V = 4095, 4096
#: Bias exponent of recall: bias_mant << 5 = 32 x (-row sum) = half the input a +1 row would give.
BIAS_EXP = 5
#: Largest bias mantissa magnitude on Loihi (13-bit signed).
BIAS_LIMIT = 4095
#: Overlap with the stored pattern from which a recall counts as correct (at most 2.5% bits wrong).
RECALL_OVERLAP = 0.95


def _clamped(name: str, n: int, vth: int, **bias) -> LIF:
    return LIF(name, n, du=FULL_DECAY_U, dv=FULL_DECAY_V, vth=vth, **bias)


def storage_network(patterns: NDArray) -> Network:
    """The network that stores `patterns` (P, N) of +-1 in its plastic connection "hebb" over
    2P steps (`emulate(net, 2 * P)`; `run.learned("hebb")` is then 2 sum_p xi_p xi_p^T)."""
    patterns = _patterns(patterns)
    n_patterns, n = patterns.shape
    if 2 * n_patterns * n * 2**6 >= STORE_VTH << 6:
        raise NetworkError(f"hebb: storing {n_patterns} patterns of {n} neurons could make recurrent input reach the "
                           f"storage threshold ({STORE_VTH} << 6): need 2 P N < {STORE_VTH}")
    spikes = np.zeros((STEPS_PER_PATTERN * n_patterns, n), np.int32)
    spikes[STEPS_PER_PATTERN * np.arange(n_patterns)] = patterns > 0
    rule = LearningRule(dw=HEBB, t_epoch=STEPS_PER_PATTERN)
    return Network([_clamped("memory", n, STORE_VTH)], [SpikeSource("patterns", spikes)],
                   [Connection("clamp", "patterns", "memory", np.eye(n, dtype=np.int64) * CLAMP_WEIGHT,
                               weight_exp=CLAMP_EXP),
                    Connection("hebb", "memory", "memory", np.zeros((n, n), np.int64), learning=rule)])


def recall_weights(learned: NDArray) -> NDArray[np.int64]:
    """The recall weights the host writes: the learned ones with the self-connections zeroed."""
    w = np.array(learned, np.int64)
    np.fill_diagonal(w, 0)
    return w


def recall_network(weights: NDArray, cues: NDArray, iterations: int) -> Network:
    """Recall from `cues` (B, N) of +-1 with recall `weights` (N, N): a cue source spikes once,
    clamping the state at step 2; steps 3 .. 2 + `iterations` are Hopfield updates."""
    cues = _patterns(cues)
    w = np.asarray(weights, np.int64)
    rows = w.sum(axis=1)
    if np.abs(rows).max(initial=0) > BIAS_LIMIT:
        raise NetworkError(f"memory: bias_mant: a row sum of the recall weights is {int(np.abs(rows).max())}, beyond "
                           f"the {BIAS_LIMIT} a 13-bit bias holds: store fewer patterns or use fewer neurons")
    b, n = cues.shape
    spikes = np.zeros((b, 2 + iterations, 2 * n), np.int32)
    spikes[:, 0, :n] = cues > 0
    spikes[:, 0, n:] = cues < 0
    clamp = np.hstack([np.eye(n, dtype=np.int64), -np.eye(n, dtype=np.int64)]) * CLAMP_WEIGHT
    return Network([_clamped("memory", n, 0, bias_mant=-rows, bias_exp=BIAS_EXP)], [SpikeSource("cue", spikes)],
                   [Connection("clamp", "cue", "memory", clamp, weight_exp=CLAMP_EXP, sign_mode="mixed"),
                    Connection("recurrent", "memory", "memory", w, sign_mode="mixed")])


def recall_numpy(weights: NDArray, cues: NDArray, iterations: int) -> NDArray[np.int64]:
    """(iterations + 1, B, N) states of the synchronous update s <- (W s > 0 ? 1 : -1) from `cues`."""
    w, s = np.asarray(weights, np.int64), _patterns(cues).astype(np.int64)
    states = [s]
    for _ in range(iterations):
        s = np.where(s @ w.T > 0, 1, -1)
        states.append(s)
    return np.stack(states)


def corrupt(patterns: NDArray, flip: float, rng: np.random.Generator) -> NDArray[np.int64]:
    """`patterns` with round(flip x N) distinct bits of each flipped."""
    patterns = _patterns(patterns).astype(np.int64)
    k = int(round(flip * patterns.shape[1]))
    out = patterns.copy()
    for row in out:
        row[rng.choice(len(row), k, replace=False)] *= -1
    return out


def _patterns(x: NDArray) -> NDArray:
    x = np.asarray(x)
    if x.ndim != 2 or not np.isin(x, (-1, 1)).all():
        raise NetworkError(f"patterns: expected a (P, N) array of -1 and +1, found shape {x.shape}")
    return x


def _chip_rows(runs: dict[str, list], profiles: Sequence[str], stored: int) -> list[dict]:
    """Per profile: energy and time per stored pattern and per recall (`stored` patterns, each
    stored once and recalled once over the runs)."""
    rows = []
    for name in profiles:
        row = {"system": f"{name}, learning engine", "profile": name, "status": "modeled", "lower_bound": False}
        for phase, phase_runs in runs.items():
            reports = [run.energy(name) for run in phase_runs]
            row[f"{phase}_j"] = sum(r.energy_j for r in reports) / stored
            row[f"{phase}_s"] = sum(r.time_s for r in reports) / stored
            row["lower_bound"] |= any(r.lower_bound for r in reports)
        row["source"] = (f"modeled: {name} per-op figures x exact emulated counts (synaptic updates "
                         f"{'priced' if not row['lower_bound'] else 'partly unpriced: a lower bound'})")
        rows.append(row)
    return rows


def _dense_rows(n: int, iterations: int) -> list[dict]:
    """The same memory as a dense numpy Hopfield network: storing adds an outer product (N^2 MACs,
    W read and written), a recall runs `iterations` N x N matrix-vector products, batch 1."""
    rows = []
    for name, dtype in DENSE_DTYPES.items():
        size = dtype_bytes(dtype)
        store = price_work(Work(n * n, 0, 2 * n * n * size, 2 * n * size, 1), name, dtype, 1)
        recall = price_work(Work(iterations * n * n, 0, iterations * n * n * size, 2 * iterations * n * size,
                                 iterations), name, dtype, 1)
        rows.append({"system": f"numpy Hopfield, {name} {dtype}", "profile": name, "status": "modeled",
                     "lower_bound": False, "store_j": store.energy_per_inference_j,
                     "store_s": store.time_per_inference_s, "recall_j": recall.energy_per_inference_j,
                     "recall_s": recall.time_per_inference_s,
                     "source": f"modeled: {name} per-MAC and per-byte figures x counted work "
                               f"(store: N^2 MACs; recall: {iterations} x N^2 MACs)", "notes": store.notes})
    return rows


def capacity(n: int = 100, loads: Sequence[int] = (2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 28), trials: int = 5,
             flip: float = 0.1, iterations: int = 10, seed: int = 0, profiles: Sequence[str] = ("loihi", "loihi-chip", "loihi2"),
             progress: Callable[[str], None] | None = None) -> dict:
    """Store P random patterns of `n` neurons on the chip for each P in `loads` (`trials` pattern
    sets each), recall each from a cue with `flip` of its bits flipped, after `iterations` steps.

    Returns a JSON-ready dict: per load the fraction recalled (overlap >= `RECALL_OVERLAP`) and the
    mean overlap on the chip and in numpy, whether they agreed bit for bit at every step, the
    learned weights' match with 2 sum xi xi^T; energy per stored pattern and per recall on each
    profile (all loads together) and for the dense numpy network on CPU and GPU; the brain's power.
    """
    advance = progress or (lambda text: None)
    rng = np.random.default_rng(seed)
    curve, runs, exact, hebbian = [], {"store": [], "recall": []}, True, True
    for p in loads:
        advance(f"storing and recalling {p} patterns of {n} neurons ({trials} trials)")
        recalled, overlaps = [], []
        for _ in range(trials):
            patterns = rng.choice(np.array([-1, 1]), (p, n))
            store = emulate(storage_network(patterns), STEPS_PER_PATTERN * p)
            learned = store.learned("hebb")
            hebbian &= bool(np.array_equal(learned, 2 * patterns.T @ patterns))
            w = recall_weights(learned)
            cues = corrupt(patterns, flip, rng)
            run = emulate(recall_network(w, cues, iterations), 2 + iterations, batch=p, record=["memory"])
            states = 2 * run.trace("memory", "s")[:, 1:].astype(np.int64) - 1
            exact &= bool(np.array_equal(states.transpose(1, 0, 2), recall_numpy(w, cues, iterations)))
            overlap = (states[:, -1] * patterns).sum(axis=1) / n
            recalled.append(overlap >= RECALL_OVERLAP)
            overlaps.append(overlap)
            runs["store"].append(store)
            runs["recall"].append(run)
        recalled, overlaps = np.concatenate(recalled), np.concatenate(overlaps)
        curve.append({"patterns": p, "load": p / n, "recalled": float(recalled.mean()),
                      "mean_overlap": float(overlaps.mean())})
    advance("pricing")
    brain_w, brain_words = brain_reference()
    rows = _chip_rows(runs, profiles, trials * sum(loads)) + _dense_rows(n, iterations)
    for row in rows:
        row["recalls_per_s_within_brain_power"] = brain_w / row["recall_j"]
    return {"neurons": n, "trials": trials, "flip": flip, "iterations": iterations, "seed": seed,
            "recall_overlap": RECALL_OVERLAP, "hopfield_capacity_load": 0.138,
            "hopfield_capacity_source": "Amit, Gutfreund & Sompolinsky 1985 (Phys. Rev. Lett. 55, 1530): "
                                        "alpha_c ~ 0.138 for large N",
            "curve": curve, "chip_equals_numpy": exact, "learned_equals_hebbian": hebbian, "rows": rows,
            "brain_power_w": brain_w, "brain_power_source": brain_words, "rule": HEBB}
