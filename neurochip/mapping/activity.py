"""What the chip does in a run on a placement: each action counted, whole and per core.

An emulation's counters say what each compartment and connection did; a placement says where
each compartment sits. Together they give the count of every action a profile prices, named
after its profile key, and the share of each that happens on each core.
"""
from __future__ import annotations

import numpy as np

from ..ir import Network
from ..kernels.placement import route
from ..pack import Packed
from ..result import Counters
from .placement import Placement

#: Actions priced per count, in report order, with the words used in messages.
ACTIONS = {
    "synaptic_op": "synaptic ops (incoming spike x nonzero synapse)",
    "synaptic_op_conv": "synaptic ops of convolutions (incoming spike x kernel entry)",
    "synaptic_update": "synaptic updates of learning rules (synapse x epoch the rule touches)",
    "neuron_update_active": "active compartment updates (input or spike)",
    "neuron_update_inactive": "inactive compartment updates",
    "spike_intra_tile": "spike messages within a tile",
    "spike_hop_ew": "east-west mesh hops",
    "spike_hop_ns": "north-south mesh hops",
    "spike_off_chip": "spike messages to another chip on the same board",
    "spike_off_board": "spike messages to another board",
    "message_bit": "graded payload bits",
    "spike_out": "spikes emitted by compartments",
    "message_out": "spike messages sent to cores (one per destination core, host inputs included)",
}
#: Columns of `Placement.row_route` and the action each counts (column 0: messages).
ROUTE_ACTIONS = ("message_out", "spike_intra_tile", "spike_hop_ew", "spike_hop_ns", "spike_off_chip", "spike_off_board")


def _sent(network: Network, placement: Placement, counters: Counters):
    """Per connection: (connection, spikes of its presynaptic axons (n_src,), its rows of `row_route`)."""
    spikes = counters.axon_spikes
    first = dict(zip(network.nodes, np.concatenate([[0], np.cumsum([node.n for node in network.nodes.values()])])))
    row = 0
    for conn in network.connections:
        n_src = conn.shape[1]
        yield conn, spikes[first[conn.src]:first[conn.src] + n_src], placement.row_route[row:row + n_src]
        row += n_src


def action_counts(network: Network, placement: Placement, counters: Counters,
                  active: str = "active_updates") -> dict[str, int]:
    """Whole-run (all samples) count of every action in `ACTIONS`, plus `messages` (spike messages
    between on-chip compartments), `host_messages` (messages carrying source spikes into cores)
    and `host_spikes` (spikes of sources). Active updates are those of node counter `active`."""
    totals = counters.totals()
    routed = np.zeros(len(ROUTE_ACTIONS), np.int64)
    host = 0
    for conn, spikes, rows in _sent(network, placement, counters):
        sent = spikes @ rows
        if conn.src in placement.core_of:
            routed += sent
        else:
            host += int(sent[0])
    conv = sum(int(counters.of_connection(c.name)["synaptic_ops"].sum()) for c in network.connections if c.kernel)
    counts = {
        "synaptic_op": totals["synaptic_ops"] - conv,
        "synaptic_op_conv": conv,
        "synaptic_update": totals["synaptic_updates"],
        "neuron_update_active": totals[active],
        "neuron_update_inactive": totals["neuron_updates"] - totals[active],
        "message_bit": totals["message_bits"],
        "spike_out": totals["spikes"],
        **{action: int(n) for action, n in zip(ROUTE_ACTIONS, routed)},
    }
    counts["message_out"] += host
    return {**{a: counts[a] for a in ACTIONS}, "messages": int(routed[0]), "host_messages": host,
            "host_spikes": totals["source_spikes"]}


#: Counter that decides an active update, per `core.active_update.rule` of a profile.
ACTIVE_COUNTER = {"input_or_spike": "active_updates", "nonzero_state": "nonzero_updates"}


def active_counter(profile) -> str:
    """The node counter a profile prices and times as active compartment updates."""
    rule = profile.core.active_update if profile.core is not None else None
    return ACTIVE_COUNTER[rule.rule if rule is not None else "input_or_spike"]


def per_core_counts(network: Network, placement: Placement, packed: Packed, counters: Counters,
                    active: str = "active_updates") -> dict[str, np.ndarray]:
    """Per core (n_cores,) counts of the actions that happen on a core, plus `message_in` (the
    messages each core receives, host inputs included). Synaptic ops and received messages are
    exact (each axon's spikes x its synapses on, or its messages to, the core); spikes, messages
    and hops belong to the sending compartment's core; active (counter `active`) and inactive
    updates are split by each population's share of compartments on the core. Host messages
    belong to no sending core."""
    n = placement.n_cores
    sites = placement.sites()
    *_, syn, received = route(packed.row_connections(), packed.first, packed.n_pops, packed.rows(), sites,
                              counters.axon_spikes)
    out = {"synaptic_op": syn.astype(np.float64), **{a: np.zeros(n) for a in ACTIONS if a != "synaptic_op"},
           "message_in": received.astype(np.float64)}
    for c, conn in enumerate(network.connections):   # convolutions' and learning rules' share of each core
        held = placement.synapses_on_core[c] / max(placement.synapses_on_core[c].sum(), 1)
        if conn.kernel is not None:
            out["synaptic_op_conv"] += counters.of_connection(conn.name)["synaptic_ops"].sum() * held
        if conn.learning is not None:
            out["synaptic_update"] += counters.of_connection(conn.name)["synaptic_updates"].sum() * held
    out["synaptic_op"] -= out["synaptic_op_conv"]
    out["spike_out"] = np.bincount(sites.core_of, weights=counters.compartment_spikes, minlength=n)
    for p in network.populations:
        node = counters.of_node(p.name)
        share = np.bincount(placement.core_of[p.name], minlength=n) / p.n
        out["neuron_update_active"] += share * node[active].sum()
        out["neuron_update_inactive"] += share * (node["neuron_updates"].sum() - node[active].sum())
    for conn, spikes, rows in _sent(network, placement, counters):
        if conn.src not in placement.core_of:
            continue
        sent = spikes[:, None] * rows
        for col, action in enumerate(ROUTE_ACTIONS):
            out[action] += np.bincount(placement.core_of[conn.src], weights=sent[:, col], minlength=n)
    return out
