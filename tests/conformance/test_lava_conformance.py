"""Live Lava 0.10 fixed_pt against neurochip, every traced var, every step, 200+ random networks.

Runs in the Python 3.10 environment made by `make test` (`.venv-lava`); skipped elsewhere.
"""
import numpy as np
import pytest
import scipy.sparse as sp

from strict import require

lava = require("lava", "Lava conformance runs in .venv-lava (make test-lava)")

from lava.magma.core.run_conditions import RunSteps  # noqa: E402
from lava.magma.core.run_configs import Loihi2SimCfg  # noqa: E402
from lava.proc.atrlif.process import ATRLIF  # noqa: E402
from lava.proc.conv.process import Conv  # noqa: E402
from lava.proc.dense.process import DelayDense, Dense  # noqa: E402
from lava.proc.graded.process import GradedReluVec, GradedVec  # noqa: E402
from lava.proc.io.reset import Reset  # noqa: E402
from lava.proc.io.sink import RingBuffer as RingBuffer_sink  # noqa: E402
from lava.proc.io.source import RingBuffer  # noqa: E402
from lava.proc.lif.process import LIF, LIFRefractory, LIFReset, TernaryLIF  # noqa: E402
from lava.proc.monitor.process import Monitor  # noqa: E402
from lava.proc.prodneuron.process import ProdNeuron  # noqa: E402
from lava.proc.resfire.process import RFZero  # noqa: E402
from lava.proc.rf.process import RF  # noqa: E402
from lava.proc.rf_iz.process import RF_IZ  # noqa: E402
from lava.proc.sdn.process import ActivationMode, Delta, Sigma, SigmaDelta  # noqa: E402
from lava.proc.sparse.process import DelaySparse, Sparse  # noqa: E402
from lava.utils.weightutils import SignMode  # noqa: E402

import neurochip as nc  # noqa: E402
from neurochip.interop import lava as nl  # noqa: E402
from netgen import random_network  # noqa: E402

N_NETWORKS = 160


def pick(rng, options):
    return options[rng.integers(len(options))]


def per_neuron(rng, shape, scalar, values):
    """A scalar, or (a third of the time) an array of `values` drawn per neuron."""
    return rng.choice(values, shape) if rng.random() < 0.3 else scalar


def random_lif(rng):
    """Loihi's register ranges and the wider values Lava also computes with (du = -1 or 4096,
    vth up to 2**20, 16-bit bias mantissas, bias exponents up to 10), scalar or per neuron."""
    shape = pick(rng, [(int(rng.integers(1, 13)),), (2, int(rng.integers(1, 5)))])
    n = int(np.prod(shape))
    decays = [-1, 0, 1, 4095, 4096, int(rng.integers(0, 4096))]
    thresholds = [0, 1, 2**17 - 1, 2**17, 2**20, int(rng.integers(0, 2**9)), int(rng.integers(0, 2**17))]
    kw = dict(
        shape=shape,
        du=per_neuron(rng, shape, int(pick(rng, decays)), decays),
        dv=per_neuron(rng, shape, int(pick(rng, decays[1:])), decays[1:]),
        vth=per_neuron(rng, shape, int(pick(rng, thresholds)), thresholds),
        bias_mant=(rng.integers(*pick(rng, [(-4096, 4096), (-8000, 8001)]), n) * (rng.random() < 0.5)).reshape(shape),
        bias_exp=rng.integers(0, pick(rng, [8, 11]), n).reshape(shape),
        u=(rng.integers(-(2**23), 2**23, n) * (rng.random() < 0.3)).reshape(shape),
        v=(rng.integers(-(2**23) + 1, 2**23, n) * (rng.random() < 0.3)).reshape(shape),
    )
    if rng.random() < 0.3:
        return LIFReset(reset_interval=int(rng.integers(1, 10)), reset_offset=int(rng.integers(0, 12)), **kw), n
    if rng.random() < 0.25:     # Lava's TernaryLIF takes one vth_hi and one vth_lo (ndarray Vars of shape (1,))
        kw.pop("vth")
        vth_hi = int(pick(rng, thresholds))
        vth_lo = min(int(pick(rng, [0, -1, -(2**10), -(2**17), 5, -int(rng.integers(0, 2**12))])), vth_hi - 1)
        return TernaryLIF(vth_hi=vth_hi, vth_lo=vth_lo, **kw), n
    return LIF(**kw), n


def random_source(rng, steps):
    n, period = int(rng.integers(1, 13)), int(rng.integers(1, steps + 3))
    graded = rng.random() < 0.4
    values = rng.integers(-(2**23) + 1, 2**23, (n, period)) if graded else np.ones((n, period), np.int64)
    return RingBuffer(data=values * (rng.random((n, period)) < pick(rng, [0.1, 0.4, 0.9]))), n


#: Connection processes the random networks draw from. Lava's DelaySparse rebuilds its per-delay
#: matrices every step (slow in Lava), so it has its own shorter networks (`test_delay_sparse...`).
KINDS = ("Dense", "Sparse", "DelayDense")


