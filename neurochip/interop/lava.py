"""Run Lava process graphs on neurochip's emulator, reproducing Lava 0.10 ``fixed_pt`` exactly;
and export neurochip networks as Lava processes (`to_lava`).

Lava is imported lazily and only for type checks: the core never depends on it. Supported:
``RingBuffer`` (lava.proc.io.source) spike sources; ``Dense``, ``Sparse``, ``DelayDense``,
``DelaySparse`` and ``Conv`` (a first-class convolution, see `_conv`; processes shaped (X, Y, C) are
stored channel first); ``LIF``, ``LIFReset``, ``TernaryLIF`` (read as `LIF`) and ``ATRLIF``;
``Sigma``, ``Delta``, ``SigmaDelta``, ``GradedVec`` and ``GradedReluVec`` (read as `SigmaDelta`);
``RF``, ``RF_IZ`` and ``RFZero`` (read as `Resonator`) and ``ProdNeuron`` (`Product`), whose two
input ports are the population's two dendrites; ``LearningDense`` and ``LearningSparse`` with a
``Loihi2FLearningRule`` (``STDPLoihi`` ...) or a plain ``LoihiLearningRule`` (plastic connections, as
Lava's bit-approximate models compute them; back-propagating spikes from the target's s_out into
s_in_bap) and ``LearningLIF`` (read as `LIF`: its fixed-point model sends no traces). ``Monitor`` processes are ignored (they only
observe). A sink ``RingBuffer`` (lava.proc.io.sink) on a neuron's s_out records it
(`LavaRun.trace(sink, "data")`); one on connections' a_out records their summed output through a
pass-through sigma-delta compartment per element (whose updates are counted). A source
``RingBuffer`` wired straight into a neuron's input port reaches it in the same step, as in Lava
(`direct`). Parameters are read as Lava's fixed-point process models read them:
variables are cast to the models' dtypes, and weights are clipped to 8 bits per sign mode as
``clip_weights`` does.

Example::

    from neurochip.interop import lava as nl
    run = nl.run(procs, num_steps=T)
    run.trace(lif_proc, "v")      # (T, *lif_proc.shape), equal to a Lava Monitor's record
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from ..api import Run, emulate
from .direct import pending_state, straight_in
from ..energy import EnergyReport
from ..errors import LavaError, NetworkError, TraceError
from ..ir import (ATRLIF, LIF, Connection, ConvKernel, LearningRule, Network, Product, Resonator, SigmaDelta, SignMode,
                  SpikeSource, whole_weights)
from ..ir.learning import GRADED_SPIKE
from ..kernels.fixed_point import RF_ZERO_SHIFT
from ..mapping import Placement
from ..pack import Packed, pack
from ..profiles import Profile
from ..result import Counters, EmulatorState

#: Lava neuron processes read as `LIF` populations, and as `SigmaDelta` populations.
LIF_NEURONS = ("LIF", "LIFReset", "TernaryLIF", "LearningLIF")
SDN_NEURONS = ("Sigma", "Delta", "SigmaDelta", "GradedVec", "GradedReluVec")
RF_NEURONS = ("RF", "RF_IZ", "RFZero")
NEURONS = LIF_NEURONS + SDN_NEURONS + RF_NEURONS + ("ATRLIF", "ProdNeuron")
#: Each neuron process's input ports, in the order of its population's dendrites.
DENDRITE_PORTS = {"RF": ("a_real_in", "a_imag_in"), "RF_IZ": ("a_real_in", "a_imag_in"), "RFZero": ("u_in", "v_in"),
                  "ProdNeuron": ("a_in1", "a_in2")}
#: Lava connection processes (s_in -> a_out), the plastic ones last.
LEARNING = ("LearningDense", "LearningSparse")
CONNECTIONS = ("Dense", "Sparse", "DelayDense", "DelaySparse", "Conv") + LEARNING
#: The variables a Lava Monitor can record on a plastic connection (the same names here).
LEARNING_VARS = ("weights", "tag_1", "tag_2", "x1", "x2", "y1", "y2", "y3")
#: The variables a Lava Monitor can record on each neuron process, as neurochip names them.
TRACE_NAMES = {"LIF": {"u": "u", "v": "v", "s_out": "s"},
               "Sigma": {"sigma": "sigma", "s_out": "s"},
               "Delta": {"sigma": "sigma", "act": "act", "residue": "residue", "error": "error", "s_out": "s"}}
TRACE_NAMES["SigmaDelta"] = TRACE_NAMES["Delta"]
TRACE_NAMES["GradedVec"] = TRACE_NAMES["GradedReluVec"] = {"v": "sigma", "s_out": "s"}   # v is 0 after each step
TRACE_NAMES["ATRLIF"] = {"i": "i", "v": "v", "theta": "theta", "r": "r", "s_out": "s"}
TRACE_NAMES["RF"] = TRACE_NAMES["RF_IZ"] = {"real": "real", "imag": "imag", "s_out": "s"}
TRACE_NAMES["RFZero"] = {"u": "real", "v": "imag", "s_out": "s"}
TRACE_NAMES["ProdNeuron"] = {"v": "v", "s_out": "s"}


def _lava_types() -> dict[str, type]:
    from lava.proc.atrlif.process import ATRLIF as LavaATRLIF
    from lava.proc.conv.process import Conv
    from lava.proc.dense.process import DelayDense, Dense, LearningDense
    from lava.proc.io.source import RingBuffer
    from lava.proc.graded.process import GradedReluVec, GradedVec
    from lava.proc.lif.process import LIF as LavaLIF, LearningLIF, LIFReset, TernaryLIF
    from lava.proc.monitor.process import Monitor
    from lava.proc.prodneuron.process import ProdNeuron
    from lava.proc.resfire.process import RFZero
    from lava.proc.rf.process import RF
    from lava.proc.rf_iz.process import RF_IZ
    from lava.proc.sdn.process import Delta, Sigma, SigmaDelta as LavaSigmaDelta
    from lava.proc.sparse.process import DelaySparse, LearningSparse, Sparse
    from lava.proc.io.sink import RingBuffer as SinkRingBuffer

    return {"LIF": LavaLIF, "LIFReset": LIFReset, "TernaryLIF": TernaryLIF, "Sigma": Sigma, "Delta": Delta,
            "SigmaDelta": LavaSigmaDelta, "ATRLIF": LavaATRLIF, "GradedVec": GradedVec,
            "GradedReluVec": GradedReluVec, "RF": RF, "RF_IZ": RF_IZ, "RFZero": RFZero, "ProdNeuron": ProdNeuron,
            "Dense": Dense, "Sparse": Sparse, "DelayDense": DelayDense,
            "DelaySparse": DelaySparse, "Conv": Conv, "RingBuffer": RingBuffer, "SinkRingBuffer": SinkRingBuffer,
            "Monitor": Monitor, "LearningDense": LearningDense, "LearningSparse": LearningSparse,
            "LearningLIF": LearningLIF}


def _kind(proc: Any, types: dict[str, type]) -> str:
    for name, cls in types.items():
        if type(proc) is cls:
            return name
    raise LavaError(
        f"Lava process {proc.name!r} of type {type(proc).__module__}.{type(proc).__name__} is not supported; "
        f"supported: {', '.join(sorted(types))}")


def _init(var: Any, dtype: type) -> np.ndarray:
    """A Var's initial value as the fixed-point model holds it (cast to the model's dtype)."""
    value = var.init
    if sp.issparse(value):
        value = value.toarray()
    return np.asarray(value).astype(dtype)


def _connected(procs: Iterable[Any]) -> list[Any]:
    """`procs` and every process reachable from them through ports, in discovery order, those
    attached to a variable by reference (a RefPort on its VarPort: Reset, StateDataloader) too."""
    seen: dict[int, Any] = {}
    stack = list(procs)
    while stack:
        p = stack.pop()
        if id(p) in seen:
            continue
        seen[id(p)] = p
        for port in (*p.in_ports, *p.out_ports, *p.ref_ports, *p.var_ports):
            stack += [end.process for end in _ends(port)]
    return list(seen.values())


#: Lava's virtual ports (a virtual port's `process` is the process of the port it hangs from).
VIRTUAL_PORTS = ("ReshapePort", "TransposePort", "ConcatPort")


def _ends(port: Any) -> list[Any]:
    """The non-virtual ports connected to `port`, in either direction, through virtual ports."""
    out, seen, stack = [], {id(port)}, [*port.in_connections, *port.out_connections]
    while stack:
        q = stack.pop()
        if id(q) in seen:
            continue
        seen.add(id(q))
        if type(q).__name__ in VIRTUAL_PORTS:
            stack += [*q.in_connections, *q.out_connections]
        else:
            out.append(q)
    return out


def _channel_first(values: Any, shape: tuple[int, ...]) -> np.ndarray:
    """`values` broadcast to a process's `shape`, flattened in neurochip's order: C order, except
    that a 3-D (X, Y, C) shape (Lava's convolution layout, channels last) is stored channel first
    (C, X, Y), the layout of `ConvKernel`. Trailing axes beyond `shape` are kept."""
    arr = np.asarray(values)
    if arr.shape[:len(shape)] != tuple(shape):      # broadcast as Lava broadcasts a Var's init
        arr = np.broadcast_to(arr, tuple(shape) + arr.shape[len(shape):] if arr.ndim > len(shape) else tuple(shape))
    if len(shape) == 3:
        arr = np.moveaxis(arr, 2, 0)
    return arr.reshape(-1, *arr.shape[len(shape):])


def _lava_order(trace: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """(T, n) values in neurochip's order as (T, *shape) in Lava's (`_channel_first` undone)."""
    if len(shape) == 3:
        return np.moveaxis(trace.reshape(trace.shape[0], shape[2], shape[0], shape[1]), 1, 3)
    return trace.reshape(trace.shape[0], *shape)


def _positions(shape: tuple[int, ...]) -> np.ndarray:
    """Lava's flat index of each compartment in neurochip's order (see `_channel_first`)."""
    return _channel_first(np.arange(int(np.prod(shape))).reshape(shape), shape)


def _lif(proc: Any, name: str, kind: str) -> LIF:
    reset = {}
    if kind == "LIFReset":
        interval = int(proc.proc_params["reset_interval"])
        reset = dict(reset_interval=interval, reset_offset=int(proc.proc_params["reset_offset"]) % interval)
    shape = tuple(proc.proc_params["shape"])
    vars_ = (("u", "u", np.int32), ("v", "v", np.int32), ("bias_mant", "bias_mant", np.int16),
             ("bias_exp", "bias_exp", np.int16), ("du", "du", np.int64), ("dv", "dv", np.int64))
    vars_ += ((("vth", "vth_hi", np.int32), ("vth_lo", "vth_lo", np.int32)) if kind == "TernaryLIF"
              else (("vth", "vth", np.int32),))
    flat = {ours: _channel_first(_init(getattr(proc, theirs), dt), shape) for ours, theirs, dt in vars_}
    return LIF(name=name, n=int(np.prod(shape)), **flat, **reset)


def _sigma_delta(proc: Any, name: str, kind: str) -> SigmaDelta:
    """Lava's Sigma, Delta or SigmaDelta as its fixed-point model computes it (vth and bias are
    the Vars, already scaled by 2**(spike_exp + state_exp) by the process)."""
    n = int(np.prod(proc.proc_params["shape"]))
    if kind == "Sigma":
        return SigmaDelta(name=name, n=n, delta=False, relu=False)
    if kind in ("GradedVec", "GradedReluVec"):     # v += a_in; send v where it passes vth; v = 0
        return SigmaDelta(name=name, n=n, vth=int(_init(proc.vth, np.int32).item()), sigma=False, delta=False,
                          relu=False, gate="abs" if kind == "GradedVec" else "positive")
    spike_exp, state_exp = (int(_init(getattr(proc, v), np.int32).item()) for v in ("spike_exp", "state_exp"))
    common = dict(name=name, n=n, vth=int(_init(proc.vth, np.int32).item()),
                  cum_error=bool(_init(proc.cum_error, bool).item()), out_shift=state_exp)
    if kind == "Delta":
        return SigmaDelta(sigma=False, relu=False, in_shift=spike_exp + state_exp, **common)
    mode = proc.proc_params["act_mode"]
    if int(mode) not in (0, 1):
        raise LavaError(f"{proc.name!r}: act_mode {mode!r} is not one of Lava's fixed-point modes (UNIT, RELU)")
    bias = _channel_first(_init(proc.bias, np.int32), tuple(proc.proc_params["shape"]))
    return SigmaDelta(bias=bias, relu=int(mode) == 1, **common)


def _atrlif(proc: Any, name: str) -> ATRLIF:
    """Lava's ATRLIF as its fixed-point model reads it: the decay fractions and thresholds as given
    (floats), bias_mant and bias_exp as int16, i, v and r as int32 (theta starts at theta_0)."""
    shape = tuple(proc.proc_params["shape"])
    scalars = {f: float(np.asarray(getattr(proc, f).init).ravel()[0])
               for f in ("delta_i", "delta_v", "delta_theta", "delta_r", "theta_0", "theta_step")}
    arrays = {f: _channel_first(_init(getattr(proc, f), dt), shape)
              for f, dt in (("bias_mant", np.int16), ("bias_exp", np.int16), ("i", np.int32), ("v", np.int32),
                            ("r", np.int32))}
    return ATRLIF(name=name, n=int(np.prod(shape)), **scalars, **arrays)


def _scalar(proc: Any, var: str, dtype: type = np.int32) -> int:
    """The value of `proc`'s one-element Var `var` as the model holds it; more values are refused, as
    Lava's model refuses them (its Var has shape (1,))."""
    values = _init(getattr(proc, var), dtype).ravel()
    if values.size != 1:
        raise LavaError(f"{proc.name!r}.{var}: {values.size} values; Lava's model takes one (a Var of shape (1,))")
    return int(values[0])


