"""Malformed networks fail at construction, naming node, field, what was expected and found."""
import numpy as np
import pytest
import scipy.sparse as sp

import neurochip as nc
from neurochip import NetworkError


def lif(**kw):
    return nc.LIF(**{"name": "hidden", "n": 3, **kw})


@pytest.mark.parametrize("kw, match", [
    (dict(du=4097), r"'hidden': field 'du': expected integers in \[-1, 4096\], found values in \[4097, 4097\]"),
    (dict(dv=-2), r"'hidden': field 'dv': expected integers in \[-1, 4096\]"),
    (dict(dv=[0, 1]), r"'hidden': field 'dv': expected a scalar or shape \(3,\), found shape \(2,\)"),
    (dict(vth=2**25), r"'hidden': field 'vth': expected integers in \[0, 33554431\]"),
    (dict(bias_mant=[0, 2**15, 0]), r"'hidden': field 'bias_mant': expected integers in \[-32768, 32767\]"),
    (dict(bias_mant=[1, 2]), r"'hidden': field 'bias_mant': expected a scalar or shape \(3,\), found shape \(2,\)"),
    (dict(bias_exp=17), r"'hidden': field 'bias_exp'"),
    (dict(u=2**23 + 1), r"'hidden': field 'u': expected integers in \[-8388608, 8388608\]"),
    (dict(v=0.5), r"'hidden': field 'v': expected integer values, found non-integral"),
    (dict(n=0), r"'hidden': field 'n': expected an integer in \[1, 2,147,483,647\], found 0"),
    (dict(n=2**31), r"'hidden': field 'n': expected an integer in \[1, 2,147,483,647\], found 2147483648"),
    (dict(reset_interval=4, reset_offset=4), r"'hidden': field 'reset_offset': expected integers in \[0, 3\]"),
    (dict(reset_offset=2), r"'hidden': field 'reset_offset': expected 0 when reset_interval is None"),
    (dict(du="fast"), r"'hidden': field 'du': expected integers, found dtype <U4"),
])
def test_bad_population(kw, match):
    with pytest.raises(NetworkError, match=match):
        lif(**kw)


def conn(**kw):
    return nc.Connection(**{"name": "c", "src": "in", "dst": "hidden", "weights": np.ones((3, 2), int), **kw})


@pytest.mark.parametrize("kw, match", [
    (dict(weights=np.array([[300, 0], [0, 0], [0, 0]])), r"'c': field 'weights': expected integers in \[0, 255\], found values in \[0, 300\]"),
    (dict(weights=np.array([[-256, 1], [0, 0], [0, 0]]), sign_mode="inhibitory"), r"'c': field 'weights': expected integers in \[-255, 0\]"),
    (dict(weights=np.array([[-257, 1], [0, 0], [0, 0]])), r"'c': field 'weights': expected integers in \[-256, 255\]"),
    (dict(weights=np.ones(3)), r"'c': field 'weights': expected a 2-D \(n_dst, n_src\) matrix, found shape \(3,\)"),
    (dict(weights=np.full((3, 2), 1.5)), r"'c': field 'weights': expected integer values"),
    (dict(weight_exp=8), r"'c': field 'weight_exp': expected integers in \[-8, 7\], found values in \[8, 8\]"),
    (dict(num_weight_bits=0), r"'c': field 'num_weight_bits': expected integers in \[1, 8\]"),
    (dict(num_message_bits=25), r"'c': field 'num_message_bits': expected integers in \[0, 24\]"),
    (dict(delays=-1), r"'c': field 'delays': expected integers in \[0, 63\], found values in \[-1, -1\]"),
    (dict(delays=np.array([[0, 1], [2, 64], [0, 0]])), r"'c': field 'delays': expected integers in \[0, 63\]"),
    (dict(delays=np.zeros((2, 3), int)), r"'c': field 'delays': expected a scalar or shape \(3, 2\), found shape \(2, 3\)"),
    (dict(src=3), r"'c': field 'src': expected a node name, found 3"),
    (dict(delays=sp.csr_array(np.array([[0, 300], [0, 0], [0, 0]]))), r"'c': field 'delays': expected integers in \[0, 63\], found values in \[300, 300\]"),
    (dict(delays=sp.csr_array(np.array([[0, -5], [0, 0], [0, 0]]))), r"'c': field 'delays': expected integers in \[0, 63\], found values in \[-5, -5\]"),
    (dict(delays=sp.csr_array(np.array([[0, 1.5], [0, 0], [0, 0]]))), r"'c': field 'delays': expected integer values, found non-integral"),
])
def test_bad_connection(kw, match):
    with pytest.raises(NetworkError, match=match):
        conn(**kw)


def source():
    return nc.SpikeSource("in", np.zeros((4, 2), int))


