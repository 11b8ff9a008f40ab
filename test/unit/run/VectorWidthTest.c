/* Which kernels lib/run/VectorWidth.c compiles for 256-bit registers, decided on the func.func as
 * the lowering makes it, on any host: cheap element-wise arithmetic and reductions of one tensor
 * yes; transcendental math, float max/min and contractions (named or written out) no. */
#include "UnitTest.h"
#include "helion-mlir/support/Context.h"
#include "run/VectorWidth.h"

#include "mlir-c/IR.h"

/* Whether the func.func that `text` holds first prefers narrow vectors; -1 when it does not
 * parse. FUNC below makes one of tensors %a, %b (8 x 16) and %m (16 x 8) around `body`. */
static int narrow(const char *text) {
  HmDiag diag = {0};
  MlirContext ctx = hm_context_create(&diag);
  if (!UT_CHECK(!mlirContextIsNull(ctx)))
    return -1;
  MlirModule module = mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(text));
  int result = -1;
  if (UT_CHECK(!mlirModuleIsNull(module))) {
    MlirOperation func = mlirBlockGetFirstOperation(mlirModuleGetBody(module));
    result = hm_prefers_narrow_vectors(func) ? 1 : 0;
    mlirModuleDestroy(module);
  }
  mlirContextDestroy(ctx);
  return result;
}

#define FUNC(body)                                                                                 \
  "#id = affine_map<(d0, d1) -> (d0, d1)>\n"                                                       \
  "#row = affine_map<(d0, d1) -> (d0)>\n"                                                          \
  "#a = affine_map<(d0, d1, d2) -> (d0, d2)>\n"                                                    \
  "#b = affine_map<(d0, d1, d2) -> (d2, d1)>\n"                                                    \
  "#c = affine_map<(d0, d1, d2) -> (d0, d1)>\n"                                                    \
  "func.func @k(%a: tensor<8x16xf32>, %b: tensor<8x16xf32>, %m: tensor<16x8xf32>) -> tensor<8x16xf32> {\n" \
  "  %e = tensor.empty() : tensor<8x16xf32>\n" body "}\n"

#define ELEMENTWISE(op)                                                                            \
  FUNC("  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = [\"parallel\", \"parallel\"]}\n" \
       "      ins(%a, %b : tensor<8x16xf32>, tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {\n"   \
       "  ^bb0(%x: f32, %y: f32, %o: f32):\n"                                                      \
       "    " op "\n"                                                                              \
       "    linalg.yield %v : f32\n"                                                               \
       "  } -> tensor<8x16xf32>\n"                                                                 \
       "  return %r : tensor<8x16xf32>\n")

static void cheap_elementwise_arithmetic_is_narrow(void) {
  UT_CHECK(narrow(ELEMENTWISE("%v = arith.addf %x, %y : f32")) == 1);
  UT_CHECK(narrow(ELEMENTWISE("%v = arith.divf %x, %y : f32")) == 1);
  UT_CHECK(narrow(ELEMENTWISE("%v = math.rsqrt %x : f32")) == 1);
  UT_CHECK(narrow(ELEMENTWISE("%v = math.fma %x, %y, %x : f32")) == 1);
}

static void transcendentals_and_extrema_are_wide(void) {
  UT_CHECK(narrow(ELEMENTWISE("%v = math.exp %x : f32")) == 0);
  UT_CHECK(narrow(ELEMENTWISE("%v = math.tanh %x : f32")) == 0);
  UT_CHECK(narrow(ELEMENTWISE("%v = math.erf %x : f32")) == 0);
  UT_CHECK(narrow(ELEMENTWISE("%v = arith.maximumf %x, %y : f32")) == 0);
  UT_CHECK(narrow(ELEMENTWISE("%v = arith.minnumf %x, %y : f32")) == 0);
}

static void a_row_reduced_and_broadcast_is_narrow(void) {
  /* The sum of %a's rows times %b: one reduced input, the other broadcast along the rows. */
  UT_CHECK(narrow(FUNC("  %z = arith.constant 0.0 : f32\n"
                       "  %s0 = tensor.empty() : tensor<8xf32>\n"
                       "  %s1 = linalg.fill ins(%z : f32) outs(%s0 : tensor<8xf32>) -> tensor<8xf32>\n"
                       "  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = [\"parallel\", \"reduction\"]}\n"
                       "      ins(%a : tensor<8x16xf32>) outs(%s1 : tensor<8xf32>) {\n"
                       "  ^bb0(%x: f32, %acc: f32):\n"
                       "    %v = arith.addf %x, %acc : f32\n"
                       "    linalg.yield %v : f32\n"
                       "  } -> tensor<8xf32>\n"
                       "  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = [\"parallel\", \"parallel\"]}\n"
                       "      ins(%b, %s : tensor<8x16xf32>, tensor<8xf32>) outs(%e : tensor<8x16xf32>) {\n"
                       "  ^bb0(%x: f32, %y: f32, %o: f32):\n"
                       "    %v = arith.mulf %x, %y : f32\n"
                       "    linalg.yield %v : f32\n"
                       "  } -> tensor<8x16xf32>\n"
                       "  return %r : tensor<8x16xf32>\n")) == 1);
}

static void contractions_are_wide(void) {
  UT_CHECK(narrow(FUNC("  %z = arith.constant 0.0 : f32\n"
                       "  %p0 = tensor.empty() : tensor<8x8xf32>\n"
                       "  %f = linalg.fill ins(%z : f32) outs(%p0 : tensor<8x8xf32>) -> tensor<8x8xf32>\n"
                       "  %p = linalg.matmul ins(%a, %m : tensor<8x16xf32>, tensor<16x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>\n"
                       "  return %a : tensor<8x16xf32>\n")) == 0);
  UT_CHECK(narrow(FUNC("  %z = arith.constant 0.0 : f32\n"
                       "  %p0 = tensor.empty() : tensor<8x8xf32>\n"
                       "  %f = linalg.fill ins(%z : f32) outs(%p0 : tensor<8x8xf32>) -> tensor<8x8xf32>\n"
                       "  %p = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = [\"parallel\", \"parallel\", \"reduction\"]}\n"
                       "      ins(%a, %m : tensor<8x16xf32>, tensor<16x8xf32>) outs(%f : tensor<8x8xf32>) {\n"
                       "  ^bb0(%x: f32, %y: f32, %acc: f32):\n"
                       "    %v = arith.mulf %x, %y : f32\n"
                       "    %w = arith.addf %v, %acc : f32\n"
                       "    linalg.yield %w : f32\n"
                       "  } -> tensor<8x8xf32>\n"
                       "  return %a : tensor<8x16xf32>\n")) == 0);
}

static const UtCase kCases[] = {
    {"cheap_elementwise_arithmetic_is_narrow", cheap_elementwise_arithmetic_is_narrow},
    {"transcendentals_and_extrema_are_wide", transcendentals_and_extrema_are_wide},
    {"a_row_reduced_and_broadcast_is_narrow", a_row_reduced_and_broadcast_is_narrow},
    {"contractions_are_wide", contractions_are_wide},
};
UT_SUITE(vector_width_tests, kCases);
