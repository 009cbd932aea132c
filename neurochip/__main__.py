"""``neurochip`` and ``python -m neurochip``: run the command line.

A user's mistake (a bad argument, file, profile or network) ends with one line on stderr and
exit status 2; Ctrl-C at any stage, start-up included, with one line and status 130. Anything
else is a bug and keeps its traceback.
"""
from __future__ import annotations

import os
import sys

INTERRUPTED = 130


def _say(text: str) -> None:
    sys.stderr.write(" ".join(text.replace("\n", "; ").split()) + "\n")


def _exit_on_swallowed_interrupt(hook):
    """An unraisable-exception hook for a Ctrl-C that lands inside a C callback (numba's compiler
    calls back into Python through ctypes) or a finalizer, where it cannot propagate: say so and
    exit at once (nothing is being written at such a moment) instead of printing it and going on."""
    def handle(info) -> None:
        if issubclass(info.exc_type, KeyboardInterrupt):
            _say("interrupted")
            os._exit(INTERRUPTED)
        hook(info)

    return handle


def main(argv: list[str] | None = None) -> int:
    """Run the CLI on `argv` (default: the process's arguments); returns the exit status."""
    previous = sys.unraisablehook
    sys.unraisablehook = _exit_on_swallowed_interrupt(previous)
    try:
        return _run(argv)
    finally:
        sys.unraisablehook = previous


def _run(argv: list[str] | None) -> int:
    try:
        import typer

        from .cli import app
        from .errors import NeurochipError
    except KeyboardInterrupt:
        _say("interrupted")
        return INTERRUPTED
    try:
        result = app(args=argv, prog_name="neurochip", standalone_mode=False)
        if result == INTERRUPTED:  # typer turns a KeyboardInterrupt inside a command into exit status 130
            _say("interrupted")
        return result if isinstance(result, int) else 0
    except NeurochipError as exc:
        _say(f"error: {exc}")
    except (KeyboardInterrupt, typer.Abort):
        _say("interrupted")
        return INTERRUPTED
    except MemoryError:
        _say("error: not enough memory for this run: a size, step count or batch is too large for this machine")
    except _usage_errors() as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":   # `neurochip` or a command group alone: its help
            sys.stdout.write(exc.format_message() + "\n")
            return 0
        _say(f"error: {exc.format_message()} (see neurochip --help)")
        return exc.exit_code
    return 2


def _usage_errors() -> tuple[type[Exception], ...]:
    """The argument-parsing errors of the installed typer: its own (typer >= 0.20 vendors click)
    or click's."""
    import typer

    kinds = [getattr(typer, "TyperException", None)]
    try:
        import click

        kinds.append(click.ClickException)
    except ImportError:
        pass
    return tuple(k for k in kinds if k is not None)


if __name__ == "__main__":
    sys.exit(main())
