"""The `neurochip` command line. Each command checks its arguments and output paths, calls one
library function, and hands the result to `neurochip.report`; errors are raised, and
`neurochip.__main__.main` prints each as one line on stderr."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import report
from .api import emulate
from .energy import brain_reference
from .errors import EnergyError, UsageError
from .ir import RESETS
from .mapping import STRATEGIES, latency_summary, map_network
from .profiles import builtin_names, load_profile
from .report import check_writable, stages, terminal, write_json
from .workloads import from_spec

app = typer.Typer(help="Emulate Loihi-style neuromorphic chips and price what a model costs.", no_args_is_help=True,
                  pretty_exceptions_enable=False, rich_markup_mode=None)
profiles_app = typer.Typer(help="Hardware profiles: list them, show one with its sources.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")
learn_app = typer.Typer(help="Learning on the chip: an associative memory, features learned from digits.",
                        no_args_is_help=True)
app.add_typer(learn_app, name="learn")
console = Console()

SET_HELP = "Override a profile figure, e.g. --set core.max_compartments=2048 (repeatable)."
MODEL_HELP = "Workload: mlp:784,512,512,10 or recurrent:N[,FAN_OUT]."
BACKEND_HELP = "Where to emulate: cpu, or cuda (a GPU through numba-cuda: pip install 'neurochip[cuda]')."
BRAIN_HELP = "The brain's power to compare with, in W (default: the 10 W headline; 12-20 W is cited)."
RATE_HELP = ("Spike probability per step: of the mlp inputs (default 0.05; layers fire ~5%) or of each recurrent "
             "compartment (default 1/33).")


def _overrides(sets: list[str]) -> dict[str, str]:
    out = {}
    for item in sets:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"--set {item}: expected KEY=VALUE, found no '='" if not eq else
                             f"--set {item}: expected KEY=VALUE, found no key")
        out[key.strip()] = value.strip()
    return out


def _profile(name: str, sets: list[str]):
    return load_profile(name, _overrides(sets), origin="--set")


def _positive(value: Optional[float]) -> Optional[float]:
    if value is not None and not value > 0:
        raise typer.BadParameter(f"expected a number > 0, found {value:g}")
    return value


def _probability(value: Optional[float]) -> Optional[float]:
    if value is not None and not 0 < value <= 1:
        raise typer.BadParameter(f"expected a spike probability per step in (0, 1], found {value:g}")
    return value


def _backend(value: str) -> str:
    """Check --backend before any work: a name, and for cuda a GPU that numba-cuda can use (the
    default, cpu, imports nothing here: the emulator loads when the command needs it)."""
    if value == "cpu":
        return value
    from .emulator import BACKENDS, cuda_kernels

    if value not in BACKENDS:
        raise typer.BadParameter(f"expected one of {', '.join(BACKENDS)}, found {value!r}")
    if value == "cuda":
        cuda_kernels()
    return value


def _show(renderables) -> None:
    for r in renderables:
        console.print(r, highlight=False)


@profiles_app.command("list")
def profiles_list() -> None:
    """List the built-in profiles."""
    _show(terminal.profiles_list([load_profile(name) for name in builtin_names()]))


@profiles_app.command("show")
def profiles_show(profile: str = typer.Argument(..., help="Built-in name or path to a YAML profile."),
                  set_: list[str] = typer.Option([], "--set", help=SET_HELP)) -> None:
    """Show every figure of a profile with its unit, status and source."""
    _show(terminal.profile_figures(_profile(profile, set_)))


@app.command("map")
def map_command(model: str = typer.Argument(..., help=MODEL_HELP),
                profile: str = typer.Option("loihi", help="Built-in name or path to a YAML profile."),
                strategy: str = typer.Option("greedy", help=f"One of {', '.join(STRATEGIES)}, or 'both'."),
                set_: list[str] = typer.Option([], "--set", help=SET_HELP),
                json_path: Optional[Path] = typer.Option(None, "--json", help="Write the placement as JSON here."),
                cores: bool = typer.Option(False, "--cores", help="Print every core, not a summary per population."),
                rate: Optional[float] = typer.Option(None, callback=_probability, help=RATE_HELP),
                steps: int = typer.Option(0, min=0, help="Emulate this many steps and model the time per step from "
                                                         "the activity (0: skip)."),
                backend: str = typer.Option("cpu", callback=_backend, help=BACKEND_HELP)) -> None:
    """Place a model on a profile's cores and print utilization, spike traffic and modeled latency."""
    if strategy not in (*STRATEGIES, "both"):
        raise UsageError(f"--strategy {strategy}: expected one of {', '.join(STRATEGIES)} or both")
    if json_path:
        check_writable(json_path, "--json", folder=False)
    p = _profile(profile, set_)
    with stages("building the network") as advance:
        network = from_spec(model, rate)
        run = None
        if steps:
            advance(f"emulating {steps} steps (a first run compiles the kernels)")
            run = emulate(network, steps, backend=backend)
        placements = []
        for s in STRATEGIES if strategy == "both" else (strategy,):
            advance(f"mapping onto {p.name} ({s})")
            placements.append(run.map(p, s) if run else map_network(network, p, s))
    reports = []
    for placement in placements:
        d = placement.to_dict()
        _show(terminal.placement(placement, cores))
        if run is not None:
            d["latency"] = latency_summary(placement, p, run)
            _show(terminal.latency(d["latency"]))
        reports.append(d)
    if run is not None:
        _show(terminal.activity(run))
    if json_path:
        write_json(json_path, reports if len(reports) > 1 else reports[0])
        console.print(f"placement written to {json_path}", highlight=False)


