"""The Helion internals helion_mlir/_helion.py relies on, one test each: a Helion upgrade that moves or
changes one of them fails here, by name."""

from __future__ import annotations

import inspect

from helion._compiler import backend as helion_backend
from helion._compiler.device_function import DeviceFunction
from helion.runtime.kernel import BoundKernel

from helion_mlir import _helion
from helion_mlir.backend import MlirBackend


def test_helion_is_the_pinned_release():
    from importlib.metadata import version

    assert version("helion") == "1.5.1"


def test_the_backend_implements_every_abstract_member():
    abstract = {name for name, value in inspect.getmembers(helion_backend.Backend)
                if getattr(value, "__isabstractmethod__", False)}
    assert abstract == {"name", "dtype_str", "acc_type", "function_decorator", "constexpr_type",
                        "default_launcher_name", "library_imports"}
    assert not inspect.isabstract(MlirBackend)


def test_codegen_calls_function_decorator_for_args_with_the_parameters():
    source = inspect.getsource(DeviceFunction.codegen_function_def)
    assert "backend.function_decorator_for_args(param_args)" in source
    assert "sorted_arguments = self.sorted_args()" in source


def test_compile_config_imports_the_generated_source():
    source = inspect.getsource(BoundKernel.compile_config)
    assert "self.to_triton_code(" in source and "PyCodeCache.load(" in source
    assert "self._compile_cache[config] = rv" in source


def test_argument_classes_have_the_fields_the_backend_reads():
    fields = {cls.__name__: {f.name for f in cls.__dataclass_fields__.values()}
              for cls in (_helion.TensorArg, _helion.TensorSizeArg, _helion.SymbolArgument, _helion.ConstExprArg)}
    assert {"name", "fake_value"} <= fields["TensorArg"]
    assert {"name", "tensor_arg", "dim"} <= fields["TensorSizeArg"]
    assert {"name", "_host_str"} <= fields["SymbolArgument"]
    assert issubclass(_helion.TensorDescriptorArg, _helion.TensorArg)


def test_symbol_arguments_are_kept_by_expression():
    source = inspect.getsource(DeviceFunction.expr_arg)
    assert "self._expr_args[sym] = arg" in source


def test_the_triton_imports_the_backend_replaces():
    names = set(_helion.TritonBackend().library_imports)
    assert {"triton", "tl", "libdevice", "triton_helpers", "tl_math"} <= names
    assert set(_helion.triton_library_names()) == names - {"math", "operator", "torch", "helion", "hl"}


def test_the_autotuner_reads_the_backends_timers_and_precompile_switch():
    from helion.autotuner import base_search

    source = inspect.getsource(base_search)
    assert "backend.get_do_bench()" in source and "backend.get_interleaved_bench()" in source
    assert "backend.supports_precompile()" in source
    for fn in _helion.bench_functions():
        assert callable(fn)
    assert list(inspect.signature(_helion.do_bench_generic).parameters)[0] == "fn"


def test_the_registry_and_settings_read_backend_names():
    from helion.runtime import settings

    assert "list_backends()" in inspect.getsource(settings._get_backend)
    assert "mlir" in _helion.list_backends()


def test_the_seeds_of_torch_rand_follow_the_parameters():
    # The launcher's parameters are param_args, codegen._extra_params, then the seeds parameter
    # (device_function_spec counts them so); the host code draws the seeds with the backend's
    # rng_seed_buffer_expr, as the reference mode draws them with inductor_prims.seeds.
    from helion._compiler.generate_ast import GenerateAST
    from helion.runtime.ref_mode import RefModeContext

    source = inspect.getsource(DeviceFunction.codegen_function_def)
    assert source.index("self.codegen._extra_params") < source.index("self.rng_seed_buffer_param_name")
    init = inspect.getsource(DeviceFunction.__init__)
    assert "self.rng_seed_count = 0" in init and "self.rng_seed_buffer_param_name = None" in init
    assert callable(DeviceFunction.has_rng_ops)
    assert "env.backend.rng_seed_buffer_expr(" in inspect.getsource(GenerateAST.get_rng_seed_buffer_statements)
    assert "inductor_prims.seeds(count, self.device_ctx)" in inspect.getsource(RefModeContext._replay_rng_seed_buffer)
    assert MlirBackend().rng_seed_buffer_expr(2) == "inductor_prims.seeds(2, torch.device('cpu'))"
