"""The energy report: stable keys, per inference and per step, rich rendering, JSON."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..result import Result


def neurobench_metrics(result: Result) -> dict:
    """NeuroBench-named metrics per inference (sample): synaptic operations (effective ACs for
    binary spikes, effective MACs for graded payloads, dense = every synapse every step),
    activation sparsity (1 - spikes / (compartments x steps)) and membrane updates."""
    net, per = result.network, result.batch
    acs = macs = dense = 0
    for conn in net.connections:
        ops = int(result.counters.of_connection(conn.name)["synaptic_ops"].sum())
        if conn.num_message_bits:
            macs += ops
        else:
            acs += ops
        w = conn.effective_weights()
        dense += int(w.count_nonzero() if hasattr(w, "count_nonzero") else (w != 0).sum()) * result.steps
    totals = result.counters.totals()
    n = net.n_compartments * result.steps * per
    return {
        "SynapticOperations": {"Effective_ACs": acs / per, "Effective_MACs": macs / per, "Dense": dense},
        "ActivationSparsity": 1.0 - totals["spikes"] / n if n else 0.0,
        "MembraneUpdates": totals["neuron_updates"] / per,
    }


@dataclass(frozen=True)
class EnergyReport:
    """Joules, seconds and watts of a run on a profile. Whole-run figures cover all `batch`
    samples; `*_per_inference` divide by it. `static_energy_j` is None when the profile
    publishes no static power (and `notes` says so); `time_s` is None when not modeled.
    `per_core_j` is the dynamic energy of each core (host messages excluded). `unpriced` holds
    the actions that occurred with no published figure (action -> count; "static" when static
    power could not be charged over an unmodeled time): the total is then a lower bound.
    `static_by_scope` gives the whole-run static energy had it been charged over each scope
    (chips used, cores used, none): the sensitivity of the total to that choice. `host_energy_j`
    is the energy of the host and embedded cores in the loop (None when the profile models the
    chip alone): `dynamic_energy_j` is always the neuromorphic cores' own."""

    profile: str
    batch: int
    steps: int
    counts: dict[str, int]
    breakdown_j: dict[str, float]
    sources: dict[str, dict]
    dynamic_energy_j: float
    static_energy_j: float | None
    static_power_w: float | None
    time_s: float | None
    notes: list[str] = field(default_factory=list)
    neurobench: dict = field(default_factory=dict)
    n_cores: int = 0
    n_chips: int = 0
    per_core_j: list[float] = field(default_factory=list)
    unpriced: dict[str, int] = field(default_factory=dict)
    static_by_scope: dict[str, float | None] = field(default_factory=dict)
    host_energy_j: float | None = None

    @property
    def lower_bound(self) -> bool:
        """True when some action (or the static energy) occurred and could not be priced."""
        return bool(self.unpriced)

    @property
    def energy_j(self) -> float:
        return self.dynamic_energy_j + (self.static_energy_j or 0.0) + (self.host_energy_j or 0.0)

    @property
    def power_w(self) -> float | None:
        return self.energy_j / self.time_s if self.time_s else None

    @property
    def energy_per_inference_j(self) -> float:
        return self.energy_j / self.batch

    @property
    def time_per_inference_s(self) -> float | None:
        return self.time_s / self.batch if self.time_s is not None else None

    @property
    def edp_js(self) -> float | None:
        """Energy-delay product per inference (J s)."""
        t = self.time_per_inference_s
        return self.energy_per_inference_j * t if t is not None else None

    def inferences_per_s_within(self, power_w: float) -> float:
        """Inferences per second this chip could sustain inside a `power_w` budget (energy bound)."""
        return power_w / self.energy_per_inference_j if self.energy_per_inference_j else float("inf")

    def to_dict(self) -> dict:
        """Stable keys (see README, 'Energy report')."""
        return {
            "profile": self.profile, "batch": self.batch, "steps": self.steps,
            "energy_j": self.energy_j, "dynamic_energy_j": self.dynamic_energy_j,
            "static_energy_j": self.static_energy_j, "static_power_w": self.static_power_w,
            "host_energy_j": self.host_energy_j,
            "time_s": self.time_s, "power_w": self.power_w, "edp_js": self.edp_js,
            "energy_per_inference_j": self.energy_per_inference_j,
            "time_per_inference_s": self.time_per_inference_s,
            "energy_per_step_j": self.energy_j / (self.steps * self.batch),
            "breakdown_j": dict(self.breakdown_j), "sources": self.sources,
            "counts": {"synaptic_ops": self.counts.get("synaptic_op", 0), **self.counts},
            "neurobench": self.neurobench, "n_cores": self.n_cores, "n_chips": self.n_chips,
            "per_core_j": list(self.per_core_j),
            "unpriced": dict(self.unpriced), "lower_bound": self.lower_bound,
            "static_by_scope_j": dict(self.static_by_scope),
            "notes": list(self.notes),
        }

    def table(self):
        """Deprecated (0.2; removed in 0.3): use ``neurochip.report.terminal.energy(report.to_dict(), ...)``,
        which the `neurochip energy` command prints. Returns the per-action table."""
        import warnings

        from ..report.terminal import energy_actions

        warnings.warn("EnergyReport.table() is deprecated: use neurochip.report.terminal.energy(report.to_dict(), ...)",
                      DeprecationWarning, stacklevel=2)
        return energy_actions(self.to_dict())
