/* View ops on tile tensors: reshapes, permutations and broadcasts.
 *
 * - unsqueeze, squeeze and `subscript` with `None` entries add or drop unit dimensions:
 *   tensor.expand_shape / tensor.collapse_shape, each unit dimension grouped with a neighbour.
 * - view and reshape regroup dimensions: collapse_shape when the rank shrinks, expand_shape when it
 *   grows, both through one flat dimension when no grouping fits. Groups are found on the config's
 *   tile sizes, so symbolic tiles get the same grouping as concrete ones.
 * - stack: tensor.empty of the result, each input inserted (tensor.insert_slice, rank-reducing) at its
 *   position along the new dimension. A view merging that dimension into the one before it builds the
 *   merged tile directly, the inputs interleaved by strided insert_slices (merged_stack).
 * - hl.split and hl.join take apart and make a last dimension of 2: two extract_slices, and a
 *   linalg.generic selecting by that dimension's index.
 * - view(dtype): the same bits as another dtype of the same width, an elementwise arith.bitcast.
 * - permute and transpose: linalg.transpose. expand: a linalg.generic that repeats size-1 and
 *   missing dimensions, lined up as Helion's codegen does (hm_broadcast_dims: a missing dimension
 *   of a tile is the one of another block); hm_broadcast, right-aligned, serves addmm's bias.
 *
 * Tile tensors keep the full tile shape, so a view sees the padding of an edge tile too: flattening
 * [u0, u1] tiles interleaves padded rows with real ones, which is harmless because every op after it
 * is elementwise along those rows and a later view restores the tile shape before a store.
 */
#include "lower/Shapes.h"
#include "lower/SizeExpr.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Dialect/Linalg.h"

#include <string.h>

/* Reassociation groups: group g holds `count[g]` consecutive dimensions of the higher-rank side. */
typedef struct Groups {
  size_t n;
  size_t count[HM_MAX_RANK];
} Groups;

static int64_t dynamic(void) { return mlirShapedTypeGetDynamicSize(); }

static size_t rank_of(MlirValue t) { return (size_t)mlirShapedTypeGetRank(mlirValueGetType(t)); }

static int64_t size_of(MlirValue t, size_t d) { return mlirShapedTypeGetDimSize(mlirValueGetType(t), (intptr_t)d); }

static bool next_power_of_2(int64_t n, int64_t p) {
  return n > 0 && p > n && (p & (p - 1)) == 0 && p / 2 < n;
}

/* `t` padded with zeros at the high end of each static dimension to `shape`'s static size, where
 * that is the next power of two of t's: Helion pads the fake results of device-code factories and
 * subscripts to powers of two (patch_tensor_factories, for Triton's tl.arange) but not hl.arange's
 * iota, so `(hl.arange(5) < n)[None, :]` is recorded 8 wide. The padding lanes are zeros, false for
 * a mask: no element of the kernel's own 5, and a store through the 5 positions writes none of them
 * (Gather.c scatter_nest). */
static MlirValue pad_to_power_of_2(HmLowering *L, MlirValue t, size_t rank, const int64_t *shape) {
  int64_t low[HM_MAX_RANK] = {0}, high[HM_MAX_RANK] = {0}, padded[HM_MAX_RANK];
  bool any = false;
  for (size_t d = 0; d < rank; ++d) {
    padded[d] = size_of(t, d);
    if (padded[d] != dynamic() && shape[d] != dynamic() && next_power_of_2(padded[d], shape[d])) {
      high[d] = shape[d] - padded[d];
      padded[d] = shape[d];
      any = true;
    }
  }
  if (!any)
    return t;
  HmPad zeros = {.rank = rank, .low = low, .high = high};
  return hm_pad_zeros(L, t, &zeros, hm_ranked_tensor(L, rank, padded, hm_element_of(t)));
}

/* tensor.cast to `shape` where the static sizes differ (a dimension one side knows and the other not),
 * after pad_to_power_of_2. Two static sizes that differ otherwise are an error at the node (null). A
 * null `t` (an error already reported) stays null. */
static MlirValue cast_to(HmLowering *L, MlirValue t, size_t rank, const int64_t *shape) {
  if (mlirValueIsNull(t))
    return t;
  if (rank_of(t) == rank)
    t = pad_to_power_of_2(L, t, rank, shape);
  for (size_t d = 0; d < rank && d < rank_of(t); ++d)
    if (size_of(t, d) != dynamic() && shape[d] != dynamic() && size_of(t, d) != shape[d]) {
      hm_node_error(L, L->node, "'%s': dimension %zu has %lld elements where the result has %lld",
                    L->node->target, d, (long long)size_of(t, d), (long long)shape[d]);
      return (MlirValue){NULL};
    }
  MlirType type = hm_ranked_tensor(L, rank, shape, hm_element_of(t));
  if (mlirTypeEqual(type, mlirValueGetType(t)))
    return t;
  return hm_build_value(L, (HmOpSpec){.name = "tensor.cast", .nresults = 1, .results = &type, .noperands = 1,
                                      .operands = &t});
}

