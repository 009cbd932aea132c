"""Pack a `Network` once into the flat struct-of-arrays layout the kernels take."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .ir import ATRLIF, LIF, Network, Product, Resonator, SigmaDelta, SignMode
from .ir.populations import GATES, RESONATOR_KINDS
from .kernels.compact import compact_rows, kept_per_row
from .kernels.layout import (ATRLIF_COLUMNS, ATRLIF_MODEL, LIF_MODEL, PRODUCT_MODEL, RESONATOR_COLUMNS,
                             RESONATOR_MODEL, SIGMA_DELTA_COLUMNS, SIGMA_DELTA_MODEL, SUM_CONV24, SUM_INT32, SUM_WIDE,
                             Compartments, Connections, Model, Plastic, RowConnections, Rows, SynapseTable)
from .kernels.fixed_point import ACT_SHIFT, DECAY_SHIFT
from .plasticity import pack_plastic, plastic_weights

#: A connection whose weight matrix is at least this dense is stored as dense int16 rows
#: (vectorised row adds beat a sparse scatter from about this density up).
DENSE_ROW_DENSITY = 0.25
#: Synapse tables larger than this (bytes) do not fit a core's L2 (1 MiB on the Zen 4 runners):
#: prefetch their rows.
PREFETCH_MIN_BYTES = 2**20


@dataclass(frozen=True)
class Packed:
    """A network in kernel layout, with the names needed to read results back."""

    comp: Compartments
    first: np.ndarray          # (n_nodes + 1,) int64 axon offsets of nodes
    n_pops: int
    conns: Connections
    syn: SynapseTable
    n_slots: int               # ring-buffer depth: max delay + 2
    n_inputs: int              # dendritic inputs (ring columns): N plus the second dendrites' compartments
    n_aux: int                 # compartments with auxiliary state slots: N with a population using them, else 0
    n_out: int                 # compartments with payload slots: N with a graded population, else 0
    conn_dst: np.ndarray       # (C,) int64 first compartment of each connection's target population
    plastic: Plastic           # the plastic connections' constants (none: P = 0)
    partial_depth: int         # delay slots of the right-shift scratch (0: none needed)
    node_names: tuple[str, ...]
    conn_names: tuple[str, ...]

    @property
    def model(self) -> Model:
        """The constants `kernels.run_batch` takes."""
        return Model(self.comp, self.first, self.n_pops, self.conns, self.syn)

    @property
    def n_src(self) -> np.ndarray:
        """(C,) int64 presynaptic axons (rows) of each connection."""
        return np.diff(np.append(self.conns.row_base, self.syn.row_start.size)).astype(np.int64)

    def rows(self) -> Rows:
        """The synapse rows as the mapping kernels walk them."""
        n_src = self.n_src
        return Rows(self.syn.row_start, self.syn.row_nnz, np.repeat(self.conns.dense, n_src),
                    np.repeat(self.conns.n_dst, n_src), self.syn.target, self.syn.dense_weight)

    def row_connections(self) -> RowConnections:
        """Per connection: presynaptic node, first row, rows, first target compartment."""
        return RowConnections(self.conns.src_node, self.conns.row_base, self.n_src, self.conn_dst)

    @property
    def n_compartments(self) -> int:
        return int(self.first[self.n_pops])

    @property
    def n_axons(self) -> int:
        return int(self.first[-1])


def _atrlif_row(p: ATRLIF) -> list[float]:
    """`Compartments.atrlif` columns of an ATRLIF population: the decay factors as Lava's model
    forms them (the current's in floating point, the others truncated to integers)."""
    unity = 1 << DECAY_SHIFT
    return [unity - (p.delta_i * unity + 1), *(float(np.int64(unity - d * unity))
                                               for d in (p.delta_v, p.delta_theta, p.delta_r)),
            float(p.theta_0_eff), float(p.theta_step_eff)]


def _second_dendrites(pops: tuple) -> np.ndarray:
    """(n_pops,) int64 ring column of each two-dendrite population's second dendrite (compartment
    0), after the N first dendrites; -1 for populations with one dendrite."""
    n = sum(p.n for p in pops)
    sizes = [p.n if len(p.DENDRITES) > 1 else 0 for p in pops]
    starts = n + np.concatenate([[0], np.cumsum(sizes)[:-1]]) if pops else np.zeros(0)
    return np.where(np.array(sizes) > 0, starts, -1).astype(np.int64)


def _compartments(pops: tuple, second: np.ndarray) -> Compartments:
    def per_pop(f) -> np.ndarray:
        return np.array([f(p) if isinstance(p, LIF) else 0 for p in pops], dtype=np.int64)

    def per_compartment(lif, other=lambda p: 0, dtype=np.int32) -> np.ndarray:
        parts = [np.broadcast_to(lif(p) if isinstance(p, LIF) else other(p), (p.n,)) for p in pops]
        return np.concatenate(parts).astype(dtype) if pops else np.zeros(0, dtype)

    def rows(kind, f, columns, dtype) -> np.ndarray:
        return np.array([f(p) if isinstance(p, kind) else [0] * len(columns) for p in pops],
                        dtype=dtype).reshape(-1, len(columns))

    unity = 1 << DECAY_SHIFT
    models = {LIF: LIF_MODEL, SigmaDelta: SIGMA_DELTA_MODEL, ATRLIF: ATRLIF_MODEL, Resonator: RESONATOR_MODEL,
              Product: PRODUCT_MODEL}
    rotation = (np.stack([per_compartment(lambda p: 0, lambda p: getattr(p, f, 0)) for f in ("cos_decay", "sin_decay")])
                if any(isinstance(p, Resonator) for p in pops) else np.zeros((2, 0), np.int32))
    return Compartments(
        model=np.array([models[type(p)] for p in pops], dtype=np.int64),
        keep_u=per_compartment(lambda p: unity - (np.asarray(p.du) + 1), dtype=np.int16),
        keep_v=per_compartment(lambda p: unity - np.asarray(p.dv), dtype=np.int16),
        vth_eff=per_compartment(lambda p: np.asarray(p.vth) << ACT_SHIFT,
                                lambda p: 0 if isinstance(p, ATRLIF) else p.vth),
        vth_lo_eff=per_compartment(lambda p: -(2**31) if p.vth_lo is None else np.asarray(p.vth_lo) << ACT_SHIFT),
        reset_subtract=per_pop(lambda p: int(p.reset == "subtract")),
        reset_interval=per_pop(lambda p: p.reset_interval or 0),
        reset_offset=per_pop(lambda p: p.reset_offset),
        bias=per_compartment(lambda p: p.bias, lambda p: getattr(p, "bias", 0)),
        sigma_delta=rows(SigmaDelta, lambda p: [GATES.index(p.gate) if f == "gate" else int(getattr(p, f))
                                                for f in SIGMA_DELTA_COLUMNS], SIGMA_DELTA_COLUMNS, np.int64),
        atrlif=rows(ATRLIF, _atrlif_row, ATRLIF_COLUMNS, np.float64),
        resonator=rows(Resonator, lambda p: [RESONATOR_KINDS.index(p.kind), p.state_exp, p.decay_bits],
                       RESONATOR_COLUMNS, np.int64),
        rotation=rotation,
        product_exp=np.array([p.exp if isinstance(p, Product) else 0 for p in pops], dtype=np.int64),
        second=second,
    )


def _synapse_rows(c) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """(row_nnz, target uint32, weight, per-synapse delay or None) of a sparse-stored connection.

    Shares the stored CSC arrays when truncation drops no synapse (targets, delays) and changes
    no weight (weights), so a 100M-synapse network is not copied.
    """
    csc = c.csc_weights()
    d = c.synapse_delays()
    flip = -1 if c.sign_mode is SignMode.INHIBITORY else 1
    if c.kernel is not None:     # a convolution's kernel entries are all processed, zeros included
        nnz = np.diff(csc.indptr).astype(np.int64)
    else:
        nnz = kept_per_row(csc.indptr, csc.data, c.truncate_bits, flip)
    keep_all = int(nnz.sum()) == csc.nnz
    target, weight, delay = csc.indices, csc.data, d
    if not (keep_all and c.truncate_bits == 0 and c.weight_exp <= 0):
        target, weight, delay = compact_rows(csc.indptr, csc.indices, csc.data,
                                             d if d is not None else np.zeros(0, np.uint8),
                                             c.truncate_bits, flip, max(c.weight_exp, 0), keep_all)
        if keep_all:
            target, delay = csc.indices, d
    target = target.view(np.uint32) if target.dtype == np.int32 else target.astype(np.uint32)
    return nnz, target, weight, delay if d is not None else None


def _plastic_rows(c) -> tuple[np.ndarray, np.ndarray, np.ndarray, None]:
    """(row_nnz, target, initial weight, None) of a plastic connection: every stored synapse, zero
    weights included (the chip keeps them: they learn)."""
    weights, stored = plastic_weights(c)
    csc = sp.csc_array(stored)
    return (np.diff(csc.indptr).astype(np.int64), csc.indices.astype(np.uint32),
            weights.T[stored.T].astype(np.int16), None)


def _shared_delay(delay: np.ndarray) -> int:
    """The delay all synapses share, or -1 when they differ."""
    if delay.size == 0:
        return 0
    return int(delay[0]) if np.all(delay == delay[0]) else -1


def _narrow(weights: np.ndarray) -> np.ndarray:
    """int8 when every weight fits (half the memory traffic per synaptic event), else int16."""
    if weights.size == 0 or (weights.min() >= -128 and weights.max() <= 127):
        return weights.astype(np.int8)
    return weights


def pack(network: Network) -> Packed:
    """Lay `network` out for `kernels.run_batch`. Pure: the network is not modified."""
    pops, sources = network.populations, network.sources
    nodes = (*pops, *sources)
    sizes = np.array([n.n for n in nodes], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    index = {n.name: k for k, n in enumerate(nodes)}
    second = _second_dendrites(pops)

    cols = {f: [] for f in Connections._fields}
    row_start, row_nnz, targets, weights, delays, dense_rows = [], [], [], [], [], []
    n_rows = n_syn = n_dense = 0
    plastic = 0
    for c in network.connections:
        n_dst, n_src = c.shape
        right_shift = max(-c.weight_exp, 0)
        sum_mode = SUM_CONV24 if c.accumulator == "conv24" else \
            SUM_INT32 if c.delays is None or c.accumulator == "sparse" else SUM_WIDE
        dense = (c.learning is None and right_shift == 0 and sum_mode != SUM_CONV24 and (c.delays is None or isinstance(c.delays, int))
                 and not sp.issparse(c.weights)
                 and np.count_nonzero(c.weights) >= DENSE_ROW_DENSITY * n_dst * n_src)
        if dense:
            w = c.effective_weights()
            uniform = c.max_delay
            nnz = np.count_nonzero(w, axis=0).astype(np.int64)
            dense_rows.append((w.T.astype(np.int32) << c.weight_exp).astype(np.int16).ravel())
            row_start.append(n_dense + np.arange(n_src, dtype=np.int64) * n_dst)
            n_dense += n_src * n_dst
        else:
            nnz, target, weight, d = _plastic_rows(c) if c.learning is not None else _synapse_rows(c)
            uniform = c.max_delay if d is None else _shared_delay(d)
            targets.append(target)
            weights.append(weight)
            delays.append(d if uniform < 0 else (uniform, target.size))
            row_start.append(n_syn + np.concatenate([[0], np.cumsum(nnz)[:-1]]))
            n_syn += target.size
        row_nnz.append(nnz)
        dst_first = second[index[c.dst]] if c.dendrite else first[index[c.dst]]
        for field, value in (("src_node", index[c.src]), ("dst_first", dst_first), ("n_dst", n_dst),
                             ("row_base", n_rows), ("right_shift", right_shift),
                             ("graded", int(c.num_message_bits > 0)), ("message_bits", c.num_message_bits),
                             ("dense", int(dense)), ("delay", uniform), ("sum_mode", sum_mode),
                             ("prefetch", int(not dense and 6 * int(nnz.sum()) > PREFETCH_MIN_BYTES)),
                             ("plastic", plastic if c.learning is not None else -1)):
            cols[field].append(value)
        n_rows += n_src
        plastic += c.learning is not None

    def cat(parts, dtype) -> np.ndarray:
        """Concatenate, sharing the array itself when there is only one (no copy for big networks)."""
        if len(parts) == 1:
            return parts[0].astype(dtype, copy=False)
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)

    conns = Connections(*(np.asarray(cols[f], dtype=np.int64) for f in Connections._fields))
    syn = SynapseTable(
        row_start=cat(row_start, np.int64), row_nnz=cat(row_nnz, np.int64),
        target=cat(targets, np.uint32), weight=_narrow(cat(weights, np.int16)),
        delay=cat([d if isinstance(d, np.ndarray) else np.full(d[1], d[0], np.uint8) for d in delays], np.uint8)
        if np.any(conns.delay < 0) else np.zeros(0, np.uint8),
        dense_weight=_narrow(cat(dense_rows, np.int16)),
    )
    max_delay = max((c.max_delay for c in network.connections), default=0)
    shifted = [c.max_delay for c in network.connections if c.weight_exp < 0 or c.accumulator == "conv24"]
    n = int(first[len(pops)])
    return Packed(
        comp=_compartments(pops, second), first=first, n_pops=len(pops), conns=conns, syn=syn,
        n_slots=max_delay + 2, n_inputs=n + sum(p.n for p in pops if len(p.DENDRITES) > 1),
        n_aux=n if any(len(p.STATE) > 2 for p in pops) else 0,
        n_out=n if any(not isinstance(p, (LIF, ATRLIF)) for p in pops) else 0,
        conn_dst=np.array([first[index[c.dst]] for c in network.connections], dtype=np.int64),
        plastic=pack_plastic(network, first, index),
        partial_depth=max(shifted) + 1 if shifted else 0,
        node_names=tuple(n.name for n in nodes), conn_names=tuple(c.name for c in network.connections),
    )
