#include "lower/Jagged.h"

#include "lower/Shapes.h"

#include <string.h>

#include "mlir-c/BuiltinTypes.h"

bool hm_jagged_enter(HmLowering *L, int block, const HmIrValue *ends, const HmSpecValue *recorded) {
  const HmBlockSize *bs = hm_spec_block_size(L->spec, (size_t)block);
  bool tensor = ends->kind == HM_IR_TENSOR && mlirTypeIsAInteger(hm_element_of(ends->value));
  if (!tensor || recorded->kind != HM_SPEC_TENSOR || recorded->rank != bs->njagged_parents)
    return hm_fail(L, "the jagged tile of block %d takes an integer tensor over its %zu parent tiles first", block,
                   bs->njagged_parents);
  for (size_t j = 0; j < recorded->rank; ++j) {
    int parent = bs->jagged_parents[j];
    if (hm_dim_block(L, recorded->shape[j]) != parent || !L->tiles[parent].active)
      return hm_fail(L, "dimension %zu of the row ends of jagged block %d is not the tile of its parent block %d", j,
                     block, parent);
  }
  L->tiles[block].jagged_ends = ends->value;
  L->tiles[block].jagged_shape = recorded;
  return true;
}

bool hm_jagged_dim(HmLowering *L, HmDim dim) {
  int block = hm_dim_block(L, dim);
  return block >= 0 && L->tiles[block].active && !mlirValueIsNull(L->tiles[block].jagged_ends);
}

typedef struct JaggedDim {
  size_t dim;      /* the tile dimension */
  MlirValue offset; /* its tile's first element */
} JaggedDim;

typedef struct MaskBody {
  size_t n;
  JaggedDim dims[HM_MAX_RANK];
} MaskBody;

static bool same_dim(HmDim a, HmDim b) {
  return a.sym ? b.sym && strcmp(a.sym, b.sym) == 0 : !b.sym && a.value == b.value;
}

/* The indexing map from the tile's dimensions to those of the row ends: each parent dimension is the
 * first tile dimension of the same tile not taken yet (Helion's jagged_tile_expand_str). */
static bool ends_map(HmLowering *L, const HmSpecValue *tile, const HmSpecValue *ends, int block, MlirAffineMap *out) {
  bool used[HM_MAX_RANK] = {false};
  MlirAffineExpr exprs[HM_MAX_RANK];
  for (size_t j = 0; j < ends->rank; ++j) {
    size_t d = 0;
    while (d < tile->rank && (used[d] || !same_dim(tile->shape[d], ends->shape[j])))
      ++d;
    if (d == tile->rank)
      return hm_fail(L, "a tensor over the jagged tile of block %d must also span each of its parent tiles "
                        "(dimension %zu of its row ends)", block, j);
    used[d] = true;
    exprs[j] = mlirAffineDimExprGet(L->ctx, (intptr_t)d);
  }
  *out = mlirAffineMapGet(L->ctx, (intptr_t)tile->rank, 0, (intptr_t)ends->rank, exprs);
  return true;
}

static bool mask_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  MaskBody *m = ctx;
  MlirValue keep = {NULL};
  for (size_t i = 0; i < m->n; ++i) {
    MlirValue at = hm_arith(L, "arith.addi", m->dims[i].offset, hm_linalg_index(L, m->dims[i].dim));
    MlirType type = mlirValueGetType(args[i]);
    MlirValue position = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &type,
                                                      .noperands = 1, .operands = &at});
    MlirValue in = hm_cmpi(L, HM_CMPI_SLT, position, args[i]);
    keep = mlirValueIsNull(keep) ? in : hm_arith(L, "arith.andi", keep, in);
  }
  *result = keep;
  return true;
}

bool hm_jagged_mask(HmLowering *L, const HmSpecValue *tile, MlirValue *out) {
  *out = (MlirValue){NULL};
  if (tile->kind != HM_SPEC_TENSOR || tile->rank > HM_MAX_RANK)
    return true;
  MaskBody m = {0};
  MlirValue inputs[HM_MAX_RANK];
  MlirAffineMap maps[HM_MAX_RANK + 1];
  for (size_t d = 0; d < tile->rank; ++d) {
    if (!hm_jagged_dim(L, tile->shape[d]))
      continue;
    int block = hm_dim_block(L, tile->shape[d]);
    if (!ends_map(L, tile, L->tiles[block].jagged_shape, block, &maps[m.n]))
      return false;
    inputs[m.n] = L->tiles[block].jagged_ends;
    m.dims[m.n++] = (JaggedDim){.dim = d, .offset = L->tiles[block].offset};
  }
  if (m.n == 0)
    return true;
  MlirValue init;
  if (!hm_empty_tensor(L, tile, mlirIntegerTypeGet(L->ctx, 1), &init))
    return false;
  maps[m.n] = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)tile->rank);
  return hm_generic(L, m.n, inputs, maps, init, tile->rank, NULL, mask_body, &m, out);
}
