"""Two-dendrite populations (resonate-and-fire, product): dynamics, validation, mapping, resuming."""
import numpy as np
import pytest

import neurochip as nc
from neurochip.errors import MappingError, NetworkError
from neurochip.interop.direct import pending_state


def resonator_network(kind="rf", pulse_into=0, **kw):
    """One resonator fed one pulse of 1 at step 1 on dendrite `pulse_into` (a unit weight, so it
    arrives at step 2), cos/sin of a period of 8 steps in 12 fraction bits."""
    rotation = dict(zip(("cos_decay", "sin_decay"), (int(f(2 * np.pi / 8) * 2**12) for f in (np.cos, np.sin))))
    pop = nc.Resonator("r", 1, kind=kind, **{**rotation, "decay_bits": 12, "state_exp": 6, **kw})
    src = nc.SpikeSource("s", np.eye(1, 40, dtype=int).T)
    return nc.Network([pop], [src], [nc.Connection("c", "s", "r", np.ones((1, 1), int), dendrite=pulse_into)])


def test_a_resonator_rotates_its_pulse_and_spikes_once_a_period():
    """A pulse of 64 into the real part rotates by 45 degrees a step: the phase crosses zero upward
    (im goes from negative to >= 0) every 8 steps, and the real part is then positive."""
    run = nc.emulate(resonator_network(vth=1), 40, record=["r"])
    re, im, s = (run.trace("r", v)[:, 0] for v in ("real", "imag", "s"))
    assert re[1] == 64 and im[1] == 0
    cos = int(np.cos(np.pi / 4) * 2**12)
    assert re[2] == 64 * cos // 2**12 and im[2] == re[2]
    np.testing.assert_array_equal(np.flatnonzero(s), [9, 17, 25, 33])
    assert np.all(re[s == 1] >= 1) and np.all(im[s == 1] >= 0)


def test_rf_iz_resets_real_to_zero_and_imag_below_threshold():
    run = nc.emulate(resonator_network("rf_iz", pulse_into=1, vth=40), 40, record=["r"])
    re, im, s = (run.trace("r", v)[:, 0] for v in ("real", "imag", "s"))
    assert s[1] == 1 and re[1] == 0 and im[1] == 39        # 64 arrives on the imaginary part, above vth
    assert s.sum() == 1


def test_a_product_neuron_multiplies_its_dendrites_and_wraps_in_int32():
    """3 x 5 >> 1 = 7 sent; 2**16 x 2**16 wraps to 0 in int32: nothing sent, one wrap counted."""
    src = nc.SpikeSource("s", np.array([[3, 5, 2**16, 2**16]]))
    pop = nc.Product("p", 2, vth=0, exp=1)
    conns = [nc.Connection("a", "s", "p", np.array([[1, 0, 0, 0], [0, 0, 1, 0]]), num_message_bits=24),
             nc.Connection("b", "s", "p", np.array([[0, 1, 0, 0], [0, 0, 0, 1]]), num_message_bits=24, dendrite=1)]
    run = nc.emulate(nc.Network([pop], [src], conns), 2, record=["p"])
    np.testing.assert_array_equal(run.trace("p", "s")[1], [7, 0])
    assert run.counters.of_node("p")["u_wraps"][0, 1] == 1


@pytest.mark.parametrize("make, match", [
    (lambda: nc.Resonator("r", 2, 1, 1, kind="rfz"), r"'r': field 'kind': expected one of \('rf', 'rf_iz', 'rf_zero'\)"),
    (lambda: nc.Resonator("r", 2, 1, 1, kind="rf_zero", decay_bits=12),
     r"'r': field 'decay_bits': expected 15 for kind 'rf_zero'"),
    (lambda: nc.Resonator("r", 2, 1, 1, state_exp=32), r"'r': field 'state_exp': expected integers in \[0, 31\]"),
    (lambda: nc.Product("p", 2, exp=-1), r"'p': field 'exp': expected integers in \[0, 31\]"),
    (lambda: nc.Network([nc.LIF("l", 1)], [nc.SpikeSource("s", np.ones((2, 1), int))],
                        [nc.Connection("c", "s", "l", np.ones((1, 1), int), dendrite=1)]),
     r"'c': field 'dendrite': expected an index into 'l''s dendrites \('a_in',\), found 1"),
])
def test_bad_two_dendrite_input_names_the_field(make, match):
    with pytest.raises(NetworkError, match=match):
        make()


