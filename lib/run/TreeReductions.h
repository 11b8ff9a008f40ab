/* Max and min reductions of a vector as balanced trees, for the CPU pipeline: LLVM chains the
 * NaN-propagating kinds piece after piece and lane after lane (lib/run/TreeReductions.c says what
 * it costs). */
#ifndef HELION_MLIR_RUN_TREEREDUCTIONS_H
#define HELION_MLIR_RUN_TREEREDUCTIONS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-tree-reductions"), once the multi-dimensional reductions are
 * vector.reduction ops of 1-D vectors. */
MlirPass hm_tree_reductions_pass(void);

#ifdef __cplusplus
}
#endif

#endif
