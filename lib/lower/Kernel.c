/* The kernel: one func.func whose arguments are the host tensors, and one affine.parallel over the
 * tile grid per root graph. */
#include "lower/Shapes.h"
#include "lower/Tiles.h"
#include "helion-mlir/support/Context.h"

#include <stdlib.h>
#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

/* Static sizes with the row-major strides: the identity layout. A symbolic stride is dynamic in the
 * layout (strided<[?, 1]>), and so is every stride of an argument of a static_shapes=False kernel,
 * which Helion binds once for tensors of any strides: the module reads them at run time. */
static bool row_major(const HmHostTensor *t) {
  int64_t expected = 1;
  for (size_t i = t->rank; i-- > 0;) {
    if (t->stride[i].sym)
      return false;
    if (t->shape[i].sym)
      return i == 0; /* a symbolic size only leaves the outermost stride row-major */
    if (t->shape[i].value != 1 && t->stride[i].value != expected)
      return false;
    if (__builtin_mul_overflow(expected, t->shape[i].value, &expected))
      return false;
  }
  return true;
}

static MlirType host_memref_type(HmLowering *L, const HmHostTensor *t) {
  bool any_strides = t->is_argument && !hm_spec_static_shapes(L->spec) && t->rank > 0;
  int64_t shape[HM_MAX_RANK], strides[HM_MAX_RANK];
  for (size_t i = 0; i < t->rank; ++i) {
    shape[i] = t->shape[i].sym ? mlirShapedTypeGetDynamicSize() : t->shape[i].value;
    strides[i] = t->stride[i].sym || any_strides ? mlirShapedTypeGetDynamicStrideOrOffset() : t->stride[i].value;
  }
  MlirAttribute layout = row_major(t) && !any_strides ? mlirAttributeGetNull()
                                      : mlirStridedLayoutAttrGet(L->ctx, 0, (intptr_t)t->rank, strides);
  return mlirMemRefTypeGet(hm_element_type(L, t->dtype), (intptr_t)t->rank, shape, layout,
                           mlirAttributeGetNull());
}

/* The function takes the host tensors, then the scalar arguments (f64, i64, i1), so that one lowered
 * module serves every value of a scalar. */
static MlirOperation create_func(HmLowering *L, MlirBlock *entry) {
  size_t nhost = hm_spec_num_host_tensors(L->spec), n = nhost + hm_spec_num_scalars(L->spec);
  MlirType *types = hm_arena_new(&L->arena, MlirType, n ? n : 1);
  MlirLocation *locs = hm_arena_new(&L->arena, MlirLocation, n ? n : 1);
  for (size_t i = 0; i < n; ++i) {
    const char *name = i < nhost ? hm_spec_host_tensor(L->spec, i)->name : hm_spec_scalar(L->spec, i - nhost)->name;
    types[i] = i < nhost ? host_memref_type(L, hm_spec_host_tensor(L->spec, i))
                         : hm_element_type(L, hm_spec_scalar(L->spec, i - nhost)->dtype);
    locs[i] = mlirLocationNameGet(L->ctx, mlirStringRefCreateFromCString(name), L->loc);
  }
  MlirType fn_type = mlirFunctionTypeGet(L->ctx, (intptr_t)n, types, 0, NULL);
  MlirRegion body = mlirRegionCreate();
  *entry = mlirBlockCreate((intptr_t)n, types, locs);
  mlirRegionAppendOwnedBlock(body, *entry);
  MlirNamedAttribute attrs[3] = {
      hm_named(L, "sym_name", mlirStringAttrGet(L->ctx, mlirStringRefCreateFromCString(hm_spec_kernel_name(L->spec)))),
      hm_named(L, "function_type", mlirTypeAttrGet(fn_type)),
      /* The JIT runner calls the kernel through its C interface wrapper. */
      hm_named(L, "llvm.emit_c_interface", mlirUnitAttrGet(L->ctx)),
  };
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString("func.func"), L->loc);
  mlirOperationStateAddAttributes(&state, 3, attrs);
  mlirOperationStateAddOwnedRegions(&state, 1, &body);
  return mlirOperationCreate(&state);
}

