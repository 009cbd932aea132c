"""Drive the kernels: pack the network, build inputs and buffers, run, read results back."""
from __future__ import annotations

import importlib.util
from collections.abc import Iterable

import numpy as np

from .errors import BackendError, NetworkError
from .ir import Network
from .kernels import run_batch
from .pack import Packed, pack
from .result import Counters, EmulatorState, Result
from .kernels.layout import CONN_COUNTERS, NODE_COUNTERS, Scratch, State, Tally, Trace
from .plasticity import (history_size, initial_streams, initial_synapses, learn_trace, read_learn_trace,
                         window_draws)


def _inputs(network: Network, t0: int, steps: int, batch: int) -> np.ndarray:
    """(B, T, S) int32 source payloads for steps t0+1..t0+steps."""
    parts = [s.emit(t0 + steps, batch)[:, t0:] for s in network.sources]
    if not parts:
        return np.zeros((batch, steps, 0), dtype=np.int32)
    return np.ascontiguousarray(np.concatenate(parts, axis=2), dtype=np.int32)


def initial_state(network: Network, batch: int = 1, packed: Packed | None = None) -> EmulatorState:
    """The state before step 1 (each population's `initial_state` in its slots, an empty dendritic
    ring), for callers that seed it (e.g. input already pending for step 1) and pass it to `emulate`."""
    packed = packed or pack(network)
    n = packed.n_compartments
    slots = np.zeros((4, n), np.int32)
    col = 0
    for p in network.populations:
        for k, value in enumerate(p.initial_state()):
            slots[k, col:col + p.n] = value
        col += p.n
    u, v = (np.repeat(slots[k][None], batch, axis=0) for k in range(2))
    aux = np.repeat(slots[None, 2:, :packed.n_aux], batch, axis=0)
    return EmulatorState(0, u, v, np.zeros((batch, packed.n_slots, packed.n_inputs), np.int32), aux,
                         initial_synapses(network, packed.plastic, batch), initial_streams(network))


def _resolve_batch(network: Network, batch: int | None) -> int:
    if batch is None:
        return network.batch or 1
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise NetworkError(f"batch: expected an integer >= 1, found {batch!r}")
    if network.batch is not None and batch != network.batch:
        raise NetworkError(f"batch {batch} requested but the network's sources are batched by {network.batch}")
    return int(batch)


#: Where `emulate` runs: the CPU kernels (`kernels.step`, parallel over samples) or a CUDA GPU
#: (`kernels.gpu`, numba-cuda: the `neurochip[cuda]` extra).
BACKENDS = ("cpu", "cuda")
#: The launch `kernels.gpu` gets under numba-cuda's simulator (NUMBA_ENABLE_CUDASIM=1), whose
#: cooperative grids have one block: a warp of threads playing three logical blocks, so that the
#: sharing of samples and spikes between blocks runs there too.
SIMULATOR_LAUNCH = {"threads": 32, "blocks": 1, "n_virtual": 3}


def cuda_kernels():
    """`kernels.gpu` and its launch options, or a `BackendError` with the one-line reason this
    machine cannot run the CUDA backend."""
    if importlib.util.find_spec("numba_cuda") is None:
        raise BackendError("backend 'cuda': numba-cuda is not installed (pip install 'neurochip[cuda]')")
    from numba import config, cuda
    if not cuda.is_available():
        raise BackendError("backend 'cuda': no CUDA GPU or driver found on this machine; "
                           "use backend='cpu'")
    from .kernels import gpu
    return gpu, (SIMULATOR_LAUNCH if config.ENABLE_CUDASIM else {})


def _backend(network: Network, backend: str):
    """(`kernels.gpu`, its launch options) for backend "cuda", (None, {}) for "cpu"; or why not."""
    if backend not in BACKENDS:
        raise NetworkError(f"backend: expected one of {list(BACKENDS)}, found {backend!r}")
    if backend == "cpu":
        return None, {}
    if network.plastic:
        raise NetworkError(f"backend 'cuda': plastic connections {[c.name for c in network.plastic]} run on the "
                           f"CPU backend only (backend='cpu')")
    return cuda_kernels()


