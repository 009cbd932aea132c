"""Spike sources: given spike arrays and seeded Bernoulli (rate-coded) generators."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._checks import check_count, check_name, int_array
from ..errors import network_error


@dataclass(frozen=True, eq=False)
class SpikeSource:
    """Spikes given as an array, replayed periodically like Lava's ``RingBuffer``.

    Parameters
    ----------
    name : unique node name.
    spikes : int array, shape (T, n) or batched (B, T, n). Zero means no spike; any other
        value is a spike whose graded payload is that value (int32, as Lava's RingBuffer sends
        it; Loihi 2's graded spikes carry up to 32 bits). At step t
        (1-based) the source emits ``spikes[..., (t - 1) % T, :]``.
    """

    name: str
    spikes: NDArray[np.int32]

    def __post_init__(self) -> None:
        check_name("SpikeSource", self.name)
        arr = np.asarray(self.spikes)
        if arr.ndim not in (2, 3) or 0 in arr.shape:
            raise network_error(self.name, "spikes", "a non-empty (T, n) or (B, T, n) array", f"shape {arr.shape}")
        out = int_array(self.name, "spikes", arr, -(2**31), 2**31 - 1).astype(np.int32)
        out.setflags(write=False)
        object.__setattr__(self, "spikes", out)

    @property
    def n(self) -> int:
        return int(self.spikes.shape[-1])

    @property
    def batch(self) -> int | None:
        return int(self.spikes.shape[0]) if self.spikes.ndim == 3 else None

    def emit(self, steps: int, batch: int) -> NDArray[np.int32]:
        """Payloads for steps 1..`steps`, shape (batch, steps, n)."""
        arr = self.spikes if self.spikes.ndim == 3 else self.spikes[None]
        idx = np.arange(steps) % arr.shape[1]
        return np.ascontiguousarray(np.broadcast_to(arr[:, idx, :], (batch, steps, self.n)))


@dataclass(frozen=True, eq=False)
class BernoulliSource:
    """Independent binary spikes with probability `p` per step (rate coding, seeded).

    Parameters
    ----------
    name : unique node name.
    n : number of channels.
    p : spike probability per step, scalar or (n,), in [0, 1]. For a rate r in Hz and a step
        of dt seconds use ``p = r * dt``.
    seed : seed of numpy's PCG64 generator; sample b of a batch uses stream (seed, b).
    """

    name: str
    n: int
    p: NDArray[np.float64] | float
    seed: int = 0

    def __post_init__(self) -> None:
        check_name("BernoulliSource", self.name)
        n = check_count(self.name, "n", self.n)
        object.__setattr__(self, "n", n)
        p = np.broadcast_to(np.asarray(self.p, dtype=np.float64), (n,)) if np.ndim(self.p) == 0 else np.asarray(self.p, dtype=np.float64)
        if p.shape != (n,):
            raise network_error(self.name, "p", f"a scalar or shape ({n},)", f"shape {p.shape}")
        if not np.all((p >= 0) & (p <= 1)):
            raise network_error(self.name, "p", "probabilities in [0, 1]", f"values in [{p.min()}, {p.max()}]")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "seed", check_count(self.name, "seed", self.seed, lo=0, hi=2**63 - 1))

    @property
    def batch(self) -> None:
        return None

    def emit(self, steps: int, batch: int) -> NDArray[np.int32]:
        """Spikes for steps 1..`steps`, shape (batch, steps, n), 0/1."""
        out = np.empty((batch, steps, self.n), dtype=np.int32)
        for b in range(batch):
            rng = np.random.Generator(np.random.PCG64([self.seed, b]))
            out[b] = rng.random((steps, self.n)) < self.p
        return out
