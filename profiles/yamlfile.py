"""Read a YAML file with the line of every key, so that errors can point at file:line.

Used by profiles and by sweep specs: one reader, one way to say where a key path is.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from ..errors import NeurochipError

#: libyaml's loader when installed (several times faster), else the pure-Python one.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: key path (a tuple of keys and list indices) -> 1-based line
Lines = dict[tuple, int]


def key_lines(node: yaml.Node, path: tuple = (), out: Lines | None = None) -> Lines:
    """Map each key path in a composed YAML document to its 1-based line."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            key_lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key_lines(item, (*path, i), out)
    return out


def read_mapping(path: Path, error: type[NeurochipError], what: str) -> tuple[dict, Lines]:
    """The mapping in the YAML file `path` and the line of each key path.

    Raises `error` naming the file (and line where YAML says it) when the file cannot be read,
    is not UTF-8, is not YAML, or holds something other than a mapping (`what` describes the
    expected keys).
    """
    try:
        text = path.read_bytes().decode("utf-8")
        node = yaml.compose(text, Loader=LOADER)
        data = yaml.load(text, Loader=LOADER)
    except UnicodeDecodeError as exc:
        raise error(f"{path}: expected UTF-8 text, found byte {exc.object[exc.start]:#04x} at offset {exc.start}") \
            from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise error(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise error(f"{path}:1: expected a mapping of {what}, found {type(data).__name__}")
    return data, key_lines(node)


def locate(origins: Mapping[tuple, str], keys: tuple, default: str) -> str:
    """Where the deepest known prefix of the key path `keys` was written (e.g. "file.yaml:12"),
    or `default` when no prefix is known."""
    for depth in range(len(keys), -1, -1):
        if keys[:depth] in origins:
            return origins[keys[:depth]]
    return default
