/* Element-wise ops computed over the tile temporary they read last, for the CPU pipeline: a
 * softmax divides its exp in the output, as torch does (lib/run/InPlaceElementwise.c says why). */
#ifndef HELION_MLIR_RUN_INPLACEELEMENTWISE_H
#define HELION_MLIR_RUN_INPLACEELEMENTWISE_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-in-place-elementwise"), on linalg ops of tensors, before the
 * vectorization and eliminate-empty-tensors. */
MlirPass hm_in_place_elementwise_pass(void);

#ifdef __cplusplus
}
#endif

#endif
