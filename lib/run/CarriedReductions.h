/* A looped reduction's chunks reduced into the carried accumulator itself, for the CPU pipeline:
 * a fresh tile a chunk was allocated, filled and copied (lib/run/CarriedReductions.c says what it
 * cost). */
#ifndef HELION_MLIR_RUN_CARRIEDREDUCTIONS_H
#define HELION_MLIR_RUN_CARRIEDREDUCTIONS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-carried-reductions"), on linalg ops of tensors once the
 * element-wise fusion has run, before bufferization. */
MlirPass hm_carried_reductions_pass(void);

#ifdef __cplusplus
}
#endif

#endif
