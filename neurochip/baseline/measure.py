"""Measured energy of dense inference where the machine allows it; a reason where it does not.

CPU: the RAPL package counter (/sys/class/powercap/intel-rapl:*/energy_uj, which AMD Zen kernels
also expose) around a timed inference loop. GPU: NVML's total-energy counter (nvidia-ml-py) around
a warmed-up loop of at least `seconds`, idle board power measured first and reported apart, with
PyTorch or CuPy doing the work. Results are JSON-ready dicts carrying machine, device, driver,
dtype, batch, duration, idle power and method, so a report can cite "measured: <file>".
"""
from __future__ import annotations

import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..errors import NotMeasurable
from ..atomic import write_atomic
from .mlp import MLP

RAPL_GLOB = "/sys/class/powercap/*rapl*:*/energy_uj"


def _machine() -> dict:
    return {"machine": platform.node(), "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def rapl_counters() -> list[Path]:
    """Readable RAPL package energy counters, or [] (containers and VMs usually hide them)."""
    counters = []
    for path in sorted(Path("/").glob(RAPL_GLOB.lstrip("/"))):
        try:
            int(path.read_text())
            counters.append(path)
        except (OSError, ValueError):
            continue
    return counters


def measure_cpu(model: MLP, x: np.ndarray, batch: int = 1, seconds: float = 5.0) -> dict:
    """Energy and rate of numpy inference at `batch`, from RAPL. Raises `NotMeasurable` without it."""
    counters = rapl_counters()
    if not counters:
        raise NotMeasurable(f"not measurable here: no readable RAPL counters ({RAPL_GLOB})")
    xb = np.resize(x, (batch, x.shape[1]))
    model.predict(xb)
    read = lambda: sum(int(p.read_text()) for p in counters)  # noqa: E731
    e0, t0, n = read(), time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        model.predict(xb)
        n += batch
    joules, dt = (read() - e0) * 1e-6, time.perf_counter() - t0
    return {**_machine(), "device": "cpu", "dtype": "fp64 (numpy)", "batch": batch, "duration_s": dt,
            "inferences": n, "joules": joules, "j_per_inference": joules / n, "inferences_per_s": n / dt,
            "idle_power_w": None, "method": f"RAPL package counters {', '.join(map(str, counters))}"}


def measure_gpu(sizes: tuple[int, ...], batches=(1, 64, 1024, 16384), dtypes=("fp32", "bf16"),
                seconds: float = 5.0) -> dict:
    """NVML-measured energy per inference of a random MLP with layer `sizes` on GPU 0 (PyTorch).
    Raises `NotMeasurable` when there is no NVML, no PyTorch with CUDA, or no GPU."""
    try:
        import pynvml
        import torch
    except ImportError as exc:
        raise NotMeasurable(f"not measurable here: {exc.name} is not installed (pip install neurochip[gpu])") from None
    if not torch.cuda.is_available():
        raise NotMeasurable("not measurable here: PyTorch sees no CUDA device")
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(0)
    energy_j = lambda: pynvml.nvmlDeviceGetTotalEnergyConsumption(handle) / 1000.0  # noqa: E731
    time.sleep(2)
    e0, t0 = energy_j(), time.perf_counter()
    time.sleep(5)
    idle_w = (energy_j() - e0) / (time.perf_counter() - t0)
    runs = []
    for dtype in dtypes:
        torch_dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[dtype]
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        net = torch.nn.Sequential(*layers[:-1]).to("cuda", torch_dtype).eval()
        for batch in batches:
            xb = torch.randn(batch, sizes[0], device="cuda", dtype=torch_dtype)
            with torch.inference_mode():
                for _ in range(20):
                    net(xb)
                torch.cuda.synchronize()
                e0, t0, n = energy_j(), time.perf_counter(), 0
                while time.perf_counter() - t0 < seconds:
                    net(xb)
                    n += batch
                torch.cuda.synchronize()
                joules, dt = energy_j() - e0, time.perf_counter() - t0
            runs.append({"dtype": dtype, "batch": batch, "duration_s": dt, "inferences": n, "joules": joules,
                         "j_per_inference": joules / n, "dynamic_j_per_inference": (joules - idle_w * dt) / n,
                         "avg_power_w": joules / dt, "inferences_per_s": n / dt})
    return {**_machine(), "device": pynvml.nvmlDeviceGetName(handle), "driver": pynvml.nvmlSystemGetDriverVersion(),
            "sizes": list(sizes), "idle_power_w": idle_w, "runs": runs,
            "method": "NVML total energy counter around a warmed-up PyTorch loop; idle power from 5 s idle"}


def save_measurement(data: dict, path: str | Path) -> Path:
    """Write a measurement as JSON (atomically) for profiles and reports to cite."""
    return write_atomic(path, json.dumps(data, indent=2, default=str))
