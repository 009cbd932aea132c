"""Read lava-dl's netx HDF5 networks (``.net``) as neurochip networks, computing what lava-dl 0.6's
``netx.hdf5.Network`` computes in Lava 0.10's fixed-point models.

A file holds ``layer/0..L-1``, each with a ``type``: ``input``, ``conv``, ``flatten``, ``dense``
(a complex one when it holds ``weight/real`` and ``weight/imag``: into resonate-and-fire neurons'
two dendrites, as slayer exports it) and ``dense_rec`` (a recurrent synapse from the layer to
itself, both matrices scaled together) are read; the others (``pool``, ``average``, ``concat``,
``convT``, ``unpool``, and ``dense_comp``, which netx 0.6 hands to a method it does not define)
are refused naming the layer. Weights are truncated to integers first, as netx reads them.
Neurons as netx makes them: ``CUBA``/``LOIHI`` -> LIF (du = iDecay - 1, dv = vDecay, vth =
vThMant, bias mantissa x 2**6); ``SDNN`` -> Delta on the input layer, Sigma where ``sigma_output``
is set, SigmaDelta (ReLU) elsewhere, with spike_exp (6 by default) and state_exp 6; ``RF_PHASE`` -> RF and other ``RF`` types -> RF_IZ (`Resonator`; period and decay from
sinDecay and cosDecay as lava-dl derives them, state_exp 6, decay_bits 12). Convolutions are
Lava's Conv (weights as stored, each step's sum wrapped to 24 bits; `Connection.accumulator`
"conv24"); dense layers are Lava's Dense (or DelayDense with delays) with the weight bits and
exponent netx's ``optimize_weight_bits`` chooses.

Layers are laid out as the file gives them, (C, H, W) channel first, so ``flatten`` keeps the order
netx gives a Dense after it (it transposes Lava's (W, H, C) back). The input layer's neurons take
their input straight into the dendrites, in the step it is sent, as lava-dl's own tests wire a
RingBuffer into ``net.in_layer.neuron.a_in``.

Example::

    from neurochip.interop import netx
    model = netx.load("network.net")
    run = model.emulate(frames, steps=9, record=[model.output])    # frames (T, C, H, W)
    run.trace(model.output, "s")
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..api import Run, emulate
from ..errors import NetxError
from ..ir import LIF, Connection, ConvKernel, Network, Resonator, SigmaDelta, SignMode, SpikeSource, whole_weights
from ..pack import pack
from .direct import pending_state, straight_in

#: State exponent netx gives sigma-delta neurons.
STATE_EXP = 6
#: Bias exponent netx gives CUBA neurons (bias_mant = bias, bias_exp = 6).
CUBA_BIAS_EXP = 6
#: netx's CUBA neuron for a dense layer without one: no current decay, full voltage decay,
#: threshold 1 << 17 (what ``1 << 18 - 1`` evaluates to in Python).
DEFAULT_CUBA = {"type": "CUBA", "iDecay": 0, "vDecay": 4096, "vThMant": 1 << 17}
#: Fraction bits netx gives resonate-and-fire decays.
RF_DECAY_BITS = 12
#: netx clamps delays to this (the DelayDense it builds takes max_delay=62).
NETX_MAX_DELAY = 62


@dataclass(frozen=True)
class Layer:
    """One emulated layer: its population name, the file's type, neuron and shape (C, H, W)."""

    name: str
    kind: str
    neuron: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class NetxModel:
    """A netx network ready to emulate: its populations and connections, the input layer's
    population (fed straight into its dendrites) or the connection-fed input's shape, and the
    output population (the last layer)."""

    path: Path
    populations: tuple[LIF | SigmaDelta | Resonator, ...]
    connections: tuple[Connection, ...]
    layers: tuple[Layer, ...]
    input_shape: tuple[int, ...]
    input_layer: str | None

    @property
    def output(self) -> str:
        return self.layers[-1].name

    def _wired(self, inputs: np.ndarray) -> tuple[Network, dict[str, np.ndarray]]:
        x = np.asarray(inputs)
        lead = x.ndim - len(self.input_shape)
        if lead not in (1, 2) or tuple(x.shape[lead:]) != self.input_shape:
            raise NetxError(f"{self.path}: inputs: expected (T, *{self.input_shape}) or (B, T, *{self.input_shape}) "
                            f"in (C, H, W) order, found shape {x.shape}")
        flat = x.reshape(*x.shape[:lead], -1)
        if np.any(flat != np.round(flat)) or np.abs(flat).max(initial=0) >= 2**31:
            raise NetxError(f"{self.path}: inputs: expected int32 payloads, found other values")
        flat = flat.astype(np.int64)
        if self.input_layer is not None:
            source, conn, first = straight_in("input", self.input_layer, flat)
            return Network(self.populations, [source], (conn, *self.connections)), {self.input_layer: first}
        return Network(self.populations, [SpikeSource("input", flat)], self.connections), {}

    def network(self, inputs: np.ndarray) -> Network:
        """The network fed `inputs` ((T, C, H, W) or batched (B, T, C, H, W), replayed periodically
        as a Lava RingBuffer replays them), for mapping and pricing."""
        return self._wired(inputs)[0]

    def emulate(self, inputs: np.ndarray, steps: int, record: Iterable[str] = (), batch: int | None = None) -> Run:
        """Run the network on `inputs` for `steps` steps, the input layer receiving step t's input
        in step t as in lava-dl's netx."""
        net, pending = self._wired(inputs)
        b = net.batch or batch or 1
        packed = pack(net)
        state = pending_state(net, {k: np.broadcast_to(v, (b, v.shape[-1])) for k, v in pending.items()}, b,
                              packed) if pending else None
        return emulate(net, steps, record=record, batch=b, state=state, packed=packed)


