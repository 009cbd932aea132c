"""The main job end to end on a small run: rows, sources, files."""
import json

from typer.testing import CliRunner

from neurochip.cli import app

ROW_KEYS = {"system", "profile", "accuracy", "energy_per_inference_j", "inferences_per_s", "power_w", "latency_s",
            "edp_js", "source"}


def test_compare_cli_writes_a_sourced_report(tmp_path):
    res = CliRunner().invoke(app, ["compare", "--epochs", "8", "--batch", "40", "--steps", "8", "--profile", "loihi",
                                   "--profile", "loihi2", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["rows"]) == 6
    for row in report["rows"]:
        assert ROW_KEYS <= set(row)
        assert row["source"].startswith(("modeled", "measured", "energy modeled"))
        assert row["energy_per_inference_j"] > 0
    assert {"versions", "seed", "date", "machine"} - set(report["metadata"]) == {"versions"}
    assert report["metadata"]["neurochip"] and report["metadata"]["numpy"]
    assert "this SNN needs" in report["summary"]
    for name in ("energy.png", "accuracy_energy.png", "breakdown.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert "<table>" in (tmp_path / "report.html").read_text()
    before = (tmp_path / "report.json").read_text()
    res = CliRunner().invoke(app, ["compare", "--profile", "nope", "--out", str(tmp_path)])
    assert res.exit_code == 2 and (tmp_path / "report.json").read_text() == before