def emulate(network: Network, steps: int, *, record: Iterable[str] = (), batch: int | None = None,
            state: EmulatorState | None = None, packed: Packed | None = None, backend: str = "cpu") -> Result:
    """Run `network` for `steps` time steps, bit-exact with Loihi fixed point.

    Parameters
    ----------
    network : validated network.
    steps : time steps to run (>= 1).
    record : population names whose u, v and spikes are traced every step, and plastic connection
        names whose weights, tags and traces are (after each step's learning, as a Lava Monitor).
    batch : independent samples run together (default: the sources' batch, else 1). Bernoulli
        sources draw an independent stream per sample.
    state : a previous `Result.state` to continue from (same network and batch).
    packed : `pack(network)` when the caller already has it (e.g. to map before emulating).
    backend : "cpu" or "cuda" (a GPU through numba-cuda, bit-exact with the CPU; networks without
        plastic connections).

    Returns
    -------
    Result with traces (B, T, n) and exact counters (B, T, ...).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise NetworkError(f"steps: expected an integer >= 1, found {steps!r}")
    gpu, launch = _backend(network, backend)
    b = _resolve_batch(network, batch)
    pops = {p.name: p for p in network.populations}
    record = list(record)
    plastic = [c.name for c in network.plastic]
    unknown = [name for name in record if name not in pops and name not in plastic]
    if unknown:
        raise NetworkError(f"record: expected population or plastic connection names {sorted(pops) + plastic}, "
                           f"found {unknown}")
    if packed is None:
        packed = pack(network)
    elif packed.node_names != tuple(network.nodes) or packed.conn_names != tuple(c.name for c in network.connections):
        raise NetworkError("packed: expected the packed layout of this network, found another network's")
    if state is None:
        state = initial_state(network, b, packed)
    elif (state.u.shape != (b, packed.n_compartments) or state.ring.shape[1:] != (packed.n_slots, packed.n_inputs)
          or state.aux.shape != (b, 2, packed.n_aux)):
        raise NetworkError(f"state: expected the state of this network with batch {b} (u {(b, packed.n_compartments)}, "
                           f"ring (.., {packed.n_slots}, {packed.n_inputs}), aux {(b, 2, packed.n_aux)}), found u "
                           f"{state.u.shape}, ring {state.ring.shape}, aux {state.aux.shape}")
    u, v, aux, ring = state.u.copy(), state.v.copy(), state.aux.copy(), state.ring.copy()
    learned = type(state.learned)(*(a.copy() for a in state.learned))
    draws, streams = window_draws(network, state.streams, state.t, steps)
    trace = _trace(packed, [pops[name] for name in record if name in pops], b, steps)
    rec = learn_trace(network, packed.plastic, [name for name in record if name in plastic], b, steps)
    inputs, tally = _inputs(network, state.t, steps, b), _tally(packed, b, steps)
    if gpu is not None:
        gpu.run_batch_cuda(state.t, inputs, packed.model, State(u, v, aux, ring), trace, tally, packed.partial_depth,
                           **launch)
    else:
        run_batch(state.t, inputs, *packed.model, State(u, v, aux, ring), _scratch(packed, b), trace, tally,
                  packed.plastic, draws, learned, np.zeros((b, history_size(packed.plastic)), np.int32), rec)
    traces, col = read_learn_trace(network, packed.plastic, rec), 0
    for name in (n for n in record if n in pops):
        sl = slice(col, col + pops[name].n)
        slots = (trace.u[:, :, sl], trace.v[:, :, sl], *(trace.aux[:, :, k, sl] for k in range(trace.aux.shape[2])))
        traces[name] = {**dict(zip(pops[name].STATE, slots)), "s": trace.s[:, :, sl]}
        col += pops[name].n
    counters = Counters(packed.node_names, packed.conn_names, packed.n_pops, tally.node, tally.conn,
                        tally.axon_spikes.sum(axis=0), packed.n_compartments)
    return Result(network, steps, b, network.batch is not None or b > 1, traces, counters,
                  EmulatorState(state.t + steps, u, v, ring, aux, learned, streams), packed)


def _trace(packed: Packed, populations: list, batch: int, steps: int) -> Trace:
    """Trace buffers for the compartments of `populations`, in that order."""
    offsets = dict(zip(packed.node_names, packed.first[:-1]))
    index = np.concatenate([np.arange(p.n) + offsets[p.name] for p in populations]).astype(np.int64) \
        if populations else np.zeros(0, np.int64)
    slot = np.full(packed.n_compartments, -1, np.int64)
    slot[index] = np.arange(index.size)
    n_aux = index.size if any(len(p.STATE) > 2 for p in populations) else 0
    u, v, s = (np.zeros((batch, steps, index.size), np.int32) for _ in range(3))
    return Trace(index, slot, u, v, np.zeros((batch, steps, 2, n_aux), np.int32), s)


def _tally(packed: Packed, batch: int, steps: int) -> Tally:
    """Zeroed counters (see `kernels.layout`)."""
    return Tally(np.zeros((batch, steps, len(packed.node_names), len(NODE_COUNTERS)), np.int64),
                 np.zeros((batch, steps, len(packed.conn_names), len(CONN_COUNTERS)), np.int64),
                 np.zeros((batch, packed.n_axons), np.int64))


def _scratch(packed: Packed, batch: int) -> Scratch:
    """The CPU kernels' per-sample work buffers (see `kernels.layout`)."""
    n, depth, n_nodes = packed.n_inputs, packed.partial_depth, len(packed.node_names)
    return Scratch(np.zeros((batch, depth, n if depth else 0), np.int64),
                   np.zeros((batch, depth, n if depth else 0), np.uint8), np.zeros((batch, depth * n), np.int64),
                   np.zeros((batch, -(-packed.n_compartments // 8) * 8), np.int8),
                   np.zeros((batch, packed.n_out), np.int32),
                   np.zeros((batch, packed.n_axons), np.int64),
                   np.zeros((batch, packed.n_axons), np.int32), np.zeros((batch, n_nodes + 1), np.int64))
