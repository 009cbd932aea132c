"""What an emulation returns: traces, exact counters, and the state to resume from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .errors import TraceError
from .kernels.layout import CONN_COUNTERS, NODE_COUNTERS, Synapses
from .plasticity import read_learned

if TYPE_CHECKING:
    from .ir import Network
    from .pack import Packed



@dataclass(frozen=True)
class EmulatorState:
    """Everything needed to continue a run: the step reached and per-sample state.

    t : steps completed. u, v : (B, N) int32 the first two state slots of every compartment.
    ring : (B, R, I) int32 pending input of the I dendrites (`kernels.layout`). aux : (B, 2, N)
    int32 the auxiliary slots (sigma-delta residue and error), (B, 2, 0) when no population has them.
    learned : the plastic connections' weights, tags and traces per sample (`kernels.layout.Synapses`).
    streams : the learning engine's random streams (bit-generator states) to continue from.
    """

    t: int
    u: NDArray[np.int32]
    v: NDArray[np.int32]
    ring: NDArray[np.int32]
    aux: NDArray[np.int32]
    learned: Synapses
    streams: tuple = ()


@dataclass(frozen=True)
class Counters:
    """Exact per-step activity counts, per node and per connection.

    node : (B, T, n_nodes, 6) int64, columns `NODE_COUNTERS` (neuron_updates, spikes,
        u_wraps, v_saturations, active_updates, nonzero_updates; sources count only spikes).
    conn : (B, T, n_conns, 5) int64, columns `CONN_COUNTERS` (spikes_in, synaptic_ops =
        incoming spike x nonzero synapse, message_bits = graded payload bits carried,
        synaptic_updates and trace_updates of plastic connections).
    axon_spikes : (N + S,) int64 spikes of each compartment (populations in network order),
        then of each source channel, over the run and the batch.
    """

    node_names: tuple[str, ...]
    conn_names: tuple[str, ...]
    n_pops: int
    node: NDArray[np.int64]
    conn: NDArray[np.int64]
    axon_spikes: NDArray[np.int64]
    n_compartments: int

    @property
    def compartment_spikes(self) -> NDArray[np.int64]:
        """(N,) spikes of each compartment over the run and the batch."""
        return self.axon_spikes[:self.n_compartments]

    def of_node(self, name: str) -> dict[str, NDArray[np.int64]]:
        """Counters of node `name`, each (B, T)."""
        k = self.node_names.index(name)
        return {c: self.node[:, :, k, j] for j, c in enumerate(NODE_COUNTERS)}

    def of_connection(self, name: str) -> dict[str, NDArray[np.int64]]:
        """Counters of connection `name`, each (B, T)."""
        k = self.conn_names.index(name)
        return {c: self.conn[:, :, k, j] for j, c in enumerate(CONN_COUNTERS)}

    def totals(self) -> dict[str, int]:
        """Whole-run sums over samples and steps (per-inference figures divide by B)."""
        pops = self.node[:, :, : self.n_pops].sum(axis=(0, 1, 2))
        conn = self.conn.sum(axis=(0, 1, 2))
        out = {c: int(pops[j]) for j, c in enumerate(NODE_COUNTERS)}
        out["source_spikes"] = int(self.node[:, :, self.n_pops:, 1].sum())
        out.update({c: int(conn[j]) for j, c in enumerate(CONN_COUNTERS)})
        return out

    def concat(self, later: "Counters") -> "Counters":
        """These counters followed in time by `later`'s (a resumed run)."""
        return Counters(self.node_names, self.conn_names, self.n_pops,
                        np.concatenate([self.node, later.node], axis=1),
                        np.concatenate([self.conn, later.conn], axis=1),
                        self.axon_spikes + later.axon_spikes, self.n_compartments)


@dataclass(frozen=True)
class Result:
    """Output of an emulation (`neurochip.emulate` returns it as a `neurochip.api.Run`, which
    can also map and price itself).

    network : the network run.
    traces : population name -> var ("u", "v", "s") -> (B, T, n) int32; plastic connection name ->
        var ("weights", "tag_1", "tag_2": (B, T, n_dst, n_src); "x1", "x2": (B, T, n_src); "y1", "y2",
        "y3": (B, T, n_dst)).
    batched : whether the run had a batch axis; when False, `trace` drops it.
    packed : the network in kernel layout, packed once for the emulation; mapping and pricing
        reuse it.
    """

    network: "Network"
    steps: int
    batch: int
    batched: bool
    traces: dict[str, dict[str, NDArray[np.int32]]]
    counters: Counters
    state: EmulatorState
    packed: "Packed" = field(repr=False)

    def trace(self, population: str, var: str) -> NDArray[np.int32]:
        """(T, n) trace of `var` (one of the population's `STATE` names, or "s") in `population`,
        or (B, T, n) for a batched run; for a recorded plastic connection, its weights, tags or traces."""
        if population not in self.traces:
            raise TraceError(f"population {population!r} was not recorded; recorded: {sorted(self.traces)}")
        if var not in self.traces[population]:
            raise TraceError(f"trace var {var!r}: expected one of {tuple(self.traces[population])}")
        arr = self.traces[population][var]
        return arr if self.batched else arr[0]

    def learned(self, connection: str, var: str = "weights") -> NDArray[np.int32]:
        """What plastic `connection` holds after the run's last step: its weights or tags (n_dst,
        n_src), or a trace (x1, x2: (n_src,); y1..y3: (n_dst,)); a leading batch axis for a batched
        run. Needs no recording."""
        state = read_learned(self.network, self.packed.plastic, self.state.learned)
        if connection not in state:
            raise TraceError(f"{connection!r} is not a plastic connection; plastic: {sorted(state)}")
        if var not in state[connection]:
            raise TraceError(f"learned var {var!r}: expected one of {tuple(state[connection])}")
        arr = state[connection][var]
        return arr if self.batched else arr[0]
