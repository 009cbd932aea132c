"""The dense backprop baseline: data, an MLP trained by backpropagation, its counted, modeled and
measured cost on CPUs and GPUs."""
from .cost import DTYPE_BYTES, DenseEstimate, LayerCost, Work, estimate, layer_costs, training_estimate, training_work
from .crossover import crossover, gpu_sweep
from .data import Dataset, digits, mnist, mnist1d
from .measure import NotMeasurable, measure_cpu, measure_gpu, save_measurement
from .mlp import MLP, train

__all__ = ["DTYPE_BYTES", "Dataset", "DenseEstimate", "LayerCost", "MLP", "NotMeasurable", "crossover", "digits",
           "estimate", "gpu_sweep", "layer_costs", "measure_cpu", "measure_gpu", "mnist", "mnist1d",
           "save_measurement", "train", "training_estimate", "training_work", "Work"]
