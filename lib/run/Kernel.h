/* The kernel as the runner keeps it (Runner.h's HmKernel), shared by the compiling and running
 * (Runner.c) and the saving and loading (KernelImage.c). */
#ifndef HELION_MLIR_RUN_KERNEL_H
#define HELION_MLIR_RUN_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helion-mlir/run/Runner.h"
#include "mlir-c/ExecutionEngine.h"
#include "run/ObjectJit.h"
#include "run/OpenMpRuntime.h"

/* What a run checks a view against: one argument of the function (a memref, or a scalar of a
 * kernel's scalar argument), as plain data, so that the kernel outlives the MLIR context it was
 * compiled in. */
typedef struct ArgSig {
  char *type_text; /* "memref<100x70xf32>", for messages */
  bool scalar;     /* an f64, i64 or i1 argument: passed by value, its view has rank 0 */
  size_t rank;
  int64_t *dims; /* -1 where the size is dynamic */
  /* NULL for the identity layout (row-major, dense); else the layout's `rank` strides, -1 where
   * dynamic. A strided layout has offset 0 or a dynamic one: the runner passes the address of the
   * first element. */
  int64_t *strides;
  HmDtype dtype;
  HmDtype alt_dtype; /* a second dtype with the same bits (signless i8 takes uint8), or invalid */
} ArgSig;

typedef void (*PackedEntry)(void **args);

struct HmKernel {
  /* The code is the engine's when it was compiled here, the object JIT's when it was loaded. */
  MlirExecutionEngine engine;
  HmObjectJit *loaded;
  PackedEntry entry; /* the packed wrapper of _mlir_ciface_<name> */
  HmOpenMp openmp;   /* the runtime its __kmpc_* calls were linked to */
  char *func_name;
  size_t nargs;
  ArgSig *args;
  /* The machine code as an object file, kept for hm_kernel_save when asked for. */
  uint8_t *object;
  size_t object_size;
};

/* MLIR's runtime copy between strided memrefs, which the lowered code calls (Runner.c says why it
 * is ours): its address goes to every JIT that links a kernel. */
typedef struct UnrankedMemRef UnrankedMemRef;
void hm_kernel_memref_copy(int64_t elem_size, const UnrankedMemRef *src, const UnrankedMemRef *dst);

#endif
