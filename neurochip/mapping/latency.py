"""Time per step of a placed network: the slowest core, then the barrier.

    core time = synaptic ops x t_synop + compartments x t_update_inactive
                + active compartments x (t_update_active - t_update_inactive)
                + per spike sent: intra-tile messages x t_intra_tile + east-west hops x t_hop_ew
                  + north-south hops x t_hop_ns + messages to other chips x t_off_chip
                  + messages to other boards x t_off_board
    step time = max(max over cores + barrier sync, nominal time step if the chip has one)
                + host time (profiles with a `host` section: the host and embedded cores in the
                  loop, serial with the neuromorphic cores: step_fixed + step_per_io_core x I/O
                  cores, those receiving input from the host or holding an output population)

Activity comes from an emulation's exact counters. A chip that runs on a fixed tick and publishes no per-operation times
(TrueNorth) steps at its tick. Unpublished times for messages between chips or boards, or for a
multi-chip barrier, are left out and make the step time a lower bound (`StepTime.notes` says so).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import LatencyError
from ..ir import Network
from ..profiles import Profile, load_profile
from ..result import Result
from .placement import Placement

#: Per-operation times the core model needs.
PER_OP = ("synaptic_op", "neuron_update_inactive", "neuron_update_active")


@dataclass(frozen=True)
class StepTime:
    """Modeled time per step (seconds) and its parts; `critical_core` is the slowest core."""

    per_core_s: NDArray[np.float64]
    barrier_s: float
    nominal_s: float | None
    step_s: float
    steps_per_inference: int
    critical_core: int
    notes: list[str] = field(default_factory=list)
    host_s: float = 0.0
    io_cores: int = 0

    @property
    def lower_bound(self) -> bool:
        """True when some time (messages between chips or boards, a multi-chip barrier) is unpublished."""
        return bool(self.notes) and any("lower bound" in n for n in self.notes)

    @property
    def inference_s(self) -> float:
        return self.step_s * self.steps_per_inference


def _time(profile: Profile, key: str) -> float:
    q = getattr(profile.timing, key)
    if q is None:
        raise LatencyError(f"the latency model needs timing.{key}, which profile {profile.name!r} does not publish")
    return q.si


def _optional(profile: Profile, key: str) -> float | None:
    q = getattr(profile.timing, key)
    return None if q is None else q.si


def _barrier(placement: Placement, profile: Profile, notes: list[str]) -> float:
    one, all_ = _time(profile, "barrier_sync_single_tile"), _time(profile, "barrier_sync_all_tiles")
    if placement.n_chips > 1:
        multi = _optional(profile, "barrier_sync_multi_chip")
        if multi is not None:
            return multi
        notes.append(f"a barrier across {placement.n_chips} chips is not published for {profile.name}: the one-chip "
                     "figure stands in, so the step time is a lower bound")
        return all_
    chip = profile.chip
    n_tiles = chip.mesh_rows.si * chip.mesh_cols.si if chip.mesh_rows and chip.mesh_cols else 1
    frac = (placement.tiles_used - 1) / (n_tiles - 1) if n_tiles > 1 else 1.0
    return one + (all_ - one) * frac


def _tick(placement: Placement, profile: Profile, result: Result) -> StepTime:
    """A chip that advances on a fixed tick and publishes no per-operation times."""
    tick = profile.timing.timestep_nominal
    return StepTime(np.zeros(placement.n_cores), 0.0, tick.si, tick.si, result.steps, -1,
                    [f"{profile.name} advances on its fixed {tick.value:g} {tick.unit} tick and publishes no "
                     "per-operation times: each step is one tick (the work is assumed to fit in it)"])


def io_cores(placement: Placement, network: Network) -> int:
    """Cores the host talks to every step: those holding compartments that receive input from
    the host, and those holding an output population (one whose spikes go nowhere on chip)."""
    routes = {r.name: r for r in placement.routes}
    fed = {c.dst for c in network.connections if routes[c.name].from_host}
    senders = {c.src for c in network.connections}
    cores = [placement.core_of[p.name] for p in network.populations if p.name in fed or p.name not in senders]
    return int(np.unique(np.concatenate(cores)).size) if cores else 0


def _host(placement: Placement, profile: Profile, network: Network, notes: list[str]) -> tuple[float, int]:
    """(host seconds per step, I/O cores) for a profile with the host in the loop, else (0, 0)."""
    host = profile.host
    if host is None:
        return 0.0, 0
    n_io = io_cores(placement, network)
    host_s = host.step_fixed.si + host.step_per_io_core.si * n_io
    notes.append(f"host in the loop ({profile.name}): {host.step_fixed.value:g} {host.step_fixed.unit} + "
                 f"{host.step_per_io_core.value:g} {host.step_per_io_core.unit} x {n_io} I/O cores = "
                 f"{host_s * 1e6:,.1f} us per step, after the chip's step ({host.step_fixed.source})")
    return host_s, n_io


def step_time(placement: Placement, profile: Profile | str, network: Network, result: Result) -> StepTime:
    """Modeled time per step of `network` placed as `placement`, with activity from `result`."""
    profile = load_profile(profile)
    missing = [k for k in PER_OP if getattr(profile.timing, k) is None]
    if missing and profile.timing.timestep_nominal is not None:
        return _tick(placement, profile, result)
    steps = result.steps * result.batch
    t_syn = _time(profile, "synaptic_op")
    t_idle, t_active = _time(profile, "neuron_update_inactive"), _time(profile, "neuron_update_active")
    core = np.zeros(placement.n_cores)
    core += placement.compartments * t_idle
    spikes_per_step = {}
    for p in network.populations:
        node = result.counters.of_node(p.name)
        spikes_per_step[p.name] = node["spikes"].sum() / steps
        share = np.bincount(placement.core_of[p.name], minlength=placement.n_cores) / p.n
        core += share * node["active_updates"].sum() / steps * (t_active - t_idle)
    syn_total = placement.synapses_on_core.sum(axis=1)
    routes = {r.name: r for r in placement.routes}
    notes: list[str] = []
    off = {"off_chip": _optional(profile, "spike_off_chip"), "off_board": _optional(profile, "spike_off_board")}
    untimed = dict.fromkeys(off, 0.0)
    for c, conn in enumerate(network.connections):
        ops = result.counters.of_connection(conn.name)["synaptic_ops"].sum() / steps
        if syn_total[c]:
            t = _optional(profile, "synaptic_op_conv") if conn.kernel is not None else None
            core += ops * placement.synapses_on_core[c] / syn_total[c] * (t_syn if t is None else t)
        route = routes[conn.name]
        if route.from_host or conn.src not in placement.core_of or not route.messages:
            continue
        per_axon = (route.intra_tile * _time(profile, "spike_intra_tile") + route.hops_ew * _time(profile, "spike_hop_ew")
                    + route.hops_ns * _time(profile, "spike_hop_ns"))   # summed over the n_src axons
        for kind, t in off.items():
            n = getattr(route, kind)
            if t is None:
                untimed[kind] += n / route.n_src * spikes_per_step[conn.src]
            else:
                per_axon += n * t
        per_spike = per_axon / route.n_src
        src_share = np.bincount(placement.core_of[conn.src], minlength=placement.n_cores) / route.n_src
        core += src_share * spikes_per_step[conn.src] * per_spike
    notes += [f"{n:,.1f} spike messages per step {kind.replace('_', ' ')} are not timed (timing.spike_{kind} is not "
              f"published for {profile.name}): the step time is a lower bound" for kind, n in untimed.items() if n]
    barrier = _barrier(placement, profile, notes)
    nominal = profile.timing.timestep_nominal.si if profile.timing.timestep_nominal else None
    host_s, n_io = _host(placement, profile, network, notes)
    step = max(core.max(initial=0.0) + barrier, nominal or 0.0) + host_s
    return StepTime(core, barrier, nominal, step, result.steps, int(core.argmax()) if core.size else -1, notes,
                    host_s, n_io)


def latency_summary(placement: Placement, profile: Profile | str, result: Result) -> dict:
    """The modeled time per step as a JSON-ready dict (`modeled`: False and the `reason` when the
    profile lacks a timing figure)."""
    try:
        t = step_time(placement, profile, result.network, result)
    except LatencyError as exc:
        return {"modeled": False, "reason": str(exc)}
    return {"modeled": True, "step_s": t.step_s, "barrier_s": t.barrier_s, "host_s": t.host_s,
            "io_cores": t.io_cores, "inference_s": t.inference_s,
            "steps_per_inference": t.steps_per_inference, "critical_core": t.critical_core,
            "steps_emulated": result.steps, "lower_bound": t.lower_bound, "notes": t.notes}
