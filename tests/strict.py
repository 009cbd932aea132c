"""Optional peers (Lava, SANA-FE) that a test needs: skipped on a developer's machine where they
cannot be installed, but a failure in CI (CI=true), where they must run."""
import importlib
import os

import pytest


def require(module: str, reason: str, where: bool = True):
    """`module` imported. Where it cannot be imported: a skip giving `reason`, except in CI on a
    machine where it should run (`where`), which fails instead."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if os.environ.get("CI") and where:
            pytest.fail(f"{module} must be importable in CI ({reason}): {exc}", pytrace=False)
        pytest.skip(f"{module} not importable: {reason}", allow_module_level=True)
