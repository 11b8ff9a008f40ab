#include "lower/Tiles.h"

#include "lower/SizeExpr.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

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

/* A block an inner loop iterates over takes its range from the loop; its size may then be an expression
 * over values the kernel computes ("77 - u1" for hl.tile(tile.begin, 77)), which has no value up front. */
static bool needs_extent(HmLowering *L, const HmBlockSize *bs) {
  int64_t unused;
  if (!bs->has_size)
    return false;
  if (!bs->size.sym || bs->grid || bs->reduction || !bs->looped)
    return true;
  if (hm_size_static(L, bs->size.sym, false, &unused))
    return true;
  /* A loop up to an outer tile's end (hl.tile(0, tile_q.end), Helion's jagged_hstu_attn) has that
   * position as its size, which exists only inside the outer loop: the loop's own bounds say where
   * it ends. */
  const HmSymbol *sym = hm_spec_find_symbol(L->spec, bs->size.sym);
  return sym && sym->tile == HM_TILE_NONE;
}

/* A persistent reduction over a host size known only at run time (static_shapes=False). The config's
 * tile is a power of two fitted to the example's size, which Helion's own code recomputes from the
 * real size at run time; here the one tile is the whole dimension, so one module serves every size. */
static bool is_dynamic_persistent(HmLowering *L, const HmBlockSize *bs) {
  int64_t unused;
  return L->options.tiles == HM_TILES_CONCRETE && bs->reduction && !bs->looped && bs->tile_size >= 0 &&
         bs->has_size && bs->size.sym && !hm_size_static(L, bs->size.sym, true, &unused) &&
         !mlirValueIsNull(L->block_extents[bs->id]);
}

static bool is_narrow_float(const HmSpecValue *v) {
  if (v->kind == HM_SPEC_LIST) {
    for (size_t i = 0; i < v->count; ++i)
      if (is_narrow_float(&v->items[i]))
        return true;
    return false;
  }
  return v->kind == HM_SPEC_TENSOR && (v->dtype == HM_DTYPE_F16 || v->dtype == HM_DTYPE_BF16 ||
                                       v->dtype == HM_DTYPE_F8E4M3FN || v->dtype == HM_DTYPE_F8E5M2);
}

/* Whether any tensor of the kernel holds 16- or 8-bit floats. */
static bool has_narrow_floats(HmLowering *L) {
  for (size_t g = 0; g < hm_spec_num_graphs(L->spec); ++g) {
    const HmGraph *graph = hm_spec_graph(L->spec, g);
    for (size_t n = 0; n < graph->nnodes; ++n)
      if (is_narrow_float(&graph->nodes[n].val))
        return true;
  }
  return false;
}

/* A persistent reduction over a static size below its tile (a row of 1000 in Helion's tile of 1024,
 * the next power of two): the one tile is the row itself, as for a dynamic size. Helion's lanes past
 * the row are masked off everywhere; a tile of 1024 lanes made them padding, which the CPU code filled,
 * copied the row into and masked at every reduction over it. Not in a kernel computing 16- or 8-bit
 * floats (`narrow`): their vectors of a row's odd length (33 lanes) are what LLVM's x86 backend
 * cannot legalize in places (a select: "Do not know how to soft promote this operator's operand"),
 * where a power of two's it can. */
static bool is_short_persistent(HmLowering *L, const HmBlockSize *bs, bool narrow) {
  return L->options.tiles == HM_TILES_CONCRETE && !narrow && bs->reduction && !bs->looped &&
         bs->tile_size >= 0 && bs->has_size && !bs->size.sym && bs->size.value < bs->tile_size;
}

