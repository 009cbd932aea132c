"""Features learned on the chip without labels: unsupervised STDP on digits, in the spirit of
Diehl & Cook 2015 (Front. Comput. Neurosci. 9:99) at this data set's scale, all of it in Loihi 1
terms (LIF neurons and the learning engine).

Training (`training_network`): each digit's 64 pixels are rate coded (`convert.encode` at
`MAX_RATE` spikes per step) for `STEPS_ON` steps, then `STEPS_OFF` silent steps; 100 LIF units
receive them through the plastic connection "features", whose rule

    dw = 2^-3 y0 x1 - 2^-4 y0 w

moves a unit's weights, each time it spikes, toward twice its inputs' recent traces x1 (a
competitive, prototype-learning form of STDP); units inhibit one another (soft winner-take-all).
Homeostasis is learned too: a tonic source (one spike every step) reaches every unit through the
plastic connection "homeostasis", whose rule ``-2 y0 + 2^-2 u7`` lowers a unit's excitability by 2
per spike and raises it by 2^-2 every 128 steps, so every unit ends up winning at a similar rate.
Labels are used only afterwards (`assign`): the training set is run once through the learned
weights (no plasticity; each unit's threshold proportional to its weight vector's norm, chosen
among `READOUT_GAINS` on the training set) and each unit takes the class it answers most; a test
digit is given the class whose units spike most on average.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from ..api import Run, emulate
from ..baseline import digits, train, training_estimate
from ..energy import brain_reference
from ..ir import LIF, Connection, LearningRule, Network, SpikeSource
from . import DENSE_DTYPES

MAX_RATE = 0.3
STEPS_ON, STEPS_OFF, READOUT_STEPS = 20, 5, 50
RULE = "2^-3 * y0 * x1 - 2^-4 * y0 * w"
X1_IMPULSE, X1_TAU = 16, 8
HOMEOSTASIS = "-2 * y0 + 2^-2 * u7"
#: Units: u forgets each step (du 4095), v keeps 90% (dv 410 of 4096), threshold 1500 << 6.
DU, DV, VTH = 4095, 410, 1500
#: Mutual inhibition: -255 << 2 per spike (weight exponent 2).
INHIBITION, INHIBITION_EXP = -255, 2
INITIAL_WEIGHT = 60
READOUT_GAINS = (6, 7, 8)
PROFILES = ("loihi", "loihi-chip", "loihi2")


def rate_code(x: NDArray, steps_on: int, steps_off: int = 0, seed: int = 0) -> NDArray[np.int32]:
    """(B, steps_on + steps_off, n) spikes: each pixel of `x` in [0, 1] spikes with probability
    x x `MAX_RATE` at each of `steps_on` steps (seeded Bernoulli draws), then silence."""
    x = np.asarray(x)
    on = np.random.default_rng(seed).random((len(x), steps_on, x.shape[1])) < x[:, None, :] * MAX_RATE
    return np.concatenate([on, np.zeros((len(x), steps_off, x.shape[1]), bool)], axis=1).astype(np.int32)


def _inhibition(n_units: int) -> Connection:
    w = np.full((n_units, n_units), INHIBITION, np.int64)
    np.fill_diagonal(w, 0)
    return Connection("inhibition", "units", "units", w, sign_mode="inhibitory", weight_exp=INHIBITION_EXP)


def training_network(x: NDArray, n_units: int = 100, seed: int = 0) -> Network:
    """The network that learns features from samples `x` (S, n) in [0, 1], one after another
    (S x (`STEPS_ON` + `STEPS_OFF`) steps), from random initial weights."""
    spikes = rate_code(x, STEPS_ON, STEPS_OFF, seed).reshape(-1, np.shape(x)[1])
    w0 = np.random.default_rng(seed).integers(0, INITIAL_WEIGHT, (n_units, spikes.shape[1]))
    rule = LearningRule(dw=RULE, x1_impulse=X1_IMPULSE, x1_tau=X1_TAU)
    return Network([LIF("units", n_units, du=DU, dv=DV, vth=VTH)],
                   [SpikeSource("pixels", spikes), SpikeSource("tonic", np.ones((1, 1), np.int32))],
                   [Connection("features", "pixels", "units", w0, learning=rule, sign_mode="excitatory"),
                    Connection("homeostasis", "tonic", "units", np.zeros((n_units, 1), np.int64),
                               learning=LearningRule(dw=HOMEOSTASIS)),
                    _inhibition(n_units)])


def readout_network(weights: NDArray, x: NDArray, gain: float) -> Network:
    """Learned `weights` (units, n) frozen, run batched on samples `x` for `READOUT_STEPS` steps;
    each unit's threshold is `gain` x the norm of its weights."""
    w = np.asarray(weights, np.int64)
    vth = np.round(gain * np.sqrt((w**2).sum(axis=1))).astype(np.int64)
    return Network([LIF("units", len(w), du=DU, dv=DV, vth=vth)], [SpikeSource("pixels", rate_code(x, READOUT_STEPS, seed=1))],
                   [Connection("features", "pixels", "units", w, sign_mode="excitatory"), _inhibition(len(w))])


