/* `_for_loop` -> affine.for with iter_args, and `_phi` -> the loop-carried value.
 *
 * A Device IR loop graph returns values; after the loop, `_phi(before, getitem(loop, i))` names the
 * variable that output i updates. Such outputs are carried: the loop graph's placeholder for `before`
 * becomes the iter_arg. Outputs no phi merges (values the body defines and code after the loop reads)
 * are carried too, starting from an empty tensor, so the loop's result is the last iteration's value.
 */
#include "Build.h"
#include "Tiles.h"

#include <string.h>

#include "mlir-c/BuiltinAttributes.h"

static bool is_target(const HmNode *node, const char *suffix) {
  size_t n = strlen(node->target), m = strlen(suffix);
  return n >= m && strcmp(node->target + n - m, suffix) == 0;
}

/* The node whose value output `index` of `loop` updates, or NULL when no phi merges it. */
static const HmNode *carried_from(const HmScope *S, const HmNode *loop, size_t index) {
  for (size_t i = loop->index + 1; i < S->graph->nnodes; ++i) {
    const HmNode *phi = &S->graph->nodes[i];
    if (!is_target(phi, "._phi") || phi->nargs != 2)
      continue;
    const HmNode *get = hm_arg_node(S, &phi->args[1]);
    const HmNode *before = hm_arg_node(S, &phi->args[0]);
    if (get && before && is_target(get, "operator.getitem") && get->nargs == 2 &&
        hm_arg_node(S, &get->args[0]) == loop && get->args[1].kind == HM_ARG_INT &&
        get->args[1].i == (int64_t)index)
      return before;
  }
  return NULL;
}

static const HmNode *output_node(const HmGraph *graph) {
  for (size_t i = graph->nnodes; i-- > 0;)
    if (graph->nodes[i].op == HM_NODE_OUTPUT)
      return &graph->nodes[i];
  return NULL;
}

typedef struct LoopPlan {
  const HmGraph *body;
  size_t nout;
  MlirValue *inits;
  MlirType *types;
  const HmNode **carried; /* per output: the outer node it updates, or NULL */
  int64_t *begins;
} LoopPlan;

static bool plan_init(HmLowering *L, HmScope *S, const HmNode *node, const HmNode *out_node, size_t i,
                      LoopPlan *plan) {
  plan->carried[i] = carried_from(S, node, i);
  if (plan->carried[i]) {
    plan->inits[i] = S->values[plan->carried[i]->index].value;
  } else {
    const HmNode *value = hm_arg_node(&(HmScope){.graph = plan->body}, &out_node->args[0].items[i]);
    if (!value || value->val.kind != HM_VAL_TENSOR)
      return hm_node_error(L, node, "loop output %zu is not a tensor", i);
    if (!hm_empty_tensor(L, &value->val, hm_element_type(L, value->val.dtype), &plan->inits[i]))
      return false;
  }
  if (mlirValueIsNull(plan->inits[i]))
    return hm_node_error(L, node, "loop-carried value %zu has no lowered initial value", i);
  plan->types[i] = mlirValueGetType(plan->inits[i]);
  return true;
}

static bool plan_bounds(HmLowering *L, const HmNode *node, LoopPlan *plan) {
  const HmArg *begins = hm_arg(L, node, 1);
  if (!begins || begins->kind != HM_ARG_LIST || begins->count != plan->body->nblock_ids)
    return hm_node_error(L, node, "a loop needs one begin per block id");
  plan->begins = hm_arena_new(&L->arena, int64_t, begins->count);
  for (size_t k = 0; k < begins->count; ++k) {
    if (begins->items[k].kind != HM_ARG_INT)
      return hm_node_error(L, node, "loops with a data-dependent begin are not supported");
    plan->begins[k] = begins->items[k].i;
  }
  return true;
}