bool hm_tiles_prepare(HmLowering *L) {
  size_t n = hm_spec_num_block_sizes(L->spec);
  bool narrow = has_narrow_floats(L);
  for (size_t i = 0; i < n; ++i) {
    const HmBlockSize *bs = hm_spec_block_size(L->spec, i);
    L->static_tiles[i] = -1;
    if (!prepare_tile_size(L, bs))
      return false;
    if (needs_extent(L, bs) && !hm_dim_value(L, bs->size, &L->block_extents[i]))
      return false;
    if (is_dynamic_persistent(L, bs)) {
      L->tile_sizes[i] = L->block_extents[i];
      L->static_tiles[i] = -1;
    } else if (is_short_persistent(L, bs, narrow)) {
      L->static_tiles[i] = bs->size.value;
      L->tile_sizes[i] = hm_index_const(L, bs->size.value);
    }
  }
  /* Reduction dims the config keeps persistent are one tile covering the whole dimension. */
  for (size_t i = 0; i < n; ++i) {
    const HmBlockSize *bs = hm_spec_block_size(L->spec, i);
    if (bs->reduction && !bs->looped && bs->has_size && bs->tile_size >= 0) {
      HmTile unused;
      HmTileRange range = hm_tile_full_range(L, (int)i);
      if (!hm_tile_enter(L, (int)i, &range, hm_index_const(L, 0), &unused))
        return false;
    }
  }
  return true;
}

static bool require_tile(HmLowering *L, int block) {
  if (block < 0 || (size_t)block >= hm_spec_num_block_sizes(L->spec))
    return hm_fail(L, "block id %d is not in the block-size table", block);
  if (mlirValueIsNull(L->tile_sizes[block]))
    return hm_fail(L, "block %d has no tile size in the config", block);
  return true;
}

static bool require_range(HmLowering *L, int block, const HmTileRange *range) {
  if (!require_tile(L, block))
    return false;
  if (range->end.constant < 0 && mlirValueIsNull(range->end.value))
    return hm_fail(L, "block %d has no size to loop up to", block);
  return true;
}

HmTileRange hm_tile_full_range(HmLowering *L, int block) {
  return (HmTileRange){.begin = {.constant = 0},
                       .end = {.value = L->block_extents[block], .constant = static_block_extent(L, block)}};
}

/* Affine symbols are what the function's entry block defines (sizes, tile sizes, memref.dim). */
static bool is_symbol(HmLowering *L, HmBound b) {
  if (b.constant >= 0)
    return true;
  if (mlirValueIsABlockArgument(b.value))
    return mlirBlockEqual(mlirBlockArgumentGetOwner(b.value), L->entry);
  MlirBlock owner = mlirOperationGetBlock(mlirOpResultGetOwner(b.value));
  return mlirBlockEqual(owner, L->entry);
}

/* A bound that is no affine symbol (an outer loop's offset) is a dim operand: it then only appears in
 * affine.apply and affine.min, which take dims from anywhere. */
static MlirAffineExpr bound_expr(HmLowering *L, AffineOperands *ops, HmBound b) {
  if (b.constant < 0 && !is_symbol(L, b))
    return dim_operand(L, ops, b.value);
  return sym_or_const(L, ops, b.value, b.constant);
}

static MlirValue bound_value(HmLowering *L, HmBound b) {
  return b.constant >= 0 ? hm_index_const(L, b.constant) : b.value;
}

/* The distance between two tiles' offsets: the tile size or the explicit step. */
static MlirAffineExpr stride_expr(HmLowering *L, AffineOperands *ops, int block, const HmTileRange *range) {
  if (range->step > 0)
    return mlirAffineConstantExprGet(L->ctx, range->step);
  return sym_or_const(L, ops, L->tile_sizes[block], L->static_tiles[block]);
}

/* Concrete tiles: begin to end stepping by the stride. Symbolic tiles: tile indices 0 to
 * (end - begin) ceildiv stride (semi-affine over symbols, which affine loop bounds accept). */
