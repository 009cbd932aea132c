"""The mapper: hand-calculated core counts, limits on random networks, does-not-fit messages."""
import json
import re

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neurochip as nc
from neurochip.__main__ import main
from neurochip.mapping import MappingError, map_network, step_time
from neurochip.profiles import load_profile
from neurochip.workloads import feed_forward_snn
from budget import examples
from netgen import random_network


def test_mlp_784_512_512_10_on_loihi_by_hand():
    """Loihi stores an axon's synapses on a core in blocks of <= 64: n x weight bits (+ index bits
    in the sparse format) + 10 header bits, rounded up to 64-bit words; 1,048,576 bits per core.

    Dense 8-bit rows, so the dense format (no index bits) is cheaper:
    - l1 (784 inputs): m compartments cost 784 x bits(m). bits(142) = 2 x 576 + 128 (14 x 8 + 10
      = 122 -> 128) = 1280, x 784 = 1,003,520 <= limit; bits(143) = 1344, x 784 = 1,053,696 >
      limit. So 142 per core: 142 + 142 + 142 + 86 -> 4 cores.
    - l2 (512 inputs): bits(230) = 3 x 576 + 320 (38 x 8 + 10 = 314 -> 320) = 2048, x 512 =
      1,048,576 = limit; bits(231) = 2112. So 230 per core: 230 + 230 + 52 -> 3 cores.
    - l3 (10 from 512): 512 x 128 = 65,536 bits -> 1 core.
    Total 8 cores.
    """
    p = map_network(feed_forward_snn(), "loihi")
    assert p.n_cores == 8
    assert p.compartments.tolist() == [142, 142, 142, 86, 230, 230, 52, 10]
    assert p.memory_bits.tolist() == [1_003_520] * 3 + [784 * 768, 1_048_576, 1_048_576, 512 * 448, 65_536]
    assert p.input_axons.tolist() == [784] * 4 + [512] * 4


def test_per_core_reproduces_a_published_split_and_still_checks_limits():
    """per_core caps a population's pieces (390-256-256 with its first layer over 8 cores, as in
    Blouw et al. 2019's scaled runs); the memory limit still splits a piece further."""
    net = feed_forward_snn((390, 256, 256))
    p = map_network(net, "loihi", per_core={"l1": 32, "l2": 128})
    assert p.compartments.tolist() == [32] * 8 + [128] * 2
    assert map_network(feed_forward_snn(), "loihi", per_core={"l1": 500}).compartments.tolist()[:4] == [142, 142, 142, 86]
    with pytest.raises(MappingError, match=r"per_core: expected a population of the network \(l1, l2\), found 'in'"):
        map_network(net, "loihi", per_core={"in": 4})
    with pytest.raises(MappingError, match=r"per_core\['l1'\]: expected a positive number of compartments per core, found 0"):
        map_network(net, "loihi", per_core={"l1": 0})


def block_bits(n, bits, per_block=64, header=10, word=64):
    total, left = 0, n
    while left > 0:
        k = min(left, per_block)
        total += -(-(k * bits + header) // word) * word
        left -= k
    return total


def reference_core_use(net, placement, profile):
    """Per core (input axons, memory bits), recomputed synapse by synapse from the IR."""
    enc = profile.core.synapse_encoding
    idx_bits = next(b for b in enc.index_bits_menu if b >= int(np.ceil(np.log2(profile.core.max_compartments.value))))
    position = {}
    for k, pieces in enumerate(placement.pieces):
        for j, comp in enumerate(pieces[0].compartments):
            position[pieces[0].population, int(comp)] = (k, j)
    axons = np.zeros(placement.n_cores, int)
    bits = np.zeros(placement.n_cores, int)
    for c in net.connections:
        w = c.effective_weights()
        w = w.toarray() if sp.issparse(w) else np.asarray(w)
        wbits = next(b for b in enc.weight_bits_menu if b >= c.num_weight_bits)
        dbits = int(np.ceil(np.log2(c.max_delay + 1))) if c.delays is not None else 0
        for i in range(c.shape[1]):
            per_core = {}
            for t in np.nonzero(w[:, i])[0]:
                k, j = position[c.dst, int(t)]
                per_core.setdefault(k, []).append(j)
            for k, js in per_core.items():
                axons[k] += 1
                span = max(js) - min(js) + 1
                bits[k] += min(block_bits(len(js), wbits + dbits + idx_bits), block_bits(span, wbits + dbits))
    return axons, bits


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), comps=st.sampled_from([2, 4, 8, 1024]), kib=st.sampled_from([1, 2, 128]),
       axons=st.sampled_from([8, 32, 4096]), strategy=st.sampled_from(["greedy", "traffic"]))
