"""The learning demonstrations: the associative memory learned on chip equals the Hebbian outer
product and numpy's synchronous Hopfield update; unsupervised STDP on digits learns features that
classify far above chance; backprop's training work is counted as the MLP code computes it."""
import json

import numpy as np
import pytest

import neurochip as nc
from neurochip.__main__ import main
from neurochip.baseline import estimate, training_estimate, training_work
from neurochip.baseline.cost import ADAM_FLOPS, update_flops
from neurochip.errors import NetworkError, TraceError
from neurochip.learn import features, hopfield


def patterns(p, n, seed=0):
    return np.random.default_rng(seed).choice(np.array([-1, 1]), (p, n))


@pytest.mark.parametrize("p, n", [(1, 5), (3, 20), (7, 40)])
def test_one_shot_hebbian_storage_is_the_outer_product(p, n):
    xi = patterns(p, n, seed=p)
    run = nc.emulate(hopfield.storage_network(xi), hopfield.STEPS_PER_PATTERN * p)
    assert np.array_equal(run.learned("hebb"), 2 * xi.T @ xi)
    assert run.counters.totals()["synaptic_updates"] == p * n * n      # the u0 term touches every synapse


def test_recall_on_chip_equals_numpy_every_step():
    xi = patterns(6, 30, seed=1)
    w = hopfield.recall_weights(2 * xi.T @ xi)
    cues = hopfield.corrupt(xi, 0.2, np.random.default_rng(2))
    assert (cues != xi).sum(axis=1).tolist() == [6] * 6
    iterations = 6
    run = nc.emulate(hopfield.recall_network(w, cues, iterations), 2 + iterations, batch=len(cues), record=["memory"])
    states = 2 * run.trace("memory", "s")[:, 1:].astype(np.int64) - 1
    assert np.array_equal(states.transpose(1, 0, 2), hopfield.recall_numpy(w, cues, iterations))


def test_capacity_curve_and_prices():
    r = hopfield.capacity(n=40, loads=(2, 12), trials=2, iterations=5, profiles=("loihi-chip", "loihi2"))
    assert r["chip_equals_numpy"] and r["learned_equals_hebbian"]
    assert r["curve"][0]["recalled"] == 1.0 and r["curve"][1]["recalled"] < 1.0      # 0.05 N vs 0.3 N
    chip, loihi2, cpu, gpu = r["rows"]
    assert not chip["lower_bound"] and loihi2["lower_bound"]     # loihi2 publishes no synaptic-update energy
    # storing prices N^2 synaptic updates per pattern at 120 pJ on loihi-chip, and more besides
    assert chip["store_j"] > 40 * 40 * 120e-12
    assert cpu["profile"] == "cpu" and gpu["profile"] == "gpu-h100"
    assert all(row["recalls_per_s_within_brain_power"] == pytest.approx(10.0 / row["recall_j"]) for row in r["rows"])


def test_bad_memories_are_refused_with_the_reason():
    with pytest.raises(NetworkError, match="patterns: expected a \\(P, N\\) array of -1 and \\+1"):
        hopfield.storage_network(np.array([[0, 1]]))
    with pytest.raises(NetworkError, match="need 2 P N < 16384"):
        hopfield.storage_network(patterns(100, 100))
    with pytest.raises(NetworkError, match="beyond the 4095 a 13-bit bias holds"):
        hopfield.recall_network(np.full((3, 3), 3000), np.ones((1, 3), np.int64), 1)


def test_learned_reads_plastic_connections_only():
    run = nc.emulate(hopfield.storage_network(patterns(2, 4)), 4)
    assert run.learned("hebb", "x1").shape == (4,)
    with pytest.raises(TraceError, match="'clamp' is not a plastic connection"):
        run.learned("clamp")
    with pytest.raises(TraceError, match="learned var 'u'"):
        run.learned("hebb", "u")


def test_label_assignment_and_prediction_against_loops():
    rng = np.random.default_rng(0)
    counts, labels = rng.integers(0, 5, (40, 6)), rng.integers(0, 3, 40)
    unit_class = features.assign(counts, labels, 3)
    for j in range(6):
        means = [counts[labels == c, j].mean() for c in range(3)]
        assert unit_class[j] == int(np.argmax(means))
    predicted = features.predict(counts, unit_class, 3)
    for i in range(40):
        scores = [counts[i, unit_class == c].mean() if (unit_class == c).any() else -1 for c in range(3)]
        assert predicted[i] == int(np.argmax(scores))


@pytest.fixture(scope="module")
def digits_report():
    return features.learn_digits(n_units=30, checkpoints=(200,), epochs=2, profiles=("loihi-chip", "loihi2"))


def test_stdp_on_digits_learns_far_above_chance(digits_report):
    r = digits_report
    assert r["stdp_accuracy"] > 0.4          # ten classes: chance is 0.1
    stdp = [p for p in r["points"] if p["system"] == "STDP on loihi-chip"]
    assert [p["samples"] for p in stdp] == [200, r["training_samples"]]
    assert stdp[0]["energy_j"] < stdp[1]["energy_j"]
    rows = {row["profile"]: row for row in r["rows"]}
    assert rows["loihi2"]["lower_bound"] and not rows["loihi-chip"]["lower_bound"]
    assert rows["cpu"]["training_j_per_sample"] == pytest.approx(
        training_estimate((64, 128, 10), "cpu", "fp32", 32).energy_per_inference_j)


def test_training_work_counts_forward_backward_and_adam():
    sizes = (64, 128, 10)
    w = training_work(sizes)
    assert w.macs == 2 * (64 * 128 + 128 * 10) + 128 * 10     # forward, weight gradients, one input gradient
    assert update_flops(sizes) == ADAM_FLOPS * (64 * 128 + 128 + 128 * 10 + 10)
    for profile, dtype in (("cpu", "fp32"), ("gpu-h100", "bf16")):
        assert training_estimate(sizes, profile, dtype, 32).energy_per_inference_j > estimate(
            sizes, profile, dtype, 32).energy_per_inference_j


def test_learn_commands_write_their_reports(tmp_path, capsys):
    out = tmp_path / "hop"
    assert main(["learn", "hopfield", "--neurons", "20", "--patterns", "1,2", "--trials", "1",
                 "--profile", "loihi-chip", "--out", str(out)]) in (0, None)
    report = json.loads((out / "report.json").read_text())
    assert [c["patterns"] for c in report["curve"]] == [1, 2]
    assert (out / "capacity.png").stat().st_size > 0
    assert main(["learn", "hopfield", "--patterns", "2,x", "--out", str(tmp_path / "bad")]) == 2
    assert "--patterns 2,x: expected comma-separated positive integers" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_learning_section_renders_in_every_report(digits_report, tmp_path):
    from rich.console import Console

    from neurochip.report import html, terminal, write_learning

    page = html._learning_section(digits_report)
    assert "Energy to learn" in page and page.count("<tr>") == 1 + len(digits_report["rows"])
    console = Console(width=120, record=True)
    for item in terminal.digits_learning(digits_report):
        console.print(item)
    text = console.export_text()
    assert "STDP, loihi2" in text and "lower bound" in text and "within the brain's power (10 W" in text
    names = sorted(p.name for p in write_learning(digits_report, tmp_path))
    assert names == ["accuracy_training_energy.png", "report.json"]
