/* On Zen 4, whose AVX-512 units are 256 bits wide and run a 512-bit op in two halves, a stream
 * of loads, a few adds and multiplies and stores runs faster in 256-bit registers: a C add of two
 * 4M-float tensors took 0.83 ms with ymm and 0.92 with zmm (gcc, the same loop), and torch's own
 * add is its AVX2 kernel. Side by side in one process (both orders, geometric mean of four
 * rounds), compiling for 256 bits took add 0.90-0.96 of the time, rms norm 0.88, layer norm 0.94,
 * and left the looped layer norm, cumsum and jagged sum within 1%. Where the instructions are the
 * cost, half as many in zmm is what counts: a transcendental's polynomial (pointwise chain 1.19,
 * softmax 1.09 of the time at 256 bits) and a float max or min (row_stats' four reductions,
 * two of them max and min, 1.05-1.09). A contraction keeps its 512-bit register blocks
 * (lib/run/matmul.mlir sizes them for 32 zmm registers).
 *
 * LLVM's x86 backend splits 512-bit vectors into 256-bit ones for a function whose target
 * features include prefer-256-bit and whose min-legal-vector-width is at most 256; the feature
 * list replaces the target machine's, so it is the host's (the JIT's own) plus that one. */
#include "run/VectorWidth.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llvm-c/Core.h"
#include "llvm-c/TargetMachine.h"
#include "mlir-c/AffineExpr.h"
#include "mlir-c/AffineMap.h"
#include "mlir-c/BuiltinAttributes.h"

static bool name_contains(MlirOperation op, const char *part) {
  MlirStringRef name = mlirIdentifierStr(mlirOperationGetName(op));
  size_t n = strlen(part);
  for (size_t i = 0; i + n <= name.length; ++i)
    if (memcmp(name.data + i, part, n) == 0)
      return true;
  return false;
}

/* The math ops that are a few instructions in any width (no polynomial behind them). */
static bool is_cheap_math(MlirOperation op) {
  static const char *const cheap[] = {"math.absf",     "math.absi",  "math.ceil",      "math.copysign",
                                      "math.ctlz",     "math.ctpop", "math.cttz",      "math.floor",
                                      "math.fma",      "math.isfinite", "math.isinf",  "math.isnan",
                                      "math.isnormal", "math.round", "math.roundeven", "math.rsqrt",
                                      "math.sqrt",     "math.trunc"};
  for (size_t i = 0; i < sizeof cheap / sizeof *cheap; ++i)
    if (hm_op_named(op, cheap[i]))
      return true;
  return false;
}

/* A linalg.generic in which two of the inputs vary along one reduction dimension: a product
 * summed (a matmul written out), not one tensor reduced. */
static bool is_generic_contraction(MlirOperation op) {
  MlirAttribute maps = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("indexing_maps"));
  MlirAttribute iterators = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("iterator_types"));
  if (mlirAttributeIsNull(maps) || mlirAttributeIsNull(iterators))
    return true;
  intptr_t outputs = mlirOperationGetNumResults(op) ? mlirOperationGetNumResults(op) : 1;
  intptr_t inputs = mlirArrayAttrGetNumElements(maps) - outputs;
  for (intptr_t d = 0; d < mlirArrayAttrGetNumElements(iterators); ++d) {
    if (!hm_attribute_prints(mlirArrayAttrGetElement(iterators, d), "reduction"))
      continue;
    int varying = 0;
    for (intptr_t i = 0; i < inputs; ++i) {
      MlirAffineMap map = mlirAffineMapAttrGetValue(mlirArrayAttrGetElement(maps, i));
      for (intptr_t r = 0; r < mlirAffineMapGetNumResults(map); ++r)
        if (mlirAffineExprIsFunctionOfDim(mlirAffineMapGetResult(map, r), d)) {
          ++varying;
          break;
        }
    }
    if (varying >= 2)
      return true;
  }
  return false;
}

static bool is_contraction(MlirOperation op) {
  if (hm_op_named(op, "linalg.generic"))
    return is_generic_contraction(op);
  static const char *const named[] = {"matmul", "matvec", "vecmat", "dot", "contract", "conv"};
  if (!hm_op_name_starts(op, "linalg.") && !hm_op_named(op, "vector.contract"))
    return false;
  for (size_t i = 0; i < sizeof named / sizeof *named; ++i)
    if (name_contains(op, named[i]))
      return true;
  return false;
}

/* A float max or min keeps NaN semantics x86 has no one instruction for: a compare and a blend
 * around each vmaxps, instructions that count as a polynomial's do. */
static bool is_float_extremum(MlirOperation op) {
  return hm_op_named(op, "arith.maximumf") || hm_op_named(op, "arith.minimumf") ||
         hm_op_named(op, "arith.maxnumf") || hm_op_named(op, "arith.minnumf");
}

static MlirWalkResult find_wide_work(MlirOperation op, void *data) {
  bool *wide = data;
  if ((hm_op_name_starts(op, "math.") && !is_cheap_math(op)) || is_float_extremum(op) || is_contraction(op)) {
    *wide = true;
    return MlirWalkResultInterrupt;
  }
  return MlirWalkResultAdvance;
}

bool hm_prefers_narrow_vectors(MlirOperation func) {
  bool wide = false;
  mlirOperationWalk(func, find_wide_work, &wide, MlirWalkPreOrder);
  return !wide;
}

static MlirAttribute function_attribute(MlirContext ctx, const char *key, const char *value) {
  MlirAttribute pair[2] = {mlirStringAttrGet(ctx, mlirStringRefCreateFromCString(key)),
                           mlirStringAttrGet(ctx, mlirStringRefCreateFromCString(value))};
  return mlirArrayAttrGet(ctx, 2, pair);
}

/* The llvm.func's `passthrough` (function attributes by name), which the LLVM lowering of
 * func.func carries over. */
static MlirAttribute narrow_attributes(MlirContext ctx) {
  static const char prefer[] = ",+prefer-256-bit";
  char *host = LLVMGetHostCPUFeatures();
  size_t n = strlen(host) + sizeof prefer;
  char *features = malloc(n);
  MlirAttribute result = {NULL};
  if (features) {
    snprintf(features, n, "%s%s", host, prefer);
    MlirAttribute entries[2] = {function_attribute(ctx, "min-legal-vector-width", "0"),
                                function_attribute(ctx, "target-features", features)};
    result = mlirArrayAttrGet(ctx, 2, entries);
    free(features);
  }
  LLVMDisposeMessage(host);
  return result;
}

static bool is_func(MlirOperation op) { return hm_op_named(op, "func.func"); }

static void mark_narrow(MlirOperation module_op, MlirOperation func) {
  if (!hm_prefers_narrow_vectors(func) ||
      !mlirAttributeIsNull(mlirOperationGetAttributeByName(func, mlirStringRefCreateFromCString("passthrough"))))
    return;
  MlirAttribute attrs = narrow_attributes(mlirOperationGetContext(module_op));
  if (!mlirAttributeIsNull(attrs))
    mlirOperationSetAttributeByName(func, mlirStringRefCreateFromCString("passthrough"), attrs);
}

static void vector_width(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_func, mark_narrow);
}

MlirPass hm_vector_width_pass(void) {
  static const HmModulePass pass = {"HelionVectorWidth", "helion-vector-width",
                                    "compile kernels of cheap arithmetic for 256-bit registers", vector_width};
  return hm_module_pass(&pass);
}
