/* Host memory access and masking: `load`, `store` and `_mask_to`.
 *
 * An index list says, per dimension of the tensor it indexes, which elements a tile takes: a range
 * (a block's current tile, `:` over the whole dimension or a tile of it, or a slice `a:b`), one
 * position (an integer or a scalar value: the dimension is dropped), or positions read from an index
 * tensor (a gather: the index tensor's dimensions become the tile's); `None` adds a unit dimension.
 *
 * Without index tensors, a load reads the tile's real elements (a rank-reducing memref.subview +
 * bufferization.to_tensor), pads them with zeros to the full tile (tensor.pad) and adds the unit
 * dimensions (tensor.expand_shape), so tile tensors keep the tile's static shape. A host dimension of
 * size 1 that a load indexes with a tile broadcasts, as in Helion: the subview reads its element 0
 * with stride 0 over the tile's extent. A store writes back only the real elements
 * (tensor.extract_slice + materialize_in_destination).
 *
 * Accesses through index tensors (gathers and scatters) are Gather.c's. `extra_mask` selects
 * zero (loads) or the old elements (stores) where the mask is false, and a masked tile may reach past
 * the end of its tensor (clip_to_source). What no launch check sees stays inside the tensor too: a
 * position computed in the kernel (positions_inside; a negative one counts from the end, as torch's
 * indexing does) and the tile of a loop whose begin or end the kernel computes (clip_computed_ranges:
 * a computed begin may lie before the tensor).
 *
 * `_mask_to` overwrites the padding with a value (the identity of the reduction that follows).
 *
 * Over an hl.jagged_tile, each row's elements past its end are masked too (lower/Jagged.h): a load
 * reads them as zeros, a store leaves them unwritten and `_mask_to` overwrites them, as Helion's
 * codegen masks them.
 */
#include "lower/ops/Access.h"
#include "lower/Jagged.h"
#include "lower/Tiles.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

#include <string.h>

static int64_t dynamic(void) { return mlirShapedTypeGetDynamicSize(); }
static int64_t dynamic_offset(void) { return mlirShapedTypeGetDynamicStrideOrOffset(); }

static void tile_range(HmLowering *L, int block, size_t d, HmAccess *a) {
  const HmTile *tl = &L->tiles[block];
  HmDim tile = {.sym = hm_spec_block_size(L->spec, (size_t)block)->symbol, .value = -1};
  a->offsets[d] = tl->offset;
  a->static_offsets[d] = dynamic_offset();
  a->static_extents[d] = tl->static_extent >= 0 ? tl->static_extent : dynamic();
  a->extents[d] = tl->extent;
  a->block[d] = block;
  a->padded[d] = hm_tile_is_padded(L, tile);
  a->any_padded |= a->padded[d];
}

/* Elements [start, start + size) of a dimension no block tiles. */
static bool fixed_range(HmLowering *L, HmDim size, int64_t start, size_t d, HmAccess *a) {
  a->static_offsets[d] = start;
  a->static_extents[d] = size.sym ? dynamic() : size.value;
  return !size.sym || hm_dim_value(L, size, &a->extents[d]);
}

static void point(MlirValue offset, int64_t static_offset, size_t d, HmAccess *a) {
  a->kind[d] = HM_INDEX_POINT;
  a->offsets[d] = offset;
  a->static_offsets[d] = mlirValueIsNull(offset) ? static_offset : dynamic_offset();
  a->static_extents[d] = 1;
}

static int active_block(HmLowering *L, HmDim dim) {
  int block = hm_dim_block(L, dim);
  return block >= 0 && L->tiles[block].active ? block : -1;
}

/* The number of elements a slice takes when no stored value says it: `start:stop` clipped to the
 * dimension; a symbolic dimension only whole. */
static bool slice_size(HmLowering *L, const HmNode *node, const HmSource *src, size_t d, const HmArg *e, HmDim *out) {
  const HmArg *start = &e->items[0], *stop = &e->items[1], *step = &e->items[2];
  int64_t first = start->kind == HM_ARG_INT ? start->i : 0, every = step->kind == HM_ARG_INT ? step->i : 1;
  if (stop->kind == HM_ARG_NONE && first == 0 && every == 1) {
    *out = src->shape[d];
    return true;
  }
  if (src->shape[d].sym || (stop->kind != HM_ARG_NONE && stop->kind != HM_ARG_INT))
    return hm_node_error(L, node, "index %zu: a slice of a dimension of unknown size needs constant bounds", d);
  int64_t size = src->shape[d].value;
  int64_t last = stop->kind == HM_ARG_INT ? (stop->i < 0 ? stop->i + size : stop->i) : size;
  last = last > size ? size : last;
  *out = (HmDim){.value = last > first && every >= 1 ? (last - first + every - 1) / every : 0};
  return true;
}

/* `:` or `start:stop`: the tile of the block that sizes the tile dimension, shifted by `start`, or
 * the elements themselves when no block does. */
static bool slice_dim(HmLowering *L, const HmNode *node, const HmSource *src, size_t d, const HmArg *e,
                      HmDim tile_dim, HmAccess *a) {
  const HmArg *start = &e->items[0], *step = &e->items[2];
  if ((start->kind != HM_ARG_NONE && start->kind != HM_ARG_INT) ||
      (step->kind != HM_ARG_NONE && !(step->kind == HM_ARG_INT && step->i >= 1)))
    return hm_node_error(L, node, "index %zu: only slices with constant bounds and a positive step are supported", d);
  int64_t first = start->kind == HM_ARG_INT ? start->i : 0;
  if (first < 0)
    return hm_node_error(L, node, "index %zu: slices from the end are not supported", d);
  a->step[d] = step->kind == HM_ARG_INT ? step->i : 1;
  if (a->step[d] != 1) { /* Helion gives a strided slice its own block: its elements are the tile */
    /* Its elements are not the looped reduction's chunk: inside such a loop each step would redo them all. */
    for (size_t b = 0; b < hm_spec_num_block_sizes(L->spec); ++b) {
      const HmBlockSize *bs = hm_spec_block_size(L->spec, b);
      if (L->tiles[b].active && bs->reduction && bs->looped)
        return hm_node_error(L, node, "index %zu: a strided slice inside a looped reduction (reduction_loops) is "
                                      "not supported: keep that reduction persistent (reduction_loops None)", d);
    }
    HmDim count;
    return slice_size(L, node, src, d, e, &count) && fixed_range(L, count, first, d, a);
  }
  int block = active_block(L, tile_dim);
  if (block < 0) {
    bool whole = e->items[1].kind == HM_ARG_NONE && first == 0 && a->step[d] == 1;
    return fixed_range(L, whole ? src->shape[d] : tile_dim, first, d, a);
  }
  tile_range(L, block, d, a);
  if (first != 0) {
    MlirAffineExpr shifted = mlirAffineAddExprGet(mlirAffineDimExprGet(L->ctx, 0),
                                                  mlirAffineConstantExprGet(L->ctx, first));
    a->offsets[d] = hm_affine_apply(L, mlirAffineMapGet(L->ctx, 1, 0, 1, &shifted), 1, &a->offsets[d]);
  }
  return true;
}

/* Helion specialises the tile size of a loop over one element to the constant 1, and an index by
 * that loop's tile becomes `_get_symnode("1")`: the active loop block (not the grid's, not a
 * persistent reduction) with that tile size, or -1 when there is none or more than one. */
static int constant_tile(HmLowering *L, HmScope *S, const HmArg *e) {
  const HmNode *n = hm_arg_node(S, e);
  if (!n || !hm_node_is(L, n, HM_OP_GET_SYMNODE) || n->val.kind != HM_SPEC_INT)
    return -1;
  int found = -1;
  for (size_t b = 0; b < hm_spec_num_block_sizes(L->spec); ++b) {
    const HmBlockSize *bs = hm_spec_block_size(L->spec, b);
    if (L->tiles[b].active && !bs->grid && bs->looped && bs->tile_size == n->val.i) {
      if (found >= 0)
        return -1;
      found = (int)b;
    }
  }
  return found;
}

