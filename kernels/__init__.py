"""Numba kernels: pure functions over arrays (no classes, globals or I/O).

`fixed_point` holds Loihi's integer arithmetic, `synapse` the event-driven delivery of one
presynaptic row, `lif` the compartment update, and `step` the time loop that drives them.
"""
from .fixed_point import lif_compartment, wrap_int32
from .step import run_batch

__all__ = ["lif_compartment", "run_batch", "wrap_int32"]