def _resonator(proc: Any, name: str, kind: str) -> Resonator:
    """Lava's RF, RF_IZ or RFZero as its fixed-point model reads it: RF's decays are the Vars the
    process formed (int32 when decay_bits > 0; with decay_bits 0 they stay floats, which the
    model cannot shift: refused), vth already scaled by 2**state_exp; RFZero's per-neuron lct and lst."""
    shape = tuple(proc.proc_params["shape"])
    n = int(np.prod(shape))
    if kind == "RFZero":
        flat = {f: _channel_first(_init(getattr(proc, theirs), np.int32), shape)
                for f, theirs in (("cos_decay", "lct"), ("sin_decay", "lst"), ("real", "u"), ("imag", "v"))}
        return Resonator(name=name, n=n, vth=_scalar(proc, "uth"), decay_bits=RF_ZERO_SHIFT, kind="rf_zero", **flat)
    if any(np.asarray(getattr(proc, f).init).dtype.kind == "f" for f in ("cos_decay", "sin_decay")):
        raise LavaError(f"{proc.name!r}: decay_bits {_scalar(proc, 'decay_bits')} leaves its decays as floats, which "
                        f"Lava's fixed_pt {kind} model cannot shift; give decay_bits > 0")
    per_neuron = {f: _channel_first(_init(getattr(proc, f), np.int32), shape)     # per neuron for array periods
                  for f in ("cos_decay", "sin_decay", "real", "imag")}
    return Resonator(name=name, n=n, vth=_scalar(proc, "vth"), decay_bits=_scalar(proc, "decay_bits"),
                     state_exp=_scalar(proc, "state_exp"), kind=kind.lower(), **per_neuron)


