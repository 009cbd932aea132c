"""Dotted-key overrides of profile data (``core.max_compartments=2048``), before validation."""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

from ..errors import ProfileError


def _set(data: dict, keys: list[str], value: Any, origin: str, full: str) -> tuple:
    """Set `value` at `keys`; returns the key path of what was set (a quantity's `value` key
    when `keys` names a quantity)."""
    node = data
    for i, key in enumerate(keys[:-1]):
        if not isinstance(node.get(key), dict):
            if key in node or i == 0:
                raise ProfileError(f"{origin}: override {full!r}: expected a key path into the profile, "
                                   f"found no mapping at {'.'.join(keys[:i + 1])!r}")
            node[key] = {}
        node = node[key]
    leaf, path = keys[-1], tuple(keys)
    if isinstance(node.get(leaf), dict) and "value" in node[leaf]:
        node, leaf, path = node[leaf], "value", (*path, "value")
    if leaf == "value":
        node["source"] = f"override {full}={value} ({origin}); was: {node.get('source', 'unset')}"
        node["basis"] = "override"
    node[leaf] = value
    return path


def apply_overrides(data: dict, overrides: Mapping[str, Any] | None, origin: str) -> tuple[dict, dict[tuple, str]]:
    """(`data` with each dotted key set, where each set key path came from).

    String values (from a command line) are parsed as YAML. `origin` names where the overrides
    come from (e.g. "--set"); errors in an overridden value are then blamed on
    ``origin key=value``, not on the file that held the old value.
    """
    data = copy.deepcopy(data)
    where: dict[tuple, str] = {}
    for full, value in (overrides or {}).items():
        text = value
        if isinstance(value, str):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError as exc:
                raise ProfileError(f"{origin} {full}={text}: expected a YAML value, found {text!r} "
                                   f"({getattr(exc, 'problem', exc)})") from None
        keys = full.split(".")
        new = [prefix for prefix in (tuple(keys[:d]) for d in range(1, len(keys) + 1)) if not _exists(data, prefix)]
        path = _set(data, keys, value, origin, full)
        for prefix in (path, *new):
            where[prefix] = f"{origin} {full}={text}"
    return data, where


def _exists(data: dict, keys: tuple) -> bool:
    node = data
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True
