/* Device-side control flow: `_if` -> scf.if, `_while_loop` -> scf.while, and the comparisons of
 * scalars and sizes (and `and`/`or`/`not` of them) that their conditions are made of.
 *
 * Helion traces each branch (and a while loop's condition and body) into its own graph, called with
 * the outer values it reads. After an `_if`, the op's result list holds each merged variable twice,
 * the if branch's value then the else branch's, and `_phi` joins the two: the scf.if yields the taken
 * branch's value, so both halves of the list are that one result and the phi is it (Loops.c).
 * Where a branch leaves a variable alone, the graph's `branch_outputs` names the outer node to yield.
 * A while loop carries every value it is called with; the body's outputs replace the ones a phi after
 * the loop says they update.
 */
#include "lower/Shapes.h"

#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

enum { MAX_VALUES = 64 };

static const HmGraph *graph_arg(HmLowering *L, const HmNode *node, size_t index) {
  const HmArg *id = hm_arg(L, node, index);
  if (!id)
    return NULL;
  if (id->kind != HM_ARG_INT || id->i < 0 || (size_t)id->i >= hm_spec_num_graphs(L->spec)) {
    hm_node_error(L, node, "argument %zu of '%s' names no graph", index, node->target);
    return NULL;
  }
  return hm_spec_graph(L->spec, (size_t)id->i);
}

static size_t output_count(const HmGraph *graph) {
  const HmNode *out = hm_graph_output(graph);
  return out && out->nargs == 1 && out->args[0].kind == HM_ARG_LIST ? out->args[0].count : 0;
}

/* Placeholder j of `graph` receives `values[j]`. */
static bool bind_placeholders(HmLowering *L, const HmNode *node, HmScope *inner, size_t n, const HmIrValue *values) {
  size_t j = 0;
  for (size_t i = 0; i < inner->graph->nnodes; ++i) {
    if (inner->graph->nodes[i].op != HM_NODE_PLACEHOLDER)
      continue;
    if (j >= n)
      return hm_node_error(L, node, "graph %d has more placeholders than arguments", inner->graph->id);
    inner->values[i] = values[j++];
  }
  return true;
}

/* The outer values a graph is called with (a list argument of node references). */
static bool call_args(HmLowering *L, HmScope *S, const HmNode *node, size_t index, size_t *n, HmIrValue **out) {
  const HmArg *list = hm_arg(L, node, index);
  if (!list)
    return false;
  if (list->kind != HM_ARG_LIST || list->count > MAX_VALUES)
    return hm_node_error(L, node, "argument %zu of '%s' must be a list of at most %d values", index,
                         node->target, MAX_VALUES);
  *n = list->count;
  *out = hm_arena_new(&L->arena, HmIrValue, list->count + 1);
  for (size_t i = 0; i < list->count; ++i)
    if (!hm_arg_value(L, S, node, &list->items[i], &(*out)[i]))
      return false;
  return true;
}

/* Lowers `graph` at the end of `block` with its placeholders bound to `args`; `outs` receives the
 * values its output node returns. */
static bool lower_into(HmLowering *L, HmScope *S, const HmNode *node, const HmGraph *graph, MlirBlock block,
                       size_t nargs, const HmIrValue *args, HmIrValue **outs, size_t *nouts) {
  HmScope *inner = hm_scope_new(L, graph, S);
  *nouts = output_count(graph);
  *outs = hm_arena_new(&L->arena, HmIrValue, *nouts + 1);
  MlirLocation loc = L->loc;
  HmInsertion outer = hm_insertion_enter(L, block);
  bool ok = bind_placeholders(L, node, inner, nargs, args) && hm_lower_graph(L, inner, *outs, *nouts);
  hm_insertion_leave(L, outer);
  L->node = node;
  L->loc = loc;
  return ok;
}

/* ---- conditions ---- */

static MlirValue extract_scalar(HmLowering *L, MlirValue tensor) {
  intptr_t rank = mlirShapedTypeGetRank(mlirValueGetType(tensor));
  MlirValue operands[1 + HM_MAX_RANK] = {tensor};
  for (intptr_t d = 0; d < rank && d < HM_MAX_RANK; ++d)
    operands[1 + d] = hm_index_const(L, 0);
  MlirType element = hm_element_of(tensor);
  return hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &element,
                                      .noperands = 1 + rank, .operands = operands});
}

