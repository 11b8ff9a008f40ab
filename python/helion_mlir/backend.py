"""Helion's compiler backend "mlir": kernels run on the CPU through helion-mlir's C core and JIT.

    import helion_mlir                       # registers the backend
    @helion.kernel(backend="mlir")           # or HELION_BACKEND=mlir
    def add(x, y): ...
    add(x, y)                                # CPU tensors

Helion's own host code runs as Python (Triton's host codegen, reused as Helion's TileIR backend
does); the device function it would hand to Triton is described by its interchange spec instead,
compiled by the C core when the generated module loads, and run by the JIT when the host code
launches it (see _runtime.py).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any, Sequence

import helion

from . import _helion

RUNTIME = "helion_mlir._runtime"

# The config keys the lowering reads: tile sizes, and whether a reduction is looped (the spec's
# graphs). Everything else Triton tunes (warps, stages, pid mapping, indexing, loop orders, ...)
# would make the autotuner time identical modules.
CONFIG_KEYS = frozenset({"block_sizes", "reduction_loops"})


def _must_be_persistent() -> bool:
    """Whether the kernel being compiled allows only persistent pid_types: Helion refuses a kernel
    with hl.barrier() unless its pid_type is one (its phases must not overlap), and restricts its
    config space to them."""
    from helion._compiler.compile_environment import CompileEnvironment

    if not CompileEnvironment.has_current():
        return False
    return "flat" not in CompileEnvironment.current().config_spec.allowed_pid_types


class MlirBackend(_helion.TritonBackend):
    """TritonBackend's host codegen with the device function compiled by helion-mlir."""

    @property
    def name(self) -> str:
        return "mlir"

    @property
    def codegen_name(self) -> str:
        return "triton"

    @property
    def supports_debug_dtype_asserts(self) -> bool:
        return False

    @property
    def supports_inductor_fusion(self) -> bool:
        return False

    @property
    def dynamo_captures_kernel_launch(self) -> bool:
        return False

    @property
    def max_tensor_numel(self) -> int | None:
        return None

    def supports_config_key(self, key: str) -> bool:
        # pid_type changes nothing in the module, which runs the phases between barriers one after
        # the other whatever it is; it is a key only where Helion requires a persistent one.
        if key == "pid_type":
            return _must_be_persistent()
        return key in CONFIG_KEYS

    def autotune_config_is_viable(self, config_spec: Any, config: Any) -> bool:
        # Every pid_type gives the same module: time the kernel's first (flat, or
        # persistent_blocked, the one Helion generates phases for).
        return config.pid_type == config_spec.allowed_pid_types[0]

    def supports_block_ptr_indexing(self) -> bool:
        return False

    def tunable_fragments(self) -> dict:
        return {}

    @property
    def library_imports(self) -> dict[str, str]:
        imports = dict(super().library_imports)
        for name in _helion.triton_library_names():
            imports[name] = f"from {RUNTIME} import {name}"
        imports["helion"] = f"from {RUNTIME} import helion"
        imports["_mlir_device_function"] = f"from {RUNTIME} import device_function as _mlir_device_function"
        imports["_mlir_launch"] = f"from {RUNTIME} import launch as _mlir_launch"
        return imports

    @property
    def function_decorator(self) -> str:
        raise NotImplementedError("the mlir backend decorates each device function with its spec "
                                  "(function_decorator_for_args)")

    def function_decorator_for_args(self, args: Sequence[Any]) -> str:
        spec, nparams = _helion.device_function_spec(args)
        text = json.dumps(spec, separators=(",", ":"))
        return f"_mlir_device_function({json.dumps(text)}, {nparams})"

    def rng_seed_buffer_expr(self, count: int) -> str:
        # torch.rand in device code: the seeds come from torch's CPU generator, as in Helion's
        # reference mode (RefModeContext draws them with the same call on the kernel's device).
        return f"inductor_prims.seeds({count}, torch.device('cpu'))"

    def build_launcher_args(self, args: list[str], **kwargs: Any) -> list[str]:
        # After Helion's parameters (and torch.rand's seeds): the grid extents the device function
        # does not take, which the module's grid loops need (_helion.launch_grid_symbols).
        return [*super().build_launcher_args(args, **kwargs),
                *(host for _, host in _helion.launch_grid_symbols(kwargs.get("sorted_args") or []))]

    @property
    def default_launcher_name(self) -> str:
        return "_mlir_launch"

    def launcher_keyword_args(self, config: Any, *, has_barrier: bool) -> list[str]:
        return []

    def supports_precompile(self) -> bool:
        return False

    def get_do_bench(self) -> Any:
        return _helion.bench_functions()[0]

    def get_interleaved_bench(self) -> Any:
        return _helion.bench_functions()[1]

    def autotune(self, bound_kernel: Any, args: Sequence[object], **kwargs: object) -> Any:
        _helion.use_cpu_autotune_cache(bound_kernel)
        return super().autotune(bound_kernel, args, **kwargs)

    def setup_compile_cache_dir(self, device_index: int) -> None:
        return None

    def make_ephemeral_cache(self) -> None:
        return None

    def finalize_ephemeral_cache(self, bound_kernel: Any, config: Any) -> None:
        return None

    def compiled_cache_key(self, bound_kernel: Any, compiled_fn: object) -> str | None:
        return None


def _compiling_for_mlir() -> bool:
    from helion._compiler.compile_environment import CompileEnvironment

    return CompileEnvironment.has_current() and CompileEnvironment.current().backend.name == "mlir"


def _answer_get_num_sm_for_cpu() -> None:
    """Kernel code that calls helion.runtime.get_num_sm(x.device) (a persistent kernel sizing its
    hl.grid by the worker count) runs that call while Helion traces it, and Helion's answer for a
    CPU device outside Pallas' interpreter is an AssertionError. Helion has no backend hook for it,
    so helion.runtime.get_num_sm becomes a wrapper: while a CompileEnvironment of backend "mlir" is
    current, a CPU device gets what the generated host code's stand-in answers when the kernel runs
    (_runtime.cpu_num_sm); every other call is Helion's own."""
    runtime = helion.runtime
    helions = runtime.get_num_sm

    @functools.wraps(helions)
    def get_num_sm(device: Any, *, reserved_sms: int = 0) -> int:
        if device.type == "cpu" and _compiling_for_mlir():
            from ._runtime import cpu_num_sm

            return cpu_num_sm(reserved_sms)
        return helions(device, reserved_sms=reserved_sms)

    runtime.get_num_sm = get_num_sm


def register() -> None:
    """Makes "mlir" a Helion backend; HELION_BACKEND is read when a kernel is decorated, so this
    runs when helion_mlir is imported."""
    if "mlir" not in _helion.list_backends():
        _helion.register_compiler_backend(MlirBackend)
        _answer_get_num_sm_for_cpu()


def as_mlir_kernel(kernel: helion.Kernel, config: Any = None) -> helion.Kernel:
    """The same kernel function and settings under backend "mlir": with `config`, or the kernel's
    own configs, or else the default config (no autotuning)."""
    settings = dataclasses.replace(kernel.settings, backend="mlir")
    configs = [helion.Config(**dict(config))] if config is not None else list(kernel.configs)
    if not configs:
        settings = dataclasses.replace(settings, autotune_effort="none")
    return helion.Kernel(kernel.fn, configs=configs, settings=settings)