@pytest.mark.parametrize("make, match", [
    (lambda: nc.Network([lif()], [source()], [conn(dst="nowhere")]), r"'c': field 'dst': expected one of the nodes \['hidden', 'in'\], found 'nowhere'"),
    (lambda: nc.Network([lif()], [source()], [conn(src="ghost")]), r"'c': field 'src': expected one of the nodes"),
    (lambda: nc.Network([lif()], [source()], [conn(src="hidden", dst="in", weights=np.ones((2, 3), int))]),
     r"'c': field 'dst': expected a population \(sources take no input\), found SpikeSource 'in'"),
    (lambda: nc.Network([lif()], [source()], [conn(weights=np.ones((3, 3), int))]),
     r"'c': field 'weights': expected shape \(n_dst, n_src\) = \(3, 2\), found shape \(3, 3\)"),
    (lambda: nc.Network([lif(), lif()]), r"'hidden': name used twice"),
    (lambda: nc.Network([lif()], [nc.SpikeSource("a", np.zeros((2, 4, 1))), nc.SpikeSource("b", np.zeros((3, 4, 1)))]),
     r"'Network': field 'sources': expected one batch size across batched sources"),
    (lambda: nc.Network(["hidden"]), r"'Network': field 'populations': expected LIF or SigmaDelta or ATRLIF or Resonator or Product, found str"),
    (lambda: nc.SpikeSource("in", np.full((2, 2), 2**31)), r"'in': field 'spikes': expected integers in \[-2147483648, 2147483647\]"),
    (lambda: nc.SpikeSource("in", np.zeros(5)), r"'in': field 'spikes': expected a non-empty \(T, n\) or \(B, T, n\) array"),
    (lambda: nc.BernoulliSource("in", 2, p=1.5), r"'in': field 'p': expected probabilities in \[0, 1\]"),
    (lambda: nc.BernoulliSource("in", 2, p=[0.1, 0.2, 0.3]), r"'in': field 'p': expected a scalar or shape \(2,\)"),
])
def test_bad_network(make, match):
    with pytest.raises(NetworkError, match=match):
        make()


def test_bad_run_arguments():
    net = nc.Network([lif()], [source()], [conn()])
    with pytest.raises(NetworkError, match="steps: expected an integer >= 1, found 0"):
        nc.emulate(net, 0)
    with pytest.raises(NetworkError,
                       match=r"record: expected population or plastic connection names \['hidden'\], found \['in'\]"):
        nc.emulate(net, 3, record=["in"])


def test_negative_bias_exp_shifts_right_arithmetically():
    """bias_exp < 0 (an exploration setting) shifts the mantissa right, rounding toward minus
    infinity: -7 >> 1 = -4, 7 >> 2 = 1; v integrates that bias every step."""
    pop = lif(bias_mant=[-7, 7, 5], bias_exp=[-1, -2, 0], vth=2**17 - 1)
    assert pop.bias.tolist() == [-4, 1, 5]
    run = nc.emulate(nc.Network([pop]), 3, record=["hidden"])
    assert run.trace("hidden", "v")[:, :].tolist() == [[-4, 1, 5], [-8, 2, 10], [-12, 3, 15]]


def test_sparse_delays_deliver_like_dense_ones():
    w = np.array([[3, 0], [0, 5], [2, 4]])
    d = np.array([[1, 0], [0, 7], [0, 63]])
    spikes = np.zeros((80, 2), int)
    spikes[0] = 1
    traces = []
    for delays in (d, sp.csr_array(d)):
        net = nc.Network([lif(vth=2**17 - 1)], [nc.SpikeSource("in", spikes)], [conn(weights=w, delays=delays)])
        traces.append(nc.emulate(net, 80, record=["hidden"]).trace("hidden", "u"))
    np.testing.assert_array_equal(traces[0], traces[1])
    arrival = [int(np.argmax(traces[0][:, j] != 0)) + 1 for j in range(3)]
    assert arrival == [3, 9, 2]  # a spike at step 1 arrives at step 1 + 1 + d (row 2: its delay-0 synapse first)
    u2 = traces[0][:, 2]
    assert u2[64] == u2[63] * 4095 // 4096 + (4 << 6)  # its delay-63 synapse arrives at step 65 (u keeps 4095/4096)


def test_sign_mode_inferred_like_lava():
    assert conn(weights=np.array([[0, 1], [2, 0], [0, 0]])).sign_mode is nc.SignMode.EXCITATORY
    assert conn(weights=-np.ones((3, 2), int)).sign_mode is nc.SignMode.INHIBITORY
    assert conn(weights=sp.csr_array(np.array([[0, -1], [2, 0], [0, 0]]))).sign_mode is nc.SignMode.MIXED
    assert conn(weights=sp.csr_array(-np.ones((3, 2), int))).sign_mode is nc.SignMode.INHIBITORY
