"""Network IR: small validated dataclasses with plain numpy arrays inside."""
from .connections import Connection, SignMode, truncate_weights, whole_weights
from .conv import ConvKernel
from .learning import LearningRule, stdp
from .network import Network
from .populations import ATRLIF, LIF, POPULATIONS, RESETS, Product, Resonator, SigmaDelta
from .sources import BernoulliSource, SpikeSource

__all__ = ["ATRLIF", "BernoulliSource", "Connection", "ConvKernel", "LIF", "LearningRule", "Network", "POPULATIONS", "Product", "RESETS", "Resonator",
           "SigmaDelta", "SignMode", "SpikeSource", "stdp",
           "truncate_weights", "whole_weights"]
