/* Reductions as inductor decomposes them: `_inductor_lowering_extra` buffers and the node that reads
 * them through its `_extra_args` kwarg.
 *
 * Helion lowers each ATen op through inductor, which may split a reduction into buffers: each but the
 * last becomes an `_inductor_lowering_extra([inputs])` node and the original node computes the last
 * one (its own tensor argument, unread, is None). An extra's role follows from what it reads,
 * looking through `_mask_to`, loop arguments and looped reductions' results:
 *
 *   sum      one tensor with reduction-block dims: their sum (kept as size 1 or dropped, as the
 *            extra's shape says); in a looped reduction the loop accumulates it like `sum`
 *   mean     one sum extra: sum / count (var_mean's mean)
 *   squares  a tensor x with reduction dims and a center, a sum extra (var: center = sum / count) or
 *            a mean extra (var_mean): the sum of (x - center)^2 over the real elements
 *   variance one squares extra: squares / max(count - correction, 0), in the node's dtype (var_mean
 *            of 16-bit floats, whose variance inductor rounds in a buffer of its own)
 *
 * The reading node: `mean` is sum / count, `var` is squares / max(count - correction, 0), `var_mean`
 * is that and the mean extra (its `_extra_deps`), or, when its last extra is the mean, that and the
 * variance extra (its `_extra_deps`). Other ops decompose into extras that read alike but
 * compute something else (max.dim's extra is an amax), so an extra is lowered only when the node it
 * was split from, named "<node>_extra[_N]" after it, is one of these.
 */
#include "lower/ops/Reductions.h"
#include "lower/Tiles.h"

#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

typedef enum Role { NONE, SUM, MEAN, SQUARES, VARIANCE } Role;

/* A node and the scope its graph's placeholders resolve in (values may be gone: tracing only). */
typedef struct Traced {
  const HmNode *node;
  const HmScope *scope;
} Traced;

typedef struct Extra {
  Role role;
  const HmNode *data;     /* SUM, SQUARES: the input with reduction dims (a node of the extra's graph) */
  bool reduced[HM_MAX_RANK]; /* its dims that are summed */
  const HmNode *center;   /* SQUARES: the input the center comes from */
  bool center_is_sum;     /* SQUARES: the center is a sum (var), not a mean (var_mean) */
  const HmNode *summed;   /* MEAN: the sum extra's data, for the count; VARIANCE: the squares' */
  bool sum_reduced[HM_MAX_RANK];
} Extra;

/* The argument of the loop running S's graph that placeholder `node` stands for, or NULL. */
static const HmArg *loop_argument(const HmLowering *L, const HmScope *S, const HmNode *node) {
  size_t j = 0;
  for (size_t i = 0; i < node->index; ++i)
    j += S->graph->nodes[i].op == HM_NODE_PLACEHOLDER;
  for (size_t i = 0; S->parent && i < S->parent->graph->nnodes; ++i) {
    const HmNode *loop = &S->parent->graph->nodes[i];
    if (hm_node_is(L, loop, HM_OP_FOR_LOOP) && loop->nargs > 3 && loop->args[0].kind == HM_ARG_INT &&
        loop->args[0].i == S->graph->id && loop->args[3].kind == HM_ARG_LIST && j < loop->args[3].count)
      return &loop->args[3].items[j];
  }
  return NULL;
}

/* Output `index` of loop node `loop` as the loop body's node, in a scope for the body's graph. */
static Traced loop_output(HmLowering *L, const HmScope *S, const HmNode *loop, int64_t index) {
  if (!hm_node_is(L, loop, HM_OP_FOR_LOOP) || loop->args[0].kind != HM_ARG_INT)
    return (Traced){NULL, S};
  HmScope *body = hm_arena_new(&L->arena, HmScope, 1);
  *body = (HmScope){.graph = hm_spec_graph(L->spec, (size_t)loop->args[0].i), .parent = (HmScope *)S};
  const HmNode *output = &body->graph->nodes[body->graph->nnodes - 1];
  if (output->op != HM_NODE_OUTPUT || output->args[0].kind != HM_ARG_LIST || index < 0 ||
      (size_t)index >= output->args[0].count)
    return (Traced){NULL, S};
  return (Traced){hm_arg_node(body, &output->args[0].items[index]), body};
}