/* A node index: a tile of an enclosing loop, a scalar position, or an index tensor. With
 * `constants_as_tiles`, a constant tile size names its loop's tile (constant_tile). */
static bool node_dim(HmLowering *L, HmScope *S, const HmNode *node, const HmSource *src, size_t d, const HmArg *e,
                     bool constants_as_tiles, HmAccess *a) {
  HmIrValue v = S->values[e->node];
  if (v.kind == HM_IR_INDEX && v.block_id >= 0 && L->tiles[v.block_id].active) {
    tile_range(L, v.block_id, d, a);
    return true;
  }
  int block = constants_as_tiles ? constant_tile(L, S, e) : -1;
  if (block >= 0) {
    tile_range(L, block, d, a);
    return true;
  }
  MlirValue position;
  if (hm_as_index(L, &v, &position)) {
    point(position, 0, d, a);
    a->grid_index[d] = hm_tile_grid_index_fits(L, S, e, src->shape[d]);
    a->signed_position[d] = !hm_tile_nonnegative_position(L, S, e);
    return true;
  }
  if (v.kind == HM_IR_TENSOR && mlirTypeIsAInteger(hm_element_of(v.value))) {
    a->kind[d] = HM_INDEX_TENSOR;
    a->index_tensor[d] = v.value;
    a->any_gather = true;
    return true;
  }
  return hm_node_error(L, node, "index %zu: expected a tile, an integer or an integer index tensor", d);
}

static bool plan_dim(HmLowering *L, HmScope *S, const HmNode *node, const HmSource *src, size_t d,
                     const HmArg *e, HmDim tile_dim, bool constants_as_tiles, HmAccess *a) {
  a->kind[d] = HM_INDEX_RANGE;
  a->block[d] = -1;
  a->step[d] = 1;
  switch (e->kind) {
  case HM_ARG_INT:
    if (e->i < 0 && src->shape[d].sym) { /* from the end of a size known at run time, checked like a computed one */
      MlirValue size;
      if (!hm_dim_value(L, src->shape[d], &size))
        return false;
      point(hm_arith(L, "arith.addi", size, hm_index_const(L, e->i)), 0, d, a);
      return true;
    }
    point((MlirValue){NULL}, e->i < 0 ? e->i + src->shape[d].value : e->i, d, a);
    return true;
  case HM_ARG_SLICE: return slice_dim(L, node, src, d, e, tile_dim, a);
  case HM_ARG_NODE: return node_dim(L, S, node, src, d, e, constants_as_tiles, a);
  default: return hm_node_error(L, node, "index %zu: unsupported index", d);
  }
}

/* The tile dimensions dimension `d` gives. */
static size_t result_dims(const HmAccess *a, size_t d) {
  if (a->kind[d] == HM_INDEX_POINT)
    return 0;
  return a->kind[d] == HM_INDEX_TENSOR ? (size_t)mlirShapedTypeGetRank(mlirValueGetType(a->index_tensor[d])) : 1;
}

/* Helion reads a host dimension of size 1 that a tile indexes as broadcast over the tile: its index
 * drops out of the address. A store there stays a range (an extent past 1 is the launch check's). */
static void broadcast_dim(const HmSource *src, size_t d, HmAccess *a) {
  if (!src->host || a->kind[d] != HM_INDEX_RANGE || a->block[d] < 0 || src->shape[d].sym || src->shape[d].value != 1)
    return;
  a->broadcast[d] = true;
  a->offsets[d] = (MlirValue){NULL};
  a->static_offsets[d] = 0;
}

/* Helion drops a host dimension of static size 1 from the address (SubscriptIndexing.create: "a size-1
 * dimension contributes offset 0"): a grid index there, whatever its value (flex attention's
 * kv_num_blocks[b, h, row] of a [1, 1, 1] block mask over b and h), reads and writes its one element,
 * the broadcast the kernel means. A computed position past the end (x[tile.end]) stays one: it reads
 * zero and is not written, as anywhere else. */
static void size_one_point(HmLowering *L, HmScope *S, const HmArg *e, const HmSource *src, size_t d, HmAccess *a) {
  if (!src->host || a->kind[d] != HM_INDEX_POINT || src->shape[d].sym || src->shape[d].value != 1 ||
      !hm_tile_is_grid_index(L, S, e))
    return;
  a->offsets[d] = (MlirValue){NULL};
  a->static_offsets[d] = 0;
  a->grid_index[d] = false;
  a->signed_position[d] = false;
}

/* Each index tensor of a group of adjacent ones takes the group's last dimensions (right-aligned
 * broadcasting); plan_access_as left result_dim at the group's first dimension. */
static void align_groups(HmAccess *a) {
  for (size_t d = 0; d < a->rank;) {
    size_t end = d + 1, width = result_dims(a, d);
    while (a->kind[d] == HM_INDEX_TENSOR && end < a->rank && a->kind[end] == HM_INDEX_TENSOR &&
           a->result_dim[end] == a->result_dim[d]) {
      width = result_dims(a, end) > width ? result_dims(a, end) : width;
      ++end;
    }
    for (size_t k = d; end > d + 1 && k < end; ++k)
      a->result_dim[k] += width - result_dims(a, k);
    d = end;
  }
}

/* The rank of index entry `e` when it is an integer index tensor, else -1. */
static int index_tensor_rank(HmScope *S, const HmArg *e) {
  if (e->kind != HM_ARG_NODE)
    return -1;
  HmIrValue v = S->values[e->node];
  if (v.kind != HM_IR_TENSOR || !mlirTypeIsAInteger(hm_element_of(v.value)))
    return -1;
  return (int)mlirShapedTypeGetRank(mlirValueGetType(v.value));
}

/* Helion indexes by adjacent 1-D index tensors as a cartesian product, each its own tile dimension
 * (`out[rows, cols]` with 8 rows and 8 columns writes 8 x 8 elements:
 * CompileEnvironment.tensor_indexer_broadcast_shape); only a group holding a tensor of another rank
 * broadcasts together. Marks the entries of cartesian groups. */
static void cartesian_groups(HmScope *S, const HmArg *index, bool *cartesian) {
  for (size_t i = 0; i < index->count;) {
    size_t end = i;
    bool all_1d = true;
    while (end < index->count && index_tensor_rank(S, &index->items[end]) >= 0)
      all_1d &= index_tensor_rank(S, &index->items[end++]) == 1;
    for (size_t k = i; k < end; ++k)
      cartesian[k] = all_1d && end - i > 1;
    i = end > i ? end : i + 1;
  }
}

