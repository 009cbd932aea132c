"""The CUDA backend (`kernels.gpu`) against the CPU backend, bit for bit: every trace, counter and
state array. Without a GPU the kernels run under numba-cuda's simulator: `make test-cuda` runs
this file with NUMBA_ENABLE_CUDASIM=1 (a warp playing three logical blocks, so that the sharing of
samples and spikes between blocks runs too). The plain core run checks the errors and that the
kernel compiles for a Hopper GPU (sm_90) through NVVM."""
import types

import numpy as np
import pytest

import neurochip as nc
from neurochip import emulator
from neurochip.errors import BackendError, NetworkError
from netgen import random_network, random_plastic_connection

numba_cuda = pytest.importorskip("numba_cuda", reason="numba-cuda is not installed (the neurochip[cuda] extra)")
from numba import config, cuda, typeof  # noqa: E402  (after the skip: numba.cuda is numba-cuda's)

# The simulator adds atomically in numpy int32 scalars, which wrap as the GPU's 32-bit adds do, with a warning.
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in scalar add:RuntimeWarning")

on_device = pytest.mark.skipif(not cuda.is_available(), reason="no CUDA device: make test-cuda runs these under "
                                                                 "numba-cuda's simulator (NUMBA_ENABLE_CUDASIM=1)")


def assert_backends_agree(net, steps, batch=1, state=None):
    """Run `net` on both backends; every trace, counter and state array must be equal."""
    record = [p.name for p in net.populations]
    cpu, gpu = (nc.emulate(net, steps, record=record, batch=batch, backend=b,
                           state=None if state is None else state[b]) for b in ("cpu", "cuda"))
    for pop in record:
        for var, trace in cpu.traces[pop].items():
            np.testing.assert_array_equal(gpu.traces[pop][var], trace, err_msg=f"{pop}.{var}")
    for name in ("node", "conn", "axon_spikes"):
        np.testing.assert_array_equal(getattr(gpu.counters, name), getattr(cpu.counters, name), err_msg=name)
    for name in ("t", "u", "v", "aux", "ring"):
        np.testing.assert_array_equal(getattr(gpu.state, name), getattr(cpu.state, name), err_msg=f"state.{name}")
    return cpu, gpu


#: (seed, models, batch): every neuron model, accumulator (int32, wide, conv 24-bit), delay kind,
#: graded payloads and sources, one sample split over blocks, and more samples than blocks.
CASES = [(seed, models, batch) for seed, (models, batch) in enumerate(
    [({}, 1), ({}, 2), ({}, 5), (dict(sigma_delta=True), 1), (dict(sigma_delta=True), 3),
     (dict(two_dendrites=True), 1), (dict(two_dendrites=True), 4), (dict(sigma_delta=True, two_dendrites=True), 2),
     ({}, 1), (dict(sigma_delta=True), 2), (dict(two_dendrites=True), 1), ({}, 3)])]


@on_device
@pytest.mark.parametrize("seed,models,batch", CASES)
def test_random_networks_match_the_cpu_backend(seed, models, batch):
    net, steps = random_network(np.random.default_rng(seed), max_n=40, max_steps=12, lava_values=True,
                                subtract=True, conv24=True, **models)
    assert_backends_agree(net, steps, batch if net.batch is None else net.batch)


@on_device
def test_wrap_around_and_saturation_match():
    """Strong drive with no decay saturates v; huge graded input wraps u (the CPU suite's case)."""
    pop = nc.LIF("p", 3, du=0, dv=0, vth=2**17 - 1, bias_mant=4095, bias_exp=7)
    src = nc.SpikeSource("s", np.full((1, 2), 2**23 - 1))
    conn = nc.Connection("c", "s", "p", np.array([[255, 255], [-256, 0], [7, -3]]), weight_exp=7,
                         num_message_bits=24)
    cpu, _ = assert_backends_agree(nc.Network([pop], [src], [conn]), 40)
    totals = cpu.counters.totals()
    assert totals["u_wraps"] > 0 and totals["v_saturations"] > 0


@on_device
def test_a_run_resumes_from_its_state_and_windows_split_runs(monkeypatch):
    """Resuming from a state gives the uninterrupted run; so do launches of 2 steps each."""
    net, _ = random_network(np.random.default_rng(7), max_n=20, lava_values=True, subtract=True)
    first = {b: nc.emulate(net, 4, batch=2, backend=b).state for b in ("cpu", "cuda")}
    assert_backends_agree(net, 5, batch=2, state=first)
    monkeypatch.setitem(emulator.SIMULATOR_LAUNCH, "window", 2)
    assert_backends_agree(net, 5, batch=2)