/* The node that computes `arg`'s value, through masks, loop arguments and loop results. */
static Traced trace(HmLowering *L, const HmScope *S, const HmArg *arg) {
  Traced t = {hm_arg_node(S, arg), S};
  const HmArg *outer;
  while (t.node) {
    if (t.node->op == HM_NODE_PLACEHOLDER && (outer = loop_argument(L, t.scope, t.node)))
      t = (Traced){hm_arg_node(t.scope->parent, outer), t.scope->parent};
    else if (hm_node_is(L, t.node, HM_OP_MASK_TO))
      t.node = hm_arg_node(t.scope, &t.node->args[0]);
    else if (hm_node_is(L, t.node, HM_OP_GETITEM) && t.node->nargs == 2 && t.node->args[1].kind == HM_ARG_INT &&
             hm_arg_node(t.scope, &t.node->args[0]))
      t = loop_output(L, t.scope, hm_arg_node(t.scope, &t.node->args[0]), t.node->args[1].i);
    else
      break;
  }
  return t;
}

/* Which dims of a value are reduction blocks; false when there are none. */
static bool reduction_dims(HmLowering *L, const HmSpecValue *val, bool reduced[HM_MAX_RANK]) {
  size_t n = 0;
  for (size_t d = 0; d < val->rank && d < HM_MAX_RANK; ++d) {
    const HmBlockSize *bs = val->shape[d].sym ? hm_spec_block_for_symbol(L->spec, val->shape[d].sym) : NULL;
    reduced[d] = bs && bs->reduction;
    n += reduced[d];
  }
  return val->kind == HM_SPEC_TENSOR && val->rank <= HM_MAX_RANK && n > 0;
}

/* A reduction over dims of size 1 has no reduction block: the unit dims the result drops (or, with
 * keepdim, all of them; reducing a unit dim keeps its one element either way). */
static bool unit_dims(const HmSpecValue *in, const HmSpecValue *result, bool reduced[HM_MAX_RANK]) {
  if (in->kind != HM_SPEC_TENSOR || result->kind != HM_SPEC_TENSOR || in->rank > HM_MAX_RANK ||
      result->rank > in->rank)
    return false;
  size_t dropped = in->rank - result->rank, n = 0;
  for (size_t d = in->rank; d-- > 0;) {
    reduced[d] = !in->shape[d].sym && in->shape[d].value == 1 && (dropped == 0 || n < dropped);
    n += reduced[d];
  }
  return n > 0 && n >= dropped;
}

static bool classify(HmLowering *L, Traced extra, Extra *out);

/* The dims the node an extra was split from reduces (its `dim` argument), for a reduction over
 * dimensions that are no reduction blocks: a tile of the grid or of a loop, a whole static dimension. */
static bool origin_dims(HmLowering *L, const HmNode *extra, const HmSpecValue *in, bool reduced[HM_MAX_RANK]) {
  const HmNode *origin = hm_extra_origin(L, extra);
  const HmArg *dims = origin && origin->nargs > 1 ? &origin->args[1] : NULL;
  if (!dims || dims->kind != HM_ARG_LIST || dims->count == 0 || in->kind != HM_SPEC_TENSOR || in->rank > HM_MAX_RANK)
    return false;
  for (size_t d = 0; d < in->rank; ++d)
    reduced[d] = false;
  for (size_t i = 0; i < dims->count; ++i) {
    const HmArg *d = &dims->items[i];
    if (d->kind != HM_ARG_INT || d->i < -(int64_t)in->rank || d->i >= (int64_t)in->rank)
      return false;
    reduced[d->i < 0 ? d->i + (int64_t)in->rank : d->i] = true;
  }
  return true;
}

