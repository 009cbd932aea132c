"""Convert a trained ReLU MLP into a Loihi fixed-point spiking network, and score it.

Method (Rueckauer et al. 2017, data-based normalization):
- lambda_l = the 99.9th percentile of layer l's ReLU activations over training data (lambda_0 = 1
  for inputs in [0, 1]); normalized weights W'_l = W_l lambda_{l-1} / lambda_l, biases
  b'_l = b_l / lambda_l, so a compartment's firing rate approximates its activation / lambda_l.
- Compartments integrate and fire: du = 4095 (synaptic current lasts one step), dv = 0 (no leak),
  reset to zero (Loihi's reset; the residual above threshold is lost).
- Quantization (`neurochip.quantize`): per layer, the threshold vth is chosen so the largest |W'|
  maps to 254, the largest even mantissa of an 8-bit mixed-sign synapse; w = 2 round(W' vth / 2).
  A spike then adds w << 6 to v against a threshold of vth << 6, i.e. W' in threshold units.
  Biases add b' vth 64 per step, as bias_mant << bias_exp (13-bit mantissa).
- Input: deterministic rate coding, s_t = floor(x (t + 1)) - floor(x t): the same number of
  events as Bernoulli coding with no sampling noise, and any prefix of T steps is the T-step code.
- Readout: the output compartment with most spikes; ties go to the higher final membrane v.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .baseline.mlp import MLP
from .emulator import emulate
from .ir import LIF, Connection, Network, SignMode, SpikeSource
from .kernels.fixed_point import DECAY_MAX, UV_MAX
from .quantize import bias_in_v_units, bias_mantissa, relative_error, threshold_for, weight_mantissas
from .result import Result

PERCENTILE = 99.9


@dataclass(frozen=True)
class Conversion:
    """A converted network's layers (populations l1..lL), its quantization report, and the
    per-layer normalization factors."""

    sizes: tuple[int, ...]
    lambdas: tuple[float, ...]
    layers: tuple[dict, ...]          # per layer: vth, weights (int), bias_mant, bias_exp, errors


def encode(x: NDArray, steps: int) -> NDArray[np.int32]:
    """Deterministic rate code: (B, steps, n) spikes with floor(x t) spikes by step t."""
    t = np.arange(steps + 1)[None, :, None]
    counts = np.floor(np.clip(x, 0, 1)[:, None, :] * t)
    return np.diff(counts, axis=1).astype(np.int32)


def quantize_layer(w: NDArray, b: NDArray, weight_bits: int = 8) -> dict:
    """Integer weights (out, in), threshold and bias for normalized float weights w (in, out),
    keeping `weight_bits` of each mixed-sign mantissa (one of them the sign)."""
    vth = threshold_for(float(np.abs(w).max()))
    w_int, _ = weight_mantissas(w.T * vth, weight_bits, SignMode.MIXED)
    bias = bias_in_v_units(b, vth)
    bias_mant, bias_exp = bias_mantissa(bias)
    return {"vth": vth, "weights": w_int, "bias_mant": bias_mant, "bias_exp": bias_exp, "weight_bits": weight_bits,
            "weight_rel_error": relative_error(w_int, w.T * vth),
            "bias_rel_error": relative_error(bias_mant * 2.0**bias_exp, bias)}


def convert(model: MLP, x_train: NDArray, percentile: float = PERCENTILE, weight_bits: int = 8) -> Conversion:
    """Normalize `model` on `x_train` activations and quantize it for Loihi (see module doc) with
    `weight_bits` (1..8) per synapse."""
    acts = model.activations(x_train)
    lambdas = [1.0] + [float(np.percentile(a[a > 0], percentile)) if np.any(a > 0) else 1.0 for a in acts[1:]]
    layers = []
    for i, (w, b) in enumerate(zip(model.weights, model.biases)):
        w_norm = w * lambdas[i] / lambdas[i + 1]
        layers.append(quantize_layer(w_norm, b / lambdas[i + 1], weight_bits))
    return Conversion(model.sizes, tuple(lambdas), tuple(layers))


def network_for(conv: Conversion, x: NDArray, steps: int) -> Network:
    """The SNN for samples `x` (B, n_in) in [0, 1], rate coded over `steps` (batched source)."""
    pops, conns = [], []
    names = ["input"] + [f"l{i + 1}" for i in range(len(conv.layers))]
    for i, layer in enumerate(conv.layers):
        pops.append(LIF(names[i + 1], conv.sizes[i + 1], du=DECAY_MAX, dv=0, vth=layer["vth"],
                        bias_mant=layer["bias_mant"], bias_exp=layer["bias_exp"]))
        conns.append(Connection(f"{names[i]}->{names[i + 1]}", names[i], names[i + 1], layer["weights"],
                                sign_mode="mixed", num_weight_bits=layer["weight_bits"]))
    return Network(pops, [SpikeSource("input", encode(x, steps))], conns)


@dataclass(frozen=True)
class SNNScore:
    """Accuracy and synaptic events per inference at every step count 1..steps, from one run."""

    accuracy: NDArray[np.float64]          # (steps,) accuracy using the first t steps
    synaptic_ops: NDArray[np.float64]      # (steps,) cumulative synaptic ops per inference
    result: Result


def score(conv: Conversion, x: NDArray, y: NDArray, steps: int) -> SNNScore:
    """Emulate the test set batched once for `steps` and score every prefix length."""
    net = network_for(conv, x, steps)
    out = net.populations[-1].name
    result = emulate(net, steps, record=[out], batch=len(x))
    s = result.traces[out]["s"].astype(np.int64)
    v = result.traces[out]["v"].astype(np.float64)
    counts = np.cumsum(s, axis=1)
    scores = counts + 0.5 * np.clip(v / UV_MAX, -1, 1)    # spikes first, final v breaks ties
    accuracy = (scores.argmax(axis=2) == y[:, None]).mean(axis=0)
    ops = sum(result.counters.of_connection(c.name)["synaptic_ops"] for c in net.connections)
    return SNNScore(accuracy, np.cumsum(ops.sum(axis=0)) / len(x), result)