static bool plan_access_as(HmLowering *L, HmScope *S, const HmNode *node, const HmSource *src, const HmArg *index,
                           const HmSpecValue *tile, bool load, bool constants_as_tiles, HmAccess *a) {
  if (!index || index->kind != HM_ARG_LIST)
    return hm_node_error(L, node, "expected a list of indices");
  if (src->rank > HM_MAX_RANK || index->count > HM_MAX_RANK)
    return hm_node_error(L, node, "rank %zu is not supported", src->rank);
  *a = (HmAccess){.rank = src->rank};
  size_t d = 0, r = 0, group_rank = 0;
  bool in_group = false; /* the previous index was an index tensor */
  bool cartesian[HM_MAX_RANK] = {false};
  cartesian_groups(S, index, cartesian);
  for (size_t i = 0; i < index->count; ++i) {
    const HmArg *e = &index->items[i];
    if (r >= HM_MAX_RANK)
      return hm_node_error(L, node, "the indices give a tile of more than %d dimensions", HM_MAX_RANK);
    if (e->kind == HM_ARG_NONE) {
      a->new_dim[r++] = a->any_new = true;
      in_group = false;
      continue;
    }
    if (d >= src->rank)
      return hm_node_error(L, node, "too many indices for '%s' of rank %zu", src->name, src->rank);
    HmDim tile_dim = tile && r < tile->rank ? tile->shape[r] : src->shape[d];
    if (!tile && e->kind == HM_ARG_SLICE && !slice_size(L, node, src, d, e, &tile_dim))
      return false;
    if (!plan_dim(L, S, node, src, d, e, tile_dim, constants_as_tiles, a))
      return false;
    if (load)
      broadcast_dim(src, d, a);
    size_one_point(L, S, e, src, d, a);
    size_t rank = result_dims(a, d);
    if (a->kind[d] == HM_INDEX_TENSOR && in_group) {
      /* Adjacent index tensors broadcast together, as torch's advanced indexing does
       * (`B[rows[:, :, None], cols[None, None, :]]`): one group of dimensions, each right-aligned. */
      a->result_dim[d] = a->result_dim[d - 1];
      if (rank > group_rank) {
        r += rank - group_rank;
        group_rank = rank;
      }
    } else {
      a->result_dim[d] = r;
      r += rank;
      group_rank = rank;
    }
    in_group = a->kind[d] == HM_INDEX_TENSOR && !cartesian[i];
    ++d;
  }
  if (d != src->rank)
    return hm_node_error(L, node, "%zu indices for '%s' of rank %zu", d, src->name, src->rank);
  align_groups(a);
  for (size_t k = 0; a->any_gather && k < d; ++k)
    if (a->kind[k] == HM_INDEX_RANGE && a->step[k] != 1)
      return hm_node_error(L, node, "index %zu: a slice with a step beside an index tensor is not supported", k);
  a->nresult = r;
  if (!tile)
    return true;
  if (r < tile->rank && !constants_as_tiles)
    return plan_access_as(L, S, node, src, index, tile, load, true, a);
  if (r != tile->rank)
    return hm_node_error(L, node, "the indices give a tile of rank %zu where the value has rank %zu", r, tile->rank);
  return true;
}

/* A constant index is a position (the dimension is dropped), unless the value keeps a dimension for
 * it: then it is the tile of a loop over one element. A null `tile` (a scalar stored) takes the tile
 * the indices give, of any rank. A position the kernel gives (an int argument, `tile.begin - 1`) counts
 * from the end when negative, as torch's indexing (Helion's reference mode) does; a grid index never is. */
static bool plan_access(HmLowering *L, HmScope *S, const HmNode *node, const HmSource *src, const HmArg *index,
                        const HmSpecValue *tile, bool load, HmAccess *a) {
  if (!plan_access_as(L, S, node, src, index, tile, load, false, a))
    return false;
  for (size_t d = 0; src->host && d < a->rank; ++d) {
    MlirValue size;
    if (a->kind[d] != HM_INDEX_POINT || !a->signed_position[d])
      continue;
    if (!hm_dim_value(L, src->shape[d], &size))
      return false;
    a->offsets[d] = hm_position_from_end(L, a->offsets[d], size);
  }
  return true;
}

/* memref.subview of the real elements; point dimensions are dropped from the view's type. */
static MlirValue subview(HmLowering *L, MlirValue memref, const HmAccess *a) {
  MlirType source = mlirValueGetType(memref);
  int64_t strides[HM_MAX_RANK], offset, steps[HM_MAX_RANK], kept_shape[HM_MAX_RANK], kept_strides[HM_MAX_RANK];
  mlirMemRefTypeGetStridesAndOffset(source, strides, &offset);
  MlirValue operands[1 + 2 * HM_MAX_RANK];
  size_t n = 0, noffsets = 0, nsizes = 0, kept = 0;
  operands[n++] = memref;
  for (size_t d = 0; d < a->rank; ++d)
    if (!mlirValueIsNull(a->offsets[d])) {
      operands[n++] = a->offsets[d];
      ++noffsets;
    }
  for (size_t d = 0; d < a->rank; ++d) {
    /* A broadcast tile one wide keeps stride 1 (the same element): a unit dimension of stride 0
     * beside a dropped unit dimension makes the rank reduction ambiguous, and MLIR's folders crash. */
    bool repeat = a->broadcast[d] && a->static_extents[d] != 1;
    if (repeat)
      strides[d] = 0;
    steps[d] = repeat ? 0 : a->step[d];
    int64_t view_stride = strides[d];
    if (view_stride != dynamic_offset() && __builtin_mul_overflow(view_stride, steps[d], &view_stride))
      view_stride = dynamic_offset();
    if (a->static_extents[d] == dynamic()) {
      operands[n++] = a->extents[d];
      ++nsizes;
    }
    if (a->kind[d] != HM_INDEX_POINT) {
      kept_shape[kept] = a->static_extents[d];
      kept_strides[kept++] = view_stride;
    }
  }
  /* The view's offset as MLIR infers it, which the type must match: static when every term
   * offset * stride is, and a term with a static 0 on either side is 0 whatever the other is (the
   * first row of a tensor of dynamic strides, any row of a broadcast one). */
  int64_t view_offset = offset;
  for (size_t d = 0; d < a->rank && view_offset != dynamic_offset(); ++d) {
    int64_t term;
    if (a->static_offsets[d] == 0 || strides[d] == 0)
      continue;
    if (a->static_offsets[d] == dynamic_offset() || strides[d] == dynamic_offset() ||
        __builtin_mul_overflow(a->static_offsets[d], strides[d], &term) ||
        __builtin_add_overflow(view_offset, term, &view_offset))
      view_offset = dynamic_offset();
  }
  MlirAttribute layout = mlirStridedLayoutAttrGet(L->ctx, view_offset, (intptr_t)kept, kept_strides);
  MlirType type = mlirMemRefTypeGet(mlirShapedTypeGetElementType(source), (intptr_t)kept, kept_shape, layout,
                                    mlirAttributeGetNull());
  int32_t segments[4] = {1, (int32_t)noffsets, (int32_t)nsizes, 0};
  MlirNamedAttribute attrs[4] = {
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 4, segments)),
      hm_named(L, "static_offsets", hm_i64_array(L, a->rank, a->static_offsets)),
      hm_named(L, "static_sizes", hm_i64_array(L, a->rank, a->static_extents)),
      hm_named(L, "static_strides", hm_i64_array(L, a->rank, steps)),
  };
  return hm_build_value(L, (HmOpSpec){.name = "memref.subview", .nresults = 1, .results = &type,
                                      .noperands = (intptr_t)n, .operands = operands, .nattrs = 4, .attrs = attrs});
}

static MlirValue to_tensor(HmLowering *L, MlirValue view) {
  MlirType mtype = mlirValueGetType(view);
  size_t rank = (size_t)mlirShapedTypeGetRank(mtype);
  int64_t shape[HM_MAX_RANK];
  for (size_t d = 0; d < rank; ++d)
    shape[d] = mlirShapedTypeGetDimSize(mtype, (intptr_t)d);
  MlirType type = hm_ranked_tensor(L, rank, shape, mlirShapedTypeGetElementType(mtype));
  MlirNamedAttribute restrict_ = hm_named(L, "restrict", mlirUnitAttrGet(L->ctx));
  return hm_build_value(L, (HmOpSpec){.name = "bufferization.to_tensor", .nresults = 1, .results = &type,
                                      .noperands = 1, .operands = &view, .nattrs = 1, .attrs = &restrict_});
}