@app.command("energy")
def energy_command(model: str = typer.Argument(..., help=MODEL_HELP),
                   profile: list[str] = typer.Option(["loihi"], help="Profiles to price on (repeatable)."),
                   steps: int = typer.Option(100, min=1, help="Time steps per inference."),
                   rate: Optional[float] = typer.Option(None, callback=_probability, help=RATE_HELP),
                   set_: list[str] = typer.Option([], "--set", help=SET_HELP),
                   strict: bool = typer.Option(False, "--strict", help="Fail on any action or time without a "
                                                                       "published figure (default: a lower bound)."),
                   brain_w: Optional[float] = typer.Option(None, callback=_positive, help=BRAIN_HELP),
                   json_path: Optional[Path] = typer.Option(None, "--json", help="Write the reports as JSON here."),
                   backend: str = typer.Option("cpu", callback=_backend, help=BACKEND_HELP)) -> None:
    """Emulate a model once and price it on each profile: joules, watts, time and the brain comparison."""
    from .api import price_on_profiles

    if json_path:
        check_writable(json_path, "--json", folder=False)
    profiles = [_profile(name, set_) for name in profile]
    with stages("building the network") as advance:
        network = from_spec(model, rate)
        run, outcome = price_on_profiles(network, steps, profiles, strict=strict, progress=advance, backend=backend)
    if run is None:
        raise UsageError("; ".join(f"{name}: {why}" for name, why in outcome.items()))
    watts, words = brain_reference(brain_w)
    reports = {name: r.to_dict() for name, r in outcome.items() if not isinstance(r, str)}
    for d in reports.values():
        _show(terminal.energy(d, watts, words))
    _show(terminal.activity(run))
    _show(terminal.profiles_summary(outcome, reports))
    if json_path:
        write_json(json_path, [reports.get(name) or {"profile": name, "error": why} for name, why in outcome.items()])
        console.print(f"reports written to {json_path}", highlight=False)


