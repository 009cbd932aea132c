"""Convolutional connections: the kernel's expansion against a direct convolution, emulation
against the same weights given as a matrix, zero kernel entries counted as synaptic events."""
import numpy as np
import pytest
import scipy.sparse as sp

import neurochip as nc
from neurochip.errors import NetworkError


def direct(x, w, stride, padding, dilation, groups):
    """The obvious convolution of one (C, *spatial) input, loops only."""
    nd = w.ndim - 2
    c_out, c_in_g = w.shape[:2]
    spatial = x.shape[1:]
    out_sp = [(spatial[d] + 2 * padding[d] - dilation[d] * (w.shape[2 + d] - 1) - 1) // stride[d] + 1 for d in range(nd)]
    out = np.zeros((c_out, *out_sp))
    for co in range(c_out):
        g = co // (c_out // groups)
        for o in np.ndindex(*out_sp):
            total = 0.0
            for ci in range(c_in_g):
                for k in np.ndindex(*w.shape[2:]):
                    p = [o[d] * stride[d] - padding[d] + k[d] * dilation[d] for d in range(nd)]
                    if all(0 <= p[d] < spatial[d] for d in range(nd)):
                        total += w[(co, ci, *k)] * x[(g * c_in_g + ci, *p)]
            out[(co, *o)] = total
    return out


@pytest.mark.parametrize("in_shape, kernel, stride, padding, dilation, groups", [
    ((2, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1), 1),
    ((4, 9, 8), (3, 2), (2, 1), (0, 2), (1, 2), 2),
    ((3, 12), (5,), (2,), (2,), (1,), 1),
    ((2, 5, 5), (1, 1), (1, 1), (0, 0), (1, 1), 2),
])
def test_expansion_equals_a_direct_convolution(in_shape, kernel, stride, padding, dilation, groups):
    rng = np.random.default_rng(0)
    c_out = 4
    w = rng.integers(-5, 6, (c_out, in_shape[0] // groups, *kernel))
    k = nc.ConvKernel(w, in_shape, stride, padding, dilation, groups)
    m, out_shape = k.expand()
    x = rng.normal(size=in_shape)
    np.testing.assert_allclose(m @ x.ravel(), direct(x, w, stride, padding, dilation, groups).ravel(), atol=1e-9)
    assert out_shape == k.out_shape and m.shape == (int(np.prod(out_shape)), int(np.prod(in_shape)))


def test_emulation_equals_the_matrix_and_counts_every_kernel_entry():
    """A convolution emulates exactly as its expanded matrix does; its synaptic events include
    the kernel's zero entries (the chip processes them), a plain matrix's do not."""
    rng = np.random.default_rng(1)
    w = 2 * rng.integers(-3, 4, (3, 2, 3, 3))                # even: 8-bit mixed-sign synapses store them exactly
    w[:, :, 1, 1] = 0                                         # zero entries in the kernel
    k = nc.ConvKernel(w, (2, 8, 8), padding=1)
    spikes = (rng.random((30, 128)) < 0.2).astype(int)
    pop = nc.LIF("out", 3 * 64, du=2000, dv=100, vth=40)

    def run(conn):
        net = nc.Network([pop], [nc.SpikeSource("in", spikes)], [conn])
        return nc.emulate(net, 30, record=["out"])

    conv = run(nc.Connection.conv("c", "in", "out", k))
    plain = run(nc.Connection("c", "in", "out", sp.csc_array(k.expand()[0].toarray())))
    for var in "uvs":
        np.testing.assert_array_equal(conv.trace("out", var), plain.trace("out", var))
    entries = np.diff(sp.csc_array(k.expand()[0]).indptr)        # kernel entries per input axon, zeros included
    nonzero = np.diff(sp.csc_array(k.expand()[0].toarray()).indptr)
    emitted = spikes.sum(axis=0)
    assert conv.counters.totals()["synaptic_ops"] == int(emitted @ entries)
    assert plain.counters.totals()["synaptic_ops"] == int(emitted @ nonzero) < int(emitted @ entries)


@pytest.mark.parametrize("make, match", [
    (lambda: nc.ConvKernel(np.ones((2, 3, 3, 3), int), (2, 5, 5)), r"field 'in_shape': expected 3 input channels"),
    (lambda: nc.ConvKernel(np.ones((2, 2, 7, 7), int), (2, 5, 5)), r"positive output size, found \(2, 5, 5\) -> \(-1, -1\)"),
    (lambda: nc.ConvKernel(np.ones((2, 2, 3), int), (2, 5, 5)), r"field 'weights': expected 4-D weights"),
    (lambda: nc.ConvKernel(np.full((2, 2, 3, 3), 0.5), (2, 5, 5)), r"field 'weights'"),
    (lambda: nc.Connection("c", "a", "b", sp.csc_array((10, 50)), kernel=nc.ConvKernel(np.ones((2, 2, 3, 3), int), (2, 5, 5))),
     r"field 'kernel': expected a kernel expanding to the weights' shape \(10, 50\), found \(18, 50\)"),
])
def test_bad_kernels_name_the_field(make, match):
    with pytest.raises(NetworkError, match=match):
        make()


def test_shared_weight_memory_by_hand():
    """A 6 x 6 input, one 3 x 3 kernel, one output channel (4 x 4) on one Loihi core. Input rows
    fall in 5 classes by the kernel rows they reach (1, 2, 3, 3, 2, 1 rows for y = 0..5: sizes
    1, 2, 3, 2, 1 with the middle class shared by y = 2, 3), columns alike: 25 weight sets of
    a x b synapses for a, b in (1, 2, 3, 2, 1); each costs ceil((n x (8 weight + 10 index bits)
    + 10) / 64) words of 64 bits. Stored per position instead (36 lists) it costs more."""
    from neurochip.mapping.partition import conv_bits
    from neurochip.profiles import load_profile

    enc = load_profile("loihi").core.synapse_encoding
    k = nc.ConvKernel(np.arange(1, 10).reshape(1, 1, 3, 3), (1, 6, 6))
    words = lambda n: -(-(n * 18 + 10) // 64) * 64   # noqa: E731 (one block: n <= 9 here)
    classes = (1, 2, 3, 2, 1)
    expected = sum(words(a * b) for a in classes for b in classes)
    conn = nc.Connection.conv("c", "in", "out", k)
    assert conv_bits(conn, np.arange(16), 8, 10, enc) == expected
    per_position = sum(words(int(n)) for n in np.diff(conn.csc_weights().indptr))
    assert per_position > expected


def test_a_convolution_maps_with_population_axons():
    """13 x 13 x 32 -> 11 x 11 x 64 (a 3 x 3 kernel, SANA-FE's DVS layer 3) on Loihi: as a
    convolution one axon per input position (169) and the kernel shared: 22 cores of 352, as
    SANA-FE maps it; as a matrix every input neuron is an axon, and cores fill up with them."""
    from neurochip.mapping import map_network

    rng = np.random.default_rng(2)
    k = nc.ConvKernel(2 * rng.integers(-20, 20, (64, 32, 3, 3)), (32, 13, 13))
    src = nc.SpikeSource("in", np.zeros((1, 32 * 169), int))
    pop = nc.LIF("l3", 64 * 121)
    conv = map_network(nc.Network([pop], [src], [nc.Connection.conv("c", "in", "l3", k)]), "loihi",
                       per_core={"l3": 352})
    assert conv.n_cores == 22 and conv.input_axons.max() == 169
    assert conv.memory_bits.max() <= 1_048_576
    matrix = map_network(nc.Network([pop], [src], [nc.Connection("c", "in", "l3", sp.csc_array(k.expand()[0]))]),
                         "loihi", per_core={"l3": 352})
    assert matrix.n_cores > 4 * conv.n_cores and matrix.input_axons.max() > 4000


def test_convolution_ops_are_priced_by_format():
    """On loihi-sanafe a convolution's synaptic op costs SANA-FE's conv figure (24.0 pJ, 3.1 ns);
    a profile without one prices it as any synaptic op (loihi-chip: 23.6 pJ)."""
    rng = np.random.default_rng(3)
    k = nc.ConvKernel(2 * rng.integers(-3, 4, (4, 2, 3, 3)), (2, 8, 8), padding=1)
    net = nc.Network([nc.LIF("out", 4 * 64, vth=30)], [nc.SpikeSource("in", (rng.random((20, 128)) < 0.3).astype(int))],
                     [nc.Connection.conv("c", "in", "out", k)])
    run = nc.emulate(net, 20)
    ops = run.counters.totals()["synaptic_ops"]
    sanafe, chip = run.energy("loihi-sanafe"), run.energy("loihi-chip")
    assert sanafe.counts["synaptic_op_conv"] == ops and sanafe.counts["synaptic_op"] == 0
    assert sanafe.breakdown_j["synaptic_op_conv"] == pytest.approx(ops * 24.0e-12)
    assert chip.breakdown_j["synaptic_op_conv"] == pytest.approx(ops * 23.6e-12) and not chip.lower_bound


@pytest.mark.parametrize("accumulator, expected", [
    ("int32", [0, 5 * (2**21 + 1), 6 * (3 * 2**29 + 2**25) - 2 * 2**32]),   # the int32 sum wraps
    ("conv24", [0, 5 * (2**21 + 1) - 2**24, 0]),       # Lava's Conv: 24-bit wrap; beyond int32 -> -2**31 -> 0
])
def test_a_steps_sum_is_formed_as_the_accumulator_says(accumulator, expected):
    """Graded payloads into a plain sum (a Sigma compartment reads a_in): 2**21 + 1 on a channel
    weighted 5, then 3 * 2**29 + 2**25 on both channels (weights 5 and 1: six times that)."""
    payload = np.array([[2**21 + 1, 0], [3 * 2**29 + 2**25, 3 * 2**29 + 2**25]])
    src = nc.SpikeSource("in", payload)
    sigma = nc.SigmaDelta("sum", 1, sigma=True, delta=False, relu=False)
    w = np.array([[5, 1]])
    conn = nc.Connection("c", "in", "sum", w, num_message_bits=24, accumulator=accumulator,
                         num_weight_bits=8, sign_mode="excitatory")
    run = nc.emulate(nc.Network([sigma], [src], [conn]), 3, record=["sum"])
    a_in = np.diff(run.trace("sum", "sigma")[:, 0].astype(np.int64), prepend=0)
    np.testing.assert_array_equal(a_in, expected)
