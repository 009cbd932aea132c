"""Lava 0.10's own fixed-point unit tests, re-run through `nl.run` and live Lava.

Source: github.com/lava-nc/lava at commit b6822fbc, tests/lava/proc/lif/test_models.py
(TestLIFProcessModelsFixed, TestTLIFProcessModelsFixed), tests/lava/proc/atrlif/test_models.py
(TestATRLIFProcessModelsFixed, the cases run with the fixed_pt tag) and tests/lava/proc/sdn/test_models.py
(TestSigmaModels, TestSigmaDeltaModels, fixed_pt cases), tests/lava/proc/rf/test_models.py and
tests/lava/proc/rf_iz/test_models.py (the fixed_pt cases), tests/lava/proc/prodneuron/test_prod_neuron.py,
tests/lava/proc/dense/test_models.py
(TestDenseProcessModelFixed and the bit-accurate TestDelayDenseProcessModel cases; the recurrence
cases need their sender to receive too, which a RingBuffer does not). Each network is the test's own, with
Lava's source and sink RingBuffers in place of the tests' private VecSendProcess and
VecRecvProcess (which send a vector at chosen steps straight into a_in and record s_out, as the
RingBuffers do). Each case asserts the test's own expectation on neurochip's run, then compares
every recordable variable and the sink's data with a live Lava run, every step.
"""
import numpy as np
import pytest

from strict import require

lava = require("lava", "Lava conformance runs in .venv-lava (make test-lava)")

from lava.proc.atrlif.process import ATRLIF  # noqa: E402
from lava.proc.dense.process import DelayDense, Dense  # noqa: E402
from lava.proc.io.sink import RingBuffer as Sink  # noqa: E402
from lava.proc.io.source import RingBuffer as Source  # noqa: E402
from lava.proc.lif.process import LIF, TernaryLIF  # noqa: E402
from lava.proc.prodneuron.process import ProdNeuron  # noqa: E402
from lava.proc.rf.process import RF  # noqa: E402
from lava.proc.rf_iz.process import RF_IZ  # noqa: E402
from lava.proc.sdn.process import ActivationMode, Sigma, SigmaDelta  # noqa: E402
from lava.utils.weightutils import SignMode  # noqa: E402

from neurochip.interop import lava as nl  # noqa: E402
from test_lava_conformance import lava_traces  # noqa: E402


def sent(vec, at):
    """RingBuffer data sending `vec` at the steps flagged in `at` (VecSendProcess's behaviour)."""
    return np.asarray(vec)[:, None] * np.asarray(at, bool)[None, :]


def wired(neuron, steps, *data, port="a_in"):
    """`neuron` fed straight into its `port` by one source per entry of `data`, its s_out into a sink."""
    for d in data:
        Source(data=np.asarray(d, np.int32)).s_out.connect(getattr(neuron, port))
    sink = Sink(shape=neuron.s_out.shape, buffer=steps)
    neuron.s_out.connect(sink.a_in)
    return neuron, sink, steps


def lif_no_decay():
    neuron, sink, steps = wired(LIF(shape=(10,), du=0, dv=0, bias_mant=2 * np.ones(10, np.int32),
                                    bias_exp=6 * np.ones(10, np.int32), vth=8), 10, np.zeros((10, 10)))
    expected = np.zeros((steps, 10))
    expected[4:10:5] = 1
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(sink, "data").T, expected)


def impulse(cls, var, decays, sign, expected, **thresholds):
    def build():
        neuron, sink, steps = wired(cls(shape=(1,), **decays, bias_mant=np.zeros(1, np.int16),
                                        bias_exp=np.ones(1, np.int16), **thresholds), 8,
                                    sent([sign * 128], [True] + [False] * 7))
        return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(neuron, var)[:, 0], expected)
    return build


def lif_bias_scaling():
    neuron, sink, steps = wired(LIF(shape=(1,), du=0, dv=0, bias_mant=2**12 - 1, bias_exp=5, vth=2**17), 1)
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(neuron, "v")[0], [(2**12 - 1) * 32])


def atrlif_no_decay():
    neuron, sink, steps = wired(ATRLIF(shape=(10,), delta_i=0, delta_v=0, delta_theta=0, delta_r=0, theta_0=8,
                                       theta=8, theta_step=0, bias_mant=4 * np.ones(10, np.int32),
                                       bias_exp=6 * np.ones(10, np.int32)), 50, np.zeros((10, 50)))
    first, refractory = 8 // 4, 3 * 8 // 4 - 8 // 4
    expected = np.zeros((first + refractory + 1, 10))
    expected[first - 1:first + refractory + 1:refractory] = 1
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(
        run.trace(sink, "data").T[:first + refractory + 1], expected)