/* The role of the extra an input comes from. */
static Role source_role(HmLowering *L, const HmScope *S, const HmArg *arg, Extra *source) {
  Traced t = trace(L, S, arg);
  return t.node && hm_node_is(L, t.node, HM_OP_EXTRA) && classify(L, t, source) ? source->role : NONE;
}

static bool classify(HmLowering *L, Traced extra, Extra *out) {
  *out = (Extra){.role = NONE};
  const HmArg *list = extra.node->nargs == 1 && extra.node->args[0].kind == HM_ARG_LIST ? &extra.node->args[0] : NULL;
  const HmArg *inputs[2];
  size_t n = 0;
  for (size_t i = 0; list && i < list->count; ++i) {
    if (list->items[i].kind == HM_ARG_NONE)
      continue;
    if (n == 2 || list->items[i].kind != HM_ARG_NODE)
      return false;
    inputs[n++] = &list->items[i];
  }
  bool reduced[2][HM_MAX_RANK];
  const HmNode *nodes[2] = {n > 0 ? hm_arg_node(extra.scope, inputs[0]) : NULL,
                            n > 1 ? hm_arg_node(extra.scope, inputs[1]) : NULL};
  bool has[2] = {nodes[0] && reduction_dims(L, &nodes[0]->val, reduced[0]),
                 nodes[1] && reduction_dims(L, &nodes[1]->val, reduced[1])};
  if (n == 1 && !has[0] && nodes[0] && source_role(L, extra.scope, inputs[0], &(Extra){0}) == NONE)
    has[0] = unit_dims(&nodes[0]->val, &extra.node->val, reduced[0]) ||
             origin_dims(L, extra.node, &nodes[0]->val, reduced[0]);
  if (n == 2 && !has[0] && !has[1])
    for (size_t i = 0; i < 2; ++i)
      if (nodes[i] && source_role(L, extra.scope, inputs[i], &(Extra){0}) == NONE)
        has[i] = origin_dims(L, extra.node, &nodes[i]->val, reduced[i]);
  Extra source;
  Role role;
  if (n == 1 && has[0]) {
    *out = (Extra){.role = SUM, .data = nodes[0]};
    memcpy(out->reduced, reduced[0], sizeof out->reduced);
  } else if (n == 1 && (role = source_role(L, extra.scope, inputs[0], &source)) != NONE &&
             (role == SUM || role == SQUARES)) {
    *out = (Extra){.role = role == SUM ? MEAN : VARIANCE, .summed = source.data};
    memcpy(out->sum_reduced, source.reduced, sizeof out->sum_reduced);
  } else if (n == 2 && has[0] != has[1]) {
    size_t x = has[0] ? 0 : 1;
    Role center = source_role(L, extra.scope, inputs[1 - x], &source);
    if (center != SUM && center != MEAN)
      return false;
    *out = (Extra){.role = SQUARES, .data = nodes[x], .center = nodes[1 - x], .center_is_sum = center == SUM};
    memcpy(out->reduced, reduced[x], sizeof out->reduced);
  }
  return out->role != NONE;
}

static MlirType acc_type(HmLowering *L, MlirType t) { return hm_op_math_type(L, t); }

typedef struct SquaresBody {
  size_t rank;
  MlirValue extents[HM_MAX_RANK]; /* per dim: the real extent where a summed dim may hold padding */
} SquaresBody;

