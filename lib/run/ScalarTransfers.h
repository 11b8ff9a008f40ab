/* 0-d vector transfers of a memref as vector.load and vector.store, for the CPU pipeline: the LLVM
 * conversion lowers a transfer only from a memref whose innermost stride is 1, which a view of one
 * column has not (lib/run/ScalarTransfers.c says where such transfers come from). */
#ifndef HELION_MLIR_RUN_SCALARTRANSFERS_H
#define HELION_MLIR_RUN_SCALARTRANSFERS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-scalar-transfers"), after the vector transfers are unrolled. */
MlirPass hm_scalar_transfers_pass(void);

#ifdef __cplusplus
}
#endif

#endif