static MlirAttribute reassociation(HmLowering *L, const Groups *g) {
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  MlirAttribute groups[HM_MAX_RANK], members[HM_MAX_RANK];
  int64_t next = 0;
  for (size_t i = 0; i < g->n; ++i) {
    for (size_t m = 0; m < g->count[i]; ++m)
      members[m] = mlirIntegerAttrGet(i64, next++);
    groups[i] = mlirArrayAttrGet(L->ctx, (intptr_t)g->count[i], members);
  }
  return mlirArrayAttrGet(L->ctx, (intptr_t)g->n, groups);
}

/* The collapsed sizes of `shape` under `g`: a group's product, dynamic if any member is. */
static void collapsed_shape(const Groups *g, const int64_t *shape, int64_t *out) {
  size_t d = 0;
  for (size_t i = 0; i < g->n; ++i) {
    out[i] = 1;
    for (size_t m = 0; m < g->count[i]; ++m, ++d)
      out[i] = out[i] == dynamic() || shape[d] == dynamic() ? dynamic() : out[i] * shape[d];
  }
}

static MlirValue collapse(HmLowering *L, MlirValue x, const Groups *g) {
  if (g->n == rank_of(x))
    return x; /* every group is one dimension: a view to the same shape */
  int64_t in[HM_MAX_RANK], out[HM_MAX_RANK];
  for (size_t d = 0; d < rank_of(x); ++d)
    in[d] = size_of(x, d);
  collapsed_shape(g, in, out);
  MlirType type = hm_ranked_tensor(L, g->n, out, hm_element_of(x));
  MlirNamedAttribute attr = hm_named(L, "reassociation", reassociation(L, g));
  return hm_build_value(L, (HmOpSpec){.name = "tensor.collapse_shape", .nresults = 1, .results = &type,
                                      .noperands = 1, .operands = &x, .nattrs = 1, .attrs = &attr});
}

/* expand_shape of `x` into `shape`; `sizes` holds an index value for every dynamic dimension. The
 * input is first cast to the sizes the groups imply, which is where a static tile meets a dynamic one. */
static MlirValue expand(HmLowering *L, MlirValue x, const Groups *g, size_t rank, const int64_t *shape,
                        const MlirValue *sizes) {
  int64_t implied[HM_MAX_RANK];
  collapsed_shape(g, shape, implied);
  x = cast_to(L, x, g->n, implied);
  if (mlirValueIsNull(x))
    return x;
  MlirValue operands[1 + HM_MAX_RANK] = {x};
  size_t n = 1;
  for (size_t d = 0; d < rank; ++d)
    if (shape[d] == dynamic())
      operands[n++] = sizes[d];
  MlirType type = hm_ranked_tensor(L, rank, shape, hm_element_of(x));
  MlirNamedAttribute attrs[2] = {
      hm_named(L, "reassociation", reassociation(L, g)),
      hm_named(L, "static_output_shape", hm_i64_array(L, rank, shape)),
  };
  return hm_build_value(L, (HmOpSpec){.name = "tensor.expand_shape", .nresults = 1, .results = &type,
                                      .noperands = (intptr_t)n, .operands = operands, .nattrs = 2, .attrs = attrs});
}

/* Groups over the higher-rank side when the dimensions marked `unit` are the only difference: each
 * unit dimension joins the preceding group (leading ones the first group). */
static bool unit_groups(size_t rank, const bool *unit, Groups *g) {
  *g = (Groups){0};
  size_t pending = 0;
  for (size_t d = 0; d < rank; ++d) {
    if (!unit[d]) {
      g->count[g->n++] = pending + 1;
      pending = 0;
    } else if (g->n == 0) {
      ++pending;
    } else {
      ++g->count[g->n - 1];
    }
  }
  return g->n > 0;
}

/* Groups that multiply `big` (rank nbig) into `small` (rank nsmall); false when none fits. */
static bool product_groups(size_t nbig, const int64_t *big, size_t nsmall, const int64_t *small, Groups *g) {
  *g = (Groups){.n = nsmall};
  size_t i = 0;
  for (size_t j = 0; j < nsmall; ++j) {
    if (i >= nbig)
      return false;
    int64_t product = big[i++];
    g->count[j] = 1;
    while (product < small[j] && i < nbig) {
      product *= big[i++];
      ++g->count[j];
    }
    if (product != small[j])
      return false;
  }
  for (; i < nbig; ++i) { /* trailing unit dimensions join the last group */
    if (big[i] != 1 || nsmall == 0)
      return false;
    ++g->count[nsmall - 1];
  }
  return true;
}

