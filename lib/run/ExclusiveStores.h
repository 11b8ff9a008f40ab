/* Which tile stores may let eliminate-empty-tensors compute the tile in place, in the host tensor's
 * view: lib/run/ExclusiveStores.c says when that is safe. */
#ifndef HELION_MLIR_RUN_EXCLUSIVESTORES_H
#define HELION_MLIR_RUN_EXCLUSIVESTORES_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-exclusive-stores"), on tensors, before the bufferization:
 * removes `restrict` from each bufferization.materialize_in_destination that is not its host
 * tensor's one access, or that sits under a condition or in a loop its view does not depend on. */
MlirPass hm_exclusive_stores_pass(void);

#ifdef __cplusplus
}
#endif

#endif
