"""Place networks onto a hardware profile's cores under its limits; model time per step."""
from .partition import STRATEGIES, MappingError, map_network
from .latency import LatencyError, StepTime, step_time
from .placement import ConnectionRoute, Piece, Placement

__all__ = ["STRATEGIES", "ConnectionRoute", "LatencyError", "MappingError", "Piece", "Placement", "StepTime",
           "map_network", "step_time"]