def respond(weights: NDArray, x: NDArray, gain: float) -> tuple[NDArray[np.int64], Run]:
    """(spike counts (samples, units), the run) of the readout on `x`."""
    run = emulate(readout_network(weights, x, gain), READOUT_STEPS, batch=len(x), record=["units"])
    return run.trace("units", "s").sum(axis=1).astype(np.int64), run


def assign(counts: NDArray, labels: NDArray, n_classes: int) -> NDArray[np.int64]:
    """Each unit's class: the one whose samples make it spike most on average."""
    per_class = np.stack([counts[labels == c].mean(axis=0) if (labels == c).any() else np.zeros(counts.shape[1])
                          for c in range(n_classes)])
    return per_class.argmax(axis=0)


def predict(counts: NDArray, unit_class: NDArray, n_classes: int) -> NDArray[np.int64]:
    """Each sample's class: the one whose units spike most on average (a class with no unit: never)."""
    scores = np.stack([counts[:, unit_class == c].mean(axis=1) if (unit_class == c).any()
                       else np.full(len(counts), -1.0) for c in range(n_classes)], axis=1)
    return scores.argmax(axis=1)


def evaluate(weights: NDArray, data, gains: Sequence[float] = READOUT_GAINS) -> dict:
    """Label assignment on the training set with the gain that scores best there, then test
    accuracy; the runs of the chosen gain (labelling pass, test pass)."""
    best = None
    for gain in gains:
        counts, run = respond(weights, data.x_train, gain)
        unit_class = assign(counts, data.y_train, data.n_classes)
        train_acc = float((predict(counts, unit_class, data.n_classes) == data.y_train).mean())
        if best is None or train_acc > best["train_accuracy"]:
            best = {"gain": gain, "train_accuracy": train_acc, "unit_class": unit_class, "labelling": run}
    counts, test_run = respond(weights, data.x_test, best["gain"])
    best["accuracy"] = float((predict(counts, best["unit_class"], data.n_classes) == data.y_test).mean())
    best["test"] = test_run
    return best


def _energy(run: Run, profile: str) -> tuple[float, bool]:
    """(J of the whole run, whether that is a lower bound) on `profile`."""
    report = run.energy(profile)
    return report.energy_j, report.lower_bound


def _reach(points: list[dict], system: str, target: float) -> float | None:
    """The cumulative energy at which `system`'s points first reach `target` accuracy (None: never)."""
    return next((p["energy_j"] for p in points if p["system"] == system and p["accuracy"] >= target), None)