@app.command("scale")
def scale_command(neurons: Optional[float] = typer.Option(None, min=1, help="Neurons (default: the brain's, 8.61e10)."),
                  synapses: Optional[float] = typer.Option(None, min=1, help="Synapses (default: the brain's, 1.5e14)."),
                  rate: Optional[float] = typer.Option(None, min=0.0, help="Mean firing rate in Hz (default: the "
                                                                           "brain's, 0.16)."),
                  profile: list[str] = typer.Option(["loihi", "loihi2"], help="Chip profiles (repeatable)."),
                  dt: float = typer.Option(1e-3, callback=_positive, help="Seconds per time step (real time)."),
                  local_neurons: float = typer.Option(1e4, min=1, help="Neurons in a neighbourhood (the local model)."),
                  brain_w: Optional[float] = typer.Option(None, callback=_positive, help=BRAIN_HELP),
                  json_path: Optional[Path] = typer.Option(None, "--json", help="Write the estimates as JSON here.")) -> None:
    """Chips, boards, power and time per biological second of a network of a given size on each profile,
    from every per-core limit, under three connectivity models (shared, local, random)."""
    from .energy import bounds

    if json_path:
        check_writable(json_path, "--json", folder=False)
    organism = load_profile("brain").organism
    n = neurons or organism.neurons.si
    s = synapses or organism.synapses.si
    r = organism.mean_rate.si if rate is None else rate
    watts, words = brain_reference(brain_w)
    estimates, reasons = {}, {}
    for name in profile:
        try:
            estimates[name] = bounds(_profile(name, []), n, s, r, dt, local_neurons)
        except EnergyError as exc:
            reasons[name] = str(exc)
    if not estimates:
        raise UsageError("; ".join(f"{name}: {why}" for name, why in reasons.items()))
    _show(terminal.scale(estimates, reasons, watts, words))
    if json_path:
        write_json(json_path, {"neurons": n, "synapses": s, "rate_hz": r, "dt_s": dt, "brain_power_w": watts,
                               "estimates": {name: {c: e.to_dict() for c, e in b.items()} for name, b in estimates.items()},
                               "not_priced": reasons})
        console.print(f"estimates written to {json_path}", highlight=False)


@app.command("validate")
def validate_command(json_path: Optional[Path] = typer.Option(None, "--json", help="Write the rows as JSON here.")) -> None:
    """Every validation case as a row: predicted against silicon measurements (Loihi keyword
    spotting, Blouw et al. 2019 logs), a peer simulator (SANA-FE 2.2.9) and a published operating
    point (TrueNorth), with the error and whether the case was used to fit the profile."""
    from .validation.cases import rows

    if json_path:
        check_writable(json_path, "--json", folder=False)
    with stages("building, emulating and pricing every case (~10 s)"):
        found = rows()
    _show(terminal.validation(found))
    if json_path:
        write_json(json_path, {"rows": found})
        console.print(f"rows written to {json_path}", highlight=False)


@app.command("compare")
def compare_command(model: str = typer.Option("digits-mlp", help="digits-mlp (train it) or a saved MLP .npz."),
                    profile: list[str] = typer.Option(["loihi", "loihi-chip", "loihi-sanafe"], help="Chip profiles (repeatable)."),
                    steps: Optional[int] = typer.Option(None, min=1, help="SNN time steps (default: fewest within 1 "
                                                                          "point of dense accuracy)."),
                    batch: Optional[int] = typer.Option(None, min=1, help="Test samples to score and price "
                                                                          "(default: all)."),
                    epochs: int = typer.Option(60, min=1, help="Training epochs of the dense network."),
                    seed: int = typer.Option(0, min=0, help="Seed of the split, training and encoding."),
                    brain_w: Optional[float] = typer.Option(None, callback=_positive, help=BRAIN_HELP),
                    snn: Optional[Path] = typer.Option(None, exists=True, dir_okay=False,
                                                       help="Your SNN (a NIR file) to add to the table; needs --data."),
                    data: Optional[Path] = typer.Option(None, exists=True, dir_okay=False,
                                                        help="Its data (.npz, as `port --data` takes)."),
                    reset: str = typer.Option("zero", help="How your SNN was trained to reset (as `port --reset`)."),
                    learning: bool = typer.Option(False, "--learning", help="Add the energy to learn digits: "
                                                  "on-chip STDP vs backprop (as `learn digits`)."),
                    out: Path = typer.Option(Path("reports/compare"), help="Folder for report.json, PNGs, report.html.")) -> None:
    """Dense network vs its SNN on chip profiles, a CPU, a GPU and the brain: J, W, s per inference."""
    from .compare import run_compare

    check_writable(out, "--out", folder=True)
    if model != "digits-mlp" and not Path(model).is_file():
        raise UsageError(f"--model {model}: expected digits-mlp or a saved MLP .npz file, found no such file")
    if (snn is None) != (data is None):
        raise UsageError("--snn and --data: expected both (your NIR model and its data) or neither")
    if reset not in RESETS:
        raise UsageError(f"--reset: expected one of {', '.join(RESETS)}, found {reset!r}")
    for name in profile:
        load_profile(name)
    with stages("starting") as advance:
        result = run_compare(model, tuple(profile), steps, batch, seed, epochs, progress=advance, brain_w=brain_w,
                             snn=(snn, data) if snn else None, reset=reset, learning=learning)
        advance("writing the report")
        files = report.write_compare(result, out)
    _show(terminal.compare(result))
    console.print(f"report: {out / 'report.html'} (and {', '.join(f.name for f in files if f.name != 'report.html')})",
                  highlight=False)