/* The config's size of a tile dimension, for finding groups. */
static bool hint(HmLowering *L, HmDim dim, int64_t *out) {
  if (!dim.sym) {
    *out = dim.value;
    return true;
  }
  return hm_size_static(L, dim.sym, true, out);
}

typedef struct Target {
  const HmSpecValue *val;
  size_t rank;
  int64_t shape[HM_MAX_RANK];
  MlirValue sizes[HM_MAX_RANK]; /* for dynamic dimensions */
} Target;

static bool target_of(HmLowering *L, const HmSpecValue *val, Target *t) {
  if (val->kind != HM_SPEC_TENSOR || val->rank == 0 || val->rank > HM_MAX_RANK)
    return hm_node_error(L, L->node, "'%s' must produce a tensor of rank 1 to %d", L->node->target, HM_MAX_RANK);
  t->rank = val->rank;
  t->val = val;
  for (size_t d = 0; d < val->rank; ++d)
    t->shape[d] = hm_static_dim(L, val->shape[d]);
  return true;
}

/* The index values of the target's dynamic sizes, which only expand_shape needs. */
static bool target_sizes(HmLowering *L, Target *t) {
  for (size_t d = 0; d < t->rank; ++d)
    if (t->shape[d] == dynamic() && !hm_dim_value(L, t->val->shape[d], &t->sizes[d]))
      return false;
  return true;
}

static bool finish(HmLowering *L, MlirValue value, const Target *t, HmIrValue *out) {
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .value = cast_to(L, value, t->rank, t->shape), .block_id = -1};
  return !mlirValueIsNull(out->value);
}

/* Adds or drops the unit dimensions marked in `unit` (over the higher rank). */
static bool reshape_units(HmLowering *L, MlirValue x, const bool *unit, Target *t, HmIrValue *out) {
  size_t big = rank_of(x) > t->rank ? rank_of(x) : t->rank;
  Groups g;
  if (!unit_groups(big, unit, &g))
    return hm_node_error(L, L->node, "'%s' of a tensor with only unit dimensions is not supported",
                         L->node->target);
  if (t->rank < rank_of(x))
    return finish(L, collapse(L, x, &g), t, out);
  return target_sizes(L, t) && finish(L, expand(L, x, &g, t->rank, t->shape, t->sizes), t, out);
}

static bool input(HmLowering *L, HmScope *S, const HmNode *node, HmIrValue *x, const HmSpecValue **val) {
  if (!hm_arg_tensor(L, S, node, 0, x))
    return false;
  *val = &hm_arg_node(S, &node->args[0])->val;
  if (rank_of(x->value) > HM_MAX_RANK || (*val)->rank != rank_of(x->value))
    return hm_node_error(L, node, "'%s' of a tensor of unsupported rank", node->target);
  return true;
}

/* The config's sizes of a tensor value and their product. */
static bool hints(HmLowering *L, const HmSpecValue *val, int64_t *sizes, int64_t *numel) {
  *numel = 1;
  for (size_t d = 0; d < val->rank; ++d) {
    if (!hint(L, val->shape[d], &sizes[d]))
      return hm_node_error(L, L->node, "'%s' of a tile whose sizes are not known", L->node->target);
    *numel *= sizes[d];
  }
  return true;
}

/* torch.stack's new dimension, counted from the front; -1 when it is outside the result's rank. */
static int64_t stack_dim(const HmNode *stack) {
  const HmArg *dim_arg = stack->nargs > 1 ? &stack->args[1] : hm_kwarg(stack, "dim");
  int64_t rank = (int64_t)stack->val.rank, dim = dim_arg && dim_arg->kind == HM_ARG_INT ? dim_arg->i : 0;
  dim += dim < 0 ? rank : 0;
  return dim >= 0 && dim < rank ? dim : -1;
}

/* A view that merges a stack's new dimension into the one before it (`torch.stack([lo, hi], dim=1)
 * .reshape(2 * k, n)`, Helion's int4_gemm unpacking two values per byte) built as the merged tensor
 * itself: the stacked inputs interleave, each inserted with a stride of the stack's count. A
 * collapse_shape there would be pushed by linalg's reshape propagation (linalg-fuse-elementwise-ops)
 * into its consumer, which then becomes a generic of the expanded shape: a matmul so became a scalar
 * loop nest that the matmul kernels (lib/run/matmul.mlir) never see. `*out` stays null when the view
 * is no such merge (another producer, dynamic sizes, other dimensions merged too). */
