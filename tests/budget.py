"""Randomized-test budgets. The suite runs twice in `make test` (Python 3.11 / numpy 2, then the
Python 3.10 / numpy 1.26 Lava environment); the second run repeats the same oracles on the oldest
supported stack, so it draws fewer hypothesis examples (NEUROCHIP_EXAMPLES_SCALE, set by the Makefile)."""
import os


def examples(n: int) -> int:
    """`n` hypothesis examples scaled by NEUROCHIP_EXAMPLES_SCALE (default 1), at least 10."""
    return max(10, round(n * float(os.environ.get("NEUROCHIP_EXAMPLES_SCALE", "1"))))
