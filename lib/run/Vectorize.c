#include "run/Vectorize.h"

#include <stdbool.h>

#include "mlir-c/Dialect/Transform/Interpreter.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* lib/run/vectorize.mlir, as cmake/EmbedText.cmake embeds it. */
extern const char hm_transform_vectorize[];

static _Alignas(8) const char vectorize_pass_id;

static void pass_noop(void *data) {}
static void *pass_clone(void *data) { return data; }

/* The script is parsed at every run, in the payload's context: it is a few hundred lines, and a
 * pass holding parsed IR would tie itself to one context. A parse or interpreter error is reported
 * through the context's diagnostics, which the pipeline captures. */
static void pass_run(MlirOperation module_op, MlirExternalPass pass, void *data) {
  MlirContext ctx = mlirOperationGetContext(module_op);
  MlirModule script = mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(hm_transform_vectorize));
  bool ok = false;
  if (!mlirModuleIsNull(script)) {
    MlirOperation script_op = mlirModuleGetOperation(script);
    MlirSymbolTable table = mlirSymbolTableCreate(script_op);
    MlirOperation entry = mlirSymbolTableLookup(table, mlirStringRefCreateFromCString("__transform_main"));
    mlirSymbolTableDestroy(table);
    MlirTransformOptions options = mlirTransformOptionsCreate();
    /* The handle-invalidation checks are for developing a script; this one is fixed and tested. */
    mlirTransformOptionsEnableExpensiveChecks(options, false);
    ok = !mlirOperationIsNull(entry) &&
         mlirLogicalResultIsSuccess(mlirTransformApplyNamedSequence(module_op, entry, script_op, options));
    mlirTransformOptionsDestroy(options);
    mlirModuleDestroy(script);
  }
  if (!ok)
    mlirExternalPassSignalFailure(pass);
}

MlirPass hm_vectorize_pass(void) {
  MlirExternalPassCallbacks callbacks = {pass_noop, pass_noop, NULL, pass_clone, pass_run};
  return mlirCreateExternalPass(
      mlirTypeIDCreate(&vectorize_pass_id), mlirStringRefCreateFromCString("HelionVectorize"),
      mlirStringRefCreateFromCString("helion-vectorize"),
      mlirStringRefCreateFromCString("tile linalg ops into rows and register blocks, and vectorize them"),
      mlirStringRefCreateFromCString("builtin.module"), 0, NULL, callbacks, NULL);
}
