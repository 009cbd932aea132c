"""Network IR: small validated dataclasses with plain numpy arrays inside."""
from .connections import Connection, SignMode, Synapses, truncate_weights
from .network import Network
from .populations import LIF
from .sources import BernoulliSource, SpikeSource

__all__ = ["BernoulliSource", "Connection", "LIF", "Network", "SignMode", "SpikeSource", "Synapses",
           "truncate_weights"]