def random_conn(rng, n_src, n_dst, graded, kinds=KINDS):
    mode = pick(rng, ["mixed", "exc", "inh"])
    lo, hi = {"mixed": (-300, 300), "exc": (0, 300), "inh": (-300, 0)}[mode]
    w = rng.integers(lo, hi + 1, (n_dst, n_src))
    w = np.where(rng.random(w.shape) < 0.2, rng.choice([lo, hi, -256, 255, -255], w.shape) * (hi - lo > 300), w)
    w = w * (rng.random(w.shape) < pick(rng, [0.2, 0.6, 1.0]))
    kw = dict(weight_exp=int(rng.integers(-8, 8)), num_weight_bits=int(rng.integers(1, 9)),
              num_message_bits=int(pick(rng, [0, 8, 24])) if graded else 0)
    kind = pick(rng, kinds)
    if kind == "Sparse":
        return Sparse(weights=sp.csr_matrix(w), **kw)
    if kind == "DelaySparse":
        delays = sp.csr_matrix(rng.integers(0, pick(rng, [1, 3, 8]), w.shape) * (w != 0))
        return DelaySparse(weights=sp.csr_matrix(w), delays=delays, **kw)
    if kind == "DelayDense":
        return DelayDense(weights=w, delays=rng.integers(0, pick(rng, [1, 3, 8]), w.shape), **kw)
    return Dense(weights=w, **kw)


def in_port(rng, proc):
    """`proc`'s input port, or one of its two drawn at random (the dendrites of RF, ProdNeuron ...)."""
    ports = nl.DENDRITE_PORTS.get(type(proc).__name__, ("a_in",))
    return getattr(proc, pick(rng, ports) if len(ports) > 1 else ports[0])


def wire(src, conn, port):
    """`src`'s s_out (flattened) into `conn`'s s_in, and `conn`'s a_out (reshaped) into `port`."""
    (src.s_out.flatten() if len(src.s_out.shape) > 1 else src.s_out).connect(conn.s_in)
    (conn.a_out.reshape(port.shape) if len(port.shape) > 1 else conn.a_out).connect(port)


def random_lava_network(rng):
    """LIFs, ring-buffer sources and connections forming one connected graph."""
    steps = int(pick(rng, [int(rng.integers(1, 80)), int(rng.integers(80, 250))]))
    lifs = [random_lif(rng) for _ in range(int(rng.integers(1, 4)))]
    sources = [random_source(rng, steps) for _ in range(int(rng.integers(0, 3)))]
    edges = [(sources[i], lifs[int(rng.integers(len(lifs)))]) for i in range(len(sources))]
    edges += [(lifs[int(rng.integers(i))], lifs[i]) for i in range(1, len(lifs))]
    nodes = lifs + sources
    edges += [(nodes[int(rng.integers(len(nodes)))], lifs[int(rng.integers(len(lifs)))])
              for _ in range(int(rng.integers(0, 3)))]
    for (src, n_src), (dst, n_dst) in edges:
        wire(src, random_conn(rng, n_src, n_dst, graded=isinstance(src, (RingBuffer, TernaryLIF))), dst.a_in)
    return [lif for lif, _ in lifs], steps


