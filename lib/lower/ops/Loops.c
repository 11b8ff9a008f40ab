/* `_for_loop` / `_for_loop_step` -> affine.for with iter_args, and `_phi` -> the loop-carried value.
 *
 * The loop covers the range its arguments name per block (begin and end: integers, sizes or index
 * values; a step for hl.grid), which lower/Tiles.c turns into bounds: an affine.for when they are affine
 * symbols, an scf.for when the kernel computes them (an outer tile's begin, a loaded offset).
 *
 * A Device IR loop graph returns values; after the loop, `_phi(before, getitem(loop, i))` names the
 * variable that output i updates. Such outputs are carried: the loop graph's placeholder for `before`
 * becomes the iter_arg. Outputs no phi merges but code after the loop reads are carried too, starting
 * from an empty tensor, so the loop's result is the last iteration's value; in a looped reduction
 * (a reduction_loop graph) a reduction's output instead starts from the reduction's identity and
 * combines each chunk's partial result.
 */
#include "lower/Jagged.h"
#include "lower/Shapes.h"
#include "lower/Tiles.h"
#include "lower/ops/Reductions.h"

#include "mlir-c/BuiltinAttributes.h"

/* The node whose value output `index` of `loop` updates, or NULL when no phi merges it. */
static const HmNode *carried_from(const HmLowering *L, const HmScope *S, const HmNode *loop, size_t index) {
  for (size_t i = loop->index + 1; i < S->graph->nnodes; ++i) {
    const HmNode *phi = &S->graph->nodes[i];
    const HmNode *before = hm_is_phi_of(L, S, phi, loop, index) ? hm_arg_node(S, &phi->args[0]) : NULL;
    if (before)
      return before;
  }
  return NULL;
}

/* _for_loop, or _for_loop_step with its list of steps. */
enum { PLAIN, STEPPED };

/* What happens to each output of the loop graph. */
typedef enum OutputKind {
  UNUSED,      /* nothing after the loop reads it: not carried */
  CARRIED,     /* a variable the loop updates (a phi merges it): starts from its value before */
  LAST,        /* read after the loop: the last iteration's value */
  ACCUMULATED, /* a reduction in a looped reduction: combined across iterations */
} OutputKind;

typedef struct LoopPlan {
  const HmGraph *body;
  size_t nout, ncarried;
  OutputKind *kinds;
  size_t *slots;            /* per output: its iter_arg index, for kinds other than UNUSED */
  const HmNode **producers; /* per output: the body node that computes it */
  const HmNode **merged;    /* per output: the outer node a phi says it updates, or NULL */
  MlirValue *inits;         /* per iter_arg */
  MlirType *types;
  HmTileRange *ranges; /* per block id of the body */
} LoopPlan;

static bool is_read_after(const HmLowering *L, const HmScope *S, const HmNode *loop, size_t index) {
  for (size_t i = loop->index + 1; i < S->graph->nnodes; ++i)
    if (hm_is_getitem_of(L, S, &S->graph->nodes[i], loop, index))
      return true;
  return false;
}

/* argmax/argmin carry their best values beside the indices. */
static bool has_aux(HmLowering *L, const HmNode *reduction) {
  HmReductionKind kind = hm_reduction_kind(L, reduction);
  return kind == HM_REDUCE_ARGMAX || kind == HM_REDUCE_ARGMIN;
}

