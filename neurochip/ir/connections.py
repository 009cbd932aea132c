"""Connections: weight matrices, Loihi synapse encoding (sign mode, weight bits, exponent), delays."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ._checks import check_integral, check_name, int_array, int_scalar, int_values
from .conv import ConvKernel
from .learning import LearningRule
from ..errors import network_error
from ..kernels.compact import dense_to_csc, dense_to_csr
from ..kernels.fixed_point import MAX_DELAY, MAX_MESSAGE_BITS, MAX_WEIGHT_BITS, WEIGHT_EXP_RANGE


class SignMode(Enum):
    """How a weight matrix's sign is encoded (Lava ``SignMode``)."""

    MIXED = "mixed"
    EXCITATORY = "excitatory"
    INHIBITORY = "inhibitory"

    @classmethod
    def of(cls, weights: NDArray | sp.sparray) -> "SignMode":
        """The sign mode Lava infers: excitatory if min >= 0, inhibitory if max <= 0, else mixed
        (a sparse matrix's implicit zeros count)."""
        values = weights.data if sp.issparse(weights) else np.asarray(weights)
        lo, hi = (values.min(), values.max()) if values.size else (0, 0)
        if sp.issparse(weights) and weights.nnz < np.prod(weights.shape):
            lo, hi = min(lo, 0), max(hi, 0)
        if lo >= 0:
            return cls.EXCITATORY
        if hi <= 0:
            return cls.INHIBITORY
        return cls.MIXED

    def weight_range(self) -> tuple[int, int]:
        """Mantissa range accepted before truncation: 8 bits plus sign for mixed."""
        full = 2**MAX_WEIGHT_BITS
        return {SignMode.MIXED: (-full, full - 1), SignMode.EXCITATORY: (0, full - 1),
                SignMode.INHIBITORY: (-(full - 1), 0)}[self]


def whole_weights(weights: NDArray) -> tuple[SignMode, int]:
    """The sign mode and weight bits that store integer `weights` in [-256, 255] untruncated, as
    Lava's Conv model computes with them: mixed with 9 bits when signs mix or -256 occurs, else
    the weights' own sign mode with 8."""
    w = np.asarray(weights)
    mode = SignMode.MIXED if w.size and w.min() < -255 else SignMode.of(w)
    return mode, MAX_WEIGHT_BITS + int(mode is SignMode.MIXED)


def truncate_weights(weights: NDArray[np.int64], sign_mode: SignMode, num_weight_bits: int) -> NDArray[np.int64]:
    """Drop the low bits the synapse cannot store: keep `num_weight_bits` of the magnitude
    (one fewer for mixed sign), rounding toward minus infinity of the stored magnitude."""
    flip = -1 if sign_mode is SignMode.INHIBITORY else 1
    k = MAX_WEIGHT_BITS - num_weight_bits + int(sign_mode is SignMode.MIXED)
    return flip * (((flip * weights) >> k) << k)


#: `Connection.accumulator` values.
ACCUMULATORS = ("int32", "sparse", "conv24")


