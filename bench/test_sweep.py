"""A 100-point sweep (core size x weight bits x synaptic-op energy) on the digits SNN, 2 workers."""
import time

import numpy as np

from neurochip.sweep import Store, load_spec, run_sweep

SPEC = """\
name: bench
base_profile: loihi
workload: {kind: digits-snn, steps: 16, samples: 359}
axes:
  core.max_compartments: [16, 32, 64, 256, 1024]
  model.weight_bits: [2, 3, 4, 6, 8]
  energy.synaptic_op.value: [5, 10, 15, 23.6]
sampling: {method: grid}
"""


def test_100_point_sweep(tmp_path, benchmark):
    (tmp_path / "spec.yaml").write_text(SPEC)
    spec = load_spec(tmp_path / "spec.yaml")
    assert len(spec.points()) == 100
    t0 = time.perf_counter()
    benchmark.pedantic(run_sweep, args=(spec, str(tmp_path / "out")), kwargs={"workers": 2}, rounds=1, iterations=1)
    wall = time.perf_counter() - t0
    rows = Store(tmp_path / "out").rows()
    emulated = np.array([r["seconds"] for r in rows if r["emulated"]])
    repriced = np.array([r["seconds"] for r in rows if not r["emulated"]])
    ratio = emulated.mean() / repriced.mean()
    print(f"\n100-point sweep (+ baseline) on 2 workers: {wall:.1f} s wall; {len(emulated)} points emulated "
          f"({emulated.mean():.2f} s each), {len(repriced)} re-mapped and re-priced only ({repriced.mean() * 1e3:.1f} ms "
          f"each): {ratio:.0f}x; target < 600 s and >= 50x")
    assert wall < 600 and ratio >= 50
