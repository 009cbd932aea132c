"""The packed layout shared by the driver and the kernels: struct-of-arrays, explicit dtypes.

Index spaces: compartments 0..N-1 (populations in order), then source channels N..N+S-1; the
two together are the axon ids. Dendritic inputs (the ring's columns): every compartment's first
dendrite 0..N-1, then the second dendrites of two-dendrite populations (`Compartments.second`). Nodes are populations then sources; node k owns axons
``node_first[k]:node_first[k+1]``. Rows are (connection, presynaptic axon) pairs.
"""
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

#: Per-node counter columns, in order. active_updates: compartments that received nonzero dendritic
#: input or spiked this step (Loihi's "active" neuron update; the rest are "inactive").
#: nonzero_updates: compartments with v != 0 before the step, nonzero input or a nonzero bias
#: (SANA-FE's "updated" neuron).
NODE_COUNTERS = ("neuron_updates", "spikes", "u_wraps", "v_saturations", "active_updates", "nonzero_updates")
#: Per-connection counter columns, in order. synaptic_updates: synapses a learning epoch's rule
#: evaluated (plastic connections: those of presynaptic neurons that spiked in the epoch under an
#: x0 product, of postsynaptic ones under a y0 product, every synapse under an active u product).
#: trace_updates: trace values changed by an impulse or a decay step (pre and post traces).
CONN_COUNTERS = ("spikes_in", "synaptic_ops", "message_bits", "synaptic_updates", "trace_updates")


#: `Connections.sum_mode` codes: products and sums wrap in int32, then the exponent shifts (Lava's
#: Dense, Sparse); products wrap in int32, the sum is wide until the shift (Lava's DelayDense); the
#: exact sum is cast to int32 (-2**31 when out of range, as numpy's float cast on x86) and wrapped
#: to signed 24 bits (Lava's Conv).
SUM_INT32, SUM_WIDE, SUM_CONV24 = 0, 1, 2
#: `Compartments.model` codes.
LIF_MODEL, SIGMA_DELTA_MODEL, ATRLIF_MODEL, RESONATOR_MODEL, PRODUCT_MODEL = 0, 1, 2, 3, 4
#: Columns of `Compartments.resonator`: the `Resonator.kind` code (`fixed_point.RF_KIND` ...), state_exp, decay_bits.
RESONATOR_COLUMNS = ("kind", "state_exp", "decay_bits")
#: Columns of `Compartments.atrlif`: keep_i (float), keep_v, keep_theta, keep_r, theta_0, theta_step.
ATRLIF_COLUMNS = ("keep_i", "keep_v", "keep_theta", "keep_r", "theta_0", "theta_step")
#: Columns of `Compartments.sigma_delta`: the population's flags and shifts (`ir.SigmaDelta`).
SIGMA_DELTA_COLUMNS = ("sigma", "delta", "relu", "cum_error", "in_shift", "out_shift", "gate")


class Compartments(NamedTuple):
    """Compartment constants: per compartment (N,) int16/int32, or per population (n_pops,) int64.
    A model's fields are zero for populations of the other models."""

    model: NDArray[np.int64]           # (n_pops,) LIF_MODEL, SIGMA_DELTA_MODEL, ... PRODUCT_MODEL
    keep_u: NDArray[np.int16]          # (N,) 4096 - (du + 1), in [-1, 4097]
    keep_v: NDArray[np.int16]          # (N,) 4096 - dv
    vth_eff: NDArray[np.int32]         # (N,) vth << 6 (LIF); the threshold as given (other models)
    vth_lo_eff: NDArray[np.int32]      # (N,) vth_lo << 6 (ternary neurons), else -2**31
    reset_subtract: NDArray[np.int64]  # (n_pops,) 1: a spike subtracts vth_eff from v; 0: resets v to 0
    reset_interval: NDArray[np.int64]  # 0 = never reset
    reset_offset: NDArray[np.int64]
    bias: NDArray[np.int32]            # (N,) bias_mant shifted by bias_exp (LIF); the bias (sigma-delta)
    sigma_delta: NDArray[np.int64]     # (n_pops, 7) columns SIGMA_DELTA_COLUMNS (gate: index in ir GATES)
    atrlif: NDArray[np.float64]        # (n_pops, 6) columns ATRLIF_COLUMNS (integers but keep_i)
    resonator: NDArray[np.int64]       # (n_pops, 3) columns RESONATOR_COLUMNS
    rotation: NDArray[np.int32]        # (2, N) a resonator's cos and sin decays ((2, 0) without resonators)
    product_exp: NDArray[np.int64]     # (n_pops,) a product population's right shift
    second: NDArray[np.int64]          # (n_pops,) ring column of the population's second dendrite's
                                       # compartment 0, or -1 (one dendrite)