def _product(proc: Any, name: str) -> Product:
    """Lava's ProdNeuron as its fixed-point model reads it (vth and exp are one value each)."""
    shape = tuple(proc.proc_params["shape"])
    return Product(name=name, n=int(np.prod(shape)), vth=_scalar(proc, "vth"), exp=_scalar(proc, "exp"),
                   v=_channel_first(_init(proc.v, np.int32), shape))


def _neuron(proc: Any, name: str, kind: str) -> LIF | SigmaDelta | ATRLIF | Resonator | Product:
    """The population a neuron process of `kind` (one of `NEURONS`) is read as."""
    if kind in LIF_NEURONS:
        return _lif(proc, name, kind)
    if kind in RF_NEURONS:
        return _resonator(proc, name, kind)
    if kind == "ATRLIF":
        return _atrlif(proc, name)
    if kind == "ProdNeuron":
        return _product(proc, name)
    return _sigma_delta(proc, name, kind)


def _summed(raw: Any) -> np.ndarray | sp.csr_array:
    """A weight Var's value with a sparse matrix's duplicate entries summed (as Lava's clipping
    sums them), in its own dtype."""
    if not sp.issparse(raw):
        return np.asarray(raw)
    w = sp.csr_array(raw, copy=True)
    w.sum_duplicates()
    return w


def _as_model_weights(w: np.ndarray | sp.csr_array) -> np.ndarray | sp.csr_array:
    """Weights as Lava's fixed-point model holds them: cast to int32 (copied only when needed)."""
    values = w.data if sp.issparse(w) else w
    if values.dtype.kind in "iu" and (values.size == 0 or (values.min() >= -(2**31) and values.max() < 2**31)):
        return w
    return w.astype(np.int32)


def _clipped(values: np.ndarray, mode: SignMode) -> np.ndarray:
    """Lava's ``clip_weights(..., num_bits=8)``: clip into the sign mode's 8-bit range."""
    lo, hi = mode.weight_range()
    if values.size == 0 or (values.min() >= lo and values.max() <= hi):
        return values
    return np.clip(values, lo, hi)


def _sign_mode(given: Any, weights: Any) -> SignMode:
    """The sign mode Lava's model uses: ``proc_params.get("sign_mode") or determine_sign_mode(weights)``,
    compared with Lava's enum by equality, so NULL and plain ints other than 0 act as excitatory
    (neither MIXED nor INHIBITORY), while None and 0 infer it from `weights`."""
    if not given:
        return SignMode.of(weights)
    name = getattr(given, "name", None) if type(given).__name__ == "SignMode" else None
    return {"MIXED": SignMode.MIXED, "INHIBITORY": SignMode.INHIBITORY}.get(name, SignMode.EXCITATORY)


def _conv(proc: Any, name: str, src: str, dst: str, shapes: dict[str, tuple[int, ...]], dendrite: int = 0
          ) -> Connection:
    """Lava's Conv as its fixed-point model computes it: a true convolution (the kernel flipped,
    against `ConvKernel`'s correlation) of (X, Y, C) inputs, weights as given (no clipping, no
    truncation, no exponent), each step's sum wrapped to 24 bits (accumulator "conv24")."""
    in_shape, out_shape = tuple(proc.input_shape), tuple(proc.output_shape)
    for end, node, want in (("s_in", src, in_shape), ("a_out", dst, out_shape)):
        if shapes[node] != want:
            raise LavaError(f"{proc.name!r}.{end} is wired to a process of shape {shapes[node]}; a Conv is supported "
                            f"between processes shaped as its (X, Y, C) {end} {want}")
    w = _init(proc.weight, np.int32).astype(np.int64)
    if w.size and (w.min() < -256 or w.max() > 255):
        raise LavaError(f"{proc.name!r}: weights in [{w.min()}, {w.max()}]; Lava's Conv model computes with them "
                        "as given, neurochip takes 8 bits and a sign ([-256, 255])")
    if int(_init(proc.weight_exp, np.int32).item()):
        warnings.warn(f"{proc.name!r}: weight_exp is ignored, as Lava 0.10's Conv model ignores it", stacklevel=3)
    mode, bits = whole_weights(w)
    pair = (lambda var: tuple(int(x) for x in _init(var, np.int64)))
    kernel = ConvKernel(np.flip(w, axis=(1, 2)).transpose(0, 3, 1, 2), (in_shape[2], *in_shape[:2]),
                        stride=pair(proc.stride), padding=pair(proc.padding), dilation=pair(proc.dilation),
                        groups=int(_init(proc.groups, np.int64).item()))
    return Connection.conv(name, src, dst, kernel, sign_mode=mode, num_weight_bits=bits,
                           num_message_bits=int(_init(proc.num_message_bits, np.int64).item()), accumulator="conv24",
                           dendrite=dendrite)


