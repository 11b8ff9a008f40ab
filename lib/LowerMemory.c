/* Host memory access and masking: `load`, `store` and `_mask_to`.
 *
 * A load reads the tile's real elements (memref.subview + bufferization.to_tensor) and pads them with
 * zeros to the full tile (tensor.pad), so that tile tensors keep the tile's static shape. A store
 * writes back only the real elements (tensor.extract_slice + materialize_in_destination). `_mask_to`
 * overwrites the padding with a value (the identity of the reduction that follows).
 */
#include "Build.h"
#include "Tiles.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

enum { MAX_RANK = 16 };

/* Where a tile sits in a host tensor: per host dimension its offset and extent (the real elements),
 * and the padded length of the tile tensor's dimension. */
typedef struct Access {
  size_t rank;
  MlirValue offsets[MAX_RANK], extents[MAX_RANK];
  int64_t static_offsets[MAX_RANK], static_extents[MAX_RANK];
  HmDim tile_dims[MAX_RANK];
  bool padded[MAX_RANK];
  bool any_padded;
} Access;

static int64_t dynamic(void) { return mlirShapedTypeGetDynamicSize(); }

static void full_dim(HmLowering *L, const HmHostTensor *t, size_t d, Access *a) {
  a->static_offsets[d] = 0;
  a->static_extents[d] = t->shape[d].sym ? dynamic() : t->shape[d].value;
  a->offsets[d] = (MlirValue){NULL};
  if (t->shape[d].sym)
    hm_dim_value(L, t->shape[d], &a->extents[d]);
  a->tile_dims[d] = t->shape[d];
}

static void tile_dim(HmLowering *L, int block, HmDim tile, size_t d, Access *a) {
  const HmTile *tl = &L->tiles[block];
  a->static_offsets[d] = mlirShapedTypeGetDynamicStrideOrOffset();
  a->offsets[d] = tl->offset;
  a->static_extents[d] = tl->static_extent >= 0 ? tl->static_extent : dynamic();
  a->extents[d] = tl->extent;
  a->tile_dims[d] = tile;
  a->padded[d] = hm_tile_is_padded(L, tile);
  a->any_padded |= a->padded[d];
}

/* One index entry: a tile (a node whose value is a block's tile size), or `:` over a whole
 * dimension, which is a tile too when the result's size there is a (reduction) block's. */
static bool index_entry(HmLowering *L, HmScope *S, const HmNode *node, const HmHostTensor *t, size_t d,
                        const HmArg *entry, const HmVal *result, Access *a) {
  if (entry->kind == HM_ARG_NODE) {
    HmValue v = S->values[entry->node];
    if (v.kind != HM_V_INDEX || v.block_id < 0 || !L->tiles[v.block_id].active)
      return hm_node_error(L, node, "index %zu: only tiles of the enclosing loops are supported as indices", d);
    HmDim tile = {.sym = hm_spec_block_size(L->spec, (size_t)v.block_id)->symbol, .value = -1};
    tile_dim(L, v.block_id, tile, d, a);
    return true;
  }
  if (entry->kind == HM_ARG_SLICE && entry->items[0].kind == HM_ARG_NONE &&
      entry->items[1].kind == HM_ARG_NONE && entry->items[2].kind == HM_ARG_NONE) {
    HmDim dim = result && d < result->rank ? result->shape[d] : t->shape[d];
    int block = hm_dim_block(L, dim);
    if (block >= 0 && L->tiles[block].active)
      tile_dim(L, block, dim, d, a);
    else
      full_dim(L, t, d, a);
    return true;
  }
  return hm_node_error(L, node, "index %zu: integer, None, partial-slice and tensor indices are not supported", d);
}

static bool plan_access(HmLowering *L, HmScope *S, const HmNode *node, const HmHostTensor *t, const HmArg *index,
                        const HmVal *result, Access *a) {
  if (!index || index->kind != HM_ARG_LIST)
    return hm_node_error(L, node, "expected a list of indices");
  if (index->count != t->rank)
    return hm_node_error(L, node, "%zu indices for host tensor '%s' of rank %zu", index->count, t->name, t->rank);
  if (t->rank > MAX_RANK)
    return hm_node_error(L, node, "rank %zu is not supported", t->rank);
  *a = (Access){.rank = t->rank};
  for (size_t d = 0; d < t->rank; ++d)
    if (!index_entry(L, S, node, t, d, &index->items[d], result, a))
      return false;
  return true;
}

