"""Plastic connections: Lava's own expected values for its bit-approximate learning tests, the rule
grammar, and the kernels against the slow reference on random learning networks."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neurochip as nc
from budget import examples
from netgen import random_network
from neurochip.errors import NetworkError
from neurochip.ir.learning import parse_rule
from reference import reference_run

LEARNED = ("weights", "tag_1", "tag_2", "x1", "x2", "y1", "y2", "y3")


def stdp_network(bias_pre, bias_post, a_plus, a_minus, t_epoch, w0):
    """Lava's test_stdp_sim.py networks: bias-driven LIFs (vth 10000, no decay) around one STDP
    connection (learning rate 1, taus 10, seed 0)."""
    pre = nc.LIF("pre", len(bias_pre), du=0, dv=0, vth=10000, bias_mant=bias_pre)
    post = nc.LIF("post", len(bias_post), du=0, dv=0, vth=10000, bias_mant=bias_post)
    rule = nc.stdp(1, a_plus, a_minus, 10, 10, t_epoch=t_epoch, rng_seed=0)
    return nc.Network((pre, post), (), (nc.Connection("stdp", "pre", "post", np.asarray(w0), learning=rule),))


@pytest.mark.parametrize("bias_pre, bias_post, a_plus, t_epoch, w0, expected", [
    ([22000, 25000, 26000], [20000, 23000], 1, 1, np.zeros((2, 3)), [[31, 2, -24], [-64, 30, 14]]),
    ([25000], [20000], 4, 2, np.eye(1), [[56]]),
], ids=["multi-synapse", "two-step-epochs"])
def test_lava_stdp_tests_final_weights(bias_pre, bias_post, a_plus, t_epoch, w0, expected):
    """Lava's TestSTDPSimBitApproximate: 100 steps, the final weights its tests assert."""
    net = stdp_network(bias_pre, bias_post, a_plus, -2, t_epoch, w0)
    run = nc.emulate(net, 100, record=["stdp"])
    np.testing.assert_array_equal(run.trace("stdp", "weights")[-1], expected)


@pytest.mark.parametrize("dependency, final", [("x0", 26), ("y0", 25), ("u0", 24)])
def test_lava_graded_spike_regular_impulse_traces_and_weights(dependency, final):
    """Lava's TestLearningSimGradedSpikeBitApprox (regular impulses): a payload of 51 at step 2, a
    postsynaptic spike at step 3, a 4-step epoch; x1, x2 and w after each of 5 steps as it asserts."""
    rule = nc.LearningRule(dw=f"{dependency} * x1", x1_impulse=16, x1_tau=20, x2_impulse=24, x2_tau=5, t_epoch=4)
    pre = np.zeros((5, 1), int)
    pre[1] = 51
    kick = np.zeros((5, 1), int)
    kick[1] = 100
    net = nc.Network([nc.LIF("post", 1, du=4095, dv=4095, vth=10000)],
                     [nc.SpikeSource("pre", pre), nc.SpikeSource("kick", kick)],
                     [nc.Connection("plastic", "pre", "post", np.eye(1) * 10, num_message_bits=8, learning=rule),
                      nc.Connection("drive", "kick", "post", np.full((1, 1), 255), num_message_bits=8)])
    run = nc.emulate(net, 5, record=["plastic", "post"])
    assert run.trace("post", "s")[:, 0].tolist() == [0, 0, 1, 0, 0]
    assert run.trace("plastic", "x1")[:, 0].tolist() == [0, 0, 0, 14, 14]
    assert run.trace("plastic", "x2")[:, 0].tolist() == [0, 0, 0, 16, 16]
    assert run.trace("plastic", "weights")[:, 0, 0].tolist() == [10, 10, 10, final, final]


@pytest.mark.parametrize("text, expected", [
    ("x0*(-1)*2^-1*y1", [(0, -1, -1, 1)]),
    ("y0*1*2^1*x1", [(1, 1, 1, 1)]),
    ("u0 * 16 * x1", [(2, 4, 2, 1)]),
    ("(1) * (-2) * x0 * y1 +(1) * (4) * y0 * x1", [(0, -2, 0, 1), (1, 4, 0, 1)]),
    ("- x0 * (3 - x1)", [(0, 1, 0, 1)]),
    ("u12 * t", [(2, 2, 0, 1)]),
], ids=["negated-half", "doubled", "normalised", "stdp", "negated-variable", "one-digit-decimation"])
def test_rule_products_as_lava_forms_them(text, expected):
    """Lava's product-series cases: (dependency, mantissa, exponent, factors) per product (`u12` is
    u1 times a literal 2, as Lava reads one digit)."""
    assert [(p.dependency, p.mantissa, p.exponent, len(p.factors)) for p in parse_rule(text)] == expected


def test_a_negated_bracketed_variable_flips_the_constant():
    (p,) = parse_rule("x0 * (3 - x1)")
    assert (p.mantissa, p.factors[0].const) == (-1, -3)