/* The padding a dimension needs: tile size - extent. */
static MlirValue pad_amount(HmLowering *L, const HmAccess *a, size_t d, int block) {
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

/* tensor.pad with zeros at the high end of each padded or short (non-point) dimension, up to
 * `result_type`, the type of `tile` (whose dimensions say which block's tile size each pads to), and
 * at the low end of a dimension clipped at the tensor's start. */
static MlirValue pad(HmLowering *L, MlirValue tensor, const HmAccess *a, const HmSpecValue *tile, MlirType result_type) {
  int64_t low[HM_MAX_RANK] = {0}, high[HM_MAX_RANK];
  MlirValue lows[HM_MAX_RANK], highs[HM_MAX_RANK];
  size_t nlow = 0, nhigh = 0, rank = 0;
  for (size_t d = 0; d < a->rank; ++d) {
    if (a->kind[d] == HM_INDEX_POINT)
      continue;
    /* A range no block tiles (a strided slice) may be shorter than its tile's dimension too: a
     * constant amount, or up to the tile size of the dimension's block. */
    int64_t want = mlirShapedTypeGetDimSize(result_type, (intptr_t)rank);
    int block = a->padded[d] ? a->block[d] : -1;
    if (block < 0 && a->static_extents[d] != dynamic() && want == dynamic())
      block = hm_dim_block(L, tile->shape[a->result_dim[d]]);
    bool short_range = block < 0 && a->static_extents[d] != dynamic() && want != dynamic() &&
                       want > a->static_extents[d];
    high[rank] = block >= 0 ? dynamic_offset() : short_range ? want - a->static_extents[d] : 0;
    if (!mlirValueIsNull(a->low[d])) {
      low[rank] = dynamic_offset();
      lows[nlow++] = a->low[d];
    }
    if (block >= 0) {
      MlirValue amount = pad_amount(L, a, d, block);
      highs[nhigh++] = mlirValueIsNull(a->low[d]) ? amount : hm_arith(L, "arith.subi", amount, a->low[d]);
    }
    ++rank;
  }
  HmPad zeros = {.rank = rank, .low = low, .high = high, .nlow_values = nlow, .nhigh_values = nhigh,
                 .low_values = lows, .high_values = highs};
  return hm_pad_zeros(L, tensor, &zeros, result_type);
}

/* The tile's type without the unit dimensions None adds. */
static MlirType unexpanded_type(HmLowering *L, const HmSpecValue *tile, const HmAccess *a) {
  int64_t shape[HM_MAX_RANK];
  size_t rank = 0;
  for (size_t r = 0; r < tile->rank; ++r)
    if (!a->new_dim[r])
      shape[rank++] = hm_static_dim(L, tile->shape[r]);
  return hm_ranked_tensor(L, rank, shape, hm_element_type(L, tile->dtype));
}

static bool expand_new_dims(HmLowering *L, MlirValue tensor, const HmSpecValue *tile, const HmAccess *a, MlirValue *out) {
  if (!a->any_new) {
    *out = tensor;
    return true;
  }
  return hm_expand_unit_dims(L, tensor, tile, a->new_dim, out);
}

static bool source_of(HmLowering *L, HmScope *S, const HmNode *node, HmSource *src) {
  HmIrValue v;
  if (!hm_arg_value(L, S, node, hm_arg(L, node, 0), &v))
    return false;
  if (v.kind == HM_IR_HOST) {
    const HmHostTensor *t = hm_spec_host_tensor(L->spec, v.host);
    *src = (HmSource){.rank = t->rank, .shape = t->shape, .value = v.value, .host = true, .name = t->name,
                      .dtype = t->dtype};
    return true;
  }
  const HmNode *producer = hm_arg_node(S, &node->args[0]);
  if (v.kind != HM_IR_TENSOR || producer->val.kind != HM_SPEC_TENSOR)
    return hm_node_error(L, node, "'%s' indexes something that is neither a host tensor nor a tile", node->target);
  *src = (HmSource){.rank = producer->val.rank, .shape = producer->val.shape, .value = v.value, .name = producer->name,
                    .dtype = producer->val.dtype};
  return true;
}

/* The extra_mask argument (hl.load/hl.store(..., extra_mask=m)): a boolean tensor broadcast over the
 * tile, or a null value when there is none. */
static bool extra_mask(HmLowering *L, HmScope *S, const HmNode *node, size_t index, MlirValue *out) {
  *out = (MlirValue){NULL};
  if (node->nargs <= index || node->args[index].kind == HM_ARG_NONE)
    return true;
  HmIrValue mask;
  if (!hm_arg_value(L, S, node, &node->args[index], &mask))
    return false;
  MlirType element = mask.kind == HM_IR_TENSOR ? hm_element_of(mask.value) : (MlirType){NULL};
  if (mlirTypeIsNull(element) || !mlirTypeIsAInteger(element) || mlirIntegerTypeGetWidth(element) != 1)
    return hm_node_error(L, node, "extra_mask must be a boolean tensor");
  *out = mask.value;
  return true;
}

/* The mask's indexing map into the tile's loops: aligned on the right, unit dimensions broadcast. */
static MlirAffineMap mask_map(HmLowering *L, MlirValue mask, const HmSpecValue *tile) {
  MlirType type = mlirValueGetType(mask);
  size_t rank = (size_t)mlirShapedTypeGetRank(type);
  MlirAffineExpr exprs[HM_MAX_RANK];
  for (size_t k = 0; k < rank && k < HM_MAX_RANK; ++k) {
    size_t d = tile->rank - rank + k;
    bool broadcast = mlirShapedTypeGetDimSize(type, (intptr_t)k) == 1 && hm_static_dim(L, tile->shape[d]) != 1;
    exprs[k] = broadcast ? mlirAffineConstantExprGet(L->ctx, 0) : mlirAffineDimExprGet(L->ctx, (intptr_t)d);
  }
  return mlirAffineMapGet(L->ctx, (intptr_t)tile->rank, 0, (intptr_t)rank, exprs);
}

static bool select_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  *result = hm_build_value(L, (HmOpSpec){.name = "arith.select", .noperands = 3,
                                         .operands = (MlirValue[]){args[0], args[1], args[2]}, .infer_results = true});
  return true;
}

/* select(mask, on, off) over the tile; `off` may be null for zeros. */
static bool select_masked(HmLowering *L, MlirValue mask, MlirValue on, MlirValue off, const HmSpecValue *tile,
                          MlirValue *out) {
  if (mlirValueIsNull(off))
    off = hm_fill(L, hm_empty_like(L, on, hm_element_of(on)), hm_scalar_const(L, hm_element_of(on), 0));
  if (mlirShapedTypeGetRank(mlirValueGetType(mask)) > (intptr_t)tile->rank || tile->rank > HM_MAX_RANK)
    return hm_node_error(L, L->node, "extra_mask has more dimensions than the tile");
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)tile->rank);
  MlirAffineMap maps[4] = {mask_map(L, mask, tile), identity, identity, identity};
  MlirValue inputs[3] = {mask, on, off};
  return hm_generic(L, 3, inputs, maps, hm_empty_like(L, on, hm_element_of(on)), tile->rank, NULL, select_body, NULL,
                    out);
}

/* The size of a host tensor's dimension, as an index value. */
static MlirValue host_dim(HmLowering *L, const HmSource *src, size_t d) {
  int64_t size = mlirShapedTypeGetDimSize(mlirValueGetType(src->value), (intptr_t)d);
  if (size != dynamic())
    return hm_index_const(L, size);
  MlirType index = hm_index_type(L);
  return hm_build_value(L, (HmOpSpec){.name = "memref.dim", .nresults = 1, .results = &index, .noperands = 2,
                                      .operands = (MlirValue[]){src->value, hm_index_const(L, (int64_t)d)}});
}

