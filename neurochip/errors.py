"""Typed errors. Each names the thing, the field, what was expected and what was found.

Every error neurochip raises on bad input derives from `NeurochipError`, so a caller (the CLI
among them) can tell a user's mistake from a bug with one ``except``. Each also derives from the
built-in class it refines (`ValueError`, `KeyError`, ...), so older ``except ValueError`` code
keeps working.
"""


class NeurochipError(Exception):
    """Base of every error neurochip raises on input it cannot use."""


class NetworkError(NeurochipError, ValueError):
    """A network (populations, sources, connections) that cannot be emulated as given."""


class BackendError(NeurochipError, RuntimeError):
    """A backend this machine cannot run (no GPU or driver, numba-cuda not installed)."""


class MappingError(NetworkError):
    """A network that does not fit a profile: names the population, resource, need and limit."""


class ProfileError(NeurochipError, ValueError):
    """A profile that cannot be used: names the file, the key path, the line, expected and found.
    `paths` holds the key path of each problem (empty when the problem is not with a key)."""

    def __init__(self, message: str, paths: tuple[tuple, ...] = ()):
        super().__init__(message)
        self.paths = paths


class LatencyError(NeurochipError, ValueError):
    """The profile lacks a timing figure the latency model needs."""


class EnergyError(NeurochipError, ValueError):
    """A run that cannot be priced on a profile: names the profile and the missing key."""


class NIRError(NetworkError):
    """A NIR graph that cannot be imported: names the file or node, the field, expected and found."""


class LavaError(NeurochipError, NotImplementedError):
    """A Lava graph with a process, port or value neurochip does not emulate: names it."""


class TraceError(NeurochipError, KeyError):
    """A trace asked for that the run did not record."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ModelFileError(NeurochipError, ValueError):
    """A model or data file (a saved MLP, MNIST arrays) that cannot be read as expected."""


class BaselineError(NeurochipError, ValueError):
    """A dense-baseline request (dtype, profile, sizes) that cannot be estimated."""


class SweepError(NeurochipError, ValueError):
    """A sweep spec that cannot run: names the file, line and key."""


class NotMeasurable(NeurochipError, RuntimeError):
    """This machine cannot measure the energy asked for; the message says why."""


class UsageError(NeurochipError, ValueError):
    """A command-line argument or output path that cannot be used: names it."""


def network_error(node: str, field: str, expected: str, found: object) -> NetworkError:
    """Build a `NetworkError` in the house format: node, field, expected, found."""
    return NetworkError(f"{node!r}: field {field!r}: expected {expected}, found {found}")


class NetxError(NetworkError):
    """A lava-dl netx HDF5 file that cannot be read: names the file, the layer and the field."""