class Connections(NamedTuple):
    """Per-connection constants, each (C,) int64."""

    src_node: NDArray[np.int64]
    dst_first: NDArray[np.int64]       # ring column of the target population's compartment 0 (on the dendrite fed)
    n_dst: NDArray[np.int64]
    row_base: NDArray[np.int64]        # row of this connection's presynaptic axon 0
    right_shift: NDArray[np.int64]     # -weight_exp when negative (partial-sum path), else 0
    graded: NDArray[np.int64]          # 1: deliver payloads; 0: any payload counts as 1
    message_bits: NDArray[np.int64]
    dense: NDArray[np.int64]           # 1: rows are dense int16 vectors of n_dst weights
    delay: NDArray[np.int64]           # uniform delay, or -1 when per synapse
    sum_mode: NDArray[np.int64]        # how a step's partial sum is formed: SUM_INT32, SUM_WIDE or SUM_CONV24
    prefetch: NDArray[np.int64]        # 1: prefetch the next spiking row (synapses beyond the caches)
    plastic: NDArray[np.int64]         # index into `Plastic`, or -1: fixed weights from `SynapseTable`


class SynapseTable(NamedTuple):
    """All connections' synapses. Weights are pre-shifted by a non-negative exponent."""

    row_start: NDArray[np.int64]       # (rows,) first synapse (CSR) or first dense weight
    row_nnz: NDArray[np.int64]         # (rows,) synapses delivered, counted as synaptic events (nonzero ones;
                                       # every kernel entry of a convolution)
    target: NDArray[np.uint32]         # (nnz,) target compartment, local to the population
    weight: NDArray[np.int16]          # (nnz,) int8 when every weight fits, else int16
    delay: NDArray[np.uint8]           # (nnz,) or (0,) when no connection has per-synapse delays
    dense_weight: NDArray[np.int16]    # concatenated dense rows, int8 when every weight fits


class Plastic(NamedTuple):
    """Constants of the P plastic connections (`ir.LearningRule`), shared by every sample.

    Per plastic connection (P,) int64: its connection index, its target population's node,
    presynaptic and postsynaptic neurons, offsets of its weights (n_pre x n_post, presynaptic-major) in the learning state and
    of its tags (-1: the rule neither writes nor reads tags), of its presynaptic and postsynaptic
    traces, t_epoch, the u-dependency exponent, the graded-spike mode (`ir.learning.GRADED_SPIKE`
    index), whether postsynaptic spikes reach the y traces, the sign mode (0 mixed, 1 excitatory,
    2 inhibitory), whether only stored synapses learn (`mask`), and the weight exponent.
    Per trace (P, 5) in `ir.learning.TRACES` order: whether it carries over steps (tau != 0), its
    decay factor exp(-1/tau), its impulse's integer part and fraction x 256.
    Products: `prod_first` (P, 4) int64 the first product of dw, dd, dt and the end; `prod`
    (products, 5) int64 columns dependency (0 x0, 1 y0, 2 u), mantissa, exponent + 7, right shift,
    first factor (its factors run to the next product's); `factor` (factors + 1, 4) int64 columns
    variable (`ir.learning.VARIABLES` index), constant, sgn, width. `mask` (synapses,) uint8.
    """

    conn: NDArray[np.int64]
    post_node: NDArray[np.int64]
    n_pre: NDArray[np.int64]
    n_post: NDArray[np.int64]
    w_first: NDArray[np.int64]
    tag_first: NDArray[np.int64]
    pre_first: NDArray[np.int64]
    post_first: NDArray[np.int64]
    t_epoch: NDArray[np.int64]
    decimate: NDArray[np.int64]
    graded_spike: NDArray[np.int64]
    post_spikes: NDArray[np.int64]
    sign_mode: NDArray[np.int64]
    sparse: NDArray[np.int64]
    weight_exp: NDArray[np.int64]
    carry: NDArray[np.int64]
    decay: NDArray[np.float64]
    impulse: NDArray[np.int64]
    impulse_frac: NDArray[np.int64]
    prod_first: NDArray[np.int64]
    prod: NDArray[np.int64]
    factor: NDArray[np.int64]
    mask: NDArray[np.uint8]


class Draws(NamedTuple):
    """The random draws of a run's window of T steps, shared by every sample: trace (P, 4, 2T)
    float64, per plastic connection the x decay, x impulse, y decay and y impulse streams (two
    draws per step, Lava's draws 2t - 1 and 2t of step t); conn (P, epochs) float64 the weight
    rounding draw of each epoch ending in the window."""

    trace: NDArray[np.float64]
    conn: NDArray[np.float64]


class Synapses(NamedTuple):
    """Per-sample learning state (a leading batch axis B for `run_batch`): weight (S,) int32 and
    tag_1, tag_2 (S_t,) int32 in `Plastic` layout; x (2, pre) and y (3, post) int32 traces; tx
    (pre,), ty (post,) int32 the within-epoch step of the last spike (0: none)."""

    weight: NDArray[np.int32]
    tag_1: NDArray[np.int32]
    tag_2: NDArray[np.int32]
    x: NDArray[np.int32]
    y: NDArray[np.int32]
    tx: NDArray[np.int32]
    ty: NDArray[np.int32]


