"""Evaluate sweep points: emulate once per model configuration, then map and price each point.

Counters do not depend on energy or timing figures, and mapping does not change them either, so
points that differ only in profile figures re-use one emulation and only re-map and re-price.
Points run in a local process pool, or on a Dask cluster (`scheduler`), with no code change.
"""
from __future__ import annotations

import multiprocessing
import signal
import time
from collections import defaultdict
from functools import lru_cache
from typing import Any, Callable

from ..errors import EnergyError, LatencyError, MappingError, ProfileError, SweepError
from ..profiles import load_profile
from .spec import MODEL_KEYS, Spec, point_key
from .store import Store

#: Numeric result fields a Pareto front can be drawn over.
OBJECTIVES = ("energy_per_inference_j", "latency_s", "edp_js", "accuracy", "cores_used", "chips_used",
              "max_compartment_util")
#: Result fields that record how a point was computed (time, whether it paid for the emulation),
#: not what it computed: they differ between an interrupted-and-resumed run and an uninterrupted one.
TIMING_FIELDS = ("seconds", "emulated")


def _model_params(spec: Spec, point: dict) -> tuple:
    defaults = spec.workload.model_dump()
    return tuple(int(point.get(f"model.{k}", defaults.get(k, 8))) for k in MODEL_KEYS)


@lru_cache(maxsize=8)
def _digits_model(seed: int):
    from ..baseline import digits, train

    data = digits(seed=seed)
    return data, train(data, (128,), epochs=60, seed=seed)[0]


@lru_cache(maxsize=16)
def _emulation(workload_json: str, weight_bits: int, steps: int, samples: int):
    """(run, accuracy or None) of one model configuration, cached in this worker."""
    import json

    from ..convert import convert, network_for, score
    from ..api import emulate
    from ..workloads import recurrent_network

    w = json.loads(workload_json)
    if w["kind"] == "digits-snn":
        data, mlp = _digits_model(w["seed"])
        conv = convert(mlp, data.x_train, weight_bits=weight_bits)
        x, y = data.x_test[:samples], data.y_test[:samples]
        accuracy = float(score(conv, x, y, steps).accuracy[-1])
        return emulate(network_for(conv, x, steps), steps, batch=len(x)), accuracy
    if w["kind"] == "nir":
        from ..interop import nir as nir_io

        model = nir_io.load(w["path"], dt=w["dt"], weight_bits=weight_bits)
        return emulate(model.network(nir_io.bernoulli_inputs(model, w["rate_hz"], steps, w["seed"])), steps), None
    return emulate(recurrent_network(w["n"], w["fan_out"], w["seed"]), steps), None


def evaluate_group(spec_json: str, points: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Evaluate points that share a model configuration; the first pays for the emulation."""
    import json

    spec = Spec.model_validate_json(spec_json)
    bits, steps, samples = _model_params(spec, points[0][1])
    out = []
    for i, (key, point) in enumerate(points):
        t0 = time.perf_counter()
        misses = _emulation.cache_info().misses
        result, accuracy = _emulation(json.dumps(spec.workload.model_dump(), sort_keys=True), bits, steps, samples)
        emulated = _emulation.cache_info().misses > misses
        record: dict[str, Any] = {"accuracy": accuracy, "emulated": emulated, "fits": True, "reason": None}
        try:
            profile = load_profile(spec.base_profile, {k: v for k, v in point.items() if not k.startswith("model.")})
            placement = result.map(profile)
            report = result.energy(profile, placement=placement)
            util = placement.utilization()
            record.update(energy_per_inference_j=report.energy_per_inference_j, latency_s=report.time_per_inference_s,
                          edp_js=report.edp_js, cores_used=placement.n_cores, chips_used=placement.n_chips,
                          max_compartment_util=float(util["compartments"][0].max() / util["compartments"][1]))
        except (ProfileError, MappingError, EnergyError, LatencyError) as exc:
            record.update(fits=False, reason=str(exc), energy_per_inference_j=None, latency_s=None, edp_js=None,
                          cores_used=None, chips_used=None, max_compartment_util=None)
        record["seconds"] = time.perf_counter() - t0
        out.append((key, record))
    return out


def _client(scheduler: Any):
    """A Dask client: `scheduler` itself, or one connected to its address (`SweepError` when
    nothing answers there)."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(scheduler, timeout=10)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SweepError(f"scheduler {scheduler}: expected a Dask scheduler answering there, found none ({exc})") \
            from None


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _evaluate(args: tuple[str, list]) -> list[tuple[str, dict]]:
    return evaluate_group(*args)


def plan(spec: Spec) -> list[tuple[str, dict, bool]]:
    """(key, point, is_baseline) for every point, the baseline (no overrides) first."""
    base_point = {k: v for k, v in ((f"model.{m}", getattr(spec.workload, m)) for m in MODEL_KEYS)
                  if k in spec.axes}
    items = [(point_key(spec, base_point), base_point, True)]
    items += [(point_key(spec, p), p, False) for p in spec.points()]
    seen, out = set(), []
    for key, point, base in items:
        if key not in seen:
            seen.add(key)
            out.append((key, point, base))
    return out


def run_sweep(spec: Spec, out: str, workers: int = 2, scheduler: Any = None,
              progress: Callable[[int, int], None] | None = None) -> dict:
    """Evaluate the points not yet in the store under `out`; returns counts.

    `scheduler`: None for a local process pool of `workers`, a Dask `Client`, or a scheduler
    address ("tcp://host:8786"). Each finished point is committed at once: an interrupted sweep
    (Ctrl-C stops the workers and returns; kill -9) keeps every stored point.
    """
    if scheduler is None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise SweepError(f"workers: expected an integer >= 1, found {workers!r}")
    client = _client(scheduler) if scheduler is not None else None
    store = Store(out)
    items = plan(spec)
    done = store.keys()
    baseline = {key for key, _, base in items if base}
    groups: dict[tuple, list] = defaultdict(list)
    for key, point, _ in items:
        if key not in done:
            groups[_model_params(spec, point)].append((key, point))
    todo = sum(len(g) for g in groups.values())
    finished = 0
    spec_json = spec.model_dump_json()

    def record(results) -> None:
        nonlocal finished
        points = dict(item[:2] for item in items)
        for key, result in results:
            store.add(key, spec.name, key in baseline, points[key], result)
            finished += 1
        if progress:
            progress(finished, todo)

    if progress and todo:
        progress(0, todo)
    if scheduler is None:
        # spawn, not fork: the parent may already run numba's OpenMP threads, which do not survive fork.
        # Workers ignore SIGINT: Ctrl-C reaches the parent alone, which terminates them (leaving the
        # `with` block) instead of waiting on half-interrupted workers.
        with multiprocessing.get_context("spawn").Pool(workers, initializer=_ignore_sigint) as pool:
            for results in pool.imap_unordered(_evaluate, [(spec_json, g) for g in groups.values()]):
                record(results)
    else:
        from distributed import as_completed as dask_completed

        for future in dask_completed([client.submit(evaluate_group, spec_json, g, pure=False) for g in groups.values()]):
            record(future.result())
    return {"points": len(items), "already_done": len(items) - todo, "evaluated": todo}
