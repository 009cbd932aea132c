"""The durable result store: one SQLite row per point, keyed by the hash of its configuration.

Each point is committed in its own transaction, so an interrupted sweep (Ctrl-C, kill -9) keeps
every finished row and a re-run skips them; the primary key makes duplicates impossible.
"""
from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from ..errors import SweepError

SCHEMA = """CREATE TABLE IF NOT EXISTS points (
    key TEXT PRIMARY KEY, sweep TEXT NOT NULL, baseline INTEGER NOT NULL, point TEXT NOT NULL, result TEXT NOT NULL)"""


class Store:
    """Results of sweeps under `path` (a folder; the database is results.sqlite inside)."""

    def __init__(self, folder: str | Path, create: bool = True):
        """The store in `folder`, made (with the folder) when `create`; without `create` a missing
        store is a `SweepError` and nothing is made."""
        self.path = Path(folder) / "results.sqlite"
        if not create and not self.path.is_file():
            raise SweepError(f"{folder}: expected a sweep result folder holding results.sqlite, found none")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path) as db:
            db.execute(SCHEMA)

    def keys(self) -> set[str]:
        with sqlite3.connect(self.path) as db:
            return {row[0] for row in db.execute("SELECT key FROM points")}

    def add(self, key: str, sweep: str, baseline: bool, point: dict, result: dict) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute("INSERT OR IGNORE INTO points VALUES (?, ?, ?, ?, ?)",
                       (key, sweep, int(baseline), json.dumps(point, sort_keys=True), json.dumps(result, sort_keys=True)))

    def rows(self) -> list[dict]:
        """Every stored point: key, sweep, baseline, the point's axis values and its result fields."""
        with sqlite3.connect(self.path) as db:
            out = []
            for key, sweep, baseline, point, result in db.execute("SELECT * FROM points ORDER BY key"):
                out.append({"key": key, "sweep": sweep, "baseline": bool(baseline), "point": json.loads(point),
                            **json.loads(result)})
            return out

    def export_csv(self, path: str | Path) -> Path:
        """One CSV row per point: key, sweep, baseline, one column per axis, the result fields."""
        rows = self.rows()
        axes = sorted({k for r in rows for k in r["point"]})
        fields = sorted({k for r in rows for k in r if k not in ("point",)})
        path = Path(path)
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields + axes)
            writer.writeheader()
            for r in rows:
                writer.writerow({**{k: v for k, v in r.items() if k != "point"}, **r["point"]})
        return path
