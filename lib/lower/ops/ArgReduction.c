/* argmax / argmin over one dimension -> a linalg.generic with two outputs, the best value so far and
 * its int64 index, that reduces over that dimension.
 *
 * An element replaces the best so far when it is better, or equally good at a smaller index, so the
 * result is the first best element whatever order the loop runs in. NaN counts as better than any
 * number, as in torch. Padding does not matter: Helion masks the input with -inf (+inf for argmin)
 * first. 16-bit floats are compared in f32, which is exact. In a looped reduction each chunk's
 * result carries its best values beside the indices (HmIrValue.aux), and the loop keeps both.
 */
#include "lower/ops/Reductions.h"

#include <math.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

/* max.dim's result: (values, int64 indices). */
static bool is_values_and_indices(const HmSpecValue *val) {
  return val->kind == HM_SPEC_LIST && val->count == 2 && val->items[0].kind == HM_SPEC_TENSOR &&
         val->items[1].kind == HM_SPEC_TENSOR;
}

typedef struct ArgBody {
  HmReductionKind kind;
  size_t dim;     /* the reduced dimension of the input */
  MlirValue base; /* the index of the tile's first element along `dim` (index-typed) */
} ArgBody;

static MlirValue op2(HmLowering *L, const char *name, MlirType type, MlirValue a, MlirValue b) {
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &type, .noperands = 2,
                                      .operands = (MlirValue[]){a, b}});
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
static MlirValue takes_over(HmLowering *L, HmReductionKind kind, MlirValue x, MlirValue i, MlirValue best, MlirValue best_i) {
  MlirType i1 = mlirIntegerTypeGet(L->ctx, 1);
  MlirValue x_nan = hm_cmpf(L, HM_CMPF_UNO, x, x), best_nan = hm_cmpf(L, HM_CMPF_UNO, best, best);
  MlirValue number_best = op2(L, "arith.xori", i1, best_nan, hm_scalar_const(L, i1, 1));
  MlirValue beats = op2(L, "arith.ori", i1, hm_cmpf(L, kind == HM_REDUCE_ARGMAX ? HM_CMPF_OGT : HM_CMPF_OLT, x, best), x_nan);
  MlirValue better = op2(L, "arith.andi", i1, number_best, beats);
  MlirValue same = op2(L, "arith.ori", i1, hm_cmpf(L, HM_CMPF_OEQ, x, best),
                       op2(L, "arith.andi", i1, x_nan, best_nan));
  MlirValue earlier = op2(L, "arith.andi", i1, same, hm_cmpi(L, HM_CMPI_SLT, i, best_i));
  return op2(L, "arith.ori", i1, better, earlier);
}

static MlirValue select(HmLowering *L, MlirValue c, MlirValue a, MlirValue b) {
  MlirType type = mlirValueGetType(a);
  return hm_build_value(L, (HmOpSpec){.name = "arith.select", .nresults = 1, .results = &type, .noperands = 3,
                                      .operands = (MlirValue[]){c, a, b}});
}

static void yield_better(HmLowering *L, HmReductionKind kind, MlirValue x, MlirValue i, MlirValue best, MlirValue best_i) {
  MlirValue take = takes_over(L, kind, x, i, best, best_i);
  MlirValue results[2] = {select(L, take, x, best), select(L, take, i, best_i)};
  hm_build(L, (HmOpSpec){.name = "linalg.yield", .noperands = 2, .operands = results});
}

/* (x; best, best_i): x's index is its position along the reduced dimension. */
static void reduce_body(HmLowering *L, const ArgBody *b, MlirBlock block) {
  yield_better(L, b->kind, mlirBlockGetArgument(block, 0), element_index(L, b), mlirBlockGetArgument(block, 1),
               mlirBlockGetArgument(block, 2));
}

/* (best, best_i, x, i; _, _): a looped reduction's running best against one chunk's. */
static void combine_body(HmLowering *L, const ArgBody *b, MlirBlock block) {
  yield_better(L, b->kind, mlirBlockGetArgument(block, 2), mlirBlockGetArgument(block, 3),
               mlirBlockGetArgument(block, 0), mlirBlockGetArgument(block, 1));
}

