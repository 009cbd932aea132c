"""The SANA-FE cross-check network: 64 -> 128 -> 10, built the same way in SANA-FE 2.2.9 and here.

Bernoulli 0.2 inputs (seeded), LIF with full current decay, no leak, no bias, threshold 40,
even weights (mixed-sign 8-bit synapses store them exactly), 100 steps; SANA-FE places each
layer on its own core of one tile (inputs too; here they arrive from the host, with no hops in
either). SANA-FE's output for it is stored in `data/sanafe_2.2.9_small.json` (how it was made is
in that file); `tests/test_sanafe_crosscheck.py` re-runs SANA-FE where its wheel installs.
"""
from __future__ import annotations

import json
from importlib.resources import files

import numpy as np

from ..api import Run, emulate
from ..ir import LIF, Connection, Network, SpikeSource

STEPS, VTH = 100, 40


def layers(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(input spikes (steps, 64) bool, w1 (128, 64), w2 (10, 128))."""
    rng = np.random.default_rng(seed)
    inputs = rng.random((STEPS, 64)) < 0.2
    return inputs, 2 * rng.integers(-4, 12, (128, 64)), 2 * rng.integers(-8, 16, (10, 128))


def network(seed: int = 0) -> Network:
    inputs, w1, w2 = layers(seed)
    lif = dict(du=4095, dv=0, vth=VTH)
    return Network([LIF("hid", 128, **lif), LIF("out", 10, **lif)], [SpikeSource("in", inputs.astype(int))],
                   [Connection("w1", "in", "hid", w1), Connection("w2", "hid", "out", w2)])


def run() -> Run:
    return emulate(network(), STEPS)


def reference() -> dict:
    """SANA-FE 2.2.9's result for the network (energy in J, `sim_time` in s), with its provenance."""
    return json.loads(files(__package__).joinpath("data", "sanafe_2.2.9_small.json").read_text())
