"""The main job: a trained dense network, converted, emulated and priced on chip profiles, next to
the same network on a CPU and a GPU, and next to the brain's power budget; and the dense baseline
alone (`run_baseline`). Both return JSON-ready dicts; `neurochip.report` presents them."""
from __future__ import annotations

import platform
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import __version__
from .api import emulate
from .baseline import MLP, NotMeasurable, crossover, digits, estimate, gpu_sweep, layer_costs, measure_cpu, measure_gpu, train
from .baseline.crossover import MEASURED_H100, measured_runs
from .convert import convert, network_for, score
from .energy import brain_reference, brain_scale
from .learn.features import learn_digits
from .errors import EnergyError
from .profiles import load_profile
from .report import write_compare
from .workloads import feed_forward_snn

STEP_CHOICES = (8, 16, 32, 64, 128, 256)
GPU_BATCHES = (1, 16384)


def _row(system, profile, accuracy, energy_j, time_s, source, caveats=(), **extra) -> dict:
    """One system's row. `caveats` name what the figure leaves out (shown beside it in every table)."""
    return {"system": system, "profile": profile, "accuracy": accuracy, "energy_per_inference_j": energy_j,
            "inferences_per_s": (1.0 / time_s) if time_s else None,
            "power_w": (energy_j / time_s) if time_s else None, "latency_s": time_s,
            "edp_js": energy_j * time_s if time_s else None, "source": source, "caveats": list(caveats), **extra}


def _snn_caveats(report) -> list[str]:
    caveats = [] if report.static_power_w is not None else ["no static power published"]
    return caveats + (["lower bound"] if report.lower_bound else [])


def _host_words(profile) -> str:
    if profile.host is None:
        return "; the chip alone (no host in the loop)"
    h = profile.host
    return (f"; the system as measured: host in the loop ({h.step_fixed.value:g} {h.step_fixed.unit} + "
            f"{h.step_per_io_core.value:g} {h.step_per_io_core.unit} per I/O core per step, "
            f"{h.active_power.value:g} {h.active_power.unit}; fitted on silicon)")


