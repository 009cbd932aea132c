"""What each command prints: tables and lines built from library results, nothing computed here
that the JSON does not also hold."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import SimpleNamespace

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from .tables import Column, count, figures_of, pct, scaled, sci, table, used

RESOURCE_COLUMNS = (("compartments", "compartments"), ("in axons", "input_axons"),
                    ("out axons", "output_axons"), ("memory", "synaptic_memory_bits"))


def notes(lines: Iterable[str], indent: str = "  ") -> list[Text]:
    """Plain lines (no markup, no highlighting), each wrapped between words."""
    return [Text(f"{indent}{line}") for line in lines]


def profiles_list(profiles) -> list[RenderableType]:
    rows = [(p.name, p.kind, str(len(p.figures())), str(sum(q.status == "measured" for _, q in p.figures())),
             p.description) for p in profiles]
    return [table("built-in profiles", [Column("name"), Column("kind"), Column("figures", True),
                                        Column("measured", True), Column("description")], rows)]


def profile_figures(p) -> list[RenderableType]:
    """Every figure with its value, unit, modeled/measured, bound and the number of its source
    (the sources, each once, below the table)."""
    figures = p.figures()
    sources = list(dict.fromkeys(q.source + (f" ({q.note})" if q.note else "") for _, q in figures))
    rows = [(key, f"{q.value:g} {q.unit}", q.status + ("" if q.bound == "nominal" else f", {q.bound}"),
             f"[{sources.index(q.source + (f' ({q.note})' if q.note else '')) + 1}]") for key, q in figures]
    out: list[RenderableType] = [table(f"{p.name}: {p.description}", [Column("figure", names=True),
                                       Column("value", True), Column("figure is"), Column("source", True)], rows)]
    out += notes(f"[{k}] {src}" for k, src in enumerate(sources, 1))
    if p.static_power:
        out += notes([f"static power charged over {p.static_power.scope}: {p.static_power.reason}"], "")
    else:
        out += notes(["static power: not published for this profile; none is charged"], "")
    if p.system:
        out += notes([f"largest published system: {p.system.name}, {p.system.chips.value:,.0f} chips"], "")
    return out + notes((f"note: {n}" for n in p.notes), "")


def placement(pl, per_core: bool) -> list[RenderableType]:
    """A row per core (`per_core`) or per population (the busiest core's use of each resource):
    compartments used (share of the limit), axons and synaptic memory as shares of the limit
    (counts where the profile states no limit)."""
    use = pl.utilization()
    title = (f"{pl.profile}, {pl.strategy}: {pl.n_cores} cores on {pl.n_chips} chip(s) on {pl.n_boards} board(s), "
             f"{pl.tiles_used} tiles")

    def shown(key: str, value: float) -> str:
        limit = use[key][1]
        if key == "compartments":
            return used(value, limit)
        if key == "synaptic_memory_bits" and not pl.memory_modeled:
            return "-"
        if limit:
            return f"{100 * value / limit:.0f}%"
        return f"{value / 8192:,.1f} KiB" if key == "synaptic_memory_bits" else count(value)

    resources = [Column(t, True) for t, _ in RESOURCE_COLUMNS]
    if per_core:
        cols = [Column("core"), Column("chip tile", True), *resources, Column("synapses", True)]
        rows = [(f"{k} {pl.pieces[k][0].population}", f"{pl.chip[k]} {pl.tile_row[k]},{pl.tile_col[k]}",
                 *(shown(key, use[key][0][k]) for _, key in RESOURCE_COLUMNS), count(pl.synapses[k]))
                for k in range(pl.n_cores)]
    else:
        cols = [Column("population"), Column("cores", True), *resources, Column("synapses", True)]
        populations = [pieces[0].population for pieces in pl.pieces]
        rows = []
        for pop in dict.fromkeys(populations):
            ks = [k for k, p in enumerate(populations) if p == pop]
            rows.append((pop, str(len(ks)), *(shown(key, use[key][0][ks].max()) for _, key in RESOURCE_COLUMNS),
                         count(pl.synapses[ks].sum())))
    t = pl.traffic()
    lines = [("compartments used (share of the limit); input and output axons and synaptic memory as shares of the "
              "limit, or counts where the profile states none" + ("" if per_core else
                                                                   "; the busiest core of each population")),
             f"traffic if every compartment and input spiked once: {t['messages']:,.0f} messages, "
             f"{t['messages_between_tiles']:,.0f} between tiles ({t['hops']:,.0f} hops), "
             f"{t['messages_off_chip']:,.0f} to another chip, {t['messages_off_board']:,.0f} to another board"]
    if not pl.memory_modeled:
        lines.append(f"synaptic memory (-): {pl.profile} publishes no per-core memory or synapse encoding, so it "
                     "is neither counted nor checked")
    if pl.exceeds_system:
        lines.append(f"{pl.n_chips} chips exceed the largest published {pl.profile} system ({pl.system[0]}, "
                     f"{pl.system[1]:,} chips): the boards beyond it are hypothetical")
    return [table(title, cols, rows), *notes(lines, "")]


def latency(d: dict) -> list[RenderableType]:
    if not d["modeled"]:
        return notes([f"latency: not modeled: {d['reason']}"], "")
    where = "" if d["critical_core"] < 0 else \
        f" (slowest core {d['critical_core']}, barrier {d['barrier_s'] * 1e9:,.0f} ns)"
    bound = "at least " if d["lower_bound"] else ""
    return notes([f"modeled time per step {bound}{d['step_s'] * 1e6:,.2f} us{where}, {bound}"
                  f"{d['inference_s'] * 1e3:,.3f} ms per {d['steps_per_inference']}-step inference; activity from "
                  f"{d['steps_emulated']} emulated steps (modeled)", *(f"note: {n}" for n in d["notes"])], "")


def energy_actions(d: dict) -> Table:
    """An `EnergyReport.to_dict()` as a table: each priced action with its count, joules, share,
    modeled/measured and its source's number (`energy` prints the sources below it)."""
    total = d["energy_j"] or 1.0
    sources = _sources(d)
    rows = [(action, count(d["counts"].get(action, d["counts"]["synaptic_ops"])), sci(joules),
             pct(joules / total), d["sources"][action]["status"], f"[{sources.index(d['sources'][action]['source']) + 1}]")
            for action, joules in d["breakdown_j"].items()]
    for part, what in (("host", "x86 power x time"), ("static", "static power x time")):
        joules = d.get(f"{part}_energy_j")
        if joules is not None:
            rows.append((part, "", sci(joules), pct(joules / total), "modeled", what))
    return table(f"energy on {d['profile']}: {d['energy_per_inference_j']:.3e} J per inference (modeled)",
                 [Column("action", names=True), Column("count", True), Column("J", True), Column("share", True),
                  Column("figure"), Column("source")], rows)


def _sources(d: dict) -> list[str]:
    return list(dict.fromkeys(s["source"] for s in d["sources"].values()))


def energy(d: dict, brain_power_w: float, brain_source: str) -> list[RenderableType]:
    """An `EnergyReport.to_dict()`: the actions table, its sources, totals, notes, NeuroBench."""
    out: list[RenderableType] = [energy_actions(d)]
    out += notes(f"[{k}] {s}" for k, s in enumerate(_sources(d), 1))
    time = f"{d['time_per_inference_s'] * 1e3:.3f} ms" if d["time_per_inference_s"] else "time not modeled"
    power = f"{d['power_w']:.3g} W" if d["power_w"] else "power n/a"
    within = brain_power_w / d["energy_per_inference_j"] if d["energy_per_inference_j"] else float("inf")
    nb = d["neurobench"]
    out += notes([f"{d['energy_per_inference_j']:.3e} J per inference (modeled), {time} per inference, average "
                  f"{power}; within the brain's {brain_source}: {within:,.0f} inferences/s",
                  *(f"note: {n}" for n in d["notes"]),
                  f"NeuroBench: Effective_ACs {nb['SynapticOperations']['Effective_ACs']:,.0f}, ActivationSparsity "
                  f"{nb['ActivationSparsity']:.3f}, MembraneUpdates {nb['MembraneUpdates']:,.0f}"], "")
    return out


def activity(run) -> list[RenderableType]:
    """The activity a run produced, per population (spikes per compartment per step)."""
    parts = []
    for p in run.network.populations:
        node = run.counters.of_node(p.name)
        parts.append(f"{p.name} {node['spikes'].sum() / max(node['neuron_updates'].sum(), 1):.1%}")
    return notes([f"activity (spikes per compartment per step, emulated): {', '.join(parts)}"], "")


def profiles_summary(outcome: dict, reports: dict[str, dict]) -> list[RenderableType]:
    """One row per profile: its price, or the one-line reason it has none."""
    rows = []
    for name in outcome:
        d = reports.get(name)
        if d is None:
            rows.append((name, "-", "-", "-", f"not priced: {outcome[name]}"))
            continue
        bound = "lower bound" if d["lower_bound"] else "modeled"
        rows.append((name, sci(d["energy_per_inference_j"]), sci(d["time_per_inference_s"]), sci(d["power_w"]), bound))
    return [table("per profile", [Column("profile"), Column("J/inference", True), Column("s/inference", True),
                                  Column("W", True), Column("figures")], rows)]


def scale(estimates: dict, reasons: dict[str, str], reference_w: float, reference: str) -> list[RenderableType]:
    """`neurochip scale`: per profile and connectivity model, the core budget, chips, power and
    the time one biological second takes."""
    rows = []
    for name, models in estimates.items():
        for model, e in models.items():
            rows.append((name, model, f"{e.compartments_per_core:,}", e.binding_limit.removeprefix("max_"),
                         count(e.chips), sci(e.power_w), f"{e.power_w / reference_w:,.3g}x",
                         sci(e.seconds_per_biological_second)))
    first = next(iter(next(iter(estimates.values())).values()))
    out: list[RenderableType] = [table(
        f"{first.neurons:.3g} neurons, {first.synapses:.3g} synapses at {first.rate_hz:g} Hz, {first.dt_s * 1e3:g} ms "
        "steps (modeled)",
        [Column("profile"), Column("wiring"), Column("per core", True), Column("bound by"), Column("chips", True),
         Column("W", True), Column("x brain", True), Column("s per bio s", True)], rows)]
    out += notes([f"x brain: against the brain's {reference}",
                  "wiring: shared = a core's compartments share their inputs (a lower bound); local = inputs from a "
                  "10,000-neuron neighbourhood; random = from anywhere (an upper bound)",
                  *(f"{name} ({model}): {n}" for name, models in estimates.items() for model, e in models.items()
                    for n in e.notes[1:] if model == "random"),
                  *(f"{name}: not priced: {why}" for name, why in reasons.items())], "")
    return out


#: Short forms of row caveats for narrow tables.
CAVEAT_WORDS = {"no static power published": "no static"}


def static_sensitivity(rows: list[dict]) -> list[str]:
    """For each SNN row with static power: the scope it was charged over, and the energy per
    inference had it been charged over the others."""
    out = []
    for r in rows:
        scopes = r.get("static_by_scope_per_inference_j") or {}
        if not scopes or r.get("static_energy_per_inference_j") is None:
            continue
        rest = r["energy_per_inference_j"] - r["static_energy_per_inference_j"]
        alternatives = ", ".join(f"{scope.replace('_', ' ')} {rest + j:.3g} J" for scope, j in scopes.items()
                                 if j is not None)
        host = r.get("host_energy_per_inference_j")
        out.append(f"static power on {r['profile']} is charged over {r['static_scope'].replace('_', ' ')} (the "
                   f"profile's stated choice): {100 * r['static_energy_per_inference_j'] / r['energy_per_inference_j']:.0f}%"
                   + (f" of its energy (the host's x86 cores {100 * host / r['energy_per_inference_j']:.0f}%)"
                      if host else " of its energy") + f"; per inference over {alternatives}")
    return out


def compare(report: dict) -> list[RenderableType]:
    """The main job's table: one row per system, sources as numbered notes below."""
    sizes = "-".join(map(str, report["metadata"]["sizes"]))
    title = (f"{sizes} on digits ({report['metadata']['test_samples']} test samples): dense "
             f"{report['dense_accuracy']:.2%}, SNN {report['snn_accuracy']:.2%} at {report['steps']} steps")
    rows = [(str(i), r["system"], pct(r["accuracy"], 2) if r["accuracy"] is not None else "-",
             sci(r["energy_per_inference_j"]), sci(r["latency_s"]), sci(r["power_w"]),
             ", ".join([figures_of(r["source"]), *(CAVEAT_WORDS.get(c, c) for c in r.get("caveats", []))]))
            for i, r in enumerate(report["rows"], 1)]
    out: list[RenderableType] = [table(title, [Column("#", True), Column("system"), Column("accuracy", True),
                                               Column("J/inference", True), Column("s/inference", True),
                                               Column("W", True), Column("figures")], rows)]
    out += notes(f"[{i}] {r['source']}" for i, r in enumerate(report["rows"], 1))
    out += notes(static_sensitivity(report["rows"]), "")
    for name, s in report["brain_scale"].items():
        if "error" not in s:
            out += notes([f"a brain-sized network ({s['neurons']:.3g} neurons, {s['synapses']:.2g} synapses, "
                          f"{s['rate_hz']:g} Hz) on {name}: {s['chips'][0]:,} to {s['chips'][1]:,} chips, "
                          f"{s['power_w'][0]:,.3g} to {s['power_w'][1]:,.3g} W, {s['ratio_to_brain'][0]:,.3g}x to "
                          f"{s['ratio_to_brain'][1]:,.3g}x the brain's {s['brain_power_w']:g} W (inputs shared within "
                          "a core to random wiring; chip-to-chip messages unpriced; modeled)"], "")
    if "learning" in report:
        out += digits_learning(report["learning"])
    return out + [Text(report["summary"], style="bold")]


def quantization(layers, title: str) -> list[RenderableType]:
    rows = [(r.name, r.kind + (" (exact)" if r.exact else ""), count(r.n), count(r.vth), pct(r.weight_rel_error, 2),
             f"{r.du_error:.1e}", f"{r.dv_error:.1e}", pct(r.bias_rel_error, 2),
             "no spikes" if r.spike_agreement is None else pct(r.spike_agreement, 1)) for r in layers]
    return [table(title, [Column("population", names=True), Column("type"), Column("n", True), Column("vth", True),
                          Column("w err", True), Column("du err", True), Column("dv err", True), Column("b err", True),
                          Column("spikes agree", True)], rows),
            *notes(["errors: relative L1 of weights and biases, largest decay error; spikes agree: 1 - |fixed - float| "
                    "/ (fixed + float) spike counts against a float simulation of the same graph ('no spikes': neither "
                    "side spiked, nothing to compare)"], "")]


def netx_layers(report: dict, title: str) -> list[RenderableType]:
    """A ported netx model's layers: kind, neuron, shape, activity on the test input."""
    rows = [(r["name"], r["kind"], r["neuron"], "x".join(map(str, r["shape"])), count(r["n"]),
             f"{r['spikes_per_step']:,.1f}") for r in report["layers"]]
    return [table(title, [Column("population", names=True), Column("layer"), Column("neuron"), Column("shape"),
                          Column("n", True), Column("spikes/step", True)], rows),
            *notes(["netx models are already in fixed point: emulated as lava-dl's netx runs them in Lava 0.10 (bit for "
                    "bit), nothing quantized; spikes/step: events (graded payloads count once) on the test input"], "")]


def reset_note(reset: str) -> str:
    """What `port` says about resets (NIR 1.0 cannot record a reset by subtraction)."""
    if reset == "subtract":
        return ("reset: by subtraction as trained (--reset subtract) where a profile's cores run it (loihi2); to zero "
                "elsewhere, with the accuracy both ways")
    return ("reset: neurons reset to zero (NIR 1.0 cannot record reset by subtraction, snnTorch's and Sinabs' "
            "default): for a model trained with it, give --reset subtract")


def port_data(report: dict) -> list[RenderableType]:
    """A `neurochip port --data` report: one row per profile, then the first profile's layers."""
    rows = [(r["profile"], pct(r["accuracy"], 2), count(r["synaptic_ops_per_inference"]),
             sci(r.get("energy_per_inference_j")), sci(r.get("latency_s")),
             r.get("reason") or ("lower bound" if r.get("lower_bound") else "modeled")) for r in report["rows"]]
    first = report["rows"][0]
    title = (f"{report['model']} on {report['data']}: {first['samples']:,} samples, {first['steps']} steps each "
             "(input, then one silent step per connection of depth)")
    layers = [SimpleNamespace(**d) for d in report["per_layer"][first["profile"]]]
    spikes = notes([f"{d['name']}: {d['spikes_per_inference']:,.1f} spikes per inference"
                    for d in report["per_layer"][first["profile"]]])
    return [table(title, [Column("profile", names=True), Column("accuracy", True), Column("synops/inf", True),
                          Column("J/inference", True), Column("s/inference", True), Column("figures")], rows),
            *notes(["prediction: the output population's most spiking neuron (ties to the lowest index)",
                    reset_note(report.get("reset", "zero")), *(r["reset_note"] for r in report["rows"] if "reset_note" in r)],
                   ""),
            *quantization(layers, f"layers on {first['profile']}"), *spikes]


def port_outcome(result: dict) -> list[RenderableType]:
    """A `neurochip port` report's energy line, or why it does not fit or cannot be priced."""
    out: list[RenderableType] = []
    if "energy" in result:
        d = result["energy"]
        time = f"{d['time_per_inference_s'] * 1e3:.3f} ms" if d["time_per_inference_s"] else "time not modeled"
        out += notes([f"energy at {result['input_rate_hz']:g} Hz input (modeled): {d['energy_j']:.3e} J per "
                      f"{result['steps']} steps ({time}); {d['counts']['synaptic_ops']:,} synaptic ops",
                      *(f"note: {n}" for n in d["notes"])], "")
    for key, words in (("does_not_fit", f"does not fit {result['profile']}"), ("energy_error", "energy not estimated")):
        if key in result:
            out += notes([f"{words}: {result[key]}"], "")
    return out


def pareto(rows: list[dict], mask, x: str, y: str, z: str | None) -> list[RenderableType]:
    axes = sorted({k for r in rows for k in r["point"]})
    keep = sorted((r for r, m in zip(rows, mask) if m), key=lambda r: r[x])
    body = [(str(i), *(str(r["point"].get(a, "base")) for a in axes), sci(r[x]), sci(r[y]),
             *((sci(r[z]),) if z else ())) for i, r in enumerate(keep, 1)]
    title = f"Pareto front: min {x}, min {y}" + (f", max {z}" if z else "") + f" ({len(keep)} of {len(rows)} points)"
    return [table(title, [Column("#", True), *(Column(a, True) for a in axes), Column(x, True), Column(y, True),
                          *((Column(z, True),) if z else ())], body)]


def baseline(report: dict) -> list[RenderableType]:
    """The dense baseline: accuracy, exact cost per layer, CPU and GPU energy, the crossover."""
    sizes = "-".join(map(str, report["sizes"]))
    out: list[RenderableType] = notes([f"dense MLP {sizes} on digits: test accuracy {report['accuracy']:.2%} "
                                       f"({report['test_samples']} held-out samples, measured)"], "")
    out.append(table("cost per inference (exact counts, fp32)",
                     [Column("layer"), Column("MACs", True), Column("parameter bytes", True),
                      Column("activation bytes", True)],
                     [(f"{c['fan_in']}->{c['fan_out']}", count(c["macs"]), count(c["parameter_bytes"]),
                       count(c["activation_bytes"])) for c in report["layers"]]))
    cpu = report["cpu"]
    out += notes([f"CPU measured: {cpu['j_per_inference']:.3e} J per inference ({cpu['method']})" if cpu["measured"]
                  else f"CPU: {cpu['reason']}; modeled {cpu['modeled_j']:.3e} J per inference ({'; '.join(cpu['notes'])})"],
                 "")
    snn = report["snn_estimate"]
    out.append(table(f"GPU energy per inference vs a batch-1 SNN estimate ({snn['energy_per_inference_j']:.3e} J)",
                     [Column("dtype"), Column("batch", True), Column("modeled J", True), Column("measured J", True),
                      Column("figures")],
                     [(r["dtype"], count(r["batch"]), f"{r['modeled_j']:.3e}",
                       f"{r['measured_j']:.3e}" if r["measured_j"] else "-", figures_of(r["source"]))
                      for r in report["gpu"]]))
    out += notes([f"SNN estimate: {snn['label']}",
                  *(f"GPU {dtype} needs less energy per inference than the SNN from batch "
                    f"{batch if batch else 'never (in the sweep)'}" for dtype, batch in report["crossover_batch"].items())],
                 "")
    return out


def validation(rows: list[dict]) -> list[RenderableType]:
    """Validation rows (`neurochip.validation.cases`), one table per family of cases (the part of
    `case` before its colon) with its profile and source, and its held-out error range."""
    families: dict[str, list[dict]] = {}
    for r in rows:
        families.setdefault(r["case"].split(": ")[0], []).append(r)
    out: list[RenderableType] = []
    for family, group in families.items():
        held_out = [r["error"] for r in group if not r["fitted"]]
        profiles = ", ".join(dict.fromkeys(r["profile"] for r in group))
        cells = [(r["case"].partition(": ")[2], r["quantity"], scaled(r["reference"], r["unit"]),
                  scaled(r["predicted"], r["unit"]), f"{100 * r['error']:+.1f}%", "fit" if r["fitted"] else "held out")
                 for r in group]
        out.append(table(family + (f" (profile {profiles})" if profiles != "-" else ""), [Column("case"), Column("quantity"), Column("reference", True),
                                                             Column("predicted", True), Column("error", True),
                                                             Column("use", names=True)], cells))
        out += notes([f"reference: {s}" for s in dict.fromkeys(r["source"] for r in group)]
                     + ([f"held out: {100 * min(held_out):+.1f}% to {100 * max(held_out):+.1f}%"] if held_out else []))
    return out


def _energy_rows(rows: list[dict], keys: Sequence[tuple[str, str]]) -> list[tuple[str, ...]]:
    return [(str(i), r["system"], *(sci(r[k]) if r.get(k) is not None else "-" for _, k in keys),
             r["status"] + (", lower bound" if r["lower_bound"] else ""))
            for i, r in enumerate(rows, 1)]


def hopfield(report: dict) -> list[RenderableType]:
    """The associative memory's capacity curve and energy per stored pattern and per recall."""
    curve = table(f"Recall from cues with {report['flip']:.0%} of bits flipped ({report['neurons']} neurons, "
                  f"{report['trials']} pattern sets per load)",
                  [Column("P", True), Column("P/N", True), Column("recalled", True), Column("mean overlap", True)],
                  [(str(c["patterns"]), f"{c['load']:.2f}", pct(c["recalled"], 1), f"{c['mean_overlap']:.3f}")
                   for c in report["curve"]])
    keys = (("J/pattern", "store_j"), ("J/recall", "recall_j"), ("s/recall", "recall_s"))
    energy = table("Energy to store and to recall", [Column("#", True), Column("system"),
                                                    *(Column(k, True) for k, _ in keys), Column("figures")],
                   _energy_rows(report["rows"], keys))
    out: list[RenderableType] = [curve, energy]
    out += notes(f"[{i}] {r['source']}" for i, r in enumerate(report["rows"], 1))
    out += notes([f"Hopfield capacity: {report['hopfield_capacity_load']} N ({report['hopfield_capacity_source']}); "
                  f"the chip's recall equals numpy's synchronous update at every step: {report['chip_equals_numpy']}; "
                  f"learned weights equal 2 sum xi xi^T: {report['learned_equals_hebbian']}"], "")
    out += notes(_within_brain(report, "recalls_per_s_within_brain_power", "recalls"), "")
    return out


def digits_learning(report: dict) -> list[RenderableType]:
    """Unsupervised STDP on digits against backprop: accuracy and the energy of learning."""
    keys = (("J/sample", "training_j_per_sample"), (f"J to {report['target_accuracy']:.0%}", "energy_to_target_j"))
    rows = _energy_rows(report["rows"], keys)
    rows = [(r[0], r[1], pct(src["accuracy"], 1), *r[2:]) for r, src in zip(rows, report["rows"])]
    out: list[RenderableType] = [table(
        f"Energy to learn digits ({report['training_samples']} training, {report['test_samples']} test samples): "
        f"STDP {report['stdp_accuracy']:.1%} after label assignment, backprop {report['backprop_accuracy']:.1%}",
        [Column("#", True), Column("system"), Column("accuracy", True), *(Column(k, True) for k, _ in keys),
         Column("figures")], rows)]
    out += notes(f"[{i}] {r['source']}" for i, r in enumerate(report["rows"], 1))
    out += notes([f"rules: features {report['rules']['features']}; homeostasis {report['rules']['homeostasis']}"], "")
    out += notes(_within_brain(report, "training_samples_per_s_within_brain_power", "training samples"), "")
    return out


def _within_brain(report: dict, key: str, what: str) -> list[str]:
    rates = "; ".join(f"[{i}] {r[key]:.3g}" for i, r in enumerate(report["rows"], 1))
    return [f"{what} per second within the brain's power ({report['brain_power_source']}): {rates}"]
