#include "run/Vectorize.h"
#include "run/HoistPackedTiles.h"
#include "run/ModulePass.h"
#include "run/WidenMatmul.h"

#include <stdbool.h>

#include "mlir-c/Dialect/Transform/Interpreter.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* lib/run/matmul.mlir and lib/run/vectorize.mlir, as cmake/EmbedText.cmake embeds them. */
extern const char hm_transform_matmul[];
extern const char hm_transform_vectorize[];

/* The script is parsed at every run, in the payload's context: it is a few hundred lines, and a
 * pass holding parsed IR would tie itself to one context. A parse or interpreter error is reported
 * through the context's diagnostics, which the pipeline captures. */
static void run_script(MlirOperation module_op, MlirExternalPass pass, const char *text) {
  MlirContext ctx = mlirOperationGetContext(module_op);
  MlirModule script = mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(text));
  bool ok = false;
  if (!mlirModuleIsNull(script)) {
    MlirOperation script_op = mlirModuleGetOperation(script);
    MlirSymbolTable table = mlirSymbolTableCreate(script_op);
    MlirOperation entry = mlirSymbolTableLookup(table, mlirStringRefCreateFromCString("__transform_main"));
    mlirSymbolTableDestroy(table);
    MlirTransformOptions options = mlirTransformOptionsCreate();
    /* The handle-invalidation checks are for developing a script; these are fixed and tested. */
    mlirTransformOptionsEnableExpensiveChecks(options, false);
    ok = !mlirOperationIsNull(entry) &&
         mlirLogicalResultIsSuccess(mlirTransformApplyNamedSequence(module_op, entry, script_op, options));
    mlirTransformOptionsDestroy(options);
    mlirModuleDestroy(script);
  }
  if (!ok)
    mlirExternalPassSignalFailure(pass);
}

/* The script's register blocks take f32 and f64 matmuls: 16-bit tiles accumulating in f32 are
 * widened first (WidenMatmul.h). The tiles it packs are then allocated outside the K loops
 * (HoistPackedTiles.h). */
static void matmul(MlirOperation module_op, MlirExternalPass pass) {
  if (!hm_widen_matmul_operands(module_op)) {
    mlirExternalPassSignalFailure(pass);
    return;
  }
  run_script(module_op, pass, hm_transform_matmul);
  if (!hm_hoist_packed_tiles(module_op))
    mlirExternalPassSignalFailure(pass);
}

static void vectorize(MlirOperation module_op, MlirExternalPass pass) {
  run_script(module_op, pass, hm_transform_vectorize);
}

MlirPass hm_matmul_pass(void) {
  static const HmModulePass pass = {"HelionMatmul", "helion-matmul",
                                    "pack matmul operands, vectorize matmuls as register blocks", matmul};
  return hm_module_pass(&pass);
}

MlirPass hm_vectorize_pass(void) {
  static const HmModulePass pass = {"HelionVectorize", "helion-vectorize",
                                    "tile linalg ops into rows and vectorize them",
                                    vectorize};
  return hm_module_pass(&pass);
}
