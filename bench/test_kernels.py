"""Kernel speed and memory, each printed next to its target and, for scatter, this machine's ceiling."""
import subprocess
import sys
import time

import numpy as np
import pytest
from numba import njit

import neurochip as nc
from neurochip.workloads import feed_forward_snn, recurrent_network


@njit(cache=True)
def scatter_ceiling(acc, idx, w, reps):
    """Random scatter ``acc[idx[e]] += w[e]``: the memory system's limit on event delivery."""
    for _ in range(reps):
        for e in range(idx.shape[0]):
            acc[idx[e]] += w[e]


def scatter_events_per_s(n_targets: int, n_events: int = 2_000_000) -> float:
    rng = np.random.default_rng(0)
    acc = np.zeros(n_targets, np.int32)
    idx = rng.integers(0, n_targets, n_events).astype(np.uint32)
    w = rng.integers(-128, 128, n_events).astype(np.int16)
    scatter_ceiling(acc, idx, w, 1)
    t0 = time.perf_counter()
    scatter_ceiling(acc, idx, w, 5)
    return 5 * n_events / (time.perf_counter() - t0)


def timed(benchmark, fn, *args, **kw):
    """Whole-call time (min of 3) of fn(*args, **kw), after a compile-warming short call."""
    fn(*args, **{**kw, "steps": 2})
    result = benchmark.pedantic(fn, args=args, kwargs=kw, rounds=3, iterations=1)
    return result, benchmark.stats.stats.min


def steady(fn, short: int, long: int, **kw) -> tuple[float, float]:
    """(seconds per step with the one-time packing cost removed, that one-time cost), from the
    difference of a short and a long run (min of 3 each)."""
    def best(steps):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn(steps=steps, **kw)
            times.append(time.perf_counter() - t0)
        return min(times)
    t_short, t_long = best(short), best(long)
    per_step = (t_long - t_short) / (long - short)
    return per_step, t_short - short * per_step


@pytest.mark.parametrize("n, target", [(10_000, 0.5e9), (100_000, 0.2e9)])
def test_event_delivery_single_thread(n, target, benchmark):
    net = recurrent_network(n)
    steps = 2000 if n == 10_000 else 300
    result, wall = timed(benchmark, nc.emulate, net, steps=steps)
    totals = result.counters.totals()
    per_step, fixed = steady(nc.emulate, steps // 10, steps, network=net)
    rate = totals["synaptic_ops"] / steps / per_step
    ceiling = scatter_events_per_s(n)
    benchmark.extra_info.update(events_per_s=rate, whole_call_events_per_s=totals["synaptic_ops"] / wall,
                                ceiling=ceiling)
    print(f"\nN={n:,} K=100 activity {totals['spikes'] / n / steps:.2%}: {rate / 1e9:.2f}G synaptic ops/s "
          f"stepping (compartment updates included; {per_step * 1e6:.1f} us/step), "
          f"{rate / ceiling:.0%} of this machine's random-scatter ceiling {ceiling / 1e9:.2f}G/s; "
          f"whole call incl. {fixed * 1e3:.0f} ms packing: {totals['synaptic_ops'] / wall / 1e9:.2f}G/s; "
          f"target {target / 1e9:.1f}G/s")
    assert rate >= target


def test_dense_rows(benchmark):
    rng = np.random.default_rng(1)
    n = 4000
    pop = nc.LIF("p", n, vth=2**17 - 1, du=4095, dv=4095)
    src = nc.BernoulliSource("s", n, p=0.08, seed=1)
    net = nc.Network([pop], [src], [nc.Connection("w", "s", "p", rng.integers(1, 128, (n, n)))])
    result, wall = timed(benchmark, nc.emulate, net, steps=400)
    per_step, fixed = steady(nc.emulate, 40, 400, network=net)
    rate = result.counters.totals()["synaptic_ops"] / 400 / per_step
    print(f"\ndense int8 rows, N={n}, 8% input activity: {rate / 1e9:.1f}G synaptic ops/s stepping "
          f"(whole call incl. {fixed * 1e3:.0f} ms packing: {result.counters.totals()['synaptic_ops'] / wall / 1e9:.1f}G/s); "
          f"target 10G/s")
    assert rate >= 10e9


@pytest.mark.parametrize("n", [10_000, 1_000_000])
def test_neuron_update(n, benchmark):
    net = nc.Network([nc.LIF("p", n, du=100, dv=100, vth=2**17 - 1, bias_mant=5)])
    steps = 2000 if n == 10_000 else 50
    _, wall = timed(benchmark, nc.emulate, net, steps=steps)
    ns = wall / steps / n * 1e9
    print(f"\nneuron update, N={n:,}: {ns:.2f} ns per compartment per step; target <= 2 ns")
    assert ns <= 2.0


@pytest.mark.parametrize("batch", [1, 16, 256])
def test_batched_inference(batch, benchmark):
    net = feed_forward_snn()
    steps = 32
    result, wall = timed(benchmark, nc.emulate, net, steps=steps, batch=batch)
    totals = result.counters.totals()
    print(f"\n784-512-512-10 SNN, {steps} steps, batch {batch}: {batch / wall:,.0f} inferences/s, "
          f"{totals['synaptic_ops'] / batch:,.0f} synaptic ops per inference")


MEMORY_SCRIPT = """
import resource, numpy as np, scipy.sparse as sp, neurochip as nc
n, k = 1_000_000, 100
rng = np.random.default_rng(0)
indptr = np.arange(0, n * k + 1, k, dtype=np.int32)
targets = rng.integers(0, n, n * k, dtype=np.int32)
w = sp.csc_array((np.ones(n * k, np.int8), targets, indptr), shape=(n, n))
pop = nc.LIF("p", n, du=4095, vth=100, bias_mant=128, v=rng.integers(0, 6400, n))
r = nc.emulate(nc.Network([pop], connections=[nc.Connection("w", "p", "p", w)]), 20)
print(r.counters.totals()["synaptic_ops"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_memory_1m_neurons_100m_synapses(benchmark):
    def run():
        return subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], check=True, capture_output=True, text=True).stdout

    out = benchmark.pedantic(run, rounds=1, iterations=1)
    ops, rss_kib = map(int, out.split())
    gib = rss_kib / 2**20
    print(f"\n1M compartments, 100M synapses, 20 steps ({ops:,} synaptic ops): peak RSS {gib:.2f} GiB; target < 1.5 GiB")
    assert gib < 1.5


def test_batch_parallel_scaling(benchmark):
    """Samples of a batch run one per thread: the same batch on 1 thread and on all threads."""
    import numba
    net = feed_forward_snn(rate=0.05)
    batch, steps = 16, 256
    threads = numba.get_num_threads()
    nc.emulate(net, 2, batch=batch)
    numba.set_num_threads(1)
    try:
        one = []
        for _ in range(3):
            t0 = time.perf_counter()
            nc.emulate(net, steps, batch=batch)
            one.append(time.perf_counter() - t0)
        one = min(one)
    finally:
        numba.set_num_threads(threads)
    benchmark.pedantic(nc.emulate, args=(net, steps), kwargs={"batch": batch}, rounds=3, iterations=1)
    many = benchmark.stats.stats.min
    print(f"\nbatch {batch} of the 784-512-512-10 SNN: 1 thread {batch / one:,.0f} inferences/s, "
          f"{threads} threads {batch / many:,.0f} inferences/s, scaling {one / many:.2f}x on {threads} cores")
    assert one / many >= 0.8 * threads