static bool plan_loop(HmLowering *L, HmScope *S, const HmNode *node, LoopPlan *plan) {
  const HmArg *graph_id = hm_arg(L, node, 0);
  if (!graph_id || graph_id->kind != HM_ARG_INT || graph_id->i < 0 ||
      (size_t)graph_id->i >= hm_spec_num_graphs(L->spec))
    return hm_node_error(L, node, "_for_loop names no graph");
  plan->body = hm_spec_graph(L->spec, (size_t)graph_id->i);
  if (plan->body->kind == HM_GRAPH_REDUCTION_LOOP)
    return hm_node_error(L, node, "looped reductions (config reduction_loops) are not supported");
  const HmNode *out_node = output_node(plan->body);
  if (!out_node || out_node->nargs != 1 || out_node->args[0].kind != HM_ARG_LIST)
    return hm_node_error(L, node, "loop graph %d has no output list", plan->body->id);
  plan->nout = out_node->args[0].count;
  plan->inits = hm_arena_new(&L->arena, MlirValue, plan->nout);
  plan->types = hm_arena_new(&L->arena, MlirType, plan->nout);
  plan->carried = hm_arena_new(&L->arena, const HmNode *, plan->nout);
  for (size_t i = 0; i < plan->nout; ++i)
    if (!plan_init(L, S, node, out_node, i, plan))
      return false;
  return plan_bounds(L, node, plan);
}

/* Placeholder j of the body stands for the loop's argument j: the iter_arg when that argument is a
 * carried variable, else the outer value itself. */
static bool bind_placeholders(HmLowering *L, HmScope *S, const HmNode *node, const LoopPlan *plan,
                              MlirBlock body, HmScope *inner) {
  const HmArg *args = hm_arg(L, node, 3);
  if (!args || args->kind != HM_ARG_LIST)
    return hm_node_error(L, node, "_for_loop needs an argument list");
  size_t j = 0;
  for (size_t n = 0; n < plan->body->nnodes; ++n) {
    if (plan->body->nodes[n].op != HM_NODE_PLACEHOLDER)
      continue;
    if (j >= args->count)
      return hm_node_error(L, node, "loop graph %d has more placeholders than arguments", plan->body->id);
    const HmNode *outer = hm_arg_node(S, &args->items[j++]);
    if (!outer)
      return hm_node_error(L, node, "loop argument %zu is not a node", j - 1);
    inner->values[n] = S->values[outer->index];
    for (size_t i = 0; i < plan->nout; ++i)
      if (plan->carried[i] == outer)
        inner->values[n].value = mlirBlockGetArgument(body, (intptr_t)i + 1);
  }
  return true;
}

static MlirOperation build_for(HmLowering *L, int block, int64_t begin, const LoopPlan *plan,
                               const MlirValue *inits, MlirBlock *body) {
  HmLoopBounds b;
  if (!hm_tile_loop_bounds(L, block, begin, &b))
    return (MlirOperation){NULL};
  MlirValue operands[64];
  size_t n = 0;
  for (size_t i = 0; i < b.nlower_operands; ++i)
    operands[n++] = b.lower_operands[i];
  for (size_t i = 0; i < b.nupper_operands; ++i)
    operands[n++] = b.upper_operands[i];
  for (size_t i = 0; i < plan->nout && n < 64; ++i)
    operands[n++] = inits[i];
  MlirType types[64];
  types[0] = hm_index_type(L);
  for (size_t i = 0; i < plan->nout && i < 63; ++i)
    types[i + 1] = plan->types[i];
  MlirRegion region = hm_region_with_block(L, plan->nout + 1, types, body);
  int32_t segments[3] = {(int32_t)b.nlower_operands, (int32_t)b.nupper_operands, (int32_t)plan->nout};
  MlirNamedAttribute attrs[4] = {
      hm_named(L, "lowerBoundMap", mlirAffineMapAttrGet(b.lower)),
      hm_named(L, "upperBoundMap", mlirAffineMapAttrGet(b.upper)),
      hm_named(L, "step", hm_index_attr(L, b.step)),
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 3, segments)),
  };
  return hm_build(L, (HmOpSpec){.name = "affine.for", .nresults = (intptr_t)plan->nout, .results = plan->types,
                                .noperands = (intptr_t)n, .operands = operands, .nattrs = 4, .attrs = attrs,
                                .nregions = 1, .regions = &region});
}

static void yield(HmLowering *L, MlirBlock block, size_t n, const MlirValue *values) {
  MlirBlock saved = L->block;
  L->block = block;
  hm_build(L, (HmOpSpec){.name = "affine.yield", .noperands = (intptr_t)n, .operands = values});
  L->block = saved;
}

