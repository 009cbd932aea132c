"""Sweep specifications: a base profile, a workload, axes of values, a sampling rule.

```yaml
base_profile: loihi
workload: {kind: digits-snn, steps: 16, samples: 100}     # or {kind: recurrent, n: 2000, fan_out: 100, steps: 100}
                                                          # or {kind: nir, path: snn.nir, rate_hz: 20, steps: 100}
axes:
  core.max_compartments: [256, 512, 1024]                 # any numeric profile key (a quantity's value)
  energy.synaptic_op.value: [10, 23.6]
  model.weight_bits: [4, 8]                               # model keys: weight_bits, steps, samples
sampling: {method: grid}                                  # or {method: random | lhs, points: 50, seed: 0}
```
Everything is checked before any work: unknown keys, key paths that are not numeric figures of
the base profile, empty axes and non-numeric values fail naming the key and the line.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import SweepError
from ..profiles import ProfileError, load_profile
from ..profiles.yamlfile import locate, read_mapping

MODEL_KEYS = {"weight_bits": (1, 8), "steps": (1, 4096), "samples": (1, 100_000)}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Workload(Strict):
    kind: Literal["digits-snn", "recurrent", "nir"]
    path: str | None = None            # nir: the graph file
    rate_hz: float = Field(20.0, gt=0) # nir: Bernoulli input rate
    dt: float | None = Field(None, gt=0)  # nir: seconds per step when the graph has none
    steps: int = Field(16, ge=1, le=4096)
    samples: int = Field(100, ge=1, le=100_000)
    weight_bits: int = Field(8, ge=1, le=8)
    n: int = Field(2000, ge=1, le=10_000_000)
    fan_out: int = Field(100, ge=1, le=10_000)
    seed: int = Field(0, ge=0)


class Sampling(Strict):
    method: Literal["grid", "random", "lhs"] = "grid"
    points: int | None = Field(None, ge=1, le=100_000)
    seed: int = Field(0, ge=0)


class Spec(Strict):
    name: str = "sweep"
    base_profile: str
    workload: Workload
    axes: dict[str, list[float | int]]
    sampling: Sampling = Sampling()

    def points(self) -> list[dict[str, float]]:
        """The points to evaluate (axis key -> value), in a fixed order, seeds recorded in the spec."""
        keys = list(self.axes)
        if self.sampling.method == "grid":
            combos = itertools.product(*(self.axes[k] for k in keys))
            return [dict(zip(keys, values)) for values in combos]
        n = self.sampling.points or 10
        rng = np.random.default_rng(self.sampling.seed)
        if self.sampling.method == "random":
            return [{k: self.axes[k][int(rng.integers(len(self.axes[k])))] for k in keys} for _ in range(n)]
        from scipy.stats import qmc
        unit = qmc.LatinHypercube(d=len(keys), seed=self.sampling.seed).random(n)
        return [{k: self.axes[k][min(int(u * len(self.axes[k])), len(self.axes[k]) - 1)] for k, u in zip(keys, row)}
                for row in unit]


def point_key(spec: Spec, point: dict) -> str:
    """Hash of everything that determines a point's result."""
    blob = json.dumps({"base": load_profile(spec.base_profile).model_dump(mode="json"),
                       "workload": spec.workload.model_dump(), "point": point}, sort_keys=True, default=float)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def load_spec(path: str | Path) -> Spec:
    """Read and check a spec; every problem names the file, line and key before any work starts.
    Every value of every axis is tried on the base profile."""
    path = Path(path)
    data, lines = read_mapping(path, SweepError, "sweep fields (base_profile, workload, axes)")
    origins = {k: f"{path}:{line}" for k, line in lines.items()}

    def where(*keys) -> str:
        return locate(origins, keys, str(path))

    for key, values in (data.get("axes") or {}).items() if isinstance(data.get("axes"), dict) else ():
        if not isinstance(values, list) or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
            raise SweepError(f"{where('axes', key)}: axes.{key}: expected a list of numbers, found {values!r}")
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        loc = tuple(k for k in e["loc"] if not isinstance(k, int) and k not in ("float", "int", "str", "bool"))
        raise SweepError(f"{where(*loc)}: {'.'.join(map(str, loc))}: {e['msg']}, found {e.get('input')!r}") from None
    if spec.workload.kind == "nir":
        nir_path = Path(spec.workload.path or "")
        nir_path = nir_path if nir_path.is_absolute() else path.parent / nir_path
        if not spec.workload.path or not nir_path.is_file():
            raise SweepError(f"{where('workload', 'path')}: workload.path: expected an existing NIR file, "
                             f"found {spec.workload.path!r}")
        spec = spec.model_copy(update={"workload": spec.workload.model_copy(update={"path": str(nir_path.resolve())})})
        _check_nir(spec.workload, where("workload"))
    try:
        base = load_profile(spec.base_profile)
    except ProfileError as exc:
        raise SweepError(f"{where('base_profile')}: base_profile: {exc}") from None
    for key, values in spec.axes.items():
        _check_axis(base, key, values, f"{where('axes', key)}: axes.{key}")
    return spec


def _check_nir(workload: Workload, here: str) -> None:
    """The NIR file loads and the input rate fits its dt (raised as `SweepError` at `here`)."""
    from ..errors import NetworkError
    from ..interop import nir as nir_io

    try:
        model = nir_io.load(workload.path, dt=workload.dt)
        nir_io.bernoulli_inputs(model, workload.rate_hz, 1)
    except NetworkError as exc:
        raise SweepError(f"{here}: workload: {exc}") from None


def _check_axis(base, key: str, values: list, here: str) -> None:
    """Raise `SweepError` unless every value of the axis `key` can be set on `base`."""
    if not values:
        raise SweepError(f"{here}: expected a non-empty list of values, found []")
    if key.startswith("model."):
        name = key.split(".", 1)[1]
        if name not in MODEL_KEYS:
            raise SweepError(f"{here}: expected a model key ({', '.join('model.' + k for k in MODEL_KEYS)}), found {key!r}")
        lo, hi = MODEL_KEYS[name]
        bad = [v for v in values if not float(v).is_integer() or not lo <= v <= hi]
        if bad:
            raise SweepError(f"{here}: expected integers in [{lo}, {hi}], found {bad[0]!r}")
        return
    path = tuple(key.removesuffix(".value").split("."))
    for value in values:
        try:
            base.with_({key: value}, origin="value")
        except ProfileError as exc:
            # a rule across a section (mesh rows x cols x cores per tile = cores per chip) may hold
            # only together with another axis's value: each point is checked, and stored as not fitting
            if exc.paths and all(len(p) < len(path) and path[:len(p)] == p for p in exc.paths):
                continue
            raise SweepError(f"{here}: {value!r} is not a valid value of this figure of profile {base.name!r}: "
                             f"{str(exc).splitlines()[0]}") from None
