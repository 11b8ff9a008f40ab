/* Ops with a combine function: `_reduce` (hl.reduce) and `_associative_scan` (hl.associative_scan,
 * hl.cumsum, hl.cumprod).
 *
 * Helion traces the combine function into a `helper` graph on one-element tensors. We walk the tile's
 * reduced (or scanned) dimension with an scf.for and apply the graph to whole slices of the tile at a
 * time: every value of the helper graph that has one element takes the slice's shape instead (the
 * tile's shape with 1 along that dimension), so its element-wise ops lower as usual and compute every
 * other position of the tile at once. The loop visits only the real elements of the dimension, never
 * the padding of an edge tile, so the combine function needs no identity: a reduction starts from the
 * first element and a scan's first output is its first input, as in Helion's reference. A combine
 * function over tuples (hl.reduce(f, (values, indices))) carries one slice per tensor of the tuple.
 */
#include "lower/Shapes.h"
#include "lower/Tiles.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

enum { MAX_LEAVES = 4 };

/* Where the combine function runs: the tiles (one per tensor of a tuple), the dimension, and the slice
 * shape its values take. */
typedef struct Walk {
  const HmNode *node;
  const HmGraph *helper; /* the helper graph with one-element values retyped to the slice */
  size_t nleaves;
  MlirValue inputs[MAX_LEAVES];
  size_t rank, dim;
  HmDim slice_shape[HM_MAX_RANK];
  MlirValue extent; /* the number of real elements along dim */
} Walk;

static bool is_unit(const HmSpecValue *val) {
  for (size_t d = 0; d < val->rank; ++d)
    if (val->shape[d].sym || val->shape[d].value != 1)
      return false;
  return true;
}

/* A copy of the helper graph whose one-element tensors have the slice's shape. */
static bool retype_helper(HmLowering *L, const HmGraph *graph, Walk *w) {
  HmGraph *copy = hm_arena_new(&L->arena, HmGraph, 1);
  *copy = *graph;
  copy->nodes = hm_arena_new(&L->arena, HmNode, graph->nnodes + 1);
  for (size_t i = 0; i < graph->nnodes; ++i) {
    copy->nodes[i] = graph->nodes[i];
    HmSpecValue *val = &copy->nodes[i].val;
    if (graph->nodes[i].op == HM_NODE_OUTPUT || val->kind != HM_SPEC_TENSOR)
      continue;
    if (!is_unit(val))
      return hm_node_error(L, &graph->nodes[i], "a combine function may only compute element-wise");
    val->rank = w->rank;
    val->shape = w->slice_shape;
  }
  w->helper = copy;
  return true;
}

/* tensor.extract_slice of `source` (or, with `into`, tensor.insert_slice of `slice` into it) at
 * `position` along w->dim (0 when null); `drop` leaves the dimension out of the slice's type (a
 * reduction without keep_dims). */
static MlirValue slice_at(HmLowering *L, const Walk *w, MlirValue source, MlirValue position, MlirValue into,
                          MlirValue slice, bool drop) {
  MlirType type = mlirValueGetType(source);
  int64_t offsets[HM_MAX_RANK], sizes[HM_MAX_RANK], shape[HM_MAX_RANK];
  MlirValue dims[HM_MAX_RANK];
  size_t rank = 0, ndims = 0;
  bool has_offset = !mlirValueIsNull(position);
  for (size_t d = 0; d < w->rank; ++d) {
    offsets[d] = d == w->dim && has_offset ? mlirShapedTypeGetDynamicStrideOrOffset() : 0;
    sizes[d] = d == w->dim ? 1 : mlirShapedTypeGetDimSize(type, (intptr_t)d);
    if (sizes[d] == mlirShapedTypeGetDynamicSize())
      dims[ndims++] = hm_tensor_dim(L, source, d);
    if (d != w->dim || !drop)
      shape[rank++] = sizes[d];
  }
  HmSlice at = {.rank = w->rank, .offsets = offsets, .sizes = sizes, .noffset_values = has_offset,
                .offset_values = &position, .nsize_values = ndims, .size_values = dims};
  if (!mlirValueIsNull(into))
    return hm_insert_slice(L, slice, into, &at);
  return hm_extract_slice(L, source, &at, hm_ranked_tensor(L, rank, shape, mlirShapedTypeGetElementType(type)));
}

