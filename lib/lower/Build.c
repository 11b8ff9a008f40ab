#include "lower/Build.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Dialect/Linalg.h"

static MlirStringRef str(const char *s) { return mlirStringRefCreateFromCString(s); }

MlirNamedAttribute hm_named(HmLowering *L, const char *name, MlirAttribute attr) {
  return mlirNamedAttributeGet(mlirIdentifierGet(L->ctx, str(name)), attr);
}

MlirOperation hm_build(HmLowering *L, HmOpSpec spec) {
  MlirOperationState state = mlirOperationStateGet(str(spec.name), L->loc);
  if (spec.nresults)
    mlirOperationStateAddResults(&state, spec.nresults, spec.results);
  if (spec.noperands)
    mlirOperationStateAddOperands(&state, spec.noperands, spec.operands);
  if (spec.nattrs)
    mlirOperationStateAddAttributes(&state, spec.nattrs, spec.attrs);
  if (spec.nregions)
    mlirOperationStateAddOwnedRegions(&state, spec.nregions, spec.regions);
  if (spec.infer_results)
    mlirOperationStateEnableResultTypeInference(&state);
  MlirOperation op = mlirOperationCreate(&state);
  if (!mlirOperationIsNull(op))
    mlirBlockAppendOwnedOperation(L->block, op);
  return op;
}

MlirValue hm_build_value(HmLowering *L, HmOpSpec spec) {
  MlirOperation op = hm_build(L, spec);
  return mlirOperationIsNull(op) ? (MlirValue){NULL} : mlirOperationGetResult(op, 0);
}

MlirType hm_index_type(HmLowering *L) { return mlirIndexTypeGet(L->ctx); }

MlirType hm_element_type(HmLowering *L, HmDtype dtype) {
  switch (dtype) {
  case HM_DTYPE_F64: return mlirF64TypeGet(L->ctx);
  case HM_DTYPE_F32: return mlirF32TypeGet(L->ctx);
  case HM_DTYPE_F16: return mlirF16TypeGet(L->ctx);
  case HM_DTYPE_BF16: return mlirBF16TypeGet(L->ctx);
  case HM_DTYPE_I64: return mlirIntegerTypeGet(L->ctx, 64);
  case HM_DTYPE_I32: return mlirIntegerTypeGet(L->ctx, 32);
  case HM_DTYPE_I16: return mlirIntegerTypeGet(L->ctx, 16);
  case HM_DTYPE_I8:
  case HM_DTYPE_U8: return mlirIntegerTypeGet(L->ctx, 8);
  case HM_DTYPE_BOOL: return mlirIntegerTypeGet(L->ctx, 1);
  case HM_DTYPE_F8E4M3FN: return mlirFloat8E4M3FNTypeGet(L->ctx);
  case HM_DTYPE_F8E5M2: return mlirFloat8E5M2TypeGet(L->ctx);
  default: return (MlirType){NULL};
  }
}

MlirType hm_ranked_tensor(HmLowering *L, size_t rank, const int64_t *shape, MlirType element) {
  return mlirRankedTensorTypeGet((intptr_t)rank, shape, element, mlirAttributeGetNull());
}

MlirType hm_element_of(MlirValue tensor) { return mlirShapedTypeGetElementType(mlirValueGetType(tensor)); }

MlirAttribute hm_index_attr(HmLowering *L, int64_t value) {
  return mlirIntegerAttrGet(hm_index_type(L), value);
}

MlirValue hm_index_const(HmLowering *L, int64_t value) {
  MlirNamedAttribute attr = hm_named(L, "value", hm_index_attr(L, value));
  MlirType type = hm_index_type(L);
  return hm_build_value(L, (HmOpSpec){.name = "arith.constant", .nresults = 1, .results = &type,
                                      .nattrs = 1, .attrs = &attr});
}

bool hm_is_narrow_float(MlirType t) {
  return mlirTypeIsAF16(t) || mlirTypeIsABF16(t) || mlirTypeIsAFloat8E4M3FN(t) || mlirTypeIsAFloat8E5M2(t);
}

