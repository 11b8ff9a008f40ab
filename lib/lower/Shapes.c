/* MLIR tensors shaped like the spec's recorded values: their types, tensor.empty, and the unit
 * dimensions keepdim and None indices add. Sizes come from SizeExpr.c. */
#include "lower/Shapes.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

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
