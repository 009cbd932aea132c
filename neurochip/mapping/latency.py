"""Time per step of a placed network: the slowest core, then the barrier.

    core time = synaptic ops x t_synop + compartments x t_update_inactive
                + active compartments x (t_update_active - t_update_inactive) + messages x t_route
    step time = max(max over cores + barrier sync, nominal time step if the chip has one)

t_route is t_intra_tile within a tile and mean hops x t_hop between tiles (the mean of the
east-west and north-south hop times). Activity comes from an emulation's exact counters.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import LatencyError
from ..ir import Network
from ..profiles import Profile, load_profile
from ..result import Result
from .placement import Placement


@dataclass(frozen=True)
class StepTime:
    """Modeled time per step (seconds) and its parts; `critical_core` is the slowest core."""

    per_core_s: NDArray[np.float64]
    barrier_s: float
    nominal_s: float | None
    step_s: float
    steps_per_inference: int
    critical_core: int

    @property
    def inference_s(self) -> float:
        return self.step_s * self.steps_per_inference


def _time(profile: Profile, key: str) -> float:
    q = getattr(profile.timing, key)
    if q is None:
        raise LatencyError(f"the latency model needs timing.{key}, which profile {profile.name!r} does not publish")
    return q.si


def _barrier(placement: Placement, profile: Profile) -> float:
    if placement.n_chips > 1:
        return _time(profile, "barrier_sync_multi_chip")
    one, all_ = _time(profile, "barrier_sync_single_tile"), _time(profile, "barrier_sync_all_tiles")
    chip = profile.chip
    n_tiles = chip.mesh_rows.si * chip.mesh_cols.si if chip.mesh_rows and chip.mesh_cols else 1
    frac = (placement.tiles_used - 1) / (n_tiles - 1) if n_tiles > 1 else 1.0
    return one + (all_ - one) * frac


def step_time(placement: Placement, profile: Profile | str, network: Network, result: Result) -> StepTime:
    """Modeled time per step of `network` placed as `placement`, with activity from `result`."""
    profile = load_profile(profile)
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
    for c, conn in enumerate(network.connections):
        ops = result.counters.of_connection(conn.name)["synaptic_ops"].sum() / steps
        if syn_total[c]:
            core += ops * placement.synapses_on_core[c] / syn_total[c] * t_syn
        route = routes[conn.name]
        if route.from_host or conn.src not in placement.core_of:
            continue
        src_share = np.bincount(placement.core_of[conn.src], minlength=placement.n_cores) / route.n_src
        between = route.messages - route.intra_tile - route.off_chip
        t_route = 0.0
        if route.messages:
            t_route = (route.intra_tile * _time(profile, "spike_intra_tile")
                       + between * (route.mean_hops or 0.0)
                       * 0.5 * (_time(profile, "spike_hop_ew") + _time(profile, "spike_hop_ns"))) / route.messages
        core += src_share * spikes_per_step[conn.src] * route.messages_per_spike * t_route
    barrier = _barrier(placement, profile)
    nominal = profile.timing.timestep_nominal.si if profile.timing.timestep_nominal else None
    step = max(core.max(initial=0.0) + barrier, nominal or 0.0)
    return StepTime(core, barrier, nominal, step, result.steps, int(core.argmax()) if core.size else -1)


def latency_summary(placement: Placement, profile: Profile | str, result: Result) -> dict:
    """The modeled time per step as a JSON-ready dict (`modeled`: False and the `reason` when the
    profile lacks a timing figure)."""
    try:
        t = step_time(placement, profile, result.network, result)
    except LatencyError as exc:
        return {"modeled": False, "reason": str(exc)}
    return {"modeled": True, "step_s": t.step_s, "barrier_s": t.barrier_s, "inference_s": t.inference_s,
            "steps_per_inference": t.steps_per_inference, "critical_core": t.critical_core,
            "steps_emulated": result.steps}