static bool single_element(MlirValue tensor) {
  MlirType type = mlirValueGetType(tensor);
  if (!mlirShapedTypeHasStaticShape(type) || mlirShapedTypeGetRank(type) > HM_MAX_RANK)
    return false;
  for (intptr_t d = 0; d < mlirShapedTypeGetRank(type); ++d)
    if (mlirShapedTypeGetDimSize(type, d) != 1)
      return false;
  return true;
}

/* A branch or loop condition as an i1: a symbolic bool, a number (true when non-zero), or a tensor of
 * one element (`if x.sum() > 0`). */
static bool condition(HmLowering *L, const HmNode *node, HmIrValue v, MlirValue *out) {
  MlirType i1 = mlirIntegerTypeGet(L->ctx, 1);
  if (v.kind == HM_IR_TENSOR && !single_element(v.value))
    return hm_node_error(L, node, "a condition on a tile of several elements is not supported; reduce it first");
  if (v.kind == HM_IR_TENSOR)
    v.value = extract_scalar(L, v.value);
  else if (v.kind == HM_IR_INDEX)
    v.value = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1,
                                           .results = (MlirType[]){mlirIntegerTypeGet(L->ctx, 64)},
                                           .noperands = 1, .operands = &v.value});
  else if (v.kind != HM_IR_SCALAR)
    return hm_node_error(L, node, "the condition of '%s' has no value", node->target);
  *out = hm_convert_scalar(L, v.value, i1);
  return true;
}

typedef struct Comparison {
  HmCmpIPredicate int_predicate;
  HmCmpFPredicate float_predicate;
} Comparison;

enum { LT, LE, GT, GE, EQ, NE };
static const Comparison COMPARISONS[] = {
    [LT] = {HM_CMPI_SLT, HM_CMPF_OLT}, [LE] = {HM_CMPI_SLE, HM_CMPF_OLE}, [GT] = {HM_CMPI_SGT, HM_CMPF_OGT},
    [GE] = {HM_CMPI_SGE, HM_CMPF_OGE}, [EQ] = {HM_CMPI_EQ, HM_CMPF_OEQ},  [NE] = {HM_CMPI_NE, HM_CMPF_UNE},
};

/* One operand of a comparison of scalars: a node's index or scalar value, or a Python number. */
static bool scalar_operand(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, MlirValue *out) {
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  if (arg->kind == HM_ARG_INT || arg->kind == HM_ARG_BOOL) {
    *out = hm_scalar_const(L, i64, (double)arg->i);
    return true;
  }
  if (arg->kind == HM_ARG_FLOAT) {
    *out = hm_scalar_const(L, mlirF64TypeGet(L->ctx), arg->f);
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, arg, &v))
    return false;
  if (v.kind == HM_IR_INDEX) {
    *out = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &i64,
                                        .noperands = 1, .operands = &v.value});
    return true;
  }
  if (v.kind != HM_IR_SCALAR)
    return hm_node_error(L, node, "'%s' compares scalars and sizes, not tiles", node->target);
  MlirType t = mlirValueGetType(v.value);
  *out = hm_convert_scalar(L, v.value, mlirTypeIsAInteger(t) ? i64 : mlirF64TypeGet(L->ctx));
  return true;
}

static bool lower_compare(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const HmArg *a = hm_arg(L, node, 0), *b = hm_arg(L, node, 1);
  MlirValue x, y;
  if (!a || !b || !scalar_operand(L, S, node, a, &x) || !scalar_operand(L, S, node, b, &y))
    return false;
  bool is_float = !mlirTypeIsAInteger(mlirValueGetType(x)) || !mlirTypeIsAInteger(mlirValueGetType(y));
  if (is_float) {
    x = hm_convert_scalar(L, x, mlirF64TypeGet(L->ctx));
    y = hm_convert_scalar(L, y, mlirF64TypeGet(L->ctx));
  }
  *out = (HmIrValue){.kind = HM_IR_SCALAR, .block_id = -1};
  out->value = is_float ? hm_cmpf(L, COMPARISONS[variant].float_predicate, x, y)
                        : hm_cmpi(L, COMPARISONS[variant].int_predicate, x, y);
  return true;
}

