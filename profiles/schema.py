"""The hardware-profile schema: every figure is a `Quantity` with a unit and a source.

A missing (None) figure means unpublished: code that needs it must say so, never assume zero.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from ..errors import ProfileError
from .overrides import apply_overrides
from .yamlfile import locate

#: Units accepted per dimension, with their factor to SI (J, s, W, bit, count, op/s, B/s).
UNITS: dict[str, dict[str, float]] = {
    "energy": {"fJ": 1e-15, "pJ": 1e-12, "nJ": 1e-9, "uJ": 1e-6, "mJ": 1e-3, "J": 1.0},
    "time": {"ps": 1e-12, "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0},
    "power": {"uW": 1e-6, "mW": 1e-3, "W": 1.0},
    "bits": {"bit": 1.0, "B": 8.0, "KiB": 8 * 2.0**10, "MiB": 8 * 2.0**20, "GB": 8e9},
    "count": {"count": 1.0},
    "rate": {"op/s": 1.0, "FLOP/s": 1.0, "GFLOP/s": 1e9, "TFLOP/s": 1e12, "Hz": 1.0},
    "bandwidth": {"B/s": 1.0, "GB/s": 1e9, "TB/s": 1e12},
}

#: Where a figure comes from: "fitted" is a model parameter fitted to measurements (its source says
#: which, and on what), reported as modeled.
Basis = Literal["simulated", "measured", "derived", "datasheet", "recalled", "code", "override", "fitted"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(Strict):
    """A sourced figure. `si` is the value in the dimension's SI unit."""

    value: float = Field(ge=0, allow_inf_nan=False)
    unit: str
    source: str = Field(min_length=3)
    basis: Basis
    bound: Literal["min", "max", "nominal"] = "nominal"
    note: str | None = None

    dimension: ClassVar[str] = ""

    @property
    def si(self) -> float:
        return self.value * UNITS[self.dimension][self.unit]

    @property
    def status(self) -> str:
        """'measured' or 'modeled', as reports print it."""
        return "measured" if self.basis == "measured" else "modeled"


def quantity_of(dimension: str) -> type[Quantity]:
    """A `Quantity` subclass whose unit must belong to `dimension`."""
    article = "an" if dimension[0] in "aeiou" else "a"

    def unit_in_dimension(cls, unit: str) -> str:
        if unit not in UNITS[dimension]:
            raise ValueError(f"{article} {dimension} unit, one of {sorted(UNITS[dimension])}, not {unit!r}")
        return unit

    validators = {"unit_in_dimension": field_validator("unit")(unit_in_dimension)}
    if dimension == "count":
        def whole(cls, value: float) -> float:
            if not float(value).is_integer():
                raise ValueError(f"a whole number, not {value!r}")
            return value

        validators["whole_count"] = field_validator("value")(whole)
    model = create_model(f"{dimension.capitalize()}Quantity", __base__=Quantity, __validators__=validators)
    model.dimension = dimension
    return model


Energy, Time, Power, Bits, Count, Rate, Bandwidth = (quantity_of(d) for d in
                                                     ("energy", "time", "power", "bits", "count", "rate", "bandwidth"))


class SynapseEncoding(Strict):
    """How one core stores synapses (nengo-loihi's model of Loihi synapse formats).

    Each input axon's synapses on a core are stored in blocks of at most `synapses_per_block`;
    a block costs n x (weight + delay [+ index]) bits plus `block_header_bits`, rounded up to
    whole `word_bits` words. The dense format stores every target in the axon's index span
    without index bits; the sparse format stores only nonzero synapses with index bits.
    Widths are taken from the allowed menus (the smallest entry that fits).
    """

    word_bits: int = Field(gt=0)
    synapses_per_block: int = Field(gt=0)
    block_header_bits: int = Field(ge=0)
    weight_bits_menu: tuple[int, ...]
    index_bits_menu: tuple[int, ...]
    source: str = Field(min_length=3)

    @field_validator("weight_bits_menu", "index_bits_menu")
    @classmethod
    def _menu(cls, menu: tuple[int, ...]) -> tuple[int, ...]:
        if not menu or any(b <= 0 for b in menu) or list(menu) != sorted(menu):
            raise ValueError("a non-empty ascending list of positive bit widths")
        return menu


