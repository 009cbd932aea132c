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


def plot(rows: list[dict], snn_j: float, snn_label: str, path: str | Path) -> Path:
    """Energy per inference against batch (log-log): modeled lines, measured points, the SNN level."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..atomic import write_atomic
    import io

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for dtype in sorted({r["dtype"] for r in rows}):
        sel = [r for r in rows if r["dtype"] == dtype]
        ax.plot([r["batch"] for r in sel], [r["modeled_j"] for r in sel], label=f"GPU {dtype}, modeled")
        meas = [r for r in sel if r["measured_j"] is not None]
        if meas:
            ax.scatter([r["batch"] for r in meas], [r["measured_j"] for r in meas], label=f"GPU {dtype}, measured (NVML)")
    ax.axhline(snn_j, color="k", linestyle="--", label=snn_label)
    ax.set(xscale="log", yscale="log", xlabel="batch size", ylabel="J per inference",
           title="Dense MLP on GPU vs a batch-1 SNN estimate")
    ax.legend(fontsize=8)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return write_atomic(path, buffer.getvalue())
