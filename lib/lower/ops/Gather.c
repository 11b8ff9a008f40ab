/* Loads and stores through index tensors: gathers (`table[ids[tile], :]`) and scatters
 * (`out[ids[tile]] = v`); and torch.gather along a dimension of a tile (aten.gather).
 *
 * A gather cannot be a subview: it is a linalg.generic over the tile whose body reads the host memref
 * with memref.load. Its coordinates are clamped into the host tensor, so neither padding lanes nor
 * stray indices read out of bounds, and padding lanes are set to zero as in any other load. A scatter
 * is an scf.for nest over the value's real extents, one memref.store per element, skipped where the
 * index falls outside the host tensor or extra_mask is false.
 *
 * Beside the index tensors, a position the kernel computes (`tile.begin`, an int argument) and the
 * tile of a loop whose begin or end it computes are what no launch check sees: there a gather reads
 * zero and a scatter skips the element where the coordinate is outside the tensor, as a plain load
 * and store do (Memory.c).
 */
#include "lower/ops/Access.h"
#include "lower/Tiles.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

static MlirValue to_index(HmLowering *L, MlirValue v) {
  MlirType index = hm_index_type(L);
  return hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &index,
                                      .noperands = 1, .operands = &v});
}

static MlirValue offset_value(HmLowering *L, const HmAccess *a, size_t d) {
  return mlirValueIsNull(a->offsets[d]) ? hm_index_const(L, a->static_offsets[d]) : a->offsets[d];
}

/* Whether dimension d's coordinates come from a position or a tile range no launch check sees (a grid
 * index counts as seen where it provably stays inside the dimension). */
static bool unchecked(HmLowering *L, const HmAccess *a, size_t d) {
  if (a->kind[d] == HM_INDEX_POINT)
    return !mlirValueIsNull(a->offsets[d]) && !a->grid_index[d];
  return a->kind[d] == HM_INDEX_RANGE && a->block[d] >= 0 && !a->broadcast[d] && hm_tile_range_computed(L, a->block[d]);
}

typedef struct GatherBody {
  const HmAccess *a;
  const HmSpecValue *tile;
  MlirValue memref;
  MlirValue last[HM_MAX_RANK];  /* per source dimension: its size - 1, the largest valid coordinate */
  MlirValue sizes[HM_MAX_RANK]; /* per source dimension: its size */
  size_t input[HM_MAX_RANK];    /* HM_INDEX_TENSOR: which generic input holds its index tensor */
} GatherBody;

/* The coordinate of the element a lane reads along source dimension `d`, inside [0, size); `*inside`
 * is and-ed with whether an unchecked coordinate was inside before the clamp. */
static MlirValue coordinate(HmLowering *L, const GatherBody *g, const MlirValue *args, size_t d, MlirValue *inside) {
  const HmAccess *a = g->a;
  MlirValue at;
  if (a->kind[d] == HM_INDEX_TENSOR)
    at = to_index(L, args[g->input[d]]);
  else if (a->kind[d] == HM_INDEX_POINT || a->broadcast[d])
    at = offset_value(L, a, d);
  else
    at = hm_arith(L, "arith.addi", offset_value(L, a, d), hm_linalg_index(L, a->result_dim[d]));
  bool check = unchecked(L, a, d);
  if (check) {
    MlirValue in = hm_cmpi(L, HM_CMPI_ULT, at, g->sizes[d]);
    *inside = mlirValueIsNull(*inside) ? in : hm_arith(L, "arith.andi", *inside, in);
  }
  if (a->kind[d] == HM_INDEX_TENSOR || check)
    at = hm_arith(L, "arith.maxsi", at, hm_index_const(L, 0));
  else if (!(a->kind[d] == HM_INDEX_RANGE && !a->broadcast[d] && a->padded[d]))
    return at;
  return hm_arith(L, "arith.minsi", at, g->last[d]);
}

static bool gather_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  GatherBody *g = ctx;
  MlirValue coords[HM_MAX_RANK], keep = {NULL};
  for (size_t d = 0; d < g->a->rank; ++d)
    coords[d] = coordinate(L, g, args, d, &keep);
  MlirValue operands[1 + HM_MAX_RANK] = {g->memref};
  for (size_t d = 0; d < g->a->rank; ++d)
    operands[1 + d] = coords[d];
  MlirType element = mlirShapedTypeGetElementType(mlirValueGetType(g->memref));
  MlirValue value = hm_build_value(L, (HmOpSpec){.name = "memref.load", .nresults = 1, .results = &element,
                                                 .noperands = (intptr_t)(1 + g->a->rank), .operands = operands});
  for (size_t r = 0; r < g->tile->rank; ++r) {
    if (!hm_tile_is_padded(L, g->tile->shape[r]))
      continue;
    MlirValue extent = L->tiles[hm_dim_block(L, g->tile->shape[r])].extent;
    MlirValue in = hm_cmpi(L, HM_CMPI_ULT, hm_linalg_index(L, r), extent);
    keep = mlirValueIsNull(keep) ? in : hm_arith(L, "arith.andi", keep, in);
  }
  *result = value;
  if (!mlirValueIsNull(keep)) {
    MlirValue zero = hm_scalar_const(L, element, 0);
    *result = hm_build_value(L, (HmOpSpec){.name = "arith.select", .noperands = 3,
                                           .operands = (MlirValue[]){keep, value, zero}, .infer_results = true});
  }
  return true;
}

