"""The durable result store: one SQLite row per point, keyed by the hash of its configuration.

Each point is committed in its own transaction, so an interrupted sweep (Ctrl-C, kill -9) keeps
every finished row and a re-run skips them; the primary key makes duplicates impossible.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from ..atomic import write_atomic
from ..errors import SweepError

SCHEMA = """CREATE TABLE IF NOT EXISTS points (
    key TEXT PRIMARY KEY, sweep TEXT NOT NULL, baseline INTEGER NOT NULL, point TEXT NOT NULL, result TEXT NOT NULL)"""


class Store:
    """Results of sweeps under `path` (a folder; the database is results.sqlite inside)."""

    def __init__(self, folder: str | Path, create: bool = True):
        """The store in `folder`, made (with the folder) when `create`; without `create` a missing
        store is a `SweepError` and nothing is made."""
        self.path = Path(folder) / "results.sqlite"
        if not create:
            if not self.path.is_file():
                raise SweepError(f"{folder}: expected a sweep result folder holding results.sqlite, found none")
            self.keys()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._run(SCHEMA)

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Run one statement in its own transaction; a file that is not a store is a `SweepError`."""
        try:
            with sqlite3.connect(self.path) as db:
                return db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise SweepError(f"{self.path}: expected a neurochip sweep store (SQLite), found {exc}") from None

    def keys(self) -> set[str]:
        return {row[0] for row in self._run("SELECT key FROM points")}

    def add(self, key: str, sweep: str, baseline: bool, point: dict, result: dict) -> None:
        self._run("INSERT OR IGNORE INTO points VALUES (?, ?, ?, ?, ?)",
                  (key, sweep, int(baseline), json.dumps(point, sort_keys=True), json.dumps(result, sort_keys=True)))

    def rows(self) -> list[dict]:
        """Every stored point: key, sweep, baseline, the point's axis values and its result fields."""
        return [{"key": key, "sweep": sweep, "baseline": bool(baseline), "point": json.loads(point), **json.loads(result)}
                for key, sweep, baseline, point, result in self._run("SELECT * FROM points ORDER BY key")]

    def export_csv(self, path: str | Path) -> Path:
        """One CSV row per point: key, sweep, baseline, one column per axis, the result fields."""
        rows = self.rows()
        axes = sorted({k for r in rows for k in r["point"]})
        fields = sorted({k for r in rows for k in r if k not in ("point",)})
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=fields + axes)
        writer.writeheader()
        for r in rows:
            writer.writerow({**{k: v for k, v in r.items() if k != "point"}, **r["point"]})
        return write_atomic(path, text.getvalue())
