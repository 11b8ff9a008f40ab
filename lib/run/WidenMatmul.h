/* A matmul of 16- or 8-bit float tiles into an f32 accumulator takes f32 copies of its tiles. */
#ifndef HELION_MLIR_RUN_WIDENMATMUL_H
#define HELION_MLIR_RUN_WIDENMATMUL_H

#include <stdbool.h>

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each linalg.matmul and linalg.batch_matmul under `module_op` whose inputs are static f16, bf16,
 * f8E4M3FN or f8E5M2 tensors and whose accumulator is an f32 tensor becomes the same op on f32
 * operands, each a linalg.copy of the narrow tile into an f32 one (the copy's cast is arith.extf).
 * False when an allocation failed (nothing is then rewritten). */
bool hm_widen_matmul_operands(MlirOperation module_op);

#ifdef __cplusplus
}
#endif

#endif