def lava_traces(lifs, steps, sinks=()):
    """Every recordable Var of every neuron process in `lifs`, as Lava's Monitors record them, and
    each sink RingBuffer's data (keyed (sink name, "data")); the run starts from the first of them."""
    monitors = {}
    for lif in lifs:
        kind = type(lif).__name__
        for var in nl.TRACE_NAMES["LIF" if kind in nl.LIF_NEURONS else kind]:
            m = Monitor()
            m.probe(getattr(lif, var), steps)
            monitors[lif.name, var] = m
    start = [*lifs, *sinks][0]
    start.run(condition=RunSteps(num_steps=steps), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    try:
        out = {key: m.get_data()[key[0]][key[1]] for key, m in monitors.items()}
        out.update({(sink.name, "data"): sink.data.get() for sink in sinks})
        return out
    finally:
        start.stop()


@pytest.mark.parametrize("seed", range(N_NETWORKS))
def test_random_network_matches_live_lava(seed):
    rng = np.random.default_rng(seed)
    lifs, steps = random_lava_network(rng)
    ours = nl.run(lifs, num_steps=steps)
    theirs = lava_traces(lifs, steps)
    for (name, var), expected in theirs.items():
        lif = next(p for p in lifs if p.name == name)
        got = ours.trace(lif, var)
        assert got.shape == (steps, *lif.proc_params["shape"])
        np.testing.assert_array_equal(got, np.asarray(expected).reshape(got.shape), err_msg=f"{name}.{var}")


def random_sdn(rng):
    """Lava's Sigma, Delta and SigmaDelta (both activation modes, cumulative error or not, spike and
    state exponents 0..6), thresholds and biases from 0 to the int32 extremes."""
    shape = pick(rng, [(int(rng.integers(1, 13)),), (2, int(rng.integers(1, 5)))])
    n = int(np.prod(shape))
    kind = pick(rng, ["Sigma", "Delta", "SigmaDelta", "SigmaDelta", "GradedVec", "GradedReluVec"])
    if kind == "Sigma":
        return Sigma(shape=shape), n
    if kind in ("GradedVec", "GradedReluVec"):
        vth = int(pick(rng, [0, 1, int(rng.integers(0, 2**16)), 2**24]))
        return (GradedVec if kind == "GradedVec" else GradedReluVec)(shape=shape, vth=vth), n
    spike_exp, state_exp = int(rng.integers(0, 7)), int(rng.integers(0, 7))
    kw = dict(shape=shape, vth=int(pick(rng, [0, 1, int(rng.integers(0, 2**8)), int(rng.integers(0, 2**16)), 2**24])),
              cum_error=bool(rng.random() < 0.4), spike_exp=spike_exp, state_exp=state_exp)
    if kind == "Delta":
        return Delta(**kw), n
    bias = rng.integers(-(2**12), 2**12, shape) * (rng.random() < 0.5)
    return SigmaDelta(bias=bias, act_mode=pick(rng, [ActivationMode.UNIT, ActivationMode.RELU]), **kw), n


def random_atrlif(rng):
    """Lava's ATRLIF: decay fractions 0, 1, 0.5 or random, thresholds and steps as floats, biases
    and initial i, v, r over their ranges (an initial theta, which the model overwrites, too)."""
    shape = pick(rng, [(int(rng.integers(1, 13)),), (2, int(rng.integers(1, 5)))])
    n = int(np.prod(shape))
    frac = [0.0, 1.0, 0.5, float(rng.random())]
    state = {k: (rng.integers(-(2**22), 2**22, n) * (rng.random() < 0.3)).reshape(shape) for k in ("i", "v", "r")}
    return ATRLIF(shape=shape, delta_i=pick(rng, frac), delta_v=pick(rng, frac), delta_theta=pick(rng, frac),
                  delta_r=pick(rng, frac), theta_0=float(pick(rng, [0.0, 5.0, float(rng.random() * 2**12)])),
                  theta_step=float(pick(rng, [0.0, 3.75, float(rng.random() * 2**8)])), theta=7,
                  bias_mant=(rng.integers(-4096, 4096, n) * (rng.random() < 0.5)).reshape(shape),
                  bias_exp=rng.integers(0, 8, n).reshape(shape), **state), n


def random_sdn_network(rng, make=random_sdn, max_steps=120, n_made=None):
    """Sigma-delta processes (or `n_made` (default 1-3) that `make` makes; and some LIFs) fed by
    graded ring buffers and each other through Dense, Sparse and DelayDense with graded or binary
    messages, one connected graph; a process with two input ports gets each edge on one of them."""
    steps = int(rng.integers(1, max_steps))
    neurons = [make(rng) for _ in range(n_made or int(rng.integers(1, 4)))]
    neurons += [random_lif(rng) for _ in range(int(rng.integers(0, 2)))]
    sources = [random_source(rng, steps) for _ in range(int(rng.integers(1, 3)))]
    edges = [(sources[i], neurons[int(rng.integers(len(neurons)))]) for i in range(len(sources))]
    edges += [(neurons[int(rng.integers(i))], neurons[i]) for i in range(1, len(neurons))]
    nodes = neurons + sources
    edges += [(nodes[int(rng.integers(len(nodes)))], neurons[int(rng.integers(len(neurons)))])
              for _ in range(int(rng.integers(0, 3)))]
    for (src, n_src), (dst, n_dst) in edges:
        wire(src, random_conn(rng, n_src, n_dst, graded=not isinstance(src, (LIF, LIFReset, ATRLIF))), in_port(rng, dst))
    for neuron, _ in neurons:     # sources wired straight into an input port (same-step input)
        if rng.random() < 0.3:
            port = in_port(rng, neuron)
            period = int(rng.integers(1, steps + 3))
            data = rng.integers(-(2**20), 2**20, (*port.shape, period)) * (rng.random(period) < 0.5)
            RingBuffer(data=data).s_out.connect(port)
    return [p for p, _ in neurons], steps


def assert_matches_lava(neurons, steps):
    """`nl.run` of the graph of `neurons` equals a live Lava run on every recordable Var, every step."""
    ours = nl.run(neurons, num_steps=steps)
    for (name, var), expected in lava_traces(neurons, steps).items():
        proc = next(p for p in neurons if p.name == name)
        got = ours.trace(proc, var)
        np.testing.assert_array_equal(got, np.asarray(expected).reshape(got.shape), err_msg=f"{name}.{var}")


N_SDN = 60


@pytest.mark.parametrize("seed", range(N_SDN))
def test_random_sigma_delta_network_matches_live_lava(seed):
    rng = np.random.default_rng(50_000 + seed)
    neurons, steps = random_sdn_network(rng)
    assert_matches_lava(neurons, steps)


def random_conv(rng, in_shape, graded):
    """A Lava Conv on (X, Y, C) inputs: kernels 1-4 wide, strides 1-2, padding 0-2, dilation 1-2,
    groups dividing the channels, weights over Loihi's whole signed range (odd ones too)."""
    c_in = in_shape[2]
    groups = int(pick(rng, [g for g in (1, 2, 3) if c_in % g == 0]))
    c_out = groups * int(rng.integers(1, 4))
    for _ in range(20):
        k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        stride, padding, dilation = ((int(rng.integers(1, 3)), int(rng.integers(1, 3))),
                                     (int(rng.integers(0, 3)), int(rng.integers(0, 3))),
                                     (int(rng.integers(1, 3)), int(rng.integers(1, 3))))
        out = [(in_shape[d] + 2 * padding[d] - dilation[d] * (k[d] - 1) - 1) // stride[d] + 1 for d in range(2)]
        if min(out) >= 1:
            break
    else:
        k, stride, padding, dilation = (1, 1), (1, 1), (0, 0), (1, 1)
    lo, hi = pick(rng, [(-256, 255), (0, 255), (-255, 0), (-20, 20)])
    w = rng.integers(lo, hi + 1, (c_out, *k, c_in // groups)) * (rng.random((c_out, *k, c_in // groups)) < 0.8)
    return Conv(weight=w, input_shape=in_shape, stride=stride, padding=padding, dilation=dilation, groups=groups,
                num_message_bits=int(pick(rng, [0, 24])) if graded else 0)


def random_conv_network(rng):
    """A ring buffer of (X, Y, C) frames through one or two Lava Convs into LIF or sigma-delta
    layers, sometimes a flattened Dense readout (the layouts meet there)."""
    steps = int(rng.integers(1, 60))
    shape = (int(rng.integers(2, 8)), int(rng.integers(2, 8)), int(rng.integers(1, 4)))
    graded = rng.random() < 0.5
    period = int(rng.integers(1, steps + 3))
    data = (rng.integers(-(2**15), 2**15, (*shape, period)) if graded else np.ones((*shape, period), int))
    src = RingBuffer(data=data * (rng.random((*shape, period)) < pick(rng, [0.2, 0.6])))
    neurons, sender, graded_out = [], src, graded
    for _ in range(int(rng.integers(1, 3))):
        conv = random_conv(rng, tuple(sender.s_out.shape), graded_out)
        out = tuple(int(x) for x in conv.output_shape)
        if rng.random() < 0.5:
            layer = SigmaDelta(shape=out, vth=int(rng.integers(0, 2**10)), spike_exp=int(rng.integers(0, 4)),
                               state_exp=int(rng.integers(0, 4)), act_mode=pick(rng, [ActivationMode.UNIT,
                                                                                      ActivationMode.RELU]),
                               cum_error=bool(rng.random() < 0.3))
        else:
            layer = LIF(shape=out, du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 4096)),
                        vth=int(rng.integers(0, 2**9)), bias_mant=int(rng.integers(-100, 100)) * (rng.random() < 0.3))
        sender.s_out.connect(conv.s_in)
        conv.a_out.connect(layer.a_in)
        neurons.append(layer)
        sender, graded_out = layer, True
    if rng.random() < 0.5:
        n_in = int(np.prod(sender.s_out.shape))
        readout = LIF(shape=(int(rng.integers(1, 6)),), vth=int(rng.integers(0, 2**8)), du=100, dv=100)
        dense = Dense(weights=rng.integers(-256, 256, (readout.a_in.shape[0], n_in)), num_message_bits=24)
        sender.s_out.flatten().connect(dense.s_in)
        dense.a_out.connect(readout.a_in)
        neurons.append(readout)
    return neurons, steps


N_ATRLIF = 40


@pytest.mark.parametrize("seed", range(N_ATRLIF))
def test_random_atrlif_network_matches_live_lava(seed):
    rng = np.random.default_rng(60_000 + seed)
    neurons, steps = random_sdn_network(rng, make=random_atrlif)
    assert_matches_lava(neurons, steps)


RESONATORS = ("RF", "RF_IZ", "RFZero", "ProdNeuron")


def random_two_port(kinds):
    """A maker (for `random_sdn_network`) of each of Lava's `kinds` in turn: RF and RF_IZ with
    periods 2-40 steps, decays 0-0.3, decay_bits 1-16 and state_exp 0-6; RFZero with per-neuron
    frequencies and decay times; ProdNeuron with thresholds from -1 to 2**16 and shifts 0-16."""
    turn = iter(kinds)

    def make(rng):
        kind = next(turn)
        shape = pick(rng, [(int(rng.integers(1, 13)),), (2, int(rng.integers(1, 5)))])
        n = int(np.prod(shape))
        if kind == "RFZero":
            return RFZero(shape=shape, freqs=rng.uniform(1, 300, shape), decay_tau=rng.uniform(0.003, 1.0, shape),
                          uth=int(pick(rng, [0, 1, int(rng.integers(0, 2**12))]))), n
        if kind == "ProdNeuron":
            return ProdNeuron(shape=shape, vth=int(pick(rng, [-1, 0, 1, int(rng.integers(0, 2**16))])),
                              exp=int(rng.integers(0, 17))), n
        return (RF if kind == "RF" else RF_IZ)(
            shape=shape, period=float(rng.uniform(2, 40)), alpha=float(pick(rng, [0.0, float(rng.uniform(0, 0.3))])),
            state_exp=int(rng.integers(0, 7)), decay_bits=int(pick(rng, [1, 8, 12, 16, int(rng.integers(1, 17))])),
            vth=int(pick(rng, [0, 1, int(rng.integers(0, 2**10))]))), n
    return make


def test_resonators_with_a_period_per_neuron_match_live_lava():
    """RF and RF_IZ given one period and decay per neuron (Lava forms one pair of decays each)."""
    rng = np.random.default_rng(7)
    neurons = []
    for cls in (RF, RF_IZ):
        rf = cls(shape=(5,), period=rng.uniform(2, 30, 5), alpha=rng.uniform(0, 0.2, 5), state_exp=6, decay_bits=12,
                 vth=2)
        for port in (rf.a_real_in, rf.a_imag_in):
            RingBuffer(data=rng.integers(-3, 4, (5, 7))).s_out.connect(port)
        neurons.append(rf)
    assert len(set(np.asarray(neurons[0].sin_decay.init).tolist())) == 5
    for rf in neurons:
        assert_matches_lava([rf], 40)
        net = nl.from_lava([rf]).network          # and exported back, one pair of decays per neuron
        assert_export_runs_like_the_emulator(net, nl.to_lava(net, 40), 40)


@pytest.mark.parametrize("build, var", [
    (lambda: ProdNeuron(shape=(3,), vth=np.array([1, 2, 3])), "vth"),
    (lambda: RFZero(shape=(3,), freqs=np.full(3, 50.0), decay_tau=np.full(3, 0.1), uth=np.array([1, 2, 3])), "uth"),
])
def test_several_values_in_a_one_value_var_are_refused_as_lava_refuses_them(build, var):
    neuron = build()
    with pytest.raises(NotImplementedError, match=rf"'{neuron.name}'\.{var}: 3 values; Lava's model takes one"):
        nl.run([neuron], num_steps=2)


N_TWO_PORT = 30


@pytest.mark.parametrize("seed", range(N_TWO_PORT))
def test_random_two_port_network_matches_live_lava(seed):
    """An RF, an RF_IZ, an RFZero and a ProdNeuron in each network, their input ports fed by
    connections from each other, LIFs and ring buffers (and sources wired straight in), up to 60 steps."""
    rng = np.random.default_rng(110_000 + seed)
    neurons, steps = random_sdn_network(rng, make=random_two_port(RESONATORS), max_steps=60, n_made=len(RESONATORS))
    assert_matches_lava(neurons, steps)


N_DELAY_SPARSE = 30


@pytest.mark.parametrize("seed", range(N_DELAY_SPARSE))
def test_delay_sparse_networks_match_live_lava(seed):
    """Sources and LIF or sigma-delta neurons joined by Lava's DelaySparse (sparse delays, graded or
    binary, every exponent), up to 40 steps."""
    rng = np.random.default_rng(95_000 + seed)
    steps = int(rng.integers(1, 40))
    neurons = [(random_sdn if rng.random() < 0.4 else random_lif)(rng) for _ in range(int(rng.integers(1, 3)))]
    src = random_source(rng, steps)
    edges = [(src, neurons[0])] + [(neurons[i - 1], neurons[i]) for i in range(1, len(neurons))]
    for (a, n_a), (b, n_b) in edges:
        wire(a, random_conn(rng, n_a, n_b, graded=not isinstance(a, (LIF, LIFReset)), kinds=("DelaySparse",)), b.a_in)
    assert_matches_lava([p for p, _ in neurons], steps)


N_MULTI = 30


@pytest.mark.parametrize("seed", range(N_MULTI))
def test_several_senders_into_one_s_in_match_live_lava(seed):
    """Two or three graded senders (ring buffers, sigma-delta neurons) summed by one connection's
    s_in, as Lava sums them, with non-negative exponents."""
    rng = np.random.default_rng(80_000 + seed)
    steps = int(rng.integers(1, 60))
    n_src = int(rng.integers(1, 8))
    senders = [RingBuffer(data=rng.integers(-(2**20), 2**20, (n_src, int(rng.integers(1, steps + 2))))
                          * (rng.random((n_src, 1)) < 0.7)) for _ in range(int(rng.integers(1, 3)))]
    feeder = random_source(rng, steps)[0]
    sdn = SigmaDelta(shape=(n_src,), vth=int(rng.integers(0, 2**8)), act_mode=ActivationMode.UNIT)
    d = Dense(weights=rng.integers(-256, 256, (n_src, feeder.s_out.shape[0])), num_message_bits=24)
    feeder.s_out.connect(d.s_in)
    d.a_out.connect(sdn.a_in)
    senders.append(sdn)
    dst, n_dst = (random_sdn if rng.random() < 0.5 else random_lif)(rng)
    conn = random_conn(rng, n_src, n_dst, graded=True)
    while conn.proc_params.get("weight_exp", 0) < 0 or int(conn.num_message_bits.init) == 0:
        conn = random_conn(rng, n_src, n_dst, graded=True)
    for sender in senders:
        sender.s_out.connect(conn.s_in)
    conn.a_out.reshape(dst.a_in.shape).connect(dst.a_in) if len(dst.a_in.shape) > 1 else conn.a_out.connect(dst.a_in)
    assert_matches_lava([dst, sdn], steps)


def test_several_binary_senders_into_one_s_in_are_refused():
    a, b = RingBuffer(data=np.ones((2, 3), int)), RingBuffer(data=np.ones((2, 3), int))
    conn, lif = Dense(weights=np.ones((2, 2), int)), LIF(shape=(2,))
    a.s_out.connect(conn.s_in)
    b.s_out.connect(conn.s_in)
    conn.a_out.connect(lif.a_in)
    with pytest.raises(NotImplementedError, match=r"s_in has 2 senders; .* \(binary input is cast to bool"):
        nl.run([lif], num_steps=3)


N_CONV = 40


@pytest.mark.parametrize("seed", range(N_CONV))
def test_random_conv_network_matches_live_lava(seed):
    rng = np.random.default_rng(70_000 + seed)
    neurons, steps = random_conv_network(rng)
    assert_matches_lava(neurons, steps)


def test_unsupported_process_names_its_type():
    src = RingBuffer(data=np.ones((2, 3), int))
    conn = Dense(weights=np.ones((2, 2), int))
    refractory = LIFRefractory(shape=(2,), refractory_period=2)
    src.s_out.connect(conn.s_in)
    conn.a_out.connect(refractory.a_in)
    with pytest.raises(NotImplementedError, match="LIFRefractory"):
        nl.run([refractory], num_steps=3)


def _into(weights, lif, cls=Dense, **kw):
    """`lif` fed every step by one source spike per input through a `cls` of `weights`."""
    src = RingBuffer(data=np.ones((weights.shape[1], 1), int))
    conn = cls(weights=weights, **kw)
    src.s_out.connect(conn.s_in)
    conn.a_out.connect(lif.a_in)
    return lif


def _conv_into(weight, lif):
    """`lif` fed every step by one spiking input pixel through a Lava Conv of `weight`."""
    src = RingBuffer(data=np.ones((1, 1, 1, 1), int))
    conv = Conv(weight=weight, input_shape=(1, 1, 1))
    src.s_out.connect(conv.s_in)
    conv.a_out.connect(lif.a_in)
    return lif


DUPLICATES = sp.csr_matrix((np.array([150, 150, 3, 4]), np.array([0, 0, 1, 1]), np.array([0, 2, 4])), shape=(2, 2))


@pytest.mark.parametrize("build", [
    lambda: _into(np.full((2, 1), 200), LIF(shape=(2,), vth=2**17, du=4095)),               # Lava's scaling test value
    lambda: _into(np.full((2, 1), 20), LIFReset(shape=(2,), du=-1, vth=1000, reset_interval=4)),  # no current decay
    lambda: _into(np.full((2, 1), 20), LIF(shape=(2,), du=4096, dv=4096, vth=1000)),
    lambda: LIF(shape=(2,), bias_mant=8000, bias_exp=8, vth=2**20, dv=100),
    lambda: _into(np.full((3, 1), 40), LIF(shape=(3,), vth=np.array([10, 50, 100]), du=np.array([0, 100, 4095]),
                                           dv=np.array([1, 10, 4095]))),
    lambda: _into(np.array([[-40, 41]]), LIF(shape=(1,), vth=1000), sign_mode=SignMode.NULL),
    lambda: _into(np.array([[-40, 41]]), LIF(shape=(1,), vth=1000), sign_mode=1),       # a plain int
    lambda: _into(sp.csr_matrix([[-0.4, 101.0]]), LIF(shape=(1,), vth=10000), cls=Sparse),  # sign mode from the floats
    lambda: _into(DUPLICATES, LIF(shape=(2,), vth=10000), cls=Sparse),                  # summed, then clipped
    lambda: _into(np.array([[10, 20]]), LIF(shape=(1,), vth=10000), cls=DelayDense,     # delay 4 > max_delay 2:
                  delays=np.array([[1, 4]]), max_delay=2),                               # Lava drops that synapse
    lambda: _conv_into(np.full((2, 1, 1, 1), -256), LIF(shape=(1, 1, 2), vth=10000)),   # all <= 0 with -256
], ids=["vth=2**17", "du=-1", "du=dv=4096", "bias 8000 << 8", "per-neuron vth du dv", "SignMode.NULL",
        "sign_mode=1", "Sparse floats", "CSR duplicates", "max_delay below delays", "Conv weights -256"])
def test_values_lava_accepts_run_as_lava_runs_them(build):
    lif = build()
    steps = 6
    ours = nl.run([lif], num_steps=steps)
    for var, expected in lava_traces([lif], steps).items():
        got = ours.trace(lif, var[1])
        np.testing.assert_array_equal(got, np.asarray(expected).reshape(got.shape), err_msg=str(var))


def test_processes_attached_by_reference_are_refused_by_name():
    lif = _into(np.full((2, 1), 50), LIF(shape=(2,), vth=10000))
    reset = Reset(reset_value=0, interval=5)
    reset.connect_var(lif.v)
    with pytest.raises(NotImplementedError, match=rf"'{reset.name}' of type lava.proc.io.reset.Reset is not supported"):
        nl.run([lif], num_steps=3)


def test_an_unsupported_virtual_port_is_named_by_the_process_port():
    """A ConcatPort, which Lava 0.10 itself refuses ("ConcatPorts are not yet supported")."""
    a, b, c = RingBuffer(data=np.ones((2, 3), int)), RingBuffer(data=np.ones((2, 3), int)), LIF(shape=(4,))
    a.s_out.concat_with([b.s_out], axis=0).connect(c.a_in)
    with pytest.raises(NotImplementedError, match=rf"'{c.name}'\.a_in: virtual port ConcatPort is not supported"):
        nl.run([c], num_steps=2)


N_TRANSPOSE = 30


@pytest.mark.parametrize("seed", range(N_TRANSPOSE))
def test_transposed_ports_match_live_lava(seed):
    """2-D and 3-D processes wired through transposes (and reshapes) on every kind of edge: source
    into a connection's s_in, a connection's a_out into a neuron, a source straight into a neuron,
    a neuron into a sink."""
    rng = np.random.default_rng(90_000 + seed)
    steps = int(rng.integers(1, 40))
    shape = tuple(int(x) for x in rng.integers(1, 5, int(rng.integers(2, 4))))
    axes = list(rng.permutation(len(shape)))
    n = int(np.prod(shape))
    data = rng.integers(-(2**12), 2**12, (*shape, int(rng.integers(1, steps + 2))))
    src = RingBuffer(data=data * (rng.random(data.shape) < 0.5))
    dst_shape = tuple(shape[a] for a in axes)
    neuron = (SigmaDelta(shape=dst_shape, vth=int(rng.integers(0, 64)), act_mode=ActivationMode.UNIT)
              if rng.random() < 0.5 else LIF(shape=dst_shape, vth=int(rng.integers(0, 2**8)), du=200, dv=300))
    conn = random_conn(rng, n, n, graded=True)
    src.s_out.transpose(axes).flatten().connect(conn.s_in)
    back = list(np.argsort(axes))                      # a_out (flat) -> shape -> transposed into the neuron
    conn.a_out.reshape(tuple(dst_shape[a] for a in back)).transpose(axes).connect(neuron.a_in)
    RingBuffer(data=rng.integers(-50, 50, (*shape, 3))).s_out.transpose(axes).connect(neuron.a_in)
    sink = RingBuffer_sink(shape=tuple(dst_shape[a] for a in back), buffer=steps)
    neuron.s_out.transpose(back).connect(sink.a_in)
    ours = nl.run([neuron], num_steps=steps)
    theirs = lava_traces([neuron], steps, sinks=[sink])
    for (name, var), expected in theirs.items():
        proc = sink if name == sink.name else neuron
        got = ours.trace(proc, var)
        np.testing.assert_array_equal(got, np.asarray(expected).reshape(got.shape), err_msg=f"{name}.{var}")


def test_a_source_wired_straight_in_is_counted_once():
    lif = LIF(shape=(3,), vth=10000)
    RingBuffer(data=np.ones((3, 5), int)).s_out.connect(lif.a_in)
    assert nl.run([lif], num_steps=5).counters.totals()["source_spikes"] == 15


def test_counters_of_a_lava_graph():
    """One source spiking every step into 3 targets through 4 synapses (one zero) of a Dense."""
    src = RingBuffer(data=np.ones((2, 1), int))
    conn = Dense(weights=np.array([[10, 0], [5, 5], [0, 0]]))
    lif = LIF(shape=(3,), vth=1000)
    src.s_out.connect(conn.s_in)
    conn.a_out.connect(lif.a_in)
    totals = nl.run([lif], num_steps=7).counters.totals()
    assert totals["source_spikes"] == 14
    assert totals["synaptic_ops"] == 7 * 3
    assert totals["neuron_updates"] == 7 * 3


def assert_export_runs_like_the_emulator(net, procs, steps):
    """`procs` (`to_lava(net, steps)`) run in live Lava, one run per connected component, record
    what `nc.emulate` records, every traced Var of every population."""
    ours = nc.emulate(net, steps, record=[p.name for p in net.populations])
    theirs, done = {}, set()
    for pop in net.populations:  # a Lava run covers the component of the process it starts from
        if pop.name in done:
            continue
        component = {id(p) for p in nl._connected([procs[pop.name]])}
        members = [q.name for q in net.populations if id(procs[q.name]) in component]
        done |= set(members)
        theirs.update(lava_traces([procs[m] for m in members], steps))
    for (name, var), expected in theirs.items():
        kind = type(procs[name]).__name__
        got = ours.trace(name, nl.TRACE_NAMES["LIF" if kind in nl.LIF_NEURONS else kind][var])
        np.testing.assert_array_equal(got, np.asarray(expected).reshape(got.shape), err_msg=f"{name}.{var}")


EXPORTS = 60


@pytest.mark.parametrize("seed", range(EXPORTS))
def test_to_lava_export_runs_like_the_emulator(seed):
    """neurochip networks exported with `to_lava` and run in live Lava equal neurochip's own run."""
    net, steps = random_network(np.random.default_rng(10_000 + seed), lava_values=True)
    if net.batch is not None:
        pytest.skip("batched sources have no Lava equivalent")
    assert_export_runs_like_the_emulator(net, nl.to_lava(net, steps), steps)


N_TWO_PORT_EXPORTS = 10


@pytest.mark.parametrize("seed", range(N_TWO_PORT_EXPORTS))
def test_to_lava_exports_resonators_and_products(seed):
    """Networks with resonators and product neurons (integer decays, both dendrites fed) exported
    with `to_lava` run in live Lava as neurochip runs them (networks with per-compartment thresholds,
    which those processes cannot take, are refused with that reason and redrawn)."""
    rng = np.random.default_rng(20_000 + seed)
    while True:
        net, steps = random_network(rng, two_dendrites=True)
        if net.batch is not None or not any(len(p.DENDRITES) > 1 for p in net.populations):
            continue
        try:
            procs = nl.to_lava(net, steps)
            break
        except NotImplementedError as e:
            assert "per compartment" in str(e)
    assert_export_runs_like_the_emulator(net, procs, steps)


def test_to_lava_refuses_batched_networks():
    net = nc.Network([nc.LIF("p", 2)], [nc.SpikeSource("s", np.ones((3, 4, 2), int))],
                     [nc.Connection("c", "s", "p", np.ones((2, 2), int))])
    with pytest.raises(NotImplementedError, match="batched sources \\(batch 3\\) have no Lava equivalent"):
        nl.to_lava(net, 4)


def test_nir_import_then_to_lava_matches_the_emulator():
    """A NIR graph imported, exported to Lava processes and run by Lava equals neurochip's run."""
    from neurochip.interop import nir as nn
    from test_nir import lif_graph

    model = nn.load(lif_graph())
    steps = 80
    spikes = {"in": (np.random.default_rng(5).random((steps, 20)) < 0.3).astype(int)}
    net = model.network(spikes)
    procs = nl.to_lava(net, steps)
    ours = nc.emulate(net, steps, record=["l1", "l2"])
    theirs = lava_traces([procs["l1"], procs["l2"]], steps)
    for (name, var), expected in theirs.items():
        got = ours.trace(name, {"s_out": "s"}.get(var, var))
        np.testing.assert_array_equal(got, np.asarray(expected).reshape(got.shape), err_msg=f"{name}.{var}")
    assert ours.counters.totals()["spikes"] > 0


def test_a_sparse_accumulator_exports_as_delay_sparse():
    """A connection summed as Lava's DelaySparse sums exports as one and runs alike."""
    rng = np.random.default_rng(3)
    w = rng.integers(-256, 256, (4, 5)) * (rng.random((4, 5)) < 0.6)
    net = nc.Network([nc.LIF("p", 4, vth=300, du=100, dv=200)], [nc.SpikeSource("s", rng.integers(-2**12, 2**12, (7, 5)))],
                     [nc.Connection("c", "s", "p", w, weight_exp=-3, num_message_bits=24, accumulator="sparse",
                                    delays=rng.integers(0, 4, (4, 5)))])
    procs = nl.to_lava(net, 30)
    assert type(procs["c"]).__name__ == "DelaySparse"
    ours = nc.emulate(net, 30, record=["p"])
    for (name, var), expected in lava_traces([procs["p"]], 30).items():
        got = ours.trace("p", {"s_out": "s"}.get(var, var))
        np.testing.assert_array_equal(got, np.asarray(expected).reshape(got.shape), err_msg=var)
