"""Every piece of Helion's internals the backend uses, and nothing else from Helion's private modules.

Helion 1.5.1 has no stable backend API: the names below are what its registry, codegen and
autotuner call or read. test/python/test_backend_internals.py checks each of them, so a Helion
upgrade that moves one fails there, by name, rather than somewhere in a kernel call.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import platform
import textwrap
from pathlib import Path
from typing import Any, Callable, Sequence

import sympy
import torch

from helion._compiler.backend_registry import list_backends, register_compiler_backend
from helion._compiler.compile_environment import CompileEnvironment
from helion._compiler.device_function import (
    ConstExprArg,
    DeviceFunction,
    SymbolArgument,
    TensorArg,
    TensorDescriptorArg,
    TensorSizeArg,
    TensorStrideArg,
)
from helion._compiler.host_function import HostFunction
from helion._compiler.triton.backend import TritonBackend
from helion.autotuner import cache_classes
from helion.autotuner.base_cache import LooseAutotuneCacheKey
from helion.autotuner.benchmarking import do_bench_generic, interleaved_bench_generic
from helion.autotuner.local_cache import LocalAutotuneCache

from helion2json.device import DERIVED, SCALAR, SEEDS, TENSOR, DeviceParam, export_device_function
from helion2json.encode import sym_expr
from helion2json.errors import CaptureError

__all__ = [
    "TritonBackend", "TensorArg", "TensorDescriptorArg", "TensorSizeArg", "TensorStrideArg", "SymbolArgument",
    "ConstExprArg", "register_compiler_backend", "list_backends", "do_bench_generic",
    "interleaved_bench_generic", "triton_library_names", "device_function_spec", "bench_functions",
    "CpuAutotuneCache", "use_cpu_autotune_cache", "launch_grid_symbols",
]

# The generated module's imports that Triton's codegen may reference: the backend points each one
# at helion_mlir's stand-ins (see _runtime.py), except these, which are plain Python.
_PYTHON_IMPORTS = frozenset({"math", "operator", "torch", "helion", "hl"})


def triton_library_names() -> list[str]:
    """The names of TritonBackend.library_imports that need a stand-in without Triton."""
    return [name for name in TritonBackend().library_imports if name not in _PYTHON_IMPORTS]


def _param(arg: Any, expr_args: dict, argument_tiles: dict) -> DeviceParam:
    # TensorDescriptorArg is a TensorArg; the config space keeps indexing at "pointer", so one here
    # means Helion generated something the launcher could not pass.
    if isinstance(arg, TensorDescriptorArg):
        raise CaptureError(f"device function parameter '{arg.name}' is a tensor descriptor")
    if isinstance(arg, TensorArg):
        return DeviceParam(TENSOR, arg.name, arg.fake_value)
    if isinstance(arg, (TensorSizeArg, TensorStrideArg)):
        fake = arg.tensor_arg.fake_value
        prop = fake.size(arg.dim) if isinstance(arg, TensorSizeArg) else fake.stride(arg.dim)
        return DeviceParam(DERIVED, arg.name, sym_expr(prop))
    if isinstance(arg, ConstExprArg):
        # The tile size of a block an int argument sizes: the launcher passes that argument's value,
        # which the launch check compares with the one the module was compiled for.
        return DeviceParam(DERIVED, arg.name, argument_tiles.get(arg.name))
    if isinstance(arg, SymbolArgument):
        symbol = next((expr for expr, a in expr_args.items() if a is arg), None)
        if symbol is None:
            raise CaptureError(f"device function parameter '{arg.name}' has no expression in Helion's table")
        return DeviceParam(SCALAR, arg.name, symbol)
    raise CaptureError(f"device function parameter '{arg.name}' is a {type(arg).__name__}, which the "
                       "mlir backend cannot pass")


def launch_grid_symbols(args: Sequence[Any]) -> list[tuple[sympy.Symbol, str]]:
    """(symbol, its host expression) for each symbol a grid extent has that no device function
    parameter gives: `hl.tile(num_seqs, block_size=1)` over an int argument is a launch of num_seqs
    programs, and Triton's device function, which needs no mask there, does not take num_seqs. The
    mlir module runs its grid loops itself, so the launcher passes each such value after Helion's
    parameters (Backend.build_launcher_args, called before the decorator asks for the spec: both
    derive the list from the same parameters). A symbol the host code cannot write stays out, for
    the C core to name."""
    device_fn = DeviceFunction.current()
    env = CompileEnvironment.current()
    host = HostFunction.current()
    given = {expr for expr in device_fn._expr_args if isinstance(expr, sympy.Symbol)}
    for arg in args:
        if isinstance(arg, TensorArg):
            given |= {d._sympy_() for d in arg.fake_value.size() if isinstance(d, torch.SymInt)}
    found: list[tuple[sympy.Symbol, str]] = []
    for ids in host.device_ir.grid_block_ids:
        for block in ids:
            size = env.block_sizes[block].size
            if not isinstance(size, torch.SymInt):
                continue
            for sym in sorted(size._sympy_().free_symbols - given, key=lambda s: s.name):
                if sym in host.expr_to_origin and all(sym != f for f, _ in found):
                    found.append((sym, host.sympy_expr(sym)))
    return found


def device_function_spec(args: Sequence[Any]) -> tuple[dict, int]:
    """The interchange spec of the device function being generated (called from
    Backend.function_decorator_for_args, while its HostFunction, DeviceFunction and config are
    current), its parameters in `args` order, and how many parameters the launcher passes: `args`,
    then the seeds of torch.rand in device code (DeviceFunction.codegen_function_def appends
    Helion's `_rng_seed_buffer`, which the host code draws, after them), then the grid extents no
    parameter gives (launch_grid_symbols)."""
    device_fn = DeviceFunction.current()
    env = CompileEnvironment.current()
    argument_tiles = {}
    for ids, name in device_fn.block_size_var_cache.items():
        tile = env.block_sizes[ids[0]].from_config(device_fn.config) if len(ids) == 1 else None
        if isinstance(tile, torch.SymInt) and isinstance(tile._sympy_(), sympy.Symbol):
            argument_tiles[name] = tile._sympy_()
    params = [_param(a, device_fn._expr_args, argument_tiles) for a in args]
    extra = device_fn.codegen._extra_params
    if extra:
        raise CaptureError(f"the device function takes the extra parameters {', '.join(extra)}, which the mlir "
                           "backend cannot pass")
    if device_fn.has_rng_ops():
        params.append(DeviceParam(SEEDS, device_fn.rng_seed_buffer_param_name, device_fn.rng_seed_count))
    params += [DeviceParam(SCALAR, f"_grid_{sym}", sym) for sym, _ in launch_grid_symbols(args)]
    spec = export_device_function(CompileEnvironment.current(), HostFunction.current(), device_fn.config, params)
    return spec, len(params)


def bench_functions() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Helion's wall-clock timers (no CUDA events): one candidate, and candidates interleaved."""
    return do_bench_generic, interleaved_bench_generic


@functools.cache
def _cpu_name() -> str:
    """The CPU model and the vector ISA torch picked: what makes timings of one machine comparable."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} ({torch.backends.cpu.get_cpu_capability()})"


def _runtime_name() -> str:
    """The C core that compiles and runs the candidates: a rebuilt library invalidates timings."""
    from ._lib import library_path

    return "helion-mlir " + _file_hash(str(library_path()))


@functools.cache
def _file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


class CpuAutotuneCache(LocalAutotuneCache):
    """Helion's local autotune cache (best configs under HELION_CACHE_DIR), keyed for a CPU:
    LocalAutotuneCache asserts a GPU runtime version. The key has LocalAutotuneCache's fields, with
    the CPU model for the hardware and the C core's build for the runtime."""

    def _generate_key(self) -> LooseAutotuneCacheKey:
        bound = self.kernel
        kernel = bound.kernel
        in_memory = kernel._create_bound_kernel_cache_key(bound, tuple(self.args),
                                                          kernel._base_specialization_key(self.args))
        source = textwrap.dedent(inspect.getsource(kernel.fn))
        return LooseAutotuneCacheKey(
            specialization_key=in_memory.specialization_key,
            extra_results=in_memory.extra_results,
            compiler_seed_results=in_memory.compiler_seed_results,
            kernel_source_hash=hashlib.sha256(source.encode()).hexdigest(),
            hardware=_cpu_name(),
            runtime_name=_runtime_name(),
            backend=bound.env.backend.name,
            config_spec_hash=bound.config_spec.cache_fingerprint_hash(
                advanced_controls_files=self.autotuner.settings.autotune_search_acf or None),
            extra_cache_key=bound.extra_cache_key(),
            best_of_k=self.autotuner.settings.autotune_best_of_k,
        )


cache_classes[CpuAutotuneCache.__name__] = CpuAutotuneCache


def use_cpu_autotune_cache(bound_kernel: Any) -> None:
    """Helion's default (GPU) local cache becomes the CPU one; a cache the user chose stays."""
    if bound_kernel.settings.autotune_cache == "LocalAutotuneCache":
        bound_kernel.settings.autotune_cache = CpuAutotuneCache.__name__
