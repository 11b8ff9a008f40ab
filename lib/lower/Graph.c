/* Walking a graph: each node is looked up in the op table and lowered by its family. */
#include "lower/Build.h"

#include <string.h>

#include "mlir-c/BuiltinTypes.h"

const HmNode *hm_graph_output(const HmGraph *graph) {
  for (size_t i = graph->nnodes; i-- > 0;)
    if (graph->nodes[i].op == HM_NODE_OUTPUT)
      return &graph->nodes[i];
  return NULL;
}

bool hm_is_getitem_of(const HmLowering *L, const HmScope *S, const HmNode *get, const HmNode *op, size_t index) {
  return get && hm_node_is(L, get, HM_OP_GETITEM) && get->nargs == 2 && hm_arg_node(S, &get->args[0]) == op &&
         get->args[1].kind == HM_ARG_INT && get->args[1].i == (int64_t)index;
}

bool hm_is_phi_of(const HmLowering *L, const HmScope *S, const HmNode *phi, const HmNode *op, size_t index) {
  return hm_node_is(L, phi, HM_OP_PHI) && phi->nargs == 2 && hm_is_getitem_of(L, S, hm_arg_node(S, &phi->args[1]), op, index);
}

HmScope *hm_scope_new(HmLowering *L, const HmGraph *graph, HmScope *parent) {
  HmScope *scope = hm_arena_new(&L->arena, HmScope, 1);
  scope->graph = graph;
  scope->parent = parent;
  scope->values = hm_arena_new(&L->arena, HmIrValue, graph->nnodes ? graph->nnodes : 1);
  return scope;
}

const HmArg *hm_arg(HmLowering *L, const HmNode *node, size_t index) {
  if (index < node->nargs)
    return &node->args[index];
  hm_node_error(L, node, "'%s' expects at least %zu arguments, got %zu", node->target, index + 1, node->nargs);
  return NULL;
}

const HmArg *hm_kwarg(const HmNode *node, const char *name) {
  for (size_t i = 0; i < node->nkwargs; ++i)
    if (strcmp(node->kwarg_names[i], name) == 0)
      return &node->kwargs[i];
  return NULL;
}

const HmNode *hm_arg_node(const HmScope *S, const HmArg *arg) {
  return arg && arg->kind == HM_ARG_NODE ? &S->graph->nodes[arg->node] : NULL;
}

bool hm_arg_value(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, HmIrValue *out) {
  if (!arg)
    return false;
  if (arg->kind != HM_ARG_NODE)
    return hm_node_error(L, node, "'%s' expects a node reference here", node->target);
  *out = S->values[arg->node];
  return true;
}

bool hm_arg_tensor(HmLowering *L, HmScope *S, const HmNode *node, size_t index, HmIrValue *out) {
  if (!hm_arg_value(L, S, node, hm_arg(L, node, index), out))
    return false;
  if (out->kind != HM_IR_TENSOR)
    return hm_node_error(L, node, "argument %zu of '%s' must be a tile tensor", index, node->target);
  return true;
}

static MlirLocation node_location(HmLowering *L, const HmNode *node) {
  if (!node->file)
    return mlirLocationUnknownGet(L->ctx);
  MlirLocation loc = mlirLocationFileLineColGet(L->ctx, mlirStringRefCreateFromCString(node->file),
                                                (unsigned)node->line, 0);
  return mlirLocationNameGet(L->ctx, mlirStringRefCreateFromCString(node->name), loc);
}

static bool lower_outputs(HmLowering *L, HmScope *S, const HmNode *node, HmIrValue *outputs, size_t n) {
  if (!outputs)
    return true;
  const HmArg *list = node->nargs ? &node->args[0] : NULL;
  if (!list || list->kind != HM_ARG_LIST || list->count != n)
    return hm_node_error(L, node, "the graph returns %zu values where %zu are expected",
                         list && list->kind == HM_ARG_LIST ? list->count : 0, n);
  for (size_t i = 0; i < n; ++i)
    if (!hm_arg_value(L, S, node, &list->items[i], &outputs[i]))
      return false;
  return true;
}

/* The families read a tensor argument's dimensions by its node's recorded shape, so a tensor must
 * have the rank the capture recorded for its node: a spec that says otherwise stops here, before a
 * family indexes past the value's dimensions. */
static bool check_recorded_rank(HmLowering *L, const HmNode *node, const HmIrValue *v) {
  if (v->kind != HM_IR_TENSOR || node->val.kind != HM_SPEC_TENSOR)
    return true;
  if (mlirValueIsNull(v->value))
    return hm_node_error(L, node, "'%s' produced no tensor", node->target);
  intptr_t rank = mlirShapedTypeGetRank(mlirValueGetType(v->value));
  if ((size_t)rank != node->val.rank)
    return hm_node_error(L, node, "'%s' gives a tensor of rank %zd where the capture recorded rank %zu",
                         node->target, rank, node->val.rank);
  return true;
}

bool hm_lower_graph(HmLowering *L, HmScope *S, HmIrValue *outputs, size_t noutputs) {
  for (size_t i = 0; i < S->graph->nnodes; ++i) {
    const HmNode *node = &S->graph->nodes[i];
    L->node = node;
    L->loc = node_location(L, node);
    if (node->op == HM_NODE_PLACEHOLDER)
      continue; /* bound by whoever opened the scope */
    if (node->op == HM_NODE_OUTPUT) {
      if (!lower_outputs(L, S, node, outputs, noutputs))
        return false;
      continue;
    }
    const HmOp *op = hm_node_op(L, node);
    if (!op->lower)
      return hm_node_error(L, node, "unsupported op '%s'", node->target);
    if (!op->lower(L, S, node, op->variant, &S->values[i]))
      return hm_diag_failed(L->diag) ? false : hm_node_error(L, node, "could not lower '%s'", node->target);
    if (!check_recorded_rank(L, node, &S->values[i]))
      return false;
  }
  return true;
}
