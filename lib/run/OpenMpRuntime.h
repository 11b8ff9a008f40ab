/* Which OpenMP runtime a JIT links a kernel's parallel grid against.
 *
 * By default the libgomp the process has already loaded (torch's), through run/GompBridge.h, so
 * that kernels and torch ops share one pool of threads; LLVM's libomp otherwise (the C tools, a
 * process without torch). HELION_MLIR_OPENMP=libomp or =libgomp asks for one of them. */
#ifndef HELION_MLIR_RUN_OPENMPRUNTIME_H
#define HELION_MLIR_RUN_OPENMPRUNTIME_H

#include <stddef.h>

#include "helion-mlir/support/Diag.h"
#include "run/GompBridge.h"

typedef enum HmOpenMp { HM_OPENMP_LIBOMP = 1, HM_OPENMP_LIBGOMP } HmOpenMp;

/* What the JIT resolves the __kmpc_* entry points in: a shared library to search, or symbols to
 * define (the bridge's), never both. */
typedef struct HmOpenMpRuntime {
  HmOpenMp kind;
  const char *library;
  const HmRuntimeSymbol *symbols;
  size_t nsymbols;
} HmOpenMpRuntime;

/* The runtime for a kernel linked now; false, with the reason in `diag`, when HELION_MLIR_OPENMP
 * names no runtime or one this process cannot have. */
bool hm_openmp_runtime(HmOpenMpRuntime *runtime, HmDiag *diag);

/* "libomp" or "libgomp". */
const char *hm_openmp_name(HmOpenMp kind);

#endif