/* A position computed in the kernel (`out[tile.end]`) may fall outside its dimension, where Triton's
 * unmasked store writes whatever memory is there; here the store is skipped, and a load reads zeros
 * (read_inside). The condition that every such position is inside, or null when no position is
 * computed. An unmasked load (`checked`) trusts a grid index that provably stays inside its dimension;
 * a grid over more elements than the dimension is a position like a computed one. */
static MlirValue positions_inside(HmLowering *L, const HmSource *src, const HmAccess *a, bool checked) {
  MlirValue inside = {NULL};
  for (size_t d = 0; d < a->rank; ++d)
    if (a->kind[d] == HM_INDEX_POINT && !mlirValueIsNull(a->offsets[d]) && !(checked && a->grid_index[d])) {
      MlirValue in = hm_cmpi(L, HM_CMPI_ULT, a->offsets[d], host_dim(L, src, d));
      inside = mlirValueIsNull(inside) ? in : hm_arith(L, "arith.andi", inside, in);
    }
  return inside;
}

/* Whether dimension d is a tile's range into the host tensor, which clipping can shorten. */
static bool clippable(const HmAccess *a, size_t d) {
  return a->kind[d] == HM_INDEX_RANGE && a->block[d] >= 0 && !a->broadcast[d] && !mlirValueIsNull(a->offsets[d]);
}

/* Dimension d's tile range clipped to the tensor, from min(offset, size) for at most size - offset
 * elements: a load reads the rest as padding (zeros) and a store leaves it unwritten. A tile of a loop
 * whose begin the kernel computes may start before the tensor: its real elements are then clipped to
 * [max(offset, 0), ...), after the padding `low` (none for a tile past the end; at most the extent: a
 * tile wholly before the tensor is all padding). */
static bool clip_dim(HmLowering *L, const HmSource *src, HmAccess *a, size_t d) {
  MlirValue size = src->shape[d].sym ? (MlirValue){NULL} : hm_index_const(L, src->shape[d].value);
  if (src->shape[d].sym && !hm_dim_value(L, src->shape[d], &size))
    return false;
  MlirValue extent = a->static_extents[d] == dynamic() ? a->extents[d] : hm_index_const(L, a->static_extents[d]);
  a->static_extents[d] = dynamic();
  a->padded[d] = a->any_padded = true;
  if (!L->tiles[a->block[d]].range.begin.computed) {
    a->offsets[d] = hm_arith(L, "arith.minsi", a->offsets[d], size);
    a->extents[d] = hm_arith(L, "arith.minsi", extent, hm_arith(L, "arith.subi", size, a->offsets[d]));
    return true;
  }
  MlirValue zero = hm_index_const(L, 0), offset = a->offsets[d];
  MlirValue start = hm_arith(L, "arith.minsi", hm_arith(L, "arith.maxsi", offset, zero), size);
  MlirValue stop = hm_arith(L, "arith.addi", offset, extent);
  stop = hm_arith(L, "arith.minsi", hm_arith(L, "arith.maxsi", stop, zero), size);
  MlirValue before = hm_arith(L, "arith.maxsi", hm_arith(L, "arith.subi", start, offset), zero);
  a->low[d] = hm_arith(L, "arith.minsi", before, extent);
  a->offsets[d] = start;
  a->extents[d] = hm_arith(L, "arith.subi", stop, start);
  return true;
}

/* A masked access may index past the end of its tensor: concatenate's `hl.load(x, [tile0, tile1],
 * extra_mask=tile1.index < x.size(1))` with tiles over the wider output, where Triton reads nothing
 * for the masked lanes. Every tile range that may reach past its dimension is clipped to it. */
static bool clip_to_source(HmLowering *L, const HmSource *src, HmAccess *a) {
  for (size_t d = 0; d < a->rank; ++d) {
    if (!clippable(a, d))
      continue;
    const HmBound *end = &L->tiles[a->block[d]].range.end;
    if (!src->shape[d].sym && end->constant >= 0 && end->constant <= src->shape[d].value &&
        !L->tiles[a->block[d]].range.begin.computed)
      continue;
    if (!clip_dim(L, src, a, d))
      return false;
  }
  return true;
}

/* The tile of a loop whose begin or end the kernel computes (`hl.tile(offsets[g], offsets[g + 1])`, an
 * outer tile's begin or end) spans what no launch check sees, and Triton would read and write before
 * or past the tensor there: its range is clipped to the tensor as a masked access's is. */
static bool clip_computed_ranges(HmLowering *L, const HmSource *src, HmAccess *a) {
  for (size_t d = 0; d < a->rank; ++d)
    if (clippable(a, d) && hm_tile_range_computed(L, a->block[d]) && !clip_dim(L, src, a, d))
      return false;
  return true;
}

/* Indexing a tile value: only whole dimensions and None (`tile.index[:, None]`), which reshape it. */
static bool load_from_tile(HmLowering *L, const HmNode *node, const HmSource *src, const HmArg *index,
                           HmIrValue *out) {
  HmAccess a = {.rank = src->rank};
  size_t r = 0;
  for (size_t i = 0; index && index->kind == HM_ARG_LIST && i < index->count && r < HM_MAX_RANK; ++i) {
    const HmArg *e = &index->items[i];
    bool whole = e->kind == HM_ARG_SLICE && e->items[0].kind == HM_ARG_NONE && e->items[1].kind == HM_ARG_NONE &&
                 e->items[2].kind == HM_ARG_NONE;
    if (e->kind != HM_ARG_NONE && !whole)
      return hm_node_error(L, node, "index %zu: a tile value can only be indexed with ':' and None", i);
    a.new_dim[r++] = e->kind == HM_ARG_NONE;
    a.any_new |= e->kind == HM_ARG_NONE;
  }
  if (r != node->val.rank)
    return hm_node_error(L, node, "the indices give a tile of rank %zu where the value has rank %zu", r,
                         node->val.rank);
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return expand_new_dims(L, src->value, &node->val, &a, &out->value);
}

static bool read_tile(HmLowering *L, const HmNode *node, const HmSource *src, const HmAccess *a, MlirValue *out) {
  MlirValue tensor = to_tensor(L, subview(L, src->value, a));
  MlirType tile_type = unexpanded_type(L, &node->val, a);
  if (a->any_padded || !mlirTypeEqual(mlirValueGetType(tensor), tile_type))
    tensor = pad(L, tensor, a, &node->val, tile_type);
  return expand_new_dims(L, tensor, &node->val, a, out);
}

/* A position computed in the kernel (`x[tile.end]`, `x[tile, column]`) may fall outside its
 * dimension, where Triton's unmasked load reads whatever memory is there: here the load reads
 * nothing and gives zeros, as a masked load's masked lanes are (the store's counterpart:
 * positions_inside). */
static bool read_inside(HmLowering *L, const HmNode *node, const HmSource *src, const HmAccess *a, MlirValue inside,
                        MlirValue *out) {
  MlirBlock then, otherwise;
  MlirRegion regions[2] = {hm_region_with_block(L, 0, NULL, &then), hm_region_with_block(L, 0, NULL, &otherwise)};
  HmInsertion outer = hm_insertion_enter(L, then);
  MlirValue loaded = {NULL}, zeros = {NULL};
  bool ok = read_tile(L, node, src, a, &loaded);
  if (ok)
    hm_build(L, (HmOpSpec){.name = "scf.yield", .noperands = 1, .operands = &loaded});
  hm_insertion_leave(L, outer);
  outer = hm_insertion_enter(L, otherwise);
  MlirType element = hm_element_type(L, node->val.dtype);
  ok = ok && hm_empty_tensor(L, &node->val, element, &zeros);
  if (ok) {
    zeros = hm_fill(L, zeros, hm_scalar_const(L, element, 0));
    hm_build(L, (HmOpSpec){.name = "scf.yield", .noperands = 1, .operands = &zeros});
  }
  hm_insertion_leave(L, outer);
  if (ok && !mlirTypeEqual(mlirValueGetType(loaded), mlirValueGetType(zeros)))
    ok = hm_node_error(L, node, "the tile read at a computed position has another type than its tile");
  if (!ok) {
    mlirRegionDestroy(regions[0]);
    mlirRegionDestroy(regions[1]);
    return false;
  }
  MlirType type = mlirValueGetType(loaded);
  *out = hm_build_value(L, (HmOpSpec){.name = "scf.if", .nresults = 1, .results = &type, .noperands = 1,
                                      .operands = &inside, .nregions = 2, .regions = regions});
  return true;
}

