/* A tile read from a host tensor that the kernel also writes keeps the values it had when read. */
#ifndef HELION_MLIR_RUN_SNAPSHOTREADS_H
#define HELION_MLIR_RUN_SNAPSHOTREADS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-snapshot-reads"), on tensors, first in the pipeline: each
 * bufferization.to_tensor of a host tensor that something in the kernel writes is followed by a
 * copy (bufferization.alloc_tensor copy(...)), which every use of the read then takes. */
MlirPass hm_snapshot_reads_pass(void);

#ifdef __cplusplus
}
#endif

#endif
