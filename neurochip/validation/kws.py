"""Keyword spotting on Loihi (Blouw et al. 2019): every logged configuration built, emulated,
mapped and priced, and the host-in-the-loop terms of the `loihi` profile fitted on two of them.

The networks (their `models.py`; the nengo-loihi version has the same structure):
- the keyword spotter: 390 inputs -> 256 -> 256 with the published trained weights
  (`data/kws_spotter.npz`), its 256 x 29 character readout on the host;
- the scaled models IxxOxxCccLll: 390 -> 256 (the input layer, over xx cores) -> cc copies of ll
  layers of 256 in a chain -> 256 (the output layer, over xx cores, fed by every copy's last
  layer; by the input layer when cc = 0), weights uniform in [-0.05, 0.05), zero biases.
Each is converted as `neurochip.convert` converts a trained ReLU network (per-layer
normalisation on calibration inputs, 8-bit weights, integrate-and-fire), driven by rate-coded
inputs uniform in [0, 1) (the audio features are not published), 10 steps per inference as logged,
as one continuous stream (the logged runs stream inferences without resetting the network).

Predicted per configuration: time per step and total energy per inference (on-chip dynamic +
host + static, each reported apart). The chip's own share comes from `loihi-chip`; the host's
(a step time of fixed + per-I/O-core parts, serial with the chip, and the x86 cores' active
power) is fitted on `FITTED_ON` and checked on the others.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import cache
from importlib.resources import files

import numpy as np

from ..api import Run, emulate
from ..convert import encode, quantize_layer
from ..energy import price
from ..ir import LIF, Connection, Network, SpikeSource
from ..kernels.fixed_point import DECAY_MAX
from ..mapping import io_cores, step_time
from ..profiles import load_profile
from ..profiles.loader import BUILTIN_DIR
from .blouw2019 import SOURCE, STEPS_PER_INFERENCE, Config

MEASURED = BUILTIN_DIR / "measurements" / "blouw2019_loihi_kws.json"
#: The configurations the host terms are fitted on: the spotter (2 + 2 I/O cores) and the same
#: topology over 8 + 8 cores; the six with added layers are held out.
FITTED_ON = ("keyword spotter", "I08O08C00L00")
N_INPUTS, N_PER_LAYER = 390, 256
INFERENCES = 30      # inferences emulated per configuration, one stream
CALIBRATION = 256    # inputs the per-layer normalisation is computed on
PERCENTILE = 99.9
SEED = 0


def measured() -> list[Config]:
    """The parsed logs (`profiles/measurements/blouw2019_loihi_kws.json`)."""
    return [Config(**c) for c in json.loads(MEASURED.read_text())["configs"]]


def _layers(config: Config) -> list[tuple[str, list[str]]]:
    """(population, its source populations) in order; "features" is the host's input."""
    chains = [[f"c{c}l{i}" for i in range(config.layers)] for c in range(config.copies)]
    out = [("inp", ["features"])]
    for chain in chains:
        out += [(name, [src]) for src, name in zip(["inp", *chain], chain)]
    return out + [("out", [chain[-1] for chain in chains] or ["inp"])]


def _float_weights(config: Config, layers: list[tuple[str, list[str]]], rng) -> dict[str, tuple]:
    """Population -> (weights (fan-in, 256), biases): published for the spotter, else uniform."""
    if config.name == "keyword spotter":
        data = np.load(files(__package__) / "data" / "kws_spotter.npz")
        return {pop: (data[f"{key}_weights"] * data[f"{key}_scale"], data[f"{key}_biases"])
                for pop, key in (("inp", "char_layer_0"), ("out", "char_layer_1"))}
    fan_in = {"features": N_INPUTS}
    return {pop: (rng.uniform(-0.05, 0.05, (sum(fan_in.get(s, N_PER_LAYER) for s in srcs), N_PER_LAYER)),
                  np.zeros(N_PER_LAYER)) for pop, srcs in layers}


