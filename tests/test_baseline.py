"""The dense baseline: accuracy, exact counts, save/load, the GPU model against our H100 run."""
import gzip
import json
import struct

import numpy as np
import pytest

from neurochip.baseline import (MLP, NotMeasurable, crossover, digits, estimate, gpu_sweep, layer_costs,
                                measure_cpu, measure_gpu, mnist, train)
from neurochip.baseline.crossover import MEASURED_H100
from neurochip.report import plots

SIZES = (784, 512, 512, 10)


@pytest.fixture(scope="module")
def trained():
    data = digits()
    model, history = train(data, (128,), epochs=60, seed=0)
    return data, model, history


def test_digits_accuracy_and_training(trained):
    data, model, history = trained
    assert len(data.x_train) + len(data.x_test) == 1797
    assert model.sizes == (64, 128, 10)
    assert model.accuracy(data.x_test, data.y_test) >= 0.95
    assert history[-1] < history[0]


def test_training_is_deterministic(trained):
    data, model, _ = trained
    again, _ = train(data, (128,), epochs=60, seed=0)
    for a, b in zip(model.weights, again.weights):
        np.testing.assert_array_equal(a, b)


def test_mac_and_byte_counts_by_hand():
    layers = layer_costs(SIZES, "fp32")
    assert [layer.macs for layer in layers] == [784 * 512, 512 * 512, 512 * 10]
    assert sum(layer.macs for layer in layers) == 668_672
    assert layers[0].parameter_bytes == (784 * 512 + 512) * 4 and layers[0].activation_bytes == (784 + 512) * 4
    assert layer_costs(SIZES, "bf16")[2].parameter_bytes == (512 * 10 + 10) * 2
    e = estimate(SIZES, "cpu", "fp32", batch=8)
    assert e.macs == 668_672
    assert e.breakdown_j["mac"] == pytest.approx(668_672 * 4.6e-12)
    bytes_per_inference = sum(l.parameter_bytes for l in layers) / 8 + sum(l.activation_bytes for l in layers)
    assert e.breakdown_j["memory_bytes"] == pytest.approx(bytes_per_inference * 162.5e-12)  # 2.7 MB: DRAM
    small = estimate((64, 128, 10), "cpu", "fp32", batch=1)   # 38.8 KiB of weights and activations: the 1 MB level
    assert small.breakdown_j["memory_bytes"] == pytest.approx(((64 * 128 + 128 + 128 * 10 + 10) * 4 + (64 + 128 + 128 + 10) * 4)
                                                              * 12.5e-12)
    assert any("fits L2" in n for n in small.notes)
    assert e.time_per_inference_s is None and any("time not modeled" in n for n in e.notes)


def test_save_load_round_trip_and_mismatch(tmp_path, trained):
    _, model, _ = trained
    path = model.save(tmp_path / "m.npz")
    loaded = MLP.load(path, sizes=(64, 128, 10))
    np.testing.assert_array_equal(loaded.weights[1], model.weights[1])
    with pytest.raises(ValueError, match=r"m\.npz: expected layer sizes \(784, 128, 10\), found \(64, 128, 10\)"):
        MLP.load(path, sizes=(784, 128, 10))
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"bad\.npz: not a neurochip MLP file"):
        MLP.load(tmp_path / "bad.npz")


def test_gpu_model_against_our_h100_measurement():
    """Modeled energy per inference is 0.46-0.73x the NVML-measured figure at every batch and
    dtype (the model lacks the board's active-but-idle power); throughput 0.74-1.28x."""
    data = json.loads(MEASURED_H100.read_text())
    for run in data["runs"]:
        dtype = "fp32" if "32" in run["dtype"] else "bf16"
        e = estimate(SIZES, "gpu-h100", dtype, run["batch"])
        assert 0.4 < e.energy_per_inference_j / run["j_per_inference"] < 0.8
        assert 0.7 < e.inferences_per_s / run["inferences_per_s"] < 1.35


def test_crossover_and_plot():
    rows = gpu_sweep(SIZES)
    assert {r["source"] for r in rows} == {"modeled", "measured: profiles/measurements/h100_dense_mlp_energy_2026-11-23.json"}
    assert crossover(rows, snn_j=1e-3) == {"fp32": 16, "bf16": 16}
    assert crossover(rows, snn_j=1e-9) == {"fp32": None, "bf16": None}
    assert plots.crossover(rows, 1e-3, "SNN")[:4] == b"\x89PNG"


def test_measurement_paths_say_why_not(trained):
    _, model, _ = trained
    x = np.zeros((1, 64))
    try:
        result = measure_cpu(model, x, seconds=0.2)
        assert result["j_per_inference"] > 0 and result["method"].startswith("RAPL")
    except NotMeasurable as exc:
        assert "not measurable here" in str(exc)
    try:
        import torch
        if torch.cuda.is_available():
            pytest.skip("a GPU is present: measure_gpu is exercised on the device machine")
    except ImportError:
        pass
    with pytest.raises(NotMeasurable, match="not measurable here"):
        measure_gpu(SIZES, batches=(1,), seconds=0.1)


def test_mnist_loaders(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    y = np.arange(5, dtype=np.uint8)
    np.savez(tmp_path / "m.npz", x_train=x, y_train=y, x_test=x[:2], y_test=y[:2])
    d = mnist(tmp_path / "m.npz")
    assert d.x_train.shape == (5, 784) and d.x_train.max() <= 1.0 and d.n_classes == 5
    idx = tmp_path / "idx"
    idx.mkdir()

    def write(name, arr):
        header = struct.pack(">HBB", 0, 8, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
        with gzip.open(idx / f"{name}.gz", "wb") as f:
            f.write(header + arr.tobytes())

    for name, arr in (("train-images-idx3-ubyte", x), ("train-labels-idx1-ubyte", y),
                      ("t10k-images-idx3-ubyte", x[:2]), ("t10k-labels-idx1-ubyte", y[:2])):
        write(name, arr)
    d = mnist(idx)
    assert d.x_test.shape == (2, 784) and d.y_train.tolist() == [0, 1, 2, 3, 4]
    np.savez(tmp_path / "broken.npz", x_train=x)
    with pytest.raises(ValueError, match=r"broken\.npz: expected arrays .*missing \['x_test', 'y_test', 'y_train'\]"):
        mnist(tmp_path / "broken.npz")


def test_baseline_cli(tmp_path, capsys):
    from neurochip.__main__ import main

    assert main(["baseline", "--epochs", "5", "--snn-steps", "8", "--out", str(tmp_path)]) == 0
    assert "test accuracy" in capsys.readouterr().out
    report = json.loads((tmp_path / "baseline.json").read_text())
    assert report["sizes"] == [64, 128, 10] and 0 < report["accuracy"] <= 1
    assert set(report["crossover_batch"]) == {"fp32", "bf16"}
    assert (tmp_path / "crossover.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "mlp.npz").exists()


def test_gpu_power_never_exceeds_the_board_limit():
    """Energy per FLOP is the power above idle at peak ((700 - 74.7) W / peak), and idle is
    charged once: a compute-bound batch draws at most the 700 W TDP (it modeled 775 W before)."""
    for dtype in ("fp32", "bf16"):
        big = estimate((8192, 8192, 8192), "gpu-h100", dtype, 65536)
        assert big.power_w <= 700.0 + 1e-6
    e = estimate(SIZES, "gpu-h100", "fp32", 16384)
    assert e.power_w < 700
