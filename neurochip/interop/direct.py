"""Input wired straight into a population's dendrites, as Lava wires a source to a neuron's a_in:
it arrives in the step it is sent, where a connection delivers a step later.

The emulator delivers every spike at the next step, so such input is emulated as unit-weight
graded synapses from a copy of the source running one step ahead, with step 1's input already
pending in the dendritic ring (`pending_state`). Those synapses appear in the counters, as on a
chip, where input reaches a core through synapses too.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..emulator import initial_state
from ..errors import NetworkError
from ..ir import Connection, Network, SpikeSource
from ..pack import Packed, pack
from ..result import EmulatorState


def straight_in(name: str, dst: str, payloads: np.ndarray, dendrite: int = 0
                ) -> tuple[SpikeSource, Connection, np.ndarray]:
    """Payloads (T, n) or (B, T, n), sent at steps 1..T and replayed periodically as a Lava
    RingBuffer replays them, into population `dst`'s `dendrite`: (the source `name` one step ahead,
    its unit-weight graded synapses, the (B, n) or (n,) input pending for step 1)."""
    ahead = SpikeSource(name, np.roll(payloads, -1, axis=-2))
    n = ahead.n
    conn = Connection(f"{name}:direct", name, dst, sp.identity(n, dtype=np.int64, format="csr"), num_message_bits=24,
                      dendrite=dendrite)
    return ahead, conn, np.asarray(payloads)[..., 0, :].astype(np.int64)


def pending_state(network: Network, pending: dict[str | tuple[str, int], np.ndarray],
                  batch: int = 1, packed: Packed | None = None) -> EmulatorState:
    """`network`'s state before step 1 with `pending` ((n,) or (batch, n) input by population
    name, or by (name, dendrite)) in the dendritic ring slot read at step 1, summed and wrapped to
    int32 as dendrites sum. `packed`: `pack(network)` when the caller has it."""
    packed = packed or pack(network)
    state = initial_state(network, batch, packed)
    pops = {p.name: k for k, p in enumerate(network.populations)}
    slot = state.ring[:, 1 % state.ring.shape[1]]
    for key, values in pending.items():
        name, dendrite = (key, 0) if isinstance(key, str) else key
        if name not in pops:
            raise NetworkError(f"pending: expected population names {sorted(pops)}, found {name!r}")
        pop = network.populations[pops[name]]
        if not 0 <= dendrite < len(pop.DENDRITES):
            raise NetworkError(f"pending: {name!r} has dendrites {pop.DENDRITES}, found dendrite {dendrite!r}")
        if np.shape(values)[-1:] != (pop.n,):
            raise NetworkError(f"pending: {name!r} expected ({pop.n},) or ({batch}, {pop.n}) input, found shape "
                               f"{np.shape(values)}")
        lo = packed.comp.second[pops[name]] if dendrite else packed.first[pops[name]]
        summed = slot[:, lo:lo + pop.n].astype(np.int64) + values
        slot[:, lo:lo + pop.n] = ((summed + 2**31) % 2**32 - 2**31).astype(np.int32)
    return state
