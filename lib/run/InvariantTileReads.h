/* Reads of a tile temporary that every iteration of a loop repeats (a row's statistic read per piece
 * of the row) moved before the loop, so that loop-invariant-code-motion can take what is computed
 * from them out too (lib/run/InvariantTileReads.c says when a read may move). */
#ifndef HELION_MLIR_RUN_INVARIANTTILEREADS_H
#define HELION_MLIR_RUN_INVARIANTTILEREADS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-invariant-tile-reads"), on bufferized loops. */
MlirPass hm_invariant_tile_reads_pass(void);

#ifdef __cplusplus
}
#endif

#endif
