/* A tile of several rows whose body loops over chunks of them, or a 1-D grid's tile of whole rows,
 * runs as one tile a row: lib/run/SplitRows.c says why. */
#ifndef HELION_MLIR_RUN_SPLITROWS_H
#define HELION_MLIR_RUN_SPLITROWS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-split-rows"), on the lowered kernel (affine tile grid, tensors),
 * before anything else of the JIT pipeline. */
MlirPass hm_split_rows_pass(void);

#ifdef __cplusplus
}
#endif

#endif