static bool load_tile(HmLowering *L, HmScope *S, const HmNode *node, const HmSource *src, bool masked, HmIrValue *out) {
  HmAccess a;
  if (!src->host)
    return load_from_tile(L, node, src, hm_arg(L, node, 1), out);
  if (!plan_access(L, S, node, src, hm_arg(L, node, 1), &node->val, true, &a))
    return false;
  if (a.any_gather)
    return hm_gather(L, node, src, &a, out);
  if (!(masked ? clip_to_source : clip_computed_ranges)(L, src, &a))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  MlirValue inside = positions_inside(L, src, &a, !masked);
  return mlirValueIsNull(inside) ? read_tile(L, node, src, &a, &out->value)
                                 : read_inside(L, node, src, &a, inside, &out->value);
}

/* A masked load reads the tile (clipped to the tensor) and zeroes what the masks leave out. */
static bool lower_load(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmSource src;
  MlirValue mask, jagged;
  if (!source_of(L, S, node, &src) || !extra_mask(L, S, node, 2, &mask))
    return false;
  if (node->val.kind != HM_SPEC_TENSOR)
    return hm_node_error(L, node, "a load must produce a tensor");
  if (!hm_jagged_mask(L, &node->val, &jagged))
    return hm_node_error(L, node, "could not build the mask of an hl.jagged_tile");
  if (!load_tile(L, S, node, &src, !mlirValueIsNull(mask) || !mlirValueIsNull(jagged), out))
    return false;
  if (!mlirValueIsNull(mask) && !select_masked(L, mask, out->value, (MlirValue){NULL}, &node->val, &out->value))
    return false;
  return mlirValueIsNull(jagged) || select_masked(L, jagged, out->value, (MlirValue){NULL}, &node->val, &out->value);
}

/* tensor.extract_slice of the real elements of a tile, shaped like `view_type`: after the padding
 * of a dimension clipped at the tensor's start. */
static MlirValue real_part(HmLowering *L, MlirValue tile, const HmAccess *a, MlirType view_type) {
  int64_t offsets[HM_MAX_RANK] = {0}, sizes[HM_MAX_RANK], shape[HM_MAX_RANK];
  MlirValue extents[HM_MAX_RANK], lows[HM_MAX_RANK];
  size_t rank = 0, nextents = 0, nlows = 0;
  for (size_t d = 0; d < a->rank; ++d) {
    if (a->kind[d] == HM_INDEX_POINT)
      continue;
    if (!mlirValueIsNull(a->low[d])) {
      offsets[rank] = dynamic_offset();
      lows[nlows++] = a->low[d];
    }
    sizes[rank] = a->static_extents[d];
    shape[rank] = mlirShapedTypeGetDimSize(view_type, (intptr_t)rank);
    ++rank;
    if (a->static_extents[d] == dynamic())
      extents[nextents++] = a->extents[d];
  }
  HmSlice real = {.rank = rank, .offsets = offsets, .sizes = sizes, .noffset_values = nlows, .offset_values = lows,
                  .nsize_values = nextents, .size_values = extents};
  return hm_extract_slice(L, tile, &real, hm_ranked_tensor(L, rank, shape, hm_element_of(tile)));
}

/* A masked store writes back the old elements where the mask is false. */
static bool keep_unmasked(HmLowering *L, const HmSource *src, const HmAccess *a, MlirValue mask, const HmSpecValue *tile,
                          MlirValue *value) {
  MlirValue old = to_tensor(L, subview(L, src->value, a));
  if (a->any_padded || !mlirTypeEqual(mlirValueGetType(old), mlirValueGetType(*value)))
    old = pad(L, old, a, tile, mlirValueGetType(*value));
  return select_masked(L, mask, *value, old, tile, value);
}

/* The number of elements a value's dimension holds, when the spec knows it: a literal, or the size
 * of the block whose tile it is. -1 otherwise. */
static int64_t known_size(HmLowering *L, HmDim dim) {
  if (!dim.sym)
    return dim.value;
  const HmBlockSize *bs = hm_spec_block_for_symbol(L->spec, dim.sym);
  return bs && bs->has_size && !bs->size.sym ? bs->size.value : -1;
}

static bool is_whole(const HmArg *e) {
  return e->kind == HM_ARG_SLICE && e->items[0].kind == HM_ARG_NONE && e->items[1].kind == HM_ARG_NONE &&
         (e->items[2].kind == HM_ARG_NONE || (e->items[2].kind == HM_ARG_INT && e->items[2].i == 1));
}

static int64_t next_power_of_2(int64_t n) {
  int64_t p = 1;
  while (p < n && p <= INT64_MAX / 2)
    p *= 2;
  return p;
}

/* torch refuses to assign a value of another shape (and broadcasts a size-1 dimension, which a store
 * here does not): a dimension the index takes whole (`:`, or a range no block tiles) must be as
 * large as the value's. Helion's `:` over n elements is a block of next_power_of_2(n) masked to n,
 * so a value that wide (`hl.zeros([tile, helion.next_power_of_2(n)])`) stores its first n. */
static bool check_store_shape(HmLowering *L, const HmNode *node, const HmSource *src, const HmArg *index,
                              const HmAccess *a, const HmSpecValue *value) {
  size_t d = 0;
  for (size_t i = 0; i < index->count && d < a->rank; ++i) {
    const HmArg *e = &index->items[i];
    if (e->kind == HM_ARG_NONE)
      continue;
    int64_t want = is_whole(e) && !src->shape[d].sym ? src->shape[d].value
                   : a->kind[d] == HM_INDEX_RANGE && a->block[d] < 0 ? a->static_extents[d] : -1;
    size_t r = a->result_dim[d];
    int64_t have = want >= 0 && a->kind[d] == HM_INDEX_RANGE && r < value->rank ? known_size(L, value->shape[r]) : -1;
    if (have >= 0 && have != want && !(is_whole(e) && have == next_power_of_2(want)))
      return hm_node_error(L, node, "the stored value has %lld elements along dimension %zu where '%s[...]' takes %lld%s",
                           (long long)have, r, src->name, (long long)want, have == 1 ? " (a store does not broadcast)" : "");
    ++d;
  }
  return true;
}

/* The stored value when it is a number, a scalar or a size (`x[tile] = 1.0`, `out[tile] = tile.id`),
 * converted to `element`; null when it is a tile tensor. */
static bool stored_scalar(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, MlirType element,
                          MlirValue *out) {
  *out = (MlirValue){NULL};
  if (arg->kind == HM_ARG_INT || arg->kind == HM_ARG_BOOL || arg->kind == HM_ARG_FLOAT) {
    *out = hm_scalar_const(L, element, arg->kind == HM_ARG_FLOAT ? arg->f : (double)arg->i);
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, arg, &v))
    return false;
  if (v.kind == HM_IR_INDEX) {
    MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
    MlirValue wide = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &i64,
                                                  .noperands = 1, .operands = &v.value});
    *out = hm_convert_scalar(L, wide, element);
  } else if (v.kind == HM_IR_SCALAR) {
    *out = hm_convert_scalar(L, v.value, element);
  } else if (v.kind != HM_IR_TENSOR) {
    return hm_node_error(L, node, "argument 2 of '%s' must be a tile tensor or a number", node->target);
  }
  return true;
}

