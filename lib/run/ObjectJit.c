#include "run/ObjectJit.h"

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

/* The OpenMP runtime by its path, as the ExecutionEngine is given it: this library may have been
 * loaded without RTLD_GLOBAL (ctypes), so the process's own symbols need not include it. */
static bool add_runtime(LLVMOrcLLJITRef jit, LLVMOrcJITDylibRef dylib, void *memref_copy,
                        HmDiag *diag) {
  LLVMOrcDefinitionGeneratorRef omp = NULL;
  if (orc_failed(LLVMOrcCreateDynamicLibrarySearchGeneratorForPath(
                     &omp, HM_LIBOMP_PATH, LLVMOrcLLJITGetGlobalPrefix(jit), NULL, NULL),
                 "cannot open the OpenMP runtime for the JIT", diag))
    return false;
  LLVMOrcJITDylibAddGenerator(dylib, omp);
  LLVMOrcCSymbolMapPair copy = {
      LLVMOrcLLJITMangleAndIntern(jit, "memrefCopy"),
      {(LLVMOrcExecutorAddress)(uintptr_t)memref_copy,
       {LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable, 0}}};
  LLVMOrcMaterializationUnitRef unit = LLVMOrcAbsoluteSymbols(&copy, 1);
  LLVMErrorRef err = LLVMOrcJITDylibDefine(dylib, unit);
  if (err)
    LLVMOrcDisposeMaterializationUnit(unit);
  return !orc_failed(err, "cannot define memrefCopy for the JIT", diag);
}

/* The ExecutionEngine registers the host target when it first compiles; a process that only loads
 * cached code has to do it itself. LLVM's registry is global and initialized once. */
static once_flag target_once = ONCE_FLAG_INIT;

static void init_target(void) {
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
}

HmObjectJit *hm_object_jit_load(const void *object, size_t size, const char *symbol,
                                void *memref_copy, void **entry, HmDiag *diag) {
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
  bool ok = add_runtime(loaded->jit, dylib, memref_copy, diag);
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
