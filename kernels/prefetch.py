"""A software prefetch for Numba kernels (LLVM ``llvm.prefetch``): Numba has none.

When synapses live in DRAM, each spiking row costs a memory latency; prefetching the next
spiking row while the current one is scattered hides most of it.
"""
import llvmlite.binding as llvm
from llvmlite import ir
from numba import config, njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# Opaque pointers (LLVM >= 15) name the intrinsic by address space only.
_PREFETCH = "llvm.prefetch.p0" if llvm.llvm_version_info[0] >= 15 else "llvm.prefetch.p0i8"
CACHE_LINE_BYTES = 64


@intrinsic
def _prefetch_intrinsic(typingctx, arr, index):
    """Hint the cache to load ``arr[index]`` for reading (high temporal locality)."""
    sig = types.void(arr, index)

    def codegen(context, builder, signature, args):
        arr_type = signature.args[0]
        array = context.make_array(arr_type)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, arr_type, array, [args[1]], wraparound=False)
        byte_ptr = builder.bitcast(ptr, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_ptr.type, i32, i32, i32]), _PREFETCH)
        builder.call(fn, [byte_ptr, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


def _prefetch_python(arr, index):
    """Without the JIT (``NUMBA_DISABLE_JIT=1``) a prefetch hint does nothing."""


#: Hint the cache to load ``arr[index]``; a no-op when Numba's JIT is disabled (coverage runs).
prefetch = _prefetch_python if config.DISABLE_JIT else _prefetch_intrinsic


@njit(cache=True, inline="always")
def prefetch_row(target, weight, start, nnz):
    """Prefetch every cache line of one synapse row (targets and weights)."""
    if nnz == 0:
        return
    stop = start + nnz
    step_t = CACHE_LINE_BYTES // target.itemsize
    step_w = CACHE_LINE_BYTES // weight.itemsize
    for e in range(start, stop, step_t):
        prefetch(target, e)
    prefetch(target, stop - 1)
    for e in range(start, stop, step_w):
        prefetch(weight, e)
    prefetch(weight, stop - 1)
