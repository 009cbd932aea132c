"""Price a run's exact counters on a profile: joules, watts, seconds, energy-delay product.

    dynamic energy = sum over actions of count x energy per action (profile `energy`)
    static energy  = static power x modeled time (scope from the profile: chips used, cores used,
                     or the whole device)
    host energy    = the host's active power x chips used x modeled time (profiles with a `host`
                     section: each chip's embedded x86 cores running the I/O of every step),
                     reported apart
    time           = modeled time per step (`mapping.step_time`) x steps x samples (samples run
                     one after another on the chip)

On the `brain` profile, synaptic events are priced at the whole-organ average energy per
synaptic event (resting power included), in real time (one step = `dt_s`).
"""
from __future__ import annotations

import numpy as np

from ..errors import EnergyError, LatencyError
from ..mapping import ACTIONS, Placement, action_counts, active_counter, map_network, per_core_counts, step_time
from ..profiles import Profile, load_profile
from ..result import Result
from .report import EnergyReport, neurobench_metrics


def dynamic_energy(profile: Profile, counts: dict[str, int],
                   strict: bool = True) -> tuple[dict[str, float], dict[str, dict]]:
    """(joules per action, the figure used for each) for the `ACTIONS` in `counts`. An action that
    occurred and has no price in the profile raises `EnergyError` when `strict`, else is left out
    (`unpriced` lists it)."""
    breakdown, sources = {}, {}
    for action, words in ACTIONS.items():
        n = counts.get(action, 0)
        if n == 0:
            continue
        q = getattr(profile.energy, action) or getattr(profile.energy, FALLBACK.get(action, action))
        if q is None:
            if strict:
                raise EnergyError(f"profile {profile.name!r} has no energy.{action}: cannot price {n:,} {words}")
            continue
        breakdown[action] = n * q.si
        sources[action] = {"energy_per_op_j": q.si, "status": q.status, "source": q.source}
    return breakdown, sources


#: Actions priced with another action's figure when the profile has none of their own.
FALLBACK = {"synaptic_op_conv": "synaptic_op"}


def unpriced(profile: Profile, counts: dict[str, int]) -> dict[str, int]:
    """Actions that occurred (count > 0) and that `profile` publishes no energy for."""
    return {a: counts[a] for a in ACTIONS if counts.get(a, 0) and getattr(profile.energy, a) is None
            and getattr(profile.energy, FALLBACK.get(a, a)) is None}


def check_priceable(profile: Profile) -> None:
    """Raise `EnergyError` in one line when no spiking run can be priced on `profile` (before any
    emulation): a dense-only profile, or a neuromorphic one without the core and chip structure
    to place a network on."""
    if profile.kind == "biological":
        if profile.energy.synaptic_event_aggregate is None:
            raise EnergyError(f"profile {profile.name!r} has no energy.synaptic_event_aggregate: cannot price a run")
        return
    if profile.kind != "neuromorphic":
        raise EnergyError(f"profile {profile.name!r} is a {profile.kind}: it prices dense networks, not spiking runs")
    if profile.core is None or profile.chip is None:
        raise EnergyError(f"profile {profile.name!r} states no per-core limits or chip structure: a network cannot "
                          "be placed on it, so it cannot be priced")


#: What static power can be charged over: every chip used, every core used, or nothing (a
#: what-if: the chip's leakage gated away, or paid for by other work).
STATIC_SCOPES = ("chips_used", "cores_used", "none")


def static_power(profile: Profile, n_chips: int, n_cores: int, scope: str | None = None) -> tuple[float | None, str]:
    """(watts charged while the chip runs, how), or (None, why none). `scope` replaces the
    profile's own scope (one of `STATIC_SCOPES`)."""
    sp = profile.static_power
    if sp is None:
        return None, f"profile {profile.name!r} publishes no static power: none is charged"
    if scope == "none":
        return 0.0, "none charged (static scope 'none' chosen)"
    if scope is not None and scope not in STATIC_SCOPES:
        raise EnergyError(f"static scope: expected one of {STATIC_SCOPES}, found {scope!r}")
    chosen = scope or sp.scope
    quantity, units = {"chips_used": (sp.per_chip, n_chips), "cores_used": (sp.per_core, n_cores),
                       "device": (sp.idle_board, 1)}[chosen]
    if quantity is None:
        raise EnergyError(f"profile {profile.name!r} charges static power over {chosen} but gives no value for it")
    why = sp.reason if chosen == sp.scope else f"chosen instead of the profile's {sp.scope}"
    return quantity.si * units, f"{quantity.value:g} {quantity.unit} x {units} ({chosen}: {why})"


