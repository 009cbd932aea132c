"""What a network of a given size draws on a chip profile, from every per-core limit, without
building it: chips, boards, power and time per biological second, under a stated connectivity.

A network of N neurons and S synapses (fan-in k = S / N), each neuron firing at r Hz, runs in
real-time steps of dt. A core holds m compartments; m is the largest number that every per-core
limit of the profile allows (compartments, input axons, output axons, synaptic memory), under
one of three connectivity models, each drawing a compartment's k inputs from a pool of P neurons
shared by the compartments of its core:

- random (P = N): any neuron may feed any other. A core's m compartments need
  N (1 - (1 - k/N)^m) distinct input axons, each holding about one synapse, and each
  compartment sends to C (1 - (1 - 1/C)^k) of the C cores. The costly end: an upper bound.
- local (P = L, a cortical column's neighbourhood, default 10,000): L (1 - (1 - k/L)^m) input
  axons, each holding m k / axons synapses; a compartment's targets lie on about L / m cores.
- shared (P = k): the compartments of a core receive the same k inputs (perfectly convergent
  wiring): k input axons of m synapses each, targets on k / m cores. The cheap end: a lower
  bound.

`bounds` gives all three; the truth for a real network lies between shared and random. Synaptic memory follows the profile's synapse encoding (blocks per axon, the
cheaper of the dense and sparse formats); without one it is not a limit. Power per biological
second: synaptic events S r x E_synop, compartment updates N / dt (active ones, those receiving
an input in a step, 1 - exp(-k r dt) of them) x E_update, spike messages N r x destinations x
E_message_out, plus static power x chips, plus (profiles with the host in the loop) the embedded
cores' active power x chips. Messages between chips and boards have no published
energy for Loihi and are left out (a lower bound, noted). Time: each step takes the busiest
core's updates and synaptic events plus the barrier, plus the host's fixed step time (a network
of this size has no stated I/O: no per-I/O-core time); a step shorter than dt can run faster
than real time.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ..errors import EnergyError
from ..kernels.placement import block_bits
from ..profiles import Profile, load_profile

CONNECTIVITY = ("shared", "local", "random")
#: Neurons in a cortical column's neighbourhood (the local model's default L): on the order of
#: the 10^4 neurons of a neocortical column (Mountcastle 1997, Brain 120:701; via secondary summaries).
DEFAULT_LOCAL_NEURONS = 10_000


@dataclass(frozen=True)
class ScaleEstimate:
    """One connectivity model's answer. Power in W, time in s per biological second."""

    profile: str
    connectivity: str
    neurons: float
    synapses: float
    rate_hz: float
    dt_s: float
    compartments_per_core: int
    binding_limit: str
    cores: int
    chips: int
    boards: int | None
    dynamic_power_w: float
    static_power_w: float | None
    host_power_w: float | None
    power_w: float
    step_s: float | None
    seconds_per_biological_second: float | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _memory_bits(profile: Profile, axons: float, synapses_per_axon: float, m: int) -> float | None:
    enc = profile.core.synapse_encoding
    if enc is None or profile.core.synaptic_memory is None:
        return None
    weight = next((b for b in enc.weight_bits_menu if b >= 8), enc.weight_bits_menu[-1])
    comp = int(profile.core.max_compartments.si)
    index = next((b for b in enc.index_bits_menu if 2**b >= comp), enc.index_bits_menu[-1])
    n = max(1, round(synapses_per_axon))
    sparse = block_bits(n, weight + index, enc.synapses_per_block, enc.block_header_bits, enc.word_bits)
    dense = block_bits(m, weight, enc.synapses_per_block, enc.block_header_bits, enc.word_bits)
    return axons * min(sparse, dense)


def _use(profile: Profile, m: int, neurons: float, fan_in: float, connectivity: str, local: float,
         cores_total: float) -> dict[str, float | None]:
    """Per-core use of each limited resource by m compartments."""
    pool = {"random": neurons, "local": min(local, neurons), "shared": min(fan_in, neurons)}[connectivity]
    p = min(fan_in / pool, 1.0)
    axons = pool * -math.expm1(m * math.log1p(-p)) if p < 1 else pool
    per_axon = m * fan_in / axons if axons else 0.0
    if connectivity == "random":   # k targets among all cores: expected distinct cores
        destinations = cores_total * -math.expm1(fan_in * math.log1p(-1 / cores_total)) if cores_total > 1 else 1.0
    else:
        destinations = min(fan_in, max(pool / m, 1.0))
    return {"max_compartments": m, "max_input_axons": axons, "max_output_axons": m * destinations,
            "synaptic_memory": _memory_bits(profile, axons, per_axon, m),
            "max_destination_cores_per_compartment": destinations}


