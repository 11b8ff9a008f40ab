/* Reductions over tensor dimensions -> linalg.reduce, then tensor.expand_shape for keepdim.
 *
 * Padding is not this file's concern: Helion masks a reduction's input with the reduction's identity
 * (`_mask_to`) wherever a tile may hold padding. 16-bit float inputs accumulate in f32, as torch's
 * CPU kernels do, and the result is rounded once at the end.
 */
#include "lower/ops/Reductions.h"

#include <math.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

typedef struct ReductionInfo {
  const char *float_combine, *int_combine;
  double identity;
} ReductionInfo;

static const ReductionInfo REDUCTIONS[] = {
    [HM_REDUCE_SUM] = {"arith.addf", "arith.addi", 0.0},
    [HM_REDUCE_MEAN] = {"arith.addf", NULL, 0.0},
    [HM_REDUCE_AMAX] = {"arith.maximumf", "arith.maxsi", -INFINITY},
    [HM_REDUCE_AMIN] = {"arith.minimumf", "arith.minsi", INFINITY},
    [HM_REDUCE_PROD] = {"arith.mulf", "arith.muli", 1.0},
};

bool hm_reduced_dims(HmLowering *L, const HmNode *node, size_t rank, bool reduced[HM_MAX_RANK]) {
  const HmArg *dims = node->nargs > 1 ? &node->args[1] : NULL;
  for (size_t d = 0; d < rank; ++d)
    reduced[d] = !dims || dims->kind == HM_ARG_NONE || (dims->kind == HM_ARG_LIST && dims->count == 0);
  if (!dims || dims->kind == HM_ARG_NONE || (dims->kind == HM_ARG_LIST && dims->count == 0))
    return true;
  size_t n = dims->kind == HM_ARG_LIST ? dims->count : 1;
  for (size_t i = 0; i < n; ++i) {
    const HmArg *d = dims->kind == HM_ARG_LIST ? &dims->items[i] : dims;
    if (d->kind != HM_ARG_INT || d->i < -(int64_t)rank || d->i >= (int64_t)rank)
      return hm_node_error(L, node, "reduction dims must be integers within the rank");
    reduced[d->i < 0 ? d->i + (int64_t)rank : d->i] = true;
  }
  return true;
}

bool hm_keepdim(const HmNode *node) {
  return node->nargs > 2 && node->args[2].kind == HM_ARG_BOOL && node->args[2].i;
}

static MlirValue reduce(HmLowering *L, MlirValue input, const bool *reduced, MlirValue init, const char *combine) {
  MlirType in_type = mlirValueGetType(input);
  size_t rank = (size_t)mlirShapedTypeGetRank(in_type);
  int64_t dims[HM_MAX_RANK];
  size_t ndims = 0;
  for (size_t d = 0; d < rank; ++d)
    if (reduced[d])
      dims[ndims++] = (int64_t)d;
  MlirType element = hm_element_of(input);
  MlirBlock body;
  MlirRegion region = hm_region_with_block(L, 2, (MlirType[]){element, element}, &body);
  HmInsertion outer = hm_insertion_enter(L, body);
  MlirValue combined = hm_build_value(L, (HmOpSpec){.name = combine, .nresults = 1, .results = &element,
                                                    .noperands = 2, .operands = (MlirValue[]){mlirBlockGetArgument(body, 0),
                                                                                              mlirBlockGetArgument(body, 1)}});
  hm_build(L, (HmOpSpec){.name = "linalg.yield", .noperands = 1, .operands = &combined});
  hm_insertion_leave(L, outer);
  MlirType type = mlirValueGetType(init);
  MlirNamedAttribute attr = hm_named(L, "dimensions", hm_i64_array(L, ndims, dims));
  return hm_build_value(L, (HmOpSpec){.name = "linalg.reduce", .nresults = 1, .results = &type, .noperands = 2,
                                      .operands = (MlirValue[]){input, init}, .nattrs = 1, .attrs = &attr,
                                      .nregions = 1, .regions = &region});
}

/* The reduced value's shape: the input's without the reduced dims. */
bool hm_reduced_init(HmLowering *L, const HmSpecValue *in, const bool *reduced, MlirType element, double identity,
                         MlirValue *out) {
  HmDim kept[HM_MAX_RANK];
  HmSpecValue val = {.kind = HM_SPEC_TENSOR, .shape = kept};
  for (size_t d = 0; d < in->rank; ++d)
    if (!reduced[d])
      kept[val.rank++] = in->shape[d];
  MlirValue empty;
  if (!hm_empty_tensor(L, &val, element, &empty))
    return false;
  *out = hm_fill(L, empty, hm_scalar_const(L, element, identity));
  return true;
}

static bool divide_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  MlirValue divisor = *(MlirValue *)ctx;
  MlirType type = mlirValueGetType(args[0]);
  *result = hm_build_value(L, (HmOpSpec){.name = "arith.divf", .nresults = 1, .results = &type, .noperands = 2,
                                         .operands = (MlirValue[]){args[0], divisor}});
  return true;
}