/* (x - center)^2, and 0 on padding of the summed dims, which must not count. */
static bool squares_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  SquaresBody *b = ctx;
  MlirType t = mlirValueGetType(args[0]);
  MlirValue diff = hm_build_value(L, (HmOpSpec){.name = "arith.subf", .nresults = 1, .results = &t, .noperands = 2,
                                                .operands = (MlirValue[]){args[0], args[1]}});
  MlirValue sq = hm_build_value(L, (HmOpSpec){.name = "arith.mulf", .nresults = 1, .results = &t, .noperands = 2,
                                              .operands = (MlirValue[]){diff, diff}});
  for (size_t d = 0; d < b->rank; ++d) {
    if (mlirValueIsNull(b->extents[d]))
      continue;
    MlirValue real = hm_cmpi(L, HM_CMPI_ULT, hm_linalg_index(L, d), b->extents[d]);
    sq = hm_build_value(L, (HmOpSpec){.name = "arith.select", .nresults = 1, .results = &t, .noperands = 3,
                                      .operands = (MlirValue[]){real, sq, hm_scalar_const(L, t, 0)}});
  }
  *result = sq;
  return true;
}

/* The center's map into x's loops: summed dims are size 1 there, or absent. */
static MlirAffineMap center_map(HmLowering *L, size_t rank, const bool *reduced, size_t center_rank) {
  MlirAffineExpr exprs[HM_MAX_RANK];
  size_t n = 0;
  for (size_t d = 0; d < rank; ++d)
    if (center_rank == rank)
      exprs[n++] = reduced[d] ? mlirAffineConstantExprGet(L->ctx, 0) : mlirAffineDimExprGet(L->ctx, (intptr_t)d);
    else if (!reduced[d])
      exprs[n++] = mlirAffineDimExprGet(L->ctx, (intptr_t)d);
  return mlirAffineMapGet(L->ctx, (intptr_t)rank, 0, (intptr_t)n, exprs);
}

static bool lower_squares(HmLowering *L, HmScope *S, const HmNode *node, const Extra *e, MlirValue *out) {
  MlirValue x = S->values[e->data->index].value, center = S->values[e->center->index].value;
  MlirType acc = acc_type(L, hm_element_of(x));
  if (!hm_cast_tensor(L, x, acc, &x) || !hm_cast_tensor(L, center, acc, &center) ||
      (e->center_is_sum && !hm_divide_by_count(L, &e->data->val, e->reduced, 0, center, &center)))
    return false;
  const HmSpecValue *xv = &e->data->val;
  size_t center_rank = (size_t)mlirShapedTypeGetRank(mlirValueGetType(center));
  if (center_rank != xv->rank && center_rank + 1 != xv->rank)
    return hm_node_error(L, node, "the center of a variance has rank %zu, the data %zu", center_rank, xv->rank);
  SquaresBody b = {.rank = xv->rank};
  for (size_t d = 0; d < xv->rank; ++d)
    b.extents[d] = e->reduced[d] && hm_tile_is_padded(L, xv->shape[d])
                       ? L->tiles[hm_dim_block(L, xv->shape[d])].extent : (MlirValue){NULL};
  MlirAffineMap maps[3] = {mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)xv->rank),
                           center_map(L, xv->rank, e->reduced, center_rank),
                           mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)xv->rank)};
  MlirValue init, squares;
  return hm_empty_tensor(L, xv, acc, &init) &&
         hm_generic(L, 2, (MlirValue[]){x, center}, maps, init, xv->rank, NULL, squares_body, &b, &squares) &&
         hm_sum_tensor(L, node, squares, xv, e->reduced, node->val.rank == xv->rank, out);
}

/* A variance's correction (torch's default 1). */
static double correction_of(const HmNode *node) {
  const HmArg *correction = hm_kwarg(node, "correction");
  return !correction || correction->kind == HM_ARG_NONE ? 1
         : correction->kind == HM_ARG_FLOAT ? correction->f : (double)correction->i;
}

static const char *const FINALS[] = {"aten.mean.dim", "aten.var.correction", "aten.var_mean.correction",
                                     "aten.max.dim", "aten.min.dim"};

