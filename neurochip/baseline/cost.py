"""What a dense MLP costs to run and to train: exact counts (`Work`), then modeled energy and time
on a CPU/GPU profile.

Per inference at batch B (dtype of s bytes), layer l with fan-in a and fan-out b:
    MACs = a x b;  parameter bytes = (a x b + b) x s, read once per batch, so / B per inference;
    activation bytes = (a + b) x s per sample.
Energy (profile `energy`): MACs x (mac_<dtype>, or 2 x flop_<dtype>) + weight bytes x dram_byte
    + activation bytes x sram_byte, each term only where the profile prices it (else noted).
Time per batch (roofline): layers x kernel_launch_per_layer
    + max(2 x MACs x B / peak_<dtype>, bytes per batch / memory_bandwidth); static power x time.
Training (`training_work`): forward + backward + Adam update per sample, priced the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import BaselineError
from ..profiles import Profile, load_profile

DTYPE_BYTES = {"fp32": 4, "bf16": 2, "int8": 1}


def dtype_bytes(dtype: str) -> int:
    """Bytes per value of `dtype`; a `BaselineError` names the dtypes known."""
    if dtype not in DTYPE_BYTES:
        raise BaselineError(f"dtype: expected one of {sorted(DTYPE_BYTES)}, found {dtype!r}")
    return DTYPE_BYTES[dtype]


@dataclass(frozen=True)
class LayerCost:
    fan_in: int
    fan_out: int
    macs: int
    parameter_bytes: int
    activation_bytes: int


def layer_costs(sizes: tuple[int, ...], dtype: str = "fp32") -> list[LayerCost]:
    """Exact per-layer counts for one sample (parameter bytes are per batch)."""
    s = dtype_bytes(dtype)
    return [LayerCost(a, b, a * b, (a * b + b) * s, (a + b) * s) for a, b in zip(sizes[:-1], sizes[1:])]


@dataclass(frozen=True)
class DenseEstimate:
    """Modeled cost of one inference of a dense MLP at a batch size on a profile."""

    profile: str
    dtype: str
    batch: int
    macs: int
    bytes_moved: float
    dynamic_energy_j: float
    static_energy_j: float | None
    time_per_inference_s: float | None
    breakdown_j: dict[str, float]
    notes: list[str] = field(default_factory=list)
    status: str = "modeled"

    @property
    def energy_per_inference_j(self) -> float:
        return self.dynamic_energy_j + (self.static_energy_j or 0.0)

    @property
    def inferences_per_s(self) -> float | None:
        return 1.0 / self.time_per_inference_s if self.time_per_inference_s else None

    @property
    def power_w(self) -> float | None:
        return self.energy_per_inference_j / self.time_per_inference_s if self.time_per_inference_s else None


def _mac_energy(profile: Profile, dtype: str) -> tuple[float | None, str]:
    mac = getattr(profile.energy, f"mac_{dtype}", None)
    if mac is not None:
        return mac.si, f"energy.mac_{dtype}"
    flop = getattr(profile.energy, f"flop_{dtype}", None)
    if flop is not None:
        return 2 * flop.si, f"2 x energy.flop_{dtype}"
    return None, f"energy.mac_{dtype} or energy.flop_{dtype}"


@dataclass(frozen=True)
class Work:
    """Counted work of one sample at batch B: MACs and other flops per sample, parameter-side bytes
    per batch (weights and optimiser state, read or written once per batch), activation bytes per
    sample, and kernels launched per batch."""

    macs: int
    flops: int
    parameter_bytes: int
    activation_bytes: int
    kernels: int


def inference_work(sizes: tuple[int, ...], dtype: str = "fp32") -> Work:
    """One forward pass: every layer's MACs, its parameters read once per batch, its input and
    output activations moved once, one kernel per layer."""
    layers = layer_costs(sizes, dtype)
    return Work(sum(c.macs for c in layers), 0, sum(c.parameter_bytes for c in layers),
                sum(c.activation_bytes for c in layers), len(layers))


#: Flops per parameter of one Adam step as `baseline.mlp.train` runs it (first moment 3, second 4,
#: the two bias corrections 2, square root, epsilon, division, learning rate, subtraction 5).
ADAM_FLOPS = 14
#: Parameter-sized arrays an Adam step reads (w, m, v, g) and writes (w, m, v).
ADAM_ARRAYS_MOVED = 7


def training_work(sizes: tuple[int, ...], dtype: str = "fp32") -> Work:
    """One sample of minibatch backprop with Adam, as `baseline.mlp.train` computes it: the forward
    pass, the backward pass (each layer's weight gradient, a x b MACs, and, above the first layer,
    the gradient of its input, a x b MACs), and per batch one Adam update of every parameter.
    Bytes: parameters read forward and backward and the Adam arrays moved once per batch;
    activations written forward and read back for the backward pass (twice the forward's)."""
    layers = layer_costs(sizes, dtype)
    fwd = sum(c.macs for c in layers)
    params = sum(c.parameter_bytes for c in layers)
    return Work(2 * fwd + sum(c.macs for c in layers[1:]), 0, (2 + ADAM_ARRAYS_MOVED) * params,
                2 * sum(c.activation_bytes for c in layers), 3 * len(layers))


def update_flops(sizes: tuple[int, ...]) -> int:
    """Flops of one Adam step over every parameter (weights and biases) of an MLP of `sizes`."""
    return ADAM_FLOPS * sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def estimate(sizes: tuple[int, ...], profile: Profile | str, dtype: str = "fp32", batch: int = 1) -> DenseEstimate:
    """Modeled energy and time per inference of an MLP with layer `sizes` (see module doc)."""
    return price_work(inference_work(sizes, dtype), profile, dtype, batch)


def training_estimate(sizes: tuple[int, ...], profile: Profile | str, dtype: str = "fp32",
                      batch: int = 32) -> DenseEstimate:
    """Modeled energy and time per training sample of backprop with Adam on an MLP of `sizes` at
    minibatch `batch` (`training_work`; the update's flops shared by the batch's samples)."""
    w = training_work(sizes, dtype)
    flops = -(-update_flops(sizes) // batch)
    return price_work(Work(w.macs, flops, w.parameter_bytes, w.activation_bytes, w.kernels + 1), profile, dtype, batch)


def price_work(work: Work, profile: Profile | str, dtype: str, batch: int) -> DenseEstimate:
    """Energy and time per sample of `work` at `batch` on a cpu or gpu profile (see module doc);
    flops other than MACs are priced at half a MAC."""
    profile = load_profile(profile)
    if profile.kind not in ("cpu", "gpu"):
        raise BaselineError(f"profile {profile.name!r} is {profile.kind}: dense estimates need a cpu or gpu profile")
    dtype_bytes(dtype)
    macs = work.macs + work.flops / 2
    weight_bytes = work.parameter_bytes / batch
    act_bytes = work.activation_bytes
    e_mac, key = _mac_energy(profile, dtype)
    if e_mac is None:
        raise BaselineError(f"profile {profile.name!r} has no {key}: cannot price {dtype} MACs")
    breakdown = {"mac": macs * e_mac}
    notes = []
    working_set = weight_bytes * batch + act_bytes * batch
    level = next((lv for lv in profile.memory_levels if lv.capacity.si / 8 >= working_set), None)
    if level is not None:
        breakdown["memory_bytes"] = (weight_bytes + act_bytes) * level.energy_per_byte.si
        notes.append(f"the {working_set / 1024:,.1f} KiB working set fits {level.name}: every byte read from there "
                     f"({level.energy_per_byte.value:g} pJ)")
    else:
        for name, n, q in (("weight_bytes", weight_bytes, profile.energy.dram_byte),
                           ("activation_bytes", act_bytes, profile.energy.sram_byte)):
            if q is None:
                notes.append(f"{name.replace('_', ' ')} not priced: profile {profile.name!r} publishes no "
                             f"energy.{'dram' if name == 'weight_bytes' else 'sram'}_byte")
            else:
                breakdown[name] = n * q.si
    time = _roofline_time(profile, work, dtype, batch, notes)
    static = None
    if profile.static_power is None or profile.static_power.idle_board is None:
        notes.append(f"profile {profile.name!r} publishes no static power: none charged")
    elif time is None:
        notes.append("static power not charged: time not modeled")
    else:
        idle = profile.static_power.idle_board.si
        limit = profile.throughput.board_power_limit if profile.throughput else None
        if limit is not None and sum(breakdown.values()) / time + idle > limit.si:   # power-capped: slower
            time = sum(breakdown.values()) / (limit.si - idle)
            notes.append(f"power-capped at the {limit.value:g} {limit.unit} board limit: runs slower than its roofline")
        static = idle * time
    return DenseEstimate(profile.name, dtype, batch, round(macs), weight_bytes + act_bytes, sum(breakdown.values()),
                         static, time, breakdown, notes)


def _roofline_time(profile: Profile, work: Work, dtype: str, batch: int, notes: list[str]) -> float | None:
    tp = profile.throughput
    peak = getattr(tp, f"peak_{dtype}", None) if tp else None
    if peak is None or tp.memory_bandwidth is None:
        notes.append(f"time not modeled: profile {profile.name!r} publishes no throughput.peak_{dtype} "
                     "and memory_bandwidth")
        return None
    flops = (2 * work.macs + work.flops) * batch
    bytes_batch = work.parameter_bytes + work.activation_bytes * batch
    launch = profile.timing.kernel_launch_per_layer
    overhead = work.kernels * launch.si if launch else 0.0
    if launch is None:
        notes.append("no kernel launch overhead in the profile: small batches are optimistic")
    return (overhead + max(flops / peak.si, bytes_batch / tp.memory_bandwidth.si)) / batch