/* Opens one affine.for per block id, outermost first, and lowers the body graph in the innermost. */
static bool lower_nest(HmLowering *L, HmScope *S, const HmNode *node, const LoopPlan *plan, size_t level,
                       const MlirValue *inits, MlirValue *results) {
  if (plan->nout > 63)
    return hm_node_error(L, node, "loops with more than 63 carried values are not supported");
  int block = plan->body->block_ids[level];
  MlirBlock body;
  MlirOperation loop = build_for(L, block, plan->begins[level], plan, inits, &body);
  if (mlirOperationIsNull(loop))
    return hm_diag_failed(L->diag) ? false : hm_node_error(L, node, "could not build affine.for");
  MlirBlock outer = L->block;
  L->block = body;
  HmTile saved;
  bool ok = hm_tile_enter(L, block, plan->begins[level], mlirBlockGetArgument(body, 0), &saved);
  MlirValue carried[64], yielded[64];
  for (size_t i = 0; i < plan->nout; ++i)
    carried[i] = mlirBlockGetArgument(body, (intptr_t)i + 1);
  if (ok && level + 1 < plan->body->nblock_ids) {
    ok = lower_nest(L, S, node, plan, level + 1, carried, yielded);
  } else if (ok) {
    HmScope *inner = hm_scope_new(L, plan->body, S);
    HmValue *outs = hm_arena_new(&L->arena, HmValue, plan->nout ? plan->nout : 1);
    ok = bind_placeholders(L, S, node, plan, body, inner) && hm_lower_graph(L, inner, outs, plan->nout);
    for (size_t i = 0; ok && i < plan->nout; ++i) {
      yielded[i] = outs[i].value;
      if (mlirValueIsNull(yielded[i]) || !mlirTypeEqual(mlirValueGetType(yielded[i]), plan->types[i]))
        ok = hm_node_error(L, node, "loop output %zu changes type between iterations", i);
    }
  }
  hm_tile_leave(L, block, &saved);
  L->block = outer;
  L->node = node;
  if (!ok)
    return false;
  yield(L, body, plan->nout, yielded);
  for (size_t i = 0; i < plan->nout; ++i)
    results[i] = mlirOperationGetResult(loop, (intptr_t)i);
  return true;
}

static bool lower_for_loop(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  LoopPlan plan = {0};
  if (!plan_loop(L, S, node, &plan))
    return false;
  if (plan.body->nblock_ids == 0)
    return hm_node_error(L, node, "loop graph %d iterates over no block", plan.body->id);
  MlirValue *results = hm_arena_new(&L->arena, MlirValue, plan.nout ? plan.nout : 1);
  if (!lower_nest(L, S, node, &plan, 0, plan.inits, results))
    return false;
  out->kind = HM_V_LIST;
  out->count = plan.nout;
  out->items = hm_arena_new(&L->arena, HmValue, plan.nout ? plan.nout : 1);
  for (size_t i = 0; i < plan.nout; ++i)
    out->items[i] = (HmValue){.kind = HM_V_TENSOR, .value = results[i], .block_id = -1};
  return true;
}

/* After a loop, the phi of a carried variable is the loop's result. A merge that no loop carries
 * stays explicit as helion.phi. */
static bool lower_phi(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  HmValue before, after;
  if (!hm_arg_value(L, S, node, hm_arg(L, node, 0), &before) ||
      !hm_arg_value(L, S, node, hm_arg(L, node, 1), &after))
    return false;
  const HmNode *get = hm_arg_node(S, &node->args[1]);
  const HmNode *loop = get && is_target(get, "operator.getitem") ? hm_arg_node(S, &get->args[0]) : NULL;
  if (loop && is_target(loop, "._for_loop")) {
    *out = after;
    return true;
  }
  if (mlirValueIsNull(before.value) || mlirValueIsNull(after.value))
    return hm_node_error(L, node, "_phi merges values that have no MLIR value");
  MlirType type = mlirValueGetType(before.value);
  *out = before;
  out->value = hm_build_value(L, (HmOpSpec){.name = "helion.phi", .nresults = 1, .results = &type,
                                            .noperands = 2, .operands = (MlirValue[]){before.value, after.value}});
  return !mlirValueIsNull(out->value) || hm_node_error(L, node, "the helion dialect is not loaded");
}

const HmOpEntry hm_loop_ops[] = {
    {"helion.language._tracing_ops._for_loop", lower_for_loop, 0},
    {"helion.language._tracing_ops._phi", lower_phi, 0},
    {NULL, NULL, 0},
};
