"""helion_mlir: Helion kernels lowered to MLIR, and run on the CPU through MLIR's JIT.

Importing it registers Helion's compiler backend "mlir": `@helion.kernel(backend="mlir")` kernels
called on CPU tensors run through the C core (see backend.py). Without Helion's call path:

    import helion_mlir
    text = helion_mlir.generate_mlir(kernel, args)   # the lowered module, verified
    out = helion_mlir.run(kernel, args)              # the kernel's outputs, computed on the CPU

The native side is libhelion_mlir.so (build/lib, or $HELION_MLIR_LIB), loaded with ctypes.
"""

from .api import generate_mlir, run
from .kernel import Kernel, compile_mlir, compile_spec, verify_mlir
from ._lib import HelionMlirError
from ._launch import LaunchError

__all__ = ["generate_mlir", "run", "Kernel", "compile_mlir", "compile_spec", "verify_mlir",
           "HelionMlirError", "LaunchError"]

from .backend import register as _register_backend

_register_backend()
