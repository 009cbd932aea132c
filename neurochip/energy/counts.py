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
}


def action_counts(result: Result, placement: Placement) -> dict[str, int]:
    """Whole-run (all samples) count of every action in `ACTIONS`, plus `messages` (spike messages
    between on-chip compartments) and `host_spikes` (spikes of sources, which arrive from the host
    and are not priced)."""
    totals = result.counters.totals()
    network = result.network
    spikes = result.counters.compartment_spikes
    offsets = dict(zip(result.counters.node_names, np.concatenate(
        [[0], np.cumsum([p.n for p in network.populations])])))
    routed = np.zeros(5, np.int64)
    row = 0
    for conn in network.connections:
        rows = placement.row_route[row:row + conn.shape[1]]
        row += conn.shape[1]
        if conn.src in placement.core_of:
            routed += spikes[offsets[conn.src]:offsets[conn.src] + conn.shape[1]] @ rows
    return {
        "synaptic_op": totals["synaptic_ops"],
        "neuron_update_active": totals["active_updates"],
        "neuron_update_inactive": totals["neuron_updates"] - totals["active_updates"],
        "spike_intra_tile": int(routed[1]),
        "spike_hop_ew": int(routed[2]),
        "spike_hop_ns": int(routed[3]),
        "spike_off_chip": int(routed[4]),
        "message_bit": totals["message_bits"],
        "messages": int(routed[0]),
        "host_spikes": totals["source_spikes"],
    }