def atrlif_bias_scaling():
    neuron, sink, steps = wired(ATRLIF(shape=(1,), delta_i=0, delta_v=0.5, delta_theta=0, delta_r=0, theta_0=2**17,
                                       theta=2**17, theta_step=0, bias_mant=2**12 - 1, bias_exp=5), 1)
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(neuron, "v")[0], [(2**12 - 1) * 32])


def tlif_bias_driven():
    neuron, sink, steps = wired(TernaryLIF(shape=(5,), du=0, dv=0, bias_mant=-2 * np.ones(5, np.int32),
                                           bias_exp=6 * np.ones(5, np.int32), vth_lo=-8, vth_hi=2), 10,
                                np.zeros((5, 10)))
    expected = np.zeros((steps, 5))
    expected[4:10:5] = -1
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(sink, "data").T, expected)


def tlif_two_senders():
    at = np.zeros(11, bool)
    at[[0, 1, 2, 9, 10]] = True
    neuron, sink, steps = wired(TernaryLIF(shape=(10,), du=0, dv=0, bias_mant=np.zeros(10, np.int32),
                                           bias_exp=np.ones(10, np.int32), vth_lo=-3, vth_hi=5), 11,
                                sent(np.ones(10), at), sent(-np.ones(10), ~at))
    expected = np.zeros((steps, 10))
    expected[2] = 1
    expected[[8, 10]] = -1
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(sink, "data").T, expected)


def sigma_decoding():
    x = (np.sin(0.1 * np.arange(100)).reshape(1, -1) * (1 << 12)).astype(int)
    x[:, 1:] -= x[:, :-1].copy()
    neuron, sink, steps = wired(Sigma(shape=(1,)), 100, x)
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(sink, "data"), np.cumsum(x, axis=1))


def sigma_delta_reconstruction(act_mode, spike_exp, state_exp, cum_error):
    def build():
        x = np.sin(0.1 * np.arange(100)).reshape(1, -1) * (1 << spike_exp + state_exp)
        x[:, 1:] -= x[:, :-1].copy()
        vth = 10 << (spike_exp + state_exp)
        neuron, sink, steps = wired(SigmaDelta(shape=(1,), vth=vth, act_mode=act_mode, spike_exp=spike_exp,
                                               state_exp=state_exp, cum_error=cum_error), 100,
                                    x.astype(int) * (1 << 6))
        target = np.cumsum(x, axis=1)
        if act_mode == ActivationMode.RELU:
            target = np.maximum(target, 0)

        def check(run):
            error = np.abs(target - np.cumsum(run.trace(sink, "data"), axis=1)).max()
            assert error < vth * (1 << spike_exp)
        return neuron, sink, steps, check
    return build


def dense_fan(column, values, expected, cls=Dense, steps=6, **kw):
    """Lava's Dense tests: a (3, 4) matrix whose column (fan-out) or row (fan-in) holds `values`,
    every input spiking at step 4, a sink on the connection's a_out; `expected` {step index: row}."""
    def build():
        w = np.zeros((3, 4))
        if column is not None:
            w[:, column] = values
        else:
            w[2, :] = values
        at = np.zeros(steps, bool)
        at[3] = True
        src = Source(data=sent(np.ones(4), at).astype(np.int32))
        conn = cls(weights=w, **kw)
        sink = Sink(shape=(3,), buffer=steps)
        src.s_out.connect(conn.s_in)
        conn.a_out.connect(sink.a_in)
        want = np.zeros((steps, 3))
        for k, row in expected.items():
            want[k] = row
        return sink, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(sink, "data").T, want)
    return build


def rf_pulse(alpha, pulse, vth, period=10, steps=100):
    """Lava's RF fixed-point tests: one pulse into a_real_in at step 1 (decay_bits 12, state_exp 6);
    the spikes must be those of the test's own loop: rotate (re, im) by the decays formed as the
    process forms them, each product rounded toward zero, and spike where re >= vth 2**6 as im
    crosses zero upward."""
    def build():
        neuron, sink, steps_ = wired(RF(shape=(1,), period=period, alpha=alpha, vth=vth, state_exp=6, decay_bits=12),
                                     steps, sent([pulse], [True] + [False] * (steps - 1)), port="a_real_in")
        sin, cos = (int((1 - alpha) * f(2 * np.pi / period) * 2**12) for f in (np.sin, np.cos))

        def rtz(x):
            return int(x / 2**12) if x > 0 else -int(-x / 2**12)

        re = im = 0
        expected = []
        for t in range(steps):
            drive = pulse * 64 if t == 0 else 0
            re, im, was = rtz(cos * re) - rtz(sin * im) + drive, rtz(sin * re) + rtz(cos * im), im
            expected.append(int(re >= vth * 64 and im >= 0 and was < 0))
        return neuron, sink, steps_, lambda run: np.testing.assert_array_equal(run.trace(sink, "data")[0], expected)
    return build


