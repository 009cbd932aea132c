"""Split populations into core-sized pieces and place them on a profile's cores, chips, tiles."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

from ..errors import MappingError
from ..ir import LIF, Network
from ..kernels.layout import Sites
from ..kernels.placement import block_bits, block_tables, greedy_pieces, route, rows_by_target
from ..pack import Packed, pack
from ..profiles import Profile, load_profile
from .placement import RESOURCES, ConnectionRoute, Piece, Placement

STRATEGIES = ("greedy", "traffic")


def _limit(profile: Profile, key: str) -> float | None:
    q = getattr(profile.core, key)
    return None if q is None else q.si


def _limit_or(profile: Profile, key: str, unlimited: int) -> int:
    """A per-core limit as an int, or `unlimited` when the profile states none (0 means 0)."""
    limit = _limit(profile, key)
    return unlimited if limit is None else int(limit)


def _width(menu: tuple[int, ...], need: int, what: str, profile: Profile) -> int:
    """The smallest width in `menu` that holds `need` bits."""
    for bits in menu:
        if bits >= need:
            return bits
    raise MappingError(f"{what} needs {need} bits; {profile.name} stores at most {menu[-1]}")


def _row_bits(packed: Packed, network: Network, profile: Profile) -> np.ndarray:
    """Weight (+ delay) bits per synapse of every row, from the profile's weight-width menu."""
    enc = profile.core.synapse_encoding
    out = np.zeros(packed.syn.row_start.size, np.int64)
    for c, conn in enumerate(network.connections):
        w = _width(enc.weight_bits_menu, conn.stored_bits, f"connection {conn.name!r} weights", profile)
        d = int(np.ceil(np.log2(conn.max_delay + 1))) if conn.delays is not None else 0
        base = packed.conns.row_base[c]
        out[base:base + conn.shape[1]] = w + d
    return out


