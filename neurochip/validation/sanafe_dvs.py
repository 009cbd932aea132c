"""SANA-FE's DVS-gesture network, built here as SANA-FE 2.2.9 builds it, on its 49-core placement.

The network SANA-FE was validated against Loihi with (Boyle et al. 2025; `snn/dvs.yaml` of
SLAM-Lab/SANA-FE): a 32x32 input layer of bias-driven LIF neurons (one DVS frame as biases),
four 3x3 convolutions without padding (stride 2, then 1) to 15x15x16, 13x13x32, 11x11x64 and
9x9x11, and a dense 891 -> 11 readout; 18,678 neurons, 3,564,441 synapses (39,798 of weight 0).
Every neuron is SANA-FE's `loihi_lif`: no current memory, potential leak 4095/4096 with
truncation to 1/64, hard reset to 0, fire when above threshold. That is this package's Loihi
LIF with du = 4095, dv = 1, weights and thresholds in the same units and the bias as
``bias_mant << 6``, so both simulators compute the same spikes (a test checks every count).

Loihi cannot store the weights as SANA-FE ships them: 4 of 39,321 exceed the 8-bit mixed-sign
range (down to -289) and half are odd, which 8-bit mixed-sign synapses drop the low bit of.
Both simulators here run the network as Loihi stores it (`stored`: clipped to [-256, 255],
then truncated as Lava's Dense does); `data/sanafe_2.2.9_dvs.json` also keeps SANA-FE's figures
for the weights as shipped, to show what that storage changes.

Weights, thresholds and the frame: `data/sanafe_dvs.npz` (see `data/README.md`). SANA-FE's
output for 128 steps of that frame, on the placement of `dvs.yaml` (`PER_CORE`), is stored in
`data/sanafe_2.2.9_dvs.json`; `tests/test_sanafe_dvs.py` re-runs SANA-FE where its wheel installs.
"""
from __future__ import annotations

import json
from importlib.resources import files

import numpy as np

from ..api import Run, emulate
from ..ir import LIF, Connection, ConvKernel, Network, SignMode
from ..ir.connections import truncate_weights
from ..mapping import Placement, map_network

#: Steps SANA-FE's DVS-gesture script runs per frame (scripts/tcad2025/dvs_gesture.py).
STEPS = 128
#: Populations (channels, height, width) in layer order and the convolution strides into them.
SHAPES = {"in": (1, 32, 32), "c1": (16, 15, 15), "c2": (32, 13, 13), "c3": (64, 11, 11), "c4": (11, 9, 9)}
STRIDES = {"c1": 2, "c2": 1, "c3": 1, "c4": 1}
#: Neurons per core in `dvs.yaml`'s 49-core mapping (the last core of a layer takes the rest).
PER_CORE = {"in": 1024, "c1": 480, "c2": 676, "c3": 352, "c4": 99, "out": 11}


def data() -> dict[str, np.ndarray]:
    """Kernels `conv1..4` (kh, kw, C_in, C_out), `dense1` (891, 11), the frame's `inputs` (1024,)
    biases and the six layers' `thresholds`, as SANA-FE ships them (integers)."""
    with np.load(files(__package__).joinpath("data", "sanafe_dvs.npz").open("rb")) as npz:
        return {k: npz[k].astype(np.int64) for k in npz.files}


def stored(weights: np.ndarray) -> np.ndarray:
    """Weights as Loihi's 8-bit mixed-sign synapses store them: clipped to [-256, 255], low bit dropped."""
    return truncate_weights(np.clip(weights, -256, 255), SignMode.MIXED, 8)


def network() -> Network:
    d = {k: stored(v) if k.startswith(("conv", "dense")) else v for k, v in data().items()}
    names = [*SHAPES, "out"]
    lif = dict(du=4095, dv=1)
    pops = [LIF("in", 1024, vth=int(d["thresholds"][0]), bias_mant=d["inputs"], bias_exp=6, **lif)]
    pops += [LIF(name, int(np.prod(SHAPES[name])), vth=int(d["thresholds"][i + 1]), **lif) for i, name in enumerate(names[1:-1])]
    pops.append(LIF("out", 11, vth=int(d["thresholds"][5]), **lif))
    conns = [Connection.conv(f"{src}->{dst}", src, dst,
                             ConvKernel(d[f"conv{i + 1}"].transpose(3, 2, 0, 1), SHAPES[src], stride=STRIDES[dst]))
             for i, (src, dst) in enumerate(zip(names[:4], names[1:5]))]
    conns.append(Connection("c4->out", "c4", "out", d["dense1"].T))
    return Network(pops, [], conns)


def run(steps: int = STEPS) -> Run:
    return emulate(network(), steps)


def placement(result: Run, profile: str = "loihi-sanafe") -> Placement:
    """The emulated network on `dvs.yaml`'s placement (49 cores on 13 tiles), kept as given:
    SANA-FE does not model Loihi's output-axon limit, which its input core exceeds
    (`Placement.violations` says by how much)."""
    return map_network(result.network, profile, packed=result.packed, per_core=PER_CORE, enforce=False)


def reference() -> dict:
    """SANA-FE 2.2.9's result for the network (energy in J, `sim_time` in s), with its provenance."""
    return json.loads(files(__package__).joinpath("data", "sanafe_2.2.9_dvs.json").read_text())