static bool merged_stack(HmLowering *L, HmScope *S, const HmNode *node, MlirValue stacked, const Groups *g,
                         MlirValue *out) {
  *out = (MlirValue){NULL};
  const HmNode *stack = hm_arg_node(S, &node->args[0]);
  if (!stack || !stack->target || strcmp(stack->target, "aten.stack.default") != 0 ||
      !mlirShapedTypeHasStaticShape(mlirValueGetType(stacked)) || stack->val.rank != rank_of(stacked))
    return true;
  int64_t dim = stack_dim(stack);
  const HmArg *list = hm_arg(L, stack, 0);
  if (dim < 0 || !list || list->kind != HM_ARG_LIST || (int64_t)list->count != size_of(stacked, (size_t)dim))
    return true;
  size_t merged = g->n; /* the group of the new dimension and the one before it */
  for (size_t j = 0, d = 0; j < g->n; d += g->count[j++]) {
    if (g->count[j] == 1)
      continue;
    if (g->count[j] != 2 || merged != g->n || (size_t)dim != d + 1)
      return true;
    merged = j;
  }
  if (merged == g->n)
    return true;
  int64_t shape[HM_MAX_RANK];
  for (size_t j = 0, d = 0; j < g->n; d += g->count[j++]) {
    shape[j] = size_of(stacked, d);
    if (g->count[j] == 2 && __builtin_mul_overflow(shape[j], size_of(stacked, d + 1), &shape[j]))
      return true;
  }
  MlirValue pieces[HM_MAX_RANK];
  if (list->count > HM_MAX_RANK)
    return true;
  for (size_t i = 0; i < list->count; ++i) {
    HmIrValue v;
    if (!hm_arg_value(L, S, stack, &list->items[i], &v))
      return false;
    if (v.kind != HM_IR_TENSOR || rank_of(v.value) != g->n || !mlirShapedTypeHasStaticShape(mlirValueGetType(v.value)))
      return true;
    pieces[i] = v.value;
  }
  MlirType element = hm_element_of(stacked);
  MlirValue result = hm_build_value(L, (HmOpSpec){.name = "tensor.empty", .nresults = 1,
                                                  .results = (MlirType[]){hm_ranked_tensor(L, g->n, shape, element)}});
  for (size_t i = 0; i < list->count; ++i) {
    MlirValue piece;
    if (!hm_cast_tensor(L, pieces[i], element, &piece))
      return false;
    int64_t offsets[HM_MAX_RANK] = {0}, sizes[HM_MAX_RANK], strides[HM_MAX_RANK];
    for (size_t j = 0; j < g->n; ++j) {
      sizes[j] = size_of(piece, j);
      strides[j] = 1;
    }
    offsets[merged] = (int64_t)i;
    strides[merged] = (int64_t)list->count;
    HmSlice at = {.rank = g->n, .offsets = offsets, .sizes = sizes, .strides = strides};
    result = hm_insert_slice(L, piece, result, &at);
  }
  *out = result;
  return true;
}

static bool lower_view(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue x;
  const HmSpecValue *in;
  Target t;
  int64_t from[HM_MAX_RANK], to[HM_MAX_RANK], from_n, to_n;
  if (!input(L, S, node, &x, &in) || !target_of(L, &node->val, &t) || !hints(L, in, from, &from_n) ||
      !hints(L, &node->val, to, &to_n))
    return false;
  if (from_n != to_n)
    return hm_node_error(L, node, "'%s' of a padded tile (%lld elements) into %lld elements is not supported",
                         node->target, (long long)from_n, (long long)to_n);
  Groups g;
  if (t.rank <= in->rank && product_groups(in->rank, from, t.rank, to, &g)) {
    MlirValue merged;
    if (!merged_stack(L, S, node, x.value, &g, &merged))
      return false;
    return finish(L, mlirValueIsNull(merged) ? collapse(L, x.value, &g) : merged, &t, out);
  }
  if (!target_sizes(L, &t))
    return false;
  if (t.rank > in->rank && product_groups(t.rank, to, in->rank, from, &g))
    return finish(L, expand(L, x.value, &g, t.rank, t.shape, t.sizes), &t, out);
  /* No grouping fits: through one flat dimension. */
  Groups all_in = {.n = 1, .count = {in->rank}}, all_out = {.n = 1, .count = {t.rank}};
  return finish(L, expand(L, collapse(L, x.value, &all_in), &all_out, t.rank, t.shape, t.sizes), &t, out);
}

static bool dim_value(HmLowering *L, const HmNode *node, const HmArg *a, size_t rank, size_t *out) {
  if (!a || a->kind != HM_ARG_INT || a->i < -(int64_t)rank || a->i >= (int64_t)rank)
    return hm_node_error(L, node, "'%s' needs a constant dimension within rank %zu", node->target, rank);
  *out = (size_t)(a->i < 0 ? a->i + (int64_t)rank : a->i);
  return true;
}

static bool dim_arg(HmLowering *L, const HmNode *node, size_t index, size_t rank, size_t *out) {
  return dim_value(L, node, node->nargs > index ? &node->args[index] : NULL, rank, out);
}