def test_plastic_connections_are_refused():
    plastic = random_plastic_connection(np.random.default_rng(0), "stdp", "s", "p", 2, 3, graded_ok=False)
    net = nc.Network([nc.LIF("p", 3)], [nc.SpikeSource("s", np.ones((1, 2), int))], [plastic])
    with pytest.raises(NetworkError, match="backend 'cuda': plastic connections .* CPU backend only"):
        nc.emulate(net, 2, backend="cuda")


def test_an_unknown_backend_is_named():
    net, _ = random_network(np.random.default_rng(0))
    with pytest.raises(NetworkError, match=r"backend: expected one of \['cpu', 'cuda'\], found 'tpu'"):
        nc.emulate(net, 2, backend="tpu")


@pytest.mark.skipif(cuda.is_available(), reason="a CUDA device (or the simulator) is present")
def test_without_a_gpu_one_line_says_so():
    net, _ = random_network(np.random.default_rng(0))
    with pytest.raises(BackendError, match="^backend 'cuda': no CUDA GPU or driver found on this machine; use "
                                           "backend='cpu'$"):
        nc.emulate(net, 2, backend="cuda")


def test_without_numba_cuda_one_line_says_how_to_install(monkeypatch):
    real = emulator.importlib.util.find_spec
    monkeypatch.setattr(emulator.importlib.util, "find_spec", lambda name: None if name == "numba_cuda" else real(name))
    net, _ = random_network(np.random.default_rng(0))
    with pytest.raises(BackendError, match=r"numba-cuda is not installed \(pip install 'neurochip\[cuda\]'\)"):
        nc.emulate(net, 2, backend="cuda")


@pytest.mark.skipif(config.ENABLE_CUDASIM, reason="the simulator compiles nothing")
def test_the_kernel_compiles_for_hopper(monkeypatch):
    """NVVM compiles the whole window kernel to sm_90 PTX for a network of every model and
    accumulator, typed as on a device (numba-cuda asks the current device's compute capability
    while typing device functions: answered here without one). Skipped without NVVM (the cu13 wheels)."""
    from numba.cuda import dispatcher

    from neurochip.emulator import _inputs, _tally, _trace, initial_state
    from neurochip.kernels import gpu
    from neurochip.kernels.layout import State
    from neurochip.pack import pack

    monkeypatch.setattr(dispatcher, "get_current_device", lambda: types.SimpleNamespace(compute_capability=(9, 0)))
    net, steps = random_network(np.random.default_rng(3), lava_values=True, subtract=True, conv24=True,
                                sigma_delta=True, two_dendrites=True)
    packed = pack(net)
    s = initial_state(net, 2, packed)
    args = gpu.kernel_args(0, _inputs(net, 0, steps, 2), packed.model, State(s.u, s.v, s.aux, s.ring),
                           _trace(packed, net.populations, 2, steps), _tally(packed, 2, steps), packed.partial_depth,
                           128, 1, lambda a: a)
    try:
        ptx, _ = cuda.compile_ptx(gpu.run_window.py_func, tuple(typeof(a) for a in (0, 0, *args)), cc=(9, 0))
    except Exception as exc:  # noqa: BLE001 (NVVM missing shows as one of several errors)
        if "NVVM" in str(exc) or "libnvvm" in str(exc):
            pytest.skip(f"no NVVM here: {exc}")
        raise
    assert ".target sm_90" in ptx
    assert "atom.global.add.u32" in ptx and "atom.global.add.u64" in ptx


@pytest.mark.skipif(not config.ENABLE_CUDASIM, reason="the device script's smoke run is for the simulator")
def test_the_device_script_runs(tmp_path):
    """bench/gpu_check.py, prepared for a GPU machine's short lease, runs end to end at tiny sizes
    and writes its JSON: batched inference and the recurrent network beside the CPU, and
    bit-exactness on the device."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("gpu_check", Path(__file__).parents[1] / "bench" / "gpu_check.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(["--smoke", "--out", str(tmp_path / "gpu_check.json")])
    report = json.loads((tmp_path / "gpu_check.json").read_text())
    assert report["machine"]["nvidia_smi"] == "numba-cuda simulator"
    assert {"gpu", "cpu_2_threads", "speedup_vs_cpu_2_threads"} <= set(report["batched_inference"][0])
    assert report["recurrent"]["compartments"] == 60 and report["recurrent"]["gpu"]["steps_per_s"] > 0
    assert report["bit_exact"]["equal"] == report["bit_exact"]["networks"] == 1
