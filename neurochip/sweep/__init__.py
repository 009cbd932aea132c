"""Design-space exploration: sweep chip and model parameters, store results durably, find fronts."""
from .pareto import front
from .run import OBJECTIVES, evaluate_group, plan, run_sweep
from .spec import Spec, SweepError, load_spec, point_key
from .store import Store

__all__ = ["OBJECTIVES", "Spec", "Store", "SweepError", "evaluate_group", "front", "load_spec", "plan", "point_key",
           "run_sweep"]