static bool plan_output(HmLowering *L, HmScope *S, const HmNode *node, const HmNode *out_node, size_t i,
                        LoopPlan *plan) {
  plan->producers[i] = hm_arg_node(&(HmScope){.graph = plan->body}, &out_node->args[0].items[i]);
  plan->merged[i] = carried_from(L, S, node, i);
  if (plan->merged[i])
    plan->kinds[i] = CARRIED;
  else if (!is_read_after(L, S, node, i))
    plan->kinds[i] = UNUSED;
  else if (plan->body->kind == HM_GRAPH_REDUCTION_LOOP && plan->producers[i] &&
           hm_reduction_kind(L, plan->producers[i]) != HM_REDUCE_NONE)
    plan->kinds[i] = ACCUMULATED;
  else
    plan->kinds[i] = LAST;
  if (plan->kinds[i] == UNUSED)
    return true;
  size_t slot = plan->slots[i] = plan->ncarried++;
  const HmNode *producer = plan->producers[i];
  if (plan->kinds[i] == CARRIED) {
    plan->inits[slot] = S->values[plan->merged[i]->index].value;
  } else if (!producer || (producer->val.kind != HM_SPEC_TENSOR && !(plan->kinds[i] == ACCUMULATED && has_aux(L, producer)))) {
    return hm_node_error(L, node, "loop output %zu is not a tensor", i);
  } else if (plan->kinds[i] == ACCUMULATED) {
    /* argmax's best values ride in the next iter_arg */
    bool aux = has_aux(L, producer);
    if (!hm_reduction_init(L, producer, &plan->inits[slot], aux ? &plan->inits[slot + 1] : NULL))
      return false;
    if (aux)
      plan->types[plan->ncarried++] = mlirValueGetType(plan->inits[slot + 1]);
  } else if (!hm_empty_tensor(L, &producer->val, hm_element_type(L, producer->val.dtype), &plan->inits[slot])) {
    return false;
  }
  if (mlirValueIsNull(plan->inits[slot]))
    return hm_node_error(L, node, "loop-carried value %zu has no lowered initial value", i);
  plan->types[slot] = mlirValueGetType(plan->inits[slot]);
  return true;
}

/* One begin or end of a loop: an integer, a symbolic size, or a node's index value. */
static bool loop_bound(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, HmBound *out) {
  *out = (HmBound){.constant = -1};
  if (arg->kind == HM_ARG_INT && arg->i >= 0) {
    out->constant = arg->i;
    return true;
  }
  if (arg->kind == HM_ARG_SYM)
    return hm_dim_value(L, (HmDim){.sym = arg->str, .value = -1}, &out->value);
  const HmNode *src = hm_arg_node(S, arg);
  if (src && src->val.kind == HM_SPEC_INT && src->val.i >= 0) {
    out->constant = src->val.i; /* a size Helion knows (a looped reduction's end) */
    return true;
  }
  /* Index values, and integers the kernel loads (jagged rows: hl.tile(offsets[i], offsets[i + 1])). */
  if (!src || !hm_as_index(L, &S->values[src->index], &out->value))
    return hm_node_error(L, node, "a loop bound must be a non-negative integer, a size or an integer value");
  out->computed = true;
  return true;
}

static const HmArg *bound_list(HmLowering *L, const HmNode *node, size_t index, size_t count) {
  const HmArg *list = hm_arg(L, node, index);
  if (list && (list->kind != HM_ARG_LIST || list->count != count)) {
    hm_node_error(L, node, "a loop needs one begin, end and step per block id");
    return NULL;
  }
  return list;
}

/* The step list of _for_loop_step (hl.grid(begin, end, step)): null entries step by the tile size. */
static bool loop_step(HmLowering *L, const HmNode *node, const HmArg *steps, size_t k, int64_t *out) {
  *out = 0;
  if (!steps || steps->items[k].kind == HM_ARG_NONE)
    return true;
  if (steps->items[k].kind != HM_ARG_INT || steps->items[k].i <= 0)
    return hm_node_error(L, node, "a loop step must be a positive integer");
  *out = steps->items[k].i;
  return true;
}