def rf_real_decay():
    """Lava's test_fixed_pm_decay2: a period long enough that the imaginary part stays 0, so the real
    part decays by cos_decay >> 12 every step from 1 << 6."""
    alpha, steps = 0.07, 100
    period = np.ceil(2 * np.pi / np.arcsin(1 / (64 * (1 - alpha))))
    neuron, sink, _ = wired(RF(shape=(1,), period=period, alpha=alpha, vth=1.1, state_exp=6, decay_bits=12), steps,
                            sent([1], [True] + [False] * (steps - 1)), port="a_real_in")
    cos = int((1 - alpha) * np.cos(2 * np.pi / period) * 2**12)
    expected = [64]
    for _ in range(steps - 1):
        expected.append((expected[-1] * cos) >> 12)
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(neuron, "real")[:, 0], expected)


def rf_iz_reset():
    """Lava's RF_IZ test_fixed_pm_reset: pulses into a_imag_in at steps 1, 11, 21; at every spike
    the real part is 0 and the imaginary part vth - 1 (vth 1 << 6)."""
    steps = 100
    at = np.zeros(steps, bool)
    at[[0, 10, 20]] = True
    neuron, sink, _ = wired(RF_IZ(shape=(1,), period=10, alpha=0.07, state_exp=6, decay_bits=12), steps,
                            sent([1], at), port="a_imag_in")

    def check(run):
        spiked = run.trace(sink, "data")[0] == 1
        assert spiked.sum() >= 1
        np.testing.assert_array_equal(run.trace(neuron, "real")[spiked, 0], 0)
        np.testing.assert_array_equal(run.trace(neuron, "imag")[spiked, 0], 63)
    return neuron, sink, steps, check


def prod_neuron_out():
    """Lava's ProdNeuron test_prod_neuron_out: two graded channels through Dense (weights 1 and 0.5
    in 2**7 units, weight_exp -7) multiplied, one step later than the product of the inputs."""
    steps = 10
    first, second = np.zeros((1, steps)), np.full((1, steps), 20.0)
    first[0, 2], first[0, 6] = 10, 30
    neuron = ProdNeuron(shape=(1,))
    for data, w, port in ((first, 128, neuron.a_in1), (second, 64, neuron.a_in2)):
        dense = Dense(weights=np.array([[w]]), num_message_bits=24, weight_exp=-7)
        Source(data=data).s_out.connect(dense.s_in)
        dense.a_out.connect(port)
    sink = Sink(shape=(1,), buffer=steps)
    neuron.s_out.connect(sink.a_in)
    expected = first * (second / 2)
    return neuron, sink, steps, lambda run: np.testing.assert_array_equal(run.trace(sink, "data")[:, 1:],
                                                                        expected[:, :-1])


