"""Profiles: every built-in loads with sources; malformed files fail naming file, key path, line."""
import textwrap

import pytest

from neurochip.profiles import ProfileError, builtin_names, load_profile

BUILTINS = ["brain", "cpu", "gpu-h100", "loihi", "loihi-chip", "loihi-sanafe", "loihi2", "spinnaker2", "truenorth"]

GOOD = """\
schema_version: 1
name: tiny
description: a test chip
kind: neuromorphic
core:
  max_compartments: {value: 64, unit: count, basis: datasheet, source: "test sheet 2026"}
  synaptic_memory: {value: 4, unit: KiB, basis: datasheet, source: "test sheet 2026"}
energy:
  synaptic_op: {value: 10, unit: pJ, basis: measured, source: "bench 2026"}
static_power:
  per_chip: {value: 1, unit: mW, basis: measured, source: "bench 2026"}
  scope: chips_used
  reason: "leakage per chip"
"""


def write(tmp_path, text, name="chip.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_all_builtins_load_with_a_source_on_every_figure():
    assert builtin_names() == BUILTINS
    for name in BUILTINS:
        profile = load_profile(name)
        assert profile.name == name
        for key, q in profile.figures():
            assert q.source.strip(), key
            assert q.unit


def test_good_profile_and_si_units(tmp_path):
    p = load_profile(write(tmp_path, GOOD))
    assert p.core.synaptic_memory.si == 4 * 8192
    assert p.energy.synaptic_op.si == pytest.approx(10e-12)
    assert p.energy.synaptic_op.status == "measured"


def test_extends_and_overrides(tmp_path):
    write(tmp_path, GOOD, "base.yaml")
    child = write(tmp_path, """\
        extends: base.yaml
        name: bigger
        core:
          max_compartments: {value: 128, unit: count, basis: derived, source: "2x base"}
        """)
    p = load_profile(child)
    assert (p.name, p.core.max_compartments.value, p.energy.synaptic_op.value) == ("bigger", 128, 10)
    q = load_profile(child, {"core.max_compartments": "256", "energy.synaptic_op.value": 5})
    assert q.core.max_compartments.value == 256 and q.energy.synaptic_op.value == 5
    assert q.energy.synaptic_op.basis == "override" and "bench 2026" in q.energy.synaptic_op.source
    assert load_profile("loihi").with_({"core.max_compartments": 2048}).core.max_compartments.value == 2048


def replace(line_old, line_new):
    assert line_old in GOOD
    return GOOD.replace(line_old, line_new)


SYN = '  synaptic_op: {value: 10, unit: pJ, basis: measured, source: "bench 2026"}'
COMP = '  max_compartments: {value: 64, unit: count, basis: datasheet, source: "test sheet 2026"}'
MEM = '  synaptic_memory: {value: 4, unit: KiB, basis: datasheet, source: "test sheet 2026"}'

MALFORMED = [
    (replace(SYN, SYN.replace("10", "-3")), r":9: energy\.synaptic_op\.value: expected greater than or equal to 0, found -3"),
    (replace(SYN, SYN.replace("pJ", "pW")), r":9: energy\.synaptic_op\.unit: expected an energy unit, one of .*, not 'pW', found 'pW'"),
    (replace(SYN, SYN.replace(', source: "bench 2026"', "")), r":9: energy\.synaptic_op\.source: expected a value \(required\)"),
    (replace(SYN, SYN.replace('"bench 2026"', '""')), r":9: energy\.synaptic_op\.source: expected at least 3 characters"),
    (replace(SYN, SYN.replace("measured", "guessed")), r":9: energy\.synaptic_op\.basis: expected 'simulated', 'measured'"),
    (replace(SYN, SYN.replace("10,", "ten,")), r":9: energy\.synaptic_op\.value: expected a valid number, unable to parse string as a number, found 'ten'"),
    (replace(SYN, SYN.replace("synaptic_op", "synaptic_opp")), r":9: energy\.synaptic_opp: expected one of the keys \[.*'synaptic_op'.*\], found unknown key 'synaptic_opp'"),
    (replace(SYN, SYN.replace("}", ", bound: typical}")), r":9: energy\.synaptic_op\.bound: expected 'min', 'max' or 'nominal'"),
    (replace(SYN, SYN.replace("}", ", colour: red}")), r":9: energy\.synaptic_op\.colour: expected one of the keys .*found unknown key 'colour'"),
    (replace(SYN, "  synaptic_op: 10"), r":9: energy\.synaptic_op: expected a valid dictionary or instance of EnergyQuantity, found 10"),
    (replace(COMP, COMP.replace("count,", "kg,")), r":6: core\.max_compartments\.unit: expected a count unit"),
    (replace(COMP, COMP.replace("64", "-1")), r":6: core\.max_compartments\.value: expected greater than or equal to 0"),
    (replace(COMP, ""), r":5: core\.max_compartments: expected a value \(required\), found nothing"),
    (replace(MEM, MEM.replace("KiB", "pJ")), r":7: core\.synaptic_memory\.unit: expected a bits unit"),
    (replace(MEM, MEM.replace("synaptic_memory", "synaptic_mem")), r":7: core\.synaptic_mem: expected one of the keys .*'synaptic_memory'"),
    (replace("kind: neuromorphic", "kind: quantum"), r":4: kind: expected 'neuromorphic', 'biological', 'cpu' or 'gpu', found 'quantum'"),
    (replace("name: tiny\n", ""), r":1: name: expected a value \(required\), found nothing"),
    (replace("description: a test chip\n", "description: 7\n"), r":3: description: expected a valid string, found 7"),
    (replace("schema_version: 1", "schema_version: 2"), r":1: schema_version: expected 1, found 2"),
    (replace("  scope: chips_used", "  scope: everything"), r":12: static_power\.scope: expected 'chips_used', 'cores_used' or 'device'"),
    (replace('  reason: "leakage per chip"\n', ""), r":10: static_power\.reason: expected a value \(required\)"),
    (GOOD + "speed: fast\n", r":14: speed: expected one of the keys .*found unknown key 'speed'"),
    (GOOD + "chip:\n  cores_per_chip: {value: 8, unit: count, basis: datasheet, source: sheet}\n"
            "  cores_per_tile: {value: 4, unit: count, basis: datasheet, source: sheet}\n"
            "  mesh_rows: {value: 1, unit: count, basis: datasheet, source: sheet}\n"
            "  mesh_cols: {value: 3, unit: count, basis: datasheet, source: sheet}\n",
     r":14: chip: expected mesh_rows x mesh_cols x cores_per_tile = 12 must equal cores_per_chip = 8"),
    (GOOD.replace("core:\n", "core:\n  synapse_encoding: {word_bits: 64, synapses_per_block: 64, block_header_bits: 10,"
                  " weight_bits_menu: [8, 4], index_bits_menu: [6], source: nengo}\n"),
     r":6: core\.synapse_encoding\.weight_bits_menu: expected a non-empty ascending list of positive bit widths"),
    (GOOD.replace("core:\n", "core:\n  synapse_encoding: {word_bits: 0, synapses_per_block: 64, block_header_bits: 10,"
                  " weight_bits_menu: [8], index_bits_menu: [6], source: nengo}\n"),
     r":6: core\.synapse_encoding\.word_bits: expected greater than 0, found 0"),
    ("name: [unclosed\n", r"chip\.yaml:2: not valid YAML"),
    ("- just\n- a list\n", r"chip\.yaml:1: expected a mapping of profile fields, found list"),
    (GOOD.replace("name: tiny", "extends: 12\nname: tiny"), r"chip\.yaml:2: extends: expected a profile name or path, found 12"),
    (GOOD.replace("name: tiny", "extends: nowhere.yaml\nname: tiny"), r"profile 'nowhere\.yaml': expected a built-in name .* or a path"),
    (GOOD.replace("name: tiny", "extends: chip.yaml\nname: tiny"), r"'extends' forms a cycle"),
    (GOOD.replace(SYN, SYN) + "timing:\n  synaptic_op: {value: 3, unit: pJ, basis: measured, source: sheet}\n",
     r":15: timing\.synaptic_op\.unit: expected a time unit"),
    (GOOD + "throughput:\n  peak_fp32: {value: 1, unit: W, basis: datasheet, source: sheet}\n",
     r":15: throughput\.peak_fp32\.unit: expected a rate unit"),
    (GOOD + "timing:\n  barrier_sync_by_tiles: {tiles: [4, 1], values: [1, 2], unit: us, basis: measured, source: table}\n",
     r":15: timing\.barrier_sync_by_tiles: .*ascending list of distinct tile counts"),
    (GOOD + "timing:\n  barrier_sync_by_tiles: {tiles: [1, 4], values: [1], unit: us, basis: measured, source: table}\n",
     r":15: timing\.barrier_sync_by_tiles: .*2 non-negative times"),
]


@pytest.mark.parametrize("text, match", MALFORMED, ids=[f"case{i}" for i in range(len(MALFORMED))])
def test_malformed_profile_names_file_key_and_line(tmp_path, text, match):
    path = write(tmp_path, text)
    with pytest.raises(ProfileError, match=match) as info:
        load_profile(path)
    assert str(path) in str(info.value) or "nowhere.yaml" in str(info.value)


def test_non_utf8_profile_names_file_and_byte(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(GOOD.replace("a test chip", "a t\xe9st chip").encode("latin-1"))
    with pytest.raises(ProfileError, match=r"latin\.yaml: expected UTF-8 text, found byte 0xe9 at offset \d+"):
        load_profile(path)


def test_extends_changing_a_value_must_give_its_own_source(tmp_path):
    write(tmp_path, GOOD, "base.yaml")
    child = write(tmp_path, """\
        extends: base.yaml
        name: faster
        energy:
          synaptic_op: {value: 5}
        """)
    with pytest.raises(ProfileError, match=r"chip\.yaml:4: energy\.synaptic_op: expected a source for the new value 5 "
                                           r"\(the parent's source, 'bench 2026', describes the old one\), found none"):
        load_profile(child)


def test_a_bad_override_is_blamed_on_the_flag_not_the_file():
    with pytest.raises(ProfileError, match=r"^--set core\.max_compartments=-5: core\.max_compartments\.value: "
                                           r"expected greater than or equal to 0"):
        load_profile("loihi", {"core.max_compartments": "-5"}, origin="--set")
    with pytest.raises(ProfileError, match=r"^--set energy\.synaptic_op=\[1: expected a YAML value"):
        load_profile("loihi", {"energy.synaptic_op": "[1"}, origin="--set")


@pytest.mark.parametrize("overrides, match", [
    ({"core.max_compartments": -5}, r"core\.max_compartments\.value: expected greater than or equal to 0, found -5"),
    ({"energy.synaptic_op": "lots"}, r"energy\.synaptic_op\.value: expected a valid number"),
    ({"energy.synaptic_opp.value": 3}, r"energy\.synaptic_opp: expected one of the keys"),
    ({"name.first": 1}, r"override 'name\.first': expected a key path into the profile, found no mapping at 'name'"),
])
def test_bad_overrides(overrides, match):
    with pytest.raises(ProfileError, match=match):
        load_profile("loihi", overrides)


def test_unknown_profile_name():
    with pytest.raises(ProfileError, match=r"profile 'loihi9': expected a built-in name \(brain, cpu, .*\) or a path"):
        load_profile("loihi9")
