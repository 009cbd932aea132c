"""Cross-check against SANA-FE 2.2.9 (Boyle et al., IEEE TCAD 2025), the closest peer.

The same 64 -> 128 -> 10 network (`neurochip.validation.sanafe_small`: Bernoulli 0.2 inputs,
seeded; LIF with full current decay, no leak, no bias), 100 steps, built in both. Counts must be equal; on the `loihi-sanafe` profile
(SANA-FE's own per-op figures) total energy must agree within 1%. SANA-FE places input neurons
on a core; here they arrive from the host, so their messages carry no hops (all cores share one
tile in both, so there are none anyway).
"""
import sys
from importlib.resources import files

import pytest

from neurochip.validation.sanafe_small import STEPS, VTH, layers, reference, run
from strict import require

sanafe = require("sanafe", "sanafe ships a wheel for Python 3.11 only (dev extra)",
                 where=sys.version_info[:2] == (3, 11))


def run_sanafe(inputs, w1, w2):
    arch = sanafe.load_arch(str(files("sanafe.examples").joinpath("loihi.yaml")))
    net = sanafe.Network()
    g_in = net.create_neuron_group("in", 64)
    for i, neuron in enumerate(g_in.neurons):
        neuron.set_attributes(soma_hw_name=f"loihi_inputs[{i}]", model_attributes={"spikes": inputs[:, i].astype(int).tolist()})
    lif = {"threshold": float(VTH), "reset": 0.0, "leak_decay": 1.0}
    g_hid = net.create_neuron_group("hid", 128, model_attributes=lif)
    g_out = net.create_neuron_group("out", 10, model_attributes=lif)
    for src, dst, w in ((g_in, g_hid, w1), (g_hid, g_out, w2)):
        pairs = [(i, j) for i in range(w.shape[1]) for j in range(w.shape[0]) if w[j, i]]
        src.connect_neurons_sparse(dst, {"weight": [float(w[j, i]) for i, j in pairs]}, pairs)
    cores = arch.cores()
    for k, group in enumerate((g_in, g_hid, g_out)):
        for neuron in group.neurons:
            neuron.map_to_core(cores[k])
    chip = sanafe.SpikingChip(arch)
    chip.load(net)
    return chip.sim(STEPS)


def test_counts_and_energy_agree_with_sanafe():
    theirs = run_sanafe(*layers())
    ours_run = run()
    totals = ours_run.counters.totals()
    ours = ours_run.energy("loihi-sanafe")
    assert totals["synaptic_ops"] == theirs["spikes"]  # SANA-FE's "spikes" are synaptic events
    assert totals["spikes"] + totals["source_spikes"] == theirs["neurons_fired"]
    assert ours.counts["message_out"] == theirs["packets_sent"]
    assert ours.energy_j == pytest.approx(theirs["energy"]["total"], rel=0.01)
    assert ours.breakdown_j["synaptic_op"] == pytest.approx(theirs["energy"]["synapse"], rel=1e-9)
    assert ours.breakdown_j["message_out"] == pytest.approx(theirs["energy"]["network"], rel=1e-9)
    soma = sum(ours.breakdown_j[a] for a in ("neuron_update_active", "neuron_update_inactive", "spike_out"))
    assert soma == pytest.approx(theirs["energy"]["soma"], rel=0.01)


def test_stored_sanafe_output_is_what_sanafe_gives():
    """`neurochip validate` compares with the stored run; it must be SANA-FE's own output today."""
    theirs = run_sanafe(*layers())
    stored = reference()
    for key in ("spikes", "packets_sent", "neurons_updated", "neurons_fired", "timesteps_executed"):
        assert stored[key] == theirs[key], key
    assert stored["sim_time"] == pytest.approx(theirs["sim_time"], rel=1e-12)
    for part, joules in theirs["energy"].items():
        assert stored["energy"][part] == pytest.approx(joules, rel=1e-12, abs=1e-30), part
