"""Every bad input a new user might give: exit status 2, one line on stderr naming the argument or
file and what was expected, no traceback, nothing written or left behind."""
import json
import os
from pathlib import Path

import nir
import pytest

from neurochip.__main__ import main
from test_nir import lif_graph

SPEC = """\
name: t
base_profile: loihi
workload: {kind: recurrent, n: 60, fan_out: 5, steps: 10}
axes:
  energy.synaptic_op.value: [10, 23.6]
"""

LATIN1 = "name: x\ndescription: a t\xe9st chip\nkind: neuromorphic\n"
NO_SOURCE = "extends: loihi\nname: faster\nenergy:\n  synaptic_op: {value: 5}\n"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A folder with one of each input file; the tests run in it."""
    monkeypatch.chdir(tmp_path)
    nir.write(tmp_path / "model.nir", lif_graph())
    (tmp_path / "spec.yaml").write_text(SPEC)
    (tmp_path / "bad_spec.yaml").write_text(SPEC.replace("[10, 23.6]", "[10, -1]"))
    (tmp_path / "notes.txt").write_text("not a model\n")
    (tmp_path / "latin1.yaml").write_bytes(LATIN1.encode("latin-1"))
    (tmp_path / "child.yaml").write_text(NO_SOURCE)
    (tmp_path / "list_spec.yaml").write_text("- a\n- list\n")
    (tmp_path / "nir_spec.yaml").write_text(SPEC.replace("{kind: recurrent, n: 60, fan_out: 5, steps: 10}",
                                                         "{kind: nir, path: notes.txt, steps: 10}"))
    (tmp_path / "fast_spec.yaml").write_text(SPEC.replace("{kind: recurrent, n: 60, fan_out: 5, steps: 10}",
                                                          "{kind: nir, path: model.nir, rate_hz: 5000, steps: 10}"))
    (tmp_path / "corrupt").mkdir()
    (tmp_path / "corrupt" / "results.sqlite").write_bytes(b"not a database at all" * 100)
    return tmp_path


def snapshot(root: Path) -> dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*")}


CASES = [
    # outputs that cannot be written: checked before any work
    ("compare --out /proc/x", r"--out /proc/x: cannot be written"),
    ("compare --out notes.txt/sub", r"--out notes.txt/sub: cannot be written: notes.txt is a file"),
    ("compare --out notes.txt", r"--out notes.txt: expected a folder, found a file"),
    ("map mlp:20,10 --json /proc/x.json", r"--json /proc/x.json: cannot be written"),
    ("energy mlp:20,10 --json notes.txt/x.json", r"--json notes.txt/x.json: cannot be written"),
    ("energy mlp:20,10 --json .", r"--json \.: expected a file path, found a folder"),
    ("sweep spec.yaml --out /proc/x", r"--out /proc/x: cannot be written"),
    ("sweep spec.yaml --out out --csv /proc/x.csv", r"--csv /proc/x.csv: cannot be written"),
    ("port model.nir --out /proc/x", r"--out /proc/x: cannot be written"),
    ("baseline --out /proc/x", r"--out /proc/x: cannot be written"),
    # numbers out of range
    ("map mlp:20,10 --steps -1", r"'--steps'.*greater than or equal to 0"),
    ("compare --steps -1", r"'--steps'.*greater than or equal to 1"),
    ("port model.nir --steps -1", r"'--steps'.*greater than or equal to 1"),
    ("energy mlp:20,10 --steps 0", r"'--steps'.*greater than or equal to 1"),
    ("compare --batch -3", r"'--batch'.*greater than or equal to 1"),
    ("compare --epochs 0", r"'--epochs'.*greater than or equal to 1"),
    ("port model.nir --rate -5", r"'--rate'.*greater than or equal to 0"),
    ("port model.nir --dt 0", r"'--dt': expected a number > 0, found 0"),
    ("port model.nir --dt -1e-3", r"'--dt': expected a number > 0"),
    ("port model.nir --rate 5000", r"input rate 5000 Hz: expected at most one spike per step \(1000 Hz at dt 0.001 s\)"),
    ("baseline --epochs -1", r"'--epochs'.*greater than or equal to 1"),
    ("baseline --snn-steps 0", r"'--snn-steps'.*greater than or equal to 1"),
    ("sweep spec.yaml --workers 0", r"'--workers'.*greater than or equal to 1"),
    # malformed values and files
    ("baseline --hidden abc", r"--hidden abc: expected comma-separated positive integers"),
    ("baseline --hidden 128,0", r"--hidden 128,0: expected comma-separated positive integers"),
    ("baseline --model notes.txt", r"notes\.txt: not a neurochip MLP file"),
    ("baseline --model missing.npz", r"'--model'.*missing\.npz.*does not exist"),
    ("compare --model missing.npz", r"--model missing\.npz: expected digits-mlp or a saved MLP \.npz file"),
    ("map recurrent:100,-3", r"workload 'recurrent:100,-3': expected .*positive integers"),
    ("map bogus:1", r"workload 'bogus:1': expected 'mlp:784,512,512,10' or 'recurrent:N\[,FAN_OUT\]'"),
    ("energy recurrent:0", r"workload 'recurrent:0'"),
    ("map mlp:20,10 --strategy bogus", r"--strategy bogus: expected one of greedy, traffic or both"),
    ("energy mlp:20,10 --backend gpu", r"'--backend': expected one of cpu, cuda, found 'gpu'"),
    ("port notes.txt", r"notes\.txt: not a readable NIR file"),
    ("port missing.nir", r"'model'.*missing\.nir.*does not exist"),
    ("sweep bad_spec.yaml", r"bad_spec\.yaml:5: axes\.energy\.synaptic_op\.value: -1 is not a valid value"),
    ("pareto missing_dir", r"missing_dir: expected a sweep result folder holding results\.sqlite, found none"),
    ("sweep list_spec.yaml", r"list_spec\.yaml:1: expected a mapping of sweep fields"),
    ("sweep nir_spec.yaml", r"nir_spec\.yaml:3: workload: .*notes\.txt: not a readable NIR file"),
    ("sweep fast_spec.yaml", r"fast_spec\.yaml:3: workload: input rate 5000 Hz: expected at most one spike per step"),
    ("pareto corrupt", r"corrupt/results\.sqlite: expected a neurochip sweep store \(SQLite\)"),
    ("pareto corrupt --x point", r"--x point: expected one of the numeric results"),
    ("map mlp:100000000000,10", r"expected at most 2,000,000,000 synapses"),
    ("map recurrent:3000,50 --rate 1.5", r"'--rate': expected a spike probability per step in \(0, 1\]"),
    ("scale --neurons 1e6 --synapses 1e8 --profile spinnaker2", r"spinnaker2: profile 'spinnaker2' states no per-core"),
    # profiles
    ("profiles show loihi --set core.max_compartments=1e400", r"--set core\.max_compartments=1e400: .*finite number"),
    ("profiles show loihi --set core.max_weight_bits=2.5", r"--set core\.max_weight_bits=2\.5: .*a whole number"),
    ("profiles show loihi --set chip.mesh_rows=0", r"^error: --set chip\.mesh_rows=0: chip: expected mesh_rows x "
                                                   r"mesh_cols x cores_per_tile = 0 must equal cores_per_chip = 128$"),
    ("energy mlp:20,10 --profile nope", r"profile 'nope': expected a built-in name"),
    ("profiles show latin1.yaml", r"latin1\.yaml: expected UTF-8 text, found byte 0xe9"),
    ("profiles show child.yaml", r"child\.yaml:4: energy\.synaptic_op: expected a source for the new value 5"),
    ("profiles show loihi --set core.max_compartments=-5", r"^error: --set core\.max_compartments=-5: "
                                                           r"core\.max_compartments\.value: expected greater than"),
    ("map mlp:20,10 --set core.max_compartments=lots", r"--set core\.max_compartments=lots: .*valid number"),
    ("profiles show loihi --set energy.synaptic_op=[1", r"--set energy\.synaptic_op=\[1: expected a YAML value"),
    ("profiles show loihi --set nokey", r"--set nokey: expected KEY=VALUE, found no '='"),
    # a network that does not fit
    ("map mlp:20,10 --profile truenorth", r"connection 'w1' needs 8-bit weights, truenorth stores at most 1"),
    ("map mlp:5200,2", r"population 'l1' needs \d+ input axons per core \(compartment 0\), loihi allows 4096"),
    # the command line itself
    ("map", r"Missing argument 'model'"),
    ("nonsense", r"No such command 'nonsense'"),
]


@pytest.mark.parametrize("argv, match", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_on_stderr_and_writes_nothing(workdir, capsys, argv, match):
    import re

    before = snapshot(workdir)
    status = main(argv.split())
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in out + err
    assert re.search(match, lines[0]), lines[0]
    assert snapshot(workdir) == before


def test_help_and_good_runs_exit_zero(workdir, capsys):
    assert main([]) == 0 and "Usage: neurochip" in capsys.readouterr().out
    assert main(["profiles"]) == 0 and "list" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert main(["profiles", "list"]) == 0
    assert main(["map", "mlp:20,10", "--json", "p.json"]) == 0
    assert (workdir / "p.json").stat().st_mode & 0o777 == 0o666 & ~current_umask()
    out, err = capsys.readouterr()
    assert err == "" and "placement written to p.json" in out


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def loaded(pid: int, library: str) -> bool:
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("delay_s", [0.0, 0.05, 0.2, 0.5, 1.0, 2.0])
def test_ctrl_c_at_any_stage_is_one_line(tmp_path, delay_s):
    """SIGINT while the command line imports numba (delay 0), compiles or emulates, or prices:
    never a traceback; one line and status 130, or the run had already finished and written."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "neurochip", "energy", "mlp:784,512,512,10", "--steps", "300",
                             "--json", "e.json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    deadline = time.monotonic() + 30
    while not loaded(proc.pid, "llvmlite") and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(delay_s)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    if "reports written to e.json" in out:   # already done; a signal during interpreter shutdown is silent
        assert proc.returncode in (0, -signal.SIGINT) and err == ""
    else:   # a shell shows both 130 and death by SIGINT as status 130
        assert proc.returncode in (130, -signal.SIGINT) and err == "interrupted\n", (proc.returncode, err)
        assert not (tmp_path / "e.json").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_tables_fit_80_columns_without_losing_a_cell(workdir, capsys, monkeypatch):
    """Every table's narrowest layout fits 80 columns (so rich wraps, never crops), nothing is
    cut to an ellipsis, and every number of the run is printed whole."""
    from rich.console import Console
    from rich.measure import Measurement

    from neurochip.report import terminal
    from neurochip.profiles import builtin_names, load_profile

    console = Console(width=80)
    tables = [*terminal.profiles_list([load_profile(n) for n in builtin_names()]),
              *terminal.profile_figures(load_profile("loihi"))]
    monkeypatch.setenv("COLUMNS", "80")
    outs = {}
    for argv in (["map", "mlp:784,512,512,10", "--steps", "3", "--json", "m.json"],
                 ["map", "recurrent:3000,50", "--cores"], ["energy", "mlp:40,20,10", "--steps", "20", "--json", "e.json"],
                 ["scale", "--profile", "loihi", "--profile", "loihi2"]):
        assert main(argv) == 0
        outs[argv[0]] = out = capsys.readouterr().out
        assert "…" not in out and max(len(line) for line in out.splitlines()) <= 80, out
    for t in tables:
        if hasattr(t, "columns"):
            assert Measurement.get(console, console.options, t).minimum <= 80, t.title
    energy = json.loads((workdir / "e.json").read_text())[0]
    assert f"{energy['counts']['synaptic_ops']:,}" in outs["energy"]


def test_python_dash_m_runs(tmp_path):
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "neurochip", "profiles", "list"], capture_output=True, text=True,
                         cwd=tmp_path)
    assert res.returncode == 0 and "loihi" in res.stdout