/* The node `extra` was split from: the node of any graph named like its prefix that reads extras. */
const HmNode *hm_extra_origin(HmLowering *L, const HmNode *extra) {
  const char *cut = NULL; /* the last "_extra": the node's own name may hold one */
  for (const char *at = strstr(extra->name, "_extra"); at; at = strstr(at + 1, "_extra"))
    cut = at;
  size_t n = cut ? (size_t)(cut - extra->name) : 0;
  for (size_t g = 0; n && g < hm_spec_num_graphs(L->spec); ++g) {
    const HmGraph *graph = hm_spec_graph(L->spec, g);
    for (size_t i = 0; i < graph->nnodes; ++i) {
      const HmNode *node = &graph->nodes[i];
      if (strncmp(node->name, extra->name, n) == 0 && node->name[n] == '\0' && hm_kwarg(node, "_extra_args"))
        return node;
    }
  }
  return NULL;
}

static bool is_final(const char *target) {
  for (size_t i = 0; target && i < sizeof FINALS / sizeof *FINALS; ++i)
    if (strcmp(FINALS[i], target) == 0)
      return true;
  return false;
}

/* An `_inductor_lowering_extra` buffer: a part of the decomposition of the node it was split from. */
static bool lower_extra(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const HmNode *origin = hm_extra_origin(L, node);
  const char *from = origin ? origin->target : NULL;
  if (!is_final(from))
    return hm_node_error(L, node, "'%s' as inductor decomposes it is not supported", from ? from : "this op");
  Extra e;
  if (!classify(L, (Traced){node, S}, &e))
    return hm_node_error(L, node, "this inductor decomposition is not supported (sums, means and variances are)");
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  bool max = hm_node_is(L, origin, HM_OP_MAX_DIM);
  if (e.role == SUM && (max || hm_node_is(L, origin, HM_OP_MIN_DIM))) /* max.dim's values */
    return hm_extreme_tensor(L, node, max, S->values[e.data->index].value, &e.data->val, e.reduced,
                             node->val.rank == e.data->val.rank, &out->value);
  if (e.role == SQUARES)
    return lower_squares(L, S, node, &e, &out->value);
  if (e.role == SUM)
    return hm_sum_tensor(L, node, S->values[e.data->index].value, &e.data->val, e.reduced,
                         node->val.rank == e.data->val.rank, &out->value);
  const HmArg *list = &node->args[0];
  const HmNode *in = NULL;
  for (size_t i = 0; i < list->count && !in; ++i)
    in = list->items[i].kind == HM_ARG_NODE ? hm_arg_node(S, &list->items[i]) : NULL;
  MlirType result = hm_element_type(L, node->val.dtype);
  double c = e.role == VARIANCE ? correction_of(origin) : 0;
  MlirValue quotient;
  return in && hm_cast_tensor(L, S->values[in->index].value, acc_type(L, result), &quotient) &&
         hm_divide_by_count(L, &e.summed->val, e.sum_reduced, c, quotient, &quotient) &&
         hm_cast_tensor(L, quotient, result, &out->value);
}

/* var_mean whose extras computed both results: the mean its last extra, the variance its
 * `_extra_deps`; each in its result's dtype. */
static bool var_mean_of_extras(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *mean, HmIrValue *out) {
  const HmArg *deps = hm_kwarg(node, "_extra_deps");
  Extra e;
  Traced var = deps && deps->kind == HM_ARG_LIST && deps->count == 1 && deps->items[0].kind == HM_ARG_NODE
                   ? trace(L, S, &deps->items[0]) : (Traced){NULL, S};
  if (!var.node || !hm_node_is(L, var.node, HM_OP_EXTRA) || !classify(L, var, &e) || e.role != VARIANCE)
    return hm_node_error(L, node, "'%s' as inductor decomposes it is not supported", node->target);
  HmIrValue *items = hm_arena_new(&L->arena, HmIrValue, 2);
  if (!items)
    return hm_node_error(L, node, "out of memory");
  items[0] = items[1] = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = 2, .items = items, .block_id = -1};
  return hm_cast_tensor(L, S->values[deps->items[0].node].value, hm_element_type(L, node->val.items[0].dtype),
                        &items[0].value) &&
         hm_cast_tensor(L, S->values[mean->node].value, hm_element_type(L, node->val.items[1].dtype), &items[1].value);
}

