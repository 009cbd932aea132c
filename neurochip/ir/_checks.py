"""Small validators shared by the IR dataclasses. Each raises `NetworkError` naming node and field."""
from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import network_error


def check_name(kind: str, name: object) -> None:
    if not isinstance(name, str) or not name:
        raise network_error(kind, "name", "a non-empty string", repr(name))


#: Compartments and channels are indexed with 32-bit integers.
MAX_COUNT = 2**31 - 1


def check_count(node: str, field: str, value: object, lo: int = 1, hi: int = MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise network_error(node, field, f"an integer in [{lo}, {hi:,}]", repr(value))
    return int(value)


def _describe(arr: NDArray) -> str:
    if arr.size == 0:
        return "an empty array"
    return f"values in [{arr.min()}, {arr.max()}]"


def check_integral(node: str, field: str, arr: NDArray) -> None:
    """Raise unless `arr` holds integers (an integer dtype, or floats with integral values)."""
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise network_error(node, field, "integers", f"dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise network_error(node, field, "integer values", "non-integral or non-finite floats")


def int_values(node: str, field: str, arr: NDArray, lo: int, hi: int) -> NDArray:
    """`arr` itself after checking every entry is in [lo, hi] (no widening copy; for large arrays)."""
    if arr.size and (arr.min() < lo or arr.max() > hi):
        raise network_error(node, field, f"integers in [{lo}, {hi}]", _describe(arr))
    return arr


def int_array(node: str, field: str, value: object, lo: int, hi: int,
              shape: tuple[int, ...] | None = None) -> NDArray[np.int64]:
    """`value` (scalar or array) as an int64 array with every entry in [lo, hi].

    A scalar broadcasts to `shape` when one is given. Floats are accepted only when integral.
    """
    arr = np.asarray(value)
    check_integral(node, field, arr)
    if shape is not None:
        if arr.ndim == 0:
            arr = np.broadcast_to(arr, shape)
        elif arr.shape != shape:
            raise network_error(node, field, f"a scalar or shape {shape}", f"shape {arr.shape}")
    return int_values(node, field, arr.astype(np.int64), lo, hi)


def int_scalar(node: str, field: str, value: object, lo: int, hi: int) -> int:
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise network_error(node, field, "a scalar", f"shape {arr.shape}")
    return int(int_array(node, field, arr, lo, hi))