def _delays(raw: Any, shape: tuple[int, int]) -> np.ndarray | sp.csr_array:
    """A delay Var's value as the model holds it (int32), sparse kept sparse (entries it lacks: 0)."""
    if sp.issparse(raw):
        d = sp.csr_array(raw, copy=True)
        d.sum_duplicates()
        return sp.csr_array((d.data.astype(np.int32).astype(np.int64), d.indices, d.indptr), shape=d.shape)
    return np.broadcast_to(np.asarray(raw).astype(np.int32).astype(np.int64), shape)


def _within_max_delay(proc: Any, w: Any, delays: Any) -> Any:
    """`w` without the synapses whose delay exceeds the process's buffer (`max_delay`): Lava's
    model never delivers them (a warning says so)."""
    max_delay = int(np.prod(proc.a_buff.shape[-1:])) - 1
    d = sp.csr_array(delays) if sp.issparse(delays) else np.asarray(delays)
    if (d.data if sp.issparse(d) else d).max(initial=0) <= max_delay:
        return w
    warnings.warn(f"{proc.name!r}: synapses with delays above max_delay={max_delay} are dropped, as Lava's model "
                  "drops them", stacklevel=4)
    beyond = (d > max_delay)
    beyond = beyond.toarray() if sp.issparse(beyond) else beyond
    if sp.issparse(w):
        w = sp.csr_array(w).tolil()
        w[np.nonzero(beyond)] = 0
        return sp.csr_array(w)
    return np.where(beyond, 0, w)


def _connection(proc: Any, kind: str, name: str, src: str, dst: str, shapes: dict[str, tuple[int, ...]],
                maps: tuple[np.ndarray | None, np.ndarray | None] = (None, None), dendrite: int = 0) -> Connection:
    """One connection process from `src` to `dendrite` of `dst`; `maps` are the transposes between
    them (see `_routes`: for a_out, the a_out index each input of `dst` carries; for s_in, the
    `src` index each input of the process carries)."""
    if kind == "Conv":
        if any(m is not None for m in maps):
            raise LavaError(f"{proc.name!r}: a Conv wired through a transpose is not supported")
        return _conv(proc, name, src, dst, shapes, dendrite)
    params = proc.proc_params
    given = _summed(proc.weights.init)
    w = _as_model_weights(given)
    # Dense's model holds int32 weights; Sparse's keeps the matrix as given (floats infer the mode)
    mode = _sign_mode(params.get("sign_mode"), given if kind in ("Sparse", "DelaySparse") else w)
    if sp.issparse(w):
        w = sp.csr_array((_clipped(w.data, mode), w.indices, w.indptr), shape=w.shape)
    else:
        w = _clipped(w, mode)
    delays = _delays(proc.delays.init, w.shape) if kind in ("DelayDense", "DelaySparse") else None
    if delays is not None:
        w = _within_max_delay(proc, w, delays)
    rows, cols = _positions(shapes[dst]), _positions(shapes[src])
    out_map, in_map = maps
    if out_map is not None:            # dst input m carries a_out[out_map[m]]
        rows = out_map[rows]
    if in_map is not None:             # s_in k carries src[in_map[k]]: src index j is s_in argsort(in_map)[j]
        cols = np.argsort(in_map)[cols]
    if not (np.array_equal(rows, np.arange(rows.size)) and np.array_equal(cols, np.arange(cols.size))):
        w = w[rows][:, cols]
        delays = None if delays is None else sp.csr_array(delays)[rows][:, cols] if sp.issparse(delays) \
            else delays[rows][:, cols]
    return Connection(name=name, src=src, dst=dst, weights=w, weight_exp=int(params.get("weight_exp", 0)),
                      num_weight_bits=int(params.get("num_weight_bits", 8)), sign_mode=mode,
                      num_message_bits=int(_init(proc.num_message_bits, np.int64).item()), delays=delays,
                      accumulator="sparse" if kind == "DelaySparse" else "int32", dendrite=dendrite)


def _rule(proc: Any, post_spikes: bool) -> LearningRule:
    """A plastic connection's Lava learning rule as a `LearningRule` (its strings, impulses, taus,
    epoch and seed as the rule object holds them after the process's construction)."""
    from lava.magma.core.learning.learning_rule import Loihi2FLearningRule, Loihi3FLearningRule

    rule = proc.proc_params["learning_rule"]
    if isinstance(rule, Loihi3FLearningRule):
        raise LavaError(f"{proc.name!r}: a Loihi3FLearningRule takes its y traces from a neuron that sends them; "
                        "Lava 0.10's fixed-point LearningLIF sends none (use a Loihi2FLearningRule)")
    cfg = proc.proc_params.get("graded_spike_cfg")
    fields = {f"{t}_{k}": getattr(rule, f"{t}_{k}") for t in ("x1", "x2", "y1", "y2", "y3")
              for k in ("impulse", "tau")}
    try:
        return LearningRule(dw=rule.dw_str or "", dd=rule.dd_str or "", dt=rule.dt_str or "", **fields,
                            t_epoch=rule.t_epoch, rng_seed=rule.rng_seed,
                            post_spikes=post_spikes and isinstance(rule, Loihi2FLearningRule),
                            graded_spike=GRADED_SPIKE[int(cfg.value) if cfg is not None else 0])
    except NetworkError as e:
        raise LavaError(f"{proc.name!r}.learning_rule: {e}") from None


def _check_lava_sparse_learning(name: str, c: Connection) -> None:
    """Lava 0.10's LearningSparse fails at its first learning epoch when it saturates a synaptic
    variable (``np.maximum`` on a sparse matrix: excitatory or inhibitory weights, any dd rule)."""
    if sp.issparse(c.weights) and (c.sign_mode is not SignMode.MIXED or c.learning.products["dd"]):
        raise LavaError(f"{name!r}: Lava 0.10's LearningSparse fails at its first learning epoch with "
                        f"{c.sign_mode.value} weights or a dd rule (it saturates a sparse matrix with np.maximum); "
                        "use mixed weights without dd, or LearningDense")


