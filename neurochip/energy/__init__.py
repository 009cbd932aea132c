"""Price a run's exact counters on a hardware profile: J, W, s, EDP, breakdowns, brain comparison."""
from ..errors import EnergyError
from ..mapping import ACTIONS, action_counts
from .brain import brain_scale
from .price import dynamic_energy, price, static_power
from .report import EnergyReport, neurobench_metrics

__all__ = ["ACTIONS", "EnergyError", "EnergyReport", "action_counts", "brain_scale", "dynamic_energy",
           "neurobench_metrics", "price", "static_power"]
