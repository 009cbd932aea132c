"""Terminal tables that stay readable at 80 columns: numbers are never cut, words never broken.

Numeric columns are as wide as their widest cell and never wrap; text columns wrap between words
(a single word longer than the terminal is the only thing ever folded). Long sources go below a
table as numbered notes rather than into a column.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich import box
from rich.table import Table


@dataclass(frozen=True)
class Column:
    """A column: its header, and whether it holds numbers (right-aligned, never wrapped)."""

    header: str
    numeric: bool = False


def table(title: str, columns: Sequence[Column], rows: Iterable[Sequence[str]]) -> Table:
    """A rich table of string cells laid out for narrow terminals (see module doc)."""
    rows = [list(map(str, r)) for r in rows]
    out = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    for k, col in enumerate(columns):
        cells = [r[k] for r in rows] + [col.header]
        if col.numeric:
            width = max(len(c) for c in cells)
            out.add_column(col.header, justify="right", no_wrap=True, min_width=width)
        else:
            longest_word = max((len(w) for c in cells for w in c.split()), default=1)
            out.add_column(col.header, justify="left", overflow="fold", min_width=min(longest_word, 30))
    for r in rows:
        out.add_row(*r)
    return out


def sci(value: float | None, digits: int = 3) -> str:
    """A number in a few significant digits; "-" for None."""
    return "-" if value is None else f"{value:.{digits}g}"


def count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def used(value: float, limit: float | None) -> str:
    """``used (share of limit)``, or just ``used`` when there is no limit."""
    return f"{value:,.0f} ({100 * value / limit:.0f}%)" if limit else f"{value:,.0f}"
