/* Tiling and vectorization of a kernel's linalg ops, before bufferization: the transform script
 * lib/run/vectorize.mlir (embedded in the library), run by MLIR's transform interpreter. */
#ifndef HELION_MLIR_RUN_VECTORIZE_H
#define HELION_MLIR_RUN_VECTORIZE_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-vectorize") that applies the script's @__transform_main to the
 * module. The module's context must have the transform dialect and its extensions loaded
 * (hm_context_create loads every dialect). */
MlirPass hm_vectorize_pass(void);

#ifdef __cplusplus
}
#endif

#endif
