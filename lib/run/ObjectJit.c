#include "run/ObjectJit.h"
#include "run/SoftFloat.h"

#include <stdlib.h>
#include <threads.h>

#include "llvm-c/Core.h"
#include "llvm-c/Error.h"
#include "llvm-c/LLJIT.h"
#include "llvm-c/Orc.h"
#include "llvm-c/Target.h"

struct HmObjectJit {
  LLVMOrcLLJITRef jit;
};

/* Takes the error: its message goes to `diag` after `what`. */
static bool orc_failed(LLVMErrorRef err, const char *what, HmDiag *diag) {
  if (!err)
    return false;
  char *message = LLVMGetErrorMessage(err);
  hm_diag_error(diag, "%s: %s", what, message ? message : "(no message)");
  LLVMDisposeErrorMessage(message);
  return true;
}

/* The OpenMP runtime's library by its path, as the ExecutionEngine is given it: this library may
 * have been loaded without RTLD_GLOBAL (ctypes), so the process's own symbols need not include it. */
static bool add_library(LLVMOrcLLJITRef jit, LLVMOrcJITDylibRef dylib, const char *path,
                        HmDiag *diag) {
  LLVMOrcDefinitionGeneratorRef generator = NULL;
  if (orc_failed(LLVMOrcCreateDynamicLibrarySearchGeneratorForPath(
                     &generator, path, LLVMOrcLLJITGetGlobalPrefix(jit), NULL, NULL),
                 "cannot open the OpenMP runtime for the JIT", diag))
    return false;
  LLVMOrcJITDylibAddGenerator(dylib, generator);
  return true;
}

static LLVMOrcCSymbolMapPair absolute(LLVMOrcLLJITRef jit, const char *name, void *address) {
  return (LLVMOrcCSymbolMapPair){
      LLVMOrcLLJITMangleAndIntern(jit, name),
      {(LLVMOrcExecutorAddress)(uintptr_t)address,
       {LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable, 0}}};
}

/* memrefCopy, the OpenMP runtime's symbols that are defined rather than searched for, and the float
 * conversions (run/SoftFloat.h). */
static bool add_symbols(LLVMOrcLLJITRef jit, LLVMOrcJITDylibRef dylib,
                        const HmOpenMpRuntime *openmp, void *memref_copy, HmDiag *diag) {
  size_t nsoft = 0;
  const HmRuntimeSymbol *soft = hm_soft_float_symbols(&nsoft);
  size_t n = 1 + openmp->nsymbols + nsoft;
  LLVMOrcCSymbolMapPair *pairs = calloc(n, sizeof *pairs);
  if (!pairs)
    return hm_diag_error(diag, "out of memory");
  pairs[0] = absolute(jit, "memrefCopy", memref_copy);
  for (size_t i = 0; i < openmp->nsymbols; ++i)
    pairs[1 + i] = absolute(jit, openmp->symbols[i].name, openmp->symbols[i].address);
  for (size_t i = 0; i < nsoft; ++i)
    pairs[1 + openmp->nsymbols + i] = absolute(jit, soft[i].name, soft[i].address);
  /* The unit takes the pairs' names; the array is ours. */
  LLVMOrcMaterializationUnitRef unit = LLVMOrcAbsoluteSymbols(pairs, n);
  free(pairs);
  LLVMErrorRef err = LLVMOrcJITDylibDefine(dylib, unit);
  if (err)
    LLVMOrcDisposeMaterializationUnit(unit);
  return !orc_failed(err, "cannot define the runtime's symbols for the JIT", diag);
}

static bool add_runtime(LLVMOrcLLJITRef jit, LLVMOrcJITDylibRef dylib,
                        const HmOpenMpRuntime *openmp, void *memref_copy, HmDiag *diag) {
  return (!openmp->library || add_library(jit, dylib, openmp->library, diag)) &&
         add_symbols(jit, dylib, openmp, memref_copy, diag);
}

/* The ExecutionEngine registers the host target when it first compiles; a process that only loads
 * cached code has to do it itself. LLVM's registry is global and initialized once. */
static once_flag target_once = ONCE_FLAG_INIT;

static void init_target(void) {
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
}

HmObjectJit *hm_object_jit_load(const void *object, size_t size, const char *symbol,
                                const HmOpenMpRuntime *openmp, void *memref_copy, void **entry,
                                HmDiag *diag) {
  HmObjectJit *loaded = calloc(1, sizeof *loaded);
  if (!loaded) {
    hm_diag_error(diag, "out of memory");
    return NULL;
  }
  call_once(&target_once, init_target);
  /* A builder without settings targets the host, which the key of the cached object named. */
  if (orc_failed(LLVMOrcCreateLLJIT(&loaded->jit, LLVMOrcCreateLLJITBuilder()),
                 "cannot create a JIT for the cached kernel", diag)) {
    free(loaded);
    return NULL;
  }
  LLVMOrcJITDylibRef dylib = LLVMOrcLLJITGetMainJITDylib(loaded->jit);
  bool ok = add_runtime(loaded->jit, dylib, openmp, memref_copy, diag);
  if (ok) {
    LLVMMemoryBufferRef buffer =
        LLVMCreateMemoryBufferWithMemoryRangeCopy(object, size, "helion-mlir-kernel");
    ok = !orc_failed(LLVMOrcLLJITAddObjectFile(loaded->jit, dylib, buffer),
                     "cannot link the cached kernel", diag);
  }
  LLVMOrcExecutorAddress address = 0;
  /* The lookup links the object: a bad relocation or a missing symbol fails here. */
  ok = ok && !orc_failed(LLVMOrcLLJITLookup(loaded->jit, &address, symbol),
                         "cannot link the cached kernel", diag);
  if (!ok || !address) {
    if (ok)
      hm_diag_error(diag, "the cached kernel has no symbol %s", symbol);
    hm_object_jit_destroy(loaded);
    return NULL;
  }
  *entry = (void *)(uintptr_t)address;
  return loaded;
}

void hm_object_jit_destroy(HmObjectJit *jit) {
  if (!jit)
    return;
  /* Disposing fails only when a resource could not be released; nothing can be done then. */
  LLVMErrorRef err = LLVMOrcDisposeLLJIT(jit->jit);
  if (err)
    LLVMConsumeError(err);
  free(jit);
}