/* mean = sum / (number of real elements reduced): the block's whole extent for a tile dim. A variance
 * divides by max(count - correction, 0). */
static bool divide_by_count(HmLowering *L, const HmSpecValue *in, const bool *reduced, double correction, MlirValue sum,
                            MlirValue *out) {
  MlirValue count = hm_index_const(L, 1);
  for (size_t d = 0; d < in->rank; ++d) {
    if (!reduced[d])
      continue;
    int block = hm_dim_block(L, in->shape[d]);
    MlirValue size;
    if (block >= 0 && !hm_spec_block_size(L->spec, (size_t)block)->reduction) {
      /* A tile of the grid or a loop: Helion divides by its symbol, the tile size, padding and all. */
      size = L->tile_sizes[block];
    } else if (block >= 0) {
      size = L->block_extents[block];
      if (mlirValueIsNull(size))
        return hm_fail(L, "block %d has no size to count the reduced elements over", block);
    } else if (!hm_dim_value(L, in->shape[d], &size))
      return false;
    MlirType index = hm_index_type(L);
    count = hm_build_value(L, (HmOpSpec){.name = "arith.muli", .nresults = 1, .results = &index, .noperands = 2,
                                         .operands = (MlirValue[]){count, size}});
  }
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64), element = hm_element_of(sum);
  MlirValue n = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &i64,
                                             .noperands = 1, .operands = &count});
  MlirValue divisor = hm_convert_scalar(L, n, element);
  if (correction != 0) {
    MlirValue less = hm_build_value(L, (HmOpSpec){.name = "arith.subf", .nresults = 1, .results = &element,
                                                  .noperands = 2,
                                                  .operands = (MlirValue[]){divisor, hm_scalar_const(L, element, correction)}});
    divisor = hm_build_value(L, (HmOpSpec){.name = "arith.maximumf", .nresults = 1, .results = &element, .noperands = 2,
                                           .operands = (MlirValue[]){less, hm_scalar_const(L, element, 0)}});
  }
  size_t rank = (size_t)mlirShapedTypeGetRank(mlirValueGetType(sum));
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)rank);
  MlirAffineMap maps[2] = {identity, identity};
  return hm_generic(L, 1, &sum, maps, sum, rank, NULL, divide_body, &divisor, out);
}

/* Reduces `in` (of spec shape `in_val`) over the `reduced` dims into the result element type of
 * `node`, keeping the reduced dims as size 1 when `keep`. */
static bool reduce_tensor(HmLowering *L, const HmNode *node, HmReductionKind kind, MlirValue in, const HmSpecValue *in_val,
                          const bool *reduced, bool keep, MlirValue *out) {
  MlirType result = hm_element_type(L, node->val.dtype);
  MlirType acc = hm_op_math_type(L, result);
  const ReductionInfo *info = &REDUCTIONS[kind];
  const char *combine = mlirTypeIsAInteger(acc) ? info->int_combine : info->float_combine;
  if (!combine)
    return hm_node_error(L, node, "'%s' on integer tensors is not supported", node->target);
  MlirValue input, init, value;
  if (!hm_cast_tensor(L, in, acc, &input) || !hm_reduced_init(L, in_val, reduced, acc, info->identity, &init))
    return false;
  value = reduce(L, input, reduced, init, combine);
  if (kind == HM_REDUCE_MEAN && !divide_by_count(L, in_val, reduced, 0, value, &value))
    return false;
  if (!hm_cast_tensor(L, value, result, &value))
    return false;
  if (keep && !hm_expand_unit_dims(L, value, &node->val, reduced, &value))
    return false;
  *out = value;
  return true;
}

/* Inductor's sum and division, for the decompositions in Decomposed.c. */
bool hm_sum_tensor(HmLowering *L, const HmNode *node, MlirValue in, const HmSpecValue *in_val, const bool *reduced,
                   bool keep, MlirValue *out) {
  return reduce_tensor(L, node, HM_REDUCE_SUM, in, in_val, reduced, keep, out);
}

bool hm_extreme_tensor(HmLowering *L, const HmNode *node, bool max, MlirValue in, const HmSpecValue *in_val,
                       const bool *reduced, bool keep, MlirValue *out) {
  return reduce_tensor(L, node, max ? HM_REDUCE_AMAX : HM_REDUCE_AMIN, in, in_val, reduced, keep, out);
}

bool hm_divide_by_count(HmLowering *L, const HmSpecValue *in, const bool *reduced, double correction, MlirValue sum,
                        MlirValue *out) {
  return divide_by_count(L, in, reduced, correction, sum, out);
}