typedef void (*PairBody)(HmLowering *L, const ArgBody *b, MlirBlock block);

/* A linalg.generic over `rank` loops (all parallel but `reduced_dim`, -1 for none) from `inputs` into
 * the two `inits` (values, indices), with one map per operand in that order. */
static void pair_generic(HmLowering *L, const ArgBody *b, size_t ninputs, const MlirValue *inputs,
                         const MlirValue inits[2], size_t rank, long reduced_dim, const MlirAttribute *maps,
                         PairBody body, MlirValue out[2]) {
  MlirValue operands[6];
  MlirType types[6];
  MlirAttribute iterators[HM_MAX_RANK];
  size_t n = ninputs + 2;
  for (size_t i = 0; i < n; ++i) {
    operands[i] = i < ninputs ? inputs[i] : inits[i - ninputs];
    types[i] = hm_element_of(operands[i]);
  }
  for (size_t d = 0; d < rank; ++d)
    iterators[d] = hm_iterator_attr(L, (long)d == reduced_dim);
  MlirBlock block;
  MlirRegion region = hm_region_with_block(L, n, types, &block);
  HmInsertion outer = hm_insertion_enter(L, block);
  body(L, b, block);
  hm_insertion_leave(L, outer);
  MlirType results[2] = {mlirValueGetType(inits[0]), mlirValueGetType(inits[1])};
  MlirNamedAttribute attrs[3] = {
      hm_named(L, "indexing_maps", mlirArrayAttrGet(L->ctx, (intptr_t)n, maps)),
      hm_named(L, "iterator_types", mlirArrayAttrGet(L->ctx, (intptr_t)rank, iterators)),
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 2, (int32_t[]){(int32_t)ninputs, 2})),
  };
  MlirOperation generic = hm_build(L, (HmOpSpec){.name = "linalg.generic", .nresults = 2, .results = results,
                                                 .noperands = (intptr_t)n, .operands = operands, .nattrs = 3,
                                                 .attrs = attrs, .nregions = 1, .regions = &region});
  out[0] = mlirOperationGetResult(generic, 0);
  out[1] = mlirOperationGetResult(generic, 1);
}

/* The maps of a reduction: the input over every loop, the two outputs over the kept loops. */
static void reduce_maps(HmLowering *L, size_t rank, size_t dim, MlirAttribute maps[3]) {
  MlirAffineExpr kept[HM_MAX_RANK];
  size_t n = 0;
  for (size_t d = 0; d < rank; ++d)
    if (d != dim)
      kept[n++] = mlirAffineDimExprGet(L->ctx, (intptr_t)d);
  maps[0] = mlirAffineMapAttrGet(mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)rank));
  maps[1] = maps[2] = mlirAffineMapAttrGet(mlirAffineMapGet(L->ctx, (intptr_t)rank, 0, (intptr_t)n, kept));
}

/* The reduced dimension's first index in the host tensor: the chunk's offset inside a looped
 * reduction, 0 when the tile covers the whole dimension. */
static MlirValue base_index(HmLowering *L, const HmSpecValue *in, size_t dim) {
  int block = hm_dim_block(L, in->shape[dim]);
  if (block >= 0 && L->tiles[block].active && !mlirValueIsNull(L->tiles[block].offset))
    return L->tiles[block].offset;
  return hm_index_const(L, 0);
}

static MlirType value_type(HmLowering *L, HmDtype dtype) {
  return dtype == HM_DTYPE_F64 ? mlirF64TypeGet(L->ctx) : mlirF32TypeGet(L->ctx);
}