class ActiveUpdate(Strict):
    """Which compartment updates a profile prices and times as active (`neuron_update_active`):
    `input_or_spike`, those with nonzero dendritic input or a spike (the default); or
    `nonzero_state`, those with v nonzero before the step, nonzero input or a nonzero bias
    (SANA-FE's "updated" neuron)."""

    rule: Literal["input_or_spike", "nonzero_state"]
    source: str = Field(min_length=3)


class ResetModes(Strict):
    """What a spike can do to a compartment's v on this target (`LIF.reset`): "zero" and/or
    "subtract" (the threshold). Without this section a target resets to zero only."""

    modes: tuple[Literal["zero", "subtract"], ...] = Field(min_length=1)
    source: str = Field(min_length=3)


class NeuronModels(Strict):
    """The neuron models this target's cores run (a population's `MODEL`): "lif" (Loihi's CUBA
    LIF), "sigma_delta" (Loihi 2's graded sigma-delta neurons), "atrlif" (Loihi 2's adaptive
    threshold, refractory LIF), "resonator" (resonate-and-fire) and "product" (two graded inputs
    multiplied). Without this section a target runs LIF only."""

    models: tuple[Literal["lif", "sigma_delta", "atrlif", "resonator", "product"], ...] = Field(min_length=1)
    source: str = Field(min_length=3)


class Core(Strict):
    """Per-core limits, which compartment updates count as active, the resets and the neuron
    models a core runs."""

    max_compartments: Count
    max_input_axons: Count | None = None
    max_output_axons: Count | None = None
    synaptic_memory: Bits | None = None
    max_weight_bits: Count | None = None
    max_delay: Count | None = None
    max_destination_cores_per_compartment: Count | None = None
    synapse_encoding: SynapseEncoding | None = None
    active_update: ActiveUpdate | None = None
    reset_modes: ResetModes | None = None
    neuron_models: NeuronModels | None = None


class Chip(Strict):
    """Chip and board structure: cores grouped in tiles on a rows x cols mesh."""

    cores_per_chip: Count
    cores_per_tile: Count | None = None
    mesh_rows: Count | None = None
    mesh_cols: Count | None = None
    chips_per_board: Count | None = None

    @model_validator(mode="after")
    def _mesh(self) -> "Chip":
        if None not in (self.cores_per_tile, self.mesh_rows, self.mesh_cols):
            tiles = self.mesh_rows.value * self.mesh_cols.value
            if tiles * self.cores_per_tile.value != self.cores_per_chip.value:
                raise ValueError(f"mesh_rows x mesh_cols x cores_per_tile = {tiles * self.cores_per_tile.value:g} "
                                 f"must equal cores_per_chip = {self.cores_per_chip.value:g}")
        return self


class System(Strict):
    """The largest published system built from the chip: its name and how many chips it holds.
    Boards hold `chip.chips_per_board` chips each; a placement may use more chips than the system
    holds (reports then say so), never fewer boards than it needs."""

    name: str = Field(min_length=1)
    chips: Count


class OpEnergy(Strict):
    """Dynamic energy per action. Keys equal the emulator's counter names where they match.
    `synaptic_op_conv` prices a convolution's synaptic ops where the format has its own figure
    (SANA-FE's conv synapse); without one they are priced as `synaptic_op`."""

    synaptic_op: Energy | None = None
    synaptic_op_conv: Energy | None = None
    synaptic_update: Energy | None = None
    neuron_update_active: Energy | None = None
    neuron_update_inactive: Energy | None = None
    spike_intra_tile: Energy | None = None
    spike_hop_ew: Energy | None = None
    spike_hop_ns: Energy | None = None
    spike_off_chip: Energy | None = None
    spike_off_board: Energy | None = None
    barrier_sync: Energy | None = None
    message_bit: Energy | None = None
    spike_out: Energy | None = None
    message_out: Energy | None = None
    flop_fp32: Energy | None = None
    flop_bf16: Energy | None = None
    mac_fp32: Energy | None = None
    mac_int8: Energy | None = None
    dram_byte: Energy | None = None
    sram_byte: Energy | None = None
    synaptic_event_aggregate: Energy | None = None
    spike_aggregate: Energy | None = None


