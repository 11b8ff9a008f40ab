/* A 2-D (or wider) tile grid whose tile is one loop over rows runs each row of tiles row by row:
 * lib/run/GridRows.c says why. */
#ifndef HELION_MLIR_RUN_GRIDROWS_H
#define HELION_MLIR_RUN_GRIDROWS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-grid-rows"), on the bufferized loops, before the grid becomes
 * OpenMP. */
MlirPass hm_grid_rows_pass(void);

#ifdef __cplusplus
}
#endif

#endif
