"""Network IR: small validated dataclasses with plain numpy arrays inside."""
from .connections import Connection, SignMode, truncate_weights
from .conv import ConvKernel
from .network import Network
from .populations import LIF, RESETS
from .sources import BernoulliSource, SpikeSource

__all__ = ["BernoulliSource", "Connection", "ConvKernel", "LIF", "Network", "RESETS", "SignMode", "SpikeSource",
           "truncate_weights"]