/* The slices of every tensor of the tuple at `position`. */
static void extract_all(HmLowering *L, const Walk *w, MlirValue position, MlirValue *out) {
  for (size_t t = 0; t < w->nleaves; ++t)
    out[t] = slice_at(L, w, w->inputs[t], position, (MlirValue){NULL}, (MlirValue){NULL}, false);
}

/* What the helper graph returns: one node, or a list of one node per tensor of the tuple. */
static bool combine_results(HmLowering *L, const Walk *w, HmScope *scope, const HmNode *output, const MlirValue *accs,
                            MlirValue *outs) {
  const HmArg *result = &output->args[0];
  size_t n = result->kind == HM_ARG_LIST ? result->count : 1;
  if (n != w->nleaves)
    return hm_node_error(L, w->node, "the combine function returns %zu values for %zu inputs", n, w->nleaves);
  for (size_t t = 0; t < n; ++t) {
    const HmNode *src = hm_arg_node(scope, result->kind == HM_ARG_LIST ? &result->items[t] : result);
    HmIrValue v = src ? scope->values[src->index] : (HmIrValue){0};
    if (v.kind != HM_IR_TENSOR || !mlirTypeEqual(mlirValueGetType(v.value), mlirValueGetType(accs[t])))
      return hm_node_error(L, w->node, "the combine function's result %zu is not of its input's type", t);
    outs[t] = v.value;
  }
  return true;
}

/* combine(accs, xs): the helper graph with its placeholders bound to the slices, the accumulated
 * tuple first. */
static bool combine(HmLowering *L, HmScope *S, const Walk *w, const MlirValue *accs, const MlirValue *xs,
                    MlirValue *outs) {
  HmScope *scope = hm_scope_new(L, w->helper, S);
  size_t bound = 0;
  const HmNode *output = NULL;
  for (size_t i = 0; i < w->helper->nnodes; ++i) {
    const HmNode *n = &w->helper->nodes[i];
    if (n->op == HM_NODE_OUTPUT)
      output = n;
    if (n->op == HM_NODE_PLACEHOLDER && bound < 2 * w->nleaves) {
      MlirValue v = bound < w->nleaves ? accs[bound] : xs[bound - w->nleaves];
      scope->values[i] = (HmIrValue){.kind = HM_IR_TENSOR, .value = v, .block_id = -1};
      ++bound;
    }
  }
  if (bound != 2 * w->nleaves || !output || output->nargs != 1)
    return hm_node_error(L, w->node, "the combine function must take two tuples of %zu values", w->nleaves);
  MlirLocation loc = L->loc;
  bool ok = hm_lower_graph(L, scope, NULL, 0);
  L->loc = loc;
  L->node = w->node;
  return ok && combine_results(L, w, scope, output, accs, outs);
}

/* The input: one tile, or a tuple of tiles of one shape; `val` receives the first one's shape. */
static bool inputs(HmLowering *L, HmScope *S, const HmNode *node, Walk *w, const HmSpecValue **val) {
  const HmArg *in = hm_arg(L, node, 1);
  if (!in)
    return false;
  bool tuple = in->kind == HM_ARG_LIST;
  w->nleaves = tuple ? in->count : 1;
  if (w->nleaves == 0 || w->nleaves > MAX_LEAVES)
    return hm_node_error(L, node, "combine functions over 1 to %d tensors are supported", MAX_LEAVES);
  for (size_t t = 0; t < w->nleaves; ++t) {
    const HmArg *leaf = tuple ? &in->items[t] : in;
    HmIrValue v;
    if (!hm_arg_value(L, S, node, leaf, &v))
      return false;
    if (v.kind != HM_IR_TENSOR)
      return hm_node_error(L, node, "'%s' combines tile tensors", node->target);
    w->inputs[t] = v.value;
    if (t == 0)
      *val = &hm_arg_node(S, leaf)->val;
  }
  return true;
}

