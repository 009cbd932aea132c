"""The `neurochip` command line: profiles, mapping. Rich tables on the terminal, JSON on request."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .atomic import write_atomic
from .errors import NetworkError
from .api import emulate
from .energy import EnergyError
from .mapping import STRATEGIES, LatencyError, map_network, step_time
from .profiles import ProfileError, builtin_names, load_profile
from .workloads import from_spec

app = typer.Typer(help="Emulate Loihi-style neuromorphic chips and price what a model costs.", no_args_is_help=True)
profiles_app = typer.Typer(help="Hardware profiles: list them, show one with its sources.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")
console = Console()

SET_HELP = "Override a profile figure, e.g. --set core.max_compartments=2048 (repeatable)."


def _overrides(sets: list[str]) -> dict[str, str]:
    out = {}
    for item in sets:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, found {item!r}", param_hint="--set")
        out[key.strip()] = value.strip()
    return out


def _fail(exc: Exception) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(code=2)


@profiles_app.command("list")
def profiles_list() -> None:
    """List the built-in profiles."""
    table = Table(title="built-in profiles")
    for col in ("name", "kind", "description", "figures", "measured"):
        table.add_column(col)
    for name in builtin_names():
        p = load_profile(name)
        figures = p.figures()
        table.add_row(name, p.kind, p.description, str(len(figures)),
                      str(sum(q.status == "measured" for _, q in figures)))
    console.print(table)


@profiles_app.command("show")
def profiles_show(profile: str = typer.Argument(..., help="Built-in name or path to a YAML profile."),
                  set_: list[str] = typer.Option([], "--set", help=SET_HELP)) -> None:
    """Show every figure of a profile with its unit, status and source."""
    try:
        p = load_profile(profile, _overrides(set_))
    except ProfileError as exc:
        _fail(exc)
    table = Table(title=f"{p.name}: {p.description}")
    for col in ("figure", "value", "unit", "status", "bound", "source"):
        table.add_column(col, overflow="fold")
    for key, q in p.figures():
        table.add_row(key, f"{q.value:g}", q.unit, q.status, q.bound, q.source + (f" ({q.note})" if q.note else ""))
    console.print(table)
    if p.static_power:
        console.print(f"static power charged over {p.static_power.scope}: {p.static_power.reason}")
    else:
        console.print("static power: not published for this profile; none is charged")
    for note in p.notes:
        console.print(f"note: {note}")


@app.command("map")
def map_command(model: str = typer.Argument(..., help="Workload: mlp:784,512,512,10 or recurrent:N[,FAN_OUT]."),
                profile: str = typer.Option("loihi", help="Built-in name or path to a YAML profile."),
                strategy: str = typer.Option("greedy", help=f"One of {', '.join(STRATEGIES)}, or 'both'."),
                set_: list[str] = typer.Option([], "--set", help=SET_HELP),
                json_path: Optional[Path] = typer.Option(None, "--json", help="Write the placement as JSON here."),
                cores: bool = typer.Option(False, "--cores", help="Print every core, not a summary per population."),
                steps: int = typer.Option(0, help="Emulate this many steps and model the time per step from the "
                                                  "activity (0: skip).")) -> None:
    """Place a model on a profile's cores and print utilization, spike traffic and modeled latency."""
    try:
        p = load_profile(profile, _overrides(set_))
        network = from_spec(model)
        strategies = STRATEGIES if strategy == "both" else (strategy,)
        placements = [map_network(network, p, s) for s in strategies]
    except (ProfileError, NetworkError) as exc:
        _fail(exc)
    reports = [pl.to_dict() for pl in placements]
    result = emulate(network, steps) if steps > 0 else None
    for placement, report in zip(placements, reports):
        _print_placement(placement, cores)
        if result is not None:
            report["latency"] = _print_latency(placement, p, network, result)
    if json_path:
        write_atomic(json_path, json.dumps(reports if len(reports) > 1 else reports[0], indent=2))
        console.print(f"placement written to {json_path}")


