"""Sweeps: spec errors before work, sampling, durable resume (kill -9), Dask, Pareto fronts."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from neurochip.sweep import Store, SweepError, front, load_spec, run_sweep
from neurochip.sweep.run import TIMING_FIELDS

SPEC = """\
name: t
base_profile: loihi
workload: {kind: recurrent, n: 600, fan_out: 30, steps: 40}
axes:
  core.max_compartments: [64, 256]
  energy.synaptic_op.value: [10, 23.6]
  model.steps: [20, 40]
sampling: {method: grid}
"""


def write(tmp_path, text, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def comparable(rows):
    return {r["key"]: {k: v for k, v in r.items() if k not in TIMING_FIELDS} for r in rows}


@pytest.mark.parametrize("old, new, match", [
    ("  core.max_compartments: [64, 256]", "  core.max_compartments: []",
     r"spec\.yaml:5: axes\.core\.max_compartments: expected a non-empty list of values, found \[\]"),
    ("  energy.synaptic_op.value: [10, 23.6]", "  energy.synaptic_opp.value: [10, 23.6]",
     r"spec\.yaml:6: axes\.energy\.synaptic_opp\.value: 10 is not a valid value of this figure of profile 'loihi'.*unknown key 'synaptic_opp'"),
    ("  energy.synaptic_op.value: [10, 23.6]", "  energy.synaptic_op.value: [10, big]",
     r"spec\.yaml:6: axes\.energy\.synaptic_op\.value: expected a list of numbers, found \[10, 'big'\]"),
    ("  energy.synaptic_op.value: [10, 23.6]", "  energy.synaptic_op.value: [10, -1]",
     r"spec\.yaml:6: axes\.energy\.synaptic_op\.value: -1 is not a valid value .*found -1"),
    ("  core.max_compartments: [64, 256]", "  core.max_compartments: [64, 256, lots]",
     r"spec\.yaml:5: axes\.core\.max_compartments: expected a list of numbers"),
    ("  model.steps: [20, 40]", "  model.colour: [1]",
     r"spec\.yaml:7: axes\.model\.colour: expected a model key \(model\.weight_bits, model\.steps, model\.samples\)"),
    ("  model.steps: [20, 40]", "  model.weight_bits: [4, 9]",
     r"spec\.yaml:7: axes\.model\.weight_bits: expected integers in \[1, 8\], found 9"),
    ("base_profile: loihi", "base_profile: loihi9", r"spec\.yaml:2: base_profile: profile 'loihi9'"),
    ("sampling: {method: grid}", "sampling: {method: sobol}", r"spec\.yaml:8: sampling\.method: Input should be 'grid', 'random' or 'lhs'"),
    ("name: t", "name: t\nspeed: fast", r"spec\.yaml:2: speed: Extra inputs are not permitted"),
])
def test_malformed_specs_fail_before_work(tmp_path, old, new, match):
    with pytest.raises(SweepError, match=match):
        load_spec(write(tmp_path, SPEC.replace(old, new)))


def test_sampling_is_complete_or_seeded(tmp_path):
    spec = load_spec(write(tmp_path, SPEC))
    assert len(spec.points()) == 8
    for method in ("random", "lhs"):
        text = SPEC.replace("{method: grid}", f"{{method: {method}, points: 6, seed: 3}}")
        first, again = (load_spec(write(tmp_path, text, f"{method}{k}.yaml")).points() for k in range(2))
        other = load_spec(write(tmp_path, text.replace("seed: 3", "seed: 4"), f"{method}-other.yaml")).points()
        assert first == again and len(first) == 6   # the seed in the spec fixes the sample
        assert other != first
    lhs = load_spec(write(tmp_path, SPEC.replace("{method: grid}", "{method: lhs, points: 4, seed: 0}"))).points()
    assert sorted(p["core.max_compartments"] for p in lhs) == [64, 64, 256, 256]  # stratified


def test_run_resume_and_re_pricing(tmp_path):
    spec = load_spec(write(tmp_path, SPEC))
    stats = run_sweep(spec, str(tmp_path / "out"), workers=2)
    assert stats == {"points": 9, "already_done": 0, "evaluated": 9}
    rows = Store(tmp_path / "out").rows()
    assert len(rows) == 9 and sum(r["baseline"] for r in rows) == 1 and all(r["fits"] for r in rows)
    assert sum(r["emulated"] for r in rows) == 2  # one emulation per model configuration (steps 20, 40)
    assert run_sweep(spec, str(tmp_path / "out"))["evaluated"] == 0
    csv = Store(tmp_path / "out").export_csv(tmp_path / "rows.csv")
    assert len(csv.read_text().splitlines()) == 10


def test_points_that_do_not_fit_are_results(tmp_path):
    spec = load_spec(write(tmp_path, SPEC.replace("[64, 256]", "[64, 256]\n  core.max_input_axons: [5]")))
    run_sweep(spec, str(tmp_path / "out"), workers=1)
    bad = [r for r in Store(tmp_path / "out").rows() if not r["fits"]]
    assert bad and all("input axons per core" in r["reason"] for r in bad)


@pytest.mark.slow
def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path):
    text = SPEC.replace("model.steps: [20, 40]", "model.steps: [300, 400, 500, 600, 700, 800]").replace("n: 600", "n: 3000")
    spec_path = write(tmp_path, text)
    run_sweep(load_spec(spec_path), str(tmp_path / "clean"), workers=1)
    cmd = [sys.executable, "-m", "neurochip", "sweep", str(spec_path), "--out", str(tmp_path / "killed"), "--workers", "1"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = tmp_path / "killed" / "results.sqlite"
    deadline = time.time() + 120
    while time.time() < deadline:
        if store.exists() and 0 < len(Store(tmp_path / "killed").keys()) < 25:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(Store(tmp_path / "killed").keys())
    assert 0 < partial < 25
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    assert comparable(Store(tmp_path / "killed").rows()) == comparable(Store(tmp_path / "clean").rows())


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_rows(tmp_path):
    from distributed import Client, LocalCluster

    spec = load_spec(write(tmp_path, SPEC))
    run_sweep(spec, str(tmp_path / "pool"), workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        run_sweep(spec, str(tmp_path / "dask"), scheduler=client)
    assert comparable(Store(tmp_path / "dask").rows()) == comparable(Store(tmp_path / "pool").rows())


def test_pareto_front():
    rows = [{"e": 1, "t": 5, "a": 0.9}, {"e": 2, "t": 2, "a": 0.9}, {"e": 3, "t": 3, "a": 0.9},
            {"e": 1, "t": 5, "a": 0.95}, {"e": 5, "t": 1, "a": 0.5}]
    assert front(rows, "e", "t").tolist() == [True, True, False, True, True]
    assert front(rows, "e", "t", "a").tolist() == [False, True, False, True, True]


def test_nir_workload(tmp_path):
    import nir
    from test_nir import lif_graph

    nir.write(tmp_path / "m.nir", lif_graph())
    spec_path = write(tmp_path, SPEC.replace("{kind: recurrent, n: 600, fan_out: 30, steps: 40}",
                                             "{kind: nir, path: m.nir, rate_hz: 200, steps: 50}")
                      .replace("model.steps: [20, 40]", "model.weight_bits: [3, 8]"))
    run_sweep(load_spec(spec_path), str(tmp_path / "out"), workers=1)
    rows = Store(tmp_path / "out").rows()
    assert len(rows) == 9 and all(r["fits"] and r["energy_per_inference_j"] > 0 for r in rows)
    missing = write(tmp_path, SPEC.replace("{kind: recurrent, n: 600, fan_out: 30, steps: 40}", "{kind: nir, path: no.nir}"))
    with pytest.raises(SweepError, match=r"spec\.yaml:3: workload\.path: expected an existing NIR file"):
        load_spec(missing)


def test_emulated_is_counted_past_the_cache_size(tmp_path):
    """18 model configurations (17 on the axis, and the baseline) in one worker: each is emulated
    once, whatever the cache holds."""
    text = SPEC.replace("n: 600, fan_out: 30", "n: 50, fan_out: 5").replace(
        "model.steps: [20, 40]", f"model.steps: {list(range(3, 20))}").replace("[64, 256]", "[64]").replace(
        "[10, 23.6]", "[10]")
    run_sweep(load_spec(write(tmp_path, text)), str(tmp_path / "out"), workers=1)
    rows = Store(tmp_path / "out").rows()
    assert len(rows) == 18 and all(r["emulated"] for r in rows)


def test_a_point_with_an_invalid_profile_is_stored_as_not_fitting(tmp_path):
    """Values are checked one by one before work; a point built past that check (here directly)
    whose profile does not validate is stored with the reason, and the other points go on."""
    from neurochip.sweep import Spec

    spec = load_spec(write(tmp_path, SPEC))
    bad = Spec.model_validate({**spec.model_dump(), "axes": {"core.max_compartments": [64, -1]}})
    run_sweep(bad, str(tmp_path / "out"), workers=1)
    rows = {r["point"].get("core.max_compartments"): r for r in Store(tmp_path / "out").rows()}
    assert rows[64]["fits"] and not rows[-1]["fits"]
    assert "core.max_compartments.value: expected greater than or equal to 0, found -1" in rows[-1]["reason"]


@pytest.mark.slow
def test_ctrl_c_stops_a_sweep_promptly_and_keeps_what_it_stored(tmp_path):
    """SIGINT to the whole process group (as a terminal sends it) mid-sweep: the command ends within
    seconds with one line, the stored points stay, and a re-run finishes the rest."""
    text = SPEC.replace("model.steps: [20, 40]", "model.steps: [300, 400, 500, 600, 700, 800]").replace("n: 600", "n: 3000")
    spec_path = write(tmp_path, text)
    cmd = [sys.executable, "-m", "neurochip", "sweep", str(spec_path), "--out", str(tmp_path / "out"), "--workers", "2"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    store = tmp_path / "out" / "results.sqlite"
    deadline = time.time() + 120
    while time.time() < deadline and not (store.exists() and len(Store(tmp_path / "out").keys()) >= 1):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    t0 = time.time()
    _, err = proc.communicate(timeout=60)
    assert time.time() - t0 < 20 and proc.returncode in (130, -signal.SIGINT)
    assert err.strip() == "interrupted" and "Traceback" not in err
    kept = len(Store(tmp_path / "out").keys())
    assert 1 <= kept < 25
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    assert len(Store(tmp_path / "out").keys()) == 25


def test_coupled_axes_are_checked_per_point(tmp_path):
    """A section's rule (mesh rows x cols x cores per tile = cores per chip) can hold only for some
    combinations of two axes: the spec loads, and each combination is a point that fits or is
    stored as not fitting with the reason."""
    text = SPEC.replace("  energy.synaptic_op.value: [10, 23.6]\n  model.steps: [20, 40]",
                        "  chip.cores_per_chip: [64, 128]\n  chip.mesh_rows: [2, 4]").replace("[64, 256]", "[256]")
    run_sweep(load_spec(write(tmp_path, text)), str(tmp_path / "out"), workers=1)
    fits = {(r["point"].get("chip.cores_per_chip"), r["point"].get("chip.mesh_rows")): r
            for r in Store(tmp_path / "out").rows() if "chip.mesh_rows" in r["point"]}
    assert fits[(64, 2)]["fits"] and fits[(128, 4)]["fits"]
    assert not fits[(64, 4)]["fits"] and "must equal cores_per_chip" in fits[(64, 4)]["reason"]
