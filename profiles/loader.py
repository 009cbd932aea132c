"""Load profiles from YAML: built-in names or paths, `extends`, overrides, located errors."""
from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ProfileError
from .overrides import apply_overrides
from .schema import Profile, validate
from .yamlfile import read_mapping

BUILTIN_DIR = Path(__file__).resolve().parent


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


def _read(path: Path) -> tuple[dict, dict[tuple, str]]:
    """The YAML mapping in `path` and the "file:line" of every key path (parsed once per file
    version; callers get their own copy)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read: {exc.strerror}") from None
    data, origins = _parse(path, stamp)
    return copy.deepcopy(data), origins


@functools.lru_cache(maxsize=64)
def _parse(path: Path, stamp: int) -> tuple[dict, dict[tuple, str]]:
    data, lines = read_mapping(path, ProfileError, "profile fields")
    return data, {k: f"{path}:{line}" for k, line in lines.items()}


def _merge(base: dict, top: dict, origins: Mapping[tuple, str], path: tuple = ()) -> dict:
    """`top` laid over `base`: mappings merge key by key, anything else replaces. A figure whose
    value `top` changes must say where the new value comes from (its own `source`)."""
    out = dict(base)
    for key, value in top.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            if "value" in value and "source" not in value and "source" in out[key]:
                raise ProfileError(f"{origins.get(here, '?')}: {'.'.join(map(str, here))}: expected a source for the "
                                   f"new value {value['value']!r} (the parent's source, {out[key]['source']!r}, "
                                   "describes the old one), found none")
            out[key] = _merge(out[key], value, origins, here)
        else:
            out[key] = value
    return out


def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict, dict[tuple, str]]:
    if path.resolve() in chain:
        raise ProfileError(f"{path}: 'extends' forms a cycle: {' -> '.join(str(p) for p in (*chain, path))}")
    data, origins = _read(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, origins
    if not isinstance(parent, str):
        raise ProfileError(f"{origins[('extends',)]}: extends: expected a profile name or path, found {parent!r}")
    base, base_origins = _load_raw(resolve(parent, path.parent), (*chain, path.resolve()))
    return _merge(base, data, origins), {**base_origins, **origins}


def load_profile(name_or_path: str | Path | Profile, overrides: Mapping[str, Any] | None = None,
                 origin: str = "override") -> Profile:
    """A validated profile from a built-in name, a YAML path, or a `Profile` (then only overridden).

    Parameters
    ----------
    name_or_path : e.g. "loihi" or "my_chip.yaml" (which may say ``extends: loihi``).
    overrides : dotted keys to replace, e.g. ``{"core.max_compartments": 2048}``.
    origin : what the overrides are called in error messages (the CLI says "--set").
    """
    if isinstance(name_or_path, Profile):
        return name_or_path.with_(dict(overrides), origin) if overrides else name_or_path
    path = resolve(name_or_path)
    data, origins = _load_raw(path)
    where: dict[tuple, str] = {}
    if overrides:
        data, where = apply_overrides(data, overrides, origin)
        origins = {**origins, **where}
    return validate(data, str(path), origins, where)


__all__ = ["ProfileError", "apply_overrides", "builtin_names", "load_profile", "resolve", "validate"]