MlirType hm_op_math_type(HmLowering *L, MlirType t) { return hm_is_narrow_float(t) ? mlirF32TypeGet(L->ctx) : t; }

static bool is_fp8(MlirType t) { return mlirTypeIsAFloat8E4M3FN(t) || mlirTypeIsAFloat8E5M2(t); }

/* torch's e4m3fn conversion saturates (c10's fp8e4m3fn_from_fp32_value): a magnitude past 448, its
 * largest finite value, and infinity become 448 with their sign, where IEEE rounding (arith.truncf,
 * APFloat) gives the NaN e4m3fn has instead of an infinity. */
static const double E4M3FN_MAX = 448.0;

/* A number as torch narrows it to fp8: through f32, then e4m3fn saturating. */
static double fp8_value(MlirType type, double value) {
  if (isfinite(value) && fabs(value) > FLT_MAX)
    value = copysign(INFINITY, value);
  value = (float)value;
  if (mlirTypeIsAFloat8E4M3FN(type) && !isnan(value))
    value = fmin(fmax(value, -E4M3FN_MAX), E4M3FN_MAX);
  return value;
}

static MlirAttribute scalar_attr(MlirContext ctx, MlirType type, double value) {
  if (mlirTypeIsAInteger(type)) {
    if (mlirIntegerTypeGetWidth(type) == 1)
      return mlirIntegerAttrGet(type, value != 0);
    if (isinf(value))
      return mlirIntegerAttrGet(type, value > 0 ? INT64_MAX : INT64_MIN);
    return mlirIntegerAttrGet(type, (int64_t)value);
  }
  return mlirFloatAttrDoubleGet(ctx, type, is_fp8(type) ? fp8_value(type, value) : value);
}

MlirValue hm_scalar_const(HmLowering *L, MlirType type, double value) {
  MlirNamedAttribute attr = hm_named(L, "value", scalar_attr(L->ctx, type, value));
  return hm_build_value(L, (HmOpSpec){.name = "arith.constant", .nresults = 1, .results = &type,
                                      .nattrs = 1, .attrs = &attr});
}


/* torch casting rules: float<->float by width, int->float signed, float->int truncating, and
 * anything -> bool as "!= 0". */
MlirValue hm_convert_scalar(HmLowering *L, MlirValue value, MlirType to) {
  MlirType from = mlirValueGetType(value);
  if (mlirTypeEqual(from, to))
    return value;
  bool from_int = mlirTypeIsAInteger(from), to_int = mlirTypeIsAInteger(to);
  if (to_int && mlirIntegerTypeGetWidth(to) == 1) {
    MlirValue zero = hm_scalar_const(L, from, 0);
    return from_int ? hm_cmpi(L, HM_CMPI_NE, value, zero) : hm_cmpf(L, HM_CMPF_UNE, value, zero);
  }
  MlirType f32 = mlirF32TypeGet(L->ctx);
  if ((is_fp8(from) || is_fp8(to)) && !mlirTypeIsAF32(from) && !mlirTypeIsAF32(to)) {
    /* torch converts fp8 from and to any other type through f32 (f64 rounds twice). */
    return hm_convert_scalar(L, hm_convert_scalar(L, value, f32), to);
  }
  if (mlirTypeIsAFloat8E4M3FN(to)) {
    /* minimumf and maximumf keep a NaN, which arith.truncf makes e4m3fn's NaN, as torch does. */
    MlirValue low = hm_scalar_const(L, f32, -E4M3FN_MAX), high = hm_scalar_const(L, f32, E4M3FN_MAX);
    MlirValue clamped = hm_build_value(L, (HmOpSpec){.name = "arith.minimumf", .nresults = 1, .results = &f32,
                                                     .noperands = 2, .operands = (MlirValue[]){value, high}});
    value = hm_build_value(L, (HmOpSpec){.name = "arith.maximumf", .nresults = 1, .results = &f32,
                                         .noperands = 2, .operands = (MlirValue[]){clamped, low}});
  }
  const char *name;
  if (from_int && to_int) {
    unsigned fw = mlirIntegerTypeGetWidth(from), tw = mlirIntegerTypeGetWidth(to);
    name = tw > fw ? (fw == 1 ? "arith.extui" : "arith.extsi") : "arith.trunci";
  } else if (from_int) {
    name = mlirIntegerTypeGetWidth(from) == 1 ? "arith.uitofp" : "arith.sitofp";
  } else if (to_int) {
    name = "arith.fptosi";
  } else if (mlirFloatTypeGetWidth(to) == mlirFloatTypeGetWidth(from)) {
    /* f16 <-> bf16: go through f32, which holds both exactly. */
    MlirValue wide = hm_convert_scalar(L, value, mlirF32TypeGet(L->ctx));
    return hm_convert_scalar(L, wide, to);
  } else {
    name = mlirFloatTypeGetWidth(to) > mlirFloatTypeGetWidth(from) ? "arith.extf" : "arith.truncf";
  }
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &to, .noperands = 1,
                                      .operands = &value});
}