@app.command("energy")
def energy_command(model: str = typer.Argument(..., help="Workload: mlp:784,512,512,10 or recurrent:N[,FAN_OUT]."),
                   profile: list[str] = typer.Option(["loihi"], help="Profiles to price on (repeatable)."),
                   steps: int = typer.Option(100, help="Time steps per inference."),
                   set_: list[str] = typer.Option([], "--set", help=SET_HELP),
                   json_path: Optional[Path] = typer.Option(None, "--json", help="Write the reports as JSON here.")) -> None:
    """Emulate a model and price it on each profile: joules, watts, time and the brain comparison."""
    try:
        network = from_spec(model)
        result = emulate(network, steps)
        reports = [result.energy(load_profile(name, _overrides(set_))) for name in profile]
    except (ProfileError, NetworkError, EnergyError) as exc:
        _fail(exc)
    brain_w = load_profile("brain").organism.total_power
    for report in reports:
        console.print(report.table())
        d = report.to_dict()
        time = f"{d['time_per_inference_s'] * 1e3:.3f} ms" if d["time_per_inference_s"] else "not modeled"
        power = f"{d['power_w']:.3g} W" if d["power_w"] else "n/a"
        console.print(f"{d['energy_per_inference_j']:.3e} J per inference ({'modeled'}), {time} per inference, "
                      f"average {power}; within the brain's {brain_w.value:g} W: "
                      f"{report.inferences_per_s_within(brain_w.si):,.0f} inferences/s")
        for note in report.notes:
            console.print(f"  note: {note}", highlight=False)
        nb = d["neurobench"]
        console.print(f"  NeuroBench: Effective_ACs {nb['SynapticOperations']['Effective_ACs']:,.0f}, "
                      f"ActivationSparsity {nb['ActivationSparsity']:.3f}, MembraneUpdates {nb['MembraneUpdates']:,.0f}")
    if json_path:
        write_atomic(json_path, json.dumps([r.to_dict() for r in reports], indent=2))
        console.print(f"reports written to {json_path}")