@app.command("port")
def port_command(model: Path = typer.Argument(..., exists=True, dir_okay=False,
                                             help="A NIR file (.nir) or a lava-dl netx file (.net)."),
                 profile: list[str] = typer.Option(["loihi2"], help="Target profile: built-in name or YAML path "
                                                                    "(repeatable with --data)."),
                 data: Optional[Path] = typer.Option(None, exists=True, dir_okay=False,
                                                     help="Your data: an .npz with 'spikes' (samples, steps, inputs) "
                                                          "or 'rates' (samples, inputs) in [0, 1], and optional "
                                                          "'labels' (samples,)."),
                 dt: Optional[float] = typer.Option(None, callback=_positive,
                                                    help="Seconds per step (default: the graph's metadata['dt'])."),
                 rate: float = typer.Option(20.0, min=0.0, help="Input firing rate (Hz) for the test input and the "
                                                                "energy estimate."),
                 steps: Optional[int] = typer.Option(None, min=1, help="Steps of the test input, or to rate code "
                                                                       "--data rates over (default 100)."),
                 seed: int = typer.Option(0, min=0, help="Seed of the test input."),
                 reset: str = typer.Option("zero", help="How the model was trained to reset: zero, or subtract (run so "
                                                        "where a profile's cores can, e.g. loihi2)."),
                 out: Optional[Path] = typer.Option(None, help="Write the quantized network (model.nir) and report.json "
                                                               "here.")) -> None:
    """Port a NIR model: quantize it for each profile, compare with a float simulation of the graph,
    map it, price it; with --data, run your data through it (accuracy, synaptic ops, energy and time
    per inference per profile)."""
    from .interop import nir as nir_io
    from .port import evaluate, run_port

    if out:
        check_writable(out, "--out", folder=True)
    if reset not in RESETS:
        raise UsageError(f"--reset: expected one of {', '.join(RESETS)}, found {reset!r}")
    profiles = [load_profile(name) for name in profile]
    if model.suffix == ".net":
        _port_netx(model, profiles, data, rate, steps, seed, out)
        return
    if data is not None:
        with stages(f"loading {model.name}") as advance:
            result = evaluate(model, data, profiles, dt, steps, progress=advance, reset=reset)
        _show(terminal.port_data(result))
        if out:
            write_json(out / "report.json", result)
            console.print(f"written: {out / 'report.json'}", highlight=False)
        return
    if len(profiles) > 1:
        raise UsageError(f"--profile given {len(profiles)} times: without --data, port takes one profile")
    p, steps = profiles[0], steps or 100
    with stages(f"loading {model.name}") as advance:
        ported = run_port(model, p, dt, rate, steps, seed, progress=advance, reset=reset)
    result = ported.report
    _show(terminal.quantization(ported.layers, f"{model.name}: quantization for {p.name} (dt {ported.dt_s:g} s, "
                                               f"{rate:g} Hz input, {steps} steps)"))
    _show(terminal.notes([f"dt {ported.dt_s:g} s: {result['dt_source']}", terminal.reset_note(reset),
                          *([result["reset_note"]] if "reset_note" in result else [])], ""))
    if ported.placement is not None:
        _show(terminal.placement(ported.placement, per_core=False))
    _show(terminal.port_outcome(result))
    if out:
        nir_io.save(ported.network, out / "model.nir", dt=ported.dt_s)
        write_json(out / "report.json", result)
        console.print(f"written: {out / 'model.nir'}, {out / 'report.json'}", highlight=False)