/* The reduced dimension of the node's input, which must be a float tensor. */
static bool plan(HmLowering *L, const HmNode *node, const HmSpecValue *in_val, bool reduced[HM_MAX_RANK], size_t *dim) {
  size_t nreduced = 0;
  if (in_val->kind != HM_SPEC_TENSOR || in_val->rank > HM_MAX_RANK || !hm_reduced_dims(L, node, in_val->rank, reduced))
    return hm_node_error(L, node, "'%s' needs a tensor input", node->target);
  for (size_t d = 0; d < in_val->rank; ++d)
    if (reduced[d]) {
      *dim = d;
      ++nreduced;
    }
  if (nreduced != 1)
    return hm_node_error(L, node, "'%s' over all dimensions of a rank-%zu tensor is not supported", node->target,
                         in_val->rank);
  if (!hm_dtype_is_float(in_val->dtype))
    return hm_node_error(L, node, "'%s' of integer tensors is not supported", node->target);
  return true;
}

/* Inductor folds an argmax over a dimension of size 1 into the constant 0 and drops the input. */
static bool folded_to_zero(HmLowering *L, const HmNode *node, HmIrValue *out) {
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  MlirValue empty;
  if (!hm_empty_tensor(L, &node->val, i64, &empty))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .value = hm_fill(L, empty, hm_scalar_const(L, i64, 0)), .block_id = -1};
  return true;
}

static bool lower_arg_reduction(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  if (node->nargs > 0 && node->args[0].kind == HM_ARG_NONE)
    return folded_to_zero(L, node, out);
  HmIrValue in;
  if (!hm_arg_tensor(L, S, node, 0, &in))
    return false;
  const HmSpecValue *in_val = &hm_arg_node(S, &node->args[0])->val;
  bool reduced[HM_MAX_RANK];
  size_t dim = 0;
  if (!plan(L, node, in_val, reduced, &dim))
    return false;
  MlirType element = value_type(L, in_val->dtype);
  ArgBody b = {.kind = (HmReductionKind)variant, .dim = dim, .base = base_index(L, in_val, dim)};
  MlirValue input, inits[2], best[2];
  MlirAttribute maps[3];
  if (!hm_cast_tensor(L, in.value, element, &input) ||
      !hm_reduced_init(L, in_val, reduced, element, variant == HM_REDUCE_ARGMAX ? -INFINITY : INFINITY, &inits[0]) ||
      !hm_reduced_init(L, in_val, reduced, mlirIntegerTypeGet(L->ctx, 64), 0, &inits[1]))
    return false;
  reduce_maps(L, in_val->rank, dim, maps);
  pair_generic(L, &b, 1, &input, inits, in_val->rank, (long)dim, maps, reduce_body, best);
  if (hm_keepdim(node) && (!hm_expand_unit_dims(L, best[0], &node->val, reduced, &best[0]) ||
                           !hm_expand_unit_dims(L, best[1], &node->val, reduced, &best[1])))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .value = best[1], .aux = best[0], .block_id = -1};
  return true;
}

/* max.dim / min.dim: inductor computes the values as an extra (an amax, its `_extra_deps`) and the
 * indices as the node itself, an argmax. In a looped reduction's chunk the chunk's argmax is combined
 * across the loop with its best values, so those are the values (the row's amax, which the extra
 * holds too), and the result carries them as `aux`, as an argmax does. */
bool hm_lower_max_dim(HmLowering *L, HmScope *S, const HmNode *node, HmIrValue *out) {
  const HmArg *deps = hm_kwarg(node, "_extra_deps");
  bool is_max = hm_node_is(L, node, HM_OP_MAX_DIM);
  bool decomposed = S->graph->kind != HM_GRAPH_REDUCTION_LOOP;
  if ((decomposed && (!deps || deps->kind != HM_ARG_LIST || deps->count != 1 || deps->items[0].kind != HM_ARG_NODE)) ||
      !is_values_and_indices(&node->val))
    return hm_node_error(L, node, "'%s' as inductor decomposes it is not supported", node->target);
  HmIrValue indices;
  HmNode as_arg = *node; /* the argmax over the same input, dim and keepdim, of the indices' type */
  as_arg.val = node->val.items[1];
  if (!lower_arg_reduction(L, S, &as_arg, is_max ? HM_REDUCE_ARGMAX : HM_REDUCE_ARGMIN, &indices))
    return false;
  HmIrValue *items = hm_arena_new(&L->arena, HmIrValue, 2);
  items[1] = (HmIrValue){.kind = HM_IR_TENSOR, .value = indices.value, .block_id = -1};
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = 2, .items = items, .block_id = -1};
  if (decomposed) {
    items[0] = S->values[deps->items[0].node];
    return true;
  }
  items[0] = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  out->value = indices.value;
  out->aux = indices.aux;
  return hm_cast_tensor(L, indices.aux, hm_element_type(L, node->val.items[0].dtype), &items[0].value);
}