static bool lower_unsqueeze(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue x;
  const HmSpecValue *in;
  Target t;
  size_t at = 0;
  if (!input(L, S, node, &x, &in) || !target_of(L, &node->val, &t) || !dim_arg(L, node, 1, t.rank, &at))
    return false;
  bool unit[HM_MAX_RANK] = {false};
  unit[at] = true;
  return reshape_units(L, x.value, unit, &t, out);
}

/* squeeze drops the listed dimensions (all of them when none is listed) that have size 1. */
static bool lower_squeeze(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue x;
  const HmSpecValue *in;
  Target t;
  if (!input(L, S, node, &x, &in) || !target_of(L, &node->val, &t))
    return false;
  size_t rank = in->rank;
  bool listed[HM_MAX_RANK] = {false}, unit[HM_MAX_RANK];
  const HmArg *dims = node->nargs > 1 ? &node->args[1] : NULL;
  size_t n = !dims ? 0 : dims->kind == HM_ARG_LIST ? dims->count : 1;
  for (size_t i = 0; i < n; ++i) {
    size_t d = 0;
    if (!dim_value(L, node, dims->kind == HM_ARG_LIST ? &dims->items[i] : dims, rank, &d))
      return false;
    listed[d] = true;
  }
  size_t kept = 0;
  for (size_t d = 0; d < rank; ++d) {
    int64_t h;
    unit[d] = (n == 0 || listed[d]) && hint(L, in->shape[d], &h) && h == 1;
    kept += !unit[d];
  }
  if (kept != t.rank)
    return hm_node_error(L, node, "'%s' of a dimension that is not statically 1", node->target);
  if (kept == rank)
    return finish(L, x.value, &t, out);
  return reshape_units(L, x.value, unit, &t, out);
}

/* x[:, :, None]: full slices keep a dimension, None inserts a unit one. */
static bool lower_subscript(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue x;
  const HmSpecValue *in;
  Target t;
  const HmArg *index = hm_arg(L, node, 1);
  if (!index || !input(L, S, node, &x, &in) || !target_of(L, &node->val, &t))
    return false;
  if (index->kind != HM_ARG_LIST || index->count != t.rank)
    return hm_node_error(L, node, "subscript: only full slices and None are supported as indices");
  bool unit[HM_MAX_RANK] = {false};
  size_t kept = 0;
  for (size_t i = 0; i < index->count; ++i) {
    const HmArg *e = &index->items[i];
    bool full = e->kind == HM_ARG_SLICE && e->items[0].kind == HM_ARG_NONE && e->items[1].kind == HM_ARG_NONE &&
                e->items[2].kind == HM_ARG_NONE;
    if (!full && e->kind != HM_ARG_NONE)
      return hm_node_error(L, node, "subscript: index %zu: only full slices and None are supported", i);
    unit[i] = e->kind == HM_ARG_NONE;
    kept += full;
  }
  if (kept != in->rank)
    return hm_node_error(L, node, "subscript: %zu slices for a tensor of rank %zu", kept, in->rank);
  if (kept == t.rank)
    return finish(L, x.value, &t, out);
  return reshape_units(L, x.value, unit, &t, out);
}

static MlirValue transpose(HmLowering *L, MlirValue x, const int64_t *perm) {
  size_t rank = rank_of(x);
  int64_t shape[HM_MAX_RANK];
  MlirValue sizes[HM_MAX_RANK];
  size_t ndynamic = 0;
  for (size_t d = 0; d < rank; ++d) {
    shape[d] = size_of(x, (size_t)perm[d]);
    if (shape[d] == dynamic())
      sizes[ndynamic++] = hm_tensor_dim(L, x, (size_t)perm[d]);
  }
  MlirType type = hm_ranked_tensor(L, rank, shape, hm_element_of(x));
  MlirValue init = hm_build_value(L, (HmOpSpec){.name = "tensor.empty", .nresults = 1, .results = &type,
                                                .noperands = (intptr_t)ndynamic, .operands = sizes});
  MlirNamedAttribute attr = hm_named(L, "permutation", hm_i64_array(L, rank, perm));
  MlirRegion region = mlirRegionCreate();
  MlirOperation op = hm_build(L, (HmOpSpec){.name = "linalg.transpose", .nresults = 1, .results = &type,
                                            .noperands = 2, .operands = (MlirValue[]){x, init}, .nattrs = 1,
                                            .attrs = &attr, .nregions = 1, .regions = &region});
  mlirLinalgFillBuiltinNamedOpRegion(op);
  return mlirOperationGetResult(op, 0);
}

typedef enum Permutation { PERMUTE, TRANSPOSE, T } Permutation;

