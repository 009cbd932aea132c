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
    """A column: its header, whether it holds numbers (right-aligned, never wrapped), and whether
    its words are names that must never be broken (identifiers: their full width is reserved)."""

    header: str
    numeric: bool = False
    names: bool = False


#: Tables are laid out to fit this many columns whatever the terminal (rich widens them on a wider
#: one): numbers keep their width, text columns share the rest and wrap between words.
FIT_WIDTH = 80
#: Columns of padding rich adds per column with the SIMPLE_HEAD box.
PADDING = 3


def table(title: str, columns: Sequence[Column], rows: Iterable[Sequence[str]]) -> Table:
    """A rich table of string cells laid out for narrow terminals (see module doc). Numeric
    columns never wrap; headers wrap between words; text columns wrap between words and fold a
    word only when it is longer than their share of `FIT_WIDTH`."""
    rows = [list(map(str, r)) for r in rows]
    fixed = {k: max([len(w) for r in rows for w in (r[k].split() if col.names else [r[k]])]
                    + [max(map(len, col.header.split()))])
             for k, col in enumerate(columns) if col.numeric or col.names}
    text = [k for k in range(len(columns)) if k not in fixed]
    room = FIT_WIDTH - sum(fixed.values()) - PADDING * len(columns)
    share = max(room // max(len(text), 1), 6)
    out = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    for k, col in enumerate(columns):
        if col.numeric:
            out.add_column(col.header, justify="right", no_wrap=True, min_width=fixed[k])
        elif col.names:
            out.add_column(col.header, justify="left", overflow="fold", min_width=fixed[k])
        else:
            longest_word = max([len(w) for r in rows for w in r[k].split()] + [len(w) for w in col.header.split()])
            out.add_column(col.header, justify="left", overflow="fold", min_width=min(longest_word, share))
    for r in rows:
        out.add_row(*r)
    return out


def figures_of(source: str) -> str:
    """modeled, measured or mixed, from a row's source line."""
    head = source.split(":")[0]
    return "mixed" if head == "energy modeled" else head


def sci(value: float | None, digits: int = 3) -> str:
    """A number in a few significant digits; "-" for None."""
    return "-" if value is None else f"{value:.{digits}g}"


#: SI prefixes for `scaled`, largest first.
PREFIXES = ((1.0, ""), (1e-3, "m"), (1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f"))


def scaled(value: float, unit: str, digits: int = 4) -> str:
    """A value in seconds or joules with an SI prefix (``337.3 us``); counts with separators;
    anything else in a few significant digits with its unit."""
    if unit == "count":
        return count(value)
    if unit not in ("s", "J", "W"):
        return f"{value:.{digits}g} {unit}"
    factor, prefix = next(((f, p) for f, p in PREFIXES if abs(value) >= f), PREFIXES[-1])
    return f"{value / factor:.{digits}g} {prefix}{unit}"


def count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def used(value: float, limit: float | None) -> str:
    """``used (share of limit)``, or just ``used`` when there is no limit."""
    return f"{value:,.0f} ({100 * value / limit:.0f}%)" if limit else f"{value:,.0f}"