/* Symbolic host sizes ("s77") are read once from the memref arguments with memref.dim. */
static void bind_host_symbols(HmLowering *L) {
  size_t n = hm_spec_num_host_tensors(L->spec), cap = 0;
  for (size_t i = 0; i < n; ++i)
    cap += hm_spec_host_tensor(L->spec, i)->rank;
  L->sym_names = hm_arena_new(&L->arena, const char *, cap ? cap : 1);
  L->sym_values = hm_arena_new(&L->arena, MlirValue, cap ? cap : 1);
  for (size_t i = 0; i < n; ++i) {
    const HmHostTensor *t = hm_spec_host_tensor(L->spec, i);
    for (size_t d = 0; d < t->rank; ++d) {
      bool known = false;
      for (size_t k = 0; k < L->nsyms && t->shape[d].sym; ++k)
        known |= strcmp(L->sym_names[k], t->shape[d].sym) == 0;
      if (!t->shape[d].sym || known || !t->is_argument)
        continue;
      MlirValue dim_index = hm_index_const(L, (int64_t)d);
      MlirType index = hm_index_type(L);
      L->sym_names[L->nsyms] = t->shape[d].sym;
      L->sym_values[L->nsyms++] = hm_build_value(
          L, (HmOpSpec){.name = "memref.dim", .nresults = 1, .results = &index, .noperands = 2,
                        .operands = (MlirValue[]){L->host_args[i], dim_index}});
    }
  }
}

/* One grid dimension's range: the spec's [begin, end) (hl.tile(4, n)), else the block's whole size. */
static bool grid_range(HmLowering *L, const HmGrid *grid, size_t i, HmTileRange *out) {
  int block = grid->block_ids[i];
  *out = hm_tile_full_range(L, block);
  if (!grid->begin)
    return true;
  HmBound *bounds[2] = {&out->begin, &out->end};
  const HmDim *dims[2] = {&grid->begin[i], &grid->end[i]};
  for (size_t k = 0; k < 2; ++k) {
    *bounds[k] = (HmBound){.constant = dims[k]->sym ? -1 : dims[k]->value};
    if (dims[k]->sym && !hm_dim_value(L, *dims[k], &bounds[k]->value))
      return false;
  }
  return true;
}