static bool same_static_shape(MlirType x, MlirType y) {
  if (!mlirShapedTypeHasStaticShape(x) || !mlirShapedTypeHasStaticShape(y) ||
      mlirShapedTypeGetRank(x) != mlirShapedTypeGetRank(y))
    return false;
  for (intptr_t d = 0; d < mlirShapedTypeGetRank(x); ++d)
    if (mlirShapedTypeGetDimSize(x, d) != mlirShapedTypeGetDimSize(y, d))
      return false;
  return true;
}

/* Index lists without their None entries: a None adds a unit dimension to what a number fills,
 * which changes nothing. */
static const HmArg *without_new_dims(HmLowering *L, const HmArg *index) {
  if (!index || index->kind != HM_ARG_LIST)
    return index;
  HmArg *copy = hm_arena_new(&L->arena, HmArg, 1);
  HmArg *items = hm_arena_new(&L->arena, HmArg, index->count ? index->count : 1);
  if (!copy || !items)
    return NULL;
  *copy = *index;
  copy->items = items;
  copy->count = 0;
  for (size_t i = 0; i < index->count; ++i)
    if (index->items[i].kind != HM_ARG_NONE)
      items[copy->count++] = index->items[i];
  return copy;
}

/* A one-element tensor stored where the indices give a tile of another rank (`buf[:] = zeros[i]`,
 * `x[i] = y[i:i + 1]`) broadcasts as torch's assignment does: its element, as a number. */
static bool one_element(HmLowering *L, HmScope *S, const HmNode *node, const HmSource *src, const HmArg *index,
                        MlirValue tensor, MlirType element, MlirValue *out) {
  *out = (MlirValue){NULL};
  MlirType type = mlirValueGetType(tensor);
  size_t rank = (size_t)mlirShapedTypeGetRank(type);
  if (!mlirShapedTypeHasStaticShape(type) || rank > HM_MAX_RANK)
    return true;
  for (size_t d = 0; d < rank; ++d)
    if (mlirShapedTypeGetDimSize(type, (intptr_t)d) != 1)
      return true;
  HmAccess a;
  const HmArg *kept = without_new_dims(L, index);
  if (rank > 0 && (!kept || !plan_access_as(L, S, node, src, kept, NULL, false, true, &a)))
    return false;
  if (rank > 0 && a.nresult == rank)
    return true;
  MlirValue zeros[HM_MAX_RANK + 1] = {tensor};
  for (size_t d = 0; d < rank; ++d)
    zeros[1 + d] = hm_index_const(L, 0);
  MlirType from = hm_element_of(tensor);
  MlirValue scalar = hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &from,
                                                  .noperands = (intptr_t)(1 + rank), .operands = zeros});
  *out = hm_convert_scalar(L, scalar, element);
  return true;
}

/* The tile a number stored through `index` fills, as torch's `x[...] = 1.0` fills every element the
 * indices take: a block's tile, a slice's elements, an index tensor's shape per dimension. */
static bool scalar_tile(HmLowering *L, HmScope *S, const HmNode *node, const HmSource *src, const HmArg *index,
                        HmSpecValue *out) {
  HmAccess a;
  if (!plan_access_as(L, S, node, src, index, NULL, false, true, &a))
    return false;
  HmDim *shape = hm_arena_new(&L->arena, HmDim, a.nresult ? a.nresult : 1);
  if (!shape)
    return hm_node_error(L, node, "out of memory");
  *out = (HmSpecValue){.kind = HM_SPEC_TENSOR, .dtype = src->dtype, .rank = a.nresult, .shape = shape};
  for (size_t r = 0; r < a.nresult; ++r)
    shape[r] = (HmDim){.value = 1};
  for (size_t d = 0; d < a.rank; ++d) {
    const HmArg *e = &index->items[d];
    size_t r = a.result_dim[d];
    if (a.kind[d] == HM_INDEX_TENSOR) { /* a group's unit dimensions broadcast */
      const HmSpecValue *iv = &hm_arg_node(S, e)->val;
      for (size_t k = 0; k < iv->rank; ++k)
        if (iv->shape[k].sym || iv->shape[k].value != 1)
          shape[r + k] = iv->shape[k];
    } else if (a.kind[d] == HM_INDEX_RANGE && a.block[d] >= 0) {
      shape[r] = (HmDim){.sym = hm_spec_block_size(L->spec, (size_t)a.block[d])->symbol, .value = -1};
    } else if (a.kind[d] == HM_INDEX_RANGE && !slice_size(L, node, src, d, e, &shape[r])) {
      return false;
    }
  }
  return true;
}

/* `:` over a dimension a looped reduction runs over, inside that loop, is the loop's chunk (Helion's
 * codegen): the block's symbol, else `dim` unchanged. */
static HmDim looped_chunk(HmLowering *L, HmDim size, HmDim dim) {
  for (size_t b = 0; b < hm_spec_num_block_sizes(L->spec); ++b) {
    const HmBlockSize *bs = hm_spec_block_size(L->spec, b);
    bool same = bs->has_size && (size.sym ? bs->size.sym && strcmp(size.sym, bs->size.sym) == 0
                                          : !bs->size.sym && bs->size.value == size.value);
    if (L->tiles[b].active && bs->reduction && bs->looped && same)
      return (HmDim){.sym = bs->symbol, .value = -1};
  }
  return dim;
}

/* torch's assignment broadcasts a size-1 dimension of the value over what the indices take
 * (`out[tile, :] = bias[tile].unsqueeze(-1)`): the value repeated to the tile the indices give, as a
 * number stored there fills it. Values of another rank than that tile are check_store_shape's. */
static bool broadcast_stored(HmLowering *L, HmScope *S, const HmNode *node, const HmSource *src, const HmArg *index,
                             MlirValue *tile, const HmSpecValue **stored) {
  const HmSpecValue *val = *stored;
  HmSpecValue *wide = hm_arena_new(&L->arena, HmSpecValue, 1);
  if (!wide)
    return hm_node_error(L, node, "out of memory");
  bool any_unit = false;
  for (size_t r = 0; r < val->rank; ++r)
    any_unit |= !val->shape[r].sym && val->shape[r].value == 1;
  if (!any_unit || !index || index->kind != HM_ARG_LIST)
    return true;
  for (size_t i = 0; i < index->count; ++i)
    if (index->items[i].kind == HM_ARG_NONE)
      return true;
  if (!scalar_tile(L, S, node, src, index, wide))
    return false;
  if (wide->rank != val->rank)
    return true;
  bool repeats = false;
  for (size_t r = 0; r < val->rank; ++r) {
    bool unit = !val->shape[r].sym && val->shape[r].value == 1;
    repeats |= unit && (wide->shape[r].sym || wide->shape[r].value != 1);
    if (!unit)
      wide->shape[r] = val->shape[r];
    else if (index->count == src->rank && is_whole(&index->items[r]))
      wide->shape[r] = looped_chunk(L, src->shape[r], wide->shape[r]);
  }
  if (!repeats)
    return true;
  *stored = wide;
  return hm_broadcast(L, *tile, wide, hm_element_of(*tile), tile);
}

static bool and_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  *result = hm_arith(L, "arith.andi", args[0], args[1]);
  return true;
}

/* A store over a jagged tile writes only the rows' real elements: `*mask` (extra_mask, or null) and
 * the jagged mask of the stored value's shape. */