bool hm_tile_loop_bounds(HmLowering *L, int block, const HmTileRange *range, HmLoopBounds *out) {
  if (!require_range(L, block, range))
    return false;
  AffineOperands lo = {0}, hi = {0};
  MlirAffineExpr lower, upper;
  if (L->options.tiles == HM_TILES_CONCRETE) {
    lower = bound_expr(L, &lo, range->begin);
    upper = bound_expr(L, &hi, range->end);
    out->step = range->step > 0 ? range->step : L->static_tiles[block];
  } else {
    MlirAffineExpr span = mlirAffineAddExprGet(
        bound_expr(L, &hi, range->end),
        mlirAffineMulExprGet(bound_expr(L, &hi, range->begin), mlirAffineConstantExprGet(L->ctx, -1)));
    upper = mlirAffineCeilDivExprGet(span, stride_expr(L, &hi, block, range));
    lower = mlirAffineConstantExprGet(L->ctx, 0);
    out->step = 1;
  }
  out->lower = map_of(L, &lo, 1, &lower);
  out->upper = map_of(L, &hi, 1, &upper);
  out->nlower_operands = flatten(&lo, out->lower_operands);
  out->nupper_operands = flatten(&hi, out->upper_operands);
  out->affine = is_symbol(L, range->begin) && is_symbol(L, range->end);
  if (!out->affine) {
    bool concrete = L->options.tiles == HM_TILES_CONCRETE;
    out->lower_value = concrete ? bound_value(L, range->begin) : hm_index_const(L, 0);
    out->upper_value = concrete ? bound_value(L, range->end)
                                : hm_affine_apply(L, out->upper, out->nupper_operands, out->upper_operands);
    out->step_value = hm_index_const(L, out->step);
  }
  return true;
}

static MlirValue tile_offset(HmLowering *L, int block, const HmTileRange *range, MlirValue iv) {
  if (L->options.tiles == HM_TILES_CONCRETE)
    return iv;
  AffineOperands ops = {0};
  MlirAffineExpr d0 = dim_operand(L, &ops, iv);
  MlirAffineExpr begin = range->begin.constant >= 0 ? mlirAffineConstantExprGet(L->ctx, range->begin.constant)
                                                    : dim_operand(L, &ops, range->begin.value);
  MlirAffineExpr e = mlirAffineAddExprGet(mlirAffineMulExprGet(d0, stride_expr(L, &ops, block, range)), begin);
  MlirValue operands[6];
  size_t n = flatten(&ops, operands);
  return hm_affine_apply(L, map_of(L, &ops, 1, &e), n, operands);
}

bool hm_tile_enter(HmLowering *L, int block, const HmTileRange *range, MlirValue iv, HmTile *saved) {
  if (!require_range(L, block, range))
    return false;
  *saved = L->tiles[block];
  HmTile *tile = &L->tiles[block];
  tile->active = true;
  tile->range = *range;
  tile->jagged_ends = (MlirValue){NULL};
  tile->offset = tile_offset(L, block, range, iv);
  int64_t size = L->static_tiles[block];
  int64_t begin = range->begin.constant, end = range->end.constant;
  bool known = size > 0 && begin >= 0 && end >= 0;
  if (known && end - begin <= size) {
    tile->static_extent = end - begin; /* a single tile covers the range */
    tile->extent = begin == 0 && !mlirValueIsNull(range->end.value) ? range->end.value : hm_index_const(L, end - begin);
    return true;
  }
  if (known && (end - begin) % size == 0) {
    tile->static_extent = size;
    tile->extent = L->tile_sizes[block];
    return true;
  }
  AffineOperands ops = {0};
  MlirAffineExpr d0 = dim_operand(L, &ops, tile->offset);
  MlirAffineExpr end_expr = end >= 0 ? mlirAffineConstantExprGet(L->ctx, end) : dim_operand(L, &ops, range->end.value);
  MlirAffineExpr exprs[2];
  exprs[0] = sym_or_const(L, &ops, L->tile_sizes[block], size);
  exprs[1] = mlirAffineAddExprGet(end_expr, mlirAffineMulExprGet(d0, mlirAffineConstantExprGet(L->ctx, -1)));
  MlirValue operands[6];
  size_t n = flatten(&ops, operands);
  tile->extent = hm_affine_min(L, map_of(L, &ops, 2, exprs), n, operands);
  tile->static_extent = -1;
  return true;
}

