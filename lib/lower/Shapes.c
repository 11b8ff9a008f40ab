/* MLIR tensors shaped like the spec's recorded values: their types, tensor.empty, and the unit
 * dimensions keepdim and None indices add. Sizes come from SizeExpr.c. */
#include "lower/Shapes.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

#include <string.h>

MlirType hm_tensor_type(HmLowering *L, const HmSpecValue *val) {
  int64_t *shape = hm_arena_new(&L->arena, int64_t, val->rank);
  if (!shape)
    return (MlirType){NULL};
  for (size_t i = 0; i < val->rank; ++i)
    shape[i] = hm_static_dim(L, val->shape[i]);
  return hm_ranked_tensor(L, val->rank, shape, hm_element_type(L, val->dtype));
}

bool hm_empty_tensor(HmLowering *L, const HmSpecValue *val, MlirType element, MlirValue *out) {
  MlirValue *dynamic = hm_arena_new(&L->arena, MlirValue, val->rank);
  size_t ndynamic = 0;
  int64_t *shape = hm_arena_new(&L->arena, int64_t, val->rank);
  if (!dynamic || !shape)
    return hm_fail(L, "out of memory");
  for (size_t i = 0; i < val->rank; ++i) {
    shape[i] = hm_static_dim(L, val->shape[i]);
    if (shape[i] == mlirShapedTypeGetDynamicSize() && !hm_dim_value(L, val->shape[i], &dynamic[ndynamic++]))
      return false;
  }
  MlirType type = hm_ranked_tensor(L, val->rank, shape, element);
  *out = hm_build_value(L, (HmOpSpec){.name = "tensor.empty", .nresults = 1, .results = &type,
                                      .noperands = (intptr_t)ndynamic, .operands = dynamic});
  return true;
}

bool hm_expand_unit_dims(HmLowering *L, MlirValue value, const HmSpecValue *result, const bool *unit, MlirValue *out) {
  size_t rank = result->rank;
  /* Each dimension belongs to one group and the groups are consecutive: a kept dimension starts one
   * (the first kept also takes the leading unit dims), a unit dimension joins the one before. */
  MlirAttribute *members = hm_arena_new(&L->arena, MlirAttribute, rank);
  MlirAttribute *groups = hm_arena_new(&L->arena, MlirAttribute, rank);
  int64_t *shape = hm_arena_new(&L->arena, int64_t, rank);
  MlirValue *operands = hm_arena_new(&L->arena, MlirValue, rank + 1);
  if (!members || !groups || !shape || !operands)
    return hm_fail(L, "out of memory");
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  for (size_t d = 0; d < rank; ++d)
    members[d] = mlirIntegerAttrGet(i64, (int64_t)d);
  size_t ngroups = 0, start = 0;
  for (size_t d = 0; d < rank; ++d) {
    if (unit[d])
      continue;
    if (ngroups > 0) {
      groups[ngroups - 1] = mlirArrayAttrGet(L->ctx, (intptr_t)(d - start), members + start);
      start = d;
    }
    ++ngroups;
  }
  if (ngroups > 0)
    groups[ngroups - 1] = mlirArrayAttrGet(L->ctx, (intptr_t)(rank - start), members + start);
  operands[0] = value;
  size_t ndynamic = 0;
  for (size_t d = 0; d < result->rank; ++d) {
    shape[d] = unit[d] ? 1 : hm_static_dim(L, result->shape[d]);
    if (shape[d] == mlirShapedTypeGetDynamicSize() && !hm_dim_value(L, result->shape[d], &operands[1 + ndynamic++]))
      return false;
  }
  MlirType type = hm_ranked_tensor(L, result->rank, shape, hm_element_of(value));
  MlirNamedAttribute attrs[2] = {
      hm_named(L, "reassociation", mlirArrayAttrGet(L->ctx, (intptr_t)ngroups, groups)),
      hm_named(L, "static_output_shape", hm_i64_array(L, result->rank, shape)),
  };
  *out = hm_build_value(L, (HmOpSpec){.name = "tensor.expand_shape", .nresults = 1, .results = &type,
                                      .noperands = (intptr_t)(1 + ndynamic), .operands = operands, .nattrs = 2,
                                      .attrs = attrs});
  return true;
}

static bool same_size(HmDim a, HmDim b) {
  if (a.sym || b.sym)
    return a.sym && b.sym && strcmp(a.sym, b.sym) == 0;
  return a.value == b.value;
}

/* Helion's TileStrategyDispatch.broadcast_expand_dims: a tile dimension takes the first free result
 * dimension of the same block, another dimension the first free non-tile result dimension of the same
 * size, and a dimension matched by neither the last free one. The operand's dimensions keep their
 * order (a broadcast never transposes), so they take the matched positions in increasing order. */
static void align_by_block(HmLowering *L, const HmSpecValue *val, const HmSpecValue *result, size_t *dst) {
  bool used[HM_MAX_RANK] = {false};
  for (size_t j = 0; j < val->rank; ++j) {
    int block = hm_dim_block(L, val->shape[j]);
    size_t match = result->rank;
    for (size_t d = 0; d < result->rank && match == result->rank; ++d) {
      if (used[d])
        continue;
      int other = hm_dim_block(L, result->shape[d]);
      if (block >= 0 ? other == block : other < 0 && same_size(val->shape[j], result->shape[d]))
        match = d;
    }
    for (size_t d = result->rank; d-- > 0 && match == result->rank;)
      if (!used[d])
        match = d;
    used[match] = true;
  }
  for (size_t d = 0, j = 0; d < result->rank; ++d)
    if (used[d])
      dst[j++] = d;
}

void hm_broadcast_dims(HmLowering *L, const HmSpecValue *from, size_t rank, const HmSpecValue *to, size_t *dst) {
  for (size_t j = 0; j < rank; ++j)
    dst[j] = to->rank - rank + j;
  if (from && from->kind == HM_SPEC_TENSOR && from->rank == rank && rank > 0 && rank < to->rank)
    align_by_block(L, from, to, dst);
}
