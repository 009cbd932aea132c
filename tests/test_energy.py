"""Energy: hand-computed runs, published per-op figures back out, missing figures, properties."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neurochip as nc
from neurochip.energy import ACTIONS, EnergyError, brain_scale, dynamic_energy, price
from neurochip.mapping import map_network
from neurochip.profiles import load_profile
from neurochip.workloads import recurrent_network

LOIHI = load_profile("loihi-chip")


def fan_out_net(k=7, n=10, vth=2**17 - 1, period=1):
    """One source spiking every `period` steps into k of n compartments that never spike."""
    w = np.zeros((n, 1), int)
    w[:k] = 3
    spikes = np.zeros((period, 1), int)
    spikes[0] = 1
    return nc.Network([nc.LIF("p", n, vth=vth)], [nc.SpikeSource("s", spikes)], [nc.Connection("c", "s", "p", w)])


def test_hand_computed_loihi_run():
    """k synops per step at 23.6 pJ; the k targets are active from step 2 (81 pJ), the rest
    inactive (52 pJ); static 104 mW x modeled time (one chip)."""
    k, n, steps = 7, 10, 50
    report = nc.emulate(fan_out_net(k, n), steps).energy("loihi-chip")
    active = k * (steps - 1)
    expect = {"synaptic_op": k * steps * 23.6e-12, "neuron_update_active": active * 81e-12,
              "neuron_update_inactive": (n * steps - active) * 52e-12}
    assert {a: j for a, j in report.breakdown_j.items() if j} == pytest.approx(expect, rel=1e-12)
    assert report.breakdown_j["message_out"] == 0  # Davies' figures include it elsewhere; the source says where
    step_s = k * 3.5e-9 + n * 5.3e-9 + active / steps * 3.1e-9 + 113e-9
    assert report.time_s == pytest.approx(steps * step_s)
    assert report.static_energy_j == pytest.approx(0.104 * steps * step_s)
    d = report.to_dict()
    for key in ("energy_j", "dynamic_energy_j", "static_energy_j", "time_s", "power_w", "edp_js", "breakdown_j"):
        assert key in d
    assert d["counts"]["synaptic_ops"] == k * steps
    assert d["energy_j"] == pytest.approx(sum(expect.values()) + report.static_energy_j)
    assert d["edp_js"] == pytest.approx(d["energy_per_inference_j"] * d["time_per_inference_s"])


def test_recurrent_run_priced_from_brute_force_counts():
    """Every priced action of a 3,000-compartment run on 94 cores (24 tiles over 3 mesh rows),
    counted here from the weights, the placement and the spikes alone, times Davies et al.
    2018's per-op figures (Table 2)."""
    from test_mapping import reference_routes

    net = recurrent_network(3000, 50)
    run = nc.emulate(net, 60, record=["rec"])
    profile = load_profile("loihi-chip", {"core.max_compartments": 32})
    report = price(run, profile)
    spikes = run.trace("rec", "s").astype(np.int64)          # (T, n)
    w = net.connections[0].effective_weights()
    fan_out = np.asarray((w != 0).sum(axis=0)).ravel()
    received = np.vstack([np.zeros((1, 3000), np.int64), (w @ spikes[:-1].T).T])  # dendritic sum, delivered at t + 1
    active = int(((received != 0) | (spikes != 0)).sum())
    routes = reference_routes(net, run.map(profile))
    sent = spikes.sum(axis=0) @ routes
    expect = {"synaptic_op": int(spikes.sum(axis=0) @ fan_out) * 23.6e-12, "neuron_update_active": active * 81e-12,
              "neuron_update_inactive": (3000 * 60 - active) * 52e-12, "spike_intra_tile": sent[1] * 1.7e-12,
              "spike_hop_ew": sent[2] * 3.0e-12, "spike_hop_ns": sent[3] * 4.0e-12}
    assert sent[2] > 0 and sent[3] > 0 and sent[1] > 0
    assert {a: j for a, j in report.breakdown_j.items() if j} == pytest.approx(expect, rel=1e-12)