/* One affine.parallel over all grid blocks: per-dimension bounds are concatenated into one map. */
static MlirOperation build_parallel(HmLowering *L, const HmGrid *grid, const HmTileRange *ranges, MlirBlock *body) {
  size_t n = grid->nblock_ids, nlower = 0, nupper = 0;
  MlirAffineExpr lower[8], upper[8];
  MlirValue lower_ops[16], upper_ops[32], operands[48];
  MlirAttribute steps[8];
  for (size_t i = 0; i < n; ++i) {
    HmLoopBounds b;
    if (!hm_tile_loop_bounds(L, grid->block_ids[i], &ranges[i], &b))
      return (MlirOperation){NULL};
    /* Grid bounds are entry-block values (sizes, constants), so their maps take symbols only. */
    if (!b.affine || mlirAffineMapGetNumDims(b.lower) || mlirAffineMapGetNumDims(b.upper))
      return (hm_node_error(L, NULL, "a grid's bounds must be sizes of the kernel's tensors"), (MlirOperation){NULL});
    lower[i] = mlirAffineExprShiftSymbols(mlirAffineMapGetResult(b.lower, 0), (uint32_t)b.nlower_operands,
                                          (uint32_t)nlower, 0);
    upper[i] = mlirAffineExprShiftSymbols(mlirAffineMapGetResult(b.upper, 0), (uint32_t)b.nupper_operands,
                                          (uint32_t)nupper, 0);
    for (size_t k = 0; k < b.nlower_operands; ++k)
      lower_ops[nlower++] = b.lower_operands[k];
    for (size_t k = 0; k < b.nupper_operands; ++k)
      upper_ops[nupper++] = b.upper_operands[k];
    steps[i] = mlirIntegerAttrGet(mlirIntegerTypeGet(L->ctx, 64), b.step);
  }
  size_t nops = 0;
  for (size_t k = 0; k < nlower; ++k)
    operands[nops++] = lower_ops[k];
  for (size_t k = 0; k < nupper; ++k)
    operands[nops++] = upper_ops[k];
  MlirType groups_type = mlirRankedTensorTypeGet(1, (int64_t[]){(int64_t)n}, mlirIntegerTypeGet(L->ctx, 32),
                                                 mlirAttributeGetNull());
  MlirAttribute groups = mlirDenseElementsAttrInt32SplatGet(groups_type, 1);
  MlirNamedAttribute attrs[6] = {
      hm_named(L, "lowerBoundsMap",
               mlirAffineMapAttrGet(mlirAffineMapGet(L->ctx, 0, (intptr_t)nlower, (intptr_t)n, lower))),
      hm_named(L, "lowerBoundsGroups", groups),
      hm_named(L, "upperBoundsMap",
               mlirAffineMapAttrGet(mlirAffineMapGet(L->ctx, 0, (intptr_t)nupper, (intptr_t)n, upper))),
      hm_named(L, "upperBoundsGroups", groups),
      hm_named(L, "steps", mlirArrayAttrGet(L->ctx, (intptr_t)n, steps)),
      hm_named(L, "reductions", mlirArrayAttrGet(L->ctx, 0, NULL)),
  };
  MlirType index[8];
  for (size_t i = 0; i < n; ++i)
    index[i] = hm_index_type(L);
  MlirRegion region = hm_region_with_block(L, n, index, body);
  return hm_build(L, (HmOpSpec){.name = "affine.parallel", .noperands = (intptr_t)nops, .operands = operands,
                                .nattrs = 6, .attrs = attrs, .nregions = 1, .regions = &region});
}

/* A failure of the kernel as a whole: the one hm_fail recorded, at the current node, else `message`. */
static bool kernel_error(HmLowering *L, const char *message) {
  if (hm_diag_failed(L->diag))
    return false;
  return L->fault[0] ? hm_node_error(L, L->node, "%s", message) : hm_diag_error(L->diag, "%s", message);
}

static bool lower_grid(HmLowering *L, const HmGrid *grid) {
  HmTileRange ranges[8];
  if (grid->nblock_ids == 0 || grid->nblock_ids > 8)
    return hm_node_error(L, NULL, "grids of %zu dimensions are not supported", grid->nblock_ids);
  for (size_t i = 0; i < grid->nblock_ids; ++i)
    if (!grid_range(L, grid, i, &ranges[i]))
      return kernel_error(L, "could not build the tile grid");
  MlirBlock body;
  MlirOperation parallel = build_parallel(L, grid, ranges, &body);
  if (mlirOperationIsNull(parallel))
    return kernel_error(L, "could not build the tile grid");
  HmInsertion outer = hm_insertion_enter(L, body);
  HmTile saved[8];
  bool ok = true;
  size_t entered = 0;
  for (; ok && entered < grid->nblock_ids; ++entered) {
    ok = hm_tile_enter(L, grid->block_ids[entered], &ranges[entered], mlirBlockGetArgument(body, (intptr_t)entered),
                       &saved[entered]);
  }
  if (ok) {
    HmScope *scope = hm_scope_new(L, hm_spec_graph(L->spec, (size_t)grid->root_graph), NULL);
    ok = hm_lower_graph(L, scope, NULL, 0);
  }
  while (entered-- > 0)
    hm_tile_leave(L, grid->block_ids[entered], &saved[entered]);
  if (ok)
    hm_build(L, (HmOpSpec){.name = "affine.yield"});
  hm_insertion_leave(L, outer);
  return ok;
}

