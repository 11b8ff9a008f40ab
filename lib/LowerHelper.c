/* Ops with a combine function: `_reduce` (hl.reduce) and `_associative_scan` (hl.associative_scan,
 * hl.cumsum, hl.cumprod).
 *
 * Helion traces the combine function into a `helper` graph on one-element tensors. We walk the tile's
 * reduced (or scanned) dimension with an scf.for and apply the graph to whole slices of the tile at a
 * time: every value of the helper graph that has one element takes the slice's shape instead (the
 * tile's shape with 1 along that dimension), so its element-wise ops lower as usual and compute every
 * other position of the tile at once. The loop visits only the real elements of the dimension, never
 * the padding of an edge tile, so the combine function needs no identity: a reduction starts from the
 * first element and a scan's first output is its first input, as in Helion's reference.
 */
#include "Build.h"
#include "Tiles.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

enum { MAX_RANK = 16 };

/* Where the combine function runs: the tile, the dimension, and the slice shape its values take. */
typedef struct Walk {
  const HmNode *node;
  const HmGraph *helper; /* the helper graph with one-element values retyped to the slice */
  MlirValue input;
  size_t rank, dim;
  HmDim slice_shape[MAX_RANK];
  MlirValue extent; /* the number of real elements along dim */
} Walk;

static bool is_unit(const HmVal *val) {
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
    HmVal *val = &copy->nodes[i].val;
    if (graph->nodes[i].op == HM_NODE_OUTPUT || val->kind != HM_VAL_TENSOR)
      continue;
    if (!is_unit(val))
      return hm_node_error(L, &graph->nodes[i], "a combine function may only compute element-wise");
    val->rank = w->rank;
    val->shape = w->slice_shape;
  }
  w->helper = copy;
  return true;
}

static MlirValue tensor_dim(HmLowering *L, MlirValue tensor, size_t d) {
  MlirType index = hm_index_type(L);
  return hm_build_value(L, (HmOpSpec){.name = "tensor.dim", .nresults = 1, .results = &index, .noperands = 2,
                                      .operands = (MlirValue[]){tensor, hm_index_const(L, (int64_t)d)}});
}

/* tensor.extract_slice (or insert_slice) of the slice at `position` along w->dim; `drop` leaves the
 * dimension out of the slice's type (a reduction without keep_dims). */
static MlirValue slice_at(HmLowering *L, const Walk *w, MlirValue position, MlirValue into, MlirValue slice,
                          bool drop) {
  MlirType type = mlirValueGetType(w->input);
  int64_t offsets[MAX_RANK], sizes[MAX_RANK], strides[MAX_RANK], shape[MAX_RANK];
  MlirValue operands[2 + 2 * MAX_RANK];
  size_t n = 0, rank = 0, nsizes = 0;
  operands[n++] = mlirValueIsNull(into) ? w->input : slice;
  if (!mlirValueIsNull(into))
    operands[n++] = into;
  bool has_offset = !mlirValueIsNull(position);
  if (has_offset)
    operands[n++] = position;
  for (size_t d = 0; d < w->rank; ++d) {
    strides[d] = 1;
    offsets[d] = d == w->dim && has_offset ? mlirShapedTypeGetDynamicStrideOrOffset() : 0;
    sizes[d] = d == w->dim ? 1 : mlirShapedTypeGetDimSize(type, (intptr_t)d);
    if (sizes[d] == mlirShapedTypeGetDynamicSize()) {
      operands[n++] = tensor_dim(L, w->input, d);
      ++nsizes;
    }
    if (d != w->dim || !drop)
      shape[rank++] = sizes[d];
  }
  bool insert = !mlirValueIsNull(into);
  MlirType result = insert ? mlirValueGetType(into) : hm_ranked_tensor(L, rank, shape, mlirShapedTypeGetElementType(type));
  int32_t segments[5] = {1, 1, has_offset, (int32_t)nsizes, 0};
  MlirNamedAttribute attrs[4] = {
      hm_named(L, "operandSegmentSizes", insert ? hm_i32_array(L, 5, segments)
                                                : hm_i32_array(L, 4, (int32_t[]){1, has_offset, (int32_t)nsizes, 0})),
      hm_named(L, "static_offsets", hm_i64_array(L, w->rank, offsets)),
      hm_named(L, "static_sizes", hm_i64_array(L, w->rank, sizes)),
      hm_named(L, "static_strides", hm_i64_array(L, w->rank, strides)),
  };
  return hm_build_value(L, (HmOpSpec){.name = insert ? "tensor.insert_slice" : "tensor.extract_slice",
                                      .nresults = 1, .results = &result, .noperands = (intptr_t)n,
                                      .operands = operands, .nattrs = 4, .attrs = attrs});
}

static MlirValue extract(HmLowering *L, const Walk *w, MlirValue position) {
  return slice_at(L, w, position, (MlirValue){NULL}, (MlirValue){NULL}, false);
}