def _per_core(profile: Profile, neurons: float, fan_in: float, connectivity: str, local: float) -> tuple[int, str]:
    """(largest m that fits every per-core limit, the limit that binds)."""
    core = profile.core
    comp = int(core.max_compartments.si)
    limits = {key: getattr(core, key).si for key in ("max_compartments", "max_input_axons", "max_output_axons",
                                                     "synaptic_memory", "max_destination_cores_per_compartment")
              if getattr(core, key) is not None}

    def fits(m: int) -> str | None:
        cores_total = neurons / m
        use = _use(profile, m, neurons, fan_in, connectivity, local, cores_total)
        return next((key for key, limit in limits.items() if use[key] is not None and use[key] > limit), None)

    if fits(1) is not None:
        raise EnergyError(f"profile {profile.name!r}: a single compartment with fan-in {fan_in:,.0f} under "
                          f"{connectivity} connectivity exceeds core.{fits(1)} ({limits[fits(1)]:g})")
    lo, hi = 1, comp
    while lo < hi:   # every use grows with m: the largest m that fits, by bisection
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(mid) is None else (lo, mid - 1)
    return lo, ("max_compartments" if lo == comp else fits(lo + 1))


def estimate(profile: Profile | str, neurons: float, synapses: float, rate_hz: float, dt_s: float = 1e-3,
             connectivity: str = "random", local_neurons: float = DEFAULT_LOCAL_NEURONS) -> ScaleEstimate:
    """Chips, power and time of a network of `neurons` and `synapses` firing at `rate_hz` on
    `profile`, under `connectivity` ("shared", "local" or "random"; see module doc)."""
    p = load_profile(profile)
    if connectivity not in CONNECTIVITY:
        raise EnergyError(f"connectivity: expected one of {CONNECTIVITY}, found {connectivity!r}")
    if min(neurons, synapses) <= 0 or rate_hz < 0 or dt_s <= 0:
        raise EnergyError(f"scale: expected neurons, synapses and dt > 0 and rate >= 0, found {neurons:g}, "
                          f"{synapses:g}, {dt_s:g} and {rate_hz:g}")
    if p.kind != "neuromorphic" or p.core is None or p.chip is None:
        raise EnergyError(f"profile {p.name!r} states no per-core limits or chip structure: cannot scale onto it")
    missing = [k for k in ("synaptic_op", "neuron_update_active", "neuron_update_inactive") if getattr(p.energy, k) is None]
    if missing:
        raise EnergyError(f"profile {p.name!r} publishes no energy.{missing[0]}: cannot price a network at scale")
    fan_in = synapses / neurons
    m, binding = _per_core(p, neurons, fan_in, connectivity, local_neurons)
    cores = math.ceil(neurons / m)
    chips = math.ceil(cores / p.chip.cores_per_chip.si)
    boards = math.ceil(chips / p.chip.chips_per_board.si) if p.chip.chips_per_board else None
    use = _use(p, m, neurons, fan_in, connectivity, local_neurons, cores)
    updates = neurons / dt_s
    active = updates * -math.expm1(-fan_in * rate_hz * dt_s)
    messages = neurons * rate_hz * use["max_destination_cores_per_compartment"]
    e = p.energy
    dynamic = (synapses * rate_hz * e.synaptic_op.si + active * e.neuron_update_active.si
               + (updates - active) * e.neuron_update_inactive.si
               + neurons * rate_hz * (e.spike_out.si if e.spike_out else 0.0)
               + messages * (e.message_out.si if e.message_out else 0.0))
    notes = [f"{m:,} compartments per core, bound by core.{binding}"]
    notes += [f"core.{key} is not published for {p.name}: not a limit here, so the chip count is a lower bound"
              for key in ("max_input_axons", "max_output_axons") if getattr(p.core, key) is None]
    if chips > 1 and e.spike_off_chip is None:
        notes.append("spike messages between chips and boards have no published energy: left out, so the power is "
                     "a lower bound for this connectivity")
    if p.core.synaptic_memory is None or p.core.synapse_encoding is None:
        notes.append(f"synaptic memory is unpublished for {p.name}: not a limit here, so the chip count is a lower "
                     "bound")
    static = None
    if p.static_power and p.static_power.scope == "chips_used" and p.static_power.per_chip:
        static = chips * p.static_power.per_chip.si
    elif p.static_power is None:
        notes.append(f"profile {p.name!r} publishes no static power: none included")
    host = chips * p.host.active_power.si if p.host else None
    step = _step(p, m, fan_in, rate_hz, dt_s, active / updates, chips, notes)
    return ScaleEstimate(p.name, connectivity, neurons, synapses, rate_hz, dt_s, m, binding, cores, chips, boards,
                         dynamic, static, host, dynamic + (static or 0.0) + (host or 0.0), step,
                         step / dt_s if step is not None else None, notes)


