"""Keyword spotting on Loihi (Blouw et al., NICE 2019): 0.081 W dynamic / 296 inferences/s =
2.7e-4 J per inference for a 390-256-256-29 network. The trained network and its activity are
not published with the paper, so this builds the same topology with rate-coded input and
reports the model/paper ratio across activity levels and steps per inference."""
import numpy as np

import neurochip as nc

PAPER_J = 0.081 / 296


def kws_network(input_rate: float, vth: int, seed: int = 0) -> nc.Network:
    rng = np.random.default_rng(seed)
    sizes = (390, 256, 256, 29)
    pops = [nc.LIF(f"l{i}", n, du=4095, dv=300, vth=vth) for i, n in enumerate(sizes[1:], 1)]
    names = ["in"] + [p.name for p in pops]
    conns = [nc.Connection(f"w{i}", names[i], names[i + 1], rng.integers(-80, 81, (sizes[i + 1], sizes[i])))
             for i in range(3)]
    return nc.Network(pops, [nc.BernoulliSource("in", 390, p=input_rate, seed=seed)], conns)


if __name__ == "__main__":
    print("steps  input  hidden-activity  synops/inf  loihi J/inf  loihi/paper  loihi-sanafe/paper")
    for steps in (50, 100, 200):
        for rate, vth in ((0.1, 1200), (0.1, 600), (0.2, 400)):
            run = nc.emulate(kws_network(rate, vth), steps)
            report, sanafe = run.energy("loihi"), run.energy("loihi-sanafe")
            hidden = run.counters.totals()["spikes"] / (541 * steps)
            print(f"{steps:5d}  {rate:5.2f}  {hidden:15.1%}  {report.counts['synaptic_op']:10,}  "
                  f"{report.dynamic_energy_j:11.3e}  {report.dynamic_energy_j / PAPER_J:11.2f}  "
                  f"{sanafe.dynamic_energy_j / PAPER_J:18.2f}")
