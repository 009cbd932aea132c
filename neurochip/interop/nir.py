"""Import and export NIR graphs (the Neuromorphic Intermediate Representation, `nir` 1.0).

Discrete time: a graph is read with a time step `dt` (from `graph.metadata["dt"]` or the caller)
and integrated with forward Euler, one step of synaptic latency per connection, as on Loihi:

    CubaLIF: i <- i (1 - dt/tau_syn) + (dt/tau_syn) w_in I;  v <- v (1 - dt/tau_mem) + (dt/tau_mem) (v_leak + r i)
    LIF:     v <- v (1 - dt/tau) + (dt/tau) (v_leak + r I);   IF: v <- v + r I;   LI: LIF that never spikes
    spike when v > v_threshold, then v <- 0 (Loihi resets to zero: v_reset must be 0), or with
    reset="subtract", v <- v - v_threshold (Sinabs' and snnTorch's default, which NIR 1.0 cannot
    record; snnTorch subtracts one step later, after the leak: a difference of (1 - beta) x threshold)

Chains of Affine, Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten and Delay nodes
between two neuron (or Input) nodes are composed into one sparse weight matrix per pair. Each
population is quantized to Loihi: du = round(4096 dt/tau_syn) - 1, dv = round(4096 dt/tau_mem),
one integer threshold vth per population with per-neuron thresholds folded into per-row weight
scales, weights rounded to 8-bit mantissas (even for mixed signs) so the largest fills the range,
biases as mantissa x 2^exp, delays as round(delay / dt) steps. `save` writes the fixed-point
integers into node metadata as well, so save -> load is exact for networks already in fixed point.
"""
from __future__ import annotations

import math
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..atomic import write_atomic
from ..errors import NetworkError, NIRError
from ..ir import LIF, RESETS, Connection, Network, SignMode, SpikeSource
from ..ir.conv import conv_matrix
from ..kernels.fixed_point import DECAY_SHIFT, MAX_DELAY, VTH_MAX
from ..quantize import bias_in_v_units, bias_mantissa, decays, relative_error, threshold_for, weight_mantissas

