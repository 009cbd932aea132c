"""Plastic connections against live Lava 0.10 (LearningDense / LearningSparse bit-approximate models):
Lava's own STDP tests re-run through `nl.run`, and random learning networks exported with
`to_lava`, every recordable Var (weights, tags, traces, neurons) every step.

Source of the own tests: github.com/lava-nc/lava at commit b6822fbc,
tests/lava/proc/dense/test_stdp_sim.py (TestSTDPSimBitApproximate: the networks and final weights
as written there).

LearningSparse is not run live: Lava 0.10's bit-approximate LearningSparse fails at its first
learning epoch with the scipy these environments install (`lava.utils.sparse.find` reads the removed
``csr_matrix.A1``) and, with any scipy, whenever it saturates (excitatory or inhibitory weights, a dd
rule: ``np.maximum(0, csr)``). Its semantics (dense's, on the stored entries) are checked against the
slow reference in the core suite.
"""
import numpy as np
import pytest
import scipy.sparse as sp

from strict import require

lava = require("lava", "Lava conformance runs in .venv-lava (make test-lava)")

from lava.magma.core.learning.learning_rule import Loihi3FLearningRule, LoihiLearningRule  # noqa: E402
from lava.magma.core.run_conditions import RunSteps  # noqa: E402
from lava.magma.core.run_configs import Loihi2SimCfg  # noqa: E402
from lava.proc.dense.process import LearningDense  # noqa: E402
from lava.proc.learning_rules.stdp_learning_rule import STDPLoihi  # noqa: E402
from lava.proc.lif.process import LIF, LearningLIF  # noqa: E402
from lava.proc.monitor.process import Monitor  # noqa: E402

import neurochip as nc  # noqa: E402
from neurochip.errors import LavaError  # noqa: E402
from neurochip.interop import lava as nl  # noqa: E402
from netgen import random_network  # noqa: E402

N_NETWORKS = 60


