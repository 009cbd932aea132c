"""The network: nodes (neuron populations and spike sources) and the connections between them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .connections import Connection
from .populations import ATRLIF, LIF, POPULATIONS, Product, Resonator, SigmaDelta
from .sources import BernoulliSource, SpikeSource
from ..errors import NetworkError, network_error

Source = Union[SpikeSource, BernoulliSource]
Population = Union[LIF, SigmaDelta, ATRLIF, Resonator, Product]
Node = Union[Population, SpikeSource, BernoulliSource]


@dataclass(frozen=True, eq=False)
class Network:
    """A validated graph. Construction fails with `NetworkError` on duplicate names, dangling
    connection ends, shape mismatches, connections into sources, or disagreeing batch sizes.

    Parameters
    ----------
    populations : LIF, SigmaDelta, ATRLIF, Resonator and Product populations; their compartments are
        emulated in this order.
    sources : spike sources feeding the populations.
    connections : synapses between nodes; a connection's `dst` must be a population.
    """

    populations: tuple[Population, ...]
    sources: tuple[Source, ...] = ()
    connections: tuple[Connection, ...] = ()

    def __post_init__(self) -> None:
        for field, kinds in (("populations", POPULATIONS), ("sources", (SpikeSource, BernoulliSource)),
                             ("connections", (Connection,))):
            items = tuple(getattr(self, field))
            for item in items:
                if not isinstance(item, kinds):
                    raise network_error("Network", field, " or ".join(k.__name__ for k in kinds),
                                        type(item).__name__)
            object.__setattr__(self, field, items)
        names: dict[str, object] = {}
        for item in (*self.populations, *self.sources, *self.connections):
            if item.name in names:
                raise NetworkError(f"{item.name!r}: name used twice (by {type(names[item.name]).__name__} "
                                   f"and {type(item).__name__}); node names must be unique")
            names[item.name] = item
        nodes = self.nodes
        for c in self.connections:
            if c.src not in nodes:
                raise network_error(c.name, "src", f"one of the nodes {sorted(nodes)}", repr(c.src))
            if c.dst not in nodes:
                raise network_error(c.name, "dst", f"one of the nodes {sorted(nodes)}", repr(c.dst))
            if not isinstance(nodes[c.dst], POPULATIONS):
                raise network_error(c.name, "dst", "a population (sources take no input)",
                                    f"{type(nodes[c.dst]).__name__} {c.dst!r}")
            dendrites = nodes[c.dst].DENDRITES
            if c.dendrite >= len(dendrites):
                raise network_error(c.name, "dendrite", f"an index into {c.dst!r}'s dendrites {dendrites}", c.dendrite)
            want = (nodes[c.dst].n, nodes[c.src].n)
            if c.shape != want:
                raise network_error(c.name, "weights", f"shape (n_dst, n_src) = {want}", f"shape {c.shape}")
        batches = {s.name: s.batch for s in self.sources if s.batch is not None}
        if len(set(batches.values())) > 1:
            raise network_error("Network", "sources", "one batch size across batched sources", batches)

    @property
    def nodes(self) -> dict[str, Node]:
        """Populations then sources, by name, in emulation order."""
        return {n.name: n for n in (*self.populations, *self.sources)}

    @property
    def plastic(self) -> tuple[Connection, ...]:
        """The connections with a learning rule, in network order (`layout.Plastic` order)."""
        return tuple(c for c in self.connections if c.learning is not None)

    @property
    def batch(self) -> int | None:
        """Batch size of the batched sources, or None when no source is batched."""
        return next((s.batch for s in self.sources if s.batch is not None), None)

    @property
    def n_compartments(self) -> int:
        return sum(p.n for p in self.populations)