/* `a and b`, `a or b`, `not a` on conditions. */
enum { AND, OR, NOT };
static const char *const LOGIC[] = {[AND] = "arith.andi", [OR] = "arith.ori", [NOT] = "arith.xori"};

static bool lower_logic(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue a, b;
  MlirValue x, y;
  if (!hm_arg_value(L, S, node, hm_arg(L, node, 0), &a) || !condition(L, node, a, &x))
    return false;
  if (variant == NOT)
    y = hm_scalar_const(L, mlirIntegerTypeGet(L->ctx, 1), 1);
  else if (!hm_arg_value(L, S, node, hm_arg(L, node, 1), &b) || !condition(L, node, b, &y))
    return false;
  *out = (HmIrValue){.kind = HM_IR_SCALAR, .block_id = -1};
  out->value = hm_build_value(L, (HmOpSpec){.name = LOGIC[variant], .noperands = 2,
                                            .operands = (MlirValue[]){x, y}, .infer_results = true});
  return true;
}

/* ---- if ---- */

static const HmNode *node_named(const HmScope *S, const char *name) {
  for (size_t i = 0; i < S->graph->nnodes; ++i)
    if (strcmp(S->graph->nodes[i].name, name) == 0)
      return &S->graph->nodes[i];
  return NULL;
}

/* Lowers one branch into `block` and yields the merged variables' values from it. */
static bool lower_branch(HmLowering *L, HmScope *S, const HmNode *node, const HmGraph *if_graph, int side,
                         MlirBlock block, MlirValue *yielded, HmIrValue *kinds) {
  const HmGraph *graph = graph_arg(L, node, 1 + (size_t)side);
  size_t nargs = 0, nouts = 0;
  HmIrValue *args = NULL, *outs = NULL;
  if (!graph || !call_args(L, S, node, 3 + (size_t)side, &nargs, &args) ||
      !lower_into(L, S, node, graph, block, nargs, args, &outs, &nouts))
    return false;
  for (size_t k = 0; k < if_graph->nbranch_outputs; ++k) {
    const HmBranchSource *src = &if_graph->branch_outputs[2 * k + (size_t)side];
    const HmNode *before = src->output < 0 ? node_named(S, src->node) : NULL;
    if (src->output >= (int)nouts || (src->output < 0 && !before))
      return hm_node_error(L, node, "merged value %zu of the if has no source in branch graph %d", k, graph->id);
    kinds[k] = src->output >= 0 ? outs[src->output] : S->values[before->index];
    yielded[k] = kinds[k].value;
    if (mlirValueIsNull(yielded[k]))
      return hm_node_error(L, node, "merged value %zu of the if has no MLIR value", k);
  }
  HmInsertion outer = hm_insertion_enter(L, block);
  hm_build(L, (HmOpSpec){.name = "scf.yield", .noperands = (intptr_t)if_graph->nbranch_outputs, .operands = yielded});
  hm_insertion_leave(L, outer);
  return true;
}

