"""Validation cases: the Blouw et al. 2019 Loihi logs re-derive the published figures."""
import json
from importlib.resources import files
from pathlib import Path

import pytest

from neurochip.validation.blouw2019 import parse, table

LOGS = Path(__file__).parent / "fixtures" / "blouw2019_loihi_logs.tgz"


def test_the_logs_give_the_published_keyword_spotter_figures():
    """Blouw et al. 2019, Table 1 (Loihi): idle 0.029 W, running 0.110 W, dynamic 0.081 W,
    296 inferences/s, 0.00027 J per inference."""
    spotter = parse(LOGS)[0]
    assert spotter.name == "keyword spotter" and spotter.runs == 5
    assert spotter.inferences_per_s == pytest.approx(296, abs=1)
    assert spotter.idle_w == pytest.approx(0.0297, abs=0.00005)
    assert spotter.running_w == pytest.approx(0.110, abs=0.0005)
    assert spotter.dynamic_w == pytest.approx(0.0805, abs=0.0005)
    assert spotter.dynamic_j_per_inference == pytest.approx(272e-6, rel=0.005)
    assert spotter.step_s == pytest.approx(337e-6, rel=0.002)


def test_scaled_configurations_and_the_packaged_table():
    configs = parse(LOGS)
    assert [c.copies for c in configs] == [0, 0, 1, 2, 4, 6, 8, 10]
    assert all(c.input_cores == c.output_cores == 8 for c in configs[1:])
    assert configs[1].step_s == pytest.approx(795e-6, rel=0.002)   # input and output on 8 cores, not 2
    per_copy = (configs[-1].dynamic_j_per_inference - configs[2].dynamic_j_per_inference) / 9
    assert per_copy == pytest.approx(17.2e-6, rel=0.05)              # each copy of 10 x 256 neurons
    stored = json.loads(files("neurochip.profiles.measurements").joinpath("blouw2019_loihi_kws.json").read_text())
    assert stored == json.loads(json.dumps(table(configs)))


def test_kws_configurations_are_built_as_logged():
    """The spotter carries the published weights (2 + 2 I/O cores), the scaled models 8 + 8 I/O
    cores and one core per added 256-neuron layer."""
    from neurochip.validation import kws

    runs = {r.config.name: r for r in kws.chip_runs()}
    assert [(r.io_cores, r.n_cores) for r in runs.values()] == [(4, 4), (16, 16)] + [(16, 16 + 10 * c)
                                                                                      for c in (1, 2, 4, 6, 8, 10)]
    net = runs["keyword spotter"].run.network
    assert [c.shape for c in net.connections] == [(256, 390), (256, 256)]


def test_kws_host_fit_is_the_profile_and_predicts_the_held_out_runs():
    """The `loihi` host figures are the fit (to the 3 digits written), the fitted runs are
    reproduced, and the six held-out runs come within 25% in time per step and total energy per
    inference (measured today: -8.2% to -8.7% in time, -7.6% to -14.2% in energy)."""
    from neurochip.profiles import load_profile
    from neurochip.validation import kws

    fit, host = kws.fit_host(), load_profile("loihi").host
    assert host.step_fixed.si == pytest.approx(fit["step_fixed_s"], rel=2e-3)
    assert host.step_per_io_core.si == pytest.approx(fit["step_per_io_core_s"], rel=2e-3)
    assert host.active_power.si == pytest.approx(fit["active_power_w"], rel=2e-3)
    for p in kws.predict():
        tolerance = 0.01 if p.fitted else 0.25
        assert p.step_s == pytest.approx(p.measured_step_s, rel=tolerance), p.config
        assert p.energy_j == pytest.approx(p.measured_energy_j, rel=tolerance), p.config
        assert p.energy_j == pytest.approx(p.chip_dynamic_j + p.host_j + p.static_j)
    assert sum(not p.fitted for p in kws.predict()) == 6


def test_validate_command_rows_and_json(tmp_path, capsys):
    from neurochip.__main__ import main

    out = tmp_path / "rows.json"
    assert main(["validate", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert {"case", "quantity", "reference", "source", "predicted", "error", "fitted"} <= set(rows[0])
    families = {r["case"].split(": ")[0] for r in rows}
    assert families == {"Loihi logs, parsed", "Loihi keyword spotting", "SANA-FE 2.2.9", "TrueNorth operating point"}
    assert sum(r["fitted"] for r in rows) == 4 and len(rows) == 29
    for r in rows:
        assert r["error"] == pytest.approx(r["predicted"] / r["reference"] - 1)
    text = capsys.readouterr().out
    assert "held out: -14.2% to -7.6%" in text and "Blouw et al. 2019" in text


def test_validate_refuses_an_unwritable_json_before_any_work(tmp_path, capsys):
    from neurochip.__main__ import main

    (tmp_path / "file").write_text("x")
    assert main(["validate", "--json", str(tmp_path / "file" / "rows.json")]) != 0
    err = capsys.readouterr().err
    assert "--json" in err and "is a file, not a folder" in err and "Traceback" not in err