@pytest.mark.parametrize("kwargs, match", [
    (dict(dw="x1 * 2"), "without a dependency"),
    (dict(dw="x0 * 9"), "mantissa"),
    (dict(dw="x0 * x1 +"), "ends with an operator"),
    (dict(dw="x0 * q"), "cannot read"),
    (dict(dw="u1 * x1", dt="u2 * t"), "one u-dependency exponent"),
    (dict(dw="x0 * sgn(x1)"), "sgn of w, d or t"),
    (dict(dw="x0", x1_impulse=200), "x1_impulse"),
    (dict(dw=""), "at least one of dw"),
    (dict(dw="x0", graded_spike="sum"), "graded_spike"),
])
def test_bad_rules_name_the_field(kwargs, match):
    with pytest.raises(NetworkError, match=match):
        nc.LearningRule(**kwargs)


def test_a_plastic_connection_refuses_delays_and_out_of_range_tags():
    rule = nc.LearningRule(dw="x0 * y1")
    with pytest.raises(NetworkError, match="'c'.*'delays'.*plastic"):
        nc.Connection("c", "a", "b", np.ones((2, 2)), delays=1, learning=rule)
    with pytest.raises(NetworkError, match="'c'.*'tag_2'.*\\[0, 255\\]"):
        nc.Connection("c", "a", "b", np.ones((2, 2)), tag_2=-1, learning=rule)
    with pytest.raises(NetworkError, match="'c'.*'tag_1'.*plastic"):
        nc.Connection("c", "a", "b", np.ones((2, 2)), tag_1=3)


def assert_learns_as_reference(net, steps, batch):
    plastic = [c.name for c in net.connections if c.learning is not None]
    got = nc.emulate(net, steps, record=[p.name for p in net.populations] + plastic, batch=batch)
    traces, counters = reference_run(net, steps, batch)
    for name in plastic:
        for var in LEARNED:
            np.testing.assert_array_equal(got.traces[name][var], traces[name][var], err_msg=f"{name}.{var}")
    for pop in net.populations:
        np.testing.assert_array_equal(got.traces[pop.name]["s"], traces[pop.name]["s"], err_msg=pop.name)
    for c in net.connections:
        for counter, arr in counters[c.name].items():
            np.testing.assert_array_equal(got.counters.of_connection(c.name)[counter], arr,
                                          err_msg=f"{c.name}.{counter}")
    return got


@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), batch=st.sampled_from([1, 1, 2]))
def test_random_learning_networks_match_reference(seed, batch):
    """Random rules of the whole grammar (dw, dd, dt; x0, y0 and u dependencies; every factor
    kind), fractional impulses and taus, epochs 1..4, graded-spike modes, dense and sparse,
    sign modes and tags: weights, tags, traces, spikes and counters every step."""
    net, steps = random_network(np.random.default_rng(seed), max_n=8, lava_values=True, subtract=True,
                                learning=True)
    assert_learns_as_reference(net, steps, batch if net.batch is None else net.batch)


def test_a_resumed_learning_run_equals_one_run():
    """The state carries weights, traces and the random streams: 37 + 63 steps equal 100 steps."""
    net = stdp_network([22000, 25000, 26000], [20000, 23000], 1, -2, 3, np.zeros((2, 3)))
    whole = nc.emulate(net, 100, record=["stdp"])
    first = nc.emulate(net, 37, record=["stdp"])
    rest = nc.emulate(net, 63, record=["stdp"], state=first.state)
    for var in LEARNED:
        np.testing.assert_array_equal(np.concatenate([first.trace("stdp", var), rest.trace("stdp", var)]),
                                      whole.trace("stdp", var), err_msg=var)


def test_batched_samples_learn_independently():
    """Each sample of a batch learns from its own input, as if run alone."""
    rng = np.random.default_rng(5)
    spikes = (rng.random((2, 60, 4)) < 0.3).astype(int)
    rule = nc.stdp(1, 2, -2, 8, 8, rng_seed=3)

    def net(values):
        return nc.Network([nc.LIF("post", 3, du=100, dv=100, vth=50)], [nc.SpikeSource("in", values)],
                          [nc.Connection("w", "in", "post", np.full((3, 4), 40), learning=rule)])

    both = nc.emulate(net(spikes), 60, record=["w"]).trace("w", "weights")
    for b in range(2):
        alone = nc.emulate(net(spikes[b]), 60, record=["w"]).trace("w", "weights")
        np.testing.assert_array_equal(both[b], alone)
    assert not np.array_equal(both[0, -1], both[1, -1])


def test_synaptic_updates_are_priced_and_timed_where_the_profile_publishes_them():
    """Loihi: 120 pJ and 6.1 ns per synaptic update (Davies et al. 2018, Table 2); Loihi 2 publishes
    none, so the updates are listed unpriced and the total is a lower bound."""
    run = nc.emulate(stdp_network([22000, 25000, 26000], [20000, 23000], 1, -2, 1, np.zeros((2, 3))), 100)
    updates = run.counters.totals()["synaptic_updates"]
    assert updates == run.counters.of_connection("stdp")["synaptic_updates"].sum() > 0
    loihi = run.energy("loihi")
    assert loihi.breakdown_j["synaptic_update"] == pytest.approx(updates * 120e-12)
    assert loihi.sources["synaptic_update"]["source"].startswith("Davies et al. 2018")
    loihi2 = run.energy("loihi2")
    assert loihi2.unpriced == {"synaptic_update": updates}
    assert any("synaptic updates are not timed" in n for n in loihi2.notes)
