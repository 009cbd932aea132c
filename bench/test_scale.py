"""Big networks from the command line, and brain-sized estimates: the questions of a hardware
designer answered in a minute."""
import resource
import subprocess
import sys
import time

from neurochip.energy import brain_scale


def test_cli_map_1m_compartments_100m_synapses(benchmark, tmp_path):
    """`neurochip map recurrent:1000000,100 --profile loihi` end to end (building the workload
    included): target <= 60 s and <= 2 GiB peak on 2 cores."""
    cmd = [sys.executable, "-m", "neurochip", "map", "recurrent:1000000,100", "--profile", "loihi",
           "--json", str(tmp_path / "placement.json")]

    def run():
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=tmp_path)
        return time.perf_counter() - t0

    seconds = benchmark.pedantic(run, rounds=1, iterations=1)
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 2**30
    benchmark.extra_info.update(seconds=seconds, peak_gib=peak_gib)
    print(f"\nCLI map of 1M compartments / 100M synapses on loihi: {seconds:.1f} s, peak RSS {peak_gib:.2f} GiB; "
          "targets 60 s, 2 GiB")
    assert seconds <= 60 and peak_gib <= 2


def test_brain_scale(benchmark):
    """A brain-sized network (86.1e9 neurons, 1.5e14 synapses, 0.16 Hz) on each chip, shared to
    random wiring; reported, with the time it takes to answer."""
    results = benchmark.pedantic(lambda: {p: brain_scale(p) for p in ("loihi", "loihi-sanafe", "loihi2")},
                                 rounds=1, iterations=1)
    for name, s in results.items():
        print(f"\nbrain on {name}: {s['chips'][0]:,} to {s['chips'][1]:,} chips, {s['power_w'][0]:.3g} to "
              f"{s['power_w'][1]:.3g} W ({s['ratio_to_brain'][0]:.3g}x to {s['ratio_to_brain'][1]:.3g}x the brain's "
              f"{s['brain_power_w']:g} W); bound by {s['shared']['binding_limit']} / {s['random']['binding_limit']}")
