"""Load profiles from YAML: built-in names or paths, `extends`, overrides, located errors."""
from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .schema import Profile, Quantity

BUILTIN_DIR = Path(__file__).resolve().parent


class ProfileError(ValueError):
    """A profile that cannot be used: names the file, the key path, the line, expected and found."""


def builtin_names() -> list[str]:
    """Names of the profiles shipped with neurochip."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """A built-in profile name or a path (relative paths resolve against `relative_to` first)."""
    text = str(name_or_path)
    if text in builtin_names():
        return BUILTIN_DIR / f"{text}.yaml"
    for candidate in ([relative_to / text] if relative_to else []) + [Path(text)]:
        if candidate.is_file():
            return candidate
    raise ProfileError(f"profile {text!r}: expected a built-in name ({', '.join(builtin_names())}) "
                       "or a path to a YAML file, found neither")


def _lines(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map each key path in a composed YAML document to its 1-based line."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)
    return out


def _read(path: Path) -> tuple[dict, dict[tuple, tuple[Path, int]]]:
    """The YAML mapping in `path` and the (file, line) of every key path (parsed once per file
    version; callers get their own copy)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read: {exc.strerror}") from None
    data, origins = _parse(path, stamp)
    return copy.deepcopy(data), origins


#: libyaml's loader when installed (several times faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=64)
def _parse(path: Path, stamp: int) -> tuple[dict, dict[tuple, tuple[Path, int]]]:
    try:
        text = path.read_text()
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ProfileError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}:1: expected a mapping of profile fields, found {type(data).__name__}")
    return data, {k: (path, line) for k, line in _lines(node).items()}


def _merge(base: dict, top: dict) -> dict:
    """`top` laid over `base`: mappings merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in top.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict, dict]:
    if path.resolve() in chain:
        raise ProfileError(f"{path}: 'extends' forms a cycle: {' -> '.join(str(p) for p in (*chain, path))}")
    data, origins = _read(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, origins
    if not isinstance(parent, str):
        file, line = origins[("extends",)]
        raise ProfileError(f"{file}:{line}: extends: expected a profile name or path, found {parent!r}")
    base, base_origins = _load_raw(resolve(parent, path.parent), (*chain, path.resolve()))
    return _merge(base, data), {**base_origins, **origins}


def _set(data: dict, keys: list[str], value: Any, origin: str, full: str) -> None:
    node = data
    for i, key in enumerate(keys[:-1]):
        if not isinstance(node.get(key), dict):
            if key in node or i == 0:
                raise ProfileError(f"{origin}: override {full!r}: expected a key path into the profile, "
                                   f"found no mapping at {'.'.join(keys[:i + 1])!r}")
            node[key] = {}
        node = node[key]
    leaf = keys[-1]
    if isinstance(node.get(leaf), dict) and "value" in node[leaf]:
        node = node[leaf]
        leaf = "value"
    if leaf == "value":
        node["source"] = f"override {full}={value} ({origin}); was: {node.get('source', 'unset')}"
        node["basis"] = "override"
    node[leaf] = value


def apply_overrides(data: dict, overrides: Mapping[str, Any] | None, origin: str) -> dict:
    """`data` with each dotted key set. String values (from a command line) are parsed as YAML."""
    data = copy.deepcopy(data)
    for full, value in (overrides or {}).items():
        if isinstance(value, str):
            value = yaml.safe_load(value)
        _set(data, full.split("."), value, origin, full)
    return data


def _fields_at(loc: tuple) -> list[str]:
    """Field names of the schema model reached by `loc` (for 'unknown key' messages)."""
    model: type[BaseModel] = Profile
    for key in loc:
        field = model.model_fields.get(key)
        if field is None:
            break
        annotation = field.annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,))
                      if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            break
        model = candidates[0]
    return sorted(model.model_fields)


def _describe(error: dict) -> tuple[str, str]:
    """(expected, found) in words for one pydantic error."""
    kind, found = error["type"], error.get("input")
    if kind == "missing":
        return "a value (required)", "nothing"
    if kind == "extra_forbidden":
        return f"one of the keys {_fields_at(error['loc'][:-1])}", f"unknown key {error['loc'][-1]!r}"
    msg = error["msg"]
    for prefix in ("Value error, ", "Input should be ", "String should have "):
        msg = msg.removeprefix(prefix)
    return msg, repr(found)


def validate(data: dict, label: str, origins: Mapping[tuple, tuple[Path, int]]) -> Profile:
    """Build a `Profile`; a failure lists every problem with file, line, key path, expected, found."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(k for k in error["loc"] if not (isinstance(k, str) and "[" in k))
            where = label
            for depth in range(len(loc), -1, -1):
                if loc[:depth] in origins:
                    file, line = origins[loc[:depth]]
                    where = f"{file}:{line}"
                    break
            expected, found = _describe(error)
            problems.append(f"{where}: {'.'.join(map(str, loc)) or '(top)'}: expected {expected}, found {found}")
        raise ProfileError("\n".join(problems)) from None


def load_profile(name_or_path: str | Path | Profile, overrides: Mapping[str, Any] | None = None) -> Profile:
    """A validated profile from a built-in name, a YAML path, or a `Profile` (then only overridden).

    Parameters
    ----------
    name_or_path : e.g. "loihi" or "my_chip.yaml" (which may say ``extends: loihi``).
    overrides : dotted keys to replace, e.g. ``{"core.max_compartments": 2048}``.
    """
    if isinstance(name_or_path, Profile):
        return name_or_path.with_(dict(overrides)) if overrides else name_or_path
    path = resolve(name_or_path)
    data, origins = _load_raw(path)
    data = apply_overrides(data, overrides, origin="override") if overrides else data
    return validate(data, str(path), origins)


__all__ = ["ProfileError", "Quantity", "apply_overrides", "builtin_names", "load_profile", "resolve", "validate"]
