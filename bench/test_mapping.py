"""Mapping speed: 1M compartments and 100M synapses onto Loihi in under 10 s."""
import numpy as np
import scipy.sparse as sp

import neurochip as nc
from neurochip.mapping import map_network


def big_network(n=1_000_000, k=100, seed=0):
    rng = np.random.default_rng(seed)
    indptr = np.arange(0, n * k + 1, k, dtype=np.int32)
    targets = rng.integers(0, n, n * k, dtype=np.int32)
    w = sp.csc_array((np.ones(n * k, np.int8), targets, indptr), shape=(n, n))
    return nc.Network([nc.LIF("p", n, du=4095, vth=100)], connections=[nc.Connection("w", "p", "p", w)])


def test_map_1m_compartments_100m_synapses(benchmark):
    net = big_network()
    # Random fan-in 100 fills a core's 4096 input axons at ~40 compartments: ~25k cores on 196 chips,
    # 7 of Pohoiki Springs' 32-chip boards (Frady et al. 2020).
    placement = benchmark.pedantic(map_network, args=(net, "loihi"), rounds=1, iterations=1)
    seconds = benchmark.stats.stats.min
    print(f"\nmapped 1M compartments / 100M synapses onto {placement.n_cores} loihi cores "
          f"({placement.n_chips} chips, {placement.n_boards} boards) in {seconds:.1f} s; target < 10 s")
    assert seconds < 10
