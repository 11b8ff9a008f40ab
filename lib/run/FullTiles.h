/* The whole K steps of a matmul's whole tiles read unpadded, edge tiles as before:
 * lib/run/FullTiles.c says why. */
#ifndef HELION_MLIR_RUN_FULLTILES_H
#define HELION_MLIR_RUN_FULLTILES_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-full-tiles"), on the tensor loops, before the matmul kernels
 * (helion-matmul-*); a canonicalization after it folds the pads whose padding it made 0. */
MlirPass hm_full_tiles_pass(void);

#ifdef __cplusplus
}
#endif

#endif