def _plastic(proc: Any, kind: str, name: str, src: Route, dst: Route, bap: list[Route], names: dict[int, str],
             dendrite: int) -> Connection:
    """A LearningDense or LearningSparse process from `src` into `dst`; `bap`: what feeds its
    s_in_bap (nothing, or the target's own s_out)."""
    if src.mapping is not None or dst.mapping is not None:
        raise LavaError(f"{proc.name!r}: a plastic connection wired through a transpose is not supported")
    for port in ("s_in_y1", "s_in_y2", "s_in_y3"):
        if _routes(getattr(proc, port), "in", proc):
            raise LavaError(f"{proc.name!r}.{port} is connected: third-factor traces are not supported")
    if bap and (len(bap) > 1 or bap[0].process is not dst.process or bap[0].mapping is not None
                or bap[0].port != "s_out"):
        raise LavaError(f"{proc.name!r}.s_in_bap: expected the s_out of the process its a_out feeds "
                        f"({dst.process.name!r}), found {', '.join(f'{r.process.name}.{r.port}' for r in bap)}")
    params = proc.proc_params
    w = _as_model_weights(_summed(proc.weights.init))
    tags = {t: _init(getattr(proc, t), np.int64).reshape(w.shape) for t in ("tag_1", "tag_2")}
    given = params.get("sign_mode")
    try:
        c = Connection(name=name, src=names[id(src.process)], dst=names[id(dst.process)], weights=w,
                       weight_exp=int(params.get("weight_exp", 0)), num_weight_bits=int(params.get("num_weight_bits", 8)),
                       sign_mode=_sign_mode(given, w) if given else SignMode.MIXED,
                       num_message_bits=int(_init(proc.num_message_bits, np.int64).item()), dendrite=dendrite,
                       learning=_rule(proc, bool(bap)), **tags)
    except NetworkError as e:
        raise LavaError(f"{proc.name!r}: {e}") from None
    _check_lava_sparse_learning(proc.name, c)
    return c


def _check_senders(proc: Any, kind: str, senders: list[Any]) -> None:
    """Several senders into one connection's s_in are summed by Lava before the weights apply; that
    equals one connection per sender only for graded input and no right shift (binary input is
    cast to bool after the sum, a right shift rounds the total, Conv wraps the total to 24 bits)."""
    if len(senders) == 1:
        return
    if not senders:
        raise LavaError(f"{proc.name!r}.s_in has no input")
    graded = int(_init(proc.num_message_bits, np.int64).item()) > 0
    exp = int(proc.proc_params.get("weight_exp", 0)) if kind != "Conv" else 0
    if kind == "Conv" or not graded or exp < 0:
        why = ("Conv wraps their summed output to 24 bits" if kind == "Conv" else
               "binary input is cast to bool after the sum" if not graded else
               "a negative weight_exp rounds their summed output")
        raise LavaError(f"{proc.name!r}.s_in has {len(senders)} senders; their sum is emulated exactly only as graded "
                        f"input without a right shift ({why})")


class Route(NamedTuple):
    """The other end of a port (`_routes`): its process, the index map (for each flat index on the
    receiving side, which flat index of the sending side it carries; None: the same one) and
    the name of the port reached there."""

    process: Any
    mapping: np.ndarray | None
    port: str


def _routes(port: Any, direction: str, proc: Any, label: str | None = None,
            mapping: np.ndarray | None = None) -> list[Route]:
    """The `Route`s from `port` to the ports at its other ends, looking through virtual ports:
    reshape and flatten keep C-order flat indices; a transpose permutes them. Other virtual ports
    are refused, naming the process's own port (`label`, kept through virtual ports, which have
    no name)."""
    label = label or port.name
    out = []
    for peer in port.in_connections if direction == "in" else port.out_connections:
        kind = type(peer).__name__
        if kind == "ReshapePort":
            out += _routes(peer, direction, proc, label, mapping)
        elif kind == "TransposePort":
            before = peer.in_connections[0].shape if direction == "in" else port.shape
            perm = np.arange(int(np.prod(before))).reshape(before).transpose(peer.axes).ravel()
            m = np.arange(perm.size) if mapping is None else mapping
            out += _routes(peer, direction, proc, label, perm[m] if direction == "in" else m[perm])
        elif kind in ("InPort", "OutPort"):
            out.append(Route(peer.process, mapping, peer.name))
        else:
            raise LavaError(f"{proc.name!r}.{label}: virtual port {kind} is not supported (only reshape, flatten "
                            "and transpose)")
    return out


def _peers(port: Any, direction: str, proc: Any) -> list[Any]:
    """The processes of `_routes`."""
    return [r.process for r in _routes(port, direction, proc)]


@dataclass(frozen=True)
class Sink:
    """A sink RingBuffer: the node whose spikes it records (shaped `node_shape`), its buffer
    length and shape, and the transposes between them (`_routes`)."""

    node: str
    buffer: int
    shape: tuple[int, ...]
    node_shape: tuple[int, ...]
    mapping: np.ndarray | None


@dataclass(frozen=True)
class LavaGraph:
    """A Lava graph as a `Network`, with each process's node name and shape (by ``id``), each
    neuron process's kind, the sinks (by ``id``: the node they record, their buffer length and
    shape), and the input pending for step 1 ((population, dendrite) -> (n,) int64) of sources wired
    straight in."""

    network: Network
    names: dict[int, str]
    shapes: dict[int, tuple[int, ...]]
    kinds: dict[int, str]
    sinks: dict[int, Sink]
    pending: dict[tuple[str, int], np.ndarray]
    plastic: dict[int, str] = field(default_factory=dict)

    def initial_state(self, packed: Packed | None = None) -> EmulatorState:
        """The emulator's state before step 1, with the pending input in the dendritic ring."""
        return pending_state(self.network, self.pending, packed=packed)


def _dendrite_ports(kind: str) -> tuple[str, ...]:
    """The input ports of a process of `kind`, in the order of its population's dendrites."""
    return DENDRITE_PORTS.get(kind, ("a_in",))


def _direct(p: Any, name: str, shape: tuple[int, ...], mapping: np.ndarray | None, dendrite: int = 0
            ) -> tuple[SpikeSource, Connection, np.ndarray]:
    """A source RingBuffer `p` wired straight into `dendrite` of population `name` shaped `shape`
    (through the transposes `mapping`, see `_routes`) (`direct.straight_in`)."""
    raw = _init(p.data, np.int32)
    flat = raw.reshape(-1, raw.shape[-1])
    if flat.shape[0] != int(np.prod(shape)):
        raise LavaError(f"{p.name!r}.s_out sends {flat.shape[0]} values into {name!r}'s dendrite {dendrite} of "
                        f"{int(np.prod(shape))}")
    if mapping is not None:
        flat = flat[mapping]
    return straight_in(f"{name}<-{p.name}" + (f":{dendrite}" if dendrite else ""), name,
                       _channel_first(flat.reshape(*shape, -1), shape).T, dendrite)