static bool jagged_store_mask(HmLowering *L, const HmSpecValue *stored, MlirValue *mask) {
  MlirValue jagged;
  if (!hm_jagged_mask(L, stored, &jagged))
    return false;
  if (mlirValueIsNull(jagged) || mlirValueIsNull(*mask)) {
    *mask = mlirValueIsNull(jagged) ? *mask : jagged;
    return true;
  }
  if (mlirShapedTypeGetRank(mlirValueGetType(*mask)) > (intptr_t)stored->rank)
    return hm_fail(L, "extra_mask has more dimensions than the tile");
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)stored->rank);
  MlirAffineMap maps[3] = {mask_map(L, *mask, stored), identity, identity};
  MlirValue inputs[2] = {*mask, jagged};
  return hm_generic(L, 2, inputs, maps, hm_empty_like(L, jagged, hm_element_of(jagged)), stored->rank, NULL, and_body,
                    NULL, mask);
}

static bool lower_store(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmSource src;
  HmAccess a;
  MlirValue mask, scalar, tile;
  const HmArg *stored_arg = hm_arg(L, node, 2), *index = hm_arg(L, node, 1);
  if (!stored_arg || !index || !source_of(L, S, node, &src) || !extra_mask(L, S, node, 3, &mask))
    return false;
  if (!src.host)
    return hm_node_error(L, node, "stores into tile values are not supported");
  MlirType element = mlirShapedTypeGetElementType(mlirValueGetType(src.value));
  if (!stored_scalar(L, S, node, stored_arg, element, &scalar))
    return false;
  HmIrValue value = {.kind = HM_IR_NONE};
  if (mlirValueIsNull(scalar) && (!hm_arg_tensor(L, S, node, 2, &value) ||
                                  !one_element(L, S, node, &src, index, value.value, element, &scalar)))
    return false;
  const HmSpecValue *stored;
  if (!mlirValueIsNull(scalar)) {
    HmSpecValue *filled = hm_arena_new(&L->arena, HmSpecValue, 1);
    MlirValue init;
    index = without_new_dims(L, index);
    if (!filled || !index || !scalar_tile(L, S, node, &src, index, filled) || !hm_empty_tensor(L, filled, element, &init))
      return false;
    tile = hm_fill(L, init, scalar);
    stored = filled;
  } else {
    if (!hm_cast_tensor(L, value.value, element, &tile))
      return false;
    stored = &hm_arg_node(S, stored_arg)->val;
    if (!broadcast_stored(L, S, node, &src, index, &tile, &stored))
      return false;
  }
  if (!plan_access(L, S, node, &src, index, stored, false, &a))
    return false;
  if (a.any_new)
    return hm_node_error(L, node, "stores with None indices are not supported");
  if (!check_store_shape(L, node, &src, index, &a, stored))
    return false;
  *out = (HmIrValue){.kind = HM_IR_NONE, .block_id = -1};
  if (!jagged_store_mask(L, stored, &mask))
    return hm_node_error(L, node, "could not build the mask of an hl.jagged_tile");
  if (a.any_gather)
    return hm_scatter(L, &src, &a, stored, tile, mask);
  if (mlirValueIsNull(mask) ? !clip_computed_ranges(L, &src, &a)
                            : !clip_to_source(L, &src, &a) || !keep_unmasked(L, &src, &a, mask, stored, &tile))
    return false;
  MlirValue inside = positions_inside(L, &src, &a, false);
  MlirBlock then;
  HmInsertion outer = {0};
  if (!mlirValueIsNull(inside)) {
    MlirRegion regions[2] = {hm_region_with_block(L, 0, NULL, &then), mlirRegionCreate()};
    hm_build(L, (HmOpSpec){.name = "scf.if", .noperands = 1, .operands = &inside, .nregions = 2, .regions = regions});
    outer = hm_insertion_enter(L, then);
  }
  MlirValue view = subview(L, src.value, &a);
  bool exact = !a.any_padded && same_static_shape(mlirValueGetType(tile), mlirValueGetType(view));
  MlirValue real = exact ? tile : real_part(L, tile, &a, mlirValueGetType(view));
  MlirNamedAttribute attrs[2] = {hm_named(L, "restrict", mlirUnitAttrGet(L->ctx)),
                                 hm_named(L, "writable", mlirUnitAttrGet(L->ctx))};
  hm_build(L, (HmOpSpec){.name = "bufferization.materialize_in_destination", .noperands = 2,
                         .operands = (MlirValue[]){real, view}, .nattrs = 2, .attrs = attrs});
  if (!mlirValueIsNull(inside)) {
    hm_build(L, (HmOpSpec){.name = "scf.yield"});
    hm_insertion_leave(L, outer);
  }
  return true;
}

typedef struct MaskBody {
  size_t rank;
  MlirValue extents[HM_MAX_RANK]; /* null where the dimension has no padding */
  bool jagged;                    /* args[1] is the jagged mask's element */
  double other;
} MaskBody;

static bool mask_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  MaskBody *m = ctx;
  MlirValue keep = m->jagged ? args[1] : (MlirValue){NULL};
  for (size_t d = 0; d < m->rank; ++d) {
    if (mlirValueIsNull(m->extents[d]))
      continue;
    MlirValue in = hm_cmpi(L, HM_CMPI_ULT, hm_linalg_index(L, d), m->extents[d]);
    keep = mlirValueIsNull(keep) ? in : hm_arith(L, "arith.andi", keep, in);
  }
  MlirValue other = hm_scalar_const(L, mlirValueGetType(args[0]), m->other);
  *result = hm_build_value(L, (HmOpSpec){.name = "arith.select", .noperands = 3,
                                         .operands = (MlirValue[]){keep, args[0], other}, .infer_results = true});
  return true;
}

static bool lower_mask_to(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue in;
  const HmArg *other = hm_arg(L, node, 1);
  if (!hm_arg_tensor(L, S, node, 0, &in) || !other)
    return false;
  if (other->kind != HM_ARG_FLOAT && other->kind != HM_ARG_INT && other->kind != HM_ARG_BOOL)
    return hm_node_error(L, node, "_mask_to needs a constant fill value");
  MaskBody m = {.rank = node->val.rank, .other = other->kind == HM_ARG_FLOAT ? other->f : (double)other->i};
  bool any = false;
  for (size_t d = 0; d < m.rank && d < HM_MAX_RANK; ++d) {
    int block = hm_dim_block(L, node->val.shape[d]);
    m.extents[d] = (MlirValue){NULL};
    if (hm_tile_is_padded(L, node->val.shape[d])) {
      m.extents[d] = L->tiles[block].extent;
      any = true;
    }
  }
  MlirValue jagged;
  if (!hm_jagged_mask(L, &node->val, &jagged))
    return hm_node_error(L, node, "could not build the mask of an hl.jagged_tile");
  m.jagged = !mlirValueIsNull(jagged);
  *out = in;
  if (!any && !m.jagged)
    return true; /* every element is real: nothing to mask */
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)m.rank);
  MlirAffineMap maps[3] = {identity, identity, identity};
  MlirValue init, inputs[2] = {in.value, jagged};
  if (!hm_empty_tensor(L, &node->val, hm_element_of(in.value), &init))
    return false;
  return hm_generic(L, m.jagged ? 2 : 1, inputs, maps, init, m.rank, NULL, mask_body, &m, &out->value);
}

const HmOpEntry hm_memory_ops[] = {
    {"helion.language.memory_ops.load", lower_load, 0, HM_OP_OTHER},
    {"helion.language.memory_ops.store", lower_store, 0, HM_OP_OTHER},
    {"helion.language._tracing_ops._mask_to", lower_mask_to, 0, HM_OP_MASK_TO},
    {NULL, NULL, 0, HM_OP_OTHER},
};