def test_random_networks_respect_every_limit(seed, comps, kib, axons, strategy):
    net, _ = random_network(np.random.default_rng(seed), max_n=24)
    profile = load_profile("loihi", {"core.max_compartments": comps, "core.synaptic_memory": kib,
                                     "core.max_input_axons": axons})
    try:
        p = map_network(net, profile, strategy)
    except MappingError as exc:
        assert "needs" in str(exc) and "allows" in str(exc)
        return
    assert p.compartments.max() <= comps and p.input_axons.max() <= axons
    assert p.memory_bits.max() <= kib * 8192
    ref_axons, ref_bits = reference_core_use(net, p, profile)
    np.testing.assert_array_equal(p.input_axons, ref_axons)
    np.testing.assert_array_equal(p.memory_bits, ref_bits)
    assert sum(c.size for pieces in p.pieces for c in [pieces[0].compartments]) == net.n_compartments


def one_layer(n_in, n_out, density=1.0, seed=0, **conn):
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 100, (n_out, n_in)) * (rng.random((n_out, n_in)) < density)
    return nc.Network([nc.LIF("hidden", n_out)], [nc.BernoulliSource("in", n_in, p=0.1)],
                      [nc.Connection("w", "in", "hidden", w, **conn)])


@pytest.mark.parametrize("make, profile, overrides, match", [
    (lambda: one_layer(5200, 2, density=1.0), "loihi", {},
     r"population 'hidden' needs 5200 input axons per core \(compartment 0\), loihi allows 4096: reduce its fan-in \(one compartment.s inputs are not split across cores\)"),
    (lambda: one_layer(20000, 1), "loihi", {"core.max_input_axons": 100000},
     r"population 'hidden' needs 1280000 bits of synaptic memory per core \(compartment 0\), loihi allows 1048576: reduce fan-in or weight bits"),
    (lambda: one_layer(10, 20, delays=5), "loihi2", {"core.max_delay": 2},
     r"connection 'w' needs delays of 5 steps, loihi2 allows 2: shorten the delays"),
    (lambda: nc.workloads.recurrent_network(1000, 100), "truenorth", {"core.max_output_axons": 100000,
                                                                       "core.max_weight_bits": 8},
     r"population 'rec' needs spikes routed to \d+ cores per compartment, truenorth allows 1: insert splitter neurons"),
    (lambda: nc.workloads.recurrent_network(1000, 100), "truenorth", {},
     r"connection 'w' needs 8-bit weights, truenorth stores at most 1 \(core\.max_weight_bits\): quantize to fewer bits"),
    (lambda: one_layer(10, 20), "loihi", {"core.max_input_axons": 0},
     r"population 'hidden' needs 10 input axons per core \(compartment 0\), loihi allows 0"),
    (lambda: one_layer(10, 20), "loihi", {"core.max_compartments": 0},
     r"profile 'loihi' allows 0 compartments per core \(core\.max_compartments\): nothing can be placed"),
    (lambda: nc.workloads.recurrent_network(2000, 100), "loihi", {"core.max_output_axons": 1000},
     r"population 'rec' needs \d+ output axons on a core, loihi allows 1000, even with 6 re-splits: reduce fan-out"),
    (lambda: one_layer(10, 20), "spinnaker2", {}, r"profile 'spinnaker2' states no per-core limits or chip structure"),
    (lambda: one_layer(10, 20), "loihi", {}, None),
])
def test_does_not_fit_messages(make, profile, overrides, match):
    net = make()
    prof = load_profile(profile, overrides)
    if match is None:
        assert map_network(net, prof).n_cores == 1
        return
    with pytest.raises(MappingError, match=match):
        map_network(net, prof)