def from_lava(procs: Iterable[Any]) -> LavaGraph:
    """Convert the Lava graph reachable from `procs` into a `Network`."""
    types = _lava_types()
    graph = [(p, _kind(p, types)) for p in _connected(procs)]
    graph = [(p, k) for p, k in graph if k != "Monitor"]
    names = {id(p): f"{p.name}#{i}" for i, (p, _) in enumerate(graph)}
    shapes, kinds, sinks, pending, plastic = {}, {}, {}, {}, {}
    pops, sources, conns = [], [], []
    node_shapes = {names[id(p)]: tuple(p.proc_params["shape"]) if kind in (*NEURONS, "SinkRingBuffer")
                   else tuple(p.data.shape[:-1]) for p, kind in graph if kind in (*NEURONS, "RingBuffer", "SinkRingBuffer")}
    for p, kind in graph:
        name = names[id(p)]
        if kind in NEURONS:
            pops.append(_neuron(p, name, kind))
            shapes[id(p)] = tuple(p.proc_params["shape"])
            kinds[id(p)] = "LIF" if kind in LIF_NEURONS else kind
            if kind == "LearningLIF":
                for port in ("s_out_bap", "s_out_y1", "s_out_y2", "s_out_y3", "a_third_factor_in"):
                    if _ends(getattr(p, port)):
                        raise LavaError(f"{p.name!r}.{port} is connected: Lava 0.10's fixed-point LearningLIF never "
                                        "sends or reads it (a run waits on it forever); wire its s_out into s_in_bap")
            for dendrite, port in enumerate(_dendrite_ports(kind)):
                for q, mapping, _ in _routes(getattr(p, port), "in", p):
                    if _kind(q, types) in NEURONS:
                        raise LavaError(f"{p.name!r}.{port} is fed directly by {q.name!r}; connect neurons through "
                                        "a Dense, Sparse or DelayDense process")
                    if _kind(q, types) == "RingBuffer":
                        ahead, conn, first = _direct(q, name, shapes[id(p)], mapping, dendrite)
                        sources.append(ahead)
                        conns.append(conn)
                        pending[name, dendrite] = pending.get((name, dendrite), 0) + first
        elif kind == "RingBuffer":
            if any(_kind(q, types) not in NEURONS for q in _peers(p.s_out, "out", p)):   # not only straight into a_in
                data = _init(p.data, np.int32)
                sources.append(SpikeSource(name, _channel_first(data, data.shape[:-1]).T))
        elif kind == "SinkRingBuffer":
            routes = _routes(p.a_in, "in", p)
            senders = [r.process for r in routes]
            sender_kinds = {_kind(q, types) for q in senders}
            shape, buffer = tuple(p.proc_params["shape"]), int(p.proc_params["buffer"])
            if len(senders) == 1 and sender_kinds <= set(NEURONS):
                sinks[id(p)] = Sink(names[id(senders[0])], buffer, shape, tuple(senders[0].proc_params["shape"]),
                                    routes[0].mapping)
            elif senders and sender_kinds <= set(CONNECTIONS):     # it reads their summed a_out: a pass-through
                pops.append(SigmaDelta(name, int(np.prod(shape)), sigma=False, delta=False, relu=False))
                sinks[id(p)] = Sink(name, buffer, shape, shape, None)
            else:
                raise LavaError(f"{p.name!r}.a_in: a sink RingBuffer is supported on one neuron process's s_out or "
                                f"on connection processes' a_out (found {', '.join(repr(q.name) for q in senders) or 'nothing'})")
        elif kind in LEARNING:
            srcs, dsts = _routes(p.s_in, "in", p), _routes(p.a_out, "out", p)
            if len(srcs) != 1 or len(dsts) != 1:
                raise LavaError(f"{p.name!r}: a plastic connection needs one sender into s_in and one receiver of "
                                f"a_out (found {len(srcs)} and {len(dsts)})")
            dendrite = _dendrite_ports(_kind(dsts[0].process, types)).index(dsts[0].port)
            conns.append(_plastic(p, kind, name, srcs[0], dsts[0], _routes(p.s_in_bap, "in", p), names, dendrite))
            plastic[id(p)] = name
        else:
            srcs = _routes(p.s_in, "in", p)
            _check_senders(p, kind, [r.process for r in srcs])
            for i, (src, cols, _) in enumerate(srcs):
                for j, (dst, rows, port) in enumerate(_routes(p.a_out, "out", p)):
                    dendrite = _dendrite_ports(_kind(dst, types)).index(port)
                    conns.append(_connection(p, kind, f"{name}->{j}" + (f"<-{i}" if i else ""), names[id(src)],
                                             names[id(dst)], node_shapes, (rows, cols), dendrite))
    return LavaGraph(Network(pops, sources, conns), names, shapes, kinds, sinks, pending, plastic)


@dataclass(frozen=True)
class LavaRun:
    """A Lava graph emulated by neurochip: traces by Lava process, counters, and pricing."""

    graph: LavaGraph
    result: Run

    def trace(self, proc: Any, name: str) -> np.ndarray:
        """(T, *proc.shape) trace of the Var `name` of a neuron process, as a Lava Monitor records
        it (`TRACE_NAMES`: "u", "v" or "s_out" of a LIF; "sigma", "act", "residue", "error" or
        "s_out" of the sigma-delta processes; "real", "imag" or "s_out" of RF and RF_IZ ...); of a
        plastic connection, `LEARNING_VARS` ((T, *weights.shape) for weights and tags)."""
        if id(proc) in self.graph.sinks:
            return self._sink(proc, name)
        if id(proc) in self.graph.plastic:
            if name not in LEARNING_VARS:
                raise TraceError(f"trace {name!r}: expected one of {list(LEARNING_VARS)}")
            return self.result.trace(self.graph.plastic[id(proc)], name)
        if id(proc) not in self.graph.shapes:
            raise TraceError(f"process {getattr(proc, 'name', proc)!r} is not a neuron process or sink of this run")
        names = TRACE_NAMES[self.graph.kinds[id(proc)]]
        if name not in names:
            raise TraceError(f"trace {name!r}: expected one of {sorted(names)}")
        if not self.result.traces:
            raise TraceError("this run kept no traces: call nl.run(..., trace=True)")
        return _lava_order(self.result.trace(self.graph.names[id(proc)], names[name]), self.graph.shapes[id(proc)])

    def _sink(self, sink: Any, name: str) -> np.ndarray:
        """A sink RingBuffer's ``data`` as Lava leaves it: (*shape, buffer), column (t - 1) % buffer
        holding step t's s_out (later steps overwrite earlier ones)."""
        if name != "data":
            raise TraceError(f"trace {name!r}: a sink RingBuffer records 'data'")
        at = self.graph.sinks[id(sink)]
        s = _lava_order(self.result.trace(at.node, "s"), at.node_shape).reshape(-1, int(np.prod(at.shape)))
        if at.mapping is not None:
            s = s[:, at.mapping]
        data = np.zeros((s.shape[1], at.buffer), np.int32)
        steps = np.arange(s.shape[0])[-at.buffer:]
        data[:, steps % at.buffer] = s[steps].T
        return data.reshape(*at.shape, at.buffer)

    @property
    def counters(self) -> Counters:
        return self.result.counters

    def energy(self, profile: Profile | str, placement: Placement | None = None, strategy: str = "greedy",
               dt_s: float = 1e-3, strict: bool = False) -> EnergyReport:
        """Energy, power and time of this run on `profile`, as `neurochip.api.Run.energy`."""
        return self.result.energy(profile, placement, strategy, dt_s, strict)