static bool lower_if(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const HmGraph *if_graph = graph_arg(L, node, 1);
  HmIrValue test;
  MlirValue cond;
  if (!if_graph || !hm_arg_value(L, S, node, hm_arg(L, node, 0), &test) || !condition(L, node, test, &cond))
    return false;
  size_t n = if_graph->nbranch_outputs;
  if (if_graph->kind != HM_GRAPH_IF || n > MAX_VALUES || node->val.kind != HM_SPEC_LIST || node->val.count != 2 * n)
    return hm_node_error(L, node, "_if's result list does not hold each merged value twice");
  MlirValue yielded[2][MAX_VALUES];
  HmIrValue kinds[2][MAX_VALUES];
  MlirBlock blocks[2];
  MlirRegion regions[2];
  for (int side = 0; side < 2; ++side)
    regions[side] = hm_region_with_block(L, 0, NULL, &blocks[side]);
  bool ok = lower_branch(L, S, node, if_graph, 0, blocks[0], yielded[0], kinds[0]) &&
            lower_branch(L, S, node, if_graph, 1, blocks[1], yielded[1], kinds[1]);
  MlirType types[MAX_VALUES];
  for (size_t k = 0; ok && k < n; ++k) {
    types[k] = mlirValueGetType(yielded[0][k]);
    if (!mlirTypeEqual(types[k], mlirValueGetType(yielded[1][k])))
      ok = hm_node_error(L, node, "the branches of the if give merged value %zu different types", k);
  }
  if (!ok) {
    mlirRegionDestroy(regions[0]);
    mlirRegionDestroy(regions[1]);
    return false;
  }
  MlirOperation op = hm_build(L, (HmOpSpec){.name = "scf.if", .nresults = (intptr_t)n, .results = types,
                                            .noperands = 1, .operands = &cond, .nregions = 2, .regions = regions});
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = 2 * n, .block_id = -1};
  out->items = hm_arena_new(&L->arena, HmIrValue, 2 * n + 1);
  for (size_t k = 0; k < 2 * n; ++k) {
    out->items[k] = kinds[0][k % n];
    out->items[k].value = mlirOperationGetResult(op, (intptr_t)(k % n));
  }
  return true;
}

/* ---- while ---- */

/* The argument that body output `index` updates: the one a phi after the loop merges it with. */
static bool updated_argument(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *args, size_t index,
                             size_t *out) {
  for (size_t i = node->index + 1; i < S->graph->nnodes; ++i) {
    const HmNode *phi = &S->graph->nodes[i];
    if (!hm_is_phi_of(L, S, phi, node, index))
      continue;
    for (size_t j = 0; j < args->count; ++j)
      if (args->items[j].kind == HM_ARG_NODE && phi->args[0].kind == HM_ARG_NODE &&
          args->items[j].node == phi->args[0].node) {
        *out = j;
        return true;
      }
  }
  return hm_node_error(L, node, "while loop output %zu updates none of the loop's arguments", index);
}

/* The block's arguments, as values of the kinds of the loop's initial values. */
static HmIrValue *block_values(HmLowering *L, MlirBlock block, size_t n, const HmIrValue *inits) {
  HmIrValue *values = hm_arena_new(&L->arena, HmIrValue, n + 1);
  for (size_t j = 0; j < n; ++j) {
    values[j] = inits[j];
    values[j].value = mlirBlockGetArgument(block, (intptr_t)j);
  }
  return values;
}

/* before: the condition graph on the carried values, then scf.condition passing them on. */
static bool lower_while_condition(HmLowering *L, HmScope *S, const HmNode *node, MlirBlock block, size_t n,
                                  const HmIrValue *inits) {
  const HmGraph *graph = graph_arg(L, node, 0);
  HmIrValue *outs;
  size_t nouts;
  if (!graph || !lower_into(L, S, node, graph, block, n, block_values(L, block, n, inits), &outs, &nouts))
    return false;
  if (nouts != 1)
    return hm_node_error(L, node, "a while loop's condition graph must return one value");
  HmInsertion outer = hm_insertion_enter(L, block);
  MlirValue operands[1 + MAX_VALUES];
  bool ok = condition(L, node, outs[0], &operands[0]);
  for (size_t j = 0; j < n; ++j)
    operands[1 + j] = mlirBlockGetArgument(block, (intptr_t)j);
  if (ok)
    hm_build(L, (HmOpSpec){.name = "scf.condition", .noperands = (intptr_t)(1 + n), .operands = operands});
  hm_insertion_leave(L, outer);
  return ok;
}

