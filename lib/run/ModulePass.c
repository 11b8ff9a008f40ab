#include "run/ModulePass.h"

#include <stdalign.h>
#include <stdint.h>

#include "mlir-c/Support.h"

static void stateless(void *data) {}
static void *share(void *data) { return data; }

static void run(MlirOperation module_op, MlirExternalPass pass, void *data) {
  ((const HmModulePass *)data)->run(module_op, pass);
}

MlirPass hm_module_pass(const HmModulePass *pass) {
  /* mlirTypeIDCreate requires an 8-byte-aligned address; a struct of pointers has one on every
   * target we build for, and the static assertion keeps it so. */
  _Static_assert(alignof(HmModulePass) >= 8, "HmModulePass's address serves as an 8-byte-aligned TypeID");
  MlirExternalPassCallbacks callbacks = {stateless, stateless, NULL, share, run};
  return mlirCreateExternalPass(mlirTypeIDCreate(pass), mlirStringRefCreateFromCString(pass->name),
                                mlirStringRefCreateFromCString(pass->argument),
                                mlirStringRefCreateFromCString(pass->description),
                                mlirStringRefCreateFromCString("builtin.module"), 0, NULL, callbacks,
                                (void *)pass);
}