@app.command("compare")
def compare_command(model: str = typer.Option("digits-mlp", help="digits-mlp (train it) or a saved MLP .npz."),
                    profile: list[str] = typer.Option(["loihi", "loihi-sanafe"], help="Chip profiles (repeatable)."),
                    steps: Optional[int] = typer.Option(None, help="SNN time steps (default: fewest within 1 point "
                                                                   "of dense accuracy)."),
                    batch: Optional[int] = typer.Option(None, help="Test samples to emulate (default: all)."),
                    epochs: int = typer.Option(60, help="Training epochs of the dense network."),
                    seed: int = typer.Option(0, help="Seed of the split, training and encoding."),
                    out: Path = typer.Option(Path("reports/compare"), help="Folder for report.json, PNGs, report.html.")) -> None:
    """Dense network vs its SNN on chip profiles, a CPU, a GPU and the brain: J, W, s per inference."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .compare import run_compare, write_report

    console.width = max(console.width, 132)

    try:
        for name in profile:
            load_profile(name)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("starting", total=None)
            report = run_compare(model, tuple(profile), steps, batch, seed, epochs,
                                 progress=lambda text: bar.update(task, description=text))
            bar.update(task, description="writing the report")
            files = write_report(report, out)
    except (ProfileError, NetworkError, EnergyError, ValueError) as exc:
        _fail(exc)
    table = Table(title=f"{'-'.join(map(str, report['metadata']['sizes']))} on digits: dense {report['dense_accuracy']:.2%}, "
                        f"SNN {report['snn_accuracy']:.2%} at {report['steps']} steps")
    for col in ("#", "system", "accuracy", "J/inference", "inferences/s", "W", "latency s", "EDP J s",
                f"inf/s in {report['brain_power_w']:g} W", "figures"):
        table.add_column(col, justify="left" if col in ("system", "figures") else "right")
    for i, r in enumerate(report["rows"], 1):
        status = r["source"].split(":")[0].replace("energy modeled", "mixed")
        table.add_row(str(i), r["system"], f"{r['accuracy']:.2%}" if r["accuracy"] is not None else "-",
                      f"{r['energy_per_inference_j']:.3g}", _fmt_opt(r["inferences_per_s"], "{:,.0f}"),
                      _fmt_opt(r["power_w"], "{:.3g}"), _fmt_opt(r["latency_s"], "{:.3g}"),
                      _fmt_opt(r["edp_js"], "{:.3g}"), f"{r['inferences_per_s_within_brain_power']:.3g}", status)
    console.print(table)
    for i, r in enumerate(report["rows"], 1):
        console.print(f"  [{i}] {r['source']}", highlight=False)
    for name, s in report["brain_scale"].items():
        if "error" not in s:
            console.print(f"a brain-sized network ({s['neurons']:.3g} neurons, {s['synapses']:.2g} synapses, "
                          f"{s['rate_hz']:g} Hz) on {name}: {s['chips']:,} chips, {s['power_w']:,.0f} W, "
                          f"{s['ratio_to_brain']:,.0f}x the brain's {s['brain_power_w']:g} W (routing excluded)")
    console.print(f"[bold]{report['summary']}[/]")
    console.print(f"report: {out / 'report.html'} (and {', '.join(f.name for f in files if f.name != 'report.html')})")


def _fmt_opt(value, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


@app.command("port")
def port_command(model: Path = typer.Argument(..., help="A NIR file (.nir)."),
                 profile: str = typer.Option("loihi2", help="Target profile: built-in name or YAML path."),
                 dt: Optional[float] = typer.Option(None, help="Seconds per step (default: the graph's metadata['dt'])."),
                 rate: float = typer.Option(20.0, help="Input firing rate (Hz) for the test input and the energy estimate."),
                 steps: int = typer.Option(100, help="Steps of the test input."),
                 seed: int = typer.Option(0, help="Seed of the test input."),
                 out: Optional[Path] = typer.Option(None, help="Write the quantized network (model.nir) and report.json here.")) -> None:
    """Port a NIR model: quantize it for the profile, compare with a float simulation, map it, price it."""
    import numpy as np

    from .interop import nir as nir_io
    from .mapping import MappingError

    try:
        loaded = nir_io.load(model, dt=dt)
        p = load_profile(profile)
    except (ProfileError, NetworkError) as exc:
        _fail(exc)
    step = loaded.dt or 1e-3
    rng = np.random.default_rng(seed)
    spikes = {name: (rng.random((steps, int(np.prod(shape)))) < rate * step).astype(int)
              for name, shape in loaded.inputs.items()}
    layers = nir_io.agreement(loaded, spikes, steps)
    table = Table(title=f"{model.name}: quantization for {p.name} (dt {step:g} s, {rate:g} Hz input, {steps} steps)")
    for col in ("population", "type", "neurons", "vth", "weight error", "du error", "dv error", "bias error",
                "spike agreement vs float"):
        table.add_column(col, justify="left" if col in ("population", "type") else "right")
    for r in layers:
        table.add_row(r.name, r.kind + (" (exact)" if r.exact else ""), str(r.n), str(r.vth), f"{r.weight_rel_error:.2%}",
                      f"{r.du_error:.2e}", f"{r.dv_error:.2e}", f"{r.bias_rel_error:.2%}", f"{r.spike_agreement:.2%}")
    console.print(table)
    network = loaded.network(spikes)
    report = {"model": str(model), "profile": p.name, "dt_s": step, "input_rate_hz": rate, "steps": steps,
              "layers": [r.__dict__ for r in layers]}
    try:
        placement = map_network(network, p)
        _print_placement(placement, per_core=False)
        report["placement"] = placement.to_dict()
        energy = emulate(network, steps).energy(p, placement=placement)
        d = energy.to_dict()
        time = f"{d['time_per_inference_s'] * 1e3:.3f} ms" if d["time_per_inference_s"] else "time not modeled"
        console.print(f"energy at {rate:g} Hz input (modeled): {d['energy_j']:.3e} J per {steps} steps ({time}); "
                      f"{d['counts']['synaptic_ops']:,} synaptic ops")
        for note in energy.notes:
            console.print(f"  note: {note}", highlight=False)
        report["energy"] = d
    except MappingError as exc:
        console.print(f"[bold red]does not fit {p.name}:[/] {exc}", highlight=False)
        report["does_not_fit"] = str(exc)
    except EnergyError as exc:
        console.print(f"energy not estimated: {exc}", highlight=False)
        report["energy_error"] = str(exc)
    if out:
        nir_io.save(network, out / "model.nir", dt=step)
        write_atomic(out / "report.json", json.dumps(report, indent=2, default=str))
        console.print(f"written: {out / 'model.nir'}, {out / 'report.json'}")


@app.command("sweep")
def sweep_command(spec_path: Path = typer.Argument(..., help="Sweep specification (YAML)."),
                  out: Path = typer.Option(Path("results"), help="Folder of the durable result store."),
                  workers: int = typer.Option(2, help="Local worker processes."),
                  scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786."),
                  csv_path: Optional[Path] = typer.Option(None, "--csv", help="Also export every row as CSV.")) -> None:
    """Evaluate a sweep's points (resuming where a previous run stopped) into OUT/results.sqlite."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .sweep import Store, SweepError, load_spec, run_sweep

    try:
        spec = load_spec(spec_path)
    except SweepError as exc:
        _fail(exc)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task(f"sweep {spec.name}", total=None)
        stats = run_sweep(spec, str(out), workers, scheduler,
                          progress=lambda done, total: bar.update(task, completed=done, total=total))
    rows = Store(out).rows()
    fits = [r for r in rows if r["fits"]]
    console.print(f"{stats['points']} points: {stats['already_done']} already stored, {stats['evaluated']} evaluated; "
                  f"{len(fits)} fit, {len(rows) - len(fits)} do not (reason stored); store {out / 'results.sqlite'}")
    if csv_path:
        console.print(f"exported {Store(out).export_csv(csv_path)}")


