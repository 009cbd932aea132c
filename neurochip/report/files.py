"""Writing reports: every file atomically, and output paths checked before any work starts."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..atomic import write_atomic
from ..errors import UsageError
from . import plots
from .html import compare_page

CAPTIONS = {
    "energy.png": "Energy per inference of each system (log scale; green measured, blue modeled; dashed: the brain).",
    "accuracy_energy.png": "Accuracy against energy per inference as the number of time steps varies.",
    "breakdown.png": "Energy per inference by operation on the first chip profile, static energy included.",
    "accuracy_training_energy.png": "Test accuracy against cumulative training energy: unsupervised STDP on each "
                                    "chip profile, backprop on a CPU and a GPU, one second of the brain marked.",
}


def check_writable(path: Path, option: str, folder: bool) -> None:
    """Raise `UsageError` unless `path` (a folder when `folder`, else a file) could be written, by
    creating and removing a scratch file in its nearest existing folder; nothing is left behind."""
    path = Path(path)
    if path.exists() and path.is_dir() != folder:
        raise UsageError(f"{option} {path}: expected {'a folder' if folder else 'a file path'}, found "
                         f"{'a folder' if path.is_dir() else 'a file'}")
    existing = path if folder and path.exists() else path.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{option} {path}: cannot be written: {existing} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot be written in {existing}: {exc.strerror}") from None


def write_json(path: Path, data) -> Path:
    return write_atomic(path, json.dumps(data, indent=2, default=float))


def compare_images(report: dict) -> dict[str, bytes]:
    first = next(iter(report["breakdown_per_inference_j"]))
    return {
        "energy.png": plots.energy_per_system(report["rows"]),
        "accuracy_energy.png": plots.accuracy_vs_energy(report["energy_vs_steps"], report["dense_accuracy"],
                                                        report["metadata"]["test_samples"]),
        "breakdown.png": plots.breakdown(report["breakdown_per_inference_j"][first], first),
        **(learning_images(report["learning"]) if "learning" in report else {}),
    }


def write_compare(report: dict, out: Path) -> list[Path]:
    """report.json, the PNGs and a self-contained report.html under `out`, each written atomically."""
    out = Path(out)
    images = compare_images(report)
    written = [write_json(out / "report.json", report)]
    written += [write_atomic(out / name, data) for name, data in images.items()]
    written.append(write_atomic(out / "report.html", compare_page(report, images, CAPTIONS)))
    return written


def learning_images(report: dict) -> dict[str, bytes]:
    if "curve" in report:
        return {"capacity.png": plots.capacity_curve(report["curve"], report["hopfield_capacity_load"],
                                                     report["neurons"], report["iterations"])}
    return {"accuracy_training_energy.png": plots.accuracy_vs_training_energy(report["points"], report["brain_power_w"])}


def write_learning(report: dict, out: Path) -> list[Path]:
    """report.json and the demonstration's figure under `out`, each written atomically."""
    out = Path(out)
    return [write_json(out / "report.json", report)] + [write_atomic(out / name, data)
                                                        for name, data in learning_images(report).items()]