def _port_netx(model: Path, profiles: list, data: Optional[Path], rate: float, steps: Optional[int], seed: int,
               out: Optional[Path]) -> None:
    """`port` of a lava-dl netx model: one profile, the Bernoulli test input."""
    from .port import run_port_netx

    if data is not None:
        raise UsageError("--data: a netx model (.net) is ported on the Bernoulli test input only; run your data with "
                         "neurochip.interop.netx.load(...).emulate(inputs, steps)")
    if len(profiles) > 1:
        raise UsageError(f"--profile given {len(profiles)} times: a netx model is ported to one profile")
    p, steps = profiles[0], steps or 100
    with stages(f"loading {model.name}") as advance:
        network, placement, result = run_port_netx(model, p, rate, steps, seed, progress=advance)
    _show(terminal.netx_layers(result, f"{model.name}: lava-dl netx model on {p.name} ({rate:g} Hz input, {steps} "
                                       "steps)"))
    if placement is not None:
        _show(terminal.placement(placement, per_core=False))
    _show(terminal.port_outcome(result))
    if out:
        write_json(out / "report.json", result)
        console.print(f"written: {out / 'report.json'}", highlight=False)


@app.command("sweep")
def sweep_command(spec_path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Sweep specification (YAML)."),
                  out: Path = typer.Option(Path("results"), help="Folder of the durable result store."),
                  workers: int = typer.Option(2, min=1, help="Local worker processes."),
                  scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786."),
                  csv_path: Optional[Path] = typer.Option(None, "--csv", help="Also export every row as CSV.")) -> None:
    """Evaluate a sweep's points (resuming where a previous run stopped) into OUT/results.sqlite."""
    from .sweep import Store, load_spec, run_sweep

    spec = load_spec(spec_path)
    check_writable(out, "--out", folder=True)
    if csv_path:
        check_writable(csv_path, "--csv", folder=False)
    with report.counted(f"sweep {spec.name}") as update:
        stats = run_sweep(spec, str(out), workers, scheduler, progress=update)
    store = Store(out, create=False)
    rows = store.rows()
    fits = [r for r in rows if r["fits"]]
    done = "all already stored" if stats["evaluated"] == 0 else \
        f"{stats['already_done']} already stored, {stats['evaluated']} evaluated"
    console.print(f"{stats['points']} points: {done}; {len(fits)} fit, {len(rows) - len(fits)} do not (reason stored); "
                  f"store {out / 'results.sqlite'}", highlight=False)
    if csv_path:
        console.print(f"exported {store.export_csv(csv_path)}", highlight=False)


@app.command("pareto")
def pareto_command(results: Path = typer.Argument(..., help="Folder holding results.sqlite."),
                   x: str = typer.Option("energy_per_inference_j", help="First objective (minimized)."),
                   y: str = typer.Option("latency_s", help="Second objective (minimized)."),
                   z: Optional[str] = typer.Option(None, help="Third objective (maximized), e.g. accuracy.")) -> None:
    """The Pareto front of stored sweep results: a table and RESULTS/pareto.png (log axes)."""
    from .atomic import write_atomic
    from .sweep import OBJECTIVES, Store, front

    for option, key in (("--x", x), ("--y", y), ("--z", z)):
        if key is not None and key not in OBJECTIVES:
            raise UsageError(f"{option} {key}: expected one of the numeric results {', '.join(OBJECTIVES)}")
    rows = [r for r in Store(results, create=False).rows() if r["fits"] and r.get(x) is not None
            and r.get(y) is not None and (z is None or r.get(z) is not None)]
    if not rows:
        raise UsageError(f"{results}: no fitting points with {x}, {y}" + (f", {z}" if z else ""))
    check_writable(results / "pareto.png", "pareto.png", folder=False)
    mask = front(rows, x, y, z)
    _show(terminal.pareto(rows, mask, x, y, z))
    path = write_atomic(results / "pareto.png", report.plots.pareto(rows, mask, x, y))
    console.print(f"plot: {path}", highlight=False)