static bool permutation(HmLowering *L, const HmNode *node, Permutation kind, size_t rank, int64_t *perm) {
  for (size_t d = 0; d < rank; ++d)
    perm[d] = (int64_t)d;
  if (kind == T) {
    if (rank == 2)
      perm[0] = 1, perm[1] = 0;
    return true;
  }
  if (kind == TRANSPOSE) {
    size_t a = 0, b = 0;
    if (!dim_arg(L, node, 1, rank, &a) || !dim_arg(L, node, 2, rank, &b))
      return false;
    perm[a] = (int64_t)b, perm[b] = (int64_t)a;
    return true;
  }
  const HmArg *dims = hm_arg(L, node, 1);
  if (!dims || dims->kind != HM_ARG_LIST || dims->count != rank)
    return hm_node_error(L, node, "permute needs one dimension per input dimension");
  bool seen[HM_MAX_RANK] = {false};
  for (size_t d = 0; d < rank; ++d) {
    const HmArg *e = &dims->items[d];
    int64_t v = e->kind == HM_ARG_INT && e->i < 0 ? e->i + (int64_t)rank : e->i;
    if (e->kind != HM_ARG_INT || v < 0 || v >= (int64_t)rank || seen[v])
      return hm_node_error(L, node, "permute: dims must be a permutation of 0..%zu", rank - 1);
    seen[v] = true;
    perm[d] = v;
  }
  return true;
}

static bool lower_permute(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue x;
  const HmSpecValue *in;
  Target t;
  int64_t perm[HM_MAX_RANK];
  if (!input(L, S, node, &x, &in) || !target_of(L, &node->val, &t) ||
      !permutation(L, node, (Permutation)variant, in->rank, perm))
    return false;
  return finish(L, transpose(L, x.value, perm), &t, out);
}

static bool copy_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  *result = hm_convert_scalar(L, args[0], *(MlirType *)ctx);
  return true;
}

/* `x` (spec value `from`, or NULL) broadcast to `to`, its dimensions lined up by hm_broadcast_dims. */
static bool broadcast(HmLowering *L, MlirValue x, const HmSpecValue *from, const HmSpecValue *to, MlirType element,
                      MlirValue *out) {
  size_t rank = rank_of(x), out_rank = to->rank;
  if (rank > out_rank || out_rank > HM_MAX_RANK)
    return hm_node_error(L, L->node, "cannot broadcast a rank-%zu tensor to rank %zu", rank, out_rank);
  size_t dst[HM_MAX_RANK];
  hm_broadcast_dims(L, from, rank, to, dst);
  MlirAffineExpr exprs[HM_MAX_RANK];
  for (size_t j = 0; j < rank; ++j) {
    bool repeat = size_of(x, j) == 1 && hm_static_dim(L, to->shape[dst[j]]) != 1;
    exprs[j] = repeat ? mlirAffineConstantExprGet(L->ctx, 0) : mlirAffineDimExprGet(L->ctx, (intptr_t)dst[j]);
  }
  MlirAffineMap maps[2] = {mlirAffineMapGet(L->ctx, (intptr_t)out_rank, 0, (intptr_t)rank, exprs),
                           mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)out_rank)};
  MlirValue init;
  if (!hm_empty_tensor(L, to, element, &init))
    return false;
  return hm_generic(L, 1, &x, maps, init, out_rank, NULL, copy_body, &element, out);
}

bool hm_broadcast(HmLowering *L, MlirValue x, const HmSpecValue *to, MlirType element, MlirValue *out) {
  return broadcast(L, x, NULL, to, element, out);
}

static bool lower_expand(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue x;
  const HmSpecValue *in;
  if (!input(L, S, node, &x, &in))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return broadcast(L, x.value, in, &node->val, hm_element_of(x.value), &out->value);
}

/* torch.stack(tensors, dim): the new dimension `dim` of size len(tensors), input i at position i. */
static bool lower_stack(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  (void)variant;
  const HmArg *list = hm_arg(L, node, 0);
  if (!list || list->kind != HM_ARG_LIST || list->count == 0 || node->val.kind != HM_SPEC_TENSOR ||
      node->val.rank > HM_MAX_RANK)
    return hm_node_error(L, node, "stack needs a list of tile tensors");
  size_t rank = node->val.rank;
  int64_t dim = stack_dim(node);
  if (dim < 0)
    return hm_node_error(L, node, "stack's dim must be within the result's rank %zu", rank);
  MlirValue result;
  if (!hm_empty_tensor(L, &node->val, hm_element_type(L, node->val.dtype), &result))
    return false;
  MlirType type = mlirValueGetType(result);
  for (size_t i = 0; i < list->count; ++i) {
    HmIrValue v;
    if (!hm_arg_value(L, S, node, &list->items[i], &v))
      return false;
    if (v.kind != HM_IR_TENSOR || (size_t)mlirShapedTypeGetRank(mlirValueGetType(v.value)) + 1 != rank)
      return hm_node_error(L, node, "stack's input %zu must be a tile tensor of rank %zu", i, rank - 1);
    MlirValue element;
    if (!hm_cast_tensor(L, v.value, hm_element_of(result), &element))
      return false;
    int64_t offsets[HM_MAX_RANK], sizes[HM_MAX_RANK];
    MlirValue dims[HM_MAX_RANK];
    size_t ndims = 0;
    for (size_t d = 0; d < rank; ++d) {
      offsets[d] = d == (size_t)dim ? (int64_t)i : 0;
      sizes[d] = d == (size_t)dim ? 1 : mlirShapedTypeGetDimSize(type, (intptr_t)d);
      if (mlirShapedTypeIsDynamicSize(sizes[d]))
        dims[ndims++] = hm_tensor_dim(L, result, d);
    }
    HmSlice row = {.rank = rank, .offsets = offsets, .sizes = sizes, .nsize_values = ndims, .size_values = dims};
    result = hm_insert_slice(L, element, result, &row);
  }
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1, .value = result};
  return true;
}

