"""Figures as PNG bytes: the compare report, the GPU crossover, the Pareto front.

Energies span many decades, so they go on log axes as points (never as bars from an arbitrary
floor, which would turn a 481x gap into a short one); every point carries its value.
"""
from __future__ import annotations

import io

import numpy as np

from .tables import figures_of

MEASURED, MODELED, BRAIN = "tab:green", "tab:blue", "tab:purple"

#: Axis labels with units for the result keys that sweeps, Pareto fronts and reports use.
LABELS = {
    "energy_per_inference_j": "energy per inference (J)",
    "latency_s": "latency per inference (s)",
    "edp_js": "energy-delay product per inference (J s)",
    "accuracy": "test accuracy (fraction)",
    "cores_used": "cores used",
    "chips_used": "chips used",
    "max_compartment_util": "busiest core's compartment use (fraction)",
}


def label(key: str) -> str:
    """A result key in words with its unit (from the table above, else from its suffix)."""
    if key in LABELS:
        return LABELS[key]
    for suffix, unit in (("_j", "J"), ("_s", "s"), ("_w", "W"), ("_js", "J s")):
        if key.endswith(suffix):
            return f"{key[:-len(suffix)].replace('_', ' ')} ({unit})"
    return key.replace("_", " ")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png(fig) -> bytes:
    """The figure as PNG bytes (the figure is closed)."""
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def energy_per_system(rows: list[dict]) -> bytes:
    """J per inference of every system: log axis, a point per system with its value, measured and
    modeled apart, the brain's whole-organ average as a reference line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(rows) + 1.6))
    ys = np.arange(len(rows))
    values = np.array([r["energy_per_inference_j"] for r in rows])
    measured = np.array([figures_of(r["source"]) == "measured" for r in rows])
    for mask, color, name in ((measured, MEASURED, "measured"), (~measured, MODELED, "modeled")):
        if mask.any():
            ax.scatter(values[mask], ys[mask], color=color, s=60, zorder=3, label=name)
    for y, v in zip(ys, values):
        ax.annotate(f"{v:.3g} J", (v, y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=8)
    brain = [r for r in rows if r["profile"] == "brain"]
    if brain:
        ax.axvline(brain[0]["energy_per_inference_j"], color=BRAIN, linestyle="--", zorder=1,
                   label="brain (whole-organ average)")
    ax.set_yticks(ys, [r["system"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    lo, hi = values.min(), values.max()
    ax.set_xlim(lo / 3, hi * 30)
    ax.grid(axis="x", which="major", alpha=0.3)
    ax.set(xlabel="energy per inference (J, log scale: equal distances are equal ratios)",
           title="Energy per classified digit")
    ax.legend(fontsize=8, loc="lower right")
    return png(fig)


def accuracy_vs_energy(points: list[dict], dense_accuracy: float, n_test: int) -> bytes:
    """Accuracy (percent) against energy per inference as the step count varies, per profile; the
    accuracy axis is marked in steps of one test sample."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    resolution = 100.0 / n_test
    for k, profile in enumerate(dict.fromkeys(p["profile"] for p in points)):
        pts = [p for p in points if p["profile"] == profile]
        xs = [p["energy_per_inference_j"] for p in pts]
        ys = [100 * p["accuracy"] for p in pts]
        ax.errorbar(xs, ys, yerr=resolution / 2, fmt="o-", capsize=2, label=profile)
        for x, y, p in zip(xs, ys, pts):   # one profile's labels above its points, the next one's below
            ax.annotate(f"{p['steps']}", (x, y), xytext=(0, 8 if k % 2 == 0 else -13), textcoords="offset points",
                        ha="center", fontsize=7, color=f"C{k}")
    ax.axhline(100 * dense_accuracy, color="k", linestyle="--", label="dense MLP")
    ax.yaxis.set_minor_locator(plt.MultipleLocator(resolution))
    ax.set(xscale="log", xlabel="energy per inference (J, log scale)",
           ylabel=f"test accuracy (%; one test sample = {resolution:.2f} points)",
           title="Accuracy vs energy (labels: time steps; bars: one test sample)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return png(fig)


def breakdown(parts_j: dict[str, float], profile: str) -> bytes:
    """Energy per inference by operation on one profile, static included (linear axis: shares)."""
    plt = _pyplot()
    parts = {k: v for k, v in parts_j.items() if v > 0}
    total = sum(parts.values()) or 1.0
    fig, ax = plt.subplots(figsize=(6.8, 0.45 * len(parts) + 1.4))
    names = list(parts)
    ax.barh(names, [parts[n] for n in names], color=["tab:gray" if n == "static" else MODELED for n in names])
    for y, n in enumerate(names):
        ax.annotate(f"{parts[n]:.3g} J ({100 * parts[n] / total:.1f}%)", (parts[n], y), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(parts.values(), default=1.0) * 1.5)
    ax.set(xlabel="energy per inference (J)", title=f"Energy per inference by operation on {profile} (modeled)")
    return png(fig)


def crossover(rows: list[dict], snn_j: float, snn_label: str) -> bytes:
    """GPU energy per inference against batch (log-log): modeled lines, measured points, the SNN."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for dtype in sorted({r["dtype"] for r in rows}):
        sel = [r for r in rows if r["dtype"] == dtype]
        ax.plot([r["batch"] for r in sel], [r["modeled_j"] for r in sel], label=f"GPU {dtype}, modeled")
        meas = [r for r in sel if r["measured_j"] is not None]
        if meas:
            ax.scatter([r["batch"] for r in meas], [r["measured_j"] for r in meas], label=f"GPU {dtype}, measured (NVML)")
    ax.axhline(snn_j, color="k", linestyle="--", label=snn_label)
    ax.set(xscale="log", yscale="log", xlabel="batch size", ylabel="energy per inference (J)",
           title="Dense MLP on a GPU vs a batch-1 SNN estimate")
    ax.legend(fontsize=8)
    return png(fig)


def pareto(rows: list[dict], mask: np.ndarray, x: str, y: str) -> bytes:
    """x against y on log axes: front points numbered as in the table, dominated ones grey and
    see-through (so overlaps show), the baseline starred."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    xs, ys = np.array([r[x] for r in rows], float), np.array([r[y] for r in rows], float)
    ax.scatter(xs[~mask], ys[~mask], color="0.6", alpha=0.5, edgecolors="0.3", s=30, label="dominated")
    ax.scatter(xs[mask], ys[mask], color="tab:red", alpha=0.8, edgecolors="k", s=45, label="Pareto front")
    order = sorted(np.nonzero(mask)[0], key=lambda i: xs[i])
    for n, i in enumerate(order, 1):
        ax.annotate(str(n), (xs[i], ys[i]), xytext=(5, 5), textcoords="offset points", fontsize=8)
    base = [i for i, r in enumerate(rows) if r.get("baseline")]
    if base:
        ax.scatter(xs[base], ys[base], marker="*", s=220, facecolors="none", edgecolors="k", label="baseline profile")
    ax.set(xscale="log", yscale="log", xlabel=label(x), ylabel=label(y),
           title=f"{mask.sum()} of {len(rows)} points on the front (numbers as in the table)")
    ax.grid(which="both", alpha=0.2)
    ax.legend(fontsize=8)
    return png(fig)


def capacity_curve(curve: list[dict], capacity_load: float, n: int, iterations: int) -> bytes:
    """Fraction of patterns recalled and mean overlap against the load P/N, with the Hopfield
    capacity marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    loads = [c["load"] for c in curve]
    ax.plot(loads, [c["recalled"] for c in curve], "o-", label="recalled (overlap >= 0.95)")
    ax.plot(loads, [c["mean_overlap"] for c in curve], "s--", label="mean overlap with the stored pattern")
    ax.axvline(capacity_load, color="k", linestyle=":", label=f"Hopfield capacity {capacity_load} N (large N)")
    ax.set(xlabel="load P / N (patterns stored per neuron)", ylabel="fraction",
           title=f"Associative memory learned on chip: N = {n}, {iterations} synchronous steps", ylim=(0, 1.05))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return png(fig)


def accuracy_vs_training_energy(points: list[dict], brain_w: float) -> bytes:
    """Test accuracy against cumulative training energy, one curve per system and profile; the
    energy the brain spends in one second marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 4.6))
    for system in dict.fromkeys(p["system"] for p in points):
        pts = [p for p in points if p["system"] == system]
        low = any(p["lower_bound"] for p in pts)
        ax.plot([p["energy_j"] for p in pts], [100 * p["accuracy"] for p in pts],
                "o-" if system.startswith("STDP") else ".--", label=system + (" (lower bound)" if low else ""))
    ax.axvline(brain_w, color=BRAIN, linestyle=":", label=f"one second of the brain ({brain_w:g} J)")
    ax.set(xscale="log", xlabel="cumulative training energy (J, log scale; modeled)", ylabel="test accuracy (%)",
           title="Accuracy against energy spent learning (digits)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return png(fig)