void hm_tile_leave(HmLowering *L, int block, const HmTile *saved) { L->tiles[block] = *saved; }

bool hm_tile_range_computed(const HmLowering *L, int block) {
  const HmTileRange *r = &L->tiles[block].range;
  return r->begin.computed || r->end.computed;
}

bool hm_tile_is_padded(HmLowering *L, HmDim dim) {
  int block = hm_dim_block(L, dim);
  if (block < 0 || !L->tiles[block].active)
    return false;
  int64_t extent = L->tiles[block].static_extent;
  return extent < 0 || extent != L->static_tiles[block];
}

/* affine.apply of `e` over (d0 = a)[s0 = b]. */
static MlirValue apply2(HmLowering *L, MlirAffineExpr e, MlirValue a, MlirValue b) {
  MlirAffineMap map = mlirAffineMapGet(L->ctx, 1, 1, 1, &e);
  return hm_affine_apply(L, map, 2, (MlirValue[]){a, b});
}

/* A loop bound as a term of an affine map: a constant, or the next dim operand. */
static MlirAffineExpr bound_term(HmLowering *L, HmBound b, MlirValue *operands, size_t *n) {
  if (b.constant >= 0)
    return mlirAffineConstantExprGet(L->ctx, b.constant);
  operands[*n] = b.value;
  return mlirAffineDimExprGet(L->ctx, (intptr_t)(*n)++);
}

/* tile.count: (end - begin) ceildiv stride over the range the tile's loop covers. */
static MlirValue tile_count(HmLowering *L, int block, MlirAffineExpr tile) {
  const HmTileRange *r = &L->tiles[block].range;
  MlirValue operands[3];
  size_t n = 0;
  MlirAffineExpr end = bound_term(L, r->end, operands, &n), begin = bound_term(L, r->begin, operands, &n);
  MlirAffineExpr stride = r->step > 0 ? mlirAffineConstantExprGet(L->ctx, r->step) : tile;
  MlirAffineExpr span = mlirAffineAddExprGet(end, mlirAffineMulExprGet(begin, mlirAffineConstantExprGet(L->ctx, -1)));
  MlirAffineExpr e = mlirAffineCeilDivExprGet(span, stride);
  operands[n] = L->tile_sizes[block];
  return hm_affine_apply(L, mlirAffineMapGet(L->ctx, (intptr_t)n, 1, 1, &e), n + 1, operands);
}

MlirValue hm_tile_position(HmLowering *L, int block, HmTilePosition which) {
  const HmTile *t = &L->tiles[block];
  MlirValue size = L->tile_sizes[block];
  MlirAffineExpr d0 = mlirAffineDimExprGet(L->ctx, 0), s0 = mlirAffineSymbolExprGet(L->ctx, 0);
  /* A concrete tile size is a constant of the map (the symbol operand is then unused). */
  MlirAffineExpr tile = L->static_tiles[block] >= 0 ? mlirAffineConstantExprGet(L->ctx, L->static_tiles[block]) : s0;
  switch (which) {
  case HM_TILE_NONE: break;
  case HM_TILE_BEGIN: return t->offset;
  case HM_TILE_END: return apply2(L, mlirAffineAddExprGet(d0, s0), t->offset, t->extent);
  case HM_TILE_BLOCK_SIZE: return size;
  case HM_TILE_ID: return apply2(L, mlirAffineFloorDivExprGet(d0, tile), t->offset, size);
  case HM_TILE_COUNT: return tile_count(L, block, tile);
  }
  return (MlirValue){NULL};
}

/* The tile position `e` names (a symnode of a tile symbol whose loop's bounds are not computed), or
 * HM_TILE_NONE. */
