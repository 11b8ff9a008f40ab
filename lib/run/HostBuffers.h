/* The host tensor a tile access reaches, before bufferization: the memref function argument under
 * the views (subviews, reshapes, casts) the lowering takes of it. Shared by the passes that decide
 * how accesses of one host tensor may bufferize (ExclusiveStores.c, SnapshotReads.c). */
#ifndef HELION_MLIR_RUN_HOSTBUFFERS_H
#define HELION_MLIR_RUN_HOSTBUFFERS_H

#include <stdbool.h>

#include "mlir-c/IR.h"

/* Whether `op`'s result is a view of its first operand's buffer. */
bool hm_is_view(MlirOperation op);

/* The buffer `view` is a view of, through any number of views; `view` itself if it is none. */
MlirValue hm_buffer_of(MlirValue view);

/* Whether `name` is the op's name. */
bool hm_op_named(MlirOperation op, const char *name);

/* Whether the op's name starts with `prefix` ("math." for the math dialect's ops). */
bool hm_op_name_starts(MlirOperation op, const char *prefix);

#endif