static bool lower_reduction(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  if (hm_kwarg(node, "_extra_args"))
    return hm_lower_decomposed(L, S, node, out);
  HmIrValue in;
  if (!hm_arg_tensor(L, S, node, 0, &in))
    return false;
  const HmNode *src = hm_arg_node(S, &node->args[0]);
  const HmSpecValue *in_val = &src->val;
  bool reduced[HM_MAX_RANK];
  if (in_val->kind != HM_SPEC_TENSOR || in_val->rank > HM_MAX_RANK || !hm_reduced_dims(L, node, in_val->rank, reduced))
    return hm_node_error(L, node, "a reduction needs a tensor input");
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return reduce_tensor(L, node, (HmReductionKind)variant, in.value, in_val, reduced, hm_keepdim(node), &out->value);
}

const HmOpEntry hm_reduction_ops[] = {
    {"aten.sum.dim_IntList", lower_reduction, HM_REDUCE_SUM, HM_OP_OTHER},
    {"aten.sum.default", lower_reduction, HM_REDUCE_SUM, HM_OP_OTHER},
    {"aten.mean.dim", lower_reduction, HM_REDUCE_MEAN, HM_OP_OTHER},
    {"aten.amax.default", lower_reduction, HM_REDUCE_AMAX, HM_OP_OTHER},
    {"aten.amin.default", lower_reduction, HM_REDUCE_AMIN, HM_OP_OTHER},
    {"aten.prod.dim_int", lower_reduction, HM_REDUCE_PROD, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};

HmReductionKind hm_reduction_kind(HmLowering *L, const HmNode *node) {
  const HmOp *op = hm_node_op(L, node);
  if (op->family == HM_FAMILY_REDUCTION || op->family == HM_FAMILY_ARG_REDUCTION)
    return (HmReductionKind)op->row->variant;
  /* In a looped reduction's chunk, max.dim/min.dim accumulate as an argmax carrying its values. */
  bool looped = hm_spec_graph(L->spec, node->graph)->kind == HM_GRAPH_REDUCTION_LOOP;
  if (looped && hm_node_is(L, node, HM_OP_MAX_DIM))
    return HM_REDUCE_ARGMAX;
  if (looped && hm_node_is(L, node, HM_OP_MIN_DIM))
    return HM_REDUCE_ARGMIN;
  if (!hm_node_is(L, node, HM_OP_EXTRA))
    return HM_REDUCE_NONE;
  const HmNode *from = hm_extra_origin(L, node);
  return from && hm_node_is(L, from, HM_OP_MAX_DIM)   ? HM_REDUCE_AMAX
         : from && hm_node_is(L, from, HM_OP_MIN_DIM) ? HM_REDUCE_AMIN
                                                      : HM_REDUCE_SUM;
}

static bool is_arg_reduction(HmReductionKind kind) { return kind == HM_REDUCE_ARGMAX || kind == HM_REDUCE_ARGMIN; }

static bool looped_info(HmLowering *L, const HmNode *node, HmReductionKind kind, const ReductionInfo **info,
                        MlirType *type) {
  if (kind == HM_REDUCE_NONE || kind == HM_REDUCE_MEAN)
    return hm_node_error(L, node, "'%s' cannot accumulate across a looped reduction", node->target);
  *info = &REDUCTIONS[kind];
  *type = hm_element_type(L, node->val.dtype);
  return true;
}

bool hm_reduction_init(HmLowering *L, const HmNode *node, MlirValue *out, MlirValue *aux) {
  HmReductionKind kind = hm_reduction_kind(L, node);
  if (is_arg_reduction(kind))
    return hm_arg_reduction_init(L, kind, node, out, aux);
  const ReductionInfo *info = NULL;
  MlirType element;
  MlirValue empty;
  if (!looped_info(L, node, kind, &info, &element) || !hm_empty_tensor(L, &node->val, element, &empty))
    return false;
  *out = hm_fill(L, empty, hm_scalar_const(L, element, info->identity));
  return true;
}

static bool combine_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  MlirType type = mlirValueGetType(args[0]);
  *result = hm_build_value(L, (HmOpSpec){.name = ctx, .nresults = 1, .results = &type, .noperands = 2,
                                         .operands = (MlirValue[]){args[0], args[1]}});
  return true;
}

bool hm_reduction_combine(HmLowering *L, const HmNode *node, MlirValue acc, MlirValue acc_aux,
                          const HmIrValue *chunk, MlirValue *out, MlirValue *out_aux) {
  HmReductionKind kind = hm_reduction_kind(L, node);
  if (is_arg_reduction(kind))
    return hm_arg_reduction_combine(L, kind, node, acc, acc_aux, chunk, out, out_aux);
  MlirValue partial = chunk->value;
  const ReductionInfo *info = NULL;
  MlirType element;
  if (!looped_info(L, node, kind, &info, &element))
    return false;
  const char *combine = mlirTypeIsAInteger(element) ? info->int_combine : info->float_combine;
  size_t rank = (size_t)mlirShapedTypeGetRank(mlirValueGetType(acc));
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)rank);
  MlirAffineMap maps[3] = {identity, identity, identity};
  return hm_generic(L, 2, (MlirValue[]){acc, partial}, maps, acc, rank, NULL, combine_body, (void *)combine, out);
}