MlirAttribute hm_i64_array(HmLowering *L, size_t n, const int64_t *values) {
  return mlirDenseI64ArrayGet(L->ctx, (intptr_t)n, values);
}

MlirAttribute hm_i32_array(HmLowering *L, size_t n, const int32_t *values) {
  return mlirDenseI32ArrayGet(L->ctx, (intptr_t)n, values);
}

/* The C API has no builder for linalg's iterator kinds; the two enum values are parsed once each. */
MlirAttribute hm_iterator_attr(HmLowering *L, bool reduction) {
  return mlirAttributeParseGet(L->ctx, str(reduction ? "#linalg.iterator_type<reduction>"
                                                     : "#linalg.iterator_type<parallel>"));
}

MlirRegion hm_region_with_block(HmLowering *L, size_t nargs, const MlirType *types, MlirBlock *body) {
  MlirLocation *locs = hm_arena_new(&L->arena, MlirLocation, nargs);
  for (size_t i = 0; locs && i < nargs; ++i)
    locs[i] = L->loc;
  MlirRegion region = mlirRegionCreate();
  *body = mlirBlockCreate(locs ? (intptr_t)nargs : 0, types, locs);
  mlirRegionAppendOwnedBlock(region, *body);
  return region;
}

static MlirValue affine_op(HmLowering *L, const char *name, MlirAffineMap map, size_t n,
                           const MlirValue *operands) {
  MlirNamedAttribute attr = hm_named(L, "map", mlirAffineMapAttrGet(map));
  MlirType index = hm_index_type(L);
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &index,
                                      .noperands = (intptr_t)n, .operands = operands, .nattrs = 1,
                                      .attrs = &attr});
}

MlirValue hm_affine_apply(HmLowering *L, MlirAffineMap map, size_t n, const MlirValue *operands) {
  return affine_op(L, "affine.apply", map, n, operands);
}

MlirValue hm_affine_min(HmLowering *L, MlirAffineMap map, size_t n, const MlirValue *operands) {
  return affine_op(L, "affine.min", map, n, operands);
}

/* linalg.fill's region is the builtin one the C API fills in for named linalg ops. */
MlirValue hm_fill(HmLowering *L, MlirValue init, MlirValue scalar) {
  MlirType type = mlirValueGetType(init);
  MlirNamedAttribute seg = hm_named(L, "operandSegmentSizes", hm_i32_array(L, 2, (int32_t[]){1, 1}));
  MlirRegion region = mlirRegionCreate();
  MlirOperation fill = hm_build(L, (HmOpSpec){.name = "linalg.fill", .nresults = 1, .results = &type,
                                              .noperands = 2, .operands = (MlirValue[]){scalar, init},
                                              .nattrs = 1, .attrs = &seg, .nregions = 1,
                                              .regions = &region});
  mlirLinalgFillBuiltinNamedOpRegion(fill);
  return mlirOperationGetResult(fill, 0);
}

