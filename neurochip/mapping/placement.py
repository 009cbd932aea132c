"""What mapping returns: cores with their pieces and resource use, and per-connection routing."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..kernels.layout import Sites

#: Per-core resources: name -> (Placement attribute, profile core limit).
RESOURCES = {
    "compartments": ("compartments", "max_compartments"),
    "input_axons": ("input_axons", "max_input_axons"),
    "output_axons": ("output_axons", "max_output_axons"),
    "synaptic_memory_bits": ("memory_bits", "synaptic_memory"),
}


@dataclass(frozen=True)
class Piece:
    """Compartments of one population placed on one core (indices local to the population)."""

    population: str
    compartments: NDArray[np.int64]


@dataclass(frozen=True)
class ConnectionRoute:
    """Routing of one connection's spikes.

    messages : spike messages per step if every presynaptic axon spiked once (one per
        distinct destination core of each axon); per actual spike, divide by n_src.
    hops_ew, hops_ns : east-west and north-south mesh hops summed over messages between tiles of
        one chip.
    """

    name: str
    n_src: int
    messages: int
    intra_tile: int
    hops_ew: int
    hops_ns: int
    off_chip: int
    off_board: int
    from_host: bool

    @property
    def hops(self) -> int:
        return self.hops_ew + self.hops_ns

    @property
    def messages_per_spike(self) -> float:
        return self.messages / self.n_src if self.n_src else 0.0

    @property
    def mean_hops(self) -> float | None:
        between = self.messages - self.intra_tile - self.off_chip - self.off_board
        return None if self.from_host else (self.hops / between if between else 0.0)


@dataclass(frozen=True)
class Placement:
    """A network placed on a profile's cores, tiles, chips and boards.

    Per core arrays (n_cores,): compartments, input_axons, output_axons, memory_bits, synapses,
    chip, tile_row, tile_col, board. `limits` holds each resource's per-core limit (None: not
    stated by the profile, so not checked). `core_of` maps population name -> (n,) core of each
    compartment. `synapses_on_core` is (n_conns, n_cores); `row_route` is (rows, 6) per synapse
    row (one per presynaptic axon of each connection, connections in order): messages, messages
    within the tile, east-west hops, north-south hops, messages to another chip of the board,
    messages to another board. `system` is the largest published system (name, chips) or None.
    `memory_modeled` is False when the profile publishes no synapse encoding: memory_bits are
    then zeros that mean "not counted", and `to_dict` gives None for them. `violations` lists the
    limits a placement kept as given (`map_network(..., enforce=False)`) exceeds, one line each.
    """

    profile: str
    strategy: str
    pieces: list[list[Piece]]
    compartments: NDArray[np.int64]
    input_axons: NDArray[np.int64]
    output_axons: NDArray[np.int64]
    memory_bits: NDArray[np.int64]
    synapses: NDArray[np.int64]
    chip: NDArray[np.int64]
    tile_row: NDArray[np.int64]
    tile_col: NDArray[np.int64]
    board: NDArray[np.int64]
    limits: dict[str, float | None]
    core_of: dict[str, NDArray[np.int64]]
    routes: list[ConnectionRoute]
    synapses_on_core: NDArray[np.int64] = field(repr=False)
    row_route: NDArray[np.int64] = field(repr=False)
    system: tuple[str, int] | None = None
    memory_modeled: bool = True
    violations: tuple[str, ...] = ()

    @property
    def n_cores(self) -> int:
        return int(self.compartments.size)

    @property
    def n_chips(self) -> int:
        return int(self.chip.max()) + 1 if self.n_cores else 0

    @property
    def n_boards(self) -> int:
        return int(self.board.max()) + 1 if self.n_cores else 0

    @property
    def exceeds_system(self) -> bool:
        """True when more chips are used than the largest published system holds."""
        return self.system is not None and self.n_chips > self.system[1]

    def sites(self) -> Sites:
        """Core of every compartment (populations in network order) and each core's tile and chip."""
        core_of = np.concatenate(list(self.core_of.values())) if self.core_of else np.zeros(0, np.int64)
        return Sites(core_of.astype(np.int64), self.tile_row, self.tile_col, self.chip, self.board)

    @property
    def tiles_used(self) -> int:
        return len(set(zip(self.chip.tolist(), self.tile_row.tolist(), self.tile_col.tolist())))

    def utilization(self) -> dict[str, tuple[NDArray[np.int64], float | None]]:
        """Resource -> (per-core use, limit or None)."""
        return {name: (getattr(self, attr), self.limits[name]) for name, (attr, _) in RESOURCES.items()}

    def traffic(self) -> dict[str, float]:
        """Spike messages if every compartment and input axon spiked once: total, between tiles,
        across chips, and mesh hops."""
        return {
            "messages": float(sum(r.messages for r in self.routes)),
            "messages_between_tiles": float(sum(r.messages - r.intra_tile - r.off_chip - r.off_board
                                                for r in self.routes if not r.from_host)),
            "messages_off_chip": float(sum(r.off_chip for r in self.routes)),
            "messages_off_board": float(sum(r.off_board for r in self.routes)),
            "hops": float(sum(r.hops for r in self.routes)),
        }

    def to_dict(self) -> dict:
        """JSON-ready summary: cores with use and utilization percentages, routes, traffic."""
        cores = []
        for k in range(self.n_cores):
            use = {name: int(getattr(self, attr)[k]) for name, (attr, _) in RESOURCES.items()}
            if not self.memory_modeled:
                use["synaptic_memory_bits"] = None
            cores.append({
                "core": k, "board": int(self.board[k]), "chip": int(self.chip[k]),
                "tile": [int(self.tile_row[k]), int(self.tile_col[k])],
                "pieces": [{"population": p.population, "compartments": int(p.compartments.size),
                            "first": int(p.compartments.min()), "last": int(p.compartments.max())}
                           for p in self.pieces[k]],
                "synapses": int(self.synapses[k]), **use,
                "utilization_pct": {name: (100.0 * use[name] / lim if lim and use[name] is not None else None)
                                    for name, lim in self.limits.items()},
            })
        return {
            "profile": self.profile, "strategy": self.strategy, "n_cores": self.n_cores, "n_chips": self.n_chips,
            "n_boards": self.n_boards, "system": None if self.system is None else
            {"name": self.system[0], "chips": self.system[1], "exceeded": self.exceeds_system},
            "tiles_used": self.tiles_used, "limits": self.limits, "violations": list(self.violations),
            "traffic": self.traffic(), "cores": cores,
            "connections": [{"name": r.name, "messages_per_spike": r.messages_per_spike, "mean_hops": r.mean_hops,
                             "intra_tile": r.intra_tile, "off_chip": r.off_chip, "off_board": r.off_board,
                             "from_host": r.from_host}
                            for r in self.routes],
        }
