"""Price a run's exact counters on a hardware profile: J, W, s, EDP, breakdowns, brain comparison."""
from ..errors import EnergyError
from ..mapping import ACTIONS, action_counts
from .scale import ScaleEstimate, bounds, brain_reference, brain_scale, estimate
from .price import STATIC_SCOPES, check_priceable, dynamic_energy, price, static_power, unpriced
from .report import EnergyReport, neurobench_metrics

__all__ = ["ACTIONS", "STATIC_SCOPES", "EnergyError", "EnergyReport", "ScaleEstimate", "action_counts", "bounds", "brain_reference", "brain_scale",
           "check_priceable", "estimate",
           "dynamic_energy", "neurobench_metrics", "price", "static_power", "unpriced"]