bool hm_generic(HmLowering *L, size_t ninputs, const MlirValue *inputs, const MlirAffineMap *maps,
                MlirValue init, size_t nloops, const bool *reductions, HmBodyFn body, void *ctx,
                MlirValue *out) {
  size_t noperands = ninputs + 1;
  MlirType *arg_types = hm_arena_new(&L->arena, MlirType, noperands);
  MlirValue *operands = hm_arena_new(&L->arena, MlirValue, noperands);
  MlirValue *args = hm_arena_new(&L->arena, MlirValue, noperands);
  MlirAttribute *map_attrs = hm_arena_new(&L->arena, MlirAttribute, noperands);
  MlirAttribute *iterators = hm_arena_new(&L->arena, MlirAttribute, nloops);
  if (!arg_types || !operands || !args || !map_attrs || !iterators)
    return hm_fail(L, "out of memory");
  for (size_t i = 0; i < ninputs; ++i) {
    arg_types[i] = hm_element_of(inputs[i]);
    operands[i] = inputs[i];
  }
  arg_types[ninputs] = hm_element_of(init);
  operands[ninputs] = init;
  for (size_t i = 0; i <= ninputs; ++i)
    map_attrs[i] = mlirAffineMapAttrGet(maps[i]);
  for (size_t i = 0; i < nloops; ++i)
    iterators[i] = hm_iterator_attr(L, reductions && reductions[i]);
  MlirBlock block;
  MlirRegion region = hm_region_with_block(L, ninputs + 1, arg_types, &block);
  HmInsertion outer = hm_insertion_enter(L, block);
  MlirValue result;
  for (size_t i = 0; i <= ninputs; ++i)
    args[i] = mlirBlockGetArgument(block, (intptr_t)i);
  bool ok = body(L, args, ctx, &result);
  if (ok)
    hm_build(L, (HmOpSpec){.name = "linalg.yield", .noperands = 1, .operands = &result});
  hm_insertion_leave(L, outer);
  if (!ok) {
    mlirRegionDestroy(region);
    return false;
  }
  MlirType type = mlirValueGetType(init);
  MlirNamedAttribute attrs[3] = {
      hm_named(L, "indexing_maps", mlirArrayAttrGet(L->ctx, (intptr_t)ninputs + 1, map_attrs)),
      hm_named(L, "iterator_types", mlirArrayAttrGet(L->ctx, (intptr_t)nloops, iterators)),
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 2, (int32_t[]){(int32_t)ninputs, 1})),
  };
  *out = hm_build_value(L, (HmOpSpec){.name = "linalg.generic", .nresults = 1, .results = &type,
                                      .noperands = (intptr_t)ninputs + 1, .operands = operands,
                                      .nattrs = 3, .attrs = attrs, .nregions = 1, .regions = &region});
  return true;
}

static bool cast_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  *result = hm_convert_scalar(L, args[0], *(MlirType *)ctx);
  return true;
}

MlirValue hm_tensor_dim(HmLowering *L, MlirValue tensor, size_t d) {
  int64_t size = mlirShapedTypeGetDimSize(mlirValueGetType(tensor), (intptr_t)d);
  if (!mlirShapedTypeIsDynamicSize(size))
    return hm_index_const(L, size);
  MlirType index = hm_index_type(L);
  return hm_build_value(L, (HmOpSpec){.name = "tensor.dim", .nresults = 1, .results = &index, .noperands = 2,
                                      .operands = (MlirValue[]){tensor, hm_index_const(L, (int64_t)d)}});
}

/* extract_slice's and insert_slice's shared form: `nleading` tensors (source, or piece and dest), then
 * the dynamic offsets and sizes, and no dynamic strides. */
