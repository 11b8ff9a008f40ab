/* Tiling and vectorization of a kernel's linalg ops, before bufferization: the transform scripts
 * lib/run/matmul.mlir and lib/run/vectorize.mlir (embedded in the library), run by MLIR's transform
 * interpreter. */
#ifndef HELION_MLIR_RUN_VECTORIZE_H
#define HELION_MLIR_RUN_VECTORIZE_H

#include "helion-mlir/run/Pipeline.h"
#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Passes on builtin.module that apply a script's entry point to the module: "helion-matmul-BITS"
 * (matmul.mlir: the f32 and f64 matmuls and their operands, the register blocks sized for `bits`,
 * HM_VECTOR_BITS_HOST the host's) runs first, "helion-vectorize" (vectorize.mlir: every other
 * linalg op) after it. The module's context must have the transform dialect and its extensions
 * loaded (hm_context_create loads every dialect). */
MlirPass hm_matmul_pass(HmVectorBits bits);
/* "helion-generalize-reductions" (generalize.mlir): every linalg.reduce a linalg.generic, before
 * linalg-fuse-elementwise-ops. */
MlirPass hm_generalize_reductions_pass(void);
MlirPass hm_vectorize_pass(void);

#ifdef __cplusplus
}
#endif

#endif