def test_loihi2_maps_and_prices_resonators_and_loihi_refuses_them_by_name():
    run = nc.emulate(resonator_network(vth=1), 40)
    assert run.energy("loihi2").counts["neuron_update_active"] + run.energy("loihi2").counts[
        "neuron_update_inactive"] == 40
    with pytest.raises(MappingError, match=r"population 'r' is Resonator \(resonator\); loihi-chip runs lif"):
        run.energy("loihi-chip")


def test_a_run_resumes_with_input_pending_on_the_second_dendrite():
    """Two halves equal one run (the ring carries both dendrites), and input pending for step 1 on
    dendrite 1 arrives there."""
    net = resonator_network("rf_zero", pulse_into=1, vth=0, cos_decay=30000, sin_decay=9000, state_exp=0,
                            decay_bits=15)
    whole = nc.emulate(net, 40, record=["r"])
    half = nc.emulate(net, 17, record=["r"])
    rest = nc.emulate(net, 23, record=["r"], state=half.state)
    for var in ("real", "imag", "s"):
        np.testing.assert_array_equal(np.concatenate([half.trace("r", var), rest.trace("r", var)]),
                                      whole.trace("r", var))
    pending = nc.emulate(net, 1, record=["r"], state=pending_state(net, {("r", 1): np.array([5])}))
    assert pending.trace("r", "imag")[0, 0] == 5 and pending.trace("r", "real")[0, 0] == 0


def rf(name, n, period, alpha, vth, kind):
    """A population as Lava's RF / RF_IZ process builds it (state_exp 6, decay_bits 12)."""
    sin, cos = (int(np.int32((1 - alpha) * f(2 * np.pi / period) * 2**12)) for f in (np.sin, np.cos))
    return nc.Resonator(name, n, cos_decay=cos, sin_decay=sin, vth=int(vth * 64), decay_bits=12, state_exp=6,
                        kind=kind)


def test_lava_dl_rf_blocks_equal_their_stored_ground_truth():
    """lava-dl's ComplexDense (RF neurons fed by real and imaginary Dense weights) and ComplexInput
    (RF_IZ neurons fed straight into both ports) blocks: our 2,000 steps give lava-dl's stored
    output spike for spike (tests/fixtures/README.md)."""
    from pathlib import Path
    from neurochip.interop.direct import straight_in

    z = np.load(Path(__file__).parent / "fixtures" / "netx" / "complex_dense.npz")
    steps = int(z["steps"])
    spikes = {k: np.unpackbits(z[f"{k}_bits"], axis=1, count=steps).astype(np.int64) for k in ("in", "out", "current")}
    net = nc.Network([rf("rf", 256, 11, 0.05, 25, "rf")], [nc.SpikeSource("in", spikes["in"].T)],
                     [nc.Connection("re", "in", "rf", z["weight_real"].astype(np.int64)),
                      nc.Connection("im", "in", "rf", z["weight_imag"].astype(np.int64), dendrite=1)])
    out = nc.emulate(net, steps, record=["rf"]).trace("rf", "s").T
    np.testing.assert_array_equal(out, spikes["out"])
    assert out.sum() == 41_512

    parts = [straight_in(f"in{d}", "iz", spikes["in"].T, d) for d in (0, 1)]
    net = nc.Network([rf("iz", 200, 7, 0.05, 1.1, "rf_iz")], [p[0] for p in parts], [p[1] for p in parts])
    state = pending_state(net, {("iz", d): parts[d][2] for d in (0, 1)})
    out = nc.emulate(net, steps, record=["iz"], state=state).trace("iz", "s").T
    np.testing.assert_array_equal(out, spikes["current"])
    assert out.sum() == 13_548


@pytest.mark.parametrize("pending, match", [
    ({("r", 2): np.array([5])}, r"pending: 'r' has dendrites \('real', 'imag'\), found dendrite 2"),
    ({"ghost": np.array([5])}, r"pending: expected population names \['r'\], found 'ghost'"),
    ({("r", 1): np.array([5, 6])}, r"pending: 'r' expected \(1,\) or \(1, 1\) input, found shape \(2,\)"),
])
def test_bad_pending_input_names_population_and_dendrite(pending, match):
    with pytest.raises(NetworkError, match=match):
        pending_state(resonator_network(), pending)


def test_a_state_of_another_layout_names_what_differs():
    """A LIF network's state has no second-dendrite columns: refused, saying both shapes."""
    lif = nc.Network([nc.LIF("r", 1)], [nc.SpikeSource("s", np.ones((2, 1), int))],
                     [nc.Connection("c", "s", "r", np.ones((1, 1), int))])
    with pytest.raises(NetworkError, match=r"ring \(\.\., 2, 2\).*found u \(1, 1\), ring \(1, 2, 1\)"):
        nc.emulate(resonator_network(), 2, state=nc.emulate(lif, 1).state)