static MlirValue slice_op(HmLowering *L, const char *name, size_t nleading, const MlirValue *leading,
                          const HmSlice *slice, MlirType result) {
  size_t noperands = nleading + slice->noffset_values + slice->nsize_values;
  MlirValue *operands = hm_arena_new(&L->arena, MlirValue, noperands);
  int64_t *strides = hm_arena_new(&L->arena, int64_t, slice->rank);
  if (!operands || !strides) {
    hm_fail(L, "out of memory");
    return (MlirValue){NULL};
  }
  size_t n = 0;
  for (size_t i = 0; i < nleading; ++i)
    operands[n++] = leading[i];
  for (size_t i = 0; i < slice->noffset_values; ++i)
    operands[n++] = slice->offset_values[i];
  for (size_t i = 0; i < slice->nsize_values; ++i)
    operands[n++] = slice->size_values[i];
  for (size_t d = 0; d < slice->rank; ++d)
    strides[d] = slice->strides ? slice->strides[d] : 1;
  int32_t segments[5] = {1, 1, 0, 0, 0};
  size_t nsegments = nleading + 3;
  segments[nleading] = (int32_t)slice->noffset_values;
  segments[nleading + 1] = (int32_t)slice->nsize_values;
  MlirNamedAttribute attrs[4] = {
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, nsegments, segments)),
      hm_named(L, "static_offsets", hm_i64_array(L, slice->rank, slice->offsets)),
      hm_named(L, "static_sizes", hm_i64_array(L, slice->rank, slice->sizes)),
      hm_named(L, "static_strides", hm_i64_array(L, slice->rank, strides)),
  };
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &result,
                                      .noperands = (intptr_t)noperands, .operands = operands, .nattrs = 4,
                                      .attrs = attrs});
}

MlirValue hm_extract_slice(HmLowering *L, MlirValue source, const HmSlice *slice, MlirType result) {
  return slice_op(L, "tensor.extract_slice", 1, &source, slice, result);
}

MlirValue hm_insert_slice(HmLowering *L, MlirValue piece, MlirValue dest, const HmSlice *slice) {
  return slice_op(L, "tensor.insert_slice", 2, (MlirValue[]){piece, dest}, slice, mlirValueGetType(dest));
}

MlirValue hm_pad_zeros(HmLowering *L, MlirValue source, const HmPad *pad, MlirType result) {
  size_t noperands = 1 + pad->nlow_values + pad->nhigh_values;
  MlirValue *operands = hm_arena_new(&L->arena, MlirValue, noperands);
  MlirType *index_types = hm_arena_new(&L->arena, MlirType, pad->rank);
  if (!operands || !index_types) {
    hm_fail(L, "out of memory");
    return (MlirValue){NULL};
  }
  size_t n = 0;
  operands[n++] = source;
  for (size_t i = 0; i < pad->nlow_values; ++i)
    operands[n++] = pad->low_values[i];
  for (size_t i = 0; i < pad->nhigh_values; ++i)
    operands[n++] = pad->high_values[i];
  for (size_t d = 0; d < pad->rank; ++d)
    index_types[d] = hm_index_type(L);
  MlirBlock body;
  MlirRegion region = hm_region_with_block(L, pad->rank, index_types, &body);
  HmInsertion outer = hm_insertion_enter(L, body);
  MlirValue zero = hm_scalar_const(L, hm_element_of(source), 0);
  hm_build(L, (HmOpSpec){.name = "tensor.yield", .noperands = 1, .operands = &zero});
  hm_insertion_leave(L, outer);
  int32_t segments[3] = {1, (int32_t)pad->nlow_values, (int32_t)pad->nhigh_values};
  MlirNamedAttribute attrs[3] = {
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 3, segments)),
      hm_named(L, "static_low", hm_i64_array(L, pad->rank, pad->low)),
      hm_named(L, "static_high", hm_i64_array(L, pad->rank, pad->high)),
  };
  return hm_build_value(L, (HmOpSpec){.name = "tensor.pad", .nresults = 1, .results = &result,
                                      .noperands = (intptr_t)noperands, .operands = operands, .nattrs = 3,
                                      .attrs = attrs, .nregions = 1, .regions = &region});
}

MlirValue hm_empty_like(HmLowering *L, MlirValue like, MlirType element) {
  MlirType type = mlirValueGetType(like);
  intptr_t rank = mlirShapedTypeGetRank(type);
  int64_t *shape = hm_arena_new(&L->arena, int64_t, (size_t)rank);
  MlirValue *dynamic = hm_arena_new(&L->arena, MlirValue, (size_t)rank);
  size_t ndynamic = 0;
  if (!shape || !dynamic)
    return (MlirValue){NULL};
  for (intptr_t i = 0; i < rank; ++i) {
    shape[i] = mlirShapedTypeGetDimSize(type, i);
    if (mlirShapedTypeIsDynamicDim(type, i))
      dynamic[ndynamic++] = hm_tensor_dim(L, like, (size_t)i);
  }
  MlirType result = hm_ranked_tensor(L, (size_t)rank, shape, element);
  return hm_build_value(L, (HmOpSpec){.name = "tensor.empty", .nresults = 1, .results = &result,
                                      .noperands = (intptr_t)ndynamic, .operands = dynamic});
}