/* The tiles, the dimension and the number of real elements along it. */
static bool plan_walk(HmLowering *L, HmScope *S, const HmNode *node, Walk *w) {
  *w = (Walk){.node = node};
  const HmArg *graph_id = hm_arg(L, node, 0), *dim = hm_arg(L, node, 2);
  const HmSpecValue *val = NULL;
  if (!graph_id || !dim || !inputs(L, S, node, w, &val))
    return false;
  if (graph_id->kind != HM_ARG_INT || graph_id->i < 0 || (size_t)graph_id->i >= hm_spec_num_graphs(L->spec))
    return hm_node_error(L, node, "'%s' names no combine graph", node->target);
  w->rank = val->rank;
  int64_t d = dim->kind == HM_ARG_NONE && w->rank == 1 ? 0 : dim->i;
  if ((dim->kind != HM_ARG_INT && dim->kind != HM_ARG_NONE) || w->rank == 0 || w->rank > HM_MAX_RANK ||
      d < -(int64_t)w->rank || d >= (int64_t)w->rank || (dim->kind == HM_ARG_NONE && w->rank != 1))
    return hm_node_error(L, node, "'%s' needs one dimension of its input", node->target);
  w->dim = (size_t)(d < 0 ? d + (int64_t)w->rank : d);
  for (size_t k = 0; k < w->rank; ++k)
    w->slice_shape[k] = k == w->dim ? (HmDim){.value = 1} : val->shape[k];
  HmDim along = val->shape[w->dim];
  int block = hm_dim_block(L, along);
  if (hm_tile_is_padded(L, along))
    w->extent = L->tiles[block].extent;
  else if (!hm_dim_value(L, along, &w->extent))
    return false;
  return retype_helper(L, hm_spec_graph(L->spec, (size_t)graph_id->i), w);
}

/* scf.for k in [1, extent) carrying `inits`; `step` builds the body at L->block. */
typedef bool (*StepFn)(HmLowering *L, HmScope *S, const Walk *w, MlirValue k, const MlirValue *carried,
                       MlirValue *next);

static bool walk_rest(HmLowering *L, HmScope *S, const Walk *w, size_t n, const MlirValue *inits, StepFn step,
                      MlirValue *results) {
  MlirType types[1 + 2 * MAX_LEAVES] = {hm_index_type(L)};
  for (size_t i = 0; i < n; ++i)
    types[1 + i] = mlirValueGetType(inits[i]);
  MlirBlock body;
  MlirRegion region = hm_region_with_block(L, 1 + n, types, &body);
  MlirValue operands[3 + 2 * MAX_LEAVES] = {hm_index_const(L, 1), w->extent, hm_index_const(L, 1)};
  for (size_t i = 0; i < n; ++i)
    operands[3 + i] = inits[i];
  HmInsertion outer = hm_insertion_enter(L, body);
  MlirValue carried[2 * MAX_LEAVES], next[2 * MAX_LEAVES];
  for (size_t i = 0; i < n; ++i)
    carried[i] = mlirBlockGetArgument(body, (intptr_t)(1 + i));
  bool ok = step(L, S, w, mlirBlockGetArgument(body, 0), carried, next);
  if (ok)
    hm_build(L, (HmOpSpec){.name = "scf.yield", .noperands = (intptr_t)n, .operands = next});
  hm_insertion_leave(L, outer);
  if (!ok) {
    mlirRegionDestroy(region);
    return false;
  }
  MlirOperation loop = hm_build(L, (HmOpSpec){.name = "scf.for", .nresults = (intptr_t)n, .results = types + 1,
                                              .noperands = (intptr_t)(3 + n), .operands = operands, .nregions = 1,
                                              .regions = &region});
  for (size_t i = 0; i < n; ++i)
    results[i] = mlirOperationGetResult(loop, (intptr_t)i);
  return true;
}

/* ---- reduce ---- */

/* One tensor, or a list of one per tensor of the tuple (read with getitem). */
static void combined_result(HmLowering *L, const Walk *w, const MlirValue *values, HmIrValue *out) {
  if (w->node->args[1].kind != HM_ARG_LIST) {
    *out = (HmIrValue){.kind = HM_IR_TENSOR, .value = values[0], .block_id = -1};
    return;
  }
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = w->nleaves, .block_id = -1};
  out->items = hm_arena_new(&L->arena, HmIrValue, w->nleaves);
  for (size_t t = 0; t < w->nleaves; ++t)
    out->items[t] = (HmIrValue){.kind = HM_IR_TENSOR, .value = values[t], .block_id = -1};
}

static bool reduce_step(HmLowering *L, HmScope *S, const Walk *w, MlirValue k, const MlirValue *carried,
                        MlirValue *next) {
  MlirValue xs[MAX_LEAVES];
  extract_all(L, w, k, xs);
  return combine(L, S, w, carried, xs, next);
}

