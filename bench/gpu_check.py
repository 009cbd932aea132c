"""The CUDA backend on a GPU machine, in one short run: speed beside the CPU backend in the same
run, and bit-exactness on the GPU itself. Writes one JSON file (machine, driver, date, figures).

On the device machine (numba-cuda is in its image; nothing to install):

    PYTHONUNBUFFERED=1 python3 bench/gpu_check.py --out $OUT/gpu_check.json

Sections, each saved as it finishes (a run stopped by its time limit keeps the earlier ones):
1. batched inference of the 784-512-512-10 SNN at B = 1, 256, 4096: sample-steps per second on
   the GPU and on the CPU backend limited to 2 threads (the 2-core CI machine's share) and to
   all cores; target >= 20x the 2-core CPU.
2. the 1M-compartment / 100M-synapse recurrent network (~2-3% activity): steps per second;
   target >= 1,000 (faster than real time at 1 ms steps).
3. bit-exactness: the random networks of the Lava export conformance test (the same seeds) and
   of tests/test_cuda_backend.py, GPU against CPU, every trace, counter and state array.

Rates are marginal: (steps of a long run - steps of a short one) / (the difference in time),
both runs timed after a warm-up that compiles, so copies to the device and compilation are not
counted. `--smoke` runs tiny sizes (under numba-cuda's simulator in `make test-cuda`).
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _source_tree() -> None:
    """Import neurochip from this checkout when it is not installed (the device machine has no
    registry to install its dependencies from): kernels/ and profiles/ become neurochip.kernels
    and neurochip.profiles as an installed copy names them."""
    if importlib.util.find_spec("neurochip") is not None:
        return
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    import neurochip
    for sub in ("kernels", "profiles"):
        spec = importlib.util.spec_from_file_location(f"neurochip.{sub}", ROOT / sub / "__init__.py",
                                                      submodule_search_locations=[str(ROOT / sub)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        setattr(neurochip, sub, module)


def machine() -> dict:
    """The GPU, its driver, numba-cuda, the CPU and the date."""
    import numba_cuda
    from numba import config, cuda
    smi = "numba-cuda simulator" if config.ENABLE_CUDASIM else subprocess.run(
        ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
        capture_output=True, text=True, check=False).stdout.strip()
    device = cuda.get_current_device()
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "nvidia_smi": smi,
            "device": str(getattr(device, "name", "")),
            "compute_capability": list(getattr(device, "compute_capability", ())),
            "numba_cuda": numba_cuda.__version__, "cpu": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__}


def marginal_rate(run, short: int, long: int) -> dict:
    """Steps per second of `run(steps)` between a short and a long run (after a warm-up)."""
    run(2)
    t0 = time.perf_counter()
    run(short)
    t1 = time.perf_counter()
    run(long)
    t2 = time.perf_counter()
    return {"short_steps": short, "long_steps": long, "short_s": t1 - t0, "long_s": t2 - t1,
            "steps_per_s": (long - short) / max(t2 - t1 - (t1 - t0), 1e-9), "steps_per_s_overall": long / (t2 - t1)}


def batched(sizes: tuple[int, ...], batches: list[int], steps: int, cpu_threads: list[int]) -> list[dict]:
    """Sample-steps per second of the feed-forward SNN, GPU beside the CPU backend."""
    import numba

    from neurochip.emulator import emulate
    from neurochip.pack import pack
    from neurochip.workloads import feed_forward_snn

    rows = []
    for b in batches:
        net = feed_forward_snn(sizes)
        packed = pack(net)
        row = {"sizes": list(sizes), "batch": b}
        row["gpu"] = marginal_rate(lambda s: emulate(net, s, batch=b, packed=packed, backend="cuda"), steps, 3 * steps)
        for threads in cpu_threads:
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            row[f"cpu_{threads}_threads"] = marginal_rate(lambda s: emulate(net, s, batch=b, packed=packed),
                                                           max(1, steps // 4), max(2, steps))
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        for threads in cpu_threads:
            cpu = row[f"cpu_{threads}_threads"]["steps_per_s"]
            row[f"speedup_vs_cpu_{threads}_threads"] = row["gpu"]["steps_per_s"] / cpu
        row["gpu_sample_steps_per_s"] = row["gpu"]["steps_per_s"] * b
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def recurrent(n: int, fan_out: int, gpu_steps: int, cpu_steps: int) -> dict:
    """Steps per second of the recurrent network, GPU beside the CPU backend."""
    from neurochip.emulator import emulate
    from neurochip.pack import pack
    from neurochip.workloads import recurrent_network

    t0 = time.perf_counter()
    net = recurrent_network(n, fan_out)
    packed = pack(net)
    out = {"compartments": n, "synapses": int(packed.syn.row_nnz.sum()), "build_and_pack_s": time.perf_counter() - t0}
    out["gpu"] = marginal_rate(lambda s: emulate(net, s, packed=packed, backend="cuda"), gpu_steps // 4, gpu_steps)
    out["cpu"] = marginal_rate(lambda s: emulate(net, s, packed=packed), cpu_steps // 4, cpu_steps)
    run = emulate(net, 50, packed=packed, backend="cuda")
    out["activity"] = float(run.counters.totals()["spikes"] / (50 * n))
    out["speedup"] = out["gpu"]["steps_per_s"] / out["cpu"]["steps_per_s"]
    out["real_time_at_1ms"] = out["gpu"]["steps_per_s"] >= 1000
    print(json.dumps(out), flush=True)
    return out


def exactness(n_export: int, cases: list, budget_s: float) -> dict:
    """GPU against CPU on the conformance networks: the Lava export test's seeds (10_000 + s,
    Lava's values), then `cases` (tests/test_cuda_backend.py's); stops when the time budget is spent."""
    from netgen import random_network
    from test_cuda_backend import assert_backends_agree

    t0 = time.perf_counter()
    checked, failed = [], []
    work = [("export", 10_000 + s, dict(lava_values=True), 1) for s in range(n_export)]
    work += [("cuda-tests", seed, dict(max_n=40, max_steps=12, lava_values=True, subtract=True, conv24=True, **models),
              batch) for seed, models, batch in cases]
    for suite, seed, kw, batch in work:
        if time.perf_counter() - t0 > budget_s:
            break
        net, steps = random_network(np.random.default_rng(seed), **kw)
        try:
            assert_backends_agree(net, steps, batch if net.batch is None else net.batch)
        except AssertionError as exc:
            failed.append({"suite": suite, "seed": seed, "error": str(exc)[:500]})
        checked.append([suite, seed])
    out = {"networks": len(checked), "of": len(work), "equal": len(checked) - len(failed), "failed": failed,
           "seconds": time.perf_counter() - t0}
    print(json.dumps(out), flush=True)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", ROOT / "bench")) / "gpu_check.json")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (numba-cuda's simulator)")
    args = parser.parse_args(argv)
    _source_tree()
    sys.path.insert(0, str(ROOT / "tests"))
    from numba import cuda
    if not cuda.is_available():
        raise SystemExit("gpu_check: no CUDA device (run it on the GPU machine, or with --smoke under "
                         "NUMBA_ENABLE_CUDASIM=1)")
    from test_cuda_backend import CASES
    if args.smoke:
        sizes, batches, steps, rec, export, cases, budget = (12, 8, 4), [3], 2, (60, 4, 4, 4), 1, [], 60.0
    else:
        sizes, batches, steps, rec, export, cases, budget = ((784, 512, 512, 10), [1, 256, 4096], 20,
                                                             (10**6, 100, 2000, 40), 60, CASES, 150.0)
    report = {"script": "bench/gpu_check.py", "machine": machine(), "smoke": args.smoke}

    def save():
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(report, indent=1))
        tmp.replace(args.out)

    save()
    report["batched_inference"] = batched(sizes, batches, steps, [2, os.cpu_count() or 2])
    save()
    report["recurrent"] = recurrent(*rec)
    save()
    report["bit_exact"] = exactness(export, cases, budget)
    save()
    return report


if __name__ == "__main__":
    main()