def test_traffic_strategy_recovers_hidden_locality():
    """A ring with local connections, its compartments shuffled: RCM ordering puts neighbours
    back on the same cores, so spikes reach fewer cores than index order does."""
    n, rng = 4096, np.random.default_rng(3)
    perm = rng.permutation(n)
    rows, cols = [], []
    for d in range(-8, 9):
        if d:
            rows.append(perm[(np.arange(n) + d) % n])
            cols.append(perm[np.arange(n)])
    w = sp.csr_array((np.ones(16 * n, int), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    net = nc.Network([nc.LIF("ring", n)], connections=[nc.Connection("w", "ring", "ring", w)])
    greedy, traffic = (map_network(net, "loihi", s) for s in ("greedy", "traffic"))
    assert traffic.traffic()["messages"] <= 1.05 * n  # about one destination core per spike: the optimum
    assert greedy.traffic()["messages"] >= 3.5 * n
    assert traffic.n_cores <= greedy.n_cores


def test_latency_by_hand():
    """One core, one input axon spiking every step into 5 of 10 compartments, which never spike:
    5 synops x 3.5 ns + 10 x 5.3 ns (all updates at the inactive time) + 4.75 active compartments
    per step (5 with input on steps 2..20) x (8.4 - 5.3) ns + barrier on 1 tile (113 ns)."""
    w = np.zeros((10, 1), int)
    w[:5] = 1
    net = nc.Network([nc.LIF("p", 10, vth=2**17 - 1)], [nc.SpikeSource("s", np.ones((1, 1)))],
                     [nc.Connection("c", "s", "p", w)])
    result = nc.emulate(net, 20)
    st_ = step_time(map_network(net, "loihi-chip"), "loihi-chip", net, result)
    assert st_.step_s == pytest.approx(5 * 3.5e-9 + 10 * 5.3e-9 + 4.75 * 3.1e-9 + 113e-9)
    assert st_.inference_s == pytest.approx(20 * st_.step_s)


def test_latency_of_routed_spikes_by_hand():
    """Two populations of 2 compartments, one per core (max_compartments 2), cores on different
    tiles of one chip (1 core per tile, a 1 x 8 mesh): "a" fires every step (bias above threshold)
    into "b" (weights far below b's threshold). Per step, a's core: 2 updates, both active (they
    spike): 2 x 8.4 ns (its 2 messages travel one east-west hop, 4.1 ns, while cores work).
    b's core: 4 synops x 3.5 ns + 2 active updates x 8.4 ns (from step 2; 1.9 on average over 20
    steps: 2 x 5.3 + 1.9 x 3.1 ns), the slower core in every step. The step is b's core, the
    route's travel and the 2-tile barrier (113 + (465 - 113) x 1/7 ns)."""
    a = nc.LIF("a", 2, vth=10, bias_mant=4095, bias_exp=7)
    b = nc.LIF("b", 2, vth=2**17 - 1)
    net = nc.Network([a, b], connections=[nc.Connection("ab", "a", "b", np.ones((2, 2), int))])
    result = nc.emulate(net, 20)
    assert result.counters.totals()["spikes"] == 40
    profile = load_profile("loihi-chip", {"core.max_compartments": 2, "chip.cores_per_chip": 8, "chip.cores_per_tile": 1,
                                     "chip.mesh_rows": 1, "chip.mesh_cols": 8})
    placement = map_network(net, profile)
    assert placement.n_cores == 2 and placement.tiles_used == 2
    st_ = step_time(placement, profile, net, result)
    core_a = 2 * 8.4e-9
    core_b = 4 * 3.5e-9 + 2 * 5.3e-9 + 1.9 * 3.1e-9
    assert st_.per_core_s == pytest.approx([core_a, core_b])
    assert st_.travel_s == pytest.approx(4.1e-9)
    assert st_.step_s == pytest.approx(core_b + 4.1e-9 + 113e-9 + (465e-9 - 113e-9) / 7)


def test_cli_map_writes_json_and_profile_errors_exit_nonzero(tmp_path, capsys):
    out = tmp_path / "placement.json"
    assert main(["map", "mlp:784,512,512,10", "--profile", "loihi", "--json", str(out), "--steps", "4"]) == 0
    data = json.loads(out.read_text())
    assert data["n_cores"] == 8 and data["cores"][0]["utilization_pct"]["compartments"] == pytest.approx(13.87, abs=0.01)
    assert data["latency"]["modeled"] and data["latency"]["step_s"] > 0
    assert main(["map", "mlp:20,10", "--profile", "truenorth", "--set", "core.max_weight_bits=8", "--steps", "2"]) == 0
    assert "fixed 1 ms tick" in " ".join(capsys.readouterr().out.split())
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndescription: bad chip\nkind: neuromorphic\nenergy:\n  synaptic_op: {value: -1, unit: pJ, basis: measured, source: me}\n")
    assert main(["profiles", "show", str(bad)]) == 2
    assert "bad.yaml:5: energy.synaptic_op.value: expected greater than or equal to 0" in capsys.readouterr().err
    assert main(["profiles", "show", "loihi", "--set", "core.max_compartments=2048"]) == 0
    assert "override" in capsys.readouterr().out


def reference_routes(net, placement):
    """Per synapse row (rows in connection order): messages (distinct destination cores), within
    the source's tile, east-west hops, north-south hops, to another chip of the board, to another
    board; recomputed from the IR."""
    core_of, chip, board = placement.core_of, placement.chip, placement.board
    out = []
    for c in net.connections:
        w = c.effective_weights()
        w = w.toarray() if sp.issparse(w) else np.asarray(w)
        for i in range(c.shape[1]):
            dests = {int(core_of[c.dst][t]) for t in np.nonzero(w[:, i])[0]}
            row = [len(dests), 0, 0, 0, 0, 0]
            if c.src in core_of:
                s = int(core_of[c.src][i])
                for d in dests:
                    if board[d] != board[s]:
                        row[5] += 1
                    elif chip[d] != chip[s]:
                        row[4] += 1
                    elif (placement.tile_row[d], placement.tile_col[d]) == (placement.tile_row[s], placement.tile_col[s]):
                        row[1] += 1
                    else:
                        row[2] += abs(int(placement.tile_col[d]) - int(placement.tile_col[s]))
                        row[3] += abs(int(placement.tile_row[d]) - int(placement.tile_row[s]))
            out.append(row)
    return np.array(out, dtype=np.int64).reshape(-1, 6)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), comps=st.sampled_from([1, 2, 3]), strategy=st.sampled_from(["greedy", "traffic"]))
