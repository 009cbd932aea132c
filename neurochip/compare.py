"""The main job: a trained dense network, converted, emulated and priced on chip profiles, next to
the same network on a CPU and a GPU, and next to the brain's power budget."""
from __future__ import annotations

import base64
import html
import io
import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import __version__
from .atomic import write_atomic
from .baseline import MLP, NotMeasurable, digits, estimate, measure_cpu, measure_gpu, train
from .baseline.crossover import MEASURED_H100, measured_runs
from .convert import convert, network_for, score
from .api import emulate
from .energy import brain_scale
from .profiles import load_profile

STEP_CHOICES = (8, 16, 32, 64, 128, 256)
GPU_BATCHES = (1, 16384)


def _row(system, profile, accuracy, energy_j, time_s, source, **extra) -> dict:
    return {"system": system, "profile": profile, "accuracy": accuracy, "energy_per_inference_j": energy_j,
            "inferences_per_s": (1.0 / time_s) if time_s else None,
            "power_w": (energy_j / time_s) if time_s else None, "latency_s": time_s,
            "edp_js": energy_j * time_s if time_s else None, "source": source, **extra}


def run_compare(model: str = "digits-mlp", profiles=("loihi",), steps: int | None = None, batch: int | None = None,
                seed: int = 0, epochs: int = 60, progress=None) -> dict:
    """Everything the report needs, as a JSON-ready dict (see README, 'The compare report')."""
    advance = progress or (lambda text: None)
    data = digits(seed=seed)
    advance("training the dense network" if model == "digits-mlp" else f"loading {model}")
    mlp = train(data, (128,), epochs=epochs, seed=seed)[0] if model == "digits-mlp" else MLP.load(model)
    dense_acc = mlp.accuracy(data.x_test, data.y_test)
    advance("converting and scoring the SNN")
    conv = convert(mlp, data.x_train)
    sweep = score(conv, data.x_test, data.y_test, max(STEP_CHOICES + ((steps,) if steps else ())))
    if steps is None:
        steps = next((t for t in STEP_CHOICES if sweep.accuracy[t - 1] >= dense_acc - 0.01), STEP_CHOICES[-1])
    x, y = (data.x_test, data.y_test) if batch is None else (data.x_test[:batch], data.y_test[:batch])
    snn_acc = float(sweep.accuracy[steps - 1])
    rows, breakdowns, scale, tradeoff = [], {}, {}, []
    advance("emulating the SNN")
    # counters do not depend on the profile: one emulation per step count, priced on every profile
    run = emulate(network_for(conv, x, steps), steps, batch=len(x))
    sample = min(100, len(x))
    by_steps = {t: emulate(network_for(conv, x[:sample], t), t, batch=sample) for t in STEP_CHOICES}
    for name in profiles:
        advance(f"pricing on {name}")
        profile = load_profile(name)
        report = run.energy(profile)
        breakdowns[name] = report.breakdown_j
        rows.append(_row(f"SNN on {name}", name, snn_acc, report.energy_per_inference_j, report.time_per_inference_s,
                         f"modeled: {name} per-op figures x exact emulated counts ({steps} steps)",
                         static_energy_j=report.static_energy_j, notes=report.notes))
        try:
            scale[name] = brain_scale(name)
        except ValueError as exc:
            scale[name] = {"error": str(exc)}
        for t, r in by_steps.items():
            tradeoff.append({"profile": name, "steps": t, "accuracy": float(sweep.accuracy[t - 1]),
                             "energy_per_inference_j": r.energy(profile).energy_per_inference_j})
    advance("the dense baseline")
    rows += _dense_rows(mlp, data, dense_acc)
    brain_run = run.energy("brain")
    brain = load_profile("brain").organism.total_power
    rows.append(_row("brain (whole-organ average)", "brain", None, brain_run.energy_per_inference_j, brain_run.time_per_inference_s,
                     f"modeled: {brain_run.sources['synaptic_event_aggregate']['source']}; real time, 1 ms steps"))
    for row in rows:
        row["inferences_per_s_within_brain_power"] = brain.si / row["energy_per_inference_j"]
    return {
        "rows": rows, "dense_accuracy": dense_acc, "snn_accuracy": snn_acc, "steps": steps,
        "accuracy_by_steps": {int(t): float(sweep.accuracy[t - 1]) for t in STEP_CHOICES},
        "synaptic_ops_per_inference": float(sweep.synaptic_ops[steps - 1]),
        "energy_vs_steps": tradeoff, "breakdown_j": breakdowns, "brain_scale": scale,
        "brain_power_w": brain.si, "brain_power_source": brain.source, "summary": _summary(rows, profiles),
        "metadata": {"neurochip": __version__, "numpy": np.__version__, "python": platform.python_version(),
                     "machine": platform.node(), "processor": platform.processor() or platform.machine(),
                     "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "seed": seed,
                     "model": model, "sizes": list(mlp.sizes), "test_samples": len(x)},
    }


