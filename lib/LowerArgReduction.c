/* argmax / argmin over one dimension -> a linalg.generic with two outputs, the best value so far and
 * its int64 index, that reduces over that dimension.
 *
 * Each step takes the element when it is better than the best so far, or equally good at a smaller
 * index, so the result is the first best element whatever order the loop runs in. NaN counts as
 * better than any number, as in torch. Padding does not matter: Helion masks the input with -inf
 * (+inf for argmin) first. 16-bit floats are compared in f32, which is exact.
 */
#include "Build.h"

#include <math.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

enum { MAX_RANK = 16, CMPF_OEQ = 1, CMPF_OGT = 2, CMPF_OLT = 4, CMPF_UNO = 14, CMPI_SLT = 2 };

typedef enum ArgKind { ARGMAX, ARGMIN } ArgKind;

typedef struct ArgBody {
  ArgKind kind;
  size_t dim;     /* the reduced dimension of the input */
  MlirValue base; /* the index of the tile's first element along `dim` (index-typed) */
} ArgBody;

static MlirValue op2(HmLowering *L, const char *name, MlirType type, MlirValue a, MlirValue b) {
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &type, .noperands = 2,
                                      .operands = (MlirValue[]){a, b}});
}

static MlirValue cmp(HmLowering *L, const char *name, int pred, MlirValue a, MlirValue b) {
  MlirType i1 = mlirIntegerTypeGet(L->ctx, 1);
  MlirNamedAttribute attr = hm_named(L, "predicate", mlirIntegerAttrGet(mlirIntegerTypeGet(L->ctx, 64), pred));
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &i1, .noperands = 2,
                                      .operands = (MlirValue[]){a, b}, .nattrs = 1, .attrs = &attr});
}

/* The element's index along the reduced dimension, in the whole tensor, as i64. */
static MlirValue element_index(HmLowering *L, const ArgBody *b) {
  MlirType index = hm_index_type(L), i64 = mlirIntegerTypeGet(L->ctx, 64);
  MlirNamedAttribute dim = hm_named(L, "dim", mlirIntegerAttrGet(i64, (int64_t)b->dim));
  MlirValue i = hm_build_value(L, (HmOpSpec){.name = "linalg.index", .nresults = 1, .results = &index,
                                             .nattrs = 1, .attrs = &dim});
  i = op2(L, "arith.addi", index, i, b->base);
  return hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &i64,
                                      .noperands = 1, .operands = &i});
}

/* Whether (x, i) replaces the best so far (best, best_i). */
static MlirValue takes_over(HmLowering *L, ArgKind kind, MlirValue x, MlirValue i, MlirValue best, MlirValue best_i) {
  MlirType i1 = mlirIntegerTypeGet(L->ctx, 1);
  MlirValue x_nan = cmp(L, "arith.cmpf", CMPF_UNO, x, x), best_nan = cmp(L, "arith.cmpf", CMPF_UNO, best, best);
  MlirValue number_best = op2(L, "arith.xori", i1, best_nan, hm_scalar_const(L, i1, 1));
  MlirValue beats = op2(L, "arith.ori", i1, cmp(L, "arith.cmpf", kind == ARGMAX ? CMPF_OGT : CMPF_OLT, x, best), x_nan);
  MlirValue better = op2(L, "arith.andi", i1, number_best, beats);
  MlirValue same = op2(L, "arith.ori", i1, cmp(L, "arith.cmpf", CMPF_OEQ, x, best),
                       op2(L, "arith.andi", i1, x_nan, best_nan));
  MlirValue earlier = op2(L, "arith.andi", i1, same, cmp(L, "arith.cmpi", CMPI_SLT, i, best_i));
  return op2(L, "arith.ori", i1, better, earlier);
}

static MlirValue select(HmLowering *L, MlirValue c, MlirValue a, MlirValue b) {
  MlirType type = mlirValueGetType(a);
  return hm_build_value(L, (HmOpSpec){.name = "arith.select", .nresults = 1, .results = &type, .noperands = 3,
                                      .operands = (MlirValue[]){c, a, b}});
}

static void build_body(HmLowering *L, const ArgBody *b, MlirBlock block) {
  MlirValue x = mlirBlockGetArgument(block, 0), best = mlirBlockGetArgument(block, 1);
  MlirValue best_i = mlirBlockGetArgument(block, 2);
  MlirValue i = element_index(L, b);
  MlirValue take = takes_over(L, b->kind, x, i, best, best_i);
  MlirValue results[2] = {select(L, take, x, best), select(L, take, i, best_i)};
  hm_build(L, (HmOpSpec){.name = "linalg.yield", .noperands = 2, .operands = results});
}