def run(procs: Iterable[Any] | Any, num_steps: int, trace: bool = True) -> LavaRun:
    """Emulate the Lava graph reachable from `procs` for `num_steps` steps.

    With `trace` (the default) every neuron process's variables are recorded for `LavaRun.trace`;
    without it only counters are kept, as a Lava run without monitors.
    """
    graph = from_lava(procs if isinstance(procs, (list, tuple, set)) else [procs])
    record = [p.name for p in graph.network.populations] + list(graph.plastic.values()) if trace else list(
        dict.fromkeys(sink.node for sink in graph.sinks.values()))
    packed = pack(graph.network)
    result = emulate(graph.network, num_steps, record=record, packed=packed,
                     state=graph.initial_state(packed) if graph.pending else None)
    return LavaRun(graph, result)


def _lava_sigma_delta(pop: SigmaDelta) -> Any:
    """The Lava sdn process computing `pop`, or a `LavaError` saying why none does."""
    from lava.proc.sdn.process import ActivationMode, Delta, Sigma, SigmaDelta as LavaSigmaDelta

    shape, name = (pop.n,), pop.name

    def refuse(why: str) -> LavaError:
        return LavaError(f"population {name!r}: {why}; Lava 0.10's Sigma, Delta and SigmaDelta cannot express it")

    if not pop.delta:
        plain = not (pop.relu or pop.in_shift or pop.out_shift or np.any(pop.bias))
        if plain and pop.sigma and pop.gate == "none":
            return Sigma(shape=shape, name=name)
        if plain and not pop.sigma and pop.gate != "none" and not np.ndim(pop.vth):
            from lava.proc.graded.process import GradedReluVec, GradedVec

            return (GradedVec if pop.gate == "abs" else GradedReluVec)(shape=shape, vth=pop.vth, name=name)
        raise refuse("it sends its activation without delta encoding, but neither as a plain sum nor gated")
    if np.ndim(pop.vth):
        raise refuse("its threshold differs per compartment (the processes take one vth)")
    scale = 2.0 ** pop.in_shift
    common = dict(shape=shape, vth=pop.vth / scale, cum_error=pop.cum_error, state_exp=pop.out_shift,
                  spike_exp=pop.in_shift - pop.out_shift, name=name)
    if pop.sigma:
        if pop.in_shift:
            raise refuse(f"it integrates input shifted left by {pop.in_shift}")
        return LavaSigmaDelta(bias=pop.bias / scale, act_mode=ActivationMode.RELU if pop.relu else ActivationMode.UNIT,
                              **common)
    if pop.relu or np.any(pop.bias):
        raise refuse("without a sigma dendrite it has a bias or a rectifier")
    return Delta(**common)


def _lava_two_port(pop: Resonator | Product) -> Any:
    """The Lava process computing a `Resonator` (RF, RF_IZ or RFZero) or `Product` (ProdNeuron)
    population: built with neutral parameters, then given the population's integer decays (one,
    or one per neuron, as an array period gives them), threshold and state as its Vars' initial
    values (the processes form those from floats)."""
    shape, name = (pop.n,), pop.name
    if np.ndim(pop.vth):
        raise LavaError(f"population {name!r}: its threshold differs per compartment; Lava's "
                        f"{'ProdNeuron' if isinstance(pop, Product) else pop.kind} takes one vth")
    if isinstance(pop, Product):
        from lava.proc.prodneuron.process import ProdNeuron

        proc = ProdNeuron(shape=shape, vth=pop.vth, exp=pop.exp)
        proc.v.init = pop.v.astype(np.int32)
        proc.name = name          # ProdNeuron and RFZero take no name argument
        return proc
    if pop.kind == "rf_zero":
        from lava.proc.resfire.process import RFZero

        proc = RFZero(shape=shape, freqs=np.zeros(shape), decay_tau=np.ones(shape), uth=pop.vth)
        proc.name = name
        inits = {"lct": pop.cos_decay, "lst": pop.sin_decay, "u": pop.real, "v": pop.imag}
    else:
        if pop.decay_bits == 0:
            raise LavaError(f"population {name!r}: decay_bits 0 leaves Lava's RF decays as floats, which its "
                            "fixed_pt model cannot shift")
        from lava.proc.rf.process import RF
        from lava.proc.rf_iz.process import RF_IZ

        proc = (RF if pop.kind == "rf" else RF_IZ)(shape=shape, period=4, alpha=0, decay_bits=pop.decay_bits,
                                                   state_exp=pop.state_exp, vth=0, name=name)
        uniform = np.all(pop.cos_decay == pop.cos_decay[0]) and np.all(pop.sin_decay == pop.sin_decay[0])
        inits = {f: np.int32(d[0]) if uniform else d for f, d in (("cos_decay", pop.cos_decay),
                                                                  ("sin_decay", pop.sin_decay))}
        inits.update(vth=np.array([pop.vth], np.int32), real=pop.real, imag=pop.imag)
    for var, value in inits.items():
        getattr(proc, var).init = np.asarray(value).astype(np.int32) if np.ndim(value) else value
    return proc


