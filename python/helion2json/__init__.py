"""helion2json: capture a Helion kernel's Device IR as the helion-mlir interchange JSON."""

from .capture import dump_kernel_json, export_kernel
from .errors import CaptureError, SpecError
from .schema import VERSION, validate_spec

__all__ = ["export_kernel", "dump_kernel_json", "validate_spec", "CaptureError", "SpecError", "VERSION"]