static MlirValue subview(HmLowering *L, MlirValue memref, const Access *a) {
  MlirType source = mlirValueGetType(memref);
  int64_t strides[MAX_RANK], offset, ones[MAX_RANK];
  mlirMemRefTypeGetStridesAndOffset(source, strides, &offset);
  MlirValue operands[1 + 2 * MAX_RANK];
  size_t n = 0;
  operands[n++] = memref;
  size_t noffsets = 0, nsizes = 0;
  for (size_t d = 0; d < a->rank; ++d)
    if (!mlirValueIsNull(a->offsets[d]) && a->static_offsets[d] != 0) {
      operands[n++] = a->offsets[d];
      ++noffsets;
    }
  for (size_t d = 0; d < a->rank; ++d) {
    ones[d] = 1;
    if (a->static_extents[d] == dynamic()) {
      operands[n++] = a->extents[d];
      ++nsizes;
    }
  }
  MlirAttribute layout = mlirStridedLayoutAttrGet(L->ctx, mlirShapedTypeGetDynamicStrideOrOffset(),
                                                  (intptr_t)a->rank, strides);
  MlirType type = mlirMemRefTypeGet(mlirShapedTypeGetElementType(source), (intptr_t)a->rank, a->static_extents,
                                    layout, mlirAttributeGetNull());
  int32_t segments[4] = {1, (int32_t)noffsets, (int32_t)nsizes, 0};
  MlirNamedAttribute attrs[4] = {
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 4, segments)),
      hm_named(L, "static_offsets", hm_i64_array(L, a->rank, a->static_offsets)),
      hm_named(L, "static_sizes", hm_i64_array(L, a->rank, a->static_extents)),
      hm_named(L, "static_strides", hm_i64_array(L, a->rank, ones)),
  };
  return hm_build_value(L, (HmOpSpec){.name = "memref.subview", .nresults = 1, .results = &type,
                                      .noperands = (intptr_t)n, .operands = operands, .nattrs = 4, .attrs = attrs});
}

static MlirValue to_tensor(HmLowering *L, MlirValue view) {
  MlirType mtype = mlirValueGetType(view);
  size_t rank = (size_t)mlirShapedTypeGetRank(mtype);
  int64_t shape[MAX_RANK];
  for (size_t d = 0; d < rank; ++d)
    shape[d] = mlirShapedTypeGetDimSize(mtype, (intptr_t)d);
  MlirType type = hm_ranked_tensor(L, rank, shape, mlirShapedTypeGetElementType(mtype));
  MlirNamedAttribute restrict_ = hm_named(L, "restrict", mlirUnitAttrGet(L->ctx));
  return hm_build_value(L, (HmOpSpec){.name = "bufferization.to_tensor", .nresults = 1, .results = &type,
                                      .noperands = 1, .operands = &view, .nattrs = 1, .attrs = &restrict_});
}

/* The padding a dimension needs: tile size - extent. */
static MlirValue pad_amount(HmLowering *L, const Access *a, size_t d) {
  int block = hm_dim_block(L, a->tile_dims[d]);
  MlirValue tile = L->tile_sizes[block];
  MlirAffineExpr ext = mlirAffineDimExprGet(L->ctx, 0);
  MlirAffineExpr size = L->static_tiles[block] >= 0 ? mlirAffineConstantExprGet(L->ctx, L->static_tiles[block])
                                                    : mlirAffineSymbolExprGet(L->ctx, 0);
  MlirAffineExpr e = mlirAffineAddExprGet(size, mlirAffineMulExprGet(ext, mlirAffineConstantExprGet(L->ctx, -1)));
  bool sym = L->static_tiles[block] < 0;
  MlirAffineMap map = mlirAffineMapGet(L->ctx, 1, sym ? 1 : 0, 1, &e);
  MlirValue extent = a->static_extents[d] == dynamic() ? a->extents[d] : hm_index_const(L, a->static_extents[d]);
  return hm_affine_apply(L, map, sym ? 2 : 1, (MlirValue[]){extent, tile});
}

