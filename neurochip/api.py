"""The calls a user starts from: emulate a network, then map and price the run.

`emulate` runs the network (packing it once) and returns a `Run`: the emulation's `Result`
(traces, exact counters, state to resume from) that can also place itself on a profile's cores
(`Run.map`) and price itself (`Run.energy`), reusing the packed layout.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from . import emulator as _emulation
from .energy import EnergyReport, price
from .ir import Network
from .mapping import Placement, map_network
from .profiles import Profile
from .result import EmulatorState, Result


@dataclass(frozen=True)
class Run(Result):
    """An emulation's result that can map and price itself."""

    @classmethod
    def of(cls, result: Result) -> "Run":
        return cls(**{f.name: getattr(result, f.name) for f in fields(result)})

    def energy(self, profile: Profile | str, placement: Placement | None = None, strategy: str = "greedy",
               dt_s: float = 1e-3) -> EnergyReport:
        """Energy, power and time of this run on `profile` (a name, a YAML path or a Profile);
        see `neurochip.energy.price`."""
        return price(self, profile, placement, strategy, dt_s)

    def map(self, profile: Profile | str, strategy: str = "greedy") -> Placement:
        """This run's network placed on `profile`'s cores (`neurochip.mapping.map_network`)."""
        return map_network(self.network, profile, strategy, packed=self.packed)


def emulate(network: Network, steps: int, *, record: Iterable[str] = (), batch: int | None = None,
            state: EmulatorState | None = None) -> Run:
    """Run `network` for `steps` time steps, bit-exact with Loihi fixed point; a `Run`.

    Parameters and results as `neurochip.emulator.emulate` (record: populations to trace; batch:
    independent samples; state: a previous run's state to continue from).
    """
    return Run.of(_emulation.emulate(network, steps, record=record, batch=batch, state=state))
