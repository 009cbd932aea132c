"""Progress on stderr for every stage that can take more than a moment (a first run compiles the
kernels: ~20 s). Drawn only on a terminal, and erased when done."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

#: Where progress goes: stderr, so that stdout carries only results.
STDERR = Console(stderr=True)


@contextmanager
def stages(first: str = "starting") -> Iterator[Callable[[str], None]]:
    """A spinner with the current stage and the time spent; yields `advance(text)`."""
    if not STDERR.is_terminal:
        yield lambda text: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=STDERR,
                  transient=True) as bar:
        task = bar.add_task(first, total=None)
        yield lambda text: bar.update(task, description=text)


@contextmanager
def counted(description: str) -> Iterator[Callable[[int, int], None]]:
    """A bar of done / total items; yields `update(done, total)`."""
    if not STDERR.is_terminal:
        yield lambda done, total: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=STDERR, transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
