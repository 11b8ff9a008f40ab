/* Values a loop carries from one step to the next in registers: a tile that a step reads whole as a
 * vector and writes whole again (a scan's running value, hl.reduce's accumulator) becomes a vector
 * argument of the scf.for instead of a tensor one. Before bufferization, which would otherwise
 * give every step a fresh buffer (malloc, free and a copy a step). */
#ifndef HELION_MLIR_RUN_CARRYVECTORS_H
#define HELION_MLIR_RUN_CARRYVECTORS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-carry-vectors"). */
MlirPass hm_carry_vectors_pass(void);

#ifdef __cplusplus
}
#endif

#endif