/* clone and alias (x.contiguous() of a transposed tile): tile tensors are values, nothing to copy. */
static bool lower_same(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  return hm_arg_tensor(L, S, node, 0, out);
}

/* Bits of a tile element as torch stores it; 0 for bool (a byte in torch, i1 here). */
static unsigned storage_bits(MlirType t) {
  if (mlirTypeIsAInteger(t))
    return mlirIntegerTypeGetWidth(t) == 1 ? 0 : mlirIntegerTypeGetWidth(t);
  return mlirTypeIsAFloat(t) ? mlirFloatTypeGetWidth(t) : 0;
}

static bool bitcast_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  MlirType *to = ctx;
  *result = hm_build_value(L, (HmOpSpec){.name = "arith.bitcast", .nresults = 1, .results = to, .noperands = 1,
                                         .operands = args});
  return true;
}

/* x.view(dtype): the same bits read as another dtype of the same width (bf16 as int16), elementwise
 * arith.bitcast. A dtype of another width would change the last dimension's size. */
static bool lower_view_dtype(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  (void)variant;
  HmIrValue x;
  if (!hm_arg_tensor(L, S, node, 0, &x))
    return false;
  MlirType from = hm_element_of(x.value), to = hm_element_type(L, node->val.dtype);
  if (!storage_bits(from) || storage_bits(from) != storage_bits(to))
    return hm_node_error(L, node, "'%s' reinterprets only between dtypes of the same width (not bool)",
                         node->target);
  size_t rank = rank_of(x.value);
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)rank);
  MlirAffineMap maps[2] = {identity, identity};
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return hm_generic(L, 1, &x.value, maps, hm_empty_like(L, x.value, to), rank, NULL, bitcast_body, &to,
                    &out->value);
}

const HmOpEntry hm_view_ops[] = {
    {"aten.clone.default", lower_same, 0, HM_OP_OTHER},
    {"aten.alias.default", lower_same, 0, HM_OP_OTHER},
    {"aten.lift_fresh_copy.default", lower_same, 0, HM_OP_OTHER},
    {"aten.view.default", lower_view, 0, HM_OP_OTHER},
    {"aten.view.dtype", lower_view_dtype, 0, HM_OP_OTHER},
    {"aten.reshape.default", lower_view, 0, HM_OP_OTHER},
    {"aten._unsafe_view.default", lower_view, 0, HM_OP_OTHER},
    {"aten.unsqueeze.default", lower_unsqueeze, 0, HM_OP_OTHER},
    {"aten.squeeze.dim", lower_squeeze, 0, HM_OP_OTHER},
    {"aten.squeeze.dims", lower_squeeze, 0, HM_OP_OTHER},
    {"aten.squeeze.default", lower_squeeze, 0, HM_OP_OTHER},
    {"aten.permute.default", lower_permute, PERMUTE, HM_OP_OTHER},
    {"aten.transpose.int", lower_permute, TRANSPOSE, HM_OP_OTHER},
    {"aten.t.default", lower_permute, T, HM_OP_OTHER},
    {"aten.expand.default", lower_expand, 0, HM_OP_OTHER},
    {"aten.stack.default", lower_stack, 0, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};

/* hl.split: the two halves of a last dimension of 2, each a rank-reducing tensor.extract_slice. */
static bool lower_split(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue in;
  if (!hm_arg_tensor(L, S, node, 0, &in))
    return false;
  size_t rank = rank_of(in.value);
  /* Symbolic tiles leave a last dimension that is a block's tile dynamic; Helion checked it is 2. */
  if (rank == 0 || rank > HM_MAX_RANK || (size_of(in.value, rank - 1) != 2 && size_of(in.value, rank - 1) != dynamic()))
    return hm_node_error(L, node, "hl.split needs a last dimension of size 2");
  HmIrValue *halves = hm_arena_new(&L->arena, HmIrValue, 2);
  if (!halves)
    return hm_node_error(L, node, "out of memory");
  int64_t offsets[HM_MAX_RANK] = {0}, sizes[HM_MAX_RANK], shape[HM_MAX_RANK];
  MlirValue dims[HM_MAX_RANK];
  size_t ndims = 0;
  for (size_t d = 0; d < rank; ++d) {
    sizes[d] = d + 1 == rank ? 1 : size_of(in.value, d);
    if (d + 1 < rank) {
      shape[d] = sizes[d];
      if (sizes[d] == dynamic())
        dims[ndims++] = hm_tensor_dim(L, in.value, d);
    }
  }
  MlirType type = hm_ranked_tensor(L, rank - 1, shape, hm_element_of(in.value));
  HmSlice half_slice = {.rank = rank, .offsets = offsets, .sizes = sizes, .nsize_values = ndims, .size_values = dims};
  for (int64_t half = 0; half < 2; ++half) {
    offsets[rank - 1] = half;
    halves[half] = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1,
                               .value = hm_extract_slice(L, in.value, &half_slice, type)};
  }
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = 2, .items = halves, .block_id = -1};
  return true;
}

