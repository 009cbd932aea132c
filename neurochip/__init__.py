"""neurochip: bit-exact, event-driven emulation of Loihi-style neuromorphic cores."""
from .emulate import emulate
from .errors import NetworkError
from .ir import LIF, BernoulliSource, Connection, Network, SignMode, SpikeSource
from .result import Counters, EmulatorState, Result

__all__ = ["BernoulliSource", "Connection", "Counters", "EmulatorState", "LIF", "Network", "NetworkError",
           "Result", "SignMode", "SpikeSource", "emulate"]
__version__ = "0.1.0"