static MlirValue pad(HmLowering *L, MlirValue tensor, const Access *a, MlirType result_type) {
  int64_t low[MAX_RANK] = {0}, high[MAX_RANK];
  MlirValue operands[1 + MAX_RANK];
  size_t n = 0;
  operands[n++] = tensor;
  for (size_t d = 0; d < a->rank; ++d) {
    high[d] = a->padded[d] ? mlirShapedTypeGetDynamicStrideOrOffset() : 0;
    if (a->padded[d])
      operands[n++] = pad_amount(L, a, d);
  }
  MlirType element = hm_element_of(tensor);
  MlirType index_types[MAX_RANK];
  for (size_t d = 0; d < a->rank; ++d)
    index_types[d] = hm_index_type(L);
  MlirBlock body;
  MlirRegion region = hm_region_with_block(L, a->rank, index_types, &body);
  MlirBlock outer = L->block;
  L->block = body;
  MlirValue zero = hm_scalar_const(L, element, 0);
  hm_build(L, (HmOpSpec){.name = "tensor.yield", .noperands = 1, .operands = &zero});
  L->block = outer;
  int32_t segments[3] = {1, 0, (int32_t)(n - 1)};
  MlirNamedAttribute attrs[3] = {
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 3, segments)),
      hm_named(L, "static_low", hm_i64_array(L, a->rank, low)),
      hm_named(L, "static_high", hm_i64_array(L, a->rank, high)),
  };
  return hm_build_value(L, (HmOpSpec){.name = "tensor.pad", .nresults = 1, .results = &result_type,
                                      .noperands = (intptr_t)n, .operands = operands, .nattrs = 3, .attrs = attrs,
                                      .nregions = 1, .regions = &region});
}

static bool host_operand(HmLowering *L, HmScope *S, const HmNode *node, const HmHostTensor **t, MlirValue *memref) {
  HmValue host;
  if (!hm_arg_value(L, S, node, hm_arg(L, node, 0), &host))
    return false;
  if (host.kind != HM_V_HOST)
    return hm_node_error(L, node, "loads and stores of tile values (not host tensors) are not supported");
  *t = hm_spec_host_tensor(L->spec, host.host);
  *memref = host.value;
  return true;
}

static bool no_extra_mask(HmLowering *L, const HmNode *node, size_t index) {
  if (node->nargs > index && node->args[index].kind != HM_ARG_NONE)
    return hm_node_error(L, node, "extra_mask is not supported");
  return true;
}

static bool lower_load(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  const HmHostTensor *t;
  MlirValue memref;
  Access a;
  if (!host_operand(L, S, node, &t, &memref) || !no_extra_mask(L, node, 2))
    return false;
  if (node->val.kind != HM_VAL_TENSOR || node->val.rank != t->rank)
    return hm_node_error(L, node, "a load's result must be a tensor of the host tensor's rank");
  if (!plan_access(L, S, node, t, hm_arg(L, node, 1), &node->val, &a))
    return false;
  MlirValue tensor = to_tensor(L, subview(L, memref, &a));
  MlirType tile_type = hm_tensor_type(L, &node->val);
  if (a.any_padded || !mlirTypeEqual(mlirValueGetType(tensor), tile_type))
    tensor = pad(L, tensor, &a, tile_type);
  *out = (HmValue){.kind = HM_V_TENSOR, .value = tensor, .block_id = -1};
  return true;
}

static MlirValue real_part(HmLowering *L, MlirValue tile, const Access *a, MlirType view_type) {
  int64_t zeros[MAX_RANK] = {0}, ones[MAX_RANK];
  MlirValue operands[1 + MAX_RANK];
  size_t n = 0;
  operands[n++] = tile;
  for (size_t d = 0; d < a->rank; ++d) {
    ones[d] = 1;
    if (a->static_extents[d] == dynamic())
      operands[n++] = a->extents[d];
  }
  int64_t shape[MAX_RANK];
  for (size_t d = 0; d < a->rank; ++d)
    shape[d] = mlirShapedTypeGetDimSize(view_type, (intptr_t)d);
  MlirType type = hm_ranked_tensor(L, a->rank, shape, hm_element_of(tile));
  int32_t segments[4] = {1, 0, (int32_t)(n - 1), 0};
  MlirNamedAttribute attrs[4] = {
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 4, segments)),
      hm_named(L, "static_offsets", hm_i64_array(L, a->rank, zeros)),
      hm_named(L, "static_sizes", hm_i64_array(L, a->rank, a->static_extents)),
      hm_named(L, "static_strides", hm_i64_array(L, a->rank, ones)),
  };
  return hm_build_value(L, (HmOpSpec){.name = "tensor.extract_slice", .nresults = 1, .results = &type,
                                      .noperands = (intptr_t)n, .operands = operands, .nattrs = 4, .attrs = attrs});
}

