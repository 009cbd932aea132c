"""Porting a model to a chip profile (`neurochip port`): a NIR model is quantized, compared with a
float simulation of the same graph on a Bernoulli test input (`run_port`) or on a user's data
(`evaluate`), placed and priced; a lava-dl netx model, already in fixed point, is emulated as
netx runs it on a Bernoulli test input, placed and priced (`run_port_netx`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .api import emulate
from .convert import encode
from .errors import EnergyError, MappingError, ModelFileError
from .interop import nir as nir_io
from .ir import Network
from .mapping import Placement
from .profiles import Profile


def _silent(text: str) -> None:
    """No progress reporting."""


@dataclass(frozen=True)
class Port:
    """A ported model: per-layer quantization report, the fixed-point network with its test input,
    where it sits (None when it does not fit) and the JSON-ready report."""

    layers: tuple[nir_io.LayerReport, ...]
    network: Network
    placement: Placement | None
    dt_s: float
    report: dict


def run_port(model: Path, profile: Profile, dt: float | None = None, rate_hz: float = 20.0, steps: int = 100,
             seed: int = 0, progress: Callable[[str], None] | None = None, reset: str = "zero") -> Port:
    """Load `model` quantized for `profile` (with `reset` where its cores run it, `resets_on`) and
    drive it with Bernoulli spikes at `rate_hz` for `steps` steps (seeded): spike agreement with a
    float simulation per layer, the placement (or why it does not fit) and the energy (or why it
    cannot be priced)."""
    advance = progress or _silent
    used = resets_on(profile, reset)
    loaded = nir_io.load(model, dt=dt, profile=profile, reset=used)
    step = loaded.dt or 1e-3
    spikes = nir_io.bernoulli_inputs(loaded, rate_hz, steps, seed)
    if not any(s.any() for s in spikes.values()):
        n = sum(s.shape[-1] for s in spikes.values())
        raise nir_io.NIRError(f"test input: 0 spikes in {steps} steps at {rate_hz:g} Hz and dt {step:g} s (expected "
                              f"{rate_hz * step * steps * n:.2g} over {n} inputs): raise --rate or --steps")
    advance("comparing with a float simulation (a first run compiles the kernels)")
    layers = nir_io.agreement(loaded, spikes, steps)
    network = loaded.network(spikes)
    dt_source = loaded.dt_source if loaded.dt else "assumed: 1 ms (the graph has no time constants)"
    report = {"model": str(model), "profile": profile.name, "dt_s": step, "dt_source": dt_source,
              "input_rate_hz": rate_hz, "steps": steps, "reset": used,
              "layers": [r.__dict__ for r in layers]}
    if used != reset:
        report["reset_note"] = (f"{profile.name} resets to zero only: the model, trained with reset by subtraction, "
                                "runs with reset to zero here (give --data to see the accuracy both ways)")
    placement = _place_and_price(emulate(network, steps), profile, report, advance)
    return Port(layers, network, placement, step, report)


def _place_and_price(run, profile: Profile, report: dict, advance: Callable[[str], None]) -> Placement | None:
    """Place `run` on `profile` and price it into `report` ("placement", "energy"), or record why
    not ("does_not_fit", "energy_error"); the placement, or None when it does not fit."""
    placement = None
    try:
        advance(f"mapping onto {profile.name}")
        placement = run.map(profile)
        report["placement"] = placement.to_dict()
        advance("pricing")
        report["energy"] = run.energy(profile, placement=placement).to_dict()
    except MappingError as exc:
        report["does_not_fit"] = str(exc)
    except EnergyError as exc:
        report["energy_error"] = str(exc)
    return placement


#: Seconds per step assumed for a netx model (its files record no time step).
NETX_DT_S = 1e-3


def run_port_netx(model: Path, profile: Profile, rate_hz: float = 20.0, steps: int = 100, seed: int = 0,
                  progress: Callable[[str], None] | None = None) -> tuple[Network, Placement | None, dict]:
    """Load a lava-dl netx model, drive its input with Bernoulli spikes (payload 1) at `rate_hz`
    for `steps` 1 ms steps (seeded), place and price it on `profile`: (the network, its placement
    or None when it does not fit, the JSON-ready report)."""
    from .interop import netx

    advance = progress or _silent
    loaded = netx.load(model)
    shape = loaded.input_shape
    spikes = (np.random.default_rng(seed).random((steps, *shape)) < rate_hz * NETX_DT_S).astype(np.int32)
    if not spikes.any():
        raise ModelFileError(f"test input: 0 spikes in {steps} steps at {rate_hz:g} Hz over {int(np.prod(shape))} "
                             "inputs: raise --rate or --steps")
    advance("emulating (a first run compiles the kernels)")
    run = loaded.emulate(spikes, steps, record=[p.name for p in loaded.populations])
    layers = [{"name": layer.name, "kind": layer.kind, "neuron": layer.neuron, "shape": list(layer.shape),
               "n": int(np.prod(layer.shape)), "spikes_per_step": float(np.count_nonzero(run.trace(layer.name, "s")))
               / steps} for layer in loaded.layers]
    report = {"model": str(model), "format": "netx", "profile": profile.name, "dt_s": NETX_DT_S,
              "dt_source": "assumed: 1 ms (netx files record no time step)", "input_rate_hz": rate_hz,
              "steps": steps, "layers": layers,
              "connections": [{"name": c.name, "kind": "conv" if c.kernel is not None else "dense",
                               "weight_bits": c.stored_bits, "weight_exp": c.weight_exp,
                               "message_bits": c.num_message_bits} for c in loaded.connections]}
    return run.network, _place_and_price(run, profile, report, advance), report


def load_data(path: Path, model: nir_io.NIRModel, steps: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """(spikes (B, T, n_in) int32, labels (B,) or None) from an .npz holding `spikes` (B, T, n_in)
    integers, or `rates` (B, n_in) in [0, 1] rate coded over `steps` (default 100) as
    `neurochip.convert.encode` does, and optionally `labels` (B,) class indices. Raises
    `ModelFileError` naming the file, the key, what was expected and what was found."""
    if len(model.inputs) != 1:
        raise ModelFileError(f"{path}: expected a graph with one Input node to feed, found {len(model.inputs)}")
    (name, shape), = model.inputs.items()
    n_in = int(np.prod(shape))
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{path}: not a readable .npz file ({exc})") from None
    if ("spikes" in arrays) == ("rates" in arrays):
        raise ModelFileError(f"{path}: expected exactly one of the keys 'spikes' or 'rates', found {sorted(arrays)}")
    if "spikes" in arrays:
        spikes = arrays["spikes"]
        if steps is not None:
            raise ModelFileError(f"{path}: holds spikes ({spikes.shape[1] if spikes.ndim == 3 else '?'} steps): "
                                 "--steps applies to 'rates' only")
        if spikes.ndim != 3 or spikes.shape[2] != n_in or not np.issubdtype(spikes.dtype, np.integer) and spikes.dtype != bool:
            raise ModelFileError(f"{path}: spikes: expected integers shaped (samples, steps, {n_in}) for input {name!r}, "
                                 f"found {spikes.dtype} {spikes.shape}")
        spikes = spikes.astype(np.int32)
    else:
        rates = arrays["rates"]
        if rates.ndim != 2 or rates.shape[1] != n_in or not np.all((rates >= 0) & (rates <= 1)):
            raise ModelFileError(f"{path}: rates: expected values in [0, 1] shaped (samples, {n_in}) for input {name!r}, "
                                 f"found {rates.dtype} {rates.shape}")
        spikes = encode(rates, steps or 100)
    labels = arrays.get("labels")
    if labels is not None and (labels.shape != (len(spikes),) or not np.issubdtype(labels.dtype, np.integer)):
        raise ModelFileError(f"{path}: labels: expected {len(spikes)} integer class indices, found {labels.dtype} "
                             f"{labels.shape}")
    return spikes, labels


def resets_on(profile: Profile, reset: str) -> str:
    """The reset a profile runs for a model trained with `reset`: that one where its cores run it
    (`core.reset_modes`), else reset to zero."""
    return reset if reset in profile.resets else "zero"


def evaluate(model: Path, data: Path, profiles: list[Profile], dt: float | None = None, steps: int | None = None,
             progress: Callable[[str], None] | None = None, reset: str = "zero") -> dict:
    """Run a user's data through a NIR model quantized for each profile, as the chip would.

    The prediction is the output population's most spiking neuron (ties to the lowest index);
    the input is followed by as many silent steps as the network is deep (one per connection),
    so every spike reaches the output. Per profile: accuracy (with labels), synaptic ops, energy
    and time per inference, and per layer the spikes per inference and their agreement with the
    float simulation of the graph. A profile the model does not fit, or that cannot price it,
    gets its reason instead. Profiles with the same weight bits and reset share one emulation.
    A model trained with reset by subtraction (`reset`) runs so where the profile's cores can
    (`resets_on`); elsewhere it runs with reset to zero and the row's `reset_note` gives the
    accuracy both ways (both emulated)."""
    advance = progress or _silent
    rows, per_layer, runs = [], {}, {}

    def emulated(profile: Profile, used: str) -> tuple:
        loaded = nir_io.load(model, dt=dt, profile=profile, reset=used)
        bits = tuple(sorted({c.num_weight_bits for c in loaded.connections}))
        if (bits, used) not in runs:
            spikes, labels = load_data(data, loaded, steps)
            depth = max(nir_io.depths(loaded).values(), default=0)
            padded = np.concatenate([spikes, np.zeros((len(spikes), depth, spikes.shape[2]), np.int32)], axis=1)
            inputs = {next(iter(loaded.inputs)): padded}
            advance(f"emulating {len(padded)} samples x {padded.shape[1]} steps ({'/'.join(map(str, bits))}-bit "
                    f"weights, reset {'by subtraction' if used == 'subtract' else 'to zero'})")
            run = emulate(loaded.network(inputs), padded.shape[1], record=[p.name for p in loaded.populations])
            layers = nir_io.agreement(loaded, inputs, padded.shape[1], result=run)
            counts = run.trace(loaded.output, "s").astype(bool).sum(axis=-2)
            accuracy = float((counts.argmax(axis=1) == labels).mean()) if labels is not None else None
            runs[bits, used] = (run, layers, accuracy, loaded)
        return runs[bits, used]

    for profile in profiles:
        used = resets_on(profile, reset)
        run, layers, accuracy, loaded = emulated(profile, used)
        batch = run.batch
        row = {"profile": profile.name, "samples": batch, "steps": run.steps, "reset": used, "accuracy": accuracy,
               "synaptic_ops_per_inference": run.counters.totals()["synaptic_ops"] / batch}
        if used != reset:
            trained = emulated(profile, reset)[2]
            row["reset_note"] = (f"{profile.name} resets to zero only; the model was trained with reset by subtraction"
                                 + (f": accuracy {accuracy:.2%} here, {trained:.2%} with reset by subtraction "
                                    f"({100 * (accuracy - trained):+.2f} points)" if accuracy is not None else ""))
        spikes_per = {p.name: float(run.trace(p.name, "s").astype(bool).sum()) / batch for p in loaded.populations}
        per_layer[profile.name] = [{**layer.__dict__, "spikes_per_inference": spikes_per[layer.name]} for layer in layers]
        try:
            advance(f"mapping and pricing on {profile.name}")
            energy = run.energy(profile, placement=run.map(profile))
            row.update(energy_per_inference_j=energy.energy_per_inference_j, latency_s=energy.time_per_inference_s,
                       lower_bound=energy.lower_bound)
        except (MappingError, EnergyError) as exc:
            row["reason"] = str(exc)
        rows.append(row)
    return {"model": str(model), "data": str(data), "reset": reset, "rows": rows, "per_layer": per_layer,
            **{key: {r["profile"]: r.get(key) for r in rows}
               for key in ("accuracy", "energy_per_inference_j", "synaptic_ops_per_inference", "latency_s")}}
