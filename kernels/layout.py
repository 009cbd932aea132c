"""The packed layout shared by the driver and the kernels: struct-of-arrays, explicit dtypes.

Index spaces: compartments 0..N-1 (populations in order), then source channels N..N+S-1; the
two together are the axon ids. Nodes are populations then sources; node k owns axons
``node_first[k]:node_first[k+1]``. Rows are (connection, presynaptic axon) pairs.
"""
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

#: Per-node counter columns, in order. active_updates: compartments that received nonzero dendritic
#: input or spiked this step (Loihi's "active" neuron update; the rest are "inactive").
NODE_COUNTERS = ("neuron_updates", "spikes", "u_wraps", "v_saturations", "active_updates")
#: Per-connection counter columns, in order.
CONN_COUNTERS = ("spikes_in", "synaptic_ops", "message_bits")


class Compartments(NamedTuple):
    """Compartment constants: per population (n_pops,) int64, except `bias` (N,) int32."""

    keep_u: NDArray[np.int64]          # 4096 - (du + 1)
    keep_v: NDArray[np.int64]          # 4096 - dv
    vth_eff: NDArray[np.int64]         # vth << 6
    reset_interval: NDArray[np.int64]  # 0 = never reset
    reset_offset: NDArray[np.int64]
    bias: NDArray[np.int32]            # bias_mant shifted by bias_exp, per compartment


class Connections(NamedTuple):
    """Per-connection constants, each (C,) int64."""

    src_node: NDArray[np.int64]
    dst_first: NDArray[np.int64]       # first compartment of the target population
    n_dst: NDArray[np.int64]
    row_base: NDArray[np.int64]        # row of this connection's presynaptic axon 0
    right_shift: NDArray[np.int64]     # -weight_exp when negative (partial-sum path), else 0
    graded: NDArray[np.int64]          # 1: deliver payloads; 0: any payload counts as 1
    message_bits: NDArray[np.int64]
    dense: NDArray[np.int64]           # 1: rows are dense int16 vectors of n_dst weights
    delay: NDArray[np.int64]           # uniform delay, or -1 when per synapse
    wrap_first: NDArray[np.int64]      # 1: wrap partial sums to int32 before shifting
    prefetch: NDArray[np.int64]        # 1: prefetch the next spiking row (synapses beyond the caches)


class SynapseTable(NamedTuple):
    """All connections' synapses. Weights are pre-shifted by a non-negative exponent."""

    row_start: NDArray[np.int64]       # (rows,) first synapse (CSR) or first dense weight
    row_nnz: NDArray[np.int64]         # (rows,) nonzero synapses (counted as synaptic events)
    target: NDArray[np.uint32]         # (nnz,) target compartment, local to the population
    weight: NDArray[np.int16]          # (nnz,) int8 when every weight fits, else int16
    delay: NDArray[np.uint8]           # (nnz,) or (0,) when no connection has per-synapse delays
    dense_weight: NDArray[np.int16]    # concatenated dense rows, int8 when every weight fits
