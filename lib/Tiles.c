#include "Tiles.h"

#include <stdio.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

/* Operands of an affine map under construction: dims first, then symbols. */
typedef struct AffineOperands {
  size_t ndims, nsyms;
  MlirValue dims[2], syms[4];
} AffineOperands;

static MlirAffineExpr dim_operand(HmLowering *L, AffineOperands *ops, MlirValue v) {
  ops->dims[ops->ndims] = v;
  return mlirAffineDimExprGet(L->ctx, (intptr_t)ops->ndims++);
}

/* A constant when the value is statically known (static_value >= 0), else a symbol operand. */
static MlirAffineExpr sym_or_const(HmLowering *L, AffineOperands *ops, MlirValue v, int64_t static_value) {
  if (static_value >= 0)
    return mlirAffineConstantExprGet(L->ctx, static_value);
  ops->syms[ops->nsyms] = v;
  return mlirAffineSymbolExprGet(L->ctx, (intptr_t)ops->nsyms++);
}

static size_t flatten(const AffineOperands *ops, MlirValue *out) {
  size_t n = 0;
  for (size_t i = 0; i < ops->ndims; ++i)
    out[n++] = ops->dims[i];
  for (size_t i = 0; i < ops->nsyms; ++i)
    out[n++] = ops->syms[i];
  return n;
}

static MlirAffineMap map_of(HmLowering *L, const AffineOperands *ops, size_t n, MlirAffineExpr *exprs) {
  return mlirAffineMapGet(L->ctx, (intptr_t)ops->ndims, (intptr_t)ops->nsyms, (intptr_t)n, exprs);
}

static int64_t static_block_extent(HmLowering *L, int block) {
  const HmBlockSize *bs = hm_spec_block_size(L->spec, (size_t)block);
  return bs->has_size && !bs->size.sym ? bs->size.value : -1;
}

static bool prepare_tile_size(HmLowering *L, const HmBlockSize *bs) {
  if (bs->tile_size < 0)
    return true; /* a block the config leaves unsized is never tiled */
  if (L->options.tiles == HM_TILES_CONCRETE) {
    L->static_tiles[bs->id] = bs->tile_size;
    for (int other = 0; other < bs->id; ++other)
      if (L->static_tiles[other] == bs->tile_size) {
        L->tile_sizes[bs->id] = L->tile_sizes[other]; /* one constant per distinct size */
        return true;
      }
    L->tile_sizes[bs->id] = hm_index_const(L, bs->tile_size);
    return true;
  }
  char name[64];
  snprintf(name, sizeof name, "block_size_%d", bs->id);
  MlirNamedAttribute attr =
      hm_named(L, "name", mlirStringAttrGet(L->ctx, mlirStringRefCreateFromCString(name)));
  MlirType index = hm_index_type(L);
  L->tile_sizes[bs->id] = hm_build_value(
      L, (HmOpSpec){.name = "loom.get_symbol", .nresults = 1, .results = &index, .nattrs = 1, .attrs = &attr});
  return !mlirValueIsNull(L->tile_sizes[bs->id]) ||
         hm_diag_error(L->diag, "the loom dialect is not loaded in this context");
}

bool hm_tiles_prepare(HmLowering *L) {
  size_t n = hm_spec_num_block_sizes(L->spec);
  for (size_t i = 0; i < n; ++i) {
    const HmBlockSize *bs = hm_spec_block_size(L->spec, i);
    L->static_tiles[i] = -1;
    if (!prepare_tile_size(L, bs))
      return false;
    if (bs->has_size && !hm_dim_value(L, bs->size, &L->block_extents[i]))
      return false;
  }
  /* Reduction dims the config keeps persistent are one tile covering the whole dimension. */
  for (size_t i = 0; i < n; ++i) {
    const HmBlockSize *bs = hm_spec_block_size(L->spec, i);
    if (bs->reduction && !bs->looped && bs->has_size && bs->tile_size >= 0) {
      HmTile unused;
      if (!hm_tile_enter(L, (int)i, 0, hm_index_const(L, 0), &unused))
        return false;
    }
  }
  return true;
}

static bool require_extent(HmLowering *L, int block) {
  if (block < 0 || (size_t)block >= hm_spec_num_block_sizes(L->spec))
    return hm_node_error(L, L->node, "block id %d is not in the block-size table", block);
  if (mlirValueIsNull(L->block_extents[block]) || mlirValueIsNull(L->tile_sizes[block]))
    return hm_node_error(L, L->node, "block %d has no size or no tile size in the config", block);
  return true;
}

