"""Action counts of a run on a placement: what the chip does, each named after its profile key."""
from __future__ import annotations

import numpy as np

from ..kernels.placement import synaptic_ops_per_core
from ..mapping import Placement
from ..pack import pack
from ..result import Result

#: Actions priced per count, in report order, with the words used in messages.
ACTIONS = {
    "synaptic_op": "synaptic ops (incoming spike x nonzero synapse)",
    "neuron_update_active": "active compartment updates (input or spike)",
    "neuron_update_inactive": "inactive compartment updates",
    "spike_intra_tile": "spike messages within a tile",
    "spike_hop_ew": "east-west mesh hops",
    "spike_hop_ns": "north-south mesh hops",
    "spike_off_chip": "spike messages to another chip",
    "message_bit": "graded payload bits",
    "spike_out": "spikes emitted by compartments",
    "message_out": "spike messages sent to cores (one per destination core, host inputs included)",
}


def _axon_offsets(network) -> dict[str, int]:
    """Node name -> index of its first axon in `Counters.axon_spikes` (populations, then sources)."""
    nodes = network.nodes
    return dict(zip(nodes, np.concatenate([[0], np.cumsum([node.n for node in nodes.values()])])))


def action_counts(result: Result, placement: Placement) -> dict[str, int]:
    """Whole-run (all samples) count of every action in `ACTIONS`, plus `messages` (spike messages
    between on-chip compartments), `host_messages` (messages carrying source spikes into cores)
    and `host_spikes` (spikes of sources)."""
    totals = result.counters.totals()
    network = result.network
    spikes = result.counters.axon_spikes
    offsets = _axon_offsets(network)
    routed = np.zeros(5, np.int64)
    host = 0
    row = 0
    for conn in network.connections:
        rows = placement.row_route[row:row + conn.shape[1]]
        row += conn.shape[1]
        sent = spikes[offsets[conn.src]:offsets[conn.src] + conn.shape[1]] @ rows
        if conn.src in placement.core_of:
            routed += sent
        else:
            host += int(sent[0])
    return {
        "synaptic_op": totals["synaptic_ops"],
        "neuron_update_active": totals["active_updates"],
        "neuron_update_inactive": totals["neuron_updates"] - totals["active_updates"],
        "spike_intra_tile": int(routed[1]),
        "spike_hop_ew": int(routed[2]),
        "spike_hop_ns": int(routed[3]),
        "spike_off_chip": int(routed[4]),
        "message_bit": totals["message_bits"],
        "spike_out": totals["spikes"],
        "message_out": int(routed[0]) + host,
        "messages": int(routed[0]),
        "host_messages": host,
        "host_spikes": totals["source_spikes"],
    }


def per_core_counts(result: Result, placement: Placement) -> dict[str, np.ndarray]:
    """Per core (n_cores,) counts of the actions that happen on a core. Synaptic ops are exact
    (each axon's spikes x its synapses on the core); spikes, messages and hops belong to the
    sending compartment's core; active/inactive updates are split by each population's share
    of compartments on the core. Host messages belong to no core."""
    network = result.network
    packed = pack(network)
    n = placement.n_cores
    n_src = np.array([c.shape[1] for c in network.connections], np.int64)
    core_of = np.concatenate([placement.core_of[p.name] for p in network.populations]) if network.populations \
        else np.zeros(0, np.int64)
    syn = synaptic_ops_per_core(packed.conns.src_node, packed.conns.row_base, n_src, packed.first,
                                packed.syn.row_start, packed.syn.row_nnz, np.repeat(packed.conns.dense, n_src),
                                np.repeat(packed.conns.n_dst, n_src), packed.conns.dst_first, packed.syn.target,
                                packed.syn.dense_weight, core_of, result.counters.axon_spikes, n)
    out = {"synaptic_op": syn, **{a: np.zeros(n) for a in ACTIONS if a != "synaptic_op"}}
    spikes = result.counters.compartment_spikes
    out["spike_out"] = np.bincount(core_of, weights=spikes, minlength=n)
    for p in network.populations:
        node = result.counters.of_node(p.name)
        share = np.bincount(placement.core_of[p.name], minlength=n) / p.n
        out["neuron_update_active"] += share * node["active_updates"].sum()
        out["neuron_update_inactive"] += share * (node["neuron_updates"].sum() - node["active_updates"].sum())
    row = 0
    offsets = _axon_offsets(network)
    for conn in network.connections:
        rows = placement.row_route[row:row + conn.shape[1]]
        row += conn.shape[1]
        if conn.src not in placement.core_of:
            continue
        sent = spikes[offsets[conn.src]:offsets[conn.src] + conn.shape[1], None] * rows
        cores = placement.core_of[conn.src]
        for col, action in ((0, "message_out"), (1, "spike_intra_tile"), (2, "spike_hop_ew"), (3, "spike_hop_ns"),
                            (4, "spike_off_chip")):
            out[action] += np.bincount(cores, weights=sent[:, col], minlength=n)
    return out
