/* The packed operand tiles of helion-matmul are allocated once per loop nest, not per K step. */
#ifndef HELION_MLIR_RUN_HOISTPACKEDTILES_H
#define HELION_MLIR_RUN_HOISTPACKEDTILES_H

#include <stdbool.h>

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each operand-less bufferization.alloc_tensor under `module_op` whose uses are all the init of a
 * linalg.fill moves out of the scf.for loops around it (up to the first op that is not an
 * scf.for: a grid's scf.parallel keeps it, one per program). False when an allocation failed. */
bool hm_hoist_packed_tiles(MlirOperation module_op);

#ifdef __cplusplus
}
#endif

#endif
