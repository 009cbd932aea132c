"""The dense reference network: a ReLU multilayer perceptron trained with backpropagation.

Forward: h_0 = x, h_l = relu(h_{l-1} W_l + b_l), logits = h_{L-1} W_L + b_L.
Loss: mean softmax cross-entropy. Backward: the chain rule, layer by layer. Update: Adam.
Everything is float64 numpy with one seeded generator, so training is deterministic.
"""
from __future__ import annotations

from collections.abc import Callable

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..atomic import write_atomic
from ..errors import ModelFileError
from .data import Dataset

FORMAT = "neurochip-mlp"
VERSION = 1


@dataclass(frozen=True)
class MLP:
    """Weights W_l (fan_in, fan_out) and biases b_l (fan_out,) of each layer."""

    weights: tuple[NDArray[np.float64], ...]
    biases: tuple[NDArray[np.float64], ...]

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))

    def activations(self, x: NDArray) -> list[NDArray]:
        """[x, h_1, ..., logits]."""
        out = [np.asarray(x, np.float64)]
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = out[-1] @ w + b
            out.append(z if i == len(self.weights) - 1 else np.maximum(z, 0.0))
        return out

    def predict(self, x: NDArray) -> NDArray[np.int64]:
        return self.activations(x)[-1].argmax(axis=1)

    def accuracy(self, x: NDArray, y: NDArray) -> float:
        return float((self.predict(x) == y).mean())

    def save(self, path: str | Path) -> Path:
        """An `.npz` with the layer arrays and a header (format, version, sizes); written atomically."""
        import io

        arrays = {f"w{i}": w for i, w in enumerate(self.weights)} | {f"b{i}": b for i, b in enumerate(self.biases)}
        header = json.dumps({"format": FORMAT, "version": VERSION, "sizes": list(self.sizes)})
        buffer = io.BytesIO()
        np.savez(buffer, header=np.array(header), **arrays)
        return write_atomic(path, buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path, sizes: tuple[int, ...] | None = None) -> "MLP":
        """Load a saved MLP, checking its header (and `sizes`, when given)."""
        path = Path(path)
        try:
            with np.load(path) as d:
                header = json.loads(str(d["header"]))
                n = len(header["sizes"]) - 1
                weights = tuple(d[f"w{i}"] for i in range(n))
                biases = tuple(d[f"b{i}"] for i in range(n))
        except (OSError, KeyError, ValueError) as exc:
            raise ModelFileError(f"{path}: not a neurochip MLP file ({exc})") from None
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise ModelFileError(f"{path}: expected format {FORMAT!r} version {VERSION}, "
                             f"found {header.get('format')!r} version {header.get('version')}")
        model = cls(weights, biases)
        if model.sizes != tuple(header["sizes"]) or (sizes is not None and model.sizes != tuple(sizes)):
            raise ModelFileError(f"{path}: expected layer sizes {tuple(sizes or header['sizes'])}, found {model.sizes}")
        return model


def init_mlp(sizes: tuple[int, ...], rng: np.random.Generator) -> MLP:
    """He-initialised weights, zero biases."""
    weights = tuple(rng.normal(0.0, np.sqrt(2.0 / a), (a, b)) for a, b in zip(sizes[:-1], sizes[1:]))
    return MLP(weights, tuple(np.zeros(b) for b in sizes[1:]))


def loss_and_gradients(model: MLP, x: NDArray, y: NDArray) -> tuple[float, list[NDArray], list[NDArray]]:
    """Mean softmax cross-entropy and its gradients with respect to every W and b."""
    acts = model.activations(x)
    logits = acts[-1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = float(-np.log(p[np.arange(n), y] + 1e-12).mean())
    delta = p
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grad_w, grad_b = [], []
    for layer in range(len(model.weights) - 1, -1, -1):
        grad_w.append(acts[layer].T @ delta)
        grad_b.append(delta.sum(axis=0))
        if layer:
            delta = (delta @ model.weights[layer].T) * (acts[layer] > 0)
    return loss, grad_w[::-1], grad_b[::-1]


def train(data: Dataset, hidden: tuple[int, ...] = (128,), epochs: int = 60, batch: int = 32, lr: float = 1e-3,
          seed: int = 0, on_epoch: Callable[[int, MLP], None] | None = None) -> tuple[MLP, list[float]]:
    """Minibatch Adam (beta1 0.9, beta2 0.999). Returns the model and the loss per epoch;
    `on_epoch(epoch, model)` (epoch from 0) sees the model after each epoch."""
    rng = np.random.default_rng(seed)
    model = init_mlp((data.n_features, *hidden, data.n_classes), rng)
    n = len(model.weights)
    params = [*model.weights, *model.biases]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step, history = 0, []
    for _ in range(epochs):
        order = rng.permutation(len(data.x_train))
        losses = []
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            loss, gw, gb = loss_and_gradients(MLP(tuple(params[:n]), tuple(params[n:])),
                                              data.x_train[idx], data.y_train[idx])
            step += 1
            for i, g in enumerate([*gw, *gb]):
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                params[i] = params[i] - lr * (m[i] / (1 - 0.9**step)) / (np.sqrt(v[i] / (1 - 0.999**step)) + 1e-8)
            losses.append(loss)
        history.append(float(np.mean(losses)))
        if on_epoch is not None:
            on_epoch(len(history) - 1, MLP(tuple(params[:n]), tuple(params[n:])))
    return MLP(tuple(params[:n]), tuple(params[n:])), history
