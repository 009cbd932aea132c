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
