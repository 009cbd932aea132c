"""Pareto fronts of sweep results: minimize x and y (and maximize z, when given)."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..atomic import write_atomic


def front(rows: list[dict], x: str, y: str, z: str | None = None) -> np.ndarray:
    """Boolean mask of the rows no other row dominates (lower or equal x and y, higher or equal
    z, and strictly better in one)."""
    pts = np.array([[r[x], r[y]] + ([-r[z]] if z else []) for r in rows], dtype=float)
    keep = np.ones(len(rows), bool)
    for i in range(len(rows)):
        better_eq = np.all(pts <= pts[i], axis=1)
        strictly = np.any(pts < pts[i], axis=1)
        keep[i] = not np.any(better_eq & strictly)
    return keep


def plot(rows: list[dict], mask: np.ndarray, x: str, y: str, path: str | Path) -> Path:
    """x against y on log axes: the front in colour, dominated points grey, the baseline marked."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    xs, ys = np.array([r[x] for r in rows]), np.array([r[y] for r in rows])
    ax.scatter(xs[~mask], ys[~mask], color="0.75", label="dominated")
    ax.scatter(xs[mask], ys[mask], color="tab:red", label="Pareto front")
    base = [i for i, r in enumerate(rows) if r.get("baseline")]
    if base:
        ax.scatter(xs[base], ys[base], marker="*", s=200, color="k", label="baseline profile")
    ax.set(xscale="log", yscale="log", xlabel=x, ylabel=y)
    ax.legend(fontsize=8)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return write_atomic(path, buffer.getvalue())