static bool lower_body(HmLowering *L) {
  bind_host_symbols(L);
  if (!hm_tiles_prepare(L))
    return false;
  for (size_t g = 0; g < hm_spec_num_grids(L->spec); ++g)
    if (!lower_grid(L, hm_spec_grid(L->spec, g)))
      return false;
  L->loc = mlirLocationUnknownGet(L->ctx);
  hm_build(L, (HmOpSpec){.name = "func.return"});
  return true;
}

static bool init_lowering(HmLowering *L) {
  size_t nblocks = hm_spec_num_block_sizes(L->spec);
  size_t nhost = hm_spec_num_host_tensors(L->spec);
  L->tile_sizes = hm_arena_new(&L->arena, MlirValue, nblocks ? nblocks : 1);
  L->static_tiles = hm_arena_new(&L->arena, int64_t, nblocks ? nblocks : 1);
  L->block_extents = hm_arena_new(&L->arena, MlirValue, nblocks ? nblocks : 1);
  L->tiles = hm_arena_new(&L->arena, HmTile, nblocks ? nblocks : 1);
  L->host_args = hm_arena_new(&L->arena, MlirValue, nhost ? nhost : 1);
  L->scalar_args = hm_arena_new(&L->arena, MlirValue, hm_spec_num_scalars(L->spec) + 1);
  for (size_t i = 0; i < nhost; ++i)
    if (hm_spec_host_tensor(L->spec, i)->rank > HM_MAX_RANK)
      return hm_diag_error(L->diag, "host tensor '%s' has rank > %d", hm_spec_host_tensor(L->spec, i)->name,
                           HM_MAX_RANK);
  return L->tile_sizes && L->static_tiles && L->block_extents && L->tiles && L->host_args && L->scalar_args &&
         hm_resolve_ops(L);
}

static bool verify(HmLowering *L, MlirModule module) {
  HmDiagCapture capture = hm_diag_capture_begin(L->ctx, L->diag);
  bool ok = mlirOperationVerify(mlirModuleGetOperation(module));
  hm_diag_capture_end(capture);
  if (!ok && !hm_diag_failed(L->diag))
    hm_diag_error(L->diag, "the lowered module does not verify");
  return ok;
}

MlirModule hm_lower(MlirContext ctx, const HmSpec *spec, HmLowerOptions options, HmDiag *diag) {
  HmLowering L = {.ctx = ctx, .spec = spec, .options = options, .diag = diag};
  if (options.aten == HM_ATEN_TORCH)
    mlirContextSetAllowUnregisteredDialects(ctx, true); /* torch.aten.* has no dialect here */
  L.loc = mlirLocationUnknownGet(ctx);
  MlirModule module = mlirModuleCreateEmpty(L.loc);
  bool ok = init_lowering(&L);
  if (ok) {
    MlirBlock entry;
    MlirOperation func = create_func(&L, &entry);
    mlirBlockAppendOwnedOperation(mlirModuleGetBody(module), func);
    L.entry = L.block = entry;
    size_t nhost = hm_spec_num_host_tensors(spec);
    for (size_t i = 0; i < nhost; ++i)
      L.host_args[i] = mlirBlockGetArgument(entry, (intptr_t)i);
    for (size_t i = 0; i < hm_spec_num_scalars(spec); ++i)
      L.scalar_args[i] = mlirBlockGetArgument(entry, (intptr_t)(nhost + i));
    ok = lower_body(&L) && verify(&L, module);
  }
  hm_arena_destroy(&L.arena);
  if (!ok) {
    kernel_error(&L, "out of memory");
    mlirModuleDestroy(module);
    return (MlirModule){NULL};
  }
  return module;
}
