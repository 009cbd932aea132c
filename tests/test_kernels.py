"""The kernels one by one against obvious numpy or Python oracles, on seeded random and extreme
inputs. Run also with NUMBA_DISABLE_JIT=1 (make test does), so that coverage sees the kernels."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurochip.kernels.compact import compact_rows, kept_per_row
from neurochip.kernels.fixed_point import lif_compartment, wrap_int32
from neurochip.kernels.layout import Rows
from neurochip.kernels.placement import block_bits, rows_by_target
from neurochip.kernels.step import list_fired
from neurochip.kernels.synapse import add_row, scatter_row
from reference import lif_step, wrap32

INT24 = st.integers(-(2**23), 2**23)


@settings(max_examples=300, deadline=None)
@given(u=INT24, v=st.integers(-(2**23) + 1, 2**23 - 1), a_in=st.integers(-(2**31), 2**31 - 1),
       du=st.integers(0, 4095), dv=st.integers(0, 4095), vth=st.integers(0, 2**17 - 1),
       bias=st.integers(-4096 * 128, 4095 * 128), reset=st.sampled_from(["zero", "subtract", "ternary"]),
       vth_lo=st.integers(-(2**17), 2**17))
def test_lif_compartment_equals_the_reference_step(u, v, a_in, du, dv, vth, bias, reset, vth_lo):
    from neurochip.ir import LIF

    mant, exp = (bias, 0) if -4096 <= bias <= 4095 else (bias // 128, 7)
    ternary = reset == "ternary"
    pop = LIF("p", 1, du=du, dv=dv, vth=vth, bias_mant=mant, bias_exp=exp, reset="zero" if ternary else reset,
              vth_lo=min(vth_lo, vth - 1) if ternary else None)
    ref_u, ref_v, ref_s, wraps, sats, *_ = lif_step(pop, 1, np.array([u]), np.array([v]), np.array([a_in]))
    got = lif_compartment(np.int64(u), np.int64(v), np.int64(a_in), 4096 - (du + 1), 4096 - dv,
                          np.int64(pop.bias[0]), vth << 6, (pop.vth_lo << 6) if ternary else -(2**31),
                          int(reset == "subtract"))
    assert (int(got[0]), int(got[1]), int(got[2]), int(got[3]), int(got[4])) == \
        (int(ref_u[0]), int(ref_v[0]), int(ref_s[0]), wraps, sats)


@pytest.mark.parametrize("x", [0, 1, -1, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**40 + 5, -(2**45) - 3])
def test_wrap_int32_is_a_32_bit_store(x):
    assert int(wrap_int32(np.int64(x))) == int(wrap32(x)) == int(np.array(x, np.int64).astype(np.int32))


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), payload=st.sampled_from([1, 3, -(2**23) + 1, 2**23 - 1]))
def test_scatter_and_dense_rows_wrap_like_int32_ports(seed, payload):
    rng = np.random.default_rng(seed)
    acc = rng.integers(-(2**31), 2**31, 50).astype(np.int32)
    target = rng.integers(0, 50, 200).astype(np.uint32)
    weight = rng.integers(-256, 256, 200).astype(np.int16)
    expect = acc.astype(np.int64)
    np.add.at(expect, target.astype(np.int64), payload * weight.astype(np.int64))
    got = acc.copy()
    scatter_row(got, target, weight, 0, 200, np.int64(payload))
    np.testing.assert_array_equal(got, wrap32(expect))
    row = rng.integers(-128, 128, 50).astype(np.int8)
    dense = acc.copy()
    add_row(dense, row, np.int64(payload))
    np.testing.assert_array_equal(dense, wrap32(acc.astype(np.int64) + payload * row.astype(np.int64)))


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), truncate=st.integers(0, 8), flip=st.sampled_from([1, -1]),
       shift=st.integers(0, 7))
def test_compact_rows_drop_what_the_synapse_cannot_store(seed, truncate, flip, shift):
    rng = np.random.default_rng(seed)
    n_src, n_dst = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    dense = rng.integers(0, 256, (n_dst, n_src)) * (rng.random((n_dst, n_src)) < 0.5) * flip
    import scipy.sparse as sp

    csc = sp.csc_array(dense)
    delays = rng.integers(0, 64, csc.nnz).astype(np.uint8)
    stored = flip * (((flip * csc.data) >> truncate) << truncate)
    kept = stored != 0
    nnz = kept_per_row(csc.indptr, csc.data, truncate, flip)
    np.testing.assert_array_equal(nnz, [kept[csc.indptr[i]:csc.indptr[i + 1]].sum() for i in range(n_src)])
    target, weight, delay = compact_rows(csc.indptr, csc.indices, csc.data, delays, truncate, flip, shift, False)
    np.testing.assert_array_equal(target, csc.indices[kept])
    np.testing.assert_array_equal(weight, stored[kept] << shift)
    np.testing.assert_array_equal(delay, delays[kept])


def test_block_bits_by_hand():
    """64 synapses per block, 10 header bits, 64-bit words: 65 synapses of 8 bits are a full
    block (64 x 8 + 10 = 522 -> 576) and a block of one (8 + 10 -> 64)."""
    assert block_bits(0, 8, 64, 10, 64) == 0
    assert block_bits(1, 8, 64, 10, 64) == 64
    assert block_bits(65, 8, 64, 10, 64) == 576 + 64


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_list_fired_is_nonzero(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 70))
    fired = np.zeros(-(-n // 8) * 8, np.int8)
    fired[:n] = (rng.random(n) < 0.3) * rng.choice([1, -1], n)
    spikes, payload, counts = np.zeros(n, np.int64), np.zeros(n, np.int32), np.zeros(n, np.int64)
    k = list_fired(fired, spikes, payload, counts)
    np.testing.assert_array_equal(spikes[:k], np.nonzero(fired)[0])
    np.testing.assert_array_equal(payload[:k], fired[np.nonzero(fired)[0]])
    np.testing.assert_array_equal(counts, fired[:n] != 0)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_rows_by_target_lists_every_synapse(seed):
    """A mix of sparse and dense rows: each target lists the rows with a synapse on it."""
    rng = np.random.default_rng(seed)
    n_targets, n_rows = int(rng.integers(1, 15)), int(rng.integers(1, 10))
    matrix = (rng.random((n_rows, n_targets)) < 0.4) * rng.integers(1, 5, (n_rows, n_targets))
    dense = rng.random(n_rows) < 0.5
    start, nnz, target, dense_weight = [], [], [], []
    for r in range(n_rows):
        if dense[r]:
            start.append(len(dense_weight))
            dense_weight += matrix[r].tolist()
            nnz.append(int(np.count_nonzero(matrix[r])))
        else:
            start.append(len(target))
            target += np.nonzero(matrix[r])[0].tolist()
            nnz.append(int(np.count_nonzero(matrix[r])))
    rows = Rows(np.array(start, np.int64), np.array(nnz, np.int64), dense.astype(np.int64),
                np.full(n_rows, n_targets, np.int64), np.array(target, np.uint32), np.array(dense_weight, np.int16))
    ptr, in_row = rows_by_target(rows, np.arange(n_rows, dtype=np.int64), n_targets)
    for t in range(n_targets):
        assert sorted(in_row[ptr[t]:ptr[t + 1]].tolist()) == np.nonzero(matrix[:, t])[0].tolist()