static bool plan_bounds(HmLowering *L, HmScope *S, const HmNode *node, int variant, LoopPlan *plan) {
  size_t n = plan->body->nblock_ids;
  const HmArg *begins = bound_list(L, node, 1, n), *ends = bound_list(L, node, 2, n);
  const HmArg *steps = variant == STEPPED ? bound_list(L, node, 4, n) : NULL;
  if (!begins || !ends || (variant == STEPPED && !steps))
    return false;
  plan->ranges = hm_arena_new(&L->arena, HmTileRange, n + 1);
  for (size_t k = 0; k < n; ++k) {
    int block = plan->body->block_ids[k];
    HmTileRange *r = &plan->ranges[k];
    if (!loop_bound(L, S, node, &begins->items[k], &r->begin) || !loop_bound(L, S, node, &ends->items[k], &r->end) ||
        !loop_step(L, node, steps, k, &r->step))
      return false;
    /* The whole block: reuse its extent value, so the tile of the last iteration knows its size. */
    HmTileRange full = hm_tile_full_range(L, block);
    if (r->begin.constant == 0 && r->end.constant >= 0 && r->end.constant == full.end.constant)
      r->end = full.end;
  }
  return true;
}

static bool plan_loop(HmLowering *L, HmScope *S, const HmNode *node, int variant, LoopPlan *plan) {
  const HmArg *graph_id = hm_arg(L, node, 0);
  if (!graph_id || graph_id->kind != HM_ARG_INT || graph_id->i < 0 ||
      (size_t)graph_id->i >= hm_spec_num_graphs(L->spec))
    return hm_node_error(L, node, "_for_loop names no graph");
  plan->body = hm_spec_graph(L->spec, (size_t)graph_id->i);
  const HmNode *out_node = hm_graph_output(plan->body);
  if (!out_node || out_node->nargs != 1 || out_node->args[0].kind != HM_ARG_LIST)
    return hm_node_error(L, node, "loop graph %d has no output list", plan->body->id);
  size_t n = plan->nout = out_node->args[0].count;
  if (n > 63)
    return hm_node_error(L, node, "loops with more than 63 outputs are not supported");
  plan->kinds = hm_arena_new(&L->arena, OutputKind, n + 1);
  plan->slots = hm_arena_new(&L->arena, size_t, n + 1);
  plan->producers = hm_arena_new(&L->arena, const HmNode *, n + 1);
  plan->merged = hm_arena_new(&L->arena, const HmNode *, n + 1);
  plan->inits = hm_arena_new(&L->arena, MlirValue, 2 * n + 1);
  plan->types = hm_arena_new(&L->arena, MlirType, 2 * n + 1);
  for (size_t i = 0; i < n; ++i)
    if (!plan_output(L, S, node, out_node, i, plan))
      return false;
  if (plan->ncarried > 63)
    return hm_node_error(L, node, "loops carrying more than 63 values are not supported");
  return plan_bounds(L, S, node, variant, plan);
}

/* Placeholder j of the body stands for the loop's argument j: the iter_arg when that argument is a
 * variable the loop updates, else the outer value itself. */
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
      if (plan->kinds[i] == CARRIED && plan->merged[i] == outer)
        inner->values[n].value = mlirBlockGetArgument(body, (intptr_t)plan->slots[i] + 1);
  }
  return true;
}

static MlirOperation build_affine_for(HmLowering *L, const HmLoopBounds *b, const LoopPlan *plan,
                                      const MlirValue *inits, MlirRegion region) {
  MlirValue operands[6 + 64];
  size_t n = 0;
  for (size_t i = 0; i < b->nlower_operands; ++i)
    operands[n++] = b->lower_operands[i];
  for (size_t i = 0; i < b->nupper_operands; ++i)
    operands[n++] = b->upper_operands[i];
  for (size_t i = 0; i < plan->ncarried; ++i)
    operands[n++] = inits[i];
  int32_t segments[3] = {(int32_t)b->nlower_operands, (int32_t)b->nupper_operands, (int32_t)plan->ncarried};
  MlirNamedAttribute attrs[4] = {
      hm_named(L, "lowerBoundMap", mlirAffineMapAttrGet(b->lower)),
      hm_named(L, "upperBoundMap", mlirAffineMapAttrGet(b->upper)),
      hm_named(L, "step", hm_index_attr(L, b->step)),
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 3, segments)),
  };
  return hm_build(L, (HmOpSpec){.name = "affine.for", .nresults = (intptr_t)plan->ncarried,
                                .results = plan->types, .noperands = (intptr_t)n, .operands = operands,
                                .nattrs = 4, .attrs = attrs, .nregions = 1, .regions = &region});
}