def run_compare(model: str = "digits-mlp", profiles=("loihi",), steps: int | None = None, batch: int | None = None,
                seed: int = 0, epochs: int = 60, progress: Callable[[str], None] | None = None,
                brain_w: float | None = None, snn: tuple[Path, Path] | None = None, reset: str = "zero",
                learning: bool = False) -> dict:
    """Everything the report needs, as a JSON-ready dict (see README, 'The compare report').

    Accuracy and energy come from the same test samples: all of them, or the first `batch`.
    `brain_w` replaces the brain's 10 W headline reference (`energy.brain_reference`). `snn`:
    (a NIR model, an .npz of its data) adds the user's SNN on every profile (`port.evaluate`,
    with the model's `reset`). `learning` adds the energy to learn digits (`learn.features.learn_digits`
    on the same profiles) as the report's "learning" section.
    """
    advance = progress or (lambda text: None)
    data = digits(seed=seed)
    advance("training the dense network" if model == "digits-mlp" else f"loading {model}")
    mlp = train(data, (128,), epochs=epochs, seed=seed)[0] if model == "digits-mlp" else MLP.load(model)
    x, y = (data.x_test, data.y_test) if batch is None else (data.x_test[:batch], data.y_test[:batch])
    dense_acc = mlp.accuracy(x, y)
    advance("converting and scoring the SNN (a first run compiles the kernels)")
    conv = convert(mlp, data.x_train)
    sweep = score(conv, x, y, max(STEP_CHOICES + ((steps,) if steps else ())))
    if steps is None:
        steps = next((t for t in STEP_CHOICES if sweep.accuracy[t - 1] >= dense_acc - 0.01), STEP_CHOICES[-1])
    snn_acc = float(sweep.accuracy[steps - 1])
    advance("emulating the SNN at each step count")
    # counters do not depend on the profile: one emulation per step count, priced on every profile
    runs = {t: emulate(network_for(conv, x, t), t, batch=len(x)) for t in sorted(set(STEP_CHOICES) | {steps})}
    run = runs[steps]
    rows, breakdowns, scale, tradeoff = [], {}, {}, []
    for name in profiles:
        advance(f"pricing on {name}")
        profile = load_profile(name)
        report = run.energy(profile)
        breakdowns[name] = {**{a: j / len(x) for a, j in report.breakdown_j.items()},
                            **{part: j / len(x) for part, j in (("host", report.host_energy_j),
                                                                ("static", report.static_energy_j)) if j}}
        rows.append(_row(f"SNN on {name}", name, snn_acc, report.energy_per_inference_j, report.time_per_inference_s,
                         f"modeled: {name} per-op figures x exact emulated counts ({steps} steps){_host_words(profile)}",
                         _snn_caveats(report),
                         static_energy_per_inference_j=report.static_energy_j / len(x)
                         if report.static_energy_j is not None else None, notes=report.notes,
                         static_scope=profile.static_power.scope if profile.static_power else None,
                         host_energy_per_inference_j=report.host_energy_j / len(x)
                         if report.host_energy_j is not None else None,
                         static_by_scope_per_inference_j={k: (v / len(x) if v is not None else None)
                                                          for k, v in report.static_by_scope.items()}))
        try:
            scale[name] = brain_scale(name)
        except EnergyError as exc:
            scale[name] = {"error": str(exc)}
        tradeoff += [{"profile": name, "steps": t, "accuracy": float(sweep.accuracy[t - 1]),
                      "energy_per_inference_j": r.energy(profile).energy_per_inference_j} for t, r in runs.items()]
    if snn is not None:
        rows += _user_rows(*snn, [load_profile(name) for name in profiles], advance, reset)
    advance("the dense baseline")
    rows += _dense_rows(mlp, x, dense_acc)
    brain_run = run.energy("brain")
    brain_watts, brain_words = brain_reference(brain_w)
    rows.append(_row("brain (whole-organ average)", "brain", None, brain_run.energy_per_inference_j,
                     brain_run.time_per_inference_s,
                     f"modeled: {brain_run.sources['synaptic_event_aggregate']['source']}; real time, 1 ms steps"))
    for row in rows:
        row["inferences_per_s_within_brain_power"] = brain_watts / row["energy_per_inference_j"]
    extra = {"learning": learn_digits(seed=seed, profiles=tuple(profiles), progress=advance)} if learning else {}
    return {
        **extra, "rows": rows, "dense_accuracy": dense_acc, "snn_accuracy": snn_acc, "steps": steps,
        "accuracy_by_steps": {int(t): float(sweep.accuracy[t - 1]) for t in STEP_CHOICES},
        "synaptic_ops_per_inference": float(sweep.synaptic_ops[steps - 1]),
        "energy_vs_steps": tradeoff, "breakdown_per_inference_j": breakdowns, "brain_scale": scale,
        "brain_power_w": brain_watts, "brain_power_source": brain_words, "summary": _summary(rows, profiles),
        "metadata": {**_machine(), "seed": seed, "model": model, "sizes": list(mlp.sizes), "test_samples": len(x)},
    }


def _user_rows(model: Path, data: Path, profiles: list, advance: Callable[[str], None],
               reset: str = "zero") -> list[dict]:
    """The user's NIR SNN on their data, one row per profile it fits and can be priced on (with
    each row's reset note where the profile cannot reset as the model was trained)."""
    from .port import evaluate

    out = evaluate(model, data, profiles, progress=advance, reset=reset)
    by_name = {p.name: p for p in profiles}
    return [_row(f"your SNN ({model.name}) on {r['profile']}", r["profile"], r["accuracy"], r["energy_per_inference_j"],
                 r["latency_s"], f"modeled: {r['profile']} per-op figures x exact emulated counts on {data.name} "
                 f"({r['samples']} samples, {r['steps']} steps){_host_words(by_name[r['profile']])}"
                 + (f"; {r['reset_note']}" if "reset_note" in r else ""),
                 ["lower bound"] if r["lower_bound"] else [])
            for r in out["rows"] if "reason" not in r]


