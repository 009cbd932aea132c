"""Porting a NIR model to a chip profile: quantize it, compare it with a float simulation of the
same graph on a Bernoulli test input, place it, price it (`neurochip port`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .api import emulate
from .errors import EnergyError, MappingError
from .interop import nir as nir_io
from .ir import Network
from .mapping import Placement
from .profiles import Profile


def _silent(text: str) -> None:
    """No progress reporting."""


@dataclass(frozen=True)
class Port:
    """A ported model: per-layer quantization report, the fixed-point network with its test input,
    where it sits (None when it does not fit) and the JSON-ready report."""

    layers: tuple[nir_io.LayerReport, ...]
    network: Network
    placement: Placement | None
    dt_s: float
    report: dict


def run_port(model: Path, profile: Profile, dt: float | None = None, rate_hz: float = 20.0, steps: int = 100,
             seed: int = 0, progress: Callable[[str], None] | None = None) -> Port:
    """Load `model` quantized for `profile` and drive it with Bernoulli spikes at `rate_hz` for
    `steps` steps (seeded): spike agreement with a float simulation per layer, the placement (or
    why it does not fit) and the energy (or why it cannot be priced)."""
    advance = progress or _silent
    loaded = nir_io.load(model, dt=dt, profile=profile)
    step = loaded.dt or 1e-3
    spikes = nir_io.bernoulli_inputs(loaded, rate_hz, steps, seed)
    if not any(s.any() for s in spikes.values()):
        n = sum(s.shape[-1] for s in spikes.values())
        raise nir_io.NIRError(f"test input: 0 spikes in {steps} steps at {rate_hz:g} Hz and dt {step:g} s (expected "
                              f"{rate_hz * step * steps * n:.2g} over {n} inputs): raise --rate or --steps")
    advance("comparing with a float simulation (a first run compiles the kernels)")
    layers = nir_io.agreement(loaded, spikes, steps)
    network = loaded.network(spikes)
    dt_source = loaded.dt_source if loaded.dt else "assumed: 1 ms (the graph has no time constants)"
    report = {"model": str(model), "profile": profile.name, "dt_s": step, "dt_source": dt_source,
              "input_rate_hz": rate_hz, "steps": steps,
              "layers": [r.__dict__ for r in layers]}
    placement = None
    try:
        advance(f"mapping onto {profile.name}")
        run = emulate(network, steps)
        placement = run.map(profile)
        report["placement"] = placement.to_dict()
        advance("pricing")
        report["energy"] = run.energy(profile, placement=placement).to_dict()
    except MappingError as exc:
        report["does_not_fit"] = str(exc)
    except EnergyError as exc:
        report["energy_error"] = str(exc)
    return Port(layers, network, placement, step, report)