def price(result: Result, profile: Profile | str, placement: Placement | None = None, strategy: str = "greedy",
          dt_s: float = 1e-3, strict: bool = False, static_scope: str | None = None) -> EnergyReport:
    """Energy report of `result` on `profile`.

    Parameters
    ----------
    result : an emulation result (its network, packed layout and counters); nothing is packed
        or emulated again.
    profile : built-in name, YAML path or `Profile`.
    placement : where the network sits; mapped with `strategy` when not given.
    dt_s : seconds per step for profiles that run in real time without a latency model (brain).
    strict : raise `EnergyError` when an action that occurred, or the time, has no published
        figure. Otherwise the run is priced without it: the report lists it in `unpriced` and
        its total is a lower bound (`lower_bound`).
    static_scope : charge static power over "chips_used", "cores_used" or "none" instead of the
        profile's own scope (a stated choice; `EnergyReport.static_by_scope` gives all of them).

    Raises
    ------
    EnergyError naming the profile and what it lacks: a profile that cannot price runs at all
    (`check_priceable`), or a missing figure when `strict`.
    """
    profile = load_profile(profile)
    check_priceable(profile)
    if not dt_s > 0:
        raise EnergyError(f"dt_s: expected seconds per step > 0, found {dt_s!r}")
    if profile.kind == "biological":
        return _price_brain(result, profile, dt_s)
    network = result.network
    placement = placement or map_network(network, profile, strategy, packed=result.packed)
    active = active_counter(profile)
    counts = action_counts(network, placement, result.counters, active)
    per_core = per_core_counts(network, placement, result.packed, result.counters, active)
    missing = unpriced(profile, counts)
    breakdown, sources = dynamic_energy(profile, counts, strict=strict)
    notes = [f"{counts['host_spikes']:,} input spikes enter from the host as {counts['host_messages']:,} messages: "
             "priced as message_out only, no hops"] if counts["host_spikes"] else []
    notes += [f"unpriced: {n:,} {ACTIONS[a]} (profile {profile.name!r} publishes no energy.{a}); the total is a "
              "lower bound" for a, n in missing.items()]
    if counts["messages"] and profile.energy.barrier_sync is None:
        notes.append(f"barrier synchronisation energy is not published for {profile.name}: not priced")
    try:
        timing = step_time(placement, profile, network, result, per_core)
    except LatencyError as exc:
        if strict:
            raise EnergyError(f"{exc}: the time, and the static energy over it, cannot be modeled") from None
        timing, why = None, str(exc)
    time_s = timing.step_s * result.steps * result.batch if timing else None
    static_w, how = static_power(profile, placement.n_chips, placement.n_cores, static_scope)
    by_scope = {}
    if profile.static_power is not None and time_s is not None:
        for scope in STATIC_SCOPES:
            try:
                by_scope[scope] = static_power(profile, placement.n_chips, placement.n_cores, scope)[0] * time_s
            except EnergyError:
                by_scope[scope] = None
    static_j = static_w * time_s if static_w is not None and time_s is not None else None
    host_j = None
    if profile.host and time_s is not None:
        q = profile.host.active_power
        host_j = q.si * placement.n_chips * time_s
        notes.append(f"host energy: {q.value:g} {q.unit} x {placement.n_chips} chips of embedded x86 cores while "
                     f"running ({q.source})")
    if timing is None:
        notes.append(f"time not modeled: {why}")
        if static_w is not None:
            missing["static"] = 0
            notes.append(f"unpriced: static power ({how}) over a time that is not modeled; the total is a lower bound")
    else:
        notes += timing.notes
    notes.append(f"static power: {how}")
    per_core_j = sum(per_core[a] * s["energy_per_op_j"] for a, s in sources.items())
    return EnergyReport(
        profile=profile.name, batch=result.batch, steps=result.steps, counts=counts, breakdown_j=breakdown,
        sources=sources, dynamic_energy_j=sum(breakdown.values()), static_energy_j=static_j,
        static_power_w=static_w, time_s=time_s, notes=notes, host_energy_j=host_j,
        neurobench=neurobench_metrics(result), n_cores=placement.n_cores, n_chips=placement.n_chips,
        per_core_j=[float(x) for x in np.broadcast_to(per_core_j, (placement.n_cores,))], unpriced=missing,
        static_by_scope=by_scope,
    )


def _price_brain(result: Result, profile: Profile, dt_s: float) -> EnergyReport:
    q = profile.energy.synaptic_event_aggregate
    totals = result.counters.totals()
    counts = {"synaptic_op": totals["synaptic_ops"], "spikes": totals["spikes"]}
    return EnergyReport(
        profile=profile.name, batch=result.batch, steps=result.steps, counts=counts,
        breakdown_j={"synaptic_event_aggregate": counts["synaptic_op"] * q.si},
        sources={"synaptic_event_aggregate": {"energy_per_op_j": q.si, "status": q.status, "source": q.source}},
        dynamic_energy_j=counts["synaptic_op"] * q.si, static_energy_j=None, static_power_w=None,
        time_s=result.steps * result.batch * dt_s,
        notes=[f"whole-organ average per synaptic event ({q.value:g} {q.unit}): resting power is inside it, "
               f"so no static term is added; real time at {dt_s * 1e3:g} ms per step"],
        neurobench=neurobench_metrics(result), n_cores=0, n_chips=0,
    )