static MlirOperation build_scf_for(HmLowering *L, const HmLoopBounds *b, const LoopPlan *plan,
                                   const MlirValue *inits, MlirRegion region) {
  MlirValue operands[3 + 64] = {b->lower_value, b->upper_value, b->step_value};
  for (size_t i = 0; i < plan->ncarried; ++i)
    operands[3 + i] = inits[i];
  return hm_build(L, (HmOpSpec){.name = "scf.for", .nresults = (intptr_t)plan->ncarried, .results = plan->types,
                                .noperands = (intptr_t)(3 + plan->ncarried), .operands = operands, .nregions = 1,
                                .regions = &region});
}

/* affine.for when the bounds are affine, else scf.for; `*affine` says which. */
static MlirOperation build_for(HmLowering *L, int block, const HmTileRange *range, const LoopPlan *plan,
                               const MlirValue *inits, MlirBlock *body, bool *affine) {
  HmLoopBounds b;
  if (!hm_tile_loop_bounds(L, block, range, &b))
    return (MlirOperation){NULL};
  MlirType types[64];
  types[0] = hm_index_type(L);
  for (size_t i = 0; i < plan->ncarried; ++i)
    types[i + 1] = plan->types[i];
  MlirRegion region = hm_region_with_block(L, plan->ncarried + 1, types, body);
  *affine = b.affine;
  return b.affine ? build_affine_for(L, &b, plan, inits, region) : build_scf_for(L, &b, plan, inits, region);
}

static void yield(HmLowering *L, MlirBlock block, bool affine, size_t n, const MlirValue *values) {
  HmInsertion saved = hm_insertion_enter(L, block);
  hm_build(L, (HmOpSpec){.name = affine ? "affine.yield" : "scf.yield", .noperands = (intptr_t)n, .operands = values});
  hm_insertion_leave(L, saved);
}

/* Lowers the body graph in the innermost loop and computes what it yields. */
static bool lower_body(HmLowering *L, HmScope *S, const HmNode *node, const LoopPlan *plan, MlirBlock body,
                       const MlirValue *carried, MlirValue *yielded) {
  HmScope *inner = hm_scope_new(L, plan->body, S);
  HmIrValue *outs = hm_arena_new(&L->arena, HmIrValue, plan->nout + 1);
  if (!bind_placeholders(L, S, node, plan, body, inner) || !hm_lower_graph(L, inner, outs, plan->nout))
    return false;
  for (size_t i = 0; i < plan->nout; ++i) {
    if (plan->kinds[i] == UNUSED)
      continue;
    size_t slot = plan->slots[i];
    yielded[slot] = outs[i].value;
    L->node = plan->producers[i] ? plan->producers[i] : node;
    bool aux = plan->kinds[i] == ACCUMULATED && has_aux(L, plan->producers[i]);
    if (plan->kinds[i] == ACCUMULATED &&
        !hm_reduction_combine(L, plan->producers[i], carried[slot], aux ? carried[slot + 1] : (MlirValue){NULL},
                              &outs[i], &yielded[slot], aux ? &yielded[slot + 1] : NULL))
      return false;
    if (mlirValueIsNull(yielded[slot]) || !mlirTypeEqual(mlirValueGetType(yielded[slot]), plan->types[slot]))
      return hm_node_error(L, node, "loop output %zu changes type between iterations", i);
  }
  return true;
}

/* A loop over an hl.jagged_tile takes the tensor of its rows' ends first (Helion's codegen reads it as
 * the loop's first lifted argument), which masks the loop's accesses. */
