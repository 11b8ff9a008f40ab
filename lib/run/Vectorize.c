#include "run/Vectorize.h"
#include "run/HoistPackedTiles.h"
#include "run/HostBuffers.h"
#include "run/HostVectors.h"
#include "run/ModulePass.h"
#include "run/OffsetWrites.h"
#include "run/UnmaskPackedRows.h"
#include "run/WidenMatmul.h"

#include <stdbool.h>
#include <stddef.h>

#include "mlir-c/Dialect/Transform/Interpreter.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* lib/run/generalize.mlir, matmul.mlir and vectorize.mlir, as cmake/EmbedText.cmake embeds them. */
extern const char hm_transform_generalize[];
extern const char hm_transform_matmul[];
extern const char hm_transform_vectorize[];

/* The script is parsed at every run, in the payload's context: it is a few hundred lines, and a
 * pass holding parsed IR would tie itself to one context. A parse or interpreter error is reported
 * through the context's diagnostics, which the pipeline captures. */
static void run_script(MlirOperation module_op, MlirExternalPass pass, const char *text,
                       const char *entry_name) {
  MlirContext ctx = mlirOperationGetContext(module_op);
  MlirModule script = mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(text));
  bool ok = false;
  if (!mlirModuleIsNull(script)) {
    MlirOperation script_op = mlirModuleGetOperation(script);
    MlirSymbolTable table = mlirSymbolTableCreate(script_op);
    MlirOperation entry = mlirSymbolTableLookup(table, mlirStringRefCreateFromCString(entry_name));
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

/* The op names a script rewrites; `found` is set by the walk. */
typedef struct OpSearch {
  const char *const *names;
  size_t count;
  bool found;
} OpSearch;

static MlirWalkResult find_named(MlirOperation op, void *data) {
  OpSearch *search = data;
  for (size_t i = 0; i < search->count; ++i)
    if (hm_op_named(op, search->names[i])) {
      search->found = true;
      return MlirWalkResultInterrupt;
    }
  return MlirWalkResultAdvance;
}

/* Whether the module holds an op of one of the names: a kernel without one skips the script. */
static bool holds_op(MlirOperation module_op, const char *const *names, size_t count) {
  OpSearch search = {names, count, false};
  mlirOperationWalk(module_op, find_named, &search, MlirWalkPreOrder);
  return search.found;
}

static void generalize_reductions(MlirOperation module_op, MlirExternalPass pass) {
  static const char *const reductions[] = {"linalg.reduce"};
  if (holds_op(module_op, reductions, 1))
    run_script(module_op, pass, hm_transform_generalize, "__transform_main");
}

/* The script's register blocks take f32 and f64 matmuls: 16-bit tiles accumulating in f32 are
 * widened first (WidenMatmul.h). The rows it packs are then written whole (UnmaskPackedRows.h), and
 * the tiles they go into allocated outside the K loops (HoistPackedTiles.h). `entry` sizes the blocks for one vector register width.
 * Everything the script rewrites is a matmul or an operand of one, so a kernel without one skips
 * it: its parse and its match walks were a fifth of softmax's lowering. */
static void matmul(MlirOperation module_op, MlirExternalPass pass, const char *entry) {
  static const char *const matmuls[] = {"linalg.matmul", "linalg.batch_matmul"};
  if (!holds_op(module_op, matmuls, 2))
    return;
  if (!hm_widen_matmul_operands(module_op)) {
    mlirExternalPassSignalFailure(pass);
    return;
  }
  run_script(module_op, pass, hm_transform_matmul, entry);
  if (!hm_unmask_packed_rows(module_op) || !hm_hoist_packed_tiles(module_op))
    mlirExternalPassSignalFailure(pass);
}

static void matmul_128(MlirOperation module_op, MlirExternalPass pass) {
  matmul(module_op, pass, "matmul_128");
}
static void matmul_256(MlirOperation module_op, MlirExternalPass pass) {
  matmul(module_op, pass, "matmul_256");
}
static void matmul_512(MlirOperation module_op, MlirExternalPass pass) {
  matmul(module_op, pass, "matmul_512");
}

/* The script's writes of padded loads at a padding that is not a constant are then bounded
 * (OffsetWrites.h). */
static void vectorize(MlirOperation module_op, MlirExternalPass pass) {
  run_script(module_op, pass, hm_transform_vectorize, "__transform_main");
  if (!hm_bound_offset_writes(module_op))
    mlirExternalPassSignalFailure(pass);
}

/* One pass per width: a pass's run takes no argument of its own. */
MlirPass hm_matmul_pass(HmVectorBits bits) {
  static const HmModulePass passes[] = {
      {"HelionMatmul128", "helion-matmul-128",
       "pack matmul operands, vectorize matmuls as register blocks of 128-bit vectors", matmul_128},
      {"HelionMatmul256", "helion-matmul-256",
       "pack matmul operands, vectorize matmuls as register blocks of 256-bit vectors", matmul_256},
      {"HelionMatmul512", "helion-matmul-512",
       "pack matmul operands, vectorize matmuls as register blocks of 512-bit vectors", matmul_512},
  };
  switch (bits == HM_VECTOR_BITS_HOST ? hm_host_vector_bits() : bits) {
  case HM_VECTOR_BITS_512:
    return hm_module_pass(&passes[2]);
  case HM_VECTOR_BITS_256:
    return hm_module_pass(&passes[1]);
  default:
    return hm_module_pass(&passes[0]);
  }
}

MlirPass hm_generalize_reductions_pass(void) {
  static const HmModulePass pass = {"HelionGeneralizeReductions", "helion-generalize-reductions",
                                    "linalg.reduce ops as linalg.generic ones, for the element-wise fusion",
                                    generalize_reductions};
  return hm_module_pass(&pass);
}

MlirPass hm_vectorize_pass(void) {
  static const HmModulePass pass = {"HelionVectorize", "helion-vectorize",
                                    "tile linalg ops into rows and vectorize them",
                                    vectorize};
  return hm_module_pass(&pass);
}