/* The indexing map of an index tensor: its dimensions are the tile's from `first` on; a unit
 * dimension the tile does not share is broadcast. */
static MlirAffineMap index_map(HmLowering *L, MlirValue tensor, size_t first, const HmSpecValue *tile) {
  MlirType type = mlirValueGetType(tensor);
  size_t rank = (size_t)mlirShapedTypeGetRank(type);
  MlirAffineExpr exprs[HM_MAX_RANK];
  for (size_t k = 0; k < rank; ++k) {
    bool broadcast = mlirShapedTypeGetDimSize(type, (intptr_t)k) == 1 && hm_static_dim(L, tile->shape[first + k]) != 1;
    exprs[k] = broadcast ? mlirAffineConstantExprGet(L->ctx, 0) : mlirAffineDimExprGet(L->ctx, (intptr_t)(first + k));
  }
  return mlirAffineMapGet(L->ctx, (intptr_t)tile->rank, 0, (intptr_t)rank, exprs);
}

bool hm_gather(HmLowering *L, const HmNode *node, const HmSource *src, const HmAccess *a, HmIrValue *out) {
  GatherBody g = {.a = a, .tile = &node->val, .memref = src->value};
  MlirValue inputs[HM_MAX_RANK];
  MlirAffineMap maps[HM_MAX_RANK + 1];
  size_t ninputs = 0;
  for (size_t d = 0; d < a->rank; ++d) {
    if ((src->shape[d].sym || unchecked(L, a, d)) && !hm_dim_value(L, src->shape[d], &g.sizes[d]))
      return false;
    g.last[d] = src->shape[d].sym ? hm_arith(L, "arith.subi", g.sizes[d], hm_index_const(L, 1))
                                  : hm_index_const(L, src->shape[d].value - 1);
    if (a->kind[d] != HM_INDEX_TENSOR)
      continue;
    g.input[d] = ninputs;
    maps[ninputs] = index_map(L, a->index_tensor[d], a->result_dim[d], &node->val);
    inputs[ninputs++] = a->index_tensor[d];
  }
  maps[ninputs] = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)node->val.rank);
  MlirValue init;
  if (!hm_empty_tensor(L, &node->val, hm_element_type(L, node->val.dtype), &init))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return hm_generic(L, ninputs, inputs, maps, init, node->val.rank, NULL, gather_body, &g, &out->value);
}

/* A store through an index tensor (a scatter): one memref.store per real element of the value, in an
 * scf.for nest over the value's real extents. An index outside the host tensor skips its element. */
typedef struct Scatter {
  const HmAccess *a;
  const HmSpecValue *tile;
  MlirValue memref, value, mask; /* mask: null, or extra_mask's elements to store */
  MlirValue sizes[HM_MAX_RANK]; /* per source dimension: its size, to check scattered and unchecked coordinates */
} Scatter;

static MlirValue extract(HmLowering *L, MlirValue tensor, size_t n, const MlirValue *indices) {
  MlirValue operands[1 + HM_MAX_RANK] = {tensor};
  for (size_t i = 0; i < n; ++i)
    operands[1 + i] = indices[i];
  MlirType element = hm_element_of(tensor);
  return hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &element,
                                      .noperands = (intptr_t)(1 + n), .operands = operands});
}

/* The index tensor's element for the value element at `ivs` (unit dimensions broadcast). */
static MlirValue scattered_index(HmLowering *L, const Scatter *sc, size_t d, const MlirValue *ivs) {
  MlirValue tensor = sc->a->index_tensor[d], at[HM_MAX_RANK];
  MlirType type = mlirValueGetType(tensor);
  size_t rank = (size_t)mlirShapedTypeGetRank(type), first = sc->a->result_dim[d];
  for (size_t k = 0; k < rank; ++k)
    at[k] = mlirShapedTypeGetDimSize(type, (intptr_t)k) == 1 && hm_static_dim(L, sc->tile->shape[first + k]) != 1
                ? hm_index_const(L, 0)
                : ivs[first + k];
  return to_index(L, extract(L, tensor, rank, at));
}