def network(config: Config, inferences: int = INFERENCES, seed: int = SEED) -> tuple[Network, dict[str, int]]:
    """The configuration as a Loihi SNN driven by a stream of `inferences` rate-coded inputs (10
    steps each), and its published
    I/O split (`map_network(per_core=...)`: the input and output layers over their cores)."""
    rng = np.random.default_rng(seed)
    layers = _layers(config)
    weights = _float_weights(config, layers, rng)
    calib = {"features": rng.uniform(0, 1, (CALIBRATION, N_INPUTS))}
    scale = {"features": 1.0}
    pops, conns = [], []
    for pop, srcs in layers:
        w, b = weights[pop]
        act = np.maximum(np.concatenate([calib[s] for s in srcs], axis=1) @ w + b, 0)
        calib[pop] = act
        scale[pop] = float(np.percentile(act[act > 0], PERCENTILE)) if np.any(act > 0) else 1.0
        src_scale = np.concatenate([np.full(calib[s].shape[1], scale[s]) for s in srcs])
        q = quantize_layer(w * src_scale[:, None] / scale[pop], b / scale[pop])
        pops.append(LIF(pop, N_PER_LAYER, du=DECAY_MAX, dv=0, vth=q["vth"], bias_mant=q["bias_mant"],
                        bias_exp=q["bias_exp"]))
        start = 0
        for s in srcs:
            n = calib[s].shape[1]
            conns.append(Connection(f"{s}->{pop}", s, pop, q["weights"][:, start:start + n], sign_mode="mixed",
                                    num_weight_bits=q["weight_bits"]))
            start += n
    x = rng.uniform(0, 1, (inferences, N_INPUTS))
    stream = encode(x, STEPS_PER_INFERENCE).reshape(inferences * STEPS_PER_INFERENCE, N_INPUTS)
    net = Network(pops, [SpikeSource("features", stream)], conns)
    per_core = {"inp": math.ceil(N_PER_LAYER / config.input_cores), "out": math.ceil(N_PER_LAYER / config.output_cores)}
    return net, per_core


@dataclass(frozen=True)
class ChipRun:
    """One configuration on the chip alone (`loihi-chip`): its run, placement and chip figures."""

    config: Config
    run: Run
    per_core: dict[str, int]
    io_cores: int
    n_cores: int
    chip_step_s: float
    chip_dynamic_j: float        # per inference

    @property
    def fitted(self) -> bool:
        return self.config.name in FITTED_ON


@cache
def chip_runs() -> tuple[ChipRun, ...]:
    """Every logged configuration emulated and placed on `loihi-chip` (cached: ~10 s)."""
    out = []
    for config in measured():
        net, per_core = network(config)
        run = emulate(net, STEPS_PER_INFERENCE * INFERENCES)
        placement = run.map("loihi-chip", per_core=per_core)
        report = price(run, "loihi-chip", placement)
        chip_step = step_time(placement, "loihi-chip", net, run).step_s
        out.append(ChipRun(config, run, per_core, io_cores(placement, net), placement.n_cores, chip_step,
                           report.dynamic_energy_j / INFERENCES))
    return tuple(out)


def fit_host(runs: tuple[ChipRun, ...] | None = None) -> dict[str, float]:
    """The host terms fitted on the `FITTED_ON` configurations (SI units): step_fixed_s and
    step_per_io_core_s by least squares on (measured step - chip step) against I/O cores;
    active_power_w as the mean of (running - idle - the chip's dynamic power) over them."""
    fit = [r for r in (runs or chip_runs()) if r.fitted]
    a = np.array([[1.0, r.io_cores] for r in fit])
    y = np.array([r.config.step_s - r.chip_step_s for r in fit])
    (fixed, per_io), *_ = np.linalg.lstsq(a, y, rcond=None)
    power = np.mean([r.config.dynamic_w - r.chip_dynamic_j * r.config.inferences_per_s for r in fit])
    return {"step_fixed_s": float(fixed), "step_per_io_core_s": float(per_io), "active_power_w": float(power)}


@dataclass(frozen=True)
class Prediction:
    """One configuration on `profile`: predicted against measured (SI units, per inference)."""

    config: str
    fitted: bool
    io_cores: int
    n_cores: int
    measured_step_s: float
    step_s: float
    chip_step_s: float
    host_step_s: float
    measured_energy_j: float
    energy_j: float
    chip_dynamic_j: float
    host_j: float
    static_j: float

    def to_dict(self) -> dict:
        return asdict(self)


def predict(profile: str = "loihi") -> list[Prediction]:
    """Every logged configuration predicted on `profile` (which must model the host: `loihi`)."""
    prof = load_profile(profile)
    out = []
    for r in chip_runs():
        placement = r.run.map(prof, per_core=r.per_core)
        rep = price(r.run, prof, placement)
        t = step_time(placement, prof, r.run.network, r.run)
        out.append(Prediction(r.config.name, r.fitted, r.io_cores, r.n_cores, r.config.step_s, t.step_s,
                              t.step_s - t.host_s, t.host_s, r.config.total_j_per_inference,
                              rep.energy_j / INFERENCES, rep.dynamic_energy_j / INFERENCES,
                              (rep.host_energy_j or 0.0) / INFERENCES, (rep.static_energy_j or 0.0) / INFERENCES))
    return out


__all__ = ["FITTED_ON", "SOURCE", "ChipRun", "Prediction", "chip_runs", "fit_host", "measured", "network", "predict"]