class BarrierTable(Strict):
    """Barrier time by tiles used, a step function: the time of the largest `tiles` entry not
    above the tiles used (the first entry's below it), as SANA-FE looks up its calibrated table."""

    tiles: tuple[int, ...]
    values: tuple[float, ...]
    unit: str
    basis: Basis
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _table(self) -> "BarrierTable":
        if not self.tiles or list(self.tiles) != sorted(set(self.tiles)) or self.tiles[0] < 1:
            raise ValueError("tiles: a non-empty ascending list of distinct tile counts >= 1")
        if len(self.values) != len(self.tiles) or min(self.values) < 0:
            raise ValueError(f"values: {len(self.tiles)} non-negative times, one per tiles entry")
        if self.unit not in UNITS["time"]:
            raise ValueError(f"unit: a time unit, one of {sorted(UNITS['time'])}, not {self.unit!r}")
        return self

    def at(self, tiles: int) -> float:
        """Seconds of barrier for `tiles` tiles used."""
        k = max(sum(t <= tiles for t in self.tiles) - 1, 0)
        return self.values[k] * UNITS["time"][self.unit]


class OpTime(Strict):
    """Time per action (for the latency model). `spike_out`, `message_out` and `message_in` are
    the sending core's time per spike and per message and the receiving core's per message;
    mesh and chip-to-chip times are travel times (they delay a message, not its core)."""

    synaptic_op: Time | None = None
    synaptic_op_conv: Time | None = None
    synaptic_update: Time | None = None
    neuron_update_active: Time | None = None
    neuron_update_inactive: Time | None = None
    spike_intra_tile: Time | None = None
    spike_hop_ew: Time | None = None
    spike_hop_ns: Time | None = None
    spike_off_chip: Time | None = None
    spike_off_board: Time | None = None
    barrier_sync_single_tile: Time | None = None
    barrier_sync_all_tiles: Time | None = None
    barrier_sync_multi_chip: Time | None = None
    barrier_sync_by_tiles: BarrierTable | None = None
    spike_out: Time | None = None
    message_out: Time | None = None
    message_in: Time | None = None
    timestep_nominal: Time | None = None
    kernel_launch_per_layer: Time | None = None


class StaticPower(Strict):
    """Leakage/idle power and what it is charged over (`scope`) and why (`reason`)."""

    per_chip: Power | None = None
    per_core: Power | None = None
    idle_board: Power | None = None
    scope: Literal["chips_used", "cores_used", "device"]
    reason: str = Field(min_length=3)


class Host(Strict):
    """The host and the chip's embedded management cores, in the loop of every step (Loihi's x86
    cores moving inputs in and outputs out): a time per step, serial with the neuromorphic
    cores, of `step_fixed` + `step_per_io_core` x the cores that receive input from the host or
    hold an output population, and the power the embedded cores of each chip used draw while
    running (`active_power`, per chip)."""

    step_fixed: Time
    step_per_io_core: Time
    active_power: Power


class MemoryLevel(Strict):
    """One level of a memory hierarchy: what it holds and what a byte read from it costs."""

    name: str = Field(min_length=1)
    capacity: Bits
    energy_per_byte: Energy


class Throughput(Strict):
    """Peak rates and limits of a conventional processor (roofline inputs)."""

    peak_fp32: Rate | None = None
    peak_bf16: Rate | None = None
    memory_bandwidth: Bandwidth | None = None
    memory: Bits | None = None
    board_power_limit: Power | None = None


class Organism(Strict):
    """Whole-organ figures for the `brain` profile."""

    neurons: Count
    synapses: Count | None = None
    total_power: Power
    total_power_low: Power | None = None
    reference_power: Power | None = None
    mean_rate: Rate | None = None