/* The reading node: its last extra, divided by the count (less the correction for a variance). */
bool hm_lower_decomposed(HmLowering *L, HmScope *S, const HmNode *node, HmIrValue *out) {
  static const struct { const char *target; Role role; } ROLES[] = {
      {"aten.mean.dim", SUM}, {"aten.var.correction", SQUARES}, {"aten.var_mean.correction", SQUARES}};
  if (hm_node_is(L, node, HM_OP_MAX_DIM) || hm_node_is(L, node, HM_OP_MIN_DIM))
    return hm_lower_max_dim(L, S, node, out);
  const HmArg *extras = hm_kwarg(node, "_extra_args");
  const HmArg *last = NULL;
  for (size_t i = 0; extras && extras->kind == HM_ARG_LIST && i < extras->count; ++i)
    if (extras->items[i].kind == HM_ARG_NODE)
      last = &extras->items[i];
  Role want = NONE;
  for (size_t i = 0; i < sizeof ROLES / sizeof *ROLES; ++i)
    if (strcmp(ROLES[i].target, node->target) == 0)
      want = ROLES[i].role;
  Traced t = last ? trace(L, S, last) : (Traced){NULL, S};
  Extra e;
  bool is_var = want == SQUARES;
  const HmSpecValue *val = is_var && node->val.kind == HM_SPEC_LIST && node->val.count == 2 ? &node->val.items[0] : &node->val;
  bool known = t.node && hm_node_is(L, t.node, HM_OP_EXTRA) && classify(L, t, &e);
  if (known && val != &node->val && e.role == MEAN)
    return var_mean_of_extras(L, S, node, last, out);
  if (!known || e.role != want || t.node->val.rank != val->rank)
    return hm_node_error(L, node, "'%s' as inductor decomposes it is not supported", node->target);
  double c = is_var ? correction_of(node) : 0;
  MlirType result = hm_element_type(L, val->dtype);
  MlirValue value;
  if (!hm_cast_tensor(L, S->values[last->node].value, acc_type(L, result), &value) ||
      !hm_divide_by_count(L, &e.data->val, e.reduced, c, value, &value) || !hm_cast_tensor(L, value, result, &value))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .value = value, .block_id = -1};
  if (val == &node->val)
    return true;
  const HmArg *deps = hm_kwarg(node, "_extra_deps"); /* var_mean: (var, the mean extra) */
  if (!deps || deps->kind != HM_ARG_LIST || deps->count != 1 || deps->items[0].kind != HM_ARG_NODE)
    return hm_node_error(L, node, "'%s' names no mean", node->target);
  HmIrValue *items = hm_arena_new(&L->arena, HmIrValue, 2);
  items[0] = *out;
  items[1] = S->values[deps->items[0].node];
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = 2, .items = items, .block_id = -1};
  return true;
}

static bool lower_final(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  if (hm_node_is(L, node, HM_OP_MAX_DIM) || hm_node_is(L, node, HM_OP_MIN_DIM))
    return hm_lower_max_dim(L, S, node, out);
  if (!hm_kwarg(node, "_extra_args"))
    return hm_node_error(L, node, "'%s' without inductor's decomposition is not supported", node->target);
  return hm_lower_decomposed(L, S, node, out);
}

const HmOpEntry hm_decomposed_ops[] = {
    {"aten.var.correction", lower_final, 0, HM_OP_OTHER},
    {"aten.var_mean.correction", lower_final, 0, HM_OP_OTHER},
    {"aten.max.dim", lower_final, 0, HM_OP_MAX_DIM},
    {"aten.min.dim", lower_final, 0, HM_OP_MIN_DIM},
    {"helion.language._tracing_ops._inductor_lowering_extra", lower_extra, 0, HM_OP_EXTRA},
    {NULL, NULL, 0, HM_OP_OTHER},
};
