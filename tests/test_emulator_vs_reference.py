"""The Numba emulator against the slow reference, step by step, on randomized networks."""
import numpy as np
import pytest
from hypothesis import given, settings, HealthCheck
from hypothesis import strategies as st

import neurochip as nc
from budget import examples
from netgen import random_network
from reference import reference_run


def assert_same(net, steps, batch=1):
    got = nc.emulate(net, steps, record=[p.name for p in net.populations], batch=batch)
    traces, counters = reference_run(net, steps, batch)
    for pop in net.populations:
        for var in (*pop.STATE, "s"):
            np.testing.assert_array_equal(got.traces[pop.name][var], traces[pop.name][var],
                                          err_msg=f"{pop.name}.{var}")
        for name, arr in counters[pop.name].items():
            np.testing.assert_array_equal(got.counters.of_node(pop.name)[name], arr, err_msg=f"{pop.name}.{name}")
    spikes = np.concatenate([(traces[p.name]["s"] != 0).sum(axis=(0, 1)) for p in net.populations])
    np.testing.assert_array_equal(got.counters.compartment_spikes, spikes)
    channels = np.concatenate([counters[s.name]["spikes"].sum(axis=(0, 1), keepdims=True) for s in net.sources] or
                              [np.zeros(0, int)])
    assert got.counters.axon_spikes[net.n_compartments:].sum() == channels.sum()
    for src in net.sources:
        np.testing.assert_array_equal(got.counters.of_node(src.name)["spikes"], counters[src.name]["spikes"])
    for c in net.connections:
        for name, arr in counters[c.name].items():
            np.testing.assert_array_equal(got.counters.of_connection(c.name)[name], arr, err_msg=f"{c.name}.{name}")
    return got


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), batch=st.sampled_from([1, 1, 2, 3]))
def test_random_networks_match_reference(seed, batch):
    net, steps = random_network(np.random.default_rng(seed), lava_values=True, subtract=True)
    assert_same(net, steps, batch if net.batch is None else net.batch)


@pytest.mark.parametrize("models", [dict(sigma_delta=True), dict(sigma_delta=True, two_dendrites=True)],
                         ids=["sigma-delta-atrlif", "resonator-product"])
@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), batch=st.sampled_from([1, 1, 2, 3]))
def test_random_networks_of_every_model_match_reference(models, seed, batch):
    """Sigma-delta and ATRLIF populations among LIFs (and resonators and product neurons fed on
    both dendrites), every accumulator."""
    net, steps = random_network(np.random.default_rng(seed), lava_values=True, subtract=True, conv24=True, **models)
    assert_same(net, steps, batch if net.batch is None else net.batch)


def test_long_run_hits_wrap_and_saturation():
    """Strong positive drive with no decay saturates v; huge graded input wraps u."""
    pop = nc.LIF("p", 3, du=0, dv=0, vth=2**17 - 1, bias_mant=4095, bias_exp=7)
    src = nc.SpikeSource("s", np.full((1, 2), 2**23 - 1))
    conn = nc.Connection("c", "s", "p", np.array([[255, 255], [-256, 0], [7, -3]]), weight_exp=7,
                         num_message_bits=24)
    got = assert_same(nc.Network([pop], [src], [conn]), 400)
    totals = got.counters.totals()
    assert totals["u_wraps"] > 0 and totals["v_saturations"] > 0


@pytest.mark.parametrize("weight_exp", [-8, -3, 0, 5, 7])
def test_delays_and_exponents_on_sparse_rows(weight_exp):
    rng = np.random.default_rng(weight_exp + 100)
    w = rng.integers(-256, 256, (40, 30)) * (rng.random((40, 30)) < 0.1)
    pop = nc.LIF("p", 40, du=300, dv=50, vth=500)
    src = nc.BernoulliSource("s", 30, p=0.3, seed=4)
    conn = nc.Connection("c", "s", "p", w, weight_exp=weight_exp, delays=rng.integers(0, 8, w.shape))
    rec = nc.Connection("r", "p", "p", -rng.integers(0, 200, (40, 40)), delays=3)
    assert_same(nc.Network([pop], [src], [conn, rec]), 120, batch=2)
