"""What a brain-sized network would draw on a chip profile, next to the brain's own power.

    synaptic events/s = synapses x rate
    compartment updates/s = neurons / dt, of which active (receiving >= 1 input in a step,
        Poisson arrivals) = neurons / dt x (1 - exp(-fan_in x rate x dt)), fan_in = synapses / neurons
    chips = neurons / (compartments per core x cores per chip), each drawing its static power
Spike routing between cores is not included (it depends on a placement no one can make for a
brain), so the chip figure is a lower bound.
"""
from __future__ import annotations

import math

from ..errors import EnergyError
from ..profiles import Profile, load_profile


def brain_scale(profile: Profile | str, rate_hz: float | None = None, dt_s: float = 1e-3) -> dict:
    """Power of a brain-sized network on `profile` and of the brain (the `brain` profile).

    Parameters
    ----------
    profile : a neuromorphic profile with synaptic_op and neuron update energies.
    rate_hz : mean firing rate (default: the brain profile's mean_rate).
    dt_s : seconds per time step of the chip (real time).
    """
    brain = load_profile("brain").organism
    p = load_profile(profile)
    neurons, synapses = brain.neurons.si, brain.synapses.si
    rate = brain.mean_rate.si if rate_hz is None else rate_hz
    missing = [k for k in ("synaptic_op", "neuron_update_active", "neuron_update_inactive")
               if getattr(p.energy, k) is None]
    if missing or p.core is None or p.chip is None:
        raise EnergyError(f"profile {p.name!r} lacks {', '.join('energy.' + m for m in missing) or 'core/chip limits'}: "
                          "cannot extrapolate to brain scale")
    updates = neurons / dt_s
    active = updates * (1 - math.exp(-(synapses / neurons) * rate * dt_s))
    dynamic = (synapses * rate * p.energy.synaptic_op.si + active * p.energy.neuron_update_active.si
               + (updates - active) * p.energy.neuron_update_inactive.si)
    chips = math.ceil(neurons / (p.core.max_compartments.si * p.chip.cores_per_chip.si))
    static = chips * p.static_power.per_chip.si if p.static_power and p.static_power.per_chip else None
    power = dynamic + (static or 0.0)
    return {
        "profile": p.name, "neurons": neurons, "synapses": synapses, "rate_hz": rate, "dt_s": dt_s,
        "chips": chips, "dynamic_power_w": dynamic, "static_power_w": static, "power_w": power,
        "brain_power_w": brain.total_power.si, "ratio_to_brain": power / brain.total_power.si,
        "notes": ["spike routing between cores not included: a lower bound",
                  f"brain synapse count is {brain.synapses.basis} ({brain.synapses.source})"]
        + ([] if static is not None else [f"profile {p.name!r} publishes no static power: none included"]),
    }
