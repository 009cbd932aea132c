"""Time per step of a placed network: the slowest core, the slowest message's travel, the barrier.

Per step of every sample, each core works serially through its compartments and messages:

    core time = compartments x t_update_inactive
                + active compartments x (t_update_active - t_update_inactive)
                + spikes x t_spike_out + messages sent x t_message_out
                + messages received x t_message_in
                + synaptic ops x t_synop (of the synapse format: convolution or not)
    travel    = the longest mean route of a connection carrying spikes: intra-tile x t_intra_tile
                + east-west hops x t_hop_ew + north-south hops x t_hop_ns + messages to other
                chips x t_off_chip + to other boards x t_off_board (messages travel while cores
                work, so a route delays the step once, not per message)
    step time = mean over steps of max(max over cores + travel + barrier sync, nominal time step
                if the chip has one)
                + host time (profiles with a `host` section: the host and embedded cores in the
                  loop, serial with the neuromorphic cores: step_fixed + step_per_io_core x I/O
                  cores, those receiving input from the host or holding an output population)

The barrier is the profile's table by tiles used (`timing.barrier_sync_by_tiles`) or else
interpolated between its one-tile and all-tile figures. Each core's whole-run counts are exact
(`per_core_counts`); their split over steps follows the step-by-step counters of the population
(updates, spikes, messages sent), the connection (synaptic ops) or the presynaptic nodes (messages
received), so a burst of activity in one step costs that step. Times a profile does not publish
for spikes and messages count as zero (they are parts of a core's work, not all of it).

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
from .activity import active_counter, per_core_counts
from .placement import Placement

#: Per-operation times the core model needs.
PER_OP = ("synaptic_op", "neuron_update_inactive", "neuron_update_active")


@dataclass(frozen=True)
class StepTime:
    """Modeled time per step (seconds) and its parts: `per_core_s` each core's mean work per
    step, `travel_s` the longest route, `critical_core` the core with the most work."""

    per_core_s: NDArray[np.float64]
    barrier_s: float
    nominal_s: float | None
    step_s: float
    steps_per_inference: int
    critical_core: int
    notes: list[str] = field(default_factory=list)
    host_s: float = 0.0
    io_cores: int = 0
    travel_s: float = 0.0

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
    table = profile.timing.barrier_sync_by_tiles
    if table is not None and placement.n_chips <= 1:
        return table.at(placement.tiles_used)
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


def step_time(placement: Placement, profile: Profile | str, network: Network, result: Result,
              per_core: dict[str, np.ndarray] | None = None) -> StepTime:
    """Modeled time per step of `network` placed as `placement`, with activity from `result`
    (`per_core`: its `per_core_counts` on the profile's active-update rule, when at hand)."""
    profile = load_profile(profile)
    missing = [k for k in PER_OP if getattr(profile.timing, k) is None]
    if missing and profile.timing.timestep_nominal is not None:
        return _tick(placement, profile, result)
    active = active_counter(profile)
    t_syn = _time(profile, "synaptic_op")
    t_conv = _optional(profile, "synaptic_op_conv") or t_syn
    t_idle, t_active = _time(profile, "neuron_update_inactive"), _time(profile, "neuron_update_active")
    t_spike, t_out, t_in, t_update = (_optional(profile, k) or 0.0 for k in ("spike_out", "message_out", "message_in",
                                                                          "synaptic_update"))
    if per_core is None:
        per_core = per_core_counts(network, placement, result.packed, result.counters, active)
    n = placement.n_cores
    counters = result.counters
    series: list[np.ndarray] = []     # per kind of work: its share of the run in each step, (B * T,)
    weights: list[np.ndarray] = []    # and the seconds of it each core spends over the run, (n_cores,)

    def add(per_step: np.ndarray, seconds: np.ndarray) -> None:
        total = per_step.sum()
        if total:
            series.append(per_step.reshape(-1) / total)
            weights.append(seconds)

    routes = {r.name: r for r in placement.routes}
    for p in network.populations:
        node = counters.of_node(p.name)
        cores = np.bincount(placement.core_of[p.name], minlength=n)
        held = cores > 0      # a core holds one population
        add(node[active], cores / p.n * node[active].sum() * (t_active - t_idle))
        add(node["spikes"], held * (per_core["spike_out"] * t_spike + per_core["message_out"] * t_out))
        into = [c for c in network.connections if c.dst == p.name]
        if not into:
            continue
        add(sum(counters.of_connection(c.name)["synaptic_ops"] for c in into),
            held * (per_core["synaptic_op"] * t_syn + per_core["synaptic_op_conv"] * t_conv))
        add(sum(counters.of_node(c.src)["spikes"] * routes[c.name].messages_per_spike for c in into),
            held * per_core["message_in"] * t_in)
        add(sum(counters.of_connection(c.name)["synaptic_updates"] for c in into),
            held * per_core["synaptic_update"] * t_update)
    notes: list[str] = []
    if per_core["synaptic_update"].sum() and not t_update:
        notes.append(f"synaptic updates are not timed: {profile.name} publishes no timing.synaptic_update")
    travel = _travel(placement, profile, network, counters, notes)
    barrier = _barrier(placement, profile, notes)
    nominal = profile.timing.timestep_nominal.si if profile.timing.timestep_nominal else None
    base = placement.compartments * t_idle
    if not series:
        series, weights = [np.zeros(result.steps * result.batch)], [np.zeros(n)]
    work, shares = np.array(weights), np.array(series)
    steps = shares.shape[1]
    total = 0.0
    chunk = max(1, CHUNK_ELEMENTS // max(n, 1))
    for lo in range(0, steps, chunk):
        per_step = base + shares[:, lo:lo + chunk].T @ work
        total += np.maximum(per_step.max(axis=1, initial=0.0) + travel + barrier, nominal or 0.0).sum()
    host_s, n_io = _host(placement, profile, network, notes)
    core = base + work.sum(axis=0) / steps
    return StepTime(core, barrier, nominal, total / steps + host_s, result.steps, int(core.argmax()) if n else -1,
                    notes, host_s, n_io, travel)


#: Per-core times (steps x cores) formed at once: 32 MB of float64.
CHUNK_ELEMENTS = 1 << 22


def _travel(placement: Placement, profile: Profile, network: Network, counters, notes: list[str]) -> float:
    """Seconds of the longest mean route of an on-chip connection that carries spikes; messages
    to other chips or boards whose time is unpublished are noted (the step is then a lower bound)."""
    off = {"off_chip": _optional(profile, "spike_off_chip"), "off_board": _optional(profile, "spike_off_board")}
    untimed = dict.fromkeys(off, 0.0)
    steps = counters.node.shape[0] * counters.node.shape[1]
    travel = 0.0
    for conn, route in zip(network.connections, placement.routes):
        spikes = counters.of_node(conn.src)["spikes"].sum() if conn.src in placement.core_of else 0
        if route.from_host or not route.messages or not spikes:
            continue
        seconds = (route.intra_tile * _time(profile, "spike_intra_tile") + route.hops_ew * _time(profile, "spike_hop_ew")
                   + route.hops_ns * _time(profile, "spike_hop_ns"))
        for kind, t in off.items():
            if t is None:
                untimed[kind] += getattr(route, kind) / route.n_src * spikes / steps
            else:
                seconds += getattr(route, kind) * t
        travel = max(travel, seconds / route.messages)
    notes += [f"{n:,.1f} spike messages per step {kind.replace('_', ' ')} are not timed (timing.spike_{kind} is not "
              f"published for {profile.name}): the step time is a lower bound" for kind, n in untimed.items() if n]
    return travel


def latency_summary(placement: Placement, profile: Profile | str, result: Result) -> dict:
    """The modeled time per step as a JSON-ready dict (`modeled`: False and the `reason` when the
    profile lacks a timing figure)."""
    try:
        t = step_time(placement, profile, result.network, result)
    except LatencyError as exc:
        return {"modeled": False, "reason": str(exc)}
    return {"modeled": True, "step_s": t.step_s, "barrier_s": t.barrier_s, "travel_s": t.travel_s, "host_s": t.host_s,
            "io_cores": t.io_cores, "inference_s": t.inference_s,
            "steps_per_inference": t.steps_per_inference, "critical_core": t.critical_core,
            "steps_emulated": result.steps, "lower_bound": t.lower_bound, "notes": t.notes}