NEURON_TYPES = ("CubaLIF", "LIF", "IF", "LI", "CubaLI", "I", "Threshold")
#: Neuron nodes that never spike (read through v): leaky, current-based leaky, and pure integrators.
NON_SPIKING = ("LI", "CubaLI", "I")
LINEAR_TYPES = ("Affine", "Linear", "Scale", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d", "Flatten", "Delay")
SUPPORTED = ("Input", "Output", *NEURON_TYPES, *LINEAR_TYPES)


def _kind(node: Any) -> str:
    return type(node).__name__


def _array(name: str, node: Any, fieldname: str, shape: tuple | None = None) -> np.ndarray:
    value = getattr(node, fieldname, None)
    if value is None:
        raise NIRError(f"node {name!r} ({_kind(node)}): field {fieldname!r}: expected an array, found nothing")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise NIRError(f"node {name!r} ({_kind(node)}): field {fieldname!r}: expected numbers, found {value!r}") from None
    if not np.all(np.isfinite(arr)) and not (fieldname.startswith("tau") and np.all(~np.isnan(arr))):
        raise NIRError(f"node {name!r} ({_kind(node)}): field {fieldname!r}: expected finite values, "
                       f"found {int((~np.isfinite(arr)).sum())} NaN or infinite")
    if shape is not None and arr.shape != shape and arr.size != 1:
        if arr.size != int(np.prod(shape)):
            raise NIRError(f"node {name!r} ({_kind(node)}): field {fieldname!r}: expected {int(np.prod(shape))} values "
                           f"(one per neuron or input) or one, found shape {arr.shape}")
        arr = arr.reshape(shape)      # (C, H, W) parameters of a convolutional layer, in C order
    return np.broadcast_to(arr, shape).astype(np.float64) if shape is not None else arr


def _conv_matrix(name: str, node: Any, in_shape: tuple) -> tuple[sp.csr_array, tuple, np.ndarray | None]:
    """A Conv1d/Conv2d as a sparse (out, in) matrix over flattened C-order activations (zero
    weights dropped), its output shape, and its bias per output neuron (or None)."""
    try:
        m, out_shape = conv_matrix(_array(name, node, "weight"), in_shape, node.stride, node.padding, node.dilation,
                                   int(node.groups))
    except NetworkError as exc:
        raise NIRError(f"node {name!r} ({_kind(node)}): {str(exc).split(': ', 1)[1]}") from None
    m.eliminate_zeros()
    bias = getattr(node, "bias", None)
    per_output = int(np.prod(out_shape[1:]))
    return m, out_shape, (np.repeat(np.asarray(bias, float), per_output) if bias is not None and np.ndim(bias) else None)


def _pool_matrix(name: str, node: Any, in_shape: tuple, average: bool) -> tuple[sp.csr_array, tuple]:
    k, stride, pad = (np.broadcast_to(np.asarray(getattr(node, f), dtype=int), (2,)) for f in ("kernel_size", "stride", "padding"))
    if len(in_shape) != 3:
        raise NIRError(f"node {name!r} ({_kind(node)}): expected a (C, H, W) input, found shape {in_shape}")
    c, h, w = in_shape
    oh, ow = (h + 2 * pad[0] - k[0]) // stride[0] + 1, (w + 2 * pad[1] - k[1]) // stride[1] + 1
    ch, y, x = (a.ravel() for a in np.indices((c, oh, ow)))
    rows, cols = [], []
    for dy in range(k[0]):
        for dx in range(k[1]):
            iy, ix = y * stride[0] - pad[0] + dy, x * stride[1] - pad[1] + dx
            ok = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
            rows.append(((ch * oh + y) * ow + x)[ok])
            cols.append(((ch * h + iy) * w + ix)[ok])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    scale = 1.0 / (k[0] * k[1]) if average else 1.0
    return sp.csr_array((np.full(len(rows), scale), (rows, cols)), shape=(c * oh * ow, c * h * w)), (c, oh, ow)


@dataclass
class _Path:
    """A linear map accumulated along edges: matrix (out, in of the source), bias, delay, shape."""

    matrix: sp.csr_array
    bias: np.ndarray
    delay: np.ndarray | None
    shape: tuple


def _step(name: str, node: Any, path: _Path, dt: float | None) -> _Path:
    kind, n_in = _kind(node), path.matrix.shape[0]
    if kind in ("Affine", "Linear"):
        w = _array(name, node, "weight")
        if w.ndim != 2 or w.shape[1] != n_in:
            raise NIRError(f"node {name!r} ({kind}): field 'weight': expected shape (n_out, {n_in}), found {w.shape}")
        b = _array(name, node, "bias", (w.shape[0],)) if kind == "Affine" else np.zeros(w.shape[0])
        return _Path(sp.csr_array(w) @ path.matrix, w @ path.bias + b, None if path.delay is None else path.delay,
                     (w.shape[0],))
    if kind == "Scale":
        s = _array(name, node, "scale", (n_in,))
        return _Path(sp.diags_array(s) @ path.matrix, s * path.bias, path.delay, path.shape)
    if kind == "Flatten":
        return _Path(path.matrix, path.bias, path.delay, (n_in,))
    if kind == "Delay":
        if dt is None:
            raise NIRError(f"node {name!r} (Delay): needs dt (graph metadata 'dt' or the dt argument)")
        d = np.round(_array(name, node, "delay", (n_in,)) / dt).astype(int)
        if d.min() < 0 or d.max() > MAX_DELAY:
            raise NIRError(f"node {name!r} (Delay): field 'delay': expected 0..{MAX_DELAY} steps of {dt:g} s, found {d.min()}..{d.max()}")
        return _Path(path.matrix, path.bias, d, path.shape)
    if kind in ("Conv1d", "Conv2d"):
        shape = tuple(int(x) for x in np.atleast_1d(node.input_shape))
        full = (int(_array(name, node, "weight").shape[1] * int(node.groups)), *shape) if len(shape) == _array(name, node, "weight").ndim - 2 else shape
        if int(np.prod(full)) != n_in:
            raise NIRError(f"node {name!r} ({kind}): field 'input_shape': expected {n_in} inputs, found shape {full}")
        m, out_shape, bias = _conv_matrix(name, node, full)
        return _Path(m @ path.matrix, m @ path.bias + (bias if bias is not None else 0.0), None, out_shape)
    declared = (getattr(node, "input_type", None) or {}).get("input")
    declared = () if declared is None else tuple(int(x) for x in np.atleast_1d(declared))
    shape = path.shape if len(path.shape) == 3 else declared if int(np.prod(declared or (0,))) == n_in else (n_in,)
    m, out_shape = _pool_matrix(name, node, shape, kind == "AvgPool2d")
    return _Path(m @ path.matrix, m @ path.bias, None, out_shape)


@dataclass(frozen=True)
class LayerReport:
    """What quantization changed in one population: relative weight error (L1), decay errors, and
    (after `agreement`) how far its spike counts moved from a float simulation."""

    name: str
    kind: str
    n: int
    exact: bool
    weight_rel_error: float
    du_error: float
    dv_error: float
    bias_rel_error: float
    vth: int
    spike_agreement: float | None = None


@dataclass(frozen=True)
class NIRModel:
    """An imported graph: Loihi populations and connections, its inputs (name -> shape), outputs
    (Output node -> population), dt, a quantization report, the float parameters used by
    `float_simulation`, and where dt came from (`dt_source`)."""

    populations: tuple[LIF, ...]
    connections: tuple[Connection, ...]
    inputs: dict[str, tuple]
    outputs: dict[str, str]
    dt: float | None
    report: tuple[LayerReport, ...]
    floats: dict = field(repr=False, default_factory=dict)
    dt_source: str = "given"

    @property
    def output(self) -> str:
        """The population read out: the first Output node's, else the last population."""
        return next(iter(self.outputs.values()), self.populations[-1].name)

    def network(self, spikes: dict[str, np.ndarray] | None = None) -> Network:
        """A `Network` with the given input spikes per Input node ((T, n) or (B, T, n)); inputs
        not given are silent for one step (enough to map the network). Raises `NIRError` for a
        name that is not an Input node of the graph."""
        spikes = spikes or {}
        unknown = sorted(set(spikes) - set(self.inputs))
        if unknown:
            raise NIRError(f"input spikes: expected the graph's Input nodes ({', '.join(self.inputs)}), "
                           f"found {', '.join(map(repr, unknown))}")
        sources = [SpikeSource(name, np.asarray(spikes.get(name, np.zeros((1, int(np.prod(shape))), int))))
                   for name, shape in self.inputs.items()]
        return Network(self.populations, sources, self.connections)


def _neuron(name: str, node: Any, dt: float | None) -> dict:
    """Float parameters of a neuron node: n, decays, gain g (input -> v), v bias, threshold."""
    kind = _kind(node)
    sized = node.threshold if kind == "Threshold" else node.r
    n = int(np.asarray(sized).size)
    shape = (n,)
    layout = tuple(int(x) for x in np.shape(sized)) if np.ndim(sized) > 1 else shape
    r = _array(name, node, "r", shape) if kind != "Threshold" else np.ones(n)
    if kind in ("CubaLIF", "LIF", "LI", "CubaLI") and dt is None:
        raise NIRError(f"node {name!r} ({kind}): needs dt: give dt= (--dt) or set graph.metadata['dt']; NIR stores "
                       "none, and this graph's parameters do not imply one")
    if kind not in NON_SPIKING:
        v_reset = getattr(node, "v_reset", None)
        if v_reset is not None and np.any(np.asarray(v_reset) != 0):
            raise NIRError(f"node {name!r} ({kind}): field 'v_reset': expected 0 (Loihi resets v to zero), "
                           f"found values up to {np.abs(v_reset).max():g}")
    th = None if kind in NON_SPIKING else _array(name, node, "threshold" if kind == "Threshold" else "v_threshold", shape)
    if th is not None and np.any(th <= 0):
        raise NIRError(f"node {name!r} ({kind}): field 'v_threshold': expected positive thresholds, found {th.min():g}")
    if kind in ("CubaLIF", "CubaLI"):
        du_f, dv_f = dt / _array(name, node, "tau_syn", shape), dt / _array(name, node, "tau_mem", shape)
        w_in = _array(name, node, "w_in", shape)
        g, b_v = r * dv_f * du_f * w_in, _array(name, node, "v_leak", shape) * dv_f
        bias_gain = r * dv_f * w_in
    elif kind in ("LIF", "LI"):
        du_f, dv_f = np.ones(n), dt / _array(name, node, "tau", shape)
        g, b_v, bias_gain = r * dv_f, _array(name, node, "v_leak", shape) * dv_f, r * dv_f
    elif kind == "Threshold":     # stateless: v is this step's input (all of v is lost each step)
        du_f, dv_f, g, b_v, bias_gain = np.ones(n), np.ones(n), r, np.zeros(n), r
    else:                         # IF, I: integrate without leak
        du_f, dv_f, g, b_v, bias_gain = np.ones(n), np.zeros(n), r, np.zeros(n), r
    if not (np.all((du_f >= 0) & (du_f <= 1)) and np.all((dv_f >= 0) & (dv_f <= 1))):
        shortest = dt / max(du_f.max(), dv_f.max())
        raise NIRError(f"node {name!r} ({kind}): time constants must be >= dt = {dt:g} s, found {shortest:.3g} s: "
                       f"the graph implies dt <= {shortest:.3g} s (NIR stores no dt; snnTorch's exporter assumes "
                       "1e-4 s): give that dt")
    return {"kind": kind, "n": n, "du_f": du_f, "dv_f": dv_f, "g": g, "b_v": b_v, "bias_gain": bias_gain,
            "threshold": th, "shape": layout}


def load(source: str | Path | Any, dt: float | None = None, profile: Any = None,
         weight_bits: int | None = None, reset: str = "zero") -> NIRModel:
    """Import a NIR graph (a file path or a `nir.NIRGraph`), quantized to `weight_bits`, else the
    weight bits of `profile` (a name, path or Profile), else 8, its spiking neurons resetting as
    `reset` says ("zero" or "subtract": how the exporting framework trained them). Raises
    `NIRError` naming the file or node, the field, what was expected and what was found; nothing
    is half-loaded."""
    from ..profiles import load_profile

    bits = weight_bits or 8
    if profile is not None and weight_bits is None:
        limit = load_profile(profile).core
        bits = int(min(8, limit.max_weight_bits.value)) if limit and limit.max_weight_bits else 8
    import nir

    label = str(source)
    if isinstance(source, (str, Path)):
        try:
            graph = nir.read(source, type_check=False)
        except Exception as exc:  # a corrupt file can fail anywhere inside h5py/nir
            raise NIRError(f"{label}: not a readable NIR file ({type(exc).__name__}: {exc})") from None
    else:
        graph = source
    if reset not in RESETS:
        raise NIRError(f"reset: expected one of {RESETS}, found {reset!r}")
    try:
        return _load_graph(graph, dt, bits, reset)
    except NIRError as exc:
        raise NIRError(f"{label}: {exc}" if isinstance(source, (str, Path)) else str(exc)) from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise NIRError(f"{label}: malformed NIR graph ({type(exc).__name__}: {exc})") from None


def _inline(nodes: dict[str, Any], edges: list[tuple[str, str]]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Nested `NIRGraph` nodes (how exporters write recurrent blocks) inlined, at any depth: an
    inner node is named ``outer.inner``; an edge into a subgraph feeds what its Input nodes feed,
    an edge out of it leaves from what feeds its Output nodes. Edges may also name an inner node
    directly (``outer.inner``)."""
    flat: dict[str, Any] = {}
    inner: list[tuple[str, str]] = []
    entry: dict[str, list[str]] = {}
    exit_: dict[str, list[str]] = {}
    for name, node in nodes.items():
        if _kind(node) != "NIRGraph":
            flat[name] = node
            continue
        sub_nodes, sub_edges = _inline(dict(node.nodes or {}), list(node.edges or []))
        ports = {k for k, v in sub_nodes.items() if _kind(v) in ("Input", "Output")}
        entry[name] = [f"{name}.{b}" for a, b in sub_edges if _kind(sub_nodes.get(a)) == "Input"]
        exit_[name] = [f"{name}.{a}" for a, b in sub_edges if _kind(sub_nodes.get(b)) == "Output"]
        flat.update({f"{name}.{k}": v for k, v in sub_nodes.items() if k not in ports})
        inner += [(f"{name}.{a}", f"{name}.{b}") for a, b in sub_edges if a not in ports and b not in ports]
    return flat, inner + [(a2, b2) for a, b in edges for a2 in exit_.get(a, [a]) for b2 in entry.get(b, [b])]


def _implied_dt(nodes: dict[str, Any]) -> float | None:
    """The dt a graph's own parameters imply, where its exporter ties them to dt: snnTorch writes
    r = tau_mem / dt (and w_in = tau_syn / dt for CubaLIF) with dt fixed at 1e-4 s. Returned only
    when at least two such ratios exist, every r and w_in exceeds 1, and all ratios agree to 1e-4
    (float32 export); None otherwise (Norse and others write r = 1: no dt can be read off)."""
    ratios = []
    for node in nodes.values():
        kind = _kind(node)
        if kind not in ("LIF", "CubaLIF"):
            continue
        pairs = [(getattr(node, "tau_mem" if kind == "CubaLIF" else "tau", None), node.r)]
        if kind == "CubaLIF":
            pairs.append((node.tau_syn, getattr(node, "w_in", None)))
        for tau, gain in pairs:
            tau, gain = np.ravel(np.asarray(tau, float)), np.ravel(np.asarray(gain, float))
            if tau.size == 0 or gain.size == 0 or np.any(gain <= 1) or not np.all(np.isfinite(tau)):
                return None
            ratios.append(tau / gain)
    if len(ratios) < 2:
        return None
    every = np.concatenate(ratios)
    return float(f"{np.median(every):.6g}") if np.ptp(every) <= 1e-4 * every.max() else None


def _flow_order(nodes: dict[str, Any], succ: dict[str, list[str]]) -> list[str]:
    """Node names in the order data flows from the Input nodes (breadth first, file order among
    equals), then any node no input reaches, in file order: populations and their reports
    follow the network, not the file (which may list "1", "10", "12", "3", "6")."""
    frontier = [name for name, node in nodes.items() if _kind(node) == "Input"]
    order, seen = [], set(frontier)
    while frontier:
        order += frontier
        following = [b for name in frontier for b in succ[name]]
        frontier = [b for b in dict.fromkeys(following) if b not in seen]
        seen.update(frontier)
    return order + [name for name in nodes if name not in seen]


def _load_graph(graph: Any, dt: float | None, bits: int = 8, reset: str = "zero") -> NIRModel:
    nodes, edges = _inline(dict(getattr(graph, "nodes", {}) or {}), list(getattr(graph, "edges", []) or []))
    for name, node in nodes.items():
        if _kind(node) not in SUPPORTED:
            raise NIRError(f"node {name!r}: type {_kind(node)} is not supported; supported: {', '.join(SUPPORTED)}")
    for a, b in edges:
        for end in (a, b):
            if end not in nodes:
                raise NIRError(f"edge ({a!r}, {b!r}): expected node names of the graph, found {end!r}")
    meta = getattr(graph, "metadata", None) or {}
    dt_source = "given"
    if dt is None and "dt" in meta:
        dt, dt_source = float(meta["dt"]), "the graph's metadata"
    elif dt is None and _implied_dt(nodes) is not None:
        dt, dt_source = _implied_dt(nodes), "inferred: every neuron has r = tau_mem / dt (snnTorch's export convention)"
    if dt is not None and not (math.isfinite(dt) and dt > 0):
        raise NIRError(f"dt: expected a positive number of seconds per step, found {dt!r}")
    succ: dict[str, list[str]] = {name: [] for name in nodes}
    for a, b in edges:
        succ[a].append(b)
    neurons = {name: {**_neuron(name, nodes[name], dt), "reset": reset} for name in _flow_order(nodes, succ)
               if _kind(nodes[name]) in NEURON_TYPES}
    inputs = {name: tuple(int(x) for x in np.atleast_1d(next(iter(node.input_type.values()))))
              for name, node in nodes.items() if _kind(node) == "Input"}
    size = {**{k: v["n"] for k, v in neurons.items()}, **{k: int(np.prod(s)) for k, s in inputs.items()}}
    incoming: dict[str, list[tuple[str, _Path, Any]]] = {name: [] for name in neurons}
    outputs: dict[str, str] = {}
    for src in (*inputs, *neurons):
        start = _Path(sp.identity(size[src], format="csr"), np.zeros(size[src]), None,
                      inputs[src] if src in inputs else neurons[src]["shape"])
        stack, seen = [(b, start, None) for b in succ[src]], set()
        while stack:
            name, path, meta_node = stack.pop()
            node = nodes[name]
            kind = _kind(node)
            if kind in NEURON_TYPES:
                if path.matrix.shape[0] != neurons[name]["n"]:
                    raise NIRError(f"node {name!r} ({kind}): receives {path.matrix.shape[0]} inputs from {src!r}, "
                                   f"has {neurons[name]['n']} neurons")
                incoming[name].append((src, path, meta_node))
            elif kind == "Output":
                if src in neurons:
                    outputs[name] = src
            elif kind in LINEAR_TYPES:
                if (src, name) in seen:
                    raise NIRError(f"node {name!r}: a cycle of weight nodes without a neuron")
                seen.add((src, name))
                stack += [(b, _step(name, node, path, dt), node if kind in ("Affine", "Linear") else meta_node)
                          for b in succ[name]]
    pops, conns, report, floats = [], [], [], {}
    for name, f in neurons.items():
        pop, pop_conns, layer = _quantize(name, nodes[name], f, incoming[name], {id(v): k for k, v in nodes.items()}, bits)
        pops.append(pop)
        conns += pop_conns
        report.append(layer)
        floats[name] = {**f, "incoming": [(src, path.matrix, path.bias, path.delay) for src, path, _ in incoming[name]]}
    return NIRModel(tuple(pops), tuple(conns), inputs, outputs, dt, tuple(report), floats,
                    dt_source if dt is not None else "none")


def _quantize(name: str, node: Any, f: dict, incoming: list, m_name: dict[int, str],
              bits: int = 8) -> tuple[LIF, list[Connection], LayerReport]:
    exact = (getattr(node, "metadata", None) or {}).get("neurochip")
    n = f["n"]
    if exact is not None and all(((m.metadata or {}).get("neurochip") if m is not None else None) for _, _, m in incoming):
        pop = LIF(name, n, du=_per_neuron(exact["du"]), dv=_per_neuron(exact["dv"]), vth=_per_neuron(exact["vth"]),
                  bias_mant=np.broadcast_to(exact["bias_mant"], (n,)), bias_exp=np.broadcast_to(exact["bias_exp"], (n,)),
                  u=np.broadcast_to(exact["u"], (n,)), v=np.broadcast_to(exact["v"], (n,)),
                  reset_interval=_scalar(exact["reset_interval"]) or None, reset_offset=_scalar(exact["reset_offset"]),
                  reset=f["reset"])
        conns = []
        for src, _, m in incoming:
            q = m.metadata["neurochip"]
            delays = np.asarray(q["delays"]) if _scalar(q["has_delays"]) else None
            conns.append(Connection(m_name[id(m)], src, name, np.asarray(q["weights"]), weight_exp=_scalar(q["weight_exp"]),
                                    num_weight_bits=_scalar(q["num_weight_bits"]),
                                    sign_mode=list(SignMode)[_scalar(q["sign_mode"])],
                                    num_message_bits=_scalar(q["num_message_bits"]),
                                    delays=None if delays is None else (_scalar(delays) if delays.size == 1 else delays)))
        return pop, conns, LayerReport(name, f["kind"], n, True, 0.0, 0.0, 0.0, 0.0, int(np.max(pop.vth)))
    du, dv = decays(f["du_f"], f["dv_f"])
    th = f["threshold"] if f["threshold"] is not None else np.ones(n)
    mats = [(src, sp.csr_array(sp.diags_array(f["g"] / th) @ path.matrix), path) for src, path, _ in incoming]
    vth = VTH_MAX if f["kind"] in NON_SPIKING else threshold_for(max((float(abs(m).max()) for _, m, _ in mats if m.nnz),
                                                              default=1.0))
    conns, quantized, real = [], [], []
    for k, (src, m, path) in enumerate(mats):
        q, mode = weight_mantissas(m.data * vth, bits)
        quantized.append(q)
        real.append(m.data * vth)
        w = sp.csr_array((q, m.indices, m.indptr), shape=m.shape)
        delays = None if path.delay is None else np.broadcast_to(path.delay[None, :] if path.delay.size == w.shape[1]
                                                                 else path.delay[:, None], w.shape).astype(int)
        conns.append(Connection(f"{src}->{name}" + (f"#{k}" if k else ""), src, name, w, num_weight_bits=bits,
                                sign_mode=mode if mode is SignMode.MIXED else None, delays=delays))
    bias_real = sum((path.bias for _, _, path in mats), np.zeros(n)) * f["bias_gain"] + f["b_v"]
    bias_int = bias_in_v_units(bias_real / th, vth)
    bias_mant, bias_exp = bias_mantissa(bias_int)
    pop = LIF(name, n, du=int(np.round(du.mean())), dv=int(np.round(dv.mean())), vth=vth,
              bias_mant=bias_mant, bias_exp=bias_exp, reset=f["reset"])
    unity = 1 << DECAY_SHIFT
    report = LayerReport(
        name, f["kind"], n, False, relative_error(np.concatenate(quantized or [np.zeros(0)]),
                                                  np.concatenate(real or [np.zeros(0)])),
        float(np.abs((pop.du + 1) / unity - f["du_f"]).max()), float(np.abs(pop.dv / unity - f["dv_f"]).max()),
        relative_error(bias_mant * 2.0**bias_exp, bias_int), vth)
    return pop, conns, report


def depths(model: NIRModel) -> dict[str, int]:
    """Steps until a population's first input can arrive: one per connection on the shortest path
    from an Input node (a population no input reaches: 0)."""
    depth = dict.fromkeys(model.inputs, 0)
    changed = True
    while changed:
        changed = False
        for name, f in model.floats.items():
            reach = [depth[src] + 1 for src, *_ in f["incoming"] if src in depth]
            if reach and depth.get(name, 1 << 30) > min(reach):
                depth[name], changed = min(reach), True
    return {name: depth.get(name, 0) for name in model.floats}


def float_simulation(model: NIRModel, spikes: dict[str, np.ndarray], steps: int) -> dict[str, np.ndarray]:
    """Spike counts per neuron of each population from the same discrete equations in float64
    (threshold units, no quantization): the reference `agreement` compares the emulator with.
    As in the frameworks that export NIR (an Affine's bias and its input act in the same step), a
    population's Affine bias starts when its first input can arrive (`depths`); its `v_leak`
    acts from the first step. (On the chip a bias acts from the first step.)
    Inputs (T, n) give counts (n,); batched inputs (B, T, n) give (B, n), one row per sample."""
    batch = {np.asarray(s).shape[0] for s in spikes.values() if np.ndim(s) == 3}
    if len(batch) > 1:
        raise NIRError(f"input spikes: expected one batch size across inputs, found {sorted(batch)}")
    if batch:
        samples = [{name: (s[b] if np.ndim(s) == 3 else s) for name, s in spikes.items()} for b in range(batch.pop())]
        per_sample = [_float_counts(model, sample, steps) for sample in samples]
        return {name: np.stack([counts[name] for counts in per_sample]) for name in model.floats}
    return _float_counts(model, spikes, steps)


def _float_counts(model: NIRModel, spikes: dict[str, np.ndarray], steps: int) -> dict[str, np.ndarray]:
    hist = {name: np.zeros((steps + MAX_DELAY + 1, int(np.prod(shape)))) for name, shape in model.inputs.items()}
    for name, s in spikes.items():
        arr = np.asarray(s, float)
        hist[name][MAX_DELAY + 1:MAX_DELAY + 1 + steps] = arr[np.arange(steps) % len(arr)]
    state = {}
    depth = depths(model)
    for name, f in model.floats.items():
        hist[name] = np.zeros((steps + MAX_DELAY + 1, f["n"]))
        th = f["threshold"] if f["threshold"] is not None else np.ones(f["n"])
        mats = [(src, sp.csr_array(sp.diags_array(f["g"] / th) @ m), d) for src, m, _, d in f["incoming"]]
        bias = (sum((b for _, _, b, _ in f["incoming"]), np.zeros(f["n"])) * f["bias_gain"]) / th
        state[name] = [np.zeros(f["n"]), np.zeros(f["n"]), mats, (bias, f["b_v"] / th, depth[name]), np.zeros(f["n"])]
    for t in range(steps):
        now = MAX_DELAY + 1 + t
        for name, f in model.floats.items():
            u, v, mats, bias, count = state[name]
            a = np.zeros(f["n"])
            for src, m, d in mats:
                if d is None:
                    a += m @ hist[src][now - 1]
                else:
                    dense = m.toarray()
                    delay = np.broadcast_to(d[None, :] if d.size == dense.shape[1] else d[:, None], dense.shape)
                    a += (dense * hist[src][now - 1 - delay, np.arange(dense.shape[1])[None, :]]).sum(axis=1)
            u[:] = u * (1 - f["du_f"]) + a
            affine, leak, onset = bias
            v[:] = v * (1 - f["dv_f"]) + u + leak + (affine if t >= onset else 0.0)
            fired = (v > 1.0) if f["kind"] not in NON_SPIKING else np.zeros(f["n"], bool)
            v[fired] = v[fired] - 1.0 if f["reset"] == "subtract" else 0.0
            hist[name][now] = fired
            count += fired
    return {name: s[4] for name, s in state.items()}


def agreement(model: NIRModel, spikes: dict[str, np.ndarray], steps: int,
              result: Any = None) -> tuple[LayerReport, ...]:
    """The report with each population's spike agreement between the fixed-point emulation and
    the float simulation: 1 - sum |count_fixed - count_float| / sum (count_fixed + count_float),
    per neuron (and per sample for batched inputs); None where neither side spiked (nothing to
    agree on). `result`: an emulation of `model.network(spikes)` for `steps` that recorded every
    population (emulated here when not given)."""
    from ..emulator import emulate

    names = [p.name for p in model.populations]
    result = result or emulate(model.network(spikes), steps, record=names)
    ref = float_simulation(model, spikes, steps)
    out = []
    for layer in model.report:
        fixed = result.trace(layer.name, "s").astype(bool).sum(axis=-2)   # (n,) or (B, n)
        flt = ref[layer.name]
        total = fixed.sum() + flt.sum()
        out.append(LayerReport(**{**layer.__dict__, "spike_agreement": 1.0 - float(np.abs(fixed - flt).sum() / total)
                                  if total else None}))
    return tuple(out)


def bernoulli_inputs(model: NIRModel, rate_hz: float, steps: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded Bernoulli spikes (steps, n) for every Input node, at `rate_hz` with the model's dt
    (1 ms when it has none). Raises `NIRError` when the rate exceeds one spike per step."""
    step = model.dt or 1e-3
    if not 0 <= rate_hz * step <= 1:
        raise NIRError(f"input rate {rate_hz:g} Hz: expected at most one spike per step ({1 / step:g} Hz at dt "
                       f"{step:g} s), and not negative")
    rng = np.random.default_rng(seed)
    return {name: (rng.random((steps, int(np.prod(shape)))) < rate_hz * step).astype(int)
            for name, shape in model.inputs.items()}


def _arrays(values: dict) -> dict:
    """Metadata values as arrays of at least one element (NIR compresses every dataset)."""
    return {k: np.atleast_1d(np.asarray(v)) for k, v in values.items()}


def _scalar(value: Any) -> int:
    return int(np.asarray(value).ravel()[0])


def _per_neuron(value: Any) -> int | np.ndarray:
    """A stored parameter: one value (any shape of size 1) as an int, else the array."""
    arr = np.asarray(value)
    return int(arr.ravel()[0]) if arr.size == 1 else arr


def _decay_fractions(p: LIF) -> tuple[np.ndarray, np.ndarray]:
    """(du, dv) of a population as fractions of 1 per step, (n,) each."""
    unity = 1 << DECAY_SHIFT
    return (np.broadcast_to(p.du, (p.n,)) + 1) / unity, np.broadcast_to(p.dv, (p.n,)) / unity


def _tau(dt: float, fraction: np.ndarray) -> np.ndarray:
    """Time constants (s) for decays of `fraction` per step of `dt` (inf where nothing decays)."""
    return np.divide(dt, fraction, out=np.full(fraction.shape, np.inf), where=fraction > 0)


def save(network: Network, path: str | Path, dt: float = 1e-3, outputs: Iterable[str] | None = None) -> Path:
    """Write `network` as a NIR graph: LIF populations as CubaLIF (time constants from du, dv and
    dt; threshold 1, weights in threshold units), connections as Affine with optional Delay,
    sources as Input, and an Output node after each population in `outputs` (default: those
    whose spikes go nowhere in the network), named ``output`` when there is one, else
    ``output_<population>``; the fixed-point integers also go into node metadata so `load`
    restores them exactly."""
    import nir

    for p in network.populations:
        if not isinstance(p, LIF):
            raise NIRError(f"population {p.name!r} is {type(p).__name__}: NIR 1.0 has no such neuron (only LIF "
                           "populations are written)")
        if p.vth_lo is not None:
            raise NIRError(f"population {p.name!r} is ternary (vth_lo): NIR 1.0 has no neuron with a negative spike")
        if p.reset != "zero":
            raise NIRError(f"population {p.name!r} resets by {p.reset}: NIR 1.0 records only a reset value, not a "
                           "reset by subtraction")
    nodes: dict[str, Any] = {}
    edges: list[tuple[str, str]] = []
    for s in network.sources:
        nodes[s.name] = nir.Input(input_type={"input": np.array([s.n])})
    for p in network.populations:
        du_f, dv_f = _decay_fractions(p)
        nodes[p.name] = nir.CubaLIF(
            tau_syn=_tau(dt, du_f), tau_mem=_tau(dt, dv_f), r=np.ones(p.n),
            v_leak=np.zeros(p.n), v_threshold=np.ones(p.n), v_reset=np.zeros(p.n), w_in=np.ones(p.n),
            metadata={"neurochip": _arrays({"du": p.du, "dv": p.dv, "vth": p.vth, "u": p.u, "v": p.v, "bias_mant": p.bias_mant,
                                            "bias_exp": p.bias_exp, "reset_interval": p.reset_interval or 0,
                                            "reset_offset": p.reset_offset})})
    for c in network.connections:
        w = c.weights.toarray() if sp.issparse(c.weights) else np.asarray(c.weights)
        dst = network.nodes[c.dst]
        du_f, dv_f = _decay_fractions(dst)
        scale = (2.0**c.weight_exp / np.maximum(np.broadcast_to(dst.vth, (dst.n,)), 1)
                 / np.maximum(dv_f * du_f, 1e-12))[:, None]
        delays = c.delays if c.delays is not None else 0
        q = {"weights": w, "weight_exp": c.weight_exp, "num_weight_bits": c.num_weight_bits,
             "sign_mode": list(SignMode).index(c.sign_mode), "num_message_bits": c.num_message_bits,
             "has_delays": int(c.delays is not None),
             "delays": delays.toarray() if sp.issparse(delays) else np.asarray(delays)}
        nodes[c.name] = nir.Affine(weight=w * scale, bias=np.zeros(w.shape[0]), metadata={"neurochip": _arrays(q)})
        edges += [(c.src, c.name), (c.name, c.dst)]
    senders = {c.src for c in network.connections}
    chosen = list(outputs) if outputs is not None else [p.name for p in network.populations if p.name not in senders]
    for pop in chosen:
        if pop not in {p.name for p in network.populations}:
            raise NIRError(f"outputs: expected population names of the network, found {pop!r}")
        name = "output" if len(chosen) == 1 else f"output_{pop}"
        nodes[name] = nir.Output(output_type={"output": np.array([network.nodes[pop].n])})
        edges.append((pop, name))
    graph = nir.NIRGraph(nodes=nodes, edges=edges, metadata={"dt": dt}, type_check=False)
    with tempfile.TemporaryDirectory() as tmp:
        nir.write(Path(tmp) / "graph.nir", graph)
        return write_atomic(path, (Path(tmp) / "graph.nir").read_bytes())