bool hm_tile_loop_bounds(HmLowering *L, int block, int64_t begin, HmLoopBounds *out) {
  if (!require_extent(L, block))
    return false;
  AffineOperands lo = {0}, hi = {0};
  MlirAffineExpr lower = mlirAffineConstantExprGet(L->ctx, begin);
  MlirAffineExpr upper;
  if (L->options.tiles == HM_TILES_CONCRETE) {
    upper = sym_or_const(L, &hi, L->block_extents[block], static_block_extent(L, block));
    out->step = L->static_tiles[block];
  } else {
    /* (extent - begin) ceildiv tile, over symbols: semi-affine, which affine loop bounds accept. */
    MlirAffineExpr extent = sym_or_const(L, &hi, L->block_extents[block], static_block_extent(L, block));
    MlirAffineExpr tile = sym_or_const(L, &hi, L->tile_sizes[block], -1);
    MlirAffineExpr span = mlirAffineAddExprGet(extent, mlirAffineConstantExprGet(L->ctx, -begin));
    upper = mlirAffineCeilDivExprGet(span, tile);
    lower = mlirAffineConstantExprGet(L->ctx, 0);
    out->step = 1;
  }
  out->lower = map_of(L, &lo, 1, &lower);
  out->upper = map_of(L, &hi, 1, &upper);
  out->nlower_operands = flatten(&lo, out->lower_operands);
  out->nupper_operands = flatten(&hi, out->upper_operands);
  return true;
}

static MlirValue tile_offset(HmLowering *L, int block, int64_t begin, MlirValue iv) {
  if (L->options.tiles == HM_TILES_CONCRETE)
    return iv;
  AffineOperands ops = {0};
  MlirAffineExpr d0 = dim_operand(L, &ops, iv);
  MlirAffineExpr tile = sym_or_const(L, &ops, L->tile_sizes[block], -1);
  MlirAffineExpr e = mlirAffineAddExprGet(mlirAffineMulExprGet(d0, tile), mlirAffineConstantExprGet(L->ctx, begin));
  MlirValue operands[4];
  size_t n = flatten(&ops, operands);
  return hm_affine_apply(L, map_of(L, &ops, 1, &e), n, operands);
}

bool hm_tile_enter(HmLowering *L, int block, int64_t begin, MlirValue iv, HmTile *saved) {
  if (!require_extent(L, block))
    return false;
  *saved = L->tiles[block];
  HmTile *tile = &L->tiles[block];
  tile->active = true;
  tile->offset = tile_offset(L, block, begin, iv);
  int64_t size = L->static_tiles[block], extent = static_block_extent(L, block);
  if (size > 0 && extent >= 0 && (extent - begin) <= size && begin == 0) {
    tile->static_extent = extent; /* a single tile covers the block */
    tile->extent = L->block_extents[block];
    return true;
  }
  if (size > 0 && extent >= 0 && (extent - begin) % size == 0) {
    tile->static_extent = size;
    tile->extent = L->tile_sizes[block];
    return true;
  }
  AffineOperands ops = {0};
  MlirAffineExpr d0 = dim_operand(L, &ops, tile->offset);
  MlirAffineExpr exprs[2];
  exprs[0] = sym_or_const(L, &ops, L->tile_sizes[block], size);
  MlirAffineExpr end = sym_or_const(L, &ops, L->block_extents[block], extent);
  exprs[1] = mlirAffineAddExprGet(end, mlirAffineMulExprGet(d0, mlirAffineConstantExprGet(L->ctx, -1)));
  MlirValue operands[6];
  size_t n = flatten(&ops, operands);
  tile->extent = hm_affine_min(L, map_of(L, &ops, 2, exprs), n, operands);
  tile->static_extent = -1;
  return true;
}

void hm_tile_leave(HmLowering *L, int block, const HmTile *saved) { L->tiles[block] = *saved; }

bool hm_tile_is_padded(HmLowering *L, HmDim dim) {
  int block = hm_dim_block(L, dim);
  if (block < 0 || !L->tiles[block].active)
    return false;
  int64_t extent = L->tiles[block].static_extent;
  return extent < 0 || extent != L->static_tiles[block];
}