class Profile(Strict):
    """A hardware target. Only `name`, `kind` and `description` are required; the rest is
    whatever is published, each figure with its source."""

    schema_version: Literal[1] = 1
    name: str = Field(min_length=1)
    description: str = Field(min_length=3)
    kind: Literal["neuromorphic", "biological", "cpu", "gpu"]
    core: Core | None = None
    chip: Chip | None = None
    system: System | None = None
    energy: OpEnergy = OpEnergy()
    timing: OpTime = OpTime()
    static_power: StaticPower | None = None
    host: Host | None = None
    throughput: Throughput | None = None
    memory_levels: tuple[MemoryLevel, ...] = ()
    organism: Organism | None = None
    notes: tuple[str, ...] = ()

    def with_(self, overrides: dict[str, Any], origin: str = "Profile.with_") -> "Profile":
        """A copy with figures replaced, e.g. ``{"core.max_compartments": 2048}``. A key naming a
        quantity sets its value (its unit is kept; the source records the override); a key ending
        in ``.value`` does the same explicitly. Raises `ProfileError` naming a bad key or value."""
        data, where = apply_overrides(self.model_dump(exclude_defaults=False), overrides, origin)
        return validate(data, f"{self.name} (with overrides)", where, where)

    @property
    def resets(self) -> tuple[str, ...]:
        """The resets the profile's cores run (`core.reset_modes`; reset to zero when unstated)."""
        return self.core.reset_modes.modes if self.core is not None and self.core.reset_modes else ("zero",)

    @property
    def neuron_models(self) -> tuple[str, ...]:
        """The neuron models the profile's cores run (`core.neuron_models`; LIF when unstated)."""
        return self.core.neuron_models.models if self.core is not None and self.core.neuron_models else ("lif",)

    def figures(self) -> list[tuple[str, Quantity]]:
        """Every sourced figure as (dotted key, quantity), in schema order."""
        out: list[tuple[str, Quantity]] = []

        def walk(prefix: str, model: BaseModel) -> None:
            for key in type(model).model_fields:
                value = getattr(model, key)
                if isinstance(value, Quantity):
                    out.append((f"{prefix}{key}", value))
                elif isinstance(value, BaseModel):
                    walk(f"{prefix}{key}.", value)

        walk("", self)
        return out


def _fields_at(loc: tuple) -> list[str]:
    """Field names of the schema model reached by `loc` (for 'unknown key' messages)."""
    model: type[BaseModel] = Profile
    for key in loc:
        field = model.model_fields.get(key)
        if field is None:
            break
        annotation = field.annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,))
                      if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            break
        model = candidates[0]
    return sorted(model.model_fields)


def _describe(error: dict) -> tuple[str, str | None]:
    """(expected, found) in words for one pydantic error."""
    kind, found = error["type"], error.get("input")
    if kind == "missing":
        return "a value (required)", "nothing"
    if kind == "extra_forbidden":
        return f"one of the keys {_fields_at(error['loc'][:-1])}", f"unknown key {error['loc'][-1]!r}"
    msg = error["msg"]
    for prefix in ("Value error, ", "Input should be ", "String should have "):
        msg = msg.removeprefix(prefix)
    return msg, None if isinstance(found, dict) else repr(found)   # a rule across a section: its message says it


def validate(data: dict, label: str, origins: Mapping[tuple, str],
             overridden: Mapping[tuple, str] | None = None) -> Profile:
    """Build a `Profile`; a failure lists every problem with where it was written (file:line, or
    the override), key path, expected and found. A problem with a whole section (a rule across
    its figures) is blamed on an override inside that section when there is one."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems, paths = [], []
        for error in exc.errors():
            loc = tuple(k for k in error["loc"] if not (isinstance(k, str) and "[" in k))
            blamed = [o for key, o in (overridden or {}).items() if key[:len(loc)] == loc]
            where = blamed[0] if blamed else locate(origins, loc, label)
            expected, found = _describe(error)
            paths.append(loc)
            problems.append(f"{where}: {'.'.join(map(str, loc)) or '(top)'}: expected {expected}"
                            + ("" if found is None else f", found {found}"))
        raise ProfileError("\n".join(problems), tuple(paths)) from None