def _dense_rows(mlp: MLP, data, accuracy: float) -> list[dict]:
    rows = []
    x1 = data.x_test[:1]
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
                         f"energy modeled: Horowitz 2014 45 nm MAC and memory energies ({exc}); "
                         "time measured: numpy on this machine", notes=e.notes))
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
                             "and launch time); 1.4-2.2x below NVML measurements of a larger MLP", notes=e.notes))
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


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def plots(report: dict) -> dict[str, bytes]:
    """energy.png (per system, log), accuracy_energy.png (as steps vary), breakdown.png."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["rows"]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.2))
    ax.barh([r["system"] for r in rows], [r["energy_per_inference_j"] for r in rows],
            color=["tab:green" if r["source"].startswith("measured") else "tab:blue" for r in rows])
    ax.set(xscale="log", xlabel="J per inference (green: measured, blue: modeled)")
    ax.invert_yaxis()
    out = {"energy.png": _png(fig)}
    fig, ax = plt.subplots(figsize=(6, 4))
    for profile in dict.fromkeys(p["profile"] for p in report["energy_vs_steps"]):
        pts = [p for p in report["energy_vs_steps"] if p["profile"] == profile]
        ax.plot([p["energy_per_inference_j"] for p in pts], [p["accuracy"] for p in pts], "o-", label=profile)
        for p in pts:
            ax.annotate(f"{p['steps']}", (p["energy_per_inference_j"], p["accuracy"]), fontsize=7)
    ax.axhline(report["dense_accuracy"], color="k", linestyle="--", label="dense MLP")
    ax.set(xscale="log", xlabel="J per inference", ylabel="test accuracy", title="accuracy vs energy (labels: steps)")
    ax.legend(fontsize=8)
    out["accuracy_energy.png"] = _png(fig)
    name, parts = next(iter(report["breakdown_j"].items()))
    parts = {k: v for k, v in parts.items() if v > 0}
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh(list(parts), list(parts.values()))
    ax.set(xscale="log", xlabel="J (whole test batch)", title=f"dynamic energy by operation on {name}")
    out["breakdown.png"] = _png(fig)
    return out


def write_report(report: dict, out: Path) -> list[Path]:
    """report.json, the PNGs and a self-contained report.html, each written atomically."""
    images = plots(report)
    written = [write_atomic(out / "report.json", json.dumps(report, indent=2, default=float))]
    written += [write_atomic(out / name, data) for name, data in images.items()]
    written.append(write_atomic(out / "report.html", _html(report, images)))
    return written


def _fmt(v, unit="") -> str:
    return "n/a" if v is None else (f"{v:.3g}{unit}" if isinstance(v, float) else str(v))


def _html(report: dict, images: dict[str, bytes]) -> str:
    cols = ("system", "accuracy", "energy_per_inference_j", "inferences_per_s", "power_w", "latency_s", "edp_js",
            "inferences_per_s_within_brain_power", "source")
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>" for r in report["rows"])
    imgs = "".join(f'<h3>{name}</h3><img src="data:image/png;base64,{base64.b64encode(data).decode()}">'
                   for name, data in images.items())
    meta = html.escape(json.dumps(report["metadata"]))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>neurochip compare</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:4px 8px;font-size:13px}</style></head><body>"
            f"<h1>neurochip compare</h1><p><b>{html.escape(report['summary'])}</b></p>"
            f"<p>dense accuracy {report['dense_accuracy']:.2%}, SNN accuracy {report['snn_accuracy']:.2%} at "
            f"{report['steps']} steps; brain power {report['brain_power_w']:g} W ({html.escape(report['brain_power_source'])})</p>"
            f"<table><tr>{head}</tr>{body}</table>{imgs}<p><small>{meta}</small></p></body></html>")
