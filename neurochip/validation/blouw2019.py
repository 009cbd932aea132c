"""Loihi silicon: the keyword-spotting power logs of Blouw et al. 2019, parsed.

Blouw, Choo, Hunsberger and Eliasmith, "Benchmarking Keyword Spotting Efficiency on Neuromorphic
Hardware", NICE 2019 (arXiv:1812.01739). Their raw logs are public (github.com/abr/power_benchmarks
at fce95c86615ab978755a9bc52daa882a7ef38278, `logs/running/loihi_*` and `logs/idle/loihi_*`): the
chip's supply rails (VDD ~0.75 V, VDDM ~0.90 V) read every ~0.33 s, with a JSON per run giving its
configuration, its inferences and the timestamps of the inference loop.

Their method, reproduced here: a configuration's idle power is the mean of its idle logs'
readings (idle logs are named after the configuration, 20 readings dropped at each end); a run's
readings are those between its start and end timestamps; its rate is inferences / (end - start);
"dynamic" power is a reading minus the idle mean, and energy per inference is power / rate. A
configuration's figures are means over the readings of its runs.
One inference is 10 time steps (`--stream 20000` over 2,000 inferences). The paper's "dynamic"
includes ~70 mW of the chip's embedded x86 cores, active once a model has run (their section 5).
"""
from __future__ import annotations

import csv
import io
import json
import tarfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from ..errors import NeurochipError

#: Time steps per inference in the logged runs (nengo-loihi keyword spotter, 10 steps per frame).
STEPS_PER_INFERENCE = 10
#: Idle readings dropped at each end of an idle log (the authors' `index_buffer`).
IDLE_BUFFER = 20
SOURCE = ("Blouw et al. 2019, NICE (arXiv:1812.01739); raw logs: github.com/abr/power_benchmarks @ fce95c8, "
          "logs/running/loihi_* and logs/idle/loihi_*")
TIME_FORMAT = "%Y-%m-%d_%H:%M:%S.%f"


@dataclass(frozen=True)
class Config:
    """One logged configuration, means over the readings of its runs.

    `input_cores` / `output_cores`: neuromorphic cores the input and output layers span
    (`n_sub_ens_inp` / `n_sub_ens_out`; the keyword spotter itself used 2, per the paper's
    section 6). `copies` x `layers`: the added branches of 256-neuron layers (0 x 0: none).
    """

    name: str
    runs: int
    input_cores: int
    output_cores: int
    copies: int
    layers: int
    inferences_per_s: float
    step_s: float
    idle_w: float
    running_w: float
    dynamic_w: float
    dynamic_j_per_inference: float
    total_j_per_inference: float

    def to_dict(self) -> dict:
        return asdict(self)


def _readings(text: str) -> list[tuple[str, float]]:
    rows = list(csv.reader(io.StringIO(text)))[1:]
    return [(row[0], float(row[1])) for row in rows if len(row) > 1 and row[1].strip()]


def _logs(source: Path) -> dict[str, str]:
    """Log file name -> text, from a folder holding `running/` and `idle/` or a .tgz of one."""
    if source.is_file():
        with tarfile.open(source) as tar:
            return {Path(m.name).parent.name + "/" + Path(m.name).name: tar.extractfile(m).read().decode()
                    for m in tar.getmembers() if m.isfile()}
    return {f"{p.parent.name}/{p.name}": p.read_text() for p in source.rglob("*") if p.is_file()}


def _config(name: str) -> str:
    """The configuration a log belongs to: its name without `loihi_` and `_runNN`."""
    return Path(name).stem.rsplit("_run", 1)[0].removeprefix("loihi").lstrip("_") or "keyword spotter"


def parse(source: str | Path) -> list[Config]:
    """Every Loihi configuration in the logs at `source` (a folder with `running/` and `idle/`,
    or a .tgz of such a folder), in the order: the keyword spotter, then by copies."""
    source = Path(source)
    if not source.exists():
        raise NeurochipError(f"{source}: expected the Blouw et al. 2019 logs (a folder or .tgz), found nothing")
    logs = _logs(source)
    idle: dict[str, list[float]] = {}
    for name, text in logs.items():
        if name.startswith("idle/loihi"):
            idle.setdefault(_config(name), []).extend(w for _, w in _readings(text)[IDLE_BUFFER:-IDLE_BUFFER])
    by_config: dict[str, list[tuple[dict, list[float], float]]] = {}
    for name, text in logs.items():
        if not (name.startswith("running/loihi") and name.endswith(".json")):
            continue
        meta = json.loads(text)
        start, end = meta["start_time"], meta["end_time"]
        readings = _readings(logs[name.removesuffix(".json") + ".csv"])
        first = next(i for i, (t, _) in enumerate(readings) if t == start)
        last = max(i for i, (t, _) in enumerate(readings) if t <= end)
        seconds = (datetime.strptime(end, TIME_FORMAT) - datetime.strptime(start, TIME_FORMAT)).total_seconds()
        config = _config(name)
        by_config.setdefault(config, []).append((meta, [w for _, w in readings[first:last + 1]],
                                                 meta["n_inferences"] / seconds))
    out = []
    for name, runs in by_config.items():
        if not idle.get(name):
            raise NeurochipError(f"{source}: expected idle logs for configuration {name!r}, found none")
        idle_w = sum(idle[name]) / len(idle[name])
        meta = runs[0][0]
        samples = [(w, rate) for _, ws, rate in runs for w in ws]   # the authors' per-reading means
        running = sum(w for w, _ in samples) / len(samples)
        rate = sum(r for _, r in samples) / len(samples)
        out.append(Config(name, len(runs), int(meta.get("n_sub_ens_inp") or 2), int(meta.get("n_sub_ens_out") or 2),
                          int(meta["n_copies"]) if meta.get("n_layers") is not None else 0, int(meta.get("n_layers") or 0),
                          rate, 1 / rate / STEPS_PER_INFERENCE, idle_w, running, running - idle_w,
                          sum((w - idle_w) / r for w, r in samples) / len(samples),
                          sum(w / r for w, r in samples) / len(samples)))
    return sorted(out, key=lambda c: (c.name != "keyword spotter", c.copies))


def table(configs: list[Config]) -> dict:
    """The parsed table as stored in `profiles/measurements/` (with its source and method)."""
    return {"source": SOURCE, "method": " ".join(__doc__.split("\n\n", 2)[2].split()),
            "steps_per_inference": STEPS_PER_INFERENCE,
            "configs": [c.to_dict() for c in configs]}