def learn_digits(n_units: int = 100, checkpoints: Sequence[int] = (100, 300, 700), epochs: int = 30, seed: int = 0,
                 profiles: Sequence[str] = PROFILES, progress: Callable[[str], None] | None = None) -> dict:
    """Unsupervised STDP on the digits' training set (one pass), evaluated after each of
    `checkpoints` samples and at the end; backprop on the 64-128-10 MLP for `epochs` epochs,
    evaluated after each. Returns a JSON-ready dict: accuracy against cumulative training energy
    for each system and profile, energy per training sample, energy to reach the STDP's final
    accuracy, and the brain's power (see README, 'Learning')."""
    advance = progress or (lambda text: None)
    data = digits(seed=seed)
    n_train = len(data.x_train)
    stops = sorted({*(c for c in checkpoints if 0 < c < n_train), n_train})
    net = training_network(data.x_train, n_units, seed)
    steps_per_sample = STEPS_ON + STEPS_OFF
    run, done, spent = None, 0, {p: [0.0, False] for p in profiles}
    stdp_points = []
    for stop in stops:
        advance(f"learning from digits {done + 1}-{stop} of {n_train} (a first run compiles the kernels)")
        run = emulate(net, (stop - done) * steps_per_sample, state=run.state if run else None)
        for p in profiles:
            j, low = _energy(run, p)
            spent[p][0] += j
            spent[p][1] |= low
        done = stop
        advance(f"labelling and testing after {stop} digits")
        ev = evaluate(run.learned("features"), data)
        for p in profiles:
            j, low = _energy(ev["labelling"], p)
            stdp_points.append({"system": f"STDP on {p}", "profile": p, "samples": stop, "accuracy": ev["accuracy"],
                                "energy_j": spent[p][0] + j, "lower_bound": spent[p][1] or low})
    test_j = {p: _energy(ev["test"], p) for p in profiles}
    advance("training the backprop MLP epoch by epoch")
    accuracies = []
    train(data, (128,), epochs=epochs, seed=seed,
          on_epoch=lambda epoch, model: accuracies.append(model.accuracy(data.x_test, data.y_test)))
    sizes = (data.n_features, 128, data.n_classes)
    dense = {p: training_estimate(sizes, p, dtype, 32) for p, dtype in DENSE_DTYPES.items()}
    backprop_points = [{"system": f"backprop on {p}", "profile": p, "samples": (e + 1) * n_train, "epochs": e + 1,
                        "accuracy": a, "energy_j": (e + 1) * n_train * est.energy_per_inference_j, "lower_bound": False}
                       for p, est in dense.items() for e, a in enumerate(accuracies)]
    target = float(np.floor(ev["accuracy"] * 100) / 100)
    brain_w, brain_words = brain_reference()
    rows = []
    for p in profiles:
        j, low = spent[p]
        reach = _reach(stdp_points, f"STDP on {p}", target)
        rows.append({"system": f"STDP, {p}", "profile": p, "status": "modeled",
                     "accuracy": ev["accuracy"], "training_j_per_sample": j / n_train, "energy_to_target_j": reach,
                     "test_j_per_sample": test_j[p][0] / len(data.x_test), "lower_bound": low or test_j[p][1],
                     "source": f"modeled: {p} per-op figures x exact emulated counts (one pass, {n_train} digits "
                               f"x {steps_per_sample} steps, then a labelling pass)"})
    for p, est in dense.items():
        reach = _reach(backprop_points, f"backprop on {p}", target)
        rows.append({"system": f"backprop 64-128-10, {p} {est.dtype}", "profile": p,
                     "status": "modeled", "accuracy": accuracies[-1], "training_j_per_sample": est.energy_per_inference_j,
                     "energy_to_target_j": reach, "test_j_per_sample": None, "lower_bound": False, "notes": est.notes,
                     "source": f"modeled: {p} per-MAC and per-byte figures x counted forward + backward + Adam work "
                               f"({epochs} epochs)"})
    for row in rows:
        row["training_samples_per_s_within_brain_power"] = brain_w / row["training_j_per_sample"]
    return {"units": n_units, "training_samples": n_train, "test_samples": len(data.x_test), "seed": seed,
            "stdp_accuracy": ev["accuracy"], "stdp_train_accuracy": ev["train_accuracy"], "readout_gain": ev["gain"],
            "backprop_accuracy": accuracies[-1], "target_accuracy": target, "points": stdp_points + backprop_points,
            "rows": rows, "brain_power_w": brain_w, "brain_power_source": brain_words,
            "rules": {"features": RULE, "homeostasis": HOMEOSTASIS}}
