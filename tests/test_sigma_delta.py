"""Sigma-delta populations beyond the emulator: validation, mapping per profile, pricing, export."""
import numpy as np
import pytest

import neurochip as nc
from neurochip.errors import MappingError, NetworkError


def sd_network(**kw):
    pop = nc.SigmaDelta("sd", 20, vth=5, bias=3, **kw)
    src = nc.SpikeSource("s", np.arange(40).reshape(4, 10) % 3)
    return nc.Network([pop], [src], [nc.Connection("c", "s", "sd", np.ones((20, 10), int), num_message_bits=8)])


def test_sigma_delta_sends_thresholded_changes_of_its_activation():
    """Ten graded channels summing to 9, 10, 11, 9 (repeating) through unit weights, arriving a
    step after they are sent, on top of a bias of 3."""
    run = nc.emulate(sd_network(), 6, record=["sd"])
    act, s, residue = (run.trace("sd", v)[:, 0] for v in ("act", "s", "residue"))
    np.testing.assert_array_equal(act, [3, 12, 22, 33, 42, 51])
    np.testing.assert_array_equal(s, [0, 12, 10, 11, 9, 9])          # |3| < 5 is held back as residue
    np.testing.assert_array_equal(residue, [3, 0, 0, 0, 0, 0])
    assert run.counters.totals()["spikes"] == 5 * 20


@pytest.mark.parametrize("kw, match", [
    (dict(in_shift=32), r"'sd': field 'in_shift': expected integers in \[0, 31\]"),
    (dict(relu=1), r"'sd': field 'relu': expected True or False, found 1"),
    (dict(vth=2**31), r"'sd': field 'vth': expected integers in \[-2147483648, 2147483647\]"),
])
def test_bad_sigma_delta_parameters_name_the_field(kw, match):
    with pytest.raises(NetworkError, match=match):
        nc.SigmaDelta("sd", 3, **kw)


def test_a_chip_without_sigma_delta_neurons_refuses_them_by_name():
    run = nc.emulate(sd_network(), 10)
    with pytest.raises(MappingError, match=r"population 'sd' is SigmaDelta \(sigma_delta\); loihi-chip runs lif "
                                           r"neurons only \(core.neuron_models\)"):
        run.energy("loihi-chip")


def test_loihi2_prices_sigma_delta_updates_and_leaves_graded_bits_unpriced():
    report = nc.emulate(sd_network(), 10).energy("loihi2")
    assert report.counts["neuron_update_active"] + report.counts["neuron_update_inactive"] == 200
    assert report.unpriced == {"message_bit": 520}
    assert any("lower bound" in note for note in report.notes)


def test_a_state_from_another_network_is_refused():
    lif_only = nc.Network([nc.LIF("sd", 20)], [nc.SpikeSource("s", np.ones((4, 10), int))],
                          [nc.Connection("c", "s", "sd", np.ones((20, 10), int))])
    with pytest.raises(NetworkError, match="state: expected the state of this network"):
        nc.emulate(sd_network(), 3, state=nc.emulate(lif_only, 3).state)


def test_nir_export_refuses_sigma_delta():
    from neurochip.errors import NIRError
    from neurochip.interop import nir as nn

    with pytest.raises(NIRError, match="population 'sd' is SigmaDelta: NIR 1.0 has no such neuron"):
        nn.save(sd_network(), "unused.nir")


def test_atrlif_threshold_adapts_and_refractoriness_decays():
    """A bias-driven ATRLIF without decays (Lava's own test_float/fixed case): the first spike when
    v reaches theta_0, then r = 2 theta holds it off until v - r reaches theta again."""
    theta_0, bias = 4, 2
    pop = nc.ATRLIF("a", 1, delta_i=0.0, delta_v=0.0, delta_theta=0.0, delta_r=0.0, theta_0=theta_0, theta_step=0.0,
                    bias_mant=bias, bias_exp=6)
    run = nc.emulate(nc.Network([pop]), 12, record=["a"])
    spikes = np.flatnonzero(run.trace("a", "s")[:, 0]) + 1
    first = theta_0 // bias                      # v = 2 t << 6 reaches theta_0 << 6 at t = 2
    assert spikes[0] == first and spikes[1] == 3 * theta_0 // bias   # v - 2 theta_0 >= theta_0 at t = 6
    assert run.trace("a", "theta")[0, 0] == theta_0 * 64


@pytest.mark.parametrize("kw, match", [
    (dict(delta_i=1.5), r"'a': field 'delta_i': expected a number in \[0, 1\], found 1.5"),
    (dict(theta_0=2**26), r"'a': field 'theta_0': expected a number whose x 64 fits int32"),
])
def test_bad_atrlif_parameters_name_the_field(kw, match):
    with pytest.raises(NetworkError, match=match):
        nc.ATRLIF("a", 2, **kw)