def _lava_plastic(c: Connection, weights: np.ndarray, common: dict[str, Any]) -> Any:
    """A LearningDense (LearningSparse for sparse weights) with `c`'s rule as a Loihi2FLearningRule."""
    from lava.magma.core.learning.constants import GradedSpikeCfg
    from lava.magma.core.learning.learning_rule import Loihi2FLearningRule
    from lava.proc.dense.process import LearningDense
    from lava.proc.sparse.process import LearningSparse

    rule = c.learning
    strings = {t: getattr(rule, t) or None for t in ("dw", "dd", "dt")}
    traces = {f"{t}_{k}": getattr(rule, f"{t}_{k}") for t in ("x1", "x2", "y1", "y2", "y3") for k in ("impulse", "tau")}
    lava_rule = Loihi2FLearningRule(**strings, **traces, t_epoch=rule.t_epoch, rng_seed=rule.rng_seed)
    kw = dict(learning_rule=lava_rule, graded_spike_cfg=GradedSpikeCfg(GRADED_SPIKE.index(rule.graded_spike)),
              **common)
    tags = {t: np.asarray(getattr(c, t), np.int64) for t in ("tag_1", "tag_2")}
    _check_lava_sparse_learning(c.name, c)
    if sp.issparse(c.weights):
        stored = sp.csr_matrix(weights.astype(np.int32))
        return LearningSparse(weights=stored, **{t: sp.csr_matrix(np.where(weights != 0, v, 0)) for t, v in tags.items()},
                              **kw)
    return LearningDense(weights=weights.astype(np.int32), **tags, **kw)


def to_lava(network: Network, steps: int) -> dict[str, Any]:
    """Lava processes computing what `emulate(network, steps)` computes, by node/connection name.

    LIF populations become ``LIF`` (or ``LIFReset``, or ``TernaryLIF`` with vth_lo), ATRLIF ``ATRLIF``,
    resonators ``RF``, ``RF_IZ`` or ``RFZero`` and products ``ProdNeuron`` (one threshold each); sigma-delta
    populations become ``Sigma``, ``Delta`` or ``SigmaDelta`` (those these processes can express:
    one threshold, shifts as the processes' exponents give them); sources become ``RingBuffer``s holding the
    payloads of steps 1..`steps` (Bernoulli sources are drawn here, as the emulator draws them);
    connections become ``Dense`` (dense weights without delays), ``Sparse`` (sparse weights
    without delays) or ``DelayDense``, with weight_exp, num_weight_bits, sign_mode and
    num_message_bits passed on; plastic ones ``LearningDense`` or ``LearningSparse`` with a
    ``Loihi2FLearningRule`` (the target's s_out wired into s_in_bap when postsynaptic spikes
    reach the rule). Batched networks are refused (Lava runs one sample).
    """
    from lava.proc.dense.process import DelayDense, Dense
    from lava.proc.io.source import RingBuffer
    from lava.proc.lif.process import LIF as LavaLIF, LIFReset, TernaryLIF
    from lava.proc.sparse.process import DelaySparse, Sparse
    from lava.utils.weightutils import SignMode as LavaSignMode

    if network.batch is not None:
        raise LavaError(f"batched sources (batch {network.batch}) have no Lava equivalent: export one sample")
    procs: dict[str, Any] = {}
    for pop in network.populations:
        if isinstance(pop, SigmaDelta):
            procs[pop.name] = _lava_sigma_delta(pop)
            continue
        if isinstance(pop, (Resonator, Product)):
            procs[pop.name] = _lava_two_port(pop)
            continue
        if isinstance(pop, ATRLIF):
            from lava.proc.atrlif.process import ATRLIF as LavaATRLIF

            procs[pop.name] = LavaATRLIF(shape=(pop.n,), name=pop.name, i=pop.i, v=pop.v, r=pop.r,
                                         bias_mant=pop.bias_mant, bias_exp=pop.bias_exp,
                                         **{f: getattr(pop, f) for f in ("delta_i", "delta_v", "delta_theta",
                                                                         "delta_r", "theta_0", "theta_step")})
            continue
        if pop.reset != "zero":
            raise LavaError(f"population {pop.name!r} resets by {pop.reset}: Lava 0.10's LIF resets v to zero")
        kwargs = dict(shape=(pop.n,), u=pop.u, v=pop.v, du=pop.du, dv=pop.dv,
                      bias_mant=pop.bias_mant, bias_exp=pop.bias_exp, name=pop.name)
        if pop.vth_lo is not None and pop.reset_interval:
            raise LavaError(f"population {pop.name!r} is ternary and resets every {pop.reset_interval} steps: Lava 0.10 "
                            "has no TernaryLIF with a reset interval")
        if pop.vth_lo is not None:
            procs[pop.name] = TernaryLIF(vth_hi=pop.vth, vth_lo=pop.vth_lo, **kwargs)
        elif pop.reset_interval:
            procs[pop.name] = LIFReset(reset_interval=pop.reset_interval, reset_offset=pop.reset_offset, vth=pop.vth,
                                       **kwargs)
        else:
            procs[pop.name] = LavaLIF(vth=pop.vth, **kwargs)
    for src in network.sources:
        procs[src.name] = RingBuffer(data=src.emit(steps, 1)[0].T.astype(np.int32))
    for c in network.connections:
        if c.accumulator == "conv24" or c.num_weight_bits > 8:
            raise LavaError(f"connection {c.name!r} sums as Lava's Conv model does (accumulator {c.accumulator!r}, "
                            f"{c.num_weight_bits}-bit weights): export it from a Lava graph built with Conv")
        common = dict(weight_exp=c.weight_exp, num_weight_bits=c.num_weight_bits,
                      sign_mode=LavaSignMode[c.sign_mode.name], num_message_bits=c.num_message_bits, name=c.name)
        weights = c.weights.toarray() if sp.issparse(c.weights) else np.asarray(c.weights)
        if c.learning is not None:
            conn = _lava_plastic(c, weights, common)
            if c.learning.post_spikes:
                procs[c.dst].s_out.connect(conn.s_in_bap)
        elif c.accumulator == "sparse":      # Lava's DelaySparse sums as the emulator's "sparse" accumulator
            delays = c.delays if c.delays is not None else 0
            delays = c.delays.toarray() if sp.issparse(c.delays) else np.broadcast_to(delays, c.shape)
            conn = DelaySparse(weights=sp.csr_matrix(weights.astype(np.int32)),
                               delays=sp.csr_matrix(np.where(weights != 0, delays, 0).astype(int)), **common)
        elif c.delays is not None:
            delays = c.delays.toarray() if sp.issparse(c.delays) else np.broadcast_to(c.delays, c.shape)
            conn = DelayDense(weights=weights.astype(np.int32), delays=np.asarray(delays, np.int64), **common)
        elif sp.issparse(c.weights):
            conn = Sparse(weights=sp.csr_matrix(c.weights).astype(np.int32), **common)
        else:
            conn = Dense(weights=weights.astype(np.int32), **common)
        procs[c.src].s_out.connect(conn.s_in)
        dst = procs[c.dst]
        conn.a_out.connect(getattr(dst, _dendrite_ports(type(dst).__name__)[c.dendrite]))
        procs[c.name] = conn
    return procs