def test_truenorth_operating_point_reproduces_merolla_2014():
    """1,048,576 neurons at 20 Hz with 128 active synapses, 1 s at the 1 kHz tick: the affine model
    gives (64.4 mW + 2.684e9/s x 2.30 pJ) / 2.684e9/s = 26.3 pJ per synaptic event, against the
    26 pJ Merolla et al. measured at 0.775 V (72 mW): within 1.2%."""
    from neurochip.validation.cases import truenorth_event_energy

    tn = load_profile("truenorth")
    per_event = truenorth_event_energy()
    assert per_event == pytest.approx((64.4e-3 + 1_048_576 * 20 * 128 * 2.30e-12) / (1_048_576 * 20 * 128), rel=1e-3)
    assert per_event == pytest.approx(26.3e-12, rel=0.005)
    assert per_event / tn.energy.synaptic_event_aggregate.si == pytest.approx(1.011, abs=0.005)


def test_missing_figure_leaves_a_lower_bound_or_is_an_error_when_strict():
    bare = LOIHI.model_copy(update={"energy": LOIHI.energy.model_copy(update={"synaptic_op": None})})
    run = nc.emulate(fan_out_net(), 50)
    report = price(run, bare)
    assert report.lower_bound and report.unpriced == {"synaptic_op": 350} and "synaptic_op" not in report.breakdown_j
    assert any(n.startswith("unpriced: 350 synaptic ops") and "lower bound" in n for n in report.notes)
    assert report.to_dict()["lower_bound"] is True
    assert report.dynamic_energy_j < price(run, LOIHI).dynamic_energy_j
    with pytest.raises(EnergyError, match=r"profile 'loihi-chip' has no energy\.synaptic_op: cannot price 350 synaptic ops"):
        price(run, bare, strict=True)
    with pytest.raises(EnergyError, match=r"profile 'cpu' is a cpu: it prices dense networks"):
        nc.emulate(fan_out_net(), 5).energy("cpu")


def test_no_static_power_is_said_not_printed_as_zero():
    report = nc.emulate(fan_out_net(), 20).energy("loihi2")
    assert report.static_energy_j is None and report.static_power_w is None
    assert any("publishes no static power" in note for note in report.notes)
    assert report.to_dict()["static_energy_j"] is None


TEST_FIGURE = {"unit": "pJ", "basis": "derived", "source": "test figure"}
PRICED = LOIHI.with_({"energy.spike_off_chip": {"value": 100, **TEST_FIGURE},
                      "energy.spike_off_board": {"value": 1000, **TEST_FIGURE},
                      "energy.message_bit": {"value": 0.1, **TEST_FIGURE}})


@settings(max_examples=40, deadline=None)
@given(counts=st.fixed_dictionaries({a: st.integers(0, 10**9) for a in ACTIONS}),
       action=st.sampled_from(list(ACTIONS)), extra=st.integers(1, 10**6))
def test_dynamic_energy_is_monotone_in_counts(counts, action, extra):
    base = sum(dynamic_energy(PRICED, counts)[0].values())
    bigger = sum(dynamic_energy(PRICED, dict(counts, **{action: counts[action] + extra}))[0].values())
    assert bigger >= base
    if (getattr(PRICED.energy, action) or PRICED.energy.synaptic_op).value > 0:   # conv ops fall back to synaptic_op
        assert bigger > base
    assert sum(dynamic_energy(PRICED, dict.fromkeys(ACTIONS, 0))[0].values()) == 0


def test_zero_activity_leaves_idle_updates_and_static_only():
    quiet = nc.Network([nc.LIF("p", 50)], [nc.SpikeSource("s", np.zeros((1, 3), int))],
                       [nc.Connection("c", "s", "p", np.ones((50, 3), int))])
    report = nc.emulate(quiet, 30).energy("loihi-chip")
    assert {a for a, j in report.breakdown_j.items() if j} == {"neuron_update_inactive"}
    no_idle = load_profile("loihi-chip", {"energy.neuron_update_inactive": 0})
    report = nc.emulate(quiet, 30).energy(no_idle)
    assert report.dynamic_energy_j == 0 and report.static_energy_j > 0
    assert report.energy_j == pytest.approx(report.static_energy_j)


def test_doubling_steps_doubles_energy_of_a_stationary_workload():
    net = fan_out_net(period=5)
    e100, e200 = (nc.emulate(net, t).energy("loihi-chip").energy_j for t in (100, 200))
    assert e200 / e100 == pytest.approx(2.0, rel=2e-3)