CASES = {
    "lif: test_bitacc_pm_no_decay": lif_no_decay,
    "lif: test_bitacc_pm_impulse_du": impulse(LIF, "u", dict(du=2047, dv=0), 1, [1 << (13 - j) for j in range(8)],
                                              vth=256 * np.ones(1, np.int32)),
    "lif: test_bitacc_pm_impulse_dv": impulse(LIF, "v", dict(du=0, dv=2048), 1,
                                              [8192, 12286, 14331, 15351, 15859, 16111, 16235, 16295],
                                              vth=256 * np.ones(1, np.int32)),
    "lif: test_bitacc_pm_scaling_of_bias": lif_bias_scaling,
    "tlif: test_fixed_pm_neg_no_decay_1": tlif_bias_driven,
    "tlif: test_fixed_pm_neg_no_decay_2": tlif_two_senders,
    "tlif: test_fixed_pm_neg_impulse_du": impulse(TernaryLIF, "u", dict(du=2047, dv=0), -1,
                                                  [(-1) << (13 - j) for j in range(8)],
                                                  vth_lo=-256 * np.ones(1, np.int32), vth_hi=2 * np.ones(1, np.int32)),
    "tlif: test_fixed_pm_neg_impulse_dv": impulse(TernaryLIF, "v", dict(du=0, dv=2048), -1,
                                                  [-8192, -12286, -14331, -15351, -15859, -16111, -16235, -16295],
                                                  vth_lo=-256 * np.ones(1, np.int32), vth_hi=2 * np.ones(1, np.int32)),
    "atrlif: test_bitacc_pm_no_decay": atrlif_no_decay,
    "atrlif: test_bitacc_pm_impulse_delta_i": impulse(ATRLIF, "i", dict(delta_i=0.5 - 2**-12, delta_v=0, delta_theta=0,
                                                                        delta_r=0), 1, [1 << (13 - j) for j in range(8)],
                                                      theta_0=256 * np.ones(1, np.int32), theta_step=0),
    "atrlif: test_bitacc_pm_impulse_delta_v": impulse(ATRLIF, "v", dict(delta_i=0, delta_v=0.5, delta_theta=0, delta_r=0),
                                                      1, [8192, 12286, 14331, 15351, 15859, 16111, 16235, 16295],
                                                      theta_0=256 * np.ones(1, np.int32), theta_step=0),
    "atrlif: test_bitacc_pm_scaling_of_bias": atrlif_bias_scaling,
    "dense: test_bitacc_pm_fan_out_excitatory": dense_fan(2, [0.5, 300, 40], {4: [0, 255, 40]},
                                                         sign_mode=SignMode.EXCITATORY),
    "dense: test_bitacc_pm_fan_out_mixed_sign": dense_fan(2, [300, -300, 39], {4: [254, -256, 38]},
                                                         sign_mode=SignMode.MIXED),
    "dense: test_bitacc_pm_fan_out_weight_exp": dense_fan(2, [300, -300, 39], {4: [508, -512, 76]}, weight_exp=1),
    "dense: test_bitacc_pm_fan_out_weight_precision": dense_fan(2, [300, -300, 39], {4: [252, -256, 36]},
                                                               num_weight_bits=7),
    "dense: test_bitacc_pm_fan_in_mixed_sign": dense_fan(None, [300, -300, 39, -0.4], {4: [0, 0, 36]},
                                                        sign_mode=SignMode.MIXED),
    "dense: test_bitacc_pm_fan_out_excitatory_delay": dense_fan(
        2, [0.5, 300, 40], {4: [0, 0, 0], 5: [0, 255, 0], 6: [0, 0, 40]}, cls=DelayDense, steps=8,
        delays=np.array([[0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 2, 0]]), sign_mode=SignMode.EXCITATORY),
    "dense: test_bitacc_pm_fan_out_mixed_sign_delay": dense_fan(2, [300, -300, 39], {6: [254, -256, 38]},
                                                               cls=DelayDense, steps=8, delays=2,
                                                               sign_mode=SignMode.MIXED),
    "dense: test_bitacc_pm_fan_out_weight_exp_delay": dense_fan(
        2, [300, -300, 39], {4: [508, 0, 0], 5: [0, -512, 0], 6: [0, 0, 76]}, cls=DelayDense, steps=8,
        weight_exp=1, delays=np.array([[0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 2, 0]])),
    "dense: test_bitacc_pm_fan_out_weight_precision_delay": dense_fan(2, [300, -300, 39], {6: [252, -256, 36]},
                                                                     cls=DelayDense, steps=8, num_weight_bits=7,
                                                                     delays=2),
    "dense: test_bitacc_pm_fan_in_mixed_sign_delay": dense_fan(None, [300, -300, 39, -0.4], {6: [0, 0, 36]},
                                                              cls=DelayDense, steps=8, delays=2,
                                                              sign_mode=SignMode.MIXED),
    "sdn: test_sigma_decoding_fixed": sigma_decoding,
    "sdn: test_reconstruction_fixed": sigma_delta_reconstruction(ActivationMode.UNIT, 6, 6, False),
    "sdn: test_reconstruction_cum_error_fixed": sigma_delta_reconstruction(ActivationMode.UNIT, 6, 6, True),
    "sdn: test_reconstruction_relu_fixed": sigma_delta_reconstruction(ActivationMode.RELU, 0, 0, False),
    "rf: test_fixed_pm_no_decay": rf_pulse(0.0, 1, 0.5),
    "rf: test_fixed_pm_decay1": rf_pulse(0.05, 2, 0.5),
    "rf: test_fixed_pm_decay2": rf_real_decay,
    "rf_iz: test_fixed_pm_reset": rf_iz_reset,
    "prodneuron: test_prod_neuron_out": prod_neuron_out,
}


@pytest.mark.parametrize("case", list(CASES))
def test_lava_own_test_passes_and_matches_live_lava(case):
    neuron, sink, steps, check = CASES[case]()
    ours = nl.run([neuron], num_steps=steps)
    check(ours)
    for (name, var), expected in lava_traces([] if neuron is sink else [neuron], steps, sinks=[sink]).items():
        proc = sink if name == sink.name else neuron
        got = ours.trace(proc, var)
        np.testing.assert_array_equal(got, np.asarray(expected).reshape(got.shape), err_msg=f"{case}: {var}")
