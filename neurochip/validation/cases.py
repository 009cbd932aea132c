"""Every validation case as rows: what was predicted against a reference nobody here wrote.

A row: `case`, `quantity`, `unit`, `profile`, `reference` (the measured or peer value),
`source` (where the reference comes from), `predicted`, `error` (predicted / reference - 1) and
`fitted` (True when the case was used to fit a figure of the profile: its error shows the fit,
not a prediction).
"""
from __future__ import annotations

from ..energy.price import dynamic_energy, static_power
from ..profiles import load_profile
from ..mapping import step_time
from . import kws, sanafe_dvs, sanafe_small
from .blouw2019 import SOURCE as LOGS

#: Blouw et al. 2019, Table 1 (Loihi row), as printed.
PAPER_TABLE = {"inferences per second": (296, "1/s", "inferences_per_s"),
               "'dynamic' energy per inference (x86 cores included)": (0.00027, "J", "dynamic_j_per_inference")}
PAPER = "Blouw et al. 2019, NICE (arXiv:1812.01739), Table 1, Loihi"
#: TrueNorth's published operating point (Merolla et al. 2014): a 1 kHz tick, 1,048,576 neurons
#: firing at 20 Hz, each spike reaching 128 active synapses.
TRUENORTH_POINT = {"neurons": 1_048_576, "rate_hz": 20, "synapses": 128, "cores": 4096}


def _row(case: str, quantity: str, unit: str, profile: str, reference: float, source: str, predicted: float,
         fitted: bool) -> dict:
    return {"case": case, "quantity": quantity, "unit": unit, "profile": profile, "reference": reference,
            "source": source, "predicted": predicted, "error": predicted / reference - 1, "fitted": fitted}


def log_parsing() -> list[dict]:
    """The parsed logs against the figures the paper printed from them (keyword spotter)."""
    spotter = kws.measured()[0]
    return [_row("Loihi logs, parsed: keyword spotter", quantity, unit, "-", value, PAPER, getattr(spotter, key), False)
            for quantity, (value, unit, key) in PAPER_TABLE.items()]


def keyword_spotting(profile: str = "loihi") -> list[dict]:
    """Every logged keyword-spotting configuration on `profile`: time per step and total energy
    per inference (chip + x86 + static; never the paper's 'dynamic')."""
    rows = []
    for p in kws.predict(profile):
        case = f"Loihi keyword spotting: {p.config}"
        rows += [_row(case, "time per step", "s", profile, p.measured_step_s, LOGS, p.step_s, p.fitted),
                 _row(case, "energy per inference (chip + x86 + static)", "J", profile, p.measured_energy_j, LOGS,
                      p.energy_j, p.fitted)]
    return rows


def sanafe_cross_check() -> list[dict]:
    """The 64-128-10 network against SANA-FE 2.2.9's own run of it, on `loihi-sanafe`."""
    ref = sanafe_small.reference()
    run = sanafe_small.run()
    report = run.energy("loihi-sanafe")
    totals = run.counters.totals()
    source = ref["source"].split(", run on")[0]
    case = "SANA-FE 2.2.9: 64-128-10, 100 steps"
    return [_row(case, "synaptic events", "count", "loihi-sanafe", ref["spikes"], source, totals["synaptic_ops"], False),
            _row(case, "spike messages", "count", "loihi-sanafe", ref["packets_sent"], source,
                 report.counts["message_out"], False),
            _row(case, "energy", "J", "loihi-sanafe", ref["energy"]["total"], source, report.energy_j, False),
            _row(case, "time (100 steps)", "s", "loihi-sanafe", ref["sim_time"], source, report.time_s, False)]


def sanafe_dvs_gesture() -> list[dict]:
    """SANA-FE's DVS-gesture network on its own 49-core placement against SANA-FE 2.2.9's run of
    it, on `loihi-sanafe` (time per step against SANA-FE's detailed timing model)."""
    ref = sanafe_dvs.reference()
    stored = ref["stored"]
    run = sanafe_dvs.run()
    placement = sanafe_dvs.placement(run)
    report = run.energy("loihi-sanafe", placement=placement)
    step = step_time(placement, "loihi-sanafe", run.network, run)
    totals = run.counters.totals()
    source = ref["source"].split(", run on")[0]
    case = f"SANA-FE 2.2.9: DVS gesture, 49 cores, {sanafe_dvs.STEPS} steps"
    return [_row(case, "spikes", "count", "loihi-sanafe", stored["neurons_fired"], source, totals["spikes"], False),
            _row(case, "synaptic events", "count", "loihi-sanafe", stored["spikes"], source, totals["synaptic_ops"], False),
            _row(case, "spike messages", "count", "loihi-sanafe", stored["packets_sent"], source,
                 report.counts["message_out"], False),
            _row(case, "updated neurons", "count", "loihi-sanafe", stored["neurons_updated"], source,
                 report.counts["neuron_update_active"], False),
            _row(case, "energy", "J", "loihi-sanafe", stored["energy"]["total"], source, report.energy_j, False),
            _row(case, "time per step (detailed)", "s", "loihi-sanafe", stored["sim_time"] / sanafe_dvs.STEPS, source,
                 step.step_s, False)]


def truenorth_event_energy() -> float:
    """Joules per synaptic event at TrueNorth's published operating point on the `truenorth`
    profile: (static power + events/s x marginal energy per event) / events/s, over 1 s."""
    tn = load_profile("truenorth")
    point = TRUENORTH_POINT
    events = point["neurons"] * point["rate_hz"] * point["synapses"]
    breakdown, _ = dynamic_energy(tn, {"synaptic_op": events})
    watts, _ = static_power(tn, n_chips=1, n_cores=point["cores"])
    return (sum(breakdown.values()) + watts * 1.0) / events


def truenorth() -> list[dict]:
    q = load_profile("truenorth").energy.synaptic_event_aggregate
    return [_row("TrueNorth operating point: 1 kHz, 20 Hz, 128 synapses", "energy per synaptic event", "J", "truenorth",
                 q.si, q.source, truenorth_event_energy(), False)]


def rows() -> list[dict]:
    """Every case (about 15 s: the keyword-spotting configurations and the DVS network are emulated)."""
    return log_parsing() + keyword_spotting() + sanafe_cross_check() + sanafe_dvs_gesture() + truenorth()