/* after: the body graph, yielding each carried value or the body's update of it. */
static bool lower_while_body(HmLowering *L, HmScope *S, const HmNode *node, MlirBlock block, size_t n,
                             const HmIrValue *inits, const MlirType *types, size_t *updated) {
  const HmGraph *graph = graph_arg(L, node, 1);
  const HmArg *args = hm_arg(L, node, 2);
  HmIrValue *outs;
  size_t nouts;
  if (!graph || !args || !lower_into(L, S, node, graph, block, n, block_values(L, block, n, inits), &outs, &nouts))
    return false;
  MlirValue yielded[MAX_VALUES];
  for (size_t j = 0; j < n; ++j)
    yielded[j] = mlirBlockGetArgument(block, (intptr_t)j);
  for (size_t i = 0; i < nouts; ++i) {
    if (!updated_argument(L, S, node, args, i, &updated[i]))
      return false;
    yielded[updated[i]] = outs[i].value;
    if (mlirValueIsNull(outs[i].value) || !mlirTypeEqual(mlirValueGetType(outs[i].value), types[updated[i]]))
      return hm_node_error(L, node, "while loop output %zu changes type between iterations", i);
  }
  HmInsertion outer = hm_insertion_enter(L, block);
  hm_build(L, (HmOpSpec){.name = "scf.yield", .noperands = (intptr_t)n, .operands = yielded});
  hm_insertion_leave(L, outer);
  return true;
}

/* scf.while carrying every value the loop is called with. */
static bool lower_while(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  size_t n;
  HmIrValue *inits;
  if (!call_args(L, S, node, 2, &n, &inits))
    return false;
  if (node->nargs > 3 && node->args[3].kind != HM_ARG_NONE)
    return hm_node_error(L, node, "while ... else is not supported");
  size_t nouts = node->val.kind == HM_SPEC_LIST ? node->val.count : 0;
  if (nouts > MAX_VALUES)
    return hm_node_error(L, node, "while loops with more than %d outputs are not supported", MAX_VALUES);
  MlirType types[MAX_VALUES];
  MlirValue operands[MAX_VALUES];
  for (size_t j = 0; j < n; ++j) {
    if (mlirValueIsNull(inits[j].value))
      return hm_node_error(L, node, "while loop argument %zu has no MLIR value", j);
    operands[j] = inits[j].value;
    types[j] = mlirValueGetType(inits[j].value);
  }
  MlirBlock before, after;
  MlirRegion regions[2] = {hm_region_with_block(L, n, types, &before), hm_region_with_block(L, n, types, &after)};
  size_t updated[MAX_VALUES];
  if (!lower_while_condition(L, S, node, before, n, inits) ||
      !lower_while_body(L, S, node, after, n, inits, types, updated)) {
    mlirRegionDestroy(regions[0]);
    mlirRegionDestroy(regions[1]);
    return false;
  }
  MlirOperation op = hm_build(L, (HmOpSpec){.name = "scf.while", .nresults = (intptr_t)n, .results = types,
                                            .noperands = (intptr_t)n, .operands = operands, .nregions = 2,
                                            .regions = regions});
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = nouts, .block_id = -1};
  out->items = hm_arena_new(&L->arena, HmIrValue, nouts + 1);
  for (size_t i = 0; i < nouts; ++i) {
    out->items[i] = inits[updated[i]];
    out->items[i].value = mlirOperationGetResult(op, (intptr_t)updated[i]);
  }
  return true;
}

const HmOpEntry hm_control_ops[] = {
    {"helion.language._tracing_ops._if", lower_if, 0, HM_OP_IF},
    {"helion.language._tracing_ops._while_loop", lower_while, 0, HM_OP_WHILE_LOOP},
    {"helion.language._tracing_ops._and", lower_logic, AND, HM_OP_OTHER},
    {"helion.language._tracing_ops._or", lower_logic, OR, HM_OP_OTHER},
    {"helion.language._tracing_ops._not", lower_logic, NOT, HM_OP_OTHER},
    {"operator.lt", lower_compare, LT, HM_OP_OTHER},
    {"operator.le", lower_compare, LE, HM_OP_OTHER},
    {"operator.gt", lower_compare, GT, HM_OP_OTHER},
    {"operator.ge", lower_compare, GE, HM_OP_OTHER},
    {"operator.eq", lower_compare, EQ, HM_OP_OTHER},
    {"operator.ne", lower_compare, NE, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
