/* helion-mlir --aten=tosa|stablehlo: the torch-mode module through torch-mlir's backend pipeline.
 *
 * torch-mlir is a Python package with its own MLIR (docs/design.md, "Output types"), so the tool
 * hands the module, printed with its locations, to python/helion_mlir/torch_mlir_bridge.py in a
 * Python subprocess and takes the converted module back as text.
 */
#ifndef HELION_MLIR_TOOLS_TORCH_MLIR_BRIDGE_H
#define HELION_MLIR_TOOLS_TORCH_MLIR_BRIDGE_H

#include <stdbool.h>

#include "helion-mlir/support/Context.h"
#include "helion-mlir/support/Diag.h"

/* `module` converted to `target` ("tosa", "stablehlo") in *out. False with one line in `diag`:
 * the bridge's own error (an op torch-mlir cannot convert, at its kernel source line), or why the
 * bridge could not run. The interpreter is $HELION_MLIR_PYTHON, else the `python3` beside this
 * program (a virtual environment's bin/), else `python3` on the PATH. */
bool hm_bridge_convert(const char *target, const HmBuffer *module, HmBuffer *out, HmDiag *diag);

#endif