@app.command("baseline")
def baseline_command(hidden: str = typer.Option("128", help="Hidden layer sizes, comma-separated."),
                     epochs: int = typer.Option(60, min=1, help="Training epochs (Adam, batch 32)."),
                     seed: int = typer.Option(0, min=0, help="Seed of the split, initialisation and minibatches."),
                     model_path: Optional[Path] = typer.Option(None, "--model", exists=True, dir_okay=False,
                                                               help="Load this .npz instead of training."),
                     snn_steps: int = typer.Option(32, min=1, help="Time steps of the batch-1 SNN estimate."),
                     out: Path = typer.Option(Path("reports/baseline"), help="Folder for baseline.json and "
                                                                             "crossover.png.")) -> None:
    """Train the dense MLP on digits, count its cost, model and measure its energy, find the crossover."""
    from .atomic import write_atomic
    from .compare import run_baseline

    sizes = _sizes(hidden)
    check_writable(out, "--out", folder=True)
    with stages("starting") as advance:
        result = run_baseline(sizes, epochs, seed, model_path, snn_steps, out, progress=advance)
        advance("writing the report")
        write_atomic(out / "crossover.png", report.plots.crossover(result["gpu"], result["snn_estimate"]["energy_per_inference_j"],
                                                                   result["snn_estimate"]["label"]))
        write_json(out / "baseline.json", result)
    _show(terminal.baseline(result))
    console.print(f"written: {out / 'baseline.json'}, {out / 'crossover.png'}", highlight=False)


PROFILES_HELP = "Chip profiles to price on (repeatable)."


def _learning_report(result: dict, out: Path, render) -> None:
    files = report.write_learning(result, out)
    _show(render(result))
    console.print(f"written: {', '.join(str(f) for f in files)}", highlight=False)


@learn_app.command("hopfield")
def learn_hopfield_command(neurons: int = typer.Option(100, min=2, help="Neurons of the memory."),
                           patterns: str = typer.Option("2,4,6,8,10,12,14,16,18,20,24,28",
                                                        help="Numbers of patterns to store, comma-separated."),
                           trials: int = typer.Option(5, min=1, help="Random pattern sets per number."),
                           flip: float = typer.Option(0.1, callback=_probability, help="Fraction of each cue's bits flipped."),
                           iterations: int = typer.Option(10, min=1, help="Recall steps after the cue."),
                           profile: list[str] = typer.Option(["loihi", "loihi-chip", "loihi2"], help=PROFILES_HELP),
                           seed: int = typer.Option(0, min=0, help="Seed of the patterns and cues."),
                           out: Path = typer.Option(Path("reports/hopfield"), help="Folder for report.json and "
                                                                                   "capacity.png.")) -> None:
    """Store patterns by one-shot Hebbian learning on the chip, recall them from corrupted cues:
    capacity curve against P/N, energy per stored pattern and per recall beside a dense numpy Hopfield."""
    from .learn.hopfield import capacity

    loads = _sizes(patterns, "--patterns")
    check_writable(out, "--out", folder=True)
    for name in profile:
        load_profile(name)
    with stages("starting") as advance:
        result = capacity(neurons, loads, trials, flip, iterations, seed, tuple(profile), progress=advance)
        advance("writing the report")
    _learning_report(result, out, terminal.hopfield)


@learn_app.command("digits")
def learn_digits_command(units: int = typer.Option(100, min=2, help="Learning units."),
                         checkpoints: str = typer.Option("100,300,700", help="Training samples after which to "
                                                                              "evaluate, comma-separated (and at the end)."),
                         epochs: int = typer.Option(30, min=1, help="Backprop epochs to compare with."),
                         profile: list[str] = typer.Option(["loihi", "loihi-chip", "loihi2"], help=PROFILES_HELP),
                         seed: int = typer.Option(0, min=0, help="Seed of the split, weights, spikes and training."),
                         out: Path = typer.Option(Path("reports/digits-learning"), help="Folder for report.json and "
                                                                                        "accuracy_training_energy.png.")) -> None:
    """Unsupervised STDP on digits (label assignment afterwards) against backprop: accuracy and the
    energy to learn, per training sample and to reach an accuracy, beside the brain's power."""
    from .learn.features import learn_digits

    stops = _sizes(checkpoints, "--checkpoints")
    check_writable(out, "--out", folder=True)
    for name in profile:
        load_profile(name)
    with stages("starting") as advance:
        result = learn_digits(units, stops, epochs, seed, tuple(profile), progress=advance)
        advance("writing the report")
    _learning_report(result, out, terminal.digits_learning)


def _sizes(hidden: str, option: str = "--hidden") -> tuple[int, ...]:
    try:
        sizes = tuple(int(h) for h in hidden.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise UsageError(f"{option} {hidden}: expected comma-separated positive integers, e.g. 128 or 256,128")
    return sizes