static bool lower_store(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  const HmHostTensor *t;
  MlirValue memref;
  HmValue value;
  Access a;
  if (!host_operand(L, S, node, &t, &memref) || !no_extra_mask(L, node, 3) || !hm_arg_tensor(L, S, node, 2, &value))
    return false;
  if ((size_t)mlirShapedTypeGetRank(mlirValueGetType(value.value)) != t->rank)
    return hm_node_error(L, node, "storing a tensor of another rank than host tensor '%s'", t->name);
  const HmNode *stored = hm_arg_node(S, &node->args[2]);
  if (!plan_access(L, S, node, t, hm_arg(L, node, 1), &stored->val, &a))
    return false;
  MlirValue view = subview(L, memref, &a);
  MlirValue tile;
  if (!hm_cast_tensor(L, value.value, hm_element_type(L, t->dtype), &tile))
    return false;
  bool exact = !a.any_padded && mlirShapedTypeHasStaticShape(mlirValueGetType(tile)) &&
               mlirShapedTypeHasStaticShape(mlirValueGetType(view));
  MlirValue real = exact ? tile : real_part(L, tile, &a, mlirValueGetType(view));
  MlirNamedAttribute attrs[2] = {hm_named(L, "restrict", mlirUnitAttrGet(L->ctx)),
                                 hm_named(L, "writable", mlirUnitAttrGet(L->ctx))};
  hm_build(L, (HmOpSpec){.name = "bufferization.materialize_in_destination", .noperands = 2,
                         .operands = (MlirValue[]){real, view}, .nattrs = 2, .attrs = attrs});
  *out = (HmValue){.kind = HM_V_NONE, .block_id = -1};
  return true;
}

typedef struct MaskBody {
  size_t rank;
  MlirValue extents[MAX_RANK]; /* null where the dimension has no padding */
  double other;
} MaskBody;

static bool mask_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  MaskBody *m = ctx;
  MlirValue keep = {NULL};
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64), index = hm_index_type(L);
  for (size_t d = 0; d < m->rank; ++d) {
    if (mlirValueIsNull(m->extents[d]))
      continue;
    MlirNamedAttribute dim = hm_named(L, "dim", mlirIntegerAttrGet(i64, (int64_t)d));
    MlirValue i = hm_build_value(L, (HmOpSpec){.name = "linalg.index", .nresults = 1, .results = &index,
                                               .nattrs = 1, .attrs = &dim});
    MlirNamedAttribute ult = hm_named(L, "predicate", mlirIntegerAttrGet(i64, 6));
    MlirValue in = hm_build_value(L, (HmOpSpec){.name = "arith.cmpi", .noperands = 2,
                                                .operands = (MlirValue[]){i, m->extents[d]}, .nattrs = 1,
                                                .attrs = &ult, .infer_results = true});
    keep = mlirValueIsNull(keep) ? in
                                 : hm_build_value(L, (HmOpSpec){.name = "arith.andi", .noperands = 2,
                                                                .operands = (MlirValue[]){keep, in},
                                                                .infer_results = true});
  }
  MlirValue other = hm_scalar_const(L, mlirValueGetType(args[0]), m->other);
  *result = hm_build_value(L, (HmOpSpec){.name = "arith.select", .noperands = 3,
                                         .operands = (MlirValue[]){keep, args[0], other}, .infer_results = true});
  return true;
}

static bool lower_mask_to(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  HmValue in;
  const HmArg *other = hm_arg(L, node, 1);
  if (!hm_arg_tensor(L, S, node, 0, &in) || !other)
    return false;
  if (other->kind != HM_ARG_FLOAT && other->kind != HM_ARG_INT && other->kind != HM_ARG_BOOL)
    return hm_node_error(L, node, "_mask_to needs a constant fill value");
  MaskBody m = {.rank = node->val.rank, .other = other->kind == HM_ARG_FLOAT ? other->f : (double)other->i};
  bool any = false;
  for (size_t d = 0; d < m.rank && d < MAX_RANK; ++d) {
    int block = hm_dim_block(L, node->val.shape[d]);
    m.extents[d] = (MlirValue){NULL};
    if (hm_tile_is_padded(L, node->val.shape[d])) {
      m.extents[d] = L->tiles[block].extent;
      any = true;
    }
  }
  *out = in;
  if (!any)
    return true; /* every element is real: nothing to mask */
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)m.rank);
  MlirAffineMap maps[2] = {identity, identity};
  MlirValue init;
  if (!hm_empty_tensor(L, &node->val, hm_element_of(in.value), &init))
    return false;
  return hm_generic(L, 1, &in.value, maps, init, m.rank, NULL, mask_body, &m, &out->value);
}

const HmOpEntry hm_memory_ops[] = {
    {"helion.language.memory_ops.load", lower_load, 0},
    {"helion.language.memory_ops.store", lower_store, 0},
    {"helion.language._tracing_ops._mask_to", lower_mask_to, 0},
    {NULL, NULL, 0},
};
