/* Reductions of whole rows as loops over chunks, for the CPU pipeline: LLVM reads a row reduced at
 * once in one burst of loads that stalls (lib/run/ChunkedReductions.c says what it costs). */
#ifndef HELION_MLIR_RUN_CHUNKEDREDUCTIONS_H
#define HELION_MLIR_RUN_CHUNKEDREDUCTIONS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-chunked-reductions"), once reductions are vector.reduction
 * ops of 1-D vectors read from memrefs; before helion-tree-reductions, which takes the max and min
 * it leaves at the end of each loop. */
MlirPass hm_chunked_reductions_pass(void);

#ifdef __cplusplus
}
#endif

#endif
