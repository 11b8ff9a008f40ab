/* The rows helion-matmul packs into an operand tile are written whole, not masked: a masked store of
 * a vector is microcoded on AMD's cores (lib/run/UnmaskPackedRows.c). */
#ifndef HELION_MLIR_RUN_UNMASKPACKEDROWS_H
#define HELION_MLIR_RUN_UNMASKPACKEDROWS_H

#include <stdbool.h>

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rewrites each loop of packed rows under `module_op` (after matmul.mlir, on tensors) to write
 * whole rows of the tile. False when an allocation failed. */
bool hm_unmask_packed_rows(MlirOperation module_op);

#ifdef __cplusplus
}
#endif

#endif