bool hm_max_dim_result(HmLowering *L, const HmNode *node, MlirValue indices, MlirValue values, HmIrValue *out) {
  HmIrValue *items = hm_arena_new(&L->arena, HmIrValue, 2);
  items[0] = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  items[1] = (HmIrValue){.kind = HM_IR_TENSOR, .value = indices, .block_id = -1};
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = 2, .items = items, .value = indices, .aux = values, .block_id = -1};
  /* f64 -> f32 first: the JIT has no direct f64 -> bf16 truncation (a libcall), and f32 holds
   * every 16-bit float exactly. */
  return hm_cast_tensor(L, values, mlirF32TypeGet(L->ctx), &items[0].value) &&
         hm_cast_tensor(L, items[0].value, hm_element_type(L, node->val.items[0].dtype), &items[0].value);
}

const HmOpEntry hm_arg_reduction_ops[] = {
    {"aten.argmax.default", lower_arg_reduction, HM_REDUCE_ARGMAX, HM_OP_OTHER},
    {"aten.argmin.default", lower_arg_reduction, HM_REDUCE_ARGMIN, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};

/* A looped reduction carries the best values in f64 (exact for every float input) beside the
 * indices, starting from no best value: (-inf or +inf, index 0), shaped like the result. */
bool hm_arg_reduction_init(HmLowering *L, HmReductionKind kind, const HmNode *node, MlirValue *indices,
                           MlirValue *values) {
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64), f64 = mlirF64TypeGet(L->ctx);
  MlirValue empty_values, empty_indices;
  const HmSpecValue *shape = is_values_and_indices(&node->val) ? &node->val.items[1] : &node->val;
  if (!hm_empty_tensor(L, shape, f64, &empty_values) || !hm_empty_tensor(L, shape, i64, &empty_indices))
    return false;
  *values = hm_fill(L, empty_values, hm_scalar_const(L, f64, kind == HM_REDUCE_ARGMAX ? -INFINITY : INFINITY));
  *indices = hm_fill(L, empty_indices, hm_scalar_const(L, i64, 0));
  return true;
}

/* Keeps the better of the running best (indices, values) and one chunk's; chunks come in order, so
 * a tie keeps the running best's earlier index. */
bool hm_arg_reduction_combine(HmLowering *L, HmReductionKind kind, const HmNode *node, MlirValue indices,
                              MlirValue values, const HmIrValue *chunk, MlirValue *out_indices,
                              MlirValue *out_values) {
  MlirValue chunk_values;
  if (mlirValueIsNull(chunk->aux))
    return hm_node_error(L, node, "'%s' in a looped reduction needs --aten=linalg (a torch.aten op has no best values to carry)",
                         node->target);
  if (!hm_cast_tensor(L, chunk->aux, mlirF64TypeGet(L->ctx), &chunk_values))
    return false;
  size_t rank = (size_t)mlirShapedTypeGetRank(mlirValueGetType(indices));
  MlirAttribute identity = mlirAffineMapAttrGet(mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)rank));
  MlirAttribute maps[6] = {identity, identity, identity, identity, identity, identity};
  ArgBody b = {.kind = kind};
  MlirValue inputs[4] = {values, indices, chunk_values, chunk->value}, best[2];
  pair_generic(L, &b, 4, inputs, (MlirValue[]){values, indices}, rank, -1, maps, combine_body, best);
  *out_values = best[0];
  *out_indices = best[1];
  return true;
}