static HmTilePosition uncomputed_position(HmLowering *L, HmScope *S, const HmArg *e) {
  const HmNode *n = hm_arg_node(S, e);
  if (!n || !hm_node_is(L, n, HM_OP_GET_SYMNODE) || n->val.kind != HM_SPEC_SYM)
    return HM_TILE_NONE;
  const HmSymbol *sym = hm_spec_find_symbol(L->spec, n->val.expr);
  if (!sym || sym->block_id < 0 || (size_t)sym->block_id >= hm_spec_num_block_sizes(L->spec) ||
      hm_tile_range_computed(L, sym->block_id))
    return HM_TILE_NONE;
  return sym->tile;
}

bool hm_tile_is_grid_index(HmLowering *L, HmScope *S, const HmArg *e) {
  if (uncomputed_position(L, S, e) == HM_TILE_BEGIN)
    return true;
  const HmNode *n = hm_arg_node(S, e);
  const HmArg *tile = n && hm_node_is(L, n, HM_OP_TILE_BEGIN) ? hm_arg(L, n, 0) : NULL;
  if (!tile || tile->kind != HM_ARG_NODE)
    return false;
  HmIrValue v = S->values[tile->node];
  return v.kind == HM_IR_INDEX && v.block_id >= 0 && L->tiles[v.block_id].active &&
         !hm_tile_range_computed(L, v.block_id);
}

bool hm_tile_grid_index_fits(HmLowering *L, HmScope *S, const HmArg *e, HmDim dim) {
  if (uncomputed_position(L, S, e) != HM_TILE_BEGIN)
    return false;
  const HmTile *tile = &L->tiles[hm_spec_find_symbol(L->spec, hm_arg_node(S, e)->val.expr)->block_id];
  if (!tile->active)
    return false;
  const HmBound *end = &tile->range.end;
  if (!dim.sym)
    return end->constant >= 0 && end->constant <= dim.value;
  for (size_t i = 0; i < L->nsyms; ++i)
    if (strcmp(L->sym_names[i], dim.sym) == 0)
      return !mlirValueIsNull(end->value) && mlirValueEqual(end->value, L->sym_values[i]);
  return false;
}

/* Whether symbol `name` (`len` characters) is a tile size, or a position of a tile whose loop's bounds
 * the kernel does not compute. */
static bool nonnegative_symbol(HmLowering *L, const char *name, size_t len) {
  char buf[64];
  if (len == 0 || len >= sizeof buf)
    return false;
  memcpy(buf, name, len);
  buf[len] = '\0';
  const HmSymbol *sym = hm_spec_find_symbol(L->spec, buf);
  if (!sym || sym->block_id < 0 || (size_t)sym->block_id >= hm_spec_num_block_sizes(L->spec))
    return false;
  return sym->tile == HM_TILE_NONE || sym->tile == HM_TILE_BLOCK_SIZE || !hm_tile_range_computed(L, sym->block_id);
}

/* The recorded expression of a position ("u2", "u2 + 1", "Min(36, u5 + 4)"): sums, products, minima
 * and maxima of such symbols and non-negative integers are never negative. */
bool hm_tile_nonnegative_position(HmLowering *L, HmScope *S, const HmArg *e) {
  const HmNode *n = hm_arg_node(S, e);
  if (!n || n->val.kind != HM_SPEC_SYM || !n->val.expr || !*n->val.expr)
    return false;
  for (const char *p = n->val.expr; *p;) {
    const char *start = p;
    if (isalpha((unsigned char)*p) || *p == '_') {
      while (isalnum((unsigned char)*p) || *p == '_')
        ++p;
      size_t len = (size_t)(p - start);
      bool function = *p == '(' && len == 3 && (strncmp(start, "Min", 3) == 0 || strncmp(start, "Max", 3) == 0);
      if (!function && !nonnegative_symbol(L, start, len))
        return false;
    } else if (isdigit((unsigned char)*p) || strchr(" +*(),", *p)) {
      ++p;
    } else {
      return false;
    }
  }
  return true;
}
