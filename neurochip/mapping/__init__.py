"""Place networks onto a hardware profile's cores under its limits; model time per step; count
what the chip does in a run on a placement."""
from .activity import ACTIONS, action_counts, active_counter, per_core_counts
from .latency import LatencyError, StepTime, io_cores, latency_summary, step_time
from .partition import STRATEGIES, MappingError, map_network
from .placement import ConnectionRoute, Piece, Placement

__all__ = ["ACTIONS", "STRATEGIES", "ConnectionRoute", "LatencyError", "MappingError", "Piece", "Placement", "StepTime",
           "action_counts", "active_counter", "io_cores", "latency_summary", "map_network", "per_core_counts", "step_time"]
