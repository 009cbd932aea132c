"""Typed errors. Each names the thing, the field, what was expected and what was found."""


class NetworkError(ValueError):
    """A network (populations, sources, connections) that cannot be emulated as given."""


def network_error(node: str, field: str, expected: str, found: object) -> NetworkError:
    """Build a `NetworkError` in the house format: node, field, expected, found."""
    return NetworkError(f"{node!r}: field {field!r}: expected {expected}, found {found}")