def _order(strategy: str, ptr: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Placement order of a population's compartments.

    greedy: index order. traffic: reverse Cuthill-McKee order of the graph joining compartments
    to their input rows, so compartments sharing inputs land on the same core (fewer input axons
    and fewer destination cores per spike).
    """
    if strategy == "greedy" or n == 0 or rows.size == 0:
        return np.arange(n, dtype=np.int64)
    _, row_ids = np.unique(rows, return_inverse=True)
    n_rows = int(row_ids.max()) + 1
    incidence = sp.csr_array((np.ones(rows.size, np.int8), row_ids, ptr), shape=(n, n_rows))
    graph = sp.bmat([[None, incidence], [incidence.T, None]], format="csr")
    order = reverse_cuthill_mckee(graph, symmetric_mode=True)
    return order[order < n].astype(np.int64)


def _inputs(network: Network, packed: Packed, strategy: str) -> list[tuple[np.ndarray, ...]]:
    """Per population: (placement order, CSR of its compartments' input axons). An axon is a
    synapse row, except for a convolution, whose axons are its input positions (Loihi's
    population axons: one per pixel, shared by every channel): those get ids after the rows."""
    rows = packed.rows()
    out = []
    next_id = packed.syn.row_start.size
    for pop in network.populations:
        selected = np.concatenate([np.arange(packed.conns.row_base[c], packed.conns.row_base[c] + conn.shape[1])
                                   for c, conn in enumerate(network.connections) if conn.dst == pop.name] or
                                  [np.zeros(0, np.int64)]).astype(np.int64)
        ptr, in_row = rows_by_target(rows, selected, pop.n)
        convs = [(c, conn) for c, conn in enumerate(network.connections) if conn.dst == pop.name and conn.kernel]
        for c, conn in convs:
            base = packed.conns.row_base[c]
            mine = (in_row >= base) & (in_row < base + conn.shape[1])
            in_row[mine] = next_id + (in_row[mine] - base) % conn.kernel.pixels
            next_id += conn.kernel.pixels
        if convs:    # a position reaches a compartment once, whatever the channels
            owner = np.repeat(np.arange(pop.n, dtype=np.int64), np.diff(ptr))
            pairs = np.unique(owner * next_id + in_row)
            ptr = np.searchsorted(pairs // next_id, np.arange(pop.n + 1)).astype(ptr.dtype)
            in_row = (pairs % next_id).astype(in_row.dtype)
        out.append((_order(strategy, ptr, in_row, pop.n), ptr, in_row))
    return out


def _axon_count(packed: Packed, network: Network) -> int:
    """Ids of input axons: synapse rows, then each convolution's input positions."""
    return packed.syn.row_start.size + sum(c.kernel.pixels for c in network.connections if c.kernel is not None)


def conv_bits(conn, compartments: np.ndarray, weight_bits: int, index_bits: int, enc) -> int:
    """Synaptic memory (bits) of convolution `conn` on a core holding `compartments` (local
    indices of its target population), as Loihi stores a convolution (nengo-loihi's model):
    each input position is one axon whose synapse lists (one per input channel) point at a
    shared weight set; positions whose lists have the same weights and the same targets
    relative to the position share one set. Each set costs its synapses in blocks with index
    bits (`enc`)."""
    kernel = conn.kernel
    m = sp.csc_array(kernel.expand()[0][np.sort(compartments)])
    out_sp = kernel.out_shape[1:]
    pix = kernel.pixels
    cols = np.arange(m.shape[1])
    position = np.unravel_index(cols % pix, kernel.in_shape[1:])
    anchor = np.ravel_multi_index(tuple(np.clip((p + pad) // s, 0, n - 1) for p, pad, s, n in
                                        zip(position, kernel.padding, kernel.stride, out_sp)), out_sp)
    targets = np.sort(compartments)[m.indices] - np.repeat(anchor, np.diff(m.indptr))
    sets = set()
    bits = 0
    for i in range(m.shape[1]):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        if hi == lo:
            continue
        key = (targets[lo:hi].tobytes(), m.data[lo:hi].tobytes())
        if key not in sets:
            sets.add(key)
            bits += int(block_bits(hi - lo, weight_bits + index_bits, enc.synapses_per_block, enc.block_header_bits,
                                   enc.word_bits))
    return bits


def _split(network: Network, packed: Packed, profile: Profile, inputs: list[tuple[np.ndarray, ...]],
           caps: dict[str, int], fixed: frozenset[str] = frozenset()) -> list[tuple[str, np.ndarray, int, int]]:
    """(population, compartment order slice, input axons, memory bits) per core, in placement order.
    `caps` lowers the compartments per core of some populations (output-axon retries); the
    populations in `fixed` are cut into pieces of exactly their cap, limits counted, not applied."""
    core = profile.core
    core_comp = int(core.max_compartments.si)
    if core_comp < 1:
        raise MappingError(f"profile {profile.name!r} allows {core_comp} compartments per core "
                           "(core.max_compartments): nothing can be placed")
    limits = (_limit_or(profile, "max_input_axons", -1), _limit_or(profile, "synaptic_memory", -1))
    if limits[1] >= 0 and core.synapse_encoding is None:
        raise MappingError(f"profile {profile.name!r} gives synaptic_memory but no core.synapse_encoding "
                           "to count it with")
    tables = _tables(network, packed, profile, core_comp)
    out = []
    for pop, (order, ptr, in_row) in zip(network.populations, inputs):
        max_comp = min(core_comp, caps.get(pop.name, core_comp))
        out += _pieces(network, pop.name, order, ptr, in_row, max_comp, (-1, -1) if pop.name in fixed else limits,
                       tables, profile)
    return out


def _tables(network: Network, packed: Packed, profile: Profile, core_comp: int) -> tuple:
    """(row width index per axon id, sparse and dense block tables, index bits): a convolution's
    position axons point at an all-zero table row (their memory is `conv_bits`)."""
    enc = profile.core.synapse_encoding
    row_bits = _row_bits(packed, network, profile) if enc else np.zeros(packed.syn.row_start.size, np.int64)
    widths, row_width = np.unique(row_bits, return_inverse=True)
    index_bits = 0
    if enc:
        index_bits = _width(enc.index_bits_menu, max(int(np.ceil(np.log2(core_comp))), 1), "synapse index", profile)
        sparse, dense = block_tables(widths.astype(np.int64), index_bits, core_comp, enc.synapses_per_block,
                                     enc.block_header_bits, enc.word_bits)
    else:
        sparse = dense = np.zeros((max(widths.size, 1), core_comp + 1), np.int64)
    free = np.zeros((1, core_comp + 1), np.int64)
    pixel_width = np.full(_axon_count(packed, network) - row_bits.size, sparse.shape[0], np.int64)
    return (np.concatenate([row_width.astype(np.int64), pixel_width]), np.vstack([sparse, free]),
            np.vstack([dense, free]), index_bits)


def _pieces(network: Network, pop: str, order, ptr, in_row, max_comp: int, limits: tuple[int, int], tables,
            profile: Profile) -> list[tuple[str, np.ndarray, int, int]]:
    """One population's pieces. With convolutions into it, each piece's shared-weight memory is
    added and the pieces are made smaller until every core holds its own."""
    row_width, sparse, dense, index_bits = tables
    max_axons, max_bits = limits
    convs = [c for c in network.connections if c.dst == pop and c.kernel is not None]
    enc = profile.core.synapse_encoding
    while True:
        ends, axons, bits, fail = greedy_pieces(order, ptr, in_row, row_width, row_width.size, max_comp, max_axons,
                                                max_bits, sparse, dense)
        if fail[0] >= 0:
            _raise_does_not_fit(pop, int(fail[0]), int(fail[1]), int(fail[2]), max_axons, max_bits, profile)
        starts = np.concatenate([[0], ends[:-1]])
        if convs and enc is not None:    # counted even when no limit applies (`fixed` pieces)
            bits = bits + [sum(conv_bits(c, order[s:e], _width(enc.weight_bits_menu, c.stored_bits,
                                                              f"connection {c.name!r} weights", profile),
                                         index_bits, enc) for c in convs) for s, e in zip(starts, ends)]
        worst = int(np.argmax(bits)) if len(bits) else 0
        if max_bits < 0 or not len(bits) or bits[worst] <= max_bits:
            return [(pop, order[s:e], int(a), int(b)) for s, e, a, b in zip(starts, ends, axons, bits)]
        size = int(ends[worst] - starts[worst])
        if size == 1:
            _raise_does_not_fit(pop, int(order[starts[worst]]), 0, int(bits[worst]), max_axons, max_bits, profile)
        max_comp = max(1, min(size - 1, int(size * max_bits / bits[worst])))


def _raise_does_not_fit(pop: str, j: int, axons: int, bits: int, max_axons: int, max_bits: int,
                        profile: Profile) -> None:
    if max_axons >= 0 and axons > max_axons:
        raise MappingError(f"population {pop!r} needs {axons} input axons per core (compartment {j}), "
                           f"{profile.name} allows {max_axons}: reduce its fan-in (one compartment's inputs are not "
                           "split across cores)")
    raise MappingError(f"population {pop!r} needs {bits} bits of synaptic memory per core (compartment {j}), "
                       f"{profile.name} allows {max_bits}: reduce fan-in or weight bits")


def _coordinates(n_cores: int, profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(chip, tile row, tile col, board) of cores filled in order, tiles row-major on each chip's
    mesh, chips filling boards in order (one board when the profile gives no board size)."""
    chip = profile.chip
    per_chip = int(chip.cores_per_chip.si)
    k = np.arange(n_cores)
    chip_of = k // per_chip
    board_of = chip_of // int(chip.chips_per_board.si) if chip.chips_per_board else np.zeros(n_cores, np.int64)
    if None in (chip.cores_per_tile, chip.mesh_cols):
        zeros = np.zeros(n_cores, np.int64)
        return chip_of, zeros, zeros, board_of
    tile = (k % per_chip) // int(chip.cores_per_tile.si)
    cols = int(chip.mesh_cols.si)
    return chip_of, tile // cols, tile % cols, board_of


def map_network(network: Network, profile: Profile | str, strategy: str = "greedy",
                packed: Packed | None = None, per_core: dict[str, int] | None = None,
                enforce: bool = True) -> "Placement":
    """Place `network` on `profile`'s cores under every per-core limit the profile states.

    Parameters
    ----------
    network : the network; spike sources stay off-chip (their spikes arrive from the host).
    profile : a `Profile` or a built-in name / YAML path.
    strategy : "greedy" (index order) or "traffic" (reverse Cuthill-McKee order, to co-locate
        compartments that share inputs).
    packed : the network's packed layout when one exists (an emulation's `Result.packed`);
        packed here otherwise.
    per_core : population name -> at most this many of its compartments per core, to reproduce
        a published mapping (e.g. an input layer spread over 8 cores); every per-core limit is
        still checked, and a piece is split further when one is exceeded.
    enforce : False to keep the `per_core` pieces exactly as given (each of exactly n
        compartments, the last the rest) whatever the limits, to reproduce a placement made by a
        tool that does not model some limit; every exceeded limit is then listed in
        `Placement.violations` (population, core, resource, need, limit) instead of refused.

    Raises
    ------
    MappingError naming the population, the resource, the need and the limit.
    """
    profile = load_profile(profile)
    if strategy not in STRATEGIES:
        raise MappingError(f"strategy: expected one of {STRATEGIES}, found {strategy!r}")
    if profile.core is None or profile.chip is None:
        raise MappingError(f"profile {profile.name!r} states no per-core limits or chip structure "
                           f"({profile.kind}): nothing to map onto")
    packed = packed or pack(network)
    _check_connections(network, profile)
    _check_neurons(network, profile)
    caps = _per_core_caps(network, per_core or {})
    inputs = _inputs(network, packed, strategy)
    if not enforce:
        placement, _, _ = _place(network, packed, profile, strategy, inputs, caps, frozenset(caps))
        return replace(placement, violations=tuple(_violations(placement)))
    for _ in range(OUTPUT_AXON_RETRIES):
        placement, dest, offsets = _place(network, packed, profile, strategy, inputs, caps)
        over = _output_axon_overflow(placement)
        if over is None:
            break
        pop, need, limit, largest = over
        caps[pop] = max(1, int(largest * limit / need))
    _check_routing(network, placement, dest, offsets, profile)
    return placement


def _violations(placement: Placement) -> list[str]:
    """Every per-core limit a placement exceeds, one line per core and resource."""
    out = []
    for resource, (attr, _) in RESOURCES.items():
        limit = placement.limits[resource]
        if limit is None or attr is None:
            continue
        for k in np.flatnonzero(getattr(placement, attr) > limit):
            pop = placement.pieces[k][0].population
            out.append(f"core {k} (population {pop!r}) needs {int(getattr(placement, attr)[k]):,} {resource.replace('_', ' ')}, "
                       f"{placement.profile} allows {limit:,.0f}")
    return out


def _per_core_caps(network: Network, per_core: dict[str, int]) -> dict[str, int]:
    names = [p.name for p in network.populations]
    for pop, n in per_core.items():
        if pop not in names:
            raise MappingError(f"per_core: expected a population of the network ({', '.join(names)}), found {pop!r}")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise MappingError(f"per_core[{pop!r}]: expected a positive number of compartments per core, found {n!r}")
    return {pop: int(n) for pop, n in per_core.items()}


#: Re-splits allowed when a core's compartments send to more destinations than it has output axons.
OUTPUT_AXON_RETRIES = 6


def _output_axon_overflow(placement: Placement) -> tuple[str, int, float, int] | None:
    """(population, output axons needed, limit, its largest piece) of the worst overflowing core."""
    limit = placement.limits["output_axons"]
    if limit is None or placement.output_axons.max(initial=0) <= limit:
        return None
    k = int(placement.output_axons.argmax())
    pop = placement.pieces[k][0].population
    largest = max(int(c) for c, pieces in zip(placement.compartments, placement.pieces) if pieces[0].population == pop)
    return pop, int(placement.output_axons[k]), limit, largest


def _place(network: Network, packed: Packed, profile: Profile, strategy: str, inputs: list, caps: dict[str, int],
           fixed: frozenset[str] = frozenset()):
    """One split-and-route pass: (placement, destination cores per compartment, node offsets)."""
    pieces = _split(network, packed, profile, inputs, caps, fixed)
    n_cores = len(pieces)
    core_of = np.empty(packed.n_compartments, np.int64)
    offsets = dict(zip(packed.node_names, packed.first[:-1]))
    for k, (pop, comps, _, _) in enumerate(pieces):
        core_of[offsets[pop] + comps] = k
    chip, tile_row, tile_col, board = _coordinates(n_cores, profile)
    out_axons, dest, row_route, syn_on_core, *_ = route(packed.row_connections(), packed.first, packed.n_pops,
                                                       packed.rows(), Sites(core_of, tile_row, tile_col, chip, board),
                                                       np.zeros(0, np.int64))
    out_axons += _population_axon_saving(network, core_of, offsets, n_cores)
    n_src = packed.n_src
    placement = Placement(
        profile=profile.name, strategy=strategy,
        pieces=[[Piece(pop, comps)] for pop, comps, _, _ in pieces],
        compartments=np.array([c.size for _, c, _, _ in pieces], np.int64),
        input_axons=np.array([a for *_, a, _ in pieces], np.int64),
        output_axons=out_axons,
        memory_bits=np.array([b for *_, b in pieces], np.int64),
        synapses=syn_on_core.sum(axis=0),
        chip=chip, tile_row=tile_row, tile_col=tile_col, board=board,
        limits={name: _limit(profile, key) for name, (_, key) in RESOURCES.items()},
        core_of={p.name: core_of[offsets[p.name]:offsets[p.name] + p.n] for p in network.populations},
        routes=[_connection_route(c.name, row_route[base:base + k], bool(packed.conns.src_node[i] >= packed.n_pops))
                for i, (c, base, k) in enumerate(zip(network.connections, packed.conns.row_base, n_src))],
        synapses_on_core=syn_on_core,
        row_route=row_route,
        system=(profile.system.name, int(profile.system.chips.si)) if profile.system else None,
        memory_modeled=profile.core.synapse_encoding is not None,
    )
    return placement, dest, offsets


def _population_axon_saving(network: Network, core_of: np.ndarray, offsets: dict, n_cores: int) -> np.ndarray:
    """Per core, output axons a convolution's population axons change against one axon per
    (compartment, destination core), which `route` counts: Loihi sends a convolution's spikes
    on one axon per (input position, destination core), the channel riding along as the
    population's atom (nengo-loihi's population axons: one slot with 32 or fewer channels
    (pop16), two with more (pop32))."""
    out = np.zeros(n_cores, np.int64)
    on_chip = {p.name for p in network.populations}
    for conn in network.connections:
        if conn.kernel is None or conn.src not in on_chip:
            continue
        m = sp.csc_array(conn.kernel.expand()[0])
        col = np.repeat(np.arange(m.shape[1]), np.diff(m.indptr))
        dst_core = core_of[offsets[conn.dst] + m.indices]
        src_core = core_of[offsets[conn.src] + np.arange(m.shape[1])]
        per_comp = np.unique(col * n_cores + dst_core)
        per_pixel = np.unique((src_core[per_comp // n_cores] * conn.kernel.pixels + per_comp // n_cores % conn.kernel.pixels)
                              * n_cores + per_comp % n_cores)
        slots = 1 if conn.kernel.in_shape[0] <= 32 else 2
        out += slots * np.bincount(per_pixel // n_cores // conn.kernel.pixels, minlength=n_cores)
        out -= np.bincount(src_core[per_comp // n_cores], minlength=n_cores)
    return out


def _connection_route(name: str, rows: np.ndarray, from_host: bool) -> ConnectionRoute:
    messages, intra, ew, ns, off_chip, off_board = rows.sum(axis=0)
    return ConnectionRoute(name, len(rows), int(messages), int(intra), int(ew), int(ns), int(off_chip), int(off_board),
                           from_host)


#: Per-connection limits: core key -> (what a connection needs, the message after "needs").
CONNECTION_LIMITS = {
    "max_weight_bits": (lambda c: c.stored_bits,
                        "{need}-bit weights, {profile} stores at most {limit:g} (core.max_weight_bits): "
                        "quantize to fewer bits"),
    "max_delay": (lambda c: c.max_delay, "delays of {need} steps, {profile} allows {limit:g}: shorten the delays"),
}


def _check_neurons(network: Network, profile: Profile) -> None:
    """Every population's neuron model, and a LIF's reset, runs on the profile's cores."""
    modes, models = profile.resets, profile.neuron_models
    for pop in network.populations:
        if pop.MODEL not in models:
            raise MappingError(f"population {pop.name!r} is {type(pop).__name__} ({pop.MODEL}); {profile.name} runs "
                               f"{', '.join(models)} neurons only (core.neuron_models): target a chip with "
                               "programmable neurons (loihi2)")
        if isinstance(pop, LIF) and pop.reset not in modes:
            words = {"zero": "to zero", "subtract": "by subtraction"}
            raise MappingError(f"population {pop.name!r} resets {words[pop.reset]}; {profile.name} resets "
                               f"{' or '.join(words[m] for m in modes)} only (core.reset_modes): emulate it with "
                               "reset='zero' and check the accuracy, or target a chip that runs it (loihi2)")


def _check_connections(network: Network, profile: Profile) -> None:
    for key, (need_of, words) in CONNECTION_LIMITS.items():
        limit = _limit(profile, key)
        for c in network.connections:
            if limit is not None and need_of(c) > limit:
                raise MappingError(f"connection {c.name!r} needs "
                                   + words.format(need=need_of(c), profile=profile.name, limit=limit))


def _check_routing(network: Network, placement: Placement, dest: np.ndarray, offsets: dict, profile: Profile) -> None:
    over = _output_axon_overflow(placement)
    if over is not None:
        pop, need, limit, _ = over
        raise MappingError(f"population {pop!r} needs {need} output axons on a core, {profile.name} allows "
                           f"{limit:g}, even with {OUTPUT_AXON_RETRIES} re-splits: reduce fan-out")
    fan = _limit(profile, "max_destination_cores_per_compartment")
    if fan is not None:
        for pop in network.populations:
            worst = dest[offsets[pop.name]:offsets[pop.name] + pop.n].max(initial=0)
            if worst > fan:
                raise MappingError(f"population {pop.name!r} needs spikes routed to {worst} cores per compartment, "
                                   f"{profile.name} allows {fan:g}: insert splitter neurons or reduce fan-out")
