/* memref.generic_atomic_rmw (hl.atomic_cas) as a call of a compare-and-swap loop, for the CPU
 * pipeline: the buffer deallocation refuses an op with a region and results that is no region
 * branch, as generic_atomic_rmw is (lib/run/Atomics.c says why the loop is out of line). */
#ifndef HELION_MLIR_RUN_ATOMICS_H
#define HELION_MLIR_RUN_ATOMICS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-expand-atomics"), ahead of the bufferization. */
MlirPass hm_atomics_pass(void);

#ifdef __cplusplus
}
#endif

#endif