class LearnTrace(NamedTuple):
    """Recorded plastic connections: first (P, 4) int64 each one's first column in weight, the tags,
    x and y (-1: not recorded; tags -1 also when it has none); weight, tag_1, tag_2 (T, S_r) and x
    (T, 2, pre_r), y (T, 3, post_r) int32 per sample (a leading batch axis B for `run_batch`)."""

    first: NDArray[np.int64]
    weight: NDArray[np.int32]
    tag_1: NDArray[np.int32]
    tag_2: NDArray[np.int32]
    x: NDArray[np.int32]
    y: NDArray[np.int32]


class Model(NamedTuple):
    """The packed network the time loop runs: constants only, shared by every sample."""

    comp: Compartments
    first: NDArray[np.int64]           # (n_nodes + 1,) axon offsets of nodes
    n_pops: int                        # nodes 0..n_pops-1 are populations, the rest sources
    conns: Connections
    syn: SynapseTable


class State(NamedTuple):
    """Per-sample state, updated in place: u, v (N,) int32, aux (2, N) int32 (or (2, 0) when no
    population uses it) and the dendritic ring (R, N + second dendrites) int32 (a leading batch
    axis B when passed to `run_batch`). The slots hold each population's `STATE` in order: a LIF's
    u and v; a sigma-delta compartment's sigma, act, residue and error; an ATRLIF's i, v, theta
    and r; a resonator's real and imag; a product compartment's v."""

    u: NDArray[np.int32]
    v: NDArray[np.int32]
    aux: NDArray[np.int32]
    ring: NDArray[np.int32]


class Scratch(NamedTuple):
    """Per-sample work buffers (a leading batch axis B when passed to `run_batch`).

    partial (D, I) int64, mark (D, I) uint8, touched (D I,) int64: exact partial sums of
    right-shifted connections over the I dendritic inputs (D = 0 when none). fired (N rounded up
    to 8,) int8 spikes (+1, -1), padding zero. out (N,) int32 the payloads graded compartments
    (sigma-delta, resonator, product) send (or (0,) when there are none). spikes, payload (N + S,): this step's spike list. node_spk (n_nodes + 1,):
    where each node's spikes start in the list.
    """

    partial: NDArray[np.int64]
    mark: NDArray[np.uint8]
    touched: NDArray[np.int64]
    fired: NDArray[np.int8]
    out: NDArray[np.int32]
    spikes: NDArray[np.int64]
    payload: NDArray[np.int32]
    node_spk: NDArray[np.int64]


class Trace(NamedTuple):
    """Traced compartments: `index` (K,) compartments and `slot` (N,) the trace column of each
    compartment or -1; u, v, s (T, K) and aux (T, 2, K) int32 per sample (B, T, ... for
    `run_batch`; aux is (T, 2, 0) when no traced population uses the auxiliary slots)."""

    index: NDArray[np.int64]
    slot: NDArray[np.int64]
    u: NDArray[np.int32]
    v: NDArray[np.int32]
    aux: NDArray[np.int32]
    s: NDArray[np.int32]


class Tally(NamedTuple):
    """Exact counters, added to: node (T, n_nodes, 5) and conn (T, C, 3) int64 per step, in the
    column order of `NODE_COUNTERS` and `CONN_COUNTERS`; axon_spikes (N + S,) int64 over the run
    (a leading batch axis B for `run_batch`)."""

    node: NDArray[np.int64]
    conn: NDArray[np.int64]
    axon_spikes: NDArray[np.int64]


class Rows(NamedTuple):
    """Synapse rows as the mapping kernels walk them: per row (rows,) int64 its first entry in the
    synapse table, its synapse count, whether it is a dense row, and its target population's
    size; then the table's targets and dense weights (`SynapseTable`)."""

    start: NDArray[np.int64]
    nnz: NDArray[np.int64]
    dense: NDArray[np.int64]
    n_dst: NDArray[np.int64]
    target: NDArray[np.uint32]
    dense_weight: NDArray[np.int16]


class RowConnections(NamedTuple):
    """Per connection (C,) int64: presynaptic node, first row, rows (presynaptic axons), first
    compartment of the target population."""

    src_node: NDArray[np.int64]
    row_base: NDArray[np.int64]
    n_src: NDArray[np.int64]
    dst_first: NDArray[np.int64]


class Sites(NamedTuple):
    """Where each compartment sits: core_of (N,) int64; per core (n_cores,) int64 its tile row,
    tile column, chip and board."""

    core_of: NDArray[np.int64]
    tile_row: NDArray[np.int64]
    tile_col: NDArray[np.int64]
    chip: NDArray[np.int64]
    board: NDArray[np.int64]
