"""neurochip: bit-exact, event-driven emulation of Loihi-style neuromorphic cores, priced in
joules, watts and seconds on sourced hardware profiles.

The names below load on first use, so that ``import neurochip`` (and the command line's start)
stays fast.
"""
from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("neurochip")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

_EXPORTS = {
    "emulate": "api", "Run": "api",
    "BernoulliSource": "ir", "Connection": "ir", "ConvKernel": "ir", "LIF": "ir", "Network": "ir", "SignMode": "ir",
    "SigmaDelta": "ir", "ATRLIF": "ir", "Resonator": "ir", "Product": "ir",
    "SpikeSource": "ir", "LearningRule": "ir", "stdp": "ir",
    "Counters": "result", "EmulatorState": "result", "Result": "result",
    "NetworkError": "errors", "NeurochipError": "errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'neurochip' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
