"""The compare report as one self-contained HTML page (images inlined)."""
from __future__ import annotations

import base64
import html

from .tables import figures_of
from .terminal import static_sensitivity

#: Report columns: (key, header with unit, formatter).
COLUMNS = (
    ("system", "System", str),
    ("accuracy", "Accuracy (%)", lambda v: f"{100 * v:.2f}"),
    ("energy_per_inference_j", "Energy per inference (J)", lambda v: f"{v:.3g}"),
    ("latency_s", "Latency per inference (s)", lambda v: f"{v:.3g}"),
    ("inferences_per_s", "Throughput (inferences/s)", lambda v: f"{v:,.0f}"),
    ("power_w", "Average power (W)", lambda v: f"{v:.3g}"),
    ("edp_js", "Energy-delay product (J s)", lambda v: f"{v:.3g}"),
    ("inferences_per_s_within_brain_power", "Inferences/s within the brain's power", lambda v: f"{v:.3g}"),
)
STYLE = ("body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;vertical-align:top}th{background:#f3f3f3}"
         "td.num{text-align:right;font-variant-numeric:tabular-nums}.src{font-size:12px;color:#444}")


def _cell(value, fmt) -> str:
    return "n/a" if value is None else html.escape(fmt(value))


def _rows_table(rows: list[dict]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h, _ in COLUMNS) + "<th>Figures</th><th>Leaves out</th><th>Source</th>"
    body = []
    for r in rows:
        cells = "".join(f"<td{'' if k == 'system' else ' class=num'}>{_cell(r.get(k), f)}</td>" for k, _, f in COLUMNS)
        body.append(f"<tr>{cells}<td>{figures_of(r['source'])}</td><td>{html.escape(', '.join(r.get('caveats', [])))}</td>"
                    f"<td class=src>{html.escape(r['source'])}</td></tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _key_value_table(items: dict) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in items.items())
    return f"<table>{rows}</table>"


def _learning_section(learning: dict) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(r['system'])}</td><td>{100 * r['accuracy']:.1f}%</td>"
        f"<td>{_cell(r['training_j_per_sample'], '{:.3g}'.format)}</td><td>{_cell(r['energy_to_target_j'], '{:.3g}'.format)}</td>"
        f"<td>{html.escape(r['source'])}{' (lower bound)' if r['lower_bound'] else ''}</td></tr>"
        for r in learning["rows"])
    return (f"<h2>Energy to learn</h2><p>Unsupervised STDP on the chip (labels assigned afterwards) against "
            f"backprop, on the digits' {learning['training_samples']} training samples; the brain: "
            f"{html.escape(learning['brain_power_source'])}.</p><table><tr><th>system</th><th>accuracy</th>"
            f"<th>J per training sample</th><th>J to reach {100 * learning['target_accuracy']:.0f}%</th>"
            f"<th>figures</th></tr>{cells}</table>")


def compare_page(report: dict, images: dict[str, bytes], captions: dict[str, str]) -> str:
    """The page: summary, the systems table, brain-scale lines, the figures, the metadata."""
    scale = "".join(
        f"<li>On {html.escape(name)}: {s['chips'][0]:,} to {s['chips'][1]:,} chips, {s['power_w'][0]:,.3g} to "
        f"{s['power_w'][1]:,.3g} W, {s['ratio_to_brain'][0]:,.3g}x to {s['ratio_to_brain'][1]:,.3g}x the brain's "
        f"{s['brain_power_w']:g} W ({s['neurons']:.3g} neurons, {s['synapses']:.2g} synapses at {s['rate_hz']:g} Hz; "
        "from inputs shared within a core to random wiring; messages between chips unpriced; modeled)</li>"
        for name, s in report["brain_scale"].items() if "error" not in s)
    figures = "".join(
        f"<figure><img alt='{html.escape(captions.get(name, name))}' src='data:image/png;base64,"
        f"{base64.b64encode(data).decode()}'><figcaption>{html.escape(captions.get(name, name))}</figcaption></figure>"
        for name, data in images.items())
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>neurochip compare</title><style>{STYLE}</style>"
            f"</head><body><h1>Dense network vs its SNN on neuromorphic chips, a CPU, a GPU and the brain</h1>"
            f"<p><b>{html.escape(report['summary'])}</b></p>"
            f"<p>Dense accuracy {100 * report['dense_accuracy']:.2f}%, SNN accuracy {100 * report['snn_accuracy']:.2f}% "
            f"at {report['steps']} time steps, on the same {report['metadata']['test_samples']} test samples. "
            f"Brain power reference: {html.escape(report['brain_power_source'])}.</p>"
            f"{_rows_table(report['rows'])}<h2>Static power: the choice and its effect</h2><ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in static_sensitivity(report["rows"]))
            + f"</ul><h2>A brain-sized network on each chip</h2><ul>{scale}</ul>"
            + (_learning_section(report["learning"]) if "learning" in report else "") +
            f"<h2>Figures</h2>{figures}<h2>How this report was made</h2>{_key_value_table(report['metadata'])}"
            "</body></html>")
