"""Built-in workloads: seeded networks named by short specs (``mlp:784,512,512,10``,
``recurrent:10000,100``), used by the CLI, the benchmarks and the tests."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .errors import NetworkError
from .ir import LIF, BernoulliSource, Connection, Network

#: Recurrent workload: each compartment integrates a constant bias to threshold in 1 / rate steps
#: (dv = 0, no leak), so its activity is the rate asked for (default 1/33: 2.0% measured at
#: N = 1k and 10k with the default weak recurrence).
DEFAULT_RECURRENT_RATE = 1 / 33
#: The largest built-in workload (synapses): 2e9 synapses take ~12 GB to build.
MAX_SYNAPSES = 2_000_000_000
VTH = 100
#: Feed-forward workload: thresholds are set so that each layer fires in about 5% of its
#: compartments per step whatever the input rate (4.7-10% measured for 784-512-512-10,
#: 390-256-256-29 and 64-128-10 at input rates 0.01-0.2): a sparse, non-saturated regime.
DEFAULT_INPUT_RATE = 0.05
LAYER_ACTIVITY = 0.048
FF_WEIGHTS = (-32, 64)     # drawn uniformly; mean 16
FF_DV = 400                # ~10% voltage leak per step
FF_GAIN = 0.8              # threshold as a share of the steady-state voltage of the mean drive


def fixed_fan_out(n_src: int, n_dst: int, fan_out: int, rng, lo: int, hi: int) -> sp.csc_array:
    """(n_dst, n_src) weights drawn from [lo, hi), stored by source (CSC): each source reaches
    exactly `fan_out` distinct random targets (a drawn weight of 0 is kept as an explicit entry).
    Vectorised: about 6 bytes and a few tens of ns per synapse (100M synapses in ~10 s)."""
    if fan_out >= n_dst:
        targets = np.tile(np.arange(n_dst, dtype=np.int32), (n_src, 1))
    else:
        targets = rng.integers(0, n_dst, (n_src, fan_out), dtype=np.int32)
        targets.sort(axis=1)
        rows = np.arange(n_src)
        while rows.size:   # redraw the repeated targets of the rows that have any (few: fan_out**2 / 2 n_dst per row)
            block = targets[rows]
            repeat = np.zeros(block.shape, bool)
            repeat[:, 1:] = block[:, 1:] == block[:, :-1]
            rows = rows[repeat.any(axis=1)]
            block = block[repeat.any(axis=1)]
            repeat = repeat[repeat.any(axis=1)]
            block[repeat] = rng.integers(0, n_dst, int(repeat.sum()), dtype=np.int32)
            block.sort(axis=1)
            targets[rows] = block
    weights = rng.integers(lo, hi, targets.size, dtype=np.int16)
    index = np.int32 if targets.size < 2**31 else np.int64   # scipy keeps int32 indices only with an int32 indptr
    indptr = np.arange(n_src + 1, dtype=np.int64) * targets.shape[1]
    return sp.csc_array((weights, targets.ravel().astype(index, copy=False), indptr.astype(index)),
                        shape=(n_dst, n_src))


def recurrent_params(n: int, fan_out: int = 100, seed: int = 0, rate: float = DEFAULT_RECURRENT_RATE) -> dict:
    """Parameters of a self-driven recurrent LIF network firing at about `rate` spikes per
    compartment per step, with weak recurrence: every synapse an even nonzero weight in
    [-8, 8], so that an 8-bit mixed-sign synapse stores it exactly and the fan-out is exact."""
    if not 0 < rate <= 1:
        raise NetworkError(f"recurrent workload: rate: expected a spike probability per step in (0, 1], found {rate!r}")
    rng = np.random.default_rng(seed)
    v = rng.integers(0, VTH * 64, n)
    weights = fixed_fan_out(n, n, min(fan_out, n), rng, 1, 5)
    weights.data *= 2 * rng.choice(np.array([-1, 1], np.int16), weights.data.size)
    return dict(n=n, du=4095, dv=0, vth=VTH, bias_mant=int(VTH * 64 * rate), v=v, weights=weights)


def staggered_params(n: int, fan_out: int = 100, periods: tuple[int, int] = (28, 62), seed: int = 0) -> dict:
    """As `recurrent_params`, but desynchronised by per-compartment biases (firing periods drawn
    from `periods`) with v starting at 0: a form every simulator can express."""
    p = recurrent_params(n, fan_out, seed)
    rng = np.random.default_rng(seed + 1)
    p.update(bias_mant=(VTH * 64 / rng.uniform(*periods, n)).astype(np.int64), v=np.zeros(n, np.int64))
    return p


def recurrent_network(n: int, fan_out: int = 100, seed: int = 0, params: dict | None = None,
                      rate: float = DEFAULT_RECURRENT_RATE) -> Network:
    p = params or recurrent_params(n, fan_out, seed, rate)
    pop = LIF("rec", p["n"], du=p["du"], dv=p["dv"], vth=p["vth"], bias_mant=p["bias_mant"], v=p["v"])
    return Network([pop], connections=[Connection("w", "rec", "rec", p["weights"])])


def feed_forward_snn(sizes=(784, 512, 512, 10), rate: float = DEFAULT_INPUT_RATE, batch: int | None = None,
                     seed: int = 0) -> Network:
    """A dense feed-forward SNN (e.g. 784-512-512-10) driven by Bernoulli inputs spiking with
    probability `rate` per step, its thresholds set for ~5% activity per layer (module doc)."""
    if not 0 < rate <= 1:
        raise NetworkError(f"mlp workload: rate: expected a spike probability per step in (0, 1], found {rate!r}")
    rng = np.random.default_rng(seed)
    pops, conns, names, drive = [], [], ["in"], rate
    mean_w = (FF_WEIGHTS[0] + FF_WEIGHTS[1] - 1) / 2
    for i, n in enumerate(sizes[1:], 1):
        steady = drive * sizes[i - 1] * mean_w * 4096 / FF_DV
        pops.append(LIF(f"l{i}", n, du=4095, dv=FF_DV, vth=int(np.clip(FF_GAIN * steady, 1, 2**17 - 1))))
        conns.append(Connection(f"w{i}", names[-1], pops[-1].name, rng.integers(*FF_WEIGHTS, (n, sizes[i - 1]))))
        names.append(pops[-1].name)
        drive = LAYER_ACTIVITY
    return Network(pops, [BernoulliSource("in", sizes[0], p=rate, seed=seed)], conns)


def from_spec(spec: str, rate: float | None = None) -> Network:
    """A built-in workload from its spec: ``mlp:SIZES`` (comma-separated layer sizes, the first
    being Bernoulli inputs at `rate` spikes per step, default 0.05) or ``recurrent:N[,FAN_OUT]``
    (self-driven at `rate`, default 1/33); every number a positive integer."""
    kind, _, args = spec.partition(":")
    try:
        numbers = [int(x) for x in args.split(",") if x.strip()]
    except ValueError:
        numbers = []
    counts = {"mlp": (2, 64), "recurrent": (1, 2)}.get(kind)
    if counts is None or not counts[0] <= len(numbers) <= counts[1] or min(numbers) < 1:
        raise NetworkError(f"workload {spec!r}: expected 'mlp:784,512,512,10' or 'recurrent:N[,FAN_OUT]' "
                           "with positive integers")
    synapses = sum(a * b for a, b in zip(numbers, numbers[1:])) if kind == "mlp" else numbers[0] * min(
        numbers[-1] if len(numbers) > 1 else 100, numbers[0])
    if synapses > MAX_SYNAPSES:
        raise NetworkError(f"workload {spec!r}: expected at most {MAX_SYNAPSES:,} synapses (about 6 bytes each), "
                           f"found {synapses:,}")
    if kind == "mlp":
        return feed_forward_snn(tuple(numbers), DEFAULT_INPUT_RATE if rate is None else rate)
    return recurrent_network(*numbers, rate=DEFAULT_RECURRENT_RATE if rate is None else rate)
