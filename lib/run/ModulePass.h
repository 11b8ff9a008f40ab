/* One builder for the JIT pipeline's own passes on builtin.module. The C API's external pass needs
 * a TypeID, a name, an argument and five callbacks; ours keep no state between runs, so all they
 * differ in is what a run does. */
#ifndef HELION_MLIR_RUN_MODULEPASS_H
#define HELION_MLIR_RUN_MODULEPASS_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct HmModulePass {
  const char *name;        /* the pass's class name, as diagnostics and timing name it */
  const char *argument;    /* its pipeline argument, e.g. "helion-vectorize" */
  const char *description;
  /* Signals failure through mlirExternalPassSignalFailure(pass). */
  void (*run)(MlirOperation module_op, MlirExternalPass pass);
} HmModulePass;

/* `pass` must outlive every pass manager holding the result (a static object): its address is the
 * pass's TypeID. */
MlirPass hm_module_pass(const HmModulePass *pass);

#ifdef __cplusplus
}
#endif

#endif
