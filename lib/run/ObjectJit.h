/* Running machine code that an earlier MLIR ExecutionEngine compiled (the object file it dumps),
 * without compiling anything: the object is linked into an ORC LLJIT of its own.
 *
 * MLIR's ExecutionEngine takes LLVM IR only, so a kernel read back from the on-disk cache
 * (Cache.h) is linked by LLVM's ORC C API instead; the JIT resolves what the object calls as the
 * engine did: the process's symbols (malloc, free, libm), the OpenMP runtime of run/OpenMpRuntime.h,
 * and the runner's memrefCopy. */
#ifndef HELION_MLIR_RUN_OBJECTJIT_H
#define HELION_MLIR_RUN_OBJECTJIT_H

#include <stddef.h>

#include "helion-mlir/support/Diag.h"
#include "run/OpenMpRuntime.h"

typedef struct HmObjectJit HmObjectJit;

/* Links the `size` bytes of an object file and looks up `symbol` (its address in *entry), with
 * `openmp`'s entry points and `memref_copy` as the object's memrefCopy. A malformed object or one that needs a symbol nobody
 * defines is an error in `diag`, never a crash; NULL then. */
HmObjectJit *hm_object_jit_load(const void *object, size_t size, const char *symbol,
                                const HmOpenMpRuntime *openmp, void *memref_copy, void **entry,
                                HmDiag *diag);

void hm_object_jit_destroy(HmObjectJit *jit);

#endif
