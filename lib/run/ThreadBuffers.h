/* A tile grid iteration's own buffers allocated once per thread, on its stack, for the CPU pipeline:
 * the heap's malloc and free per iteration cost more than the work on a small tile
 * (lib/run/ThreadBuffers.c says what they cost). */
#ifndef HELION_MLIR_RUN_THREADBUFFERS_H
#define HELION_MLIR_RUN_THREADBUFFERS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module ("helion-thread-buffers"), once the grid is an omp.parallel and before
 * expand-strided-metadata takes the views apart. */
MlirPass hm_thread_buffers_pass(void);

#ifdef __cplusplus
}
#endif

#endif