def test_per_inference_divides_by_batch():
    rng = np.random.default_rng(0)
    spikes = (rng.random((4, 30, 20)) < 0.3).astype(int)
    net = nc.Network([nc.LIF("p", 30, du=200, dv=100, vth=30)], [nc.SpikeSource("s", spikes)],
                     [nc.Connection("c", "s", "p", rng.integers(0, 100, (30, 20)))])
    batched = nc.emulate(net, 30).energy("loihi-chip")
    singles = [nc.emulate(nc.Network(net.populations, [nc.SpikeSource("s", spikes[b])], net.connections), 30)
               .energy("loihi-chip").dynamic_energy_j for b in range(4)]
    assert batched.dynamic_energy_j == pytest.approx(sum(singles))
    assert batched.energy_per_inference_j == pytest.approx(batched.energy_j / 4)


def test_brain_row_and_brain_scale():
    """The brain on Loihi, by hand. Fan-in k = 1.5e14 / 8.61e10 = 1,742. Random wiring: m
    compartments need ~m k distinct input axons, so 2 per core fit 4,096 (3 need 5,226):
    ceil(8.61e10 / 2 / 128) = 336,328,125 chips. Shared inputs: k axons of m synapses each, dense
    blocks of 64 8-bit synapses (522 bits -> 576): 1,742 x 576 = 1,003,507 bits fit 1,048,576, and
    m = 65 needs 640 bits per axon, so 64 per core: 10,510,254 chips."""
    run = nc.emulate(fan_out_net(), 100)
    brain = run.energy("brain")
    assert brain.energy_j == pytest.approx(run.counters.totals()["synaptic_ops"] * 0.83e-12)
    assert brain.time_s == pytest.approx(0.1)
    loihi = run.energy("loihi-chip")
    assert loihi.inferences_per_s_within(20.0) == pytest.approx(20.0 / loihi.energy_per_inference_j)
    scale = brain_scale("loihi-chip")
    assert scale["chips"] == [10_510_254, 336_328_125]
    assert scale["random"]["binding_limit"] == "max_input_axons" and scale["shared"]["binding_limit"] == "synaptic_memory"
    assert scale["random"]["static_power_w"] == pytest.approx(336_328_125 * 0.104)
    assert scale["random"]["host_power_w"] is None
    system = brain_scale("loihi")["random"]      # each chip's x86 cores active, 29.7 mW idle each
    assert system["host_power_w"] == pytest.approx(336_328_125 * 0.0767)
    assert system["static_power_w"] == pytest.approx(336_328_125 * 0.0297)
    assert system["step_s"] == pytest.approx(scale["random"]["step_s"] + 87.1e-6)
    assert scale["brain_power_w"] == 10 and "12-20 W cited" in scale["brain_power_source"]
    assert scale["ratio_to_brain"][0] > 1e5
    with pytest.raises(EnergyError, match="spinnaker2"):
        brain_scale("spinnaker2")
    with pytest.raises(EnergyError, match=r"fan-in 1,742 .* exceeds core\.max_input_axons \(256\)"):
        brain_scale("truenorth")


@pytest.mark.parametrize("n, fan_out", [(20_000, 100), (50_000, 100), (20_000, 400)])
def test_scale_estimate_agrees_with_the_mapper_on_random_networks(n, fan_out):
    """The closed-form random-wiring estimate against an actual placement of a random network
    with the same size and fan-out: cores within 3%."""
    from neurochip.energy import estimate

    placement = map_network(recurrent_network(n, fan_out), "loihi-chip")
    e = estimate("loihi", n, n * fan_out, 10, connectivity="random")
    assert e.cores == pytest.approx(placement.n_cores, rel=0.03)


def test_neurobench_names():
    run = nc.emulate(fan_out_net(k=7, n=10), 50)
    nb = run.energy("loihi-chip").neurobench
    assert nb["SynapticOperations"]["Effective_ACs"] == 350 and nb["SynapticOperations"]["Effective_MACs"] == 0
    assert nb["SynapticOperations"]["Dense"] == 7 * 50
    assert nb["ActivationSparsity"] == 1.0 and nb["MembraneUpdates"] == 500


def test_per_core_breakdown_adds_up():
    """Per-core dynamic energy sums to the whole, less host messages (which belong to no core)."""
    net = recurrent_network(2000, 50)
    run = nc.emulate(net, 40)
    profile = load_profile("loihi-sanafe", {"core.max_compartments": 100})
    report = price(run, profile)
    host = report.counts["host_messages"] * profile.energy.message_out.si
    assert len(report.per_core_j) == report.n_cores == 20
    assert sum(report.per_core_j) == pytest.approx(report.dynamic_energy_j - host, rel=1e-9)
    syn = np.array(report.per_core_j)
    assert syn.min() > 0