/* combine(acc, x): the helper graph with its two placeholders bound to the slices. */
static bool combine(HmLowering *L, HmScope *S, const Walk *w, MlirValue acc, MlirValue x, MlirValue *out) {
  HmScope *scope = hm_scope_new(L, w->helper, S);
  MlirValue args[2] = {acc, x};
  size_t bound = 0;
  const HmNode *output = NULL;
  for (size_t i = 0; i < w->helper->nnodes; ++i) {
    const HmNode *n = &w->helper->nodes[i];
    if (n->op == HM_NODE_OUTPUT)
      output = n;
    if (n->op == HM_NODE_PLACEHOLDER && bound < 2)
      scope->values[i] = (HmValue){.kind = HM_V_TENSOR, .value = args[bound++], .block_id = -1};
  }
  if (bound != 2 || !output || output->nargs != 1)
    return hm_node_error(L, w->node, "the combine function must take two values and return one");
  MlirLocation loc = L->loc;
  bool ok = hm_lower_graph(L, scope, NULL, 0);
  L->loc = loc;
  L->node = w->node;
  if (!ok)
    return false;
  const HmArg *result = &output->args[0];
  if (result->kind == HM_ARG_LIST && result->count == 1)
    result = &result->items[0];
  const HmNode *src = hm_arg_node(scope, result);
  HmValue v = src ? scope->values[src->index] : (HmValue){0};
  if (v.kind != HM_V_TENSOR || !mlirTypeEqual(mlirValueGetType(v.value), mlirValueGetType(acc)))
    return hm_node_error(L, w->node, "the combine function must return one value of its inputs' type");
  *out = v.value;
  return true;
}

/* The tile, the dimension and the number of real elements along it. */
static bool plan_walk(HmLowering *L, HmScope *S, const HmNode *node, Walk *w) {
  *w = (Walk){.node = node};
  const HmArg *graph_id = hm_arg(L, node, 0), *dim = hm_arg(L, node, 2);
  HmValue in;
  if (!graph_id || !dim || !hm_arg_tensor(L, S, node, 1, &in))
    return false;
  if (node->nargs > 4 && node->args[4].kind == HM_ARG_BOOL && node->args[4].i)
    return hm_node_error(L, node, "combine functions over tuples of tensors are not supported");
  if (graph_id->kind != HM_ARG_INT || graph_id->i < 0 || (size_t)graph_id->i >= hm_spec_num_graphs(L->spec))
    return hm_node_error(L, node, "'%s' names no combine graph", node->target);
  const HmVal *val = &hm_arg_node(S, &node->args[1])->val;
  w->input = in.value;
  w->rank = val->rank;
  int64_t d = dim->kind == HM_ARG_NONE && w->rank == 1 ? 0 : dim->i;
  if ((dim->kind != HM_ARG_INT && dim->kind != HM_ARG_NONE) || w->rank == 0 || w->rank > MAX_RANK ||
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
  MlirType types[3] = {hm_index_type(L)};
  for (size_t i = 0; i < n; ++i)
    types[1 + i] = mlirValueGetType(inits[i]);
  MlirBlock body;
  MlirRegion region = hm_region_with_block(L, 1 + n, types, &body);
  MlirValue operands[5] = {hm_index_const(L, 1), w->extent, hm_index_const(L, 1)};
  for (size_t i = 0; i < n; ++i)
    operands[3 + i] = inits[i];
  MlirBlock outer = L->block;
  L->block = body;
  MlirValue carried[2], next[2];
  for (size_t i = 0; i < n; ++i)
    carried[i] = mlirBlockGetArgument(body, (intptr_t)(1 + i));
  bool ok = step(L, S, w, mlirBlockGetArgument(body, 0), carried, next);
  if (ok)
    hm_build(L, (HmOpSpec){.name = "scf.yield", .noperands = (intptr_t)n, .operands = next});
  L->block = outer;
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

static bool reduce_step(HmLowering *L, HmScope *S, const Walk *w, MlirValue k, const MlirValue *carried,
                        MlirValue *next) {
  return combine(L, S, w, carried[0], extract(L, w, k), &next[0]);
}

static bool lower_reduce(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  Walk w;
  if (!plan_walk(L, S, node, &w))
    return false;
  MlirValue first = extract(L, &w, (MlirValue){NULL}), acc;
  if (!walk_rest(L, S, &w, 1, &first, reduce_step, &acc))
    return false;
  bool keep = node->nargs > 3 && node->args[3].kind == HM_ARG_BOOL && node->args[3].i;
  if (!keep) {
    Walk whole = w;
    whole.input = acc;
    acc = slice_at(L, &whole, (MlirValue){NULL}, (MlirValue){NULL}, (MlirValue){NULL}, true);
  }
  *out = (HmValue){.kind = HM_V_TENSOR, .value = acc, .block_id = -1};
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

static bool scan_step(HmLowering *L, HmScope *S, const Walk *w, MlirValue k, const MlirValue *carried,
                      MlirValue *next) {
  const ScanWalk *s = (const ScanWalk *)w;
  MlirValue at = visit(L, s, k);
  if (!combine(L, S, w, carried[0], extract(L, w, at), &next[0]))
    return false;
  next[1] = slice_at(L, w, at, carried[1], next[0], false);
  return true;
}

static bool lower_scan(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  ScanWalk s = {.reverse = node->nargs > 3 && node->args[3].kind == HM_ARG_BOOL && node->args[3].i};
  if (!plan_walk(L, S, node, &s.walk))
    return false;
  /* The output starts as the input: the first element visited is its own prefix, and the padding
   * stays what it was. */
  MlirValue inits[2] = {extract(L, &s.walk, visit(L, &s, hm_index_const(L, 0))), s.walk.input}, results[2];
  if (!walk_rest(L, S, &s.walk, 2, inits, scan_step, results))
    return false;
  *out = (HmValue){.kind = HM_V_TENSOR, .value = results[1], .block_id = -1};
  return true;
}

const HmOpEntry hm_helper_ops[] = {
    {"helion.language.reduce_ops._reduce", lower_reduce, 0},
    {"helion.language.scan_ops._associative_scan", lower_scan, 0},
    {NULL, NULL, 0},
};