def _read(path: Path) -> dict[str, Any]:
    import h5py

    def walk(group: Any) -> dict[str, Any]:
        return {k: walk(v) if isinstance(v, h5py.Group) else _value(v[()]) for k, v in group.items()}

    try:
        with h5py.File(path, "r") as f:
            return walk(f)
    except OSError as e:
        raise NetxError(f"{path}: not a readable netx HDF5 file ({e})") from None


def _value(v: Any) -> Any:
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.dtype.kind in "SO" and v.size == 1:    # netx's b'conv' in a (1,) array
        return _value(v.ravel()[0])
    return v


def _field(path: Path, where: str, cfg: dict, key: str) -> Any:
    if key not in cfg:
        raise NetxError(f"{path}: {where}: field {key!r}: expected it, found nothing")
    return cfg[key]


def _integers(path: Path, where: str, key: str, values: Any, lo: int, hi: int) -> np.ndarray:
    """`values` as int64, as Lava's models cast them (floats truncated toward zero), within [lo, hi]."""
    arr = np.trunc(np.asarray(values, dtype=np.float64)).astype(np.int64)
    if arr.size and (arr.min() < lo or arr.max() > hi):
        raise NetxError(f"{path}: {where}: field {key!r}: expected values in [{lo}, {hi}], found "
                        f"[{arr.min()}, {arr.max()}]")
    return arr


def _weights(path: Path, where: str, key: str, values: Any, n_out: int, n_in: int) -> np.ndarray:
    """A dense layer's `key` weights as an (n_out, n_in) matrix of the integers netx reads (it
    truncates them, ``astype(int)``)."""
    if isinstance(values, dict):
        raise NetxError(f"{path}: {where}: field {key!r}: expected an array, found a group of {sorted(values)}")
    w = np.trunc(np.asarray(values, dtype=np.float64))
    w = w.reshape(n_out, -1) if w.size and w.size % n_out == 0 else w
    if w.shape != (n_out, n_in):
        raise NetxError(f"{path}: {where}: field {key!r}: expected ({n_out}, {n_in}) weights, found shape "
                        f"{np.shape(values)}")
    return w