@app.command("pareto")
def pareto_command(results: Path = typer.Argument(..., help="Folder holding results.sqlite."),
                   x: str = typer.Option("energy_per_inference_j", help="First objective (minimized)."),
                   y: str = typer.Option("latency_s", help="Second objective (minimized)."),
                   z: Optional[str] = typer.Option(None, help="Third objective (maximized), e.g. accuracy.")) -> None:
    """The Pareto front of stored sweep results: a table and OUT/pareto.png (log axes)."""
    from .sweep import Store, front, plot

    rows = [r for r in Store(results).rows() if r["fits"] and r.get(x) is not None and r.get(y) is not None
            and (z is None or r.get(z) is not None)]
    if not rows:
        _fail(ValueError(f"{results}: no fitting points with {x}, {y}" + (f", {z}" if z else "")))
    mask = front(rows, x, y, z)
    table = Table(title=f"Pareto front: min {x}, min {y}" + (f", max {z}" if z else "") + f" ({mask.sum()} of {len(rows)})")
    axes = sorted({k for r in rows for k in r["point"]})
    for col in (*axes, x, y, *((z,) if z else ())):
        table.add_column(col, justify="right")
    for r, keep in sorted(zip(rows, mask), key=lambda t: t[0][x]):
        if keep:
            table.add_row(*(f"{r['point'].get(a, 'base')}" for a in axes), f"{r[x]:.3g}", f"{r[y]:.3g}",
                          *((f"{r[z]:.3g}",) if z else ()))
    console.print(table)
    console.print(f"plot: {plot(rows, mask, x, y, results / 'pareto.png')}")


@app.command("baseline")
def baseline_command(hidden: str = typer.Option("128", help="Hidden layer sizes, comma-separated."),
                     epochs: int = typer.Option(60, help="Training epochs (Adam, batch 32)."),
                     seed: int = typer.Option(0, help="Seed of the split, initialisation and minibatches."),
                     model_path: Optional[Path] = typer.Option(None, "--model", help="Load this .npz instead of training."),
                     snn_steps: int = typer.Option(32, help="Time steps of the batch-1 SNN estimate."),
                     out: Path = typer.Option(Path("reports/baseline"), help="Folder for baseline.json and crossover.png.")) -> None:
    """Train the dense MLP on digits, count its cost, model and measure its energy, find the crossover."""
    from .baseline import NotMeasurable, crossover, digits, estimate, gpu_sweep, layer_costs, measure_cpu, train, MLP
    from .baseline.crossover import plot
    from .workloads import feed_forward_snn

    data = digits(seed=seed)
    sizes_hidden = tuple(int(h) for h in hidden.split(",") if h)
    if model_path:
        model = MLP.load(model_path)
    else:
        model, _ = train(data, sizes_hidden, epochs=epochs, seed=seed)
        model.save(out / "mlp.npz")
    accuracy = model.accuracy(data.x_test, data.y_test)
    console.print(f"dense MLP {'-'.join(map(str, model.sizes))} on digits: test accuracy {accuracy:.2%} "
                  f"({len(data.x_test)} held-out samples)")
    table = Table(title="cost per inference (exact counts, fp32)")
    for col in ("layer", "MACs", "parameter bytes (per batch)", "activation bytes"):
        table.add_column(col, justify="right")
    for i, layer in enumerate(layer_costs(model.sizes)):
        table.add_row(f"{layer.fan_in}->{layer.fan_out}", f"{layer.macs:,}", f"{layer.parameter_bytes:,}",
                      f"{layer.activation_bytes:,}")
    console.print(table)
    try:
        cpu = measure_cpu(model, data.x_test[:1])
        console.print(f"CPU measured: {cpu['j_per_inference']:.3e} J per inference ({cpu['method']})")
    except NotMeasurable as exc:
        cpu = {"measured": False, "reason": str(exc)}
        e = estimate(model.sizes, "cpu")
        console.print(f"CPU: {exc}; modeled {e.energy_per_inference_j:.3e} J per inference ({'; '.join(e.notes)})")
    snn = emulate(feed_forward_snn(model.sizes), snn_steps).energy("loihi")
    rows = gpu_sweep(model.sizes)
    cross = crossover(rows, snn.energy_per_inference_j)
    table = Table(title=f"GPU energy per inference vs a batch-1 SNN estimate on loihi ({snn.energy_per_inference_j:.3e} J)")
    for col in ("dtype", "batch", "modeled J", "measured J", "source"):
        table.add_column(col)
    for row in rows:
        table.add_row(row["dtype"], str(row["batch"]), f"{row['modeled_j']:.3e}",
                      f"{row['measured_j']:.3e}" if row["measured_j"] else "-", row["source"])
    console.print(table)
    for dtype, batch in cross.items():
        console.print(f"GPU {dtype} needs less energy per inference than the SNN from batch "
                      f"{batch if batch else 'never (in the sweep)'}")
    label = f"SNN {'-'.join(map(str, model.sizes))}, untrained weights, {snn_steps} steps, loihi (modeled)"
    plot(rows, snn.energy_per_inference_j, label, out / "crossover.png")
    write_atomic(out / "baseline.json", json.dumps({
        "sizes": list(model.sizes), "accuracy": accuracy, "cpu": cpu, "gpu": rows, "crossover_batch": cross,
        "snn_estimate": {"energy_per_inference_j": snn.energy_per_inference_j, "label": label}}, indent=2))
    console.print(f"written: {out / 'baseline.json'}, {out / 'crossover.png'}")


