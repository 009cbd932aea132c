"""Counters in closed form, resumed runs, batches, and event-driven cost."""
import numpy as np

import neurochip as nc


def test_one_source_into_k_targets_closed_form():
    k, steps = 7, 50
    w = np.zeros((10, 1), int)
    w[:k, 0] = 3
    net = nc.Network([nc.LIF("p", 10, vth=2**17 - 1)], [nc.SpikeSource("s", np.ones((1, 1)))],
                     [nc.Connection("c", "s", "p", w)])
    totals = nc.emulate(net, steps).counters.totals()
    assert totals == {"neuron_updates": 10 * steps, "spikes": 0, "u_wraps": 0, "v_saturations": 0,
                      "active_updates": k * (steps - 1), "nonzero_updates": k * (steps - 1),
                      "source_spikes": steps, "spikes_in": steps,
                      "synaptic_ops": k * steps, "message_bits": 0, "synaptic_updates": 0, "trace_updates": 0}


def test_truncated_weights_are_not_synapses():
    """Weights that truncate to zero at 2 bits carry no synaptic events."""
    w = np.array([[63], [64], [200]])
    net = nc.Network([nc.LIF("p", 3)], [nc.SpikeSource("s", np.ones((1, 1)))],
                     [nc.Connection("c", "s", "p", w, num_weight_bits=2, num_message_bits=16)])
    totals = nc.emulate(net, 4).counters.totals()
    assert totals["synaptic_ops"] == 2 * 4
    assert totals["message_bits"] == 16 * 4


def test_resumed_run_equals_one_run():
    from neurochip.demo import demo_network
    net = demo_network(n=300, n_in=50, fan_out=20)
    whole = nc.emulate(net, 60, record=["cortex"])
    first = nc.emulate(net, 25, record=["cortex"])
    rest = nc.emulate(net, 35, record=["cortex"], state=first.state)
    for var in "uvs":
        np.testing.assert_array_equal(whole.trace("cortex", var),
                                      np.concatenate([first.trace("cortex", var), rest.trace("cortex", var)]))
    np.testing.assert_array_equal(whole.counters.node, first.counters.concat(rest.counters).node)
    np.testing.assert_array_equal(whole.counters.conn, first.counters.concat(rest.counters).conn)


def test_batch_equals_samples_run_alone():
    rng = np.random.default_rng(3)
    spikes = (rng.random((4, 30, 8)) < 0.3).astype(int)
    w = rng.integers(-256, 256, (5, 8))

    def net(s):
        return nc.Network([nc.LIF("p", 5, du=100, dv=100, vth=20)], [nc.SpikeSource("s", s)],
                          [nc.Connection("c", "s", "p", w)])

    batched = nc.emulate(net(spikes), 30, record=["p"])
    assert batched.trace("p", "v").shape == (4, 30, 5)
    for b in range(4):
        alone = nc.emulate(net(spikes[b]), 30, record=["p"])
        np.testing.assert_array_equal(batched.trace("p", "v")[b], alone.trace("p", "v"))
        np.testing.assert_array_equal(batched.counters.conn[b], alone.counters.conn[0])


def test_silent_network_does_no_synaptic_work():
    """Event-driven: with no spikes there are no synaptic ops, however many synapses exist."""
    from neurochip.demo import demo_network
    net = demo_network(n=500, n_in=10, fan_out=100)
    quiet = nc.Network(net.populations, [nc.BernoulliSource("input", 10, p=0.0)], net.connections)
    assert nc.emulate(quiet, 20).counters.totals()["synaptic_ops"] == 0
