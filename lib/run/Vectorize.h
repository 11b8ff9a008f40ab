/* Tiling and vectorization of a kernel's linalg ops, before bufferization: the transform scripts
 * lib/run/matmul.mlir and lib/run/vectorize.mlir (embedded in the library), run by MLIR's transform
 * interpreter. */
#ifndef HELION_MLIR_RUN_VECTORIZE_H
#define HELION_MLIR_RUN_VECTORIZE_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Passes on builtin.module that apply a script's @__transform_main to the module: "helion-matmul"
 * (matmul.mlir: the f32 and f64 matmuls and their operands) runs first, "helion-vectorize"
 * (vectorize.mlir: every other linalg op) after it. The module's context must have the transform
 * dialect and its extensions loaded (hm_context_create loads every dialect). */
MlirPass hm_matmul_pass(void);
MlirPass hm_vectorize_pass(void);

#ifdef __cplusplus
}
#endif

#endif