bool hm_cast_tensor(HmLowering *L, MlirValue tensor, MlirType element, MlirValue *out) {
  if (mlirTypeEqual(hm_element_of(tensor), element)) {
    *out = tensor;
    return true;
  }
  size_t rank = (size_t)mlirShapedTypeGetRank(mlirValueGetType(tensor));
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)rank);
  MlirAffineMap maps[2] = {identity, identity};
  return hm_generic(L, 1, &tensor, maps, hm_empty_like(L, tensor, element), rank, NULL, cast_body, &element, out);
}

bool hm_as_index(HmLowering *L, const HmIrValue *v, MlirValue *out) {
  MlirValue value = v->value;
  if (v->kind == HM_IR_INDEX) {
    *out = value;
    return true;
  }
  if (v->kind == HM_IR_TENSOR && mlirShapedTypeGetRank(mlirValueGetType(value)) == 0) {
    MlirType element = hm_element_of(value);
    value = hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &element,
                                         .noperands = 1, .operands = &value});
  } else if (v->kind != HM_IR_SCALAR) {
    return false;
  }
  MlirType type = mlirValueGetType(value), index = hm_index_type(L);
  if (!mlirTypeIsAInteger(type) || mlirIntegerTypeGetWidth(type) == 1)
    return false;
  *out = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &index,
                                      .noperands = 1, .operands = &value});
  return true;
}

MlirValue hm_arith(HmLowering *L, const char *name, MlirValue x, MlirValue y) {
  return hm_build_value(L, (HmOpSpec){.name = name, .noperands = 2, .operands = (MlirValue[]){x, y},
                                      .infer_results = true});
}

MlirValue hm_linalg_index(HmLowering *L, size_t dim) {
  MlirType index = hm_index_type(L);
  MlirNamedAttribute attr = hm_named(L, "dim", mlirIntegerAttrGet(mlirIntegerTypeGet(L->ctx, 64), (int64_t)dim));
  return hm_build_value(L, (HmOpSpec){.name = "linalg.index", .nresults = 1, .results = &index, .nattrs = 1,
                                      .attrs = &attr});
}

static MlirValue compare(HmLowering *L, const char *name, int predicate, MlirValue a, MlirValue b) {
  MlirType i1 = mlirIntegerTypeGet(L->ctx, 1);
  MlirNamedAttribute attr = hm_named(L, "predicate", mlirIntegerAttrGet(mlirIntegerTypeGet(L->ctx, 64), predicate));
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &i1, .noperands = 2,
                                      .operands = (MlirValue[]){a, b}, .nattrs = 1, .attrs = &attr});
}

MlirValue hm_cmpi(HmLowering *L, HmCmpIPredicate predicate, MlirValue a, MlirValue b) {
  return compare(L, "arith.cmpi", (int)predicate, a, b);
}

MlirValue hm_position_from_end(HmLowering *L, MlirValue position, MlirValue size) {
  MlirValue negative = hm_cmpi(L, HM_CMPI_SLT, position, hm_index_const(L, 0));
  MlirValue wrapped = hm_arith(L, "arith.addi", position, size);
  return hm_build_value(L, (HmOpSpec){.name = "arith.select", .noperands = 3,
                                      .operands = (MlirValue[]){negative, wrapped, position}, .infer_results = true});
}

MlirValue hm_cmpf(HmLowering *L, HmCmpFPredicate predicate, MlirValue a, MlirValue b) {
  return compare(L, "arith.cmpf", (int)predicate, a, b);
}

HmInsertion hm_insertion_enter(HmLowering *L, MlirBlock block) {
  HmInsertion saved = {L->block};
  L->block = block;
  return saved;
}

void hm_insertion_leave(HmLowering *L, HmInsertion saved) { L->block = saved.previous; }
