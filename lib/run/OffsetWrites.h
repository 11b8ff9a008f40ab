/* A vector write of a whole dimension at an offset that is not 0 is marked as possibly out of
 * bounds, so that it writes only the lanes inside its tensor (lib/run/OffsetWrites.c says where
 * such writes come from). */
#ifndef HELION_MLIR_RUN_OFFSETWRITES_H
#define HELION_MLIR_RUN_OFFSETWRITES_H

#include <stdbool.h>

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rewrites the vector.transfer_write ops under `module_op`, after the vectorization script. False
 * when an allocation failed. */
bool hm_bound_offset_writes(MlirOperation module_op);

#ifdef __cplusplus
}
#endif

#endif