def _optimized(path: Path, where: str, w: np.ndarray, key: str = "weight") -> tuple[np.ndarray, int, int]:
    """`optimize_weight_bits` of a dense layer's weights, refused where netx's choice is not one a
    Lava Dense can take."""
    if not np.any(w):
        raise NetxError(f"{path}: {where}: field {key!r}: every weight is zero (netx's optimize_weight_bits "
                        "cannot scale them)")
    stored, weight_bits, exp = optimize_weight_bits(w)
    if stored is None:
        raise NetxError(f"{path}: {where}: field {key!r}: weights in [{w.min():g}, {w.max():g}] need a right "
                        "shift to fit 8 bits, which netx's optimize_weight_bits does not apply")
    if not 1 <= weight_bits <= 8:
        raise NetxError(f"{path}: {where}: field {key!r}: netx's optimize_weight_bits gives {weight_bits} "
                        "weight bits for these weights; neurochip takes 1..8")
    return stored, weight_bits, exp


def _clipped(stored: np.ndarray) -> np.ndarray:
    """Weights clipped as Lava's Dense clips them, to the 8-bit range of the sign mode it infers."""
    lo, hi = SignMode.of(stored).weight_range()
    return np.clip(stored, lo, hi)


def optimize_weight_bits(weight: np.ndarray) -> tuple[np.ndarray, int, int]:
    """netx's choice of stored weights, weight bits and exponent for a dense layer: scale the
    weights up by 2**s to fill the signed 8-bit range (s = floor(log2 of the headroom), plus one
    for mixed signs), and count as spare the low bits every weight leaves zero.
    Returns (weights << s as int64, num_weight_bits, weight_exp = -s)."""
    w = np.asarray(weight, dtype=np.float64)
    hi, lo = w.max(), w.min()
    if (hi > 254 and lo < 0) or (lo < -256 and hi > 0):
        w = np.clip(w, -256, 254)
        hi, lo = w.max(), w.min()
    signed = int(hi >= 0 and lo < 0)
    if hi < 0:
        scale = -256 / lo
    elif lo >= 0:
        scale = 255 / hi
    else:
        scale = min(127 / hi, -128 / lo)
    shift = int(np.floor(np.log2(scale))) + signed
    spare = next((n for n in range(8, 0, -1) if np.all(w / 2**n == np.round(w / 2**n))), 0) - signed
    return (w.astype(np.int32).astype(np.int64) << shift if shift >= 0 else None), 8 - shift - spare, -shift