def record(procs, steps):
    """Every Var a Monitor records on the neuron and plastic connection processes of `procs`, from a
    live Lava fixed_pt run of `steps` steps started at the first of them."""
    monitors = {}
    for p in procs:
        kind = type(p).__name__
        names = nl.LEARNING_VARS if kind in nl.LEARNING else nl.TRACE_NAMES["LIF" if kind in nl.LIF_NEURONS else kind]
        for var in names:
            m = Monitor()
            m.probe(getattr(p, var), steps)
            monitors[p.name, var] = m
    procs[0].run(condition=RunSteps(num_steps=steps), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    try:
        return {key: np.asarray(m.get_data()[key[0]][key[1]]) for key, m in monitors.items()}
    finally:
        procs[0].stop()


def assert_runs_as_lava(procs, steps):
    """`nl.run` on the graph of `procs` equals live Lava, every recorded Var every step."""
    ours = nl.run(procs, num_steps=steps)
    theirs = record(procs, steps)
    for (name, var), expected in theirs.items():
        proc = next(p for p in procs if p.name == name)
        got = ours.trace(proc, var)
        np.testing.assert_array_equal(got, expected.reshape(got.shape), err_msg=f"{name}.{var}")
    return ours


def stdp_graph(bias_pre, bias_post, a_plus, t_epoch, w0, post=LIF):
    rule = STDPLoihi(learning_rate=1, A_plus=a_plus, A_minus=-2, tau_plus=10, tau_minus=10, t_epoch=t_epoch,
                     rng_seed=0)
    pre = LIF(shape=(len(bias_pre),), du=0, dv=0, vth=10000, bias_mant=np.array(bias_pre))
    dense = LearningDense(weights=np.asarray(w0, float), learning_rule=rule)
    out = post(shape=(len(bias_post),), du=0, dv=0, vth=10000, bias_mant=np.array(bias_post))
    pre.s_out.connect(dense.s_in)
    dense.a_out.connect(out.a_in)
    out.s_out.connect(dense.s_in_bap)
    return [pre, out, dense]


@pytest.mark.parametrize("bias_pre, bias_post, a_plus, t_epoch, w0, post, expected", [
    ([25000], [20000], 4, 2, np.eye(1), LIF, [[56]]),
    ([22000, 25000, 26000], [20000, 23000], 1, 1, np.zeros((2, 3)), LIF, [[31, 2, -24], [-64, 30, 14]]),
    ([25000], [20000], 4, 2, np.eye(1), LearningLIF, [[56]]),
], ids=["test_stdp_bit_approximate", "test_stdp_bit_approximate_multi_synapse",
        "test_stdp_learning_lif_bit_approximate"])
def test_lava_stdp_tests(bias_pre, bias_post, a_plus, t_epoch, w0, post, expected):
    procs = stdp_graph(bias_pre, bias_post, a_plus, t_epoch, w0, post)
    ours = assert_runs_as_lava(procs, 100)
    np.testing.assert_array_equal(ours.trace(procs[2], "weights")[-1], expected)


@pytest.mark.parametrize("seed", range(N_NETWORKS))
def test_random_learning_network_exported_runs_as_lava(seed):
    """Random networks with plastic connections (random rules of the grammar: dw, dd, dt; x0, y0,
    u dependencies; traces, tags, brackets, sgn; fractional impulses and taus; epochs 1..4; the
    graded-spike modes; dense and sparse; every sign mode), exported with `to_lava`: live Lava's
    weights, tags, traces and neurons equal `nc.emulate`'s and `nl.run`'s on the export, every step."""
    rng = np.random.default_rng(20_000 + seed)
    while True:        # draw until a network Lava runs: one sample, LearningDense only (see the module's note)
        net, steps = random_network(rng, max_n=8, lava_values=True, learning=True)
        plastic = [c for c in net.connections if c.learning is not None]
        if net.batch is None and plastic and not any(sp.issparse(c.weights) for c in plastic):
            break
    procs = nl.to_lava(net, steps)
    ours = nc.emulate(net, steps, record=[p.name for p in net.populations] +
                      [c.name for c in net.connections if c.learning is not None])
    exported = [procs[p.name] for p in net.populations] + [procs[c.name] for c in net.connections
                                                            if c.learning is not None]
    component = {id(p) for p in nl._connected(exported[:1])}
    exported = [p for p in exported if id(p) in component]
    theirs = assert_runs_as_lava(exported, steps)
    for p in exported:
        kind = type(p).__name__
        names = nl.LEARNING_VARS if kind in nl.LEARNING else nl.TRACE_NAMES["LIF" if kind in nl.LIF_NEURONS else kind]
        for var in names:
            np.testing.assert_array_equal(ours.trace(p.name, names[var] if isinstance(names, dict) else var),
                                          theirs.trace(p, var), err_msg=f"{p.name}.{var}")


def test_a_three_factor_rule_is_refused_by_name():
    pre, post = LIF(shape=(2,), vth=10), LIF(shape=(2,), vth=10)
    dense = LearningDense(weights=np.zeros((2, 2)), learning_rule=Loihi3FLearningRule(dw="u0 * t * y2", t_epoch=1,
                                                                                       rng_seed=0))
    pre.s_out.connect(dense.s_in)
    dense.a_out.connect(post.a_in)
    with pytest.raises(LavaError, match="Loihi3FLearningRule"):
        nl.run([pre], 5)


def test_a_plain_rule_ignores_post_spikes_as_lava_does():
    """A plain LoihiLearningRule never reads s_in_bap: unconnected, its y traces stay zero."""
    pre = LIF(shape=(2,), du=0, dv=0, vth=100, bias_mant=np.array([2000, 3000]))
    post = LIF(shape=(2,), du=0, dv=0, vth=100, bias_mant=np.array([2500, 1000]))
    dense = LearningDense(weights=np.full((2, 2), 4.0), learning_rule=LoihiLearningRule(
        dw="2 * x0 * x1 - y0 * y1", x1_impulse=20, x1_tau=5, y1_impulse=30, y1_tau=4, t_epoch=2, rng_seed=7))
    pre.s_out.connect(dense.s_in)
    dense.a_out.connect(post.a_in)
    ours = assert_runs_as_lava([pre, post, dense], 40)
    assert not ours.trace(dense, "y1").any()