def _print_latency(placement, profile, network, result) -> dict:
    """Print and return the modeled time per step (or why it cannot be modeled)."""
    try:
        t = step_time(placement, profile, network, result)
    except LatencyError as exc:
        console.print(f"latency: not modeled: {exc}")
        return {"modeled": False, "reason": str(exc)}
    console.print(f"modeled time per step {t.step_s * 1e6:,.2f} us (slowest core {t.critical_core}, barrier "
                  f"{t.barrier_s * 1e9:,.0f} ns), {t.inference_s * 1e3:,.3f} ms per {t.steps_per_inference}-step "
                  f"inference; activity from {result.steps} emulated steps")
    return {"modeled": True, "step_s": t.step_s, "barrier_s": t.barrier_s, "inference_s": t.inference_s,
            "steps_per_inference": t.steps_per_inference, "critical_core": t.critical_core}


def _pct(value: float, limit: float | None) -> str:
    return f"{value:,.0f} ({100 * value / limit:.0f}%)" if limit else f"{value:,.0f}"


RESOURCE_COLUMNS = (("compartments", "compartments"), ("input axons", "input_axons"),
                    ("output axons", "output_axons"), ("synaptic memory bits", "synaptic_memory_bits"))


def _print_placement(placement, per_core: bool) -> None:
    """A row per core (`per_core`) or per population (the busiest core's use of each resource)."""
    use = placement.utilization()
    table = Table(title=f"{placement.profile}, {placement.strategy}: {placement.n_cores} cores on "
                        f"{placement.n_chips} chip(s), {placement.tiles_used} tiles")
    table.add_column("core" if per_core else "population")
    table.add_column("chip, tile" if per_core else "cores", justify="right")
    for title, _ in RESOURCE_COLUMNS:
        table.add_column(title if per_core else f"max {title}", justify="right")
    table.add_column("synapses", justify="right")
    if per_core:
        for k in range(placement.n_cores):
            table.add_row(f"{k} {placement.pieces[k][0].population}",
                          f"{placement.chip[k]}, {placement.tile_row[k]},{placement.tile_col[k]}",
                          *(_pct(use[key][0][k], use[key][1]) for _, key in RESOURCE_COLUMNS),
                          f"{placement.synapses[k]:,}")
    else:
        populations = [pieces[0].population for pieces in placement.pieces]
        for pop in dict.fromkeys(populations):
            ks = [k for k, p in enumerate(populations) if p == pop]
            table.add_row(pop, str(len(ks)), *(_pct(use[key][0][ks].max(), use[key][1]) for _, key in RESOURCE_COLUMNS),
                          f"{placement.synapses[ks].sum():,}")
    console.print(table)
    t = placement.traffic()
    console.print(f"traffic if every compartment and input spiked once: {t['messages']:,.0f} messages, "
                  f"{t['messages_between_tiles']:,.0f} between tiles ({t['hops']:,.0f} hops), "
                  f"{t['messages_off_chip']:,.0f} off chip")


if __name__ == "__main__":
    app()