/* hl.join's operands: tensors broadcast into the result's leading dimensions, or scalars. */
typedef struct Join {
  MlirValue scalar[2]; /* null where the operand is a tensor (a generic input) */
  size_t last;         /* the result's new dimension */
  MlirType element;
} Join;

static bool join_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  const Join *j = ctx;
  MlirValue v[2];
  size_t next = 0;
  for (size_t i = 0; i < 2; ++i)
    v[i] = hm_convert_scalar(L, mlirValueIsNull(j->scalar[i]) ? args[next++] : j->scalar[i], j->element);
  MlirValue first = hm_cmpi(L, HM_CMPI_EQ, hm_linalg_index(L, j->last), hm_index_const(L, 0));
  *result = hm_build_value(L, (HmOpSpec){.name = "arith.select", .noperands = 3,
                                         .operands = (MlirValue[]){first, v[0], v[1]}, .infer_results = true});
  return true;
}

/* hl.join(a, b): a new last dimension of 2 holding a then b, broadcast as torch broadcasts them. */
static bool lower_join(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const HmSpecValue *val = &node->val;
  if (val->kind != HM_SPEC_TENSOR || val->rank == 0 || val->rank > HM_MAX_RANK)
    return hm_node_error(L, node, "hl.join must produce a tensor");
  Join j = {.last = val->rank - 1, .element = hm_element_type(L, val->dtype)};
  MlirValue inputs[2];
  MlirAffineMap maps[3];
  size_t ninputs = 0;
  for (size_t i = 0; i < 2; ++i) {
    HmIrValue v;
    if (!hm_arg_value(L, S, node, hm_arg(L, node, i), &v))
      return false;
    if (v.kind == HM_IR_SCALAR) {
      j.scalar[i] = v.value;
      continue;
    }
    if (v.kind == HM_IR_INDEX) { /* a size: a Python int */
      MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
      j.scalar[i] = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &i64,
                                                 .noperands = 1, .operands = &v.value});
      continue;
    }
    if (v.kind != HM_IR_TENSOR || rank_of(v.value) > j.last)
      return hm_node_error(L, node, "operand %zu of hl.join must be a tile or a scalar of rank below the result's", i);
    size_t rank = rank_of(v.value);
    MlirAffineExpr exprs[HM_MAX_RANK];
    for (size_t k = 0; k < rank; ++k) {
      size_t d = j.last - rank + k;
      bool repeat = size_of(v.value, k) == 1 && hm_static_dim(L, val->shape[d]) != 1;
      exprs[k] = repeat ? mlirAffineConstantExprGet(L->ctx, 0) : mlirAffineDimExprGet(L->ctx, (intptr_t)d);
    }
    maps[ninputs] = mlirAffineMapGet(L->ctx, (intptr_t)val->rank, 0, (intptr_t)rank, exprs);
    inputs[ninputs++] = v.value;
  }
  maps[ninputs] = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)val->rank);
  MlirValue init;
  if (!hm_empty_tensor(L, val, j.element, &init))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return hm_generic(L, ninputs, inputs, maps, init, val->rank, NULL, join_body, &j, &out->value);
}

/* Helion's own view ops, lowered here whichever way ATen ops are. */
const HmOpEntry hm_helion_view_ops[] = {
    {"helion.language.view_ops.subscript", lower_subscript, 0, HM_OP_OTHER},
    {"helion.language.view_ops.split", lower_split, 0, HM_OP_OTHER},
    {"helion.language.view_ops.join", lower_join, 0, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