/* The maps: the input over every loop, the two outputs over the kept loops. */
static void arg_maps(HmLowering *L, size_t rank, size_t dim, MlirAttribute maps[3]) {
  MlirAffineExpr kept[MAX_RANK];
  size_t n = 0;
  for (size_t d = 0; d < rank; ++d)
    if (d != dim)
      kept[n++] = mlirAffineDimExprGet(L->ctx, (intptr_t)d);
  maps[0] = mlirAffineMapAttrGet(mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)rank));
  maps[1] = maps[2] = mlirAffineMapAttrGet(mlirAffineMapGet(L->ctx, (intptr_t)rank, 0, (intptr_t)n, kept));
}

static bool arg_reduce(HmLowering *L, const ArgBody *b, MlirValue input, MlirValue best, MlirValue best_i,
                       MlirValue *out) {
  size_t rank = (size_t)mlirShapedTypeGetRank(mlirValueGetType(input));
  MlirAttribute maps[3], iterators[MAX_RANK];
  arg_maps(L, rank, b->dim, maps);
  for (size_t d = 0; d < rank; ++d)
    iterators[d] = hm_iterator_attr(L, d == b->dim);
  MlirType types[3] = {hm_element_of(input), hm_element_of(best), hm_element_of(best_i)};
  MlirBlock block;
  MlirRegion region = hm_region_with_block(L, 3, types, &block);
  MlirBlock outer = L->block;
  L->block = block;
  build_body(L, b, block);
  L->block = outer;
  MlirType results[2] = {mlirValueGetType(best), mlirValueGetType(best_i)};
  MlirNamedAttribute attrs[3] = {
      hm_named(L, "indexing_maps", mlirArrayAttrGet(L->ctx, 3, maps)),
      hm_named(L, "iterator_types", mlirArrayAttrGet(L->ctx, (intptr_t)rank, iterators)),
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 2, (int32_t[]){1, 2})),
  };
  MlirOperation generic = hm_build(L, (HmOpSpec){.name = "linalg.generic", .nresults = 2, .results = results,
                                                 .noperands = 3, .operands = (MlirValue[]){input, best, best_i},
                                                 .nattrs = 3, .attrs = attrs, .nregions = 1, .regions = &region});
  *out = mlirOperationGetResult(generic, 1);
  return true;
}

/* The reduced dimension's first index in the host tensor: the tile's offset inside a looped
 * reduction, 0 when the tile covers the whole dimension. */
static MlirValue base_index(HmLowering *L, const HmVal *in, size_t dim) {
  int block = hm_dim_block(L, in->shape[dim]);
  if (block >= 0 && L->tiles[block].active && !mlirValueIsNull(L->tiles[block].offset))
    return L->tiles[block].offset;
  return hm_index_const(L, 0);
}

static bool lower_arg_reduction(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  HmValue in;
  if (!hm_arg_tensor(L, S, node, 0, &in))
    return false;
  const HmVal *in_val = &hm_arg_node(S, &node->args[0])->val;
  bool reduced[MAX_RANK];
  size_t nreduced = 0, dim = 0;
  if (in_val->kind != HM_VAL_TENSOR || in_val->rank > MAX_RANK || !hm_reduced_dims(L, node, in_val->rank, reduced))
    return hm_node_error(L, node, "'%s' needs a tensor input", node->target);
  for (size_t d = 0; d < in_val->rank; ++d)
    if (reduced[d]) {
      dim = d;
      ++nreduced;
    }
  if (nreduced != 1)
    return hm_node_error(L, node, "'%s' over all dimensions of a rank-%zu tensor is not supported", node->target,
                         in_val->rank);
  if (!hm_dtype_is_float(in_val->dtype))
    return hm_node_error(L, node, "'%s' of integer tensors is not supported", node->target);
  MlirType f32 = mlirF32TypeGet(L->ctx), i64 = mlirIntegerTypeGet(L->ctx, 64);
  MlirType element = in_val->dtype == HM_F64 ? mlirF64TypeGet(L->ctx) : f32;
  ArgBody b = {.kind = (ArgKind)variant, .dim = dim, .base = base_index(L, in_val, dim)};
  MlirValue input, best, best_i, index;
  if (!hm_cast_tensor(L, in.value, element, &input) ||
      !hm_reduced_init(L, in_val, reduced, element, variant == ARGMAX ? -INFINITY : INFINITY, &best) ||
      !hm_reduced_init(L, in_val, reduced, i64, 0, &best_i) || !arg_reduce(L, &b, input, best, best_i, &index))
    return false;
  if (hm_keepdim(node) && !hm_expand_reduced(L, index, &node->val, reduced, &index))
    return false;
  *out = (HmValue){.kind = HM_V_TENSOR, .value = index, .block_id = -1};
  return true;
}

const HmOpEntry hm_arg_reduction_ops[] = {
    {"aten.argmax.default", lower_arg_reduction, ARGMAX},
    {"aten.argmin.default", lower_arg_reduction, ARGMIN},
    {NULL, NULL, 0},
};
