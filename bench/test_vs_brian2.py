"""neurochip vs Brian2 2.9 cpp_standalone on a CUBA-sized network, one run (Python 3.10 env).

Brian2 runs its CUBA example (4,000 neurons, connection probability 0.02, 10,000 steps of
0.1 ms) on one thread; its time is its own measured simulation time (code generation and
compilation excluded). neurochip runs a fixed-point LIF network matched in size, fan-out
(80) and firing rate; its time is the whole `emulate` call.
"""
import numpy as np
import pytest
import scipy.sparse as sp

brian2 = pytest.importorskip("brian2", reason="run in .venv-lava (make bench)")

import neurochip as nc  # noqa: E402

N, FAN_OUT, STEPS = 4000, 80, 10_000


def brian2_cuba(tmp_path):
    """Brian2's CUBA example; returns (simulation seconds, mean rate in Hz)."""
    b = brian2
    b.set_device("cpp_standalone", directory=str(tmp_path / "cuba"), build_on_run=False)
    b.prefs.devices.cpp_standalone.openmp_threads = 0
    b.defaultclock.dt = 0.1 * b.ms
    taum, taue, taui = 20 * b.ms, 5 * b.ms, 10 * b.ms
    vt, vr, el = -50 * b.mV, -60 * b.mV, -49 * b.mV
    eqs = """dv/dt = (ge + gi - (v - el)) / taum : volt (unless refractory)
             dge/dt = -ge / taue : volt
             dgi/dt = -gi / taui : volt"""
    pop = b.NeuronGroup(N, eqs, threshold="v > vt", reset="v = vr", refractory=5 * b.ms, method="exact")
    pop.v = "vr + rand() * (vt - vr)"
    we, wi = (60 * 0.27 / 10) * b.mV, (-20 * 4.5 / 10) * b.mV
    ce = b.Synapses(pop[:3200], pop, on_pre="ge += we")
    ci = b.Synapses(pop[3200:], pop, on_pre="gi += wi")
    ce.connect(p=0.02)
    ci.connect(p=0.02)
    spikes = b.SpikeMonitor(pop, record=False)
    b.run(STEPS * b.defaultclock.dt)
    b.device.build(directory=str(tmp_path / "cuba"), compile=True, run=True)
    rate = spikes.num_spikes / N / (STEPS * float(b.defaultclock.dt))
    sim_s = b.device._last_run_time
    b.device.reinit()
    b.device.activate()
    return sim_s, rate


def matched_network(rate_hz: float) -> nc.Network:
    """4,000 LIF compartments, fan-out 80 (80% excitatory), firing near `rate_hz` at 0.1 ms steps."""
    rng = np.random.default_rng(0)
    period = 1 / (rate_hz * 1e-4)
    vth = 1000
    cols = np.repeat(np.arange(N), FAN_OUT)
    rows = np.concatenate([rng.choice(N, FAN_OUT, replace=False) for _ in range(N)])
    w = np.where(cols < 3200, rng.integers(1, 4, cols.size), -rng.integers(1, 16, cols.size))
    pop = nc.LIF("cuba", N, du=4095, dv=0, vth=vth, bias_mant=int(vth * 64 / period), v=rng.integers(0, vth * 64, N))
    return nc.Network([pop], connections=[nc.Connection("w", "cuba", "cuba", sp.csc_array((w, (rows, cols)), shape=(N, N)))])


def test_cuba_sized_vs_brian2_cpp_standalone(tmp_path, benchmark):
    brian_s, brian_rate = brian2_cuba(tmp_path)
    net = matched_network(brian_rate)
    nc.emulate(net, 2)
    result = benchmark.pedantic(nc.emulate, args=(net, STEPS), rounds=3, iterations=1)
    ours_s = benchmark.stats.stats.min
    our_rate = result.counters.totals()["spikes"] / N / (STEPS * 1e-4)
    ratio = brian_s / ours_s
    benchmark.extra_info.update(brian2_s=brian_s, neurochip_s=ours_s, ratio=ratio)
    print(f"\nCUBA-sized, {N} neurons, fan-out {FAN_OUT}, {STEPS} steps: Brian2 cpp_standalone {brian_s * 1e3:.1f} ms "
          f"({brian_rate:.1f} Hz), neurochip {ours_s * 1e3:.1f} ms ({our_rate:.1f} Hz), ratio {ratio:.2f}x (target >= 1)")
    assert ratio >= 1.0