def test_pricing_packs_nothing_again(monkeypatch):
    """The emulation packs the network once; mapping and pricing reuse that layout."""
    from neurochip.pack import Packed

    made = []
    init = Packed.__init__

    def counting(self, *args, **kwargs):
        made.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Packed, "__init__", counting)
    run = nc.emulate(recurrent_network(500, 20), 20)
    assert len(made) == 1
    run.energy("loihi-chip")
    run.energy("loihi-sanafe", placement=run.map("loihi-sanafe"))
    assert len(made) == 1


MULTI_CHIP = {"core.max_compartments": 16}   # 3,000 compartments on 188 cores: two chips


@pytest.mark.parametrize("profile", ["loihi", "loihi-chip", "loihi-sanafe", "loihi2"])
def test_a_multi_chip_network_is_priced_with_unpublished_links_as_a_lower_bound(profile):
    """Spikes between chips are counted; Loihi publishes no energy or time for them, so they are
    left unpriced and untimed, and the report says its total is a lower bound."""
    run = nc.emulate(recurrent_network(3000, 50), 30)
    p = load_profile(profile, MULTI_CHIP)
    report = price(run, p)
    assert report.n_chips == 2 and report.counts["spike_off_chip"] > 0
    assert report.unpriced.get("spike_off_chip") == report.counts["spike_off_chip"] and report.lower_bound
    assert report.time_s is not None and report.energy_j > 0
    assert any("between" not in n and "off chip are not timed" in n for n in report.notes)
    with pytest.raises(EnergyError, match=r"has no energy\.spike_off_chip"):
        price(run, p, strict=True)


def test_boards_fill_in_order_and_their_links_are_counted():
    run = nc.emulate(recurrent_network(3000, 50), 10)
    p = load_profile("loihi-chip", {**MULTI_CHIP, "chip.chips_per_board": 1})
    placement = run.map(p)
    assert placement.n_chips == placement.n_boards == 2 and not placement.exceeds_system
    report = price(run, p, placement)
    assert report.counts["spike_off_board"] > 0 and report.counts["spike_off_chip"] == 0


def test_truenorth_is_priced_at_its_tick():
    """256 inputs into 256 binary-weight compartments: one core, each step one 1 ms tick; energy
    is synaptic events x 2.30 pJ plus 64.4 mW x time (the affine fit to Akopyan et al. 2015)."""
    rng = np.random.default_rng(0)
    w = 128 * (rng.random((256, 256)) < 0.1)
    net = nc.Network([nc.LIF("p", 256, vth=2**17 - 1)], [nc.BernoulliSource("in", 256, p=0.05)],
                     [nc.Connection("c", "in", "p", w, num_weight_bits=1)])
    run = nc.emulate(net, 40)
    report = price(run, "truenorth")
    events = run.counters.totals()["synaptic_ops"]
    assert report.n_cores == 1 and report.time_s == pytest.approx(40e-3)
    assert report.energy_j == pytest.approx(events * 2.30e-12 + 0.0644 * 40e-3)
    assert any("fixed 1 ms tick" in n for n in report.notes) and not report.lower_bound


def test_static_scope_is_a_stated_choice_with_its_sensitivity():
    """loihi charges its 104 mW per chip over the chips used; over the cores used it would be
    0.815 mW x cores, and none at all is the third choice."""
    run = nc.emulate(recurrent_network(3000, 50), 30)
    report = price(run, "loihi-chip")
    scopes = report.static_by_scope
    assert scopes["chips_used"] == pytest.approx(0.104 * report.n_chips * report.time_s)
    assert scopes["cores_used"] == pytest.approx(0.815e-3 * report.n_cores * report.time_s)
    assert scopes["none"] == 0 and report.static_energy_j == pytest.approx(scopes["chips_used"])
    cores = price(run, "loihi-chip", static_scope="cores_used")
    assert cores.energy_j == pytest.approx(report.dynamic_energy_j + scopes["cores_used"])
    with pytest.raises(EnergyError, match="static scope: expected one of"):
        price(run, "loihi-chip", static_scope="wafer")
