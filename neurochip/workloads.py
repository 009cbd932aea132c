"""Built-in workloads: seeded networks named by short specs (``mlp:784,512,512,10``,
``recurrent:10000,100``), used by the CLI, the benchmarks and the tests."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .errors import NetworkError
from .ir import LIF, BernoulliSource, Connection, Network

#: Each compartment integrates a constant bias to threshold in PERIOD steps (dv = 0, no leak),
#: so activity is ~1/PERIOD per step (2.0% measured at N = 1k and 10k) with weak recurrent input.
PERIOD = 33
VTH = 100


def fixed_fan_out(n_src: int, n_dst: int, fan_out: int, rng, lo: int, hi: int) -> sp.csr_array:
    """(n_dst, n_src) weights drawn from [lo, hi): each source reaches `fan_out` distinct random
    targets (a drawn weight of 0 is kept as an explicit entry)."""
    cols = np.repeat(np.arange(n_src), fan_out)
    rows = np.concatenate([rng.choice(n_dst, fan_out, replace=False) for _ in range(n_src)]) if fan_out < n_dst \
        else np.tile(np.arange(n_dst), n_src)
    return sp.csr_array((rng.integers(lo, hi, cols.size), (rows, cols)), shape=(n_dst, n_src))


def recurrent_params(n: int, fan_out: int = 100, seed: int = 0) -> dict:
    """Parameters of a self-driven recurrent LIF network at ~2% activity per step."""
    rng = np.random.default_rng(seed)
    v = rng.integers(0, VTH * 64, n)
    weights = fixed_fan_out(n, n, min(fan_out, n), rng, -8, 9)
    weights.data[weights.data == 0] = 1  # every synapse nonzero: the fan-out is exact
    return dict(n=n, du=4095, dv=0, vth=VTH, bias_mant=VTH * 64 // PERIOD, v=v, weights=weights)


def staggered_params(n: int, fan_out: int = 100, periods: tuple[int, int] = (28, 62), seed: int = 0) -> dict:
    """As `recurrent_params`, but desynchronised by per-compartment biases (firing periods drawn
    from `periods`) with v starting at 0: a form every simulator can express."""
    p = recurrent_params(n, fan_out, seed)
    rng = np.random.default_rng(seed + 1)
    p.update(bias_mant=(VTH * 64 / rng.uniform(*periods, n)).astype(np.int64), v=np.zeros(n, np.int64))
    return p


def recurrent_network(n: int, fan_out: int = 100, seed: int = 0, params: dict | None = None) -> Network:
    p = params or recurrent_params(n, fan_out, seed)
    pop = LIF("rec", p["n"], du=p["du"], dv=p["dv"], vth=p["vth"], bias_mant=p["bias_mant"], v=p["v"])
    return Network([pop], connections=[Connection("w", "rec", "rec", p["weights"])])


def feed_forward_snn(sizes=(784, 512, 512, 10), rate: float = 0.1, batch: int | None = None,
                     seed: int = 0) -> Network:
    """A dense feed-forward SNN (e.g. 784-512-512-10) driven by Bernoulli inputs."""
    rng = np.random.default_rng(seed)
    pops = [LIF(f"l{i}", n, du=4095, dv=400, vth=60) for i, n in enumerate(sizes[1:], 1)]
    names = ["in"] + [p.name for p in pops]
    conns = [Connection(f"w{i}", names[i], names[i + 1], rng.integers(-40, 60, (sizes[i + 1], sizes[i])))
             for i in range(len(sizes) - 1)]
    return Network(pops, [BernoulliSource("in", sizes[0], p=rate, seed=seed)], conns)


def from_spec(spec: str) -> Network:
    """A built-in workload from its spec: ``mlp:SIZES`` (comma-separated layer sizes, the first
    being Bernoulli inputs) or ``recurrent:N[,FAN_OUT]``; every number a positive integer."""
    kind, _, args = spec.partition(":")
    try:
        numbers = [int(x) for x in args.split(",") if x.strip()]
    except ValueError:
        numbers = []
    counts = {"mlp": (2, 64), "recurrent": (1, 2)}.get(kind)
    if counts is None or not counts[0] <= len(numbers) <= counts[1] or min(numbers) < 1:
        raise NetworkError(f"workload {spec!r}: expected 'mlp:784,512,512,10' or 'recurrent:N[,FAN_OUT]' "
                           "with positive integers")
    return feed_forward_snn(tuple(numbers)) if kind == "mlp" else recurrent_network(*numbers)