def test_routes_and_hops_equal_a_brute_force_recount(seed, comps, strategy):
    """Small cores on a small mesh (2 cores per tile, 2 x 2 tiles, chips of 8 cores, boards of 2
    chips), so that rows fan out within tiles, across tiles in both directions, off chip and off
    board."""
    net, _ = random_network(np.random.default_rng(seed), max_n=24)
    profile = load_profile("loihi", {"core.max_compartments": comps, "chip.cores_per_chip": 8, "chip.cores_per_tile": 2,
                                     "chip.mesh_rows": 2, "chip.mesh_cols": 2, "chip.chips_per_board": 2})
    p = map_network(net, profile, strategy)
    np.testing.assert_array_equal(p.row_route, reference_routes(net, p))


def test_energy_per_core_synaptic_ops_equal_a_brute_force_recount():
    net, _ = random_network(np.random.default_rng(7), max_n=24)
    run = nc.emulate(net, 30)
    figure = {"unit": "pJ", "basis": "derived", "source": "test figure"}
    profile = load_profile("loihi", {"core.max_compartments": 3, "energy.message_bit": {"value": 0.1, **figure},
                                     "energy.spike_off_chip": {"value": 100, **figure},
                                     "energy.spike_off_board": {"value": 1000, **figure}})
    report = run.energy(profile)
    p = run.map(profile)
    spikes = run.counters.axon_spikes
    first = dict(zip(net.nodes, np.concatenate([[0], np.cumsum([n.n for n in net.nodes.values()])])))
    expect = np.zeros(p.n_cores)
    for c in net.connections:
        w = c.effective_weights()
        w = w.toarray() if sp.issparse(w) else np.asarray(w)
        for t, i in zip(*np.nonzero(w)):
            expect[p.core_of[c.dst][t]] += spikes[first[c.src] + i]
    per_op = profile.energy.synaptic_op.si
    other = np.array(report.per_core_j) - expect * per_op
    assert expect.sum() == report.counts["synaptic_op"]
    assert np.all(other >= -1e-18)  # what remains is updates, spikes and messages, never negative


def test_host_in_the_loop_by_hand():
    """On `loihi` (the system as measured) a step is the chip's step, then the host's: 87.1 us +
    43.0 us x I/O cores. A 2-layer network with its input layer over 2 cores and its output on 1
    has 3 I/O cores (the hidden layer between them is not one); the host draws 76.7 mW per chip
    while running and the chip idles at 29.7 mW (Blouw et al. 2019 fit and logs)."""
    net = feed_forward_snn((40, 64, 32, 8))
    run = nc.emulate(net, 20)
    chip = step_time(map_network(net, "loihi-chip", per_core={"l1": 32}), "loihi-chip", net, run)
    placement = map_network(net, "loihi", per_core={"l1": 32})
    system = step_time(placement, "loihi", net, run)
    assert system.io_cores == 3 and placement.n_cores == 4
    assert system.host_s == pytest.approx(87.1e-6 + 3 * 43.0e-6)
    assert system.step_s == pytest.approx(chip.step_s + system.host_s)
    report = nc.energy.price(run, "loihi", placement)
    assert report.time_s == pytest.approx(20 * system.step_s)
    assert report.host_energy_j == pytest.approx(76.7e-3 * report.time_s)
    assert report.static_energy_j == pytest.approx(29.7e-3 * report.time_s)
    assert report.energy_j == pytest.approx(report.dynamic_energy_j + report.host_energy_j + report.static_energy_j)
    assert report.dynamic_energy_j == pytest.approx(nc.energy.price(run, "loihi-chip", placement).dynamic_energy_j)
    assert nc.energy.price(run, "loihi-chip", placement).host_energy_j is None
