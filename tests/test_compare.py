"""The main job end to end on a small run: rows, sources, files, the same samples scored and priced."""
import json

import pytest

from neurochip.__main__ import main

ROW_KEYS = {"system", "profile", "accuracy", "energy_per_inference_j", "inferences_per_s", "power_w", "latency_s",
            "edp_js", "source"}


def test_compare_cli_writes_a_sourced_report(tmp_path, capsys):
    assert main(["compare", "--epochs", "8", "--batch", "40", "--steps", "8", "--profile", "loihi",
                 "--profile", "loihi2", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["rows"]) == 6
    for row in report["rows"]:
        assert ROW_KEYS <= set(row)
        assert row["source"].startswith(("modeled", "measured", "energy modeled"))
        assert row["energy_per_inference_j"] > 0
    assert {"seed", "date", "machine", "neurochip", "numpy"} <= set(report["metadata"])
    assert "this SNN needs" in report["summary"]
    for name in ("energy.png", "accuracy_energy.png", "breakdown.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
        assert (tmp_path / name).stat().st_mode & 0o044 == 0o044   # readable by others, like any report
    page = (tmp_path / "report.html").read_text()
    assert "<table>" in page and "Energy per inference (J)" in page and "Accuracy (%)" in page
    assert "A brain-sized network" in page and "How this report was made" in page
    before = (tmp_path / "report.json").read_text()
    assert main(["compare", "--profile", "nope", "--out", str(tmp_path)]) == 2
    assert (tmp_path / "report.json").read_text() == before
    capsys.readouterr()


def test_accuracy_and_energy_come_from_the_same_samples():
    """Scored and priced on the first 30 test digits: the dense and SNN accuracies are fractions
    of 30, the priced batch is 30, and the step sweep reuses them."""
    from neurochip.compare import run_compare

    r = run_compare(profiles=("loihi",), steps=8, batch=30, epochs=5)
    assert r["metadata"]["test_samples"] == 30
    for acc in (r["dense_accuracy"], r["snn_accuracy"], *r["accuracy_by_steps"].values()):
        assert abs(acc * 30 - round(acc * 30)) < 1e-9
    assert r["snn_accuracy"] == r["accuracy_by_steps"][8]
    parts = r["breakdown_per_inference_j"]["loihi"]
    assert sum(parts.values()) == pytest.approx(r["rows"][0]["energy_per_inference_j"], rel=1e-12)


def test_a_users_snn_joins_the_table(tmp_path, capsys):
    """`compare --snn MODEL.nir --data FILE.npz [--reset subtract]`: the user's SNN on each profile
    is a row; a profile that cannot reset as the model was trained says so in its source."""
    from pathlib import Path

    import numpy as np

    from neurochip.compare import run_compare

    fixtures = Path(__file__).parent / "fixtures" / "nir"
    data = np.load(fixtures / "snntorch_digits.npz")
    spikes = np.unpackbits(data["spikes"], axis=-1)[:40, :, :64].astype(np.int8)
    np.savez(tmp_path / "d.npz", spikes=spikes, labels=data["labels"][:40])
    r = run_compare(profiles=("loihi", "loihi-chip"), steps=8, batch=30, epochs=5,
                    snn=(fixtures / "snntorch_digits.nir", tmp_path / "d.npz"), reset="subtract")
    mine = [row for row in r["rows"] if row["system"].startswith("your SNN")]
    assert [row["profile"] for row in mine] == ["loihi", "loihi-chip"]
    assert all(row["accuracy"] > 0.9 and row["energy_per_inference_j"] > 0 for row in mine)
    assert all("resets to zero only; the model was trained with reset by subtraction" in row["source"] for row in mine)
    assert main(["compare", "--snn", str(fixtures / "snntorch_digits.nir"), "--out", str(tmp_path / "o")]) == 2
    assert "--snn and --data: expected both" in capsys.readouterr().err