/* extra_mask's element for the value element at `ivs` (aligned on the right, unit dimensions broadcast). */
static MlirValue mask_element(HmLowering *L, const Scatter *sc, const MlirValue *ivs) {
  MlirType type = mlirValueGetType(sc->mask);
  size_t rank = (size_t)mlirShapedTypeGetRank(type), shift = sc->tile->rank - rank;
  MlirValue at[HM_MAX_RANK];
  for (size_t k = 0; k < rank; ++k)
    at[k] = mlirShapedTypeGetDimSize(type, (intptr_t)k) == 1 && hm_static_dim(L, sc->tile->shape[shift + k]) != 1
                ? hm_index_const(L, 0)
                : ivs[shift + k];
  return extract(L, sc->mask, rank, at);
}

static void store_element(HmLowering *L, const Scatter *sc, const MlirValue *ivs) {
  const HmAccess *a = sc->a;
  MlirValue operands[2 + HM_MAX_RANK], inside = mlirValueIsNull(sc->mask) ? (MlirValue){NULL} : mask_element(L, sc, ivs);
  operands[0] = extract(L, sc->value, sc->tile->rank, ivs);
  operands[1] = sc->memref;
  for (size_t d = 0; d < a->rank; ++d) {
    if (a->kind[d] == HM_INDEX_POINT)
      operands[2 + d] = offset_value(L, a, d);
    else if (a->kind[d] == HM_INDEX_RANGE)
      operands[2 + d] = hm_arith(L, "arith.addi", offset_value(L, a, d), ivs[a->result_dim[d]]);
    else
      operands[2 + d] = scattered_index(L, sc, d, ivs);
    if (a->kind[d] == HM_INDEX_TENSOR || unchecked(L, a, d)) {
      MlirValue in = hm_cmpi(L, HM_CMPI_ULT, operands[2 + d], sc->sizes[d]);
      inside = mlirValueIsNull(inside) ? in : hm_arith(L, "arith.andi", inside, in);
    }
  }
  MlirBlock then;
  MlirRegion regions[2] = {hm_region_with_block(L, 0, NULL, &then), mlirRegionCreate()};
  hm_build(L, (HmOpSpec){.name = "scf.if", .noperands = 1, .operands = &inside, .nregions = 2, .regions = regions});
  HmInsertion outer = hm_insertion_enter(L, then);
  hm_build(L, (HmOpSpec){.name = "memref.store", .noperands = (intptr_t)(2 + a->rank), .operands = operands});
  hm_build(L, (HmOpSpec){.name = "scf.yield"});
  hm_insertion_leave(L, outer);
}

/* The fewest elements a static index tensor has along value dimension r, or -1 where none is shorter
 * than `extent` (a unit dimension broadcasts): the value Helion records past the positions there is
 * padding to a power of two (View.c pad_to_power_of_2), which the positions do not reach. */
static int64_t positions_along(const Scatter *sc, size_t r, int64_t extent) {
  int64_t fewest = -1;
  for (size_t d = 0; d < sc->a->rank; ++d) {
    if (sc->a->kind[d] != HM_INDEX_TENSOR)
      continue;
    MlirType type = mlirValueGetType(sc->a->index_tensor[d]);
    size_t first = sc->a->result_dim[d], rank = (size_t)mlirShapedTypeGetRank(type);
    if (r < first || r >= first + rank)
      continue;
    int64_t n = mlirShapedTypeGetDimSize(type, (intptr_t)(r - first));
    if (n != mlirShapedTypeGetDynamicSize() && n > 1 && n < extent && (fewest < 0 || n < fewest))
      fewest = n;
  }
  return fewest;
}

/* One scf.for per value dimension, outermost first, up to the dimension's real extent. */
static bool scatter_nest(HmLowering *L, const Scatter *sc, size_t r, MlirValue *ivs) {
  if (r == sc->tile->rank) {
    store_element(L, sc, ivs);
    return true;
  }
  HmDim dim = sc->tile->shape[r];
  MlirValue extent;
  int64_t fewest = dim.sym ? -1 : positions_along(sc, r, dim.value);
  if (fewest >= 0)
    extent = hm_index_const(L, fewest);
  else if (hm_tile_is_padded(L, dim))
    extent = L->tiles[hm_dim_block(L, dim)].extent;
  else if (!hm_dim_value(L, dim, &extent))
    return false;
  MlirType index = hm_index_type(L);
  MlirBlock body;
  MlirRegion region = hm_region_with_block(L, 1, &index, &body);
  MlirValue bounds[3] = {hm_index_const(L, 0), extent, hm_index_const(L, 1)};
  hm_build(L, (HmOpSpec){.name = "scf.for", .noperands = 3, .operands = bounds, .nregions = 1, .regions = &region});
  HmInsertion outer = hm_insertion_enter(L, body);
  ivs[r] = mlirBlockGetArgument(body, 0);
  bool ok = scatter_nest(L, sc, r + 1, ivs);
  hm_build(L, (HmOpSpec){.name = "scf.yield"});
  hm_insertion_leave(L, outer);
  return ok;
}