def _machine() -> dict:
    return {"neurochip": __version__, "numpy": np.__version__, "python": platform.python_version(),
            "machine": platform.node(), "processor": platform.processor() or platform.machine(),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _dense_rows(mlp: MLP, x: np.ndarray, accuracy: float) -> list[dict]:
    rows = []
    x1 = x[:1]
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < 0.5:
        mlp.predict(x1)
        n += 1
    cpu_time = (time.perf_counter() - t0) / n
    try:
        cpu = measure_cpu(mlp, x1, seconds=2.0)
        rows.append(_row("dense on this CPU, batch 1", "cpu", accuracy, cpu["j_per_inference"], 1 / cpu["inferences_per_s"],
                         f"measured: {cpu['method']}"))
    except NotMeasurable as exc:
        e = estimate(mlp.sizes, "cpu")
        rows.append(_row("dense on CPU, batch 1", "cpu", accuracy, e.energy_per_inference_j, cpu_time,
                         f"energy modeled: Horowitz 2014 45 nm MAC and memory energies, bytes read from the cache "
                         f"level holding the model ({exc}); time measured: numpy on this machine",
                         ["no static power published"] if e.static_energy_j is None else [], notes=e.notes))
    measured = measured_runs(mlp.sizes)
    try:
        live = measure_gpu(mlp.sizes, batches=GPU_BATCHES, dtypes=("bf16",))
        measured = {("bf16", r["batch"]): r for r in live["runs"]}
        source = f"measured: NVML on {live['device']} now ({live['method']})"
    except NotMeasurable:
        source = f"measured: profiles/measurements/{MEASURED_H100.name} (NVML)"
    for b in GPU_BATCHES:
        point = measured.get(("bf16", b))
        if point:
            rows.append(_row(f"dense on H100, bf16, batch {b}", "gpu-h100", accuracy, point["j_per_inference"],
                             1 / point["inferences_per_s"], source))
        else:
            e = estimate(mlp.sizes, "gpu-h100", "bf16", b)
            rows.append(_row(f"dense on H100, bf16, batch {b}", "gpu-h100", accuracy, e.energy_per_inference_j,
                             e.time_per_inference_s, "modeled: gpu-h100 roofline (datasheet peaks, measured idle power "
                             "and launch time); 1.5-2.3x below NVML measurements of a larger MLP", notes=e.notes))
    return rows


def _summary(rows: list[dict], profiles) -> str:
    snn = rows[0]
    gpu1 = next(r for r in rows if r["system"].endswith("batch 1") and r["profile"] == "gpu-h100")
    gpu_big = next(r for r in rows if r["system"].endswith(f"batch {GPU_BATCHES[-1]}"))

    def ratio(a, b) -> str:
        return f"{a / b:,.1f}x less than" if a > b else f"{b / a:,.1f}x more than"

    return (f"on {profiles[0]} this SNN needs {snn['energy_per_inference_j'] * 1e6:,.2f} uJ per inference, "
            f"{ratio(gpu1['energy_per_inference_j'], snn['energy_per_inference_j'])} the GPU at batch 1 and "
            f"{ratio(gpu_big['energy_per_inference_j'], snn['energy_per_inference_j'])} the GPU at batch {GPU_BATCHES[-1]}")


def write_report(report: dict, out: Path) -> list[Path]:
    """report.json, the PNGs and report.html under `out`, each atomically (`report.write_compare`)."""
    return write_compare(report, out)


def run_baseline(hidden: tuple[int, ...] = (128,), epochs: int = 60, seed: int = 0, model_path: Path | None = None,
                 snn_steps: int = 32, out: Path | None = None,
                 progress: Callable[[str], None] | None = None) -> dict:
    """The dense baseline alone: accuracy, exact cost per layer, CPU energy (measured where RAPL is
    readable, else modeled), GPU energy per batch size (modeled; measured where stored), and the
    batch from which the GPU needs less energy per inference than a batch-1 SNN of the same size
    on loihi. A trained model is saved as `out`/mlp.npz."""
    advance = progress or (lambda text: None)
    data = digits(seed=seed)
    if model_path:
        model = MLP.load(model_path)
    else:
        advance("training the dense network")
        model, _ = train(data, hidden, epochs=epochs, seed=seed)
        if out is not None:
            model.save(Path(out) / "mlp.npz")
    accuracy = model.accuracy(data.x_test, data.y_test)
    try:
        cpu = {"measured": True, **measure_cpu(model, data.x_test[:1])}
    except NotMeasurable as exc:
        e = estimate(model.sizes, "cpu")
        cpu = {"measured": False, "reason": str(exc), "modeled_j": e.energy_per_inference_j, "notes": e.notes}
    advance("emulating the batch-1 SNN estimate (a first run compiles the kernels)")
    snn = emulate(feed_forward_snn(model.sizes), snn_steps).energy("loihi")
    rows = gpu_sweep(model.sizes)
    return {
        "sizes": list(model.sizes), "accuracy": accuracy, "test_samples": len(data.x_test),
        "layers": [c.__dict__ for c in layer_costs(model.sizes)], "cpu": cpu, "gpu": rows,
        "crossover_batch": crossover(rows, snn.energy_per_inference_j),
        "snn_estimate": {"energy_per_inference_j": snn.energy_per_inference_j,
                         "label": f"SNN {'-'.join(map(str, model.sizes))}, untrained weights, {snn_steps} steps, "
                                  "loihi (modeled)"},
        "metadata": {**_machine(), "seed": seed, "epochs": epochs},
    }