def _step(p: Profile, m: int, fan_in: float, rate_hz: float, dt_s: float, active: float, chips: int,
          notes: list[str]) -> float | None:
    """Modeled time of one step on the busiest core, barrier included (None when unpublished)."""
    t = p.timing
    if t.synaptic_op is None or t.neuron_update_inactive is None or t.neuron_update_active is None:
        if t.timestep_nominal is not None:
            notes.append(f"{p.name} steps on its fixed {t.timestep_nominal.value:g} {t.timestep_nominal.unit} tick")
            return t.timestep_nominal.si
        notes.append(f"{p.name} publishes no per-operation times: time not modeled")
        return None
    core = m * (t.neuron_update_inactive.si + active * (t.neuron_update_active.si - t.neuron_update_inactive.si))
    core += m * fan_in * rate_hz * dt_s * t.synaptic_op.si
    barrier = t.barrier_sync_multi_chip if chips > 1 else t.barrier_sync_all_tiles
    if barrier is None:
        notes.append("barrier time unpublished for this size: left out (a lower bound)")
    step = core + (barrier.si if barrier is not None else 0.0) + (p.host.step_fixed.si if p.host else 0.0)
    return max(step, t.timestep_nominal.si) if t.timestep_nominal else step


def bounds(profile: Profile | str, neurons: float, synapses: float, rate_hz: float, dt_s: float = 1e-3,
           local_neurons: float = DEFAULT_LOCAL_NEURONS) -> dict[str, ScaleEstimate]:
    """Every connectivity model: "shared" (the cheap end), "local" and "random" (the costly end)."""
    return {c: estimate(profile, neurons, synapses, rate_hz, dt_s, c, local_neurons) for c in CONNECTIVITY}


def brain_reference(power_w: float | None = None) -> tuple[float, str]:
    """(watts, how to say it) of the brain's power that reports compare against: the `brain`
    profile's headline reference (10 W) unless `power_w` is given, with the cited range beside it."""
    organism = load_profile("brain").organism
    low, high = organism.total_power_low, organism.total_power
    watts = organism.reference_power.si if power_w is None else power_w
    what = "headline reference" if power_w is None else "set by the user"
    return watts, (f"{watts:g} W, {what}; {low.value:g}-{high.value:g} W cited, e.g. {high.value:g} W in "
                   f"{high.source.split(' (')[0]}")


def brain_scale(profile: Profile | str, rate_hz: float | None = None, dt_s: float = 1e-3) -> dict:
    """A brain-sized network (the `brain` profile's neurons, synapses and mean rate) on `profile`
    under every connectivity model, next to the brain's power; `chips`, `power_w` and
    `ratio_to_brain` are [lower bound (shared), upper bound (random)]."""
    organism = load_profile("brain").organism
    rate = organism.mean_rate.si if rate_hz is None else rate_hz
    both = bounds(profile, organism.neurons.si, organism.synapses.si, rate, dt_s)
    watts, words = brain_reference()
    return {
        "profile": both["random"].profile, "neurons": organism.neurons.si, "synapses": organism.synapses.si,
        "rate_hz": rate, "dt_s": dt_s, **{c: e.to_dict() for c, e in both.items()},
        "chips": [both["shared"].chips, both["random"].chips],
        "power_w": [both["shared"].power_w, both["random"].power_w],
        "brain_power_w": watts, "brain_power_source": words,
        "ratio_to_brain": [both["shared"].power_w / watts, both["random"].power_w / watts],
        "notes": [f"brain synapse count is {organism.synapses.basis} ({organism.synapses.source})"],
    }