static bool lower_reduce(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  Walk w;
  if (!plan_walk(L, S, node, &w))
    return false;
  MlirValue first[MAX_LEAVES], accs[MAX_LEAVES];
  extract_all(L, &w, (MlirValue){NULL}, first);
  if (!walk_rest(L, S, &w, w.nleaves, first, reduce_step, accs))
    return false;
  bool keep = node->nargs > 3 && node->args[3].kind == HM_ARG_BOOL && node->args[3].i;
  for (size_t t = 0; t < w.nleaves && !keep; ++t)
    accs[t] = slice_at(L, &w, accs[t], (MlirValue){NULL}, (MlirValue){NULL}, (MlirValue){NULL}, true);
  combined_result(L, &w, accs, out);
  return true;
}

/* ---- scan ---- */

typedef struct ScanWalk {
  Walk walk;
  bool reverse;
} ScanWalk;

/* The position of the k-th element visited: k, or extent - 1 - k in reverse. */
static MlirValue visit(HmLowering *L, const ScanWalk *s, MlirValue k) {
  if (!s->reverse)
    return k;
  MlirAffineExpr e = mlirAffineAddExprGet(mlirAffineAddExprGet(mlirAffineSymbolExprGet(L->ctx, 0),
                                                               mlirAffineConstantExprGet(L->ctx, -1)),
                                          mlirAffineMulExprGet(mlirAffineDimExprGet(L->ctx, 0),
                                                               mlirAffineConstantExprGet(L->ctx, -1)));
  return hm_affine_apply(L, mlirAffineMapGet(L->ctx, 1, 1, 1, &e), 2, (MlirValue[]){k, s->walk.extent});
}

/* carried: the running values, then the outputs so far (one of each per tensor of the tuple). */
static bool scan_step(HmLowering *L, HmScope *S, const Walk *w, MlirValue k, const MlirValue *carried,
                      MlirValue *next) {
  const ScanWalk *s = (const ScanWalk *)w;
  MlirValue at = visit(L, s, k), xs[MAX_LEAVES];
  extract_all(L, w, at, xs);
  if (!combine(L, S, w, carried, xs, next))
    return false;
  for (size_t t = 0; t < w->nleaves; ++t)
    next[w->nleaves + t] = slice_at(L, w, carried[w->nleaves + t], at, carried[w->nleaves + t], next[t], false);
  return true;
}

static bool lower_scan(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  ScanWalk s = {.reverse = node->nargs > 3 && node->args[3].kind == HM_ARG_BOOL && node->args[3].i};
  if (!plan_walk(L, S, node, &s.walk))
    return false;
  /* The output starts as zeros holding the first element visited, its own prefix (the padding of
   * an edge tile is never visited and stays 0, as a padded load's is). Not as the input tile
   * itself: a scan stored whole then computes in the host tensor's view (eliminate-empty-tensors
   * follows the loop's init down to the tensor.empty), where starting from the input made the
   * bufferization copy the input tile into a buffer and that buffer out (cumsum 4096x1000, 1 thread:
   * 0.97 -> 1.08 of torch). */
  size_t n = s.walk.nleaves;
  for (size_t t = 1; t < n; ++t)
    if (!mlirTypeEqual(hm_element_of(s.walk.inputs[t]), hm_element_of(s.walk.inputs[0])))
      return hm_node_error(L, node, "a scan over tensors of different dtypes is not supported: Helion 1.5.1 "
                                    "traces its combine function on inputs of the wrong dtypes");
  MlirValue inits[2 * MAX_LEAVES], results[2 * MAX_LEAVES];
  MlirValue first = visit(L, &s, hm_index_const(L, 0));
  extract_all(L, &s.walk, first, inits);
  for (size_t t = 0; t < n; ++t) {
    MlirValue input = s.walk.inputs[t];
    MlirType element = hm_element_of(input);
    MlirValue zeros = hm_fill(L, hm_empty_like(L, input, element), hm_scalar_const(L, element, 0));
    if (mlirValueIsNull(zeros))
      return hm_node_error(L, node, "could not build the scan's output tile");
    inits[n + t] = slice_at(L, &s.walk, input, first, zeros, inits[t], false);
  }
  if (!walk_rest(L, S, &s.walk, 2 * n, inits, scan_step, results))
    return false;
  combined_result(L, &s.walk, results + n, out);
  return true;
}

const HmOpEntry hm_helper_ops[] = {
    {"helion.language.reduce_ops._reduce", lower_reduce, 0, HM_OP_OTHER},
    {"helion.language.scan_ops._associative_scan", lower_scan, 0, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
