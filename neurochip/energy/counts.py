"""Action counts of a run on a placement: what the chip does, each named after its profile key."""
from __future__ import annotations

import numpy as np

from ..mapping import Placement
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


def action_counts(result: Result, placement: Placement) -> dict[str, int]:
    """Whole-run (all samples) count of every action in `ACTIONS`, plus `messages` (spike messages
    between on-chip compartments), `host_messages` (messages carrying source spikes into cores)
    and `host_spikes` (spikes of sources)."""
    totals = result.counters.totals()
    network = result.network
    spikes = result.counters.axon_spikes
    nodes = network.nodes
    offsets = dict(zip(nodes, np.concatenate([[0], np.cumsum([node.n for node in nodes.values()])])))
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