def _neuron(path: Path, where: str, cfg: dict, name: str, shape: tuple[int, ...], bias: Any, first: bool,
            spike_exp: int) -> tuple[LIF | SigmaDelta | Resonator, int, str]:
    """(the population netx builds, its output message bits, its neuron type)."""
    kind = str(_field(path, where, cfg, "type"))
    n = int(np.prod(shape))
    bits = cfg.get("messageBits")
    if bias is not None:
        b = np.asarray(bias, dtype=np.float64)
        per_channel = b.ndim == 1 and len(shape) == 3 and b.size == shape[0]
        b = np.repeat(b, n // shape[0]) if per_channel else np.broadcast_to(b, (n,))
        bias = np.trunc(b).astype(np.int64)
    if kind in ("CUBA", "LOIHI"):
        kw = dict(du=int(_field(path, where, cfg, "iDecay")) - 1, dv=int(_field(path, where, cfg, "vDecay")),
                  vth=int(_field(path, where, cfg, "vThMant")))
        if bias is not None:
            kw.update(bias_mant=bias, bias_exp=CUBA_BIAS_EXP)
        return LIF(name, n, **kw), int(bits or 0), kind
    if kind == "SDNN":
        scale = 1 << (spike_exp + STATE_EXP)
        bits = int(16 if bits is None else bits)
        if first:
            return SigmaDelta(name, n, vth=int(_field(path, where, cfg, "vThMant")) * scale, sigma=False, relu=False,
                              in_shift=spike_exp + STATE_EXP, out_shift=STATE_EXP), bits, kind
        if "sigma_output" in cfg:
            if bias is not None:
                raise NetxError(f"{path}: {where}: a Sigma output neuron with a bias (netx's Sigma takes none)")
            return SigmaDelta(name, n, sigma=True, delta=False, relu=False), bits, kind
        return SigmaDelta(name, n, vth=int(_field(path, where, cfg, "vThMant")) * scale,
                          bias=0 if bias is None else bias * scale,
                          relu=True, out_shift=STATE_EXP), bits, kind
    if "RF" in kind:
        if first:
            raise NetxError(f"{path}: {where}: an input layer of {kind} neurons (netx's Input block feeds a_in, "
                            "which resonate-and-fire neurons lack)")
        return _resonator(path, where, cfg, name, n, kind), 0, kind    # netx's RF blocks send binary spikes
    raise NetxError(f"{path}: {where}: neuron type {kind!r}: expected CUBA, LOIHI, SDNN or RF (RF_PHASE, RF_IZ ...)")


def _resonator(path: Path, where: str, cfg: dict, name: str, n: int, kind: str) -> Resonator:
    """netx's resonate-and-fire neuron: RF for an "RF_PHASE" type, else RF_IZ, its period and decay
    derived from the file's sinDecay and cosDecay (fractions of 2**12) as lava-dl derives them,
    then turned back into integer decays as Lava's RF process forms them (state_exp 6, decay_bits 12)."""
    sin, cos = (float(_field(path, where, cfg, key)) / 4096 for key in ("sinDecay", "cosDecay"))
    alpha = 1 - np.sqrt(sin**2 + cos**2)
    period = 1 / (np.arctan2(sin, cos) / 2 / np.pi)
    decays = {f"{f.__name__}_decay": int(np.int32((1 - alpha) * f(np.pi * 2 * 1 / period) * (1 << RF_DECAY_BITS)))
              for f in (np.sin, np.cos)}
    vth = int(float(_field(path, where, cfg, "vThMant")) * (1 << STATE_EXP))
    return Resonator(name, n, **decays, vth=vth, decay_bits=RF_DECAY_BITS, state_exp=STATE_EXP,
                     kind="rf" if "PHASE" in kind else "rf_iz")


def _delays(path: Path, where: str, delay: Any, shape: tuple[int, int]) -> np.ndarray:
    d = np.clip(_integers(path, where, "delay", delay, 0, 2**31 - 1), 0, NETX_MAX_DELAY)
    if d.ndim == 0:
        return np.full(shape, int(d))
    if d.ndim == 1 and d.size in shape:
        return np.repeat(d.reshape(-1, 1), shape[1], 1) if d.size == shape[0] else np.repeat(d.reshape(1, -1),
                                                                                              shape[0], 0)
    raise NetxError(f"{path}: {where}: field 'delay': expected a scalar or one delay per input or output, found "
                    f"shape {d.shape} for weights {shape}")


def load(path: str | Path, spike_exp: int = 6, input_message_bits: int = 0, num_layers: int | None = None) -> NetxModel:
    """Read a netx ``.net`` file (`spike_exp`, `input_message_bits`, `num_layers`: as
    ``netx.hdf5.Network``'s; `num_layers` reads only the file's first layers)."""
    path = Path(path)
    cfg = _read(path)
    layers_cfg = _field(path, "file", cfg, "layer")
    pops, conns, layers = [], [], []
    shape: tuple[int, ...] | None = None
    input_shape, input_layer, bits = None, None, input_message_bits
    for i in range(len(layers_cfg) if num_layers is None else min(num_layers, len(layers_cfg))):
        where = f"layer {i}"
        lc = layers_cfg.get(str(i))
        if lc is None:
            raise NetxError(f"{path}: {where}: expected it (layers are numbered 0..{len(layers_cfg) - 1}), found nothing")
        kind = str(_field(path, where, lc, "type"))
        name = f"layer{i}"
        if kind == "flatten":
            continue
        if kind == "input":
            shape = tuple(int(x) for x in _field(path, where, lc, "shape"))
            input_shape = shape
            if "neuron" in lc:
                pop, bits, neuron = _neuron(path, where, lc["neuron"], name, shape, None, True, spike_exp)
                pops.append(pop)
                layers.append(Layer(name, kind, neuron, shape))
                input_layer = name
            continue
        if shape is None:
            raise NetxError(f"{path}: {where}: a {kind} layer before any input layer (the input shape is unknown)")
        src = pops[-1].name if pops else "input"
        out_shape = tuple(int(x) for x in _field(path, where, lc, "shape"))
        complex_ = False
        if kind == "conv":
            w = _integers(path, where, "weight", _field(path, where, lc, "weight"), -256, 255)
            w = w.reshape(w.shape[:4])
            geometry = {key: tuple(int(x) for x in np.broadcast_to(_field(path, where, lc, key), (2,)))
                        for key in ("stride", "padding", "dilation")}
            kernel = ConvKernel(w, shape, **geometry, groups=int(_field(path, where, lc, "groups")))
            if kernel.out_shape != out_shape:
                raise NetxError(f"{path}: {where}: field 'shape': expected the convolution's output {kernel.out_shape}, "
                                f"found {out_shape}")
            mode, weight_bits = whole_weights(w)
            conn = [Connection.conv(f"{src}->{name}", src, name, kernel, sign_mode=mode, num_message_bits=bits,
                                    num_weight_bits=weight_bits, accumulator="conv24")]
        elif kind in ("dense", "dense_rec"):
            n_in, n_out = int(np.prod(shape)), int(np.prod(out_shape))
            weights = _field(path, where, lc, "weight")
            complex_ = isinstance(weights, dict)
            if complex_ and kind == "dense":        # slayer's complex dense layer: weight/real and weight/imag
                parts = [_optimized(path, where, _weights(path, where, f"weight/{part}",
                                                          _field(path, where + " weight", weights, part), n_out, n_in),
                                    f"weight/{part}") for part in ("real", "imag")]
                conn = [Connection(f"{src}->{name}:{d}", src, name, _clipped(stored), weight_exp=exp,
                                   num_weight_bits=weight_bits, num_message_bits=bits, dendrite=d)
                        for d, (stored, weight_bits, exp) in enumerate(parts)]
            else:
                w = _weights(path, where, "weight", weights, n_out, n_in)
                if kind == "dense_rec":     # netx scales both matrices together
                    if "delay" in lc:
                        raise NetxError(f"{path}: {where}: a recurrent dense layer with delays (netx's RecurrentDense "
                                        "then drops the weight exponent, a path lava-dl marks untested)")
                    w = np.hstack([w, _weights(path, where, "weight_rec", _field(path, where, lc, "weight_rec"),
                                               n_out, n_out)])
                stored, weight_bits, exp = _optimized(path, where, w)
                delays = _delays(path, where, lc["delay"], (n_out, n_in)) if "delay" in lc else None
                conn = [Connection(f"{src}->{name}", src, name, _clipped(stored[:, :n_in]), weight_exp=exp,
                                   num_weight_bits=weight_bits, num_message_bits=bits, delays=delays)]
                if kind == "dense_rec":     # its recurrent synapse takes the layer's input message bits, as netx's
                    conn.append(Connection(f"{name}->{name}", name, name, _clipped(stored[:, n_in:]), weight_exp=exp,
                                           num_weight_bits=weight_bits, num_message_bits=bits))
        else:
            raise NetxError(f"{path}: {where}: type {kind!r}: expected input, conv, flatten, dense or dense_rec (netx "
                            "itself implements no pool, average, concat, convT or unpool, and hands dense_comp to a "
                            "method it does not define; complex layers are dense layers with weight/real and "
                            "weight/imag)")
        neuron_cfg = lc.get("neuron", DEFAULT_CUBA)
        pop, bits, neuron = _neuron(path, where, neuron_cfg, name, out_shape, lc.get("bias"), False, spike_exp)
        if complex_ != isinstance(pop, Resonator):
            raise NetxError(f"{path}: {where}: a {'complex ' * complex_}{kind} layer of {neuron} neurons (netx feeds "
                            "resonate-and-fire neurons through complex dense layers only, and those layers feed "
                            "nothing else)")
        pops.append(pop)
        conns += conn
        layers.append(Layer(name, kind, neuron, out_shape))
        shape = out_shape
    if not layers:
        raise NetxError(f"{path}: layer: expected at least one layer with neurons, found none")
    return NetxModel(path, tuple(pops), tuple(conns), tuple(layers), input_shape, input_layer)