static bool enter_jagged(HmLowering *L, HmScope *S, const HmNode *node, int block) {
  if (hm_spec_block_size(L->spec, (size_t)block)->njagged_parents == 0)
    return true;
  const HmArg *args = hm_arg(L, node, 3);
  const HmNode *ends = args && args->kind == HM_ARG_LIST && args->count > 0 ? hm_arg_node(S, &args->items[0]) : NULL;
  if (!ends)
    return hm_node_error(L, node, "the loop over jagged block %d takes no tensor of row ends", block);
  return hm_jagged_enter(L, block, &S->values[ends->index], &ends->val) || hm_node_error(L, node, "jagged tile");
}

/* Opens one affine.for per block id, outermost first, and lowers the body graph in the innermost. */
static bool lower_nest(HmLowering *L, HmScope *S, const HmNode *node, const LoopPlan *plan, size_t level,
                       const MlirValue *inits, MlirValue *results) {
  int block = plan->body->block_ids[level];
  MlirBlock body;
  bool affine;
  MlirOperation loop = build_for(L, block, &plan->ranges[level], plan, inits, &body, &affine);
  if (mlirOperationIsNull(loop))
    return hm_diag_failed(L->diag) ? false : hm_node_error(L, node, "could not build affine.for");
  HmInsertion outer = hm_insertion_enter(L, body);
  HmTile saved;
  bool ok = hm_tile_enter(L, block, &plan->ranges[level], mlirBlockGetArgument(body, 0), &saved) &&
            enter_jagged(L, S, node, block);
  MlirValue carried[64], yielded[64];
  for (size_t i = 0; i < plan->ncarried; ++i)
    carried[i] = mlirBlockGetArgument(body, (intptr_t)i + 1);
  if (ok && level + 1 < plan->body->nblock_ids)
    ok = lower_nest(L, S, node, plan, level + 1, carried, yielded);
  else if (ok)
    ok = lower_body(L, S, node, plan, body, carried, yielded);
  hm_tile_leave(L, block, &saved);
  hm_insertion_leave(L, outer);
  L->node = node;
  if (!ok)
    return false;
  yield(L, body, affine, plan->ncarried, yielded);
  for (size_t i = 0; i < plan->ncarried; ++i)
    results[i] = mlirOperationGetResult(loop, (intptr_t)i);
  return true;
}

/* A looped reduction over a constant range that its chunk does not divide (1000 in chunks of 256)
 * becomes two loops: the whole chunks, each a static tile with no padding, no mask and a store of a
 * static size, then the last, shorter chunk, a static tile padded as a persistent reduction's row is.
 * One loop would make every chunk a dynamic tile (an affine.min extent), which the vectorization
 * takes only as padded copies and masked reads into tile buffers, stored through a dynamic slice:
 * a copy per chunk (layer norm 4096x1000 in chunks of 256 ran at half the persistent one's speed).
 * The body is lowered once per loop. */
static bool split_partial_tail(HmLowering *L, const LoopPlan *plan, HmTileRange *whole_chunks, HmTileRange *tail) {
  if (plan->body->kind != HM_GRAPH_REDUCTION_LOOP || plan->body->nblock_ids != 1 ||
      L->options.tiles != HM_TILES_CONCRETE)
    return false;
  int block = plan->body->block_ids[0];
  const HmTileRange *r = &plan->ranges[0];
  int64_t size = L->static_tiles[block], begin = r->begin.constant, end = r->end.constant;
  if (size <= 0 || r->step != 0 || begin < 0 || end < 0 || end - begin <= size || (end - begin) % size == 0 ||
      hm_spec_block_size(L->spec, (size_t)block)->njagged_parents != 0)
    return false;
  int64_t split = begin + (end - begin) / size * size;
  *tail = (HmTileRange){.begin = {.constant = split}, .end = {.constant = end}};
  whole_chunks->end = (HmBound){.constant = split};
  return true;
}

