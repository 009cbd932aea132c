"""`make demo`: emulate a small recurrent network driven by Poisson-like input and print its counters."""
from __future__ import annotations

import time

import numpy as np

from .api import emulate
from .ir import LIF, BernoulliSource, Connection, Network
from .workloads import fixed_fan_out


def demo_network(n: int = 1000, n_in: int = 200, fan_out: int = 100, seed: int = 0) -> Network:
    """`n` LIF compartments with sparse, mostly inhibitory recurrence (delay 2), fed by `n_in`
    inputs spiking with probability 0.02 per step; about 3% of compartments spike per step."""
    rng = np.random.default_rng(seed)
    return Network(
        populations=[LIF("cortex", n, du=410, dv=205, vth=300)],
        sources=[BernoulliSource("input", n_in, p=0.02, seed=seed)],
        connections=[Connection("input->cortex", "input", "cortex", fixed_fan_out(n_in, n, fan_out, rng, 30, 90)),
                     Connection("recurrent", "cortex", "cortex", fixed_fan_out(n, n, fan_out, rng, -80, 30), delays=2)],
    )


def main(steps: int = 1000) -> None:
    net = demo_network()
    emulate(net, 2)  # compile (cached on disk after the first run)
    t0 = time.perf_counter()
    result = emulate(net, steps)
    wall = time.perf_counter() - t0
    totals = result.counters.totals()
    print(f"neurochip demo: {net.n_compartments} LIF compartments, {steps} steps, {wall * 1e3:.1f} ms "
          f"({steps / wall:,.0f} steps/s)")
    print("counter (exact, summed over the run)")
    for name, value in totals.items():
        print(f"  {name:<16} {value:>14,}")
    rate = totals["spikes"] / (net.n_compartments * steps)
    print(f"mean activity {rate:.2%} of compartments per step; "
          f"{totals['synaptic_ops'] / wall / 1e6:,.1f} M synaptic ops/s emulated")


if __name__ == "__main__":
    main()