@dataclass(frozen=True, eq=False)
class Connection:
    """Synapses from node `src` to LIF population `dst`.

    A spike (or graded payload s) from source i at step t adds ``w[j, i] * s`` to the
    connection's partial sum for target j; that sum is shifted by ``weight_exp`` (left if
    positive, arithmetic right if negative) and reaches j's dendrite at step ``t + 1 + d``.

    Parameters
    ----------
    name : unique node name.
    src, dst : names of the presynaptic node and the postsynaptic LIF population.
    weights : (n_dst, n_src) integer matrix, dense or scipy sparse, within the sign mode's range;
        stored as int16 (sparse: CSC, i.e. grouped by presynaptic axon).
    weight_exp : shared weight exponent in [-8, 7].
    num_weight_bits : stored mantissa bits, 1..8 (mixed-sign weights use one of them for the sign);
        9 for mixed-sign weights kept whole (sign plus 8 bits, as Lava's Conv model computes them).
    sign_mode : inferred from the weights as Lava does when None.
    num_message_bits : 0 for binary spikes (any nonzero payload counts as 1); 1..24 to deliver graded payloads.
    delays : None (Lava ``Dense``/``Sparse``: delivery at t + 1), or a scalar or (n_dst, n_src)
        array of delays 0..63 (Lava ``DelayDense``: delivery at t + 1 + d).
    kernel : the shared kernel when the connection is a convolution (`Connection.conv` builds
        one; `weights` is then its expansion). The mapper stores it as Loihi does (one axon per
        input position, the kernel shared), and every kernel entry is a synapse the chip
        processes, zero weights included (they count as synaptic events).
    accumulator : how one step's sum of this connection is formed before it joins the dendrite:
        "int32" (Lava's Dense and Sparse: products and sum wrap in int32, then the exponent shifts;
        with delays, Lava's DelayDense: products wrap, the sum stays wide until the shift),
        "sparse" (Lava's DelaySparse: the sum wraps in int32 before the shift, delays or not) or
        "conv24" (Lava's Conv model: the exact sum cast to int32, -2**31 when out of range, then
        wrapped to signed 24 bits; no exponent).
    dendrite : which of `dst`'s dendrites the connection feeds (an index into its `DENDRITES`:
        0 for single-dendrite populations; 0 or 1 for `Resonator` and `Product`).
    learning : a `LearningRule` makes the synapses plastic (Lava's LearningDense; LearningSparse
        when `weights` is sparse: only its stored entries learn). The weights are then truncated
        once to `num_weight_bits` (sign mode mixed unless given, as Lava's learning connections
        default) and learn within the sign mode's 8-bit range; no delays, kernel or negative
        exponent.
    tag_1, tag_2 : initial tags of a plastic connection ((n_dst, n_src) or scalar; default 0):
        tag_1 ("t") in [-257, 255], tag_2 ("d") in [0, 255].
    """

    name: str
    src: str
    dst: str
    weights: NDArray[np.int16] | sp.csc_array
    weight_exp: int = 0
    num_weight_bits: int = MAX_WEIGHT_BITS
    sign_mode: SignMode | None = None
    num_message_bits: int = 0
    delays: NDArray[np.int64] | int | None = None
    kernel: ConvKernel | None = None
    accumulator: str = "int32"
    dendrite: int = 0
    learning: LearningRule | None = None
    tag_1: NDArray[np.int64] | int = 0
    tag_2: NDArray[np.int64] | int = 0

    @classmethod
    def conv(cls, name: str, src: str, dst: str, kernel: ConvKernel, **kwargs) -> "Connection":
        """A convolution from `src` (shaped `kernel.in_shape`) to `dst` (shaped `kernel.out_shape`,
        channel first): its weights are the kernel's expansion."""
        return cls(name, src, dst, sp.csc_array(kernel.expand()[0]), kernel=kernel, **kwargs)

    def __post_init__(self) -> None:
        check_name("Connection", self.name)
        name, set_ = self.name, object.__setattr__
        for field in ("src", "dst"):
            if not isinstance(getattr(self, field), str):
                raise network_error(name, field, "a node name", repr(getattr(self, field)))
        w = self.weights
        if sp.issparse(w):
            if w.ndim != 2:
                raise network_error(name, "weights", "a 2-D matrix", f"{w.ndim}-D")
            w = sp.csc_array(w)
            w.sum_duplicates()
        else:
            w = np.asarray(w)
            if w.ndim != 2:
                raise network_error(name, "weights", "a 2-D (n_dst, n_src) matrix", f"shape {w.shape}")
        data = w.data if sp.issparse(w) else w
        check_integral(name, "weights", data)
        mode = SignMode(self.sign_mode) if self.sign_mode is not None else \
            SignMode.MIXED if self.learning is not None else SignMode.of(w)
        data = int_values(name, "weights", data, *mode.weight_range()).astype(np.int16, copy=False)
        w = sp.csc_array((data, w.indices, w.indptr), shape=w.shape) if sp.issparse(w) else data
        set_(self, "weights", w)
        set_(self, "sign_mode", mode)
        set_(self, "weight_exp", int_scalar(name, "weight_exp", self.weight_exp, *WEIGHT_EXP_RANGE))
        set_(self, "num_weight_bits", int_scalar(name, "num_weight_bits", self.num_weight_bits, 1,
                                                 MAX_WEIGHT_BITS + int(mode is SignMode.MIXED)))
        if self.accumulator not in ACCUMULATORS:
            raise network_error(name, "accumulator", f"one of {ACCUMULATORS}", repr(self.accumulator))
        if self.accumulator == "conv24" and self.weight_exp != 0:
            raise network_error(name, "weight_exp", "0 with the conv24 accumulator (Lava's Conv model applies no "
                                "exponent)", self.weight_exp)
        set_(self, "dendrite", int_scalar(name, "dendrite", self.dendrite, 0, 1))
        set_(self, "num_message_bits", int_scalar(name, "num_message_bits", self.num_message_bits, 0, MAX_MESSAGE_BITS))
        if self.delays is not None:
            d = self.delays
            if sp.issparse(d):
                if d.shape != w.shape:
                    raise network_error(name, "delays", f"a scalar or shape {w.shape}", f"shape {d.shape}")
                d = sp.csr_array(d)
                check_integral(name, "delays", d.data)
                data = int_values(name, "delays", d.data.astype(np.int64), 0, MAX_DELAY)
                d = sp.csr_array((data, d.indices, d.indptr), shape=d.shape)
            elif np.ndim(d) == 0:
                d = int_scalar(name, "delays", d, 0, MAX_DELAY)
            else:
                d = int_array(name, "delays", d, 0, MAX_DELAY, w.shape)
            set_(self, "delays", d)
        if self.kernel is not None:
            if not isinstance(self.kernel, ConvKernel):
                raise network_error(name, "kernel", "a ConvKernel", type(self.kernel).__name__)
            if self.kernel.expand()[0].shape != w.shape:
                raise network_error(name, "kernel", f"a kernel expanding to the weights' shape {w.shape}",
                                    f"{self.kernel.expand()[0].shape}")
        self._check_learning()

    def _check_learning(self) -> None:
        name, rule = self.name, self.learning
        if rule is None:
            if np.any(np.asarray(self.tag_1) != 0) or np.any(np.asarray(self.tag_2) != 0):
                raise network_error(name, "tag_1", "tags only on a plastic connection (learning=...)", "tags")
            return
        if not isinstance(rule, LearningRule):
            raise network_error(name, "learning", "a LearningRule", type(rule).__name__)
        for field, value, ok in (("delays", self.delays, self.delays is None), ("kernel", self.kernel, self.kernel is None),
                                 ("accumulator", self.accumulator, self.accumulator == "int32"),
                                 ("weight_exp", self.weight_exp, self.weight_exp >= 0)):
            if not ok:
                raise network_error(name, field, "no delays, no kernel, the int32 accumulator and a weight_exp >= 0 "
                                    "on a plastic connection (as Lava's LearningDense)", value)
        for field, lo in (("tag_1", -257), ("tag_2", 0)):
            object.__setattr__(self, field, int_array(name, field, getattr(self, field), lo, 255, self.shape))

    @property
    def shape(self) -> tuple[int, int]:
        """(n_dst, n_src)."""
        return tuple(self.weights.shape)

    @property
    def max_delay(self) -> int:
        if self.delays is None:
            return 0
        d = self.delays
        if isinstance(d, int):
            return d
        values = d.data if sp.issparse(d) else d
        return int(values.max(initial=0))

    @property
    def stored_bits(self) -> int:
        """Bits a synapse needs to store these weights: `num_weight_bits`, except for mixed weights
        kept whole (9 bits), which need the sign plus the bits of the largest magnitude."""
        if self.num_weight_bits <= MAX_WEIGHT_BITS:
            return self.num_weight_bits
        values = self.weights.data if sp.issparse(self.weights) else self.weights
        return 1 + int(np.abs(values.astype(np.int64)).max(initial=0)).bit_length()

    @property
    def truncate_bits(self) -> int:
        """Low mantissa bits the synapse drops: 8 - num_weight_bits, plus one for the sign of mixed weights."""
        return MAX_WEIGHT_BITS - self.num_weight_bits + int(self.sign_mode is SignMode.MIXED)

    def effective_weights(self) -> NDArray[np.int16] | sp.csc_array:
        """Weights as the synapses store them: truncated to `num_weight_bits` for the sign mode.
        Returns the stored weights themselves when nothing is truncated."""
        w = self.weights
        if self.truncate_bits == 0:
            return w
        if sp.issparse(w):
            return sp.csc_array((truncate_weights(w.data, self.sign_mode, self.num_weight_bits), w.indices, w.indptr),
                                shape=w.shape)
        return truncate_weights(w, self.sign_mode, self.num_weight_bits)

    def csc_weights(self) -> sp.csc_array:
        """The stored (untruncated) weights as CSC: column i holds presynaptic axon i's synapses."""
        if sp.issparse(self.weights):
            return self.weights
        cached = self.__dict__.get("_csc")
        if cached is None:
            w = self.weights
            indptr, indices, data = dense_to_csr(w.T) if w.T.flags.c_contiguous else \
                dense_to_csc(np.ascontiguousarray(w))
            cached = sp.csc_array((data, indices, indptr), shape=self.weights.shape)
            object.__setattr__(self, "_csc", cached)
        return cached

    def synapse_delays(self) -> NDArray[np.uint8] | None:
        """Per-synapse delays aligned with `csc_weights().data`, or None when the delay is shared."""
        d = self.delays
        if d is None or isinstance(d, int):
            return None
        w = self.csc_weights()
        source = np.repeat(np.arange(w.shape[1]), np.diff(w.indptr))
        if not sp.issparse(d):
            return d[w.indices, source].astype(np.uint8)
        coo = sp.coo_array(d)         # entries the delay matrix lacks are delay 0
        keys = coo.col.astype(np.int64) * w.shape[0] + coo.row
        order = np.argsort(keys)
        keys, values = keys[order], coo.data[order]
        want = source.astype(np.int64) * w.shape[0] + w.indices
        at = np.minimum(np.searchsorted(keys, want), max(keys.size - 1, 0))
        found = keys[at] == want if keys.size else np.zeros(want.size, bool)
        return np.where(found, values[at] if keys.size else 0, 0).astype(np.uint8)
