"""Where batched GPU inference overtakes a batch-1 neuromorphic estimate."""
from __future__ import annotations

import json
from pathlib import Path

from ..profiles.loader import BUILTIN_DIR
from .cost import estimate

MEASURED_H100 = BUILTIN_DIR / "measurements" / "h100_dense_mlp_energy_2026-11-23.json"
BATCHES = (1, 4, 16, 64, 256, 1024, 4096, 16384)


def measured_runs(sizes: tuple[int, ...], measured: Path | None = MEASURED_H100) -> dict[tuple[str, int], dict]:
    """(dtype, batch) -> measured run, from a stored GPU measurement of the same layer sizes, or {}.
    The 2026-11-23 H100 file predates the `sizes` key; it measured 784-512-512-10
    (profiles/measurements/README.md)."""
    if measured is None or not measured.exists():
        return {}
    data = json.loads(measured.read_text())
    if tuple(data.get("sizes", (784, 512, 512, 10))) != tuple(sizes):
        return {}
    return {("fp32" if "32" in run["dtype"] else "bf16", run["batch"]): run for run in data["runs"]}


def gpu_sweep(sizes: tuple[int, ...], dtypes=("fp32", "bf16"), batches=BATCHES, profile: str = "gpu-h100",
              measured: Path | None = MEASURED_H100) -> list[dict]:
    """Rows (dtype, batch, modeled J per inference, measured J per inference where a measurement
    of the same layer sizes exists (`measured_runs`), and its source)."""
    points = {key: run["j_per_inference"] for key, run in measured_runs(sizes, measured).items()}
    rows = []
    for dtype in dtypes:
        for batch in sorted(set(batches) | {b for d, b in points if d == dtype}):
            e = estimate(sizes, profile, dtype, batch)
            rows.append({"dtype": dtype, "batch": batch, "modeled_j": e.energy_per_inference_j,
                         "measured_j": points.get((dtype, batch)),
                         "source": f"measured: profiles/measurements/{measured.name}" if (dtype, batch) in points else "modeled"})
    return rows


def crossover(rows: list[dict], snn_j: float) -> dict[str, int | None]:
    """Per dtype, the smallest batch whose GPU energy per inference (measured where available,
    else modeled) is below `snn_j`, or None."""
    out: dict[str, int | None] = {}
    for row in rows:
        j = row["measured_j"] if row["measured_j"] is not None else row["modeled_j"]
        out.setdefault(row["dtype"], None)
        if out[row["dtype"]] is None and j < snn_j:
            out[row["dtype"]] = row["batch"]
    return out