bool hm_scatter(HmLowering *L, const HmSource *src, const HmAccess *a, const HmSpecValue *tile, MlirValue value,
                MlirValue mask) {
  Scatter sc = {.a = a, .tile = tile, .memref = src->value, .value = value, .mask = mask};
  for (size_t d = 0; d < a->rank; ++d)
    if ((a->kind[d] == HM_INDEX_TENSOR || unchecked(L, a, d)) && !hm_dim_value(L, src->shape[d], &sc.sizes[d]))
      return false;
  MlirValue ivs[HM_MAX_RANK];
  return scatter_nest(L, &sc, 0, ivs);
}

/* torch.gather(x, dim, index) of tiles: out[i][j] = x[index[i][j]][j] for dim 0. A linalg.generic over
 * the index tile reads x with tensor.extract: along `dim` at the index, clamped into x's tile (the
 * padding lanes of the index tile hold 0, and torch refuses an index outside x); along the others at
 * the lane's own position, clamped where the index tile may be the wider (its lanes past x's extent are
 * padding). */
typedef struct TensorGather {
  MlirValue x;
  size_t rank, dim;
  MlirValue last[HM_MAX_RANK]; /* per dimension: x's size - 1; null where no clamp is needed */
} TensorGather;

static bool tensor_gather_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  TensorGather *g = ctx;
  MlirValue operands[1 + HM_MAX_RANK] = {g->x};
  for (size_t k = 0; k < g->rank; ++k) {
    MlirValue at = k == g->dim ? hm_arith(L, "arith.maxsi", to_index(L, args[0]), hm_index_const(L, 0))
                               : hm_linalg_index(L, k);
    operands[1 + k] = mlirValueIsNull(g->last[k]) ? at : hm_arith(L, "arith.minsi", at, g->last[k]);
  }
  MlirType element = hm_element_of(g->x);
  *result = hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &element,
                                         .noperands = (intptr_t)(1 + g->rank), .operands = operands});
  return true;
}

static bool lower_tensor_gather(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  (void)variant;
  HmIrValue x, index;
  if (!hm_arg_tensor(L, S, node, 0, &x) || !hm_arg_tensor(L, S, node, 2, &index))
    return false;
  MlirType xt = mlirValueGetType(x.value), it = mlirValueGetType(index.value);
  size_t rank = (size_t)mlirShapedTypeGetRank(xt);
  const HmArg *dim = hm_arg(L, node, 1);
  if (rank == 0 || rank > HM_MAX_RANK || (size_t)mlirShapedTypeGetRank(it) != rank || node->val.rank != rank)
    return hm_node_error(L, node, "'%s' needs an index of the input's rank", node->target);
  if (!mlirTypeIsAInteger(hm_element_of(index.value)))
    return hm_node_error(L, node, "'%s' needs an integer index", node->target);
  if (!dim || dim->kind != HM_ARG_INT || dim->i < -(int64_t)rank || dim->i >= (int64_t)rank)
    return hm_node_error(L, node, "'%s' needs a constant dimension within rank %zu", node->target, rank);
  TensorGather g = {.x = x.value, .rank = rank, .dim = (size_t)(dim->i < 0 ? dim->i + (int64_t)rank : dim->i)};
  for (size_t k = 0; k < rank; ++k) {
    int64_t xs = mlirShapedTypeGetDimSize(xt, (intptr_t)k), is = mlirShapedTypeGetDimSize(it, (intptr_t)k);
    bool fits = !mlirShapedTypeIsDynamicSize(xs) && !mlirShapedTypeIsDynamicSize(is) && is <= xs;
    if (k != g.dim && fits)
      continue;
    MlirValue size = mlirShapedTypeIsDynamicSize(xs)
                         ? hm_build_value(L, (HmOpSpec){.name = "tensor.dim", .nresults = 1,
                                                        .results = (MlirType[]){hm_index_type(L)}, .noperands = 2,
                                                        .operands = (MlirValue[]){x.value, hm_index_const(L, (int64_t)k)}})
                         : hm_index_const(L, xs);
    g.last[k] = hm_arith(L, "arith.subi", size, hm_index_const(L, 1));
  }
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)rank);
  MlirAffineMap maps[2] = {identity, identity};
  MlirValue init;
  if (!hm_empty_tensor(L, &node->val, hm_element_of(x.value), &init))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return hm_generic(L, 1, &index.value, maps, init, rank, NULL, tensor_gather_body, &g, &out->value);
}

const HmOpEntry hm_gather_ops[] = {
    {"aten.gather.default", lower_tensor_gather, 0, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