static bool lower_for_loop(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  LoopPlan plan = {0};
  if (!plan_loop(L, S, node, variant, &plan))
    return false;
  if (plan.body->nblock_ids == 0)
    return hm_node_error(L, node, "loop graph %d iterates over no block", plan.body->id);
  /* Helion rolls a looped reduction into the branch or loop body that reads it, which then loops the
   * same block again inside the first loop; its code generation refuses that (add_device_loop). */
  for (size_t i = 0; i < plan.body->nblock_ids; ++i)
    if (L->tiles[plan.body->block_ids[i]].active)
      return hm_node_error(L, node,
                           "this config nests a loop over block %d inside another loop over it (a looped "
                           "reduction read by an if or a while): Helion refuses such configs too "
                           "(NestedDeviceLoopsConflict); keep that reduction persistent",
                           plan.body->block_ids[i]);
  MlirValue *results = hm_arena_new(&L->arena, MlirValue, plan.ncarried + 1);
  HmTileRange whole = plan.ranges[0], tail;
  if (split_partial_tail(L, &plan, &plan.ranges[0], &tail)) {
    MlirValue *full = hm_arena_new(&L->arena, MlirValue, plan.ncarried + 1);
    bool ok = lower_nest(L, S, node, &plan, 0, plan.inits, full);
    plan.ranges[0] = tail;
    ok = ok && lower_nest(L, S, node, &plan, 0, full, results);
    plan.ranges[0] = whole;
    if (!ok)
      return false;
  } else if (!lower_nest(L, S, node, &plan, 0, plan.inits, results)) {
    return false;
  }
  out->kind = HM_IR_LIST;
  out->count = plan.nout;
  out->items = hm_arena_new(&L->arena, HmIrValue, plan.nout + 1);
  for (size_t i = 0; i < plan.nout; ++i) {
    const HmNode *producer = plan.producers[i];
    if (plan.kinds[i] == ACCUMULATED && producer->val.kind == HM_SPEC_LIST) { /* max.dim: (values, indices) */
      if (!hm_max_dim_result(L, producer, results[plan.slots[i]], results[plan.slots[i] + 1], &out->items[i]))
        return false;
      continue;
    }
    out->items[i] = plan.kinds[i] == UNUSED ? (HmIrValue){.kind = HM_IR_NONE, .block_id = -1}
                                            : (HmIrValue){.kind = HM_IR_TENSOR, .value = results[plan.slots[i]],
                                                        .block_id = -1};
  }
  return true;
}

/* The ops whose results already merge the values a phi after them names: loops carry the variable
 * (the result is its final value), and _if yields the taken branch's value (Control.c). */
static bool merged_by_control_flow(const HmLowering *L, const HmScope *S, const HmNode *node) {
  const HmNode *get = hm_arg_node(S, &node->args[1]);
  const HmNode *op = get && hm_node_is(L, get, HM_OP_GETITEM) ? hm_arg_node(S, &get->args[0]) : NULL;
  return op && (hm_node_is(L, op, HM_OP_FOR_LOOP) || hm_node_is(L, op, HM_OP_FOR_LOOP_STEP) ||
                hm_node_is(L, op, HM_OP_WHILE_LOOP) || hm_node_is(L, op, HM_OP_IF));
}

/* After a loop or an if, the phi is the op's result. A merge of anything else stays explicit as
 * helion.phi. */
static bool lower_phi(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue before, after;
  if (!hm_arg_value(L, S, node, hm_arg(L, node, 0), &before) ||
      !hm_arg_value(L, S, node, hm_arg(L, node, 1), &after))
    return false;
  if (merged_by_control_flow(L, S, node)) {
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
    {"helion.language._tracing_ops._for_loop", lower_for_loop, PLAIN, HM_OP_FOR_LOOP},
    {"helion.language._tracing_ops._for_loop_step", lower_for_loop, STEPPED, HM_OP_FOR_LOOP_STEP},
    {"helion.language._tracing_ops._phi", lower_phi, 0, HM_OP_PHI},
    {NULL, NULL, 0, HM_OP_OTHER},
};
