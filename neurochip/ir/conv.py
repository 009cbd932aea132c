"""Convolutional connections: one kernel shared by every position, as Loihi stores it.

Neurons are laid out channel first, in C order: neuron (c, y, x) of a (C, H, W) population is
index c H W + y W + x (1-D: (C, L), index c L + x). Output position o of a kernel offset k reads
input position o * stride - padding + k * dilation; positions outside the input read nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ._checks import check_integral, int_values
from ..errors import network_error


def conv_matrix(weights: NDArray, in_shape: tuple[int, ...], stride, padding, dilation, groups: int,
                what: str = "conv") -> tuple[sp.csr_array, tuple[int, ...]]:
    """(the (n_out, n_in) matrix of a 1-D or 2-D convolution, its output shape (C_out, ...)).
    Every kernel entry that lands inside the input is a stored entry, zeros included (a
    convolution's synapses are its kernel's, whatever their value). Raises `NetworkError`
    naming `what` for inconsistent shapes."""
    w = np.asarray(weights)
    nd = w.ndim - 2
    if nd not in (1, 2) or len(in_shape) != nd + 1:
        raise network_error(what, "weights", f"{len(in_shape) + 1}-D weights (C_out, C_in / groups, *kernel) for an "
                            f"input of shape {tuple(in_shape)}", f"shape {w.shape}")
    stride, padding, dilation = (np.broadcast_to(np.asarray(v, dtype=int), (nd,)) for v in (stride, padding, dilation))
    c_out, c_in_g = w.shape[:2]
    spatial = np.array(in_shape[1:])
    out_sp = (spatial + 2 * padding - dilation * (np.array(w.shape[2:]) - 1) - 1) // stride + 1
    if groups < 1 or c_out % groups or in_shape[0] != c_in_g * groups or out_sp.min() < 1:
        raise network_error(what, "in_shape", f"{c_in_g * groups} input channels in {groups} groups dividing "
                            f"{c_out} output channels, and a positive output size", f"{tuple(in_shape)} -> "
                            f"{tuple(int(x) for x in out_sp)}")
    out_shape = (c_out, *(int(x) for x in out_sp))
    where = np.indices(out_shape[1:]).reshape(nd, -1)
    rows, cols, vals = [], [], []
    for k in np.ndindex(*w.shape[2:]):
        pos = where * stride[:, None] - padding[:, None] + np.array(k)[:, None] * dilation[:, None]
        ok = np.all((pos >= 0) & (pos < spatial[:, None]), axis=0)
        out_pos, in_pos = where[:, ok], pos[:, ok]
        for co in range(c_out):
            base = co // (c_out // groups) * c_in_g
            for ci in range(c_in_g):
                rows.append(np.ravel_multi_index((np.full(ok.sum(), co), *out_pos), out_shape))
                cols.append(np.ravel_multi_index((np.full(ok.sum(), base + ci), *in_pos), tuple(in_shape)))
                vals.append(np.full(ok.sum(), w[(co, ci, *k)]))
    n_in = int(np.prod(in_shape))
    m = sp.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                     shape=(int(np.prod(out_shape)), n_in))
    return m, out_shape


@dataclass(frozen=True, eq=False)
class ConvKernel:
    """A 1-D or 2-D convolution's shared kernel and geometry.

    Parameters
    ----------
    weights : (C_out, C_in / groups, *kernel) integers.
    in_shape : the source population's (C_in, H, W) (or (C_in, L)).
    stride, padding, dilation : per spatial dimension (a scalar applies to all).
    groups : channel groups.
    """

    weights: NDArray[np.int64]
    in_shape: tuple[int, ...]
    stride: tuple[int, ...] | int = 1
    padding: tuple[int, ...] | int = 0
    dilation: tuple[int, ...] | int = 1
    groups: int = 1

    def __post_init__(self) -> None:
        w = np.asarray(self.weights)
        check_integral("conv kernel", "weights", w)
        object.__setattr__(self, "weights", int_values("conv kernel", "weights", w, -(2**15), 2**15 - 1).astype(np.int64))
        nd = w.ndim - 2
        for field in ("stride", "padding", "dilation"):
            object.__setattr__(self, field, tuple(int(x) for x in np.broadcast_to(getattr(self, field), (max(nd, 1),))))
        object.__setattr__(self, "in_shape", tuple(int(x) for x in self.in_shape))
        self.expand()    # validates the geometry

    @property
    def out_shape(self) -> tuple[int, ...]:
        return self.expand()[1]

    def expand(self) -> tuple[sp.csr_array, tuple[int, ...]]:
        """(the (n_out, n_in) weight matrix, zeros of the kernel kept as entries; the output shape)."""
        cached = self.__dict__.get("_expanded")
        if cached is None:
            cached = conv_matrix(self.weights, self.in_shape, self.stride, self.padding, self.dilation, self.groups,
                                 "conv kernel")
            object.__setattr__(self, "_expanded", cached)
        return cached

    @property
    def pixels(self) -> int:
        """Input positions (H W): one population axon each on Loihi."""
        return int(np.prod(self.in_shape[1:]))
