"""The calls a user starts from: emulate a network, then map and price the run.

`emulate` runs the network (packing it once) and returns a `Run`: the emulation's `Result`
(traces, exact counters, state to resume from) that can also place itself on a profile's cores
(`Run.map`) and price itself (`Run.energy`), reusing the packed layout.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from . import emulator as _emulation
from .energy import EnergyReport, check_priceable, price
from .errors import EnergyError, MappingError
from .ir import Network
from .mapping import Placement, map_network
from .pack import Packed, pack
from .profiles import Profile, load_profile
from .result import EmulatorState, Result


@dataclass(frozen=True)
class Run(Result):
    """An emulation's result that can map and price itself."""

    @classmethod
    def of(cls, result: Result) -> "Run":
        return cls(**{f.name: getattr(result, f.name) for f in fields(result)})

    def energy(self, profile: Profile | str, placement: Placement | None = None, strategy: str = "greedy",
               dt_s: float = 1e-3, strict: bool = False) -> EnergyReport:
        """Energy, power and time of this run on `profile` (a name, a YAML path or a Profile);
        see `neurochip.energy.price`."""
        return price(self, profile, placement, strategy, dt_s, strict)

    def map(self, profile: Profile | str, strategy: str = "greedy", per_core: dict[str, int] | None = None) -> Placement:
        """This run's network placed on `profile`'s cores (`neurochip.mapping.map_network`)."""
        return map_network(self.network, profile, strategy, packed=self.packed, per_core=per_core)


def emulate(network: Network, steps: int, *, record: Iterable[str] = (), batch: int | None = None,
            state: EmulatorState | None = None, packed: Packed | None = None, backend: str = "cpu") -> Run:
    """Run `network` for `steps` time steps, bit-exact with Loihi fixed point; a `Run`.

    Parameters and results as `neurochip.emulator.emulate` (record: populations to trace; batch:
    independent samples; state: a previous run's state to continue from; packed: the network's
    packed layout, when already made to map it before emulating; backend: "cpu" or "cuda").
    """
    return Run.of(_emulation.emulate(network, steps, record=record, batch=batch, state=state, packed=packed,
                                     backend=backend))


def price_on_profiles(network: Network, steps: int, profiles: Iterable[Profile | str], strategy: str = "greedy",
                      strict: bool = False, progress=None,
                      backend: str = "cpu") -> tuple[Run | None, dict[str, EnergyReport | str]]:
    """Emulate `network` once and price it on each profile: (the run, profile name -> its report,
    or the one-line reason it cannot be priced there).

    Every profile is checked and every placement made before emulating, so a profile that cannot
    price the network costs no emulation and never hides the others; the run is None when no
    profile can price it. `backend`: where to emulate ("cpu" or "cuda", see `emulate`).
    """
    advance = progress or (lambda text: None)
    packed = pack(network)
    placements: dict[str, Placement | None] = {}
    outcome: dict[str, EnergyReport | str] = {}
    chosen, order = {}, []
    for p in profiles:
        p = load_profile(p)
        order.append(p.name)
        try:
            check_priceable(p)
            if p.kind == "neuromorphic":
                advance(f"mapping onto {p.name}")
            placements[p.name] = map_network(network, p, strategy, packed=packed) if p.kind == "neuromorphic" else None
            chosen[p.name] = p
        except (EnergyError, MappingError) as exc:
            outcome[p.name] = str(exc)
    if not chosen:
        return None, outcome
    advance(f"emulating {steps} steps (a first run compiles the kernels)")
    run = emulate(network, steps, packed=packed, backend=backend)
    for name, p in chosen.items():
        advance(f"pricing on {name}")
        try:
            outcome[name] = run.energy(p, placements[name], strategy, strict=strict)
        except EnergyError as exc:
            outcome[name] = str(exc)
    return run, {name: outcome[name] for name in order}
