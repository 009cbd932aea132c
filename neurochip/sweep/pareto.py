"""Pareto fronts of sweep results: minimize x and y (and maximize z, when given)."""
from __future__ import annotations

import numpy as np


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
