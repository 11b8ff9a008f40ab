/* Helion's atomics on host tensors (`hl.atomic_add(out, [tile_m, tile_n], acc)`, split-K) ->
 * one memref.atomic_rmw per real element of the tile, in an scf.for nest over the tile's extent.
 *
 * Tile-grid iterations that update the same elements (the K splits of one output tile) would race
 * if the affine.parallel grid ran in parallel; per-element atomic_rmw keeps each update whole either
 * way. A plain load-add-store of the tile would be correct only because the CPU runner happens to
 * run the grid sequentially. Padding never reaches memory: the loops stop at the tile's extent.
 * The `sem` argument needs nothing: LLVM's atomicrmw from memref.atomic_rmw is at least as strongly
 * ordered as any of Helion's semantics. The ops return the old values; a kernel that reads them is
 * rejected.
 */
#include "lower/Shapes.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

/* arith::AtomicRMWKind values (ArithOpsEnums.td); -1 where the op has no such form. */
enum { ADDF = 0, ADDI = 1, ANDI = 2, ASSIGN = 3, MAXIMUMF = 4, MAXS = 6, MINIMUMF = 8, MINS = 10, ORI = 14, XORI = 15 };

typedef enum Atomic { ADD, MAX, MIN, XCHG, AND, OR, XOR } Atomic;

typedef struct AtomicKinds {
  int float_kind, int_kind;
} AtomicKinds;

static const AtomicKinds KINDS[] = {
    [ADD] = {ADDF, ADDI},     [MAX] = {MAXIMUMF, MAXS}, [MIN] = {MINIMUMF, MINS}, [XCHG] = {ASSIGN, ASSIGN},
    [AND] = {-1, ANDI},       [OR] = {-1, ORI},         [XOR] = {-1, XORI},
};

/* The updated elements along one host dimension: [offset, offset + extent), walked by value
 * dimension `value_dim`; an integer index has no value dimension (value_dim -1, extent 1). */
typedef struct Range {
  MlirValue offset, extent;
  int value_dim;
} Range;

typedef struct Update {
  size_t rank, value_rank;
  Range ranges[HM_MAX_RANK];
  MlirValue memref;
  MlirValue value;    /* a tensor, or null for a scalar */
  MlirValue scalar;   /* the scalar operand, converted */
  MlirType element;   /* the host tensor's element type */
  int64_t kind;
} Update;

static bool arg_uses(const HmArg *a, size_t node) {
  if (a->kind == HM_ARG_NODE)
    return a->node == node;
  if (a->kind == HM_ARG_LIST || a->kind == HM_ARG_SLICE)
    for (size_t i = 0; i < a->count; ++i)
      if (arg_uses(&a->items[i], node))
        return true;
  return false;
}

static bool result_is_read(const HmScope *S, const HmNode *node) {
  for (size_t n = node->index + 1; n < S->graph->nnodes; ++n) {
    const HmNode *user = &S->graph->nodes[n];
    for (size_t i = 0; i < user->nargs; ++i)
      if (arg_uses(&user->args[i], node->index))
        return true;
    for (size_t i = 0; i < user->nkwargs; ++i)
      if (arg_uses(&user->kwargs[i], node->index))
        return true;
  }
  return false;
}

static bool is_full_slice(const HmArg *e) {
  return e->kind == HM_ARG_SLICE && e->items[0].kind == HM_ARG_NONE && e->items[1].kind == HM_ARG_NONE &&
         e->items[2].kind == HM_ARG_NONE;
}

static bool plan_range(HmLowering *L, HmScope *S, const HmNode *node, const HmHostTensor *t, size_t d,
                       const HmArg *e, Update *u) {
  Range *r = &u->ranges[d];
  if (e->kind == HM_ARG_INT && (e->i >= 0 || !t->shape[d].sym)) {
    *r = (Range){.offset = hm_index_const(L, e->i < 0 ? e->i + t->shape[d].value : e->i), .value_dim = -1};
    return true;
  }
  if (is_full_slice(e)) {
    *r = (Range){.offset = hm_index_const(L, 0), .value_dim = (int)u->value_rank++};
    return hm_dim_value(L, t->shape[d], &r->extent);
  }
  if (e->kind == HM_ARG_NODE) {
    HmIrValue v = S->values[e->node];
    if (v.kind == HM_IR_INDEX && v.block_id >= 0 && L->tiles[v.block_id].active) {
      const HmTile *tile = &L->tiles[v.block_id];
      *r = (Range){.offset = tile->offset, .extent = tile->extent, .value_dim = (int)u->value_rank++};
      return true;
    }
    if (v.kind == HM_IR_INDEX) {
      *r = (Range){.offset = v.value, .value_dim = -1};
      return true;
    }
  }
  return hm_node_error(L, node, "'%s': index %zu must be a tile, ':' or an integer", node->target, d);
}

static bool plan_value(HmLowering *L, HmScope *S, const HmNode *node, Update *u) {
  const HmArg *value = hm_arg(L, node, 2);
  if (!value)
    return false;
  if (value->kind == HM_ARG_INT || value->kind == HM_ARG_FLOAT || value->kind == HM_ARG_BOOL) {
    u->scalar = hm_scalar_const(L, u->element, value->kind == HM_ARG_FLOAT ? value->f : (double)value->i);
    return true;
  }
  HmIrValue v;
  if (!hm_arg_tensor(L, S, node, 2, &v))
    return false;
  if ((size_t)mlirShapedTypeGetRank(mlirValueGetType(v.value)) != u->value_rank)
    return hm_node_error(L, node, "'%s': the value's rank must match the indexed tile's (%zu)", node->target,
                         u->value_rank);
  u->value = v.value;
  return true;
}

static bool plan_update(HmLowering *L, HmScope *S, const HmNode *node, int variant, Update *u) {
  HmIrValue host;
  const HmArg *index = hm_arg(L, node, 1);
  if (!index || !hm_arg_value(L, S, node, hm_arg(L, node, 0), &host))
    return false;
  if (host.kind != HM_IR_HOST)
    return hm_node_error(L, node, "'%s' needs a host tensor as its target", node->target);
  const HmHostTensor *t = hm_spec_host_tensor(L->spec, host.host);
  if (index->kind != HM_ARG_LIST || index->count != t->rank || t->rank > HM_MAX_RANK)
    return hm_node_error(L, node, "'%s' needs one index per dimension of '%s'", node->target, t->name);
  *u = (Update){.rank = t->rank, .memref = host.value, .element = hm_element_type(L, t->dtype)};
  bool is_float = !mlirTypeIsAInteger(u->element);
  u->kind = is_float ? KINDS[variant].float_kind : KINDS[variant].int_kind;
  if (u->kind < 0)
    return hm_node_error(L, node, "'%s' on a floating-point tensor is not supported", node->target);
  for (size_t d = 0; d < t->rank; ++d)
    if (!plan_range(L, S, node, t, d, &index->items[d], u))
      return false;
  return plan_value(L, S, node, u);
}

/* scf.for %iv = 0 to `extent` step 1 with an empty body; `body` receives its block. */
static MlirValue open_loop(HmLowering *L, MlirValue extent, MlirBlock *body) {
  MlirType index = hm_index_type(L);
  MlirRegion region = hm_region_with_block(L, 1, &index, body);
  MlirValue operands[3] = {hm_index_const(L, 0), extent, hm_index_const(L, 1)};
  hm_build(L, (HmOpSpec){.name = "scf.for", .noperands = 3, .operands = operands, .nregions = 1,
                         .regions = &region});
  return mlirBlockGetArgument(*body, 0);
}

static MlirValue add_index(HmLowering *L, MlirValue a, MlirValue b) {
  MlirType index = hm_index_type(L);
  return hm_build_value(L, (HmOpSpec){.name = "arith.addi", .nresults = 1, .results = &index, .noperands = 2,
                                      .operands = (MlirValue[]){a, b}});
}

/* The innermost body: the value's element at `ivs`, atomically combined into the host tensor. */
static void update_element(HmLowering *L, const Update *u, const MlirValue *ivs) {
  MlirValue element = u->scalar;
  if (mlirValueIsNull(element)) {
    MlirValue operands[1 + HM_MAX_RANK] = {u->value};
    for (size_t d = 0; d < u->rank; ++d)
      if (u->ranges[d].value_dim >= 0)
        operands[1 + u->ranges[d].value_dim] = ivs[d];
    MlirType type = hm_element_of(u->value);
    element = hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &type,
                                           .noperands = (intptr_t)(1 + u->value_rank), .operands = operands});
    element = hm_convert_scalar(L, element, u->element);
  }
  MlirValue operands[2 + HM_MAX_RANK] = {element, u->memref};
  for (size_t d = 0; d < u->rank; ++d)
    operands[2 + d] = u->ranges[d].value_dim >= 0 ? add_index(L, u->ranges[d].offset, ivs[d]) : u->ranges[d].offset;
  MlirNamedAttribute kind = hm_named(L, "kind", mlirIntegerAttrGet(mlirIntegerTypeGet(L->ctx, 64), u->kind));
  hm_build(L, (HmOpSpec){.name = "memref.atomic_rmw", .nresults = 1, .results = &u->element,
                         .noperands = (intptr_t)(2 + u->rank), .operands = operands, .nattrs = 1, .attrs = &kind});
}

/* One loop per dimension the value runs along, outermost first, each ending in scf.yield. */
static void emit_nest(HmLowering *L, const Update *u, size_t d, MlirValue *ivs) {
  if (d == u->rank) {
    update_element(L, u, ivs);
    return;
  }
  if (u->ranges[d].value_dim < 0) {
    emit_nest(L, u, d + 1, ivs);
    return;
  }
  MlirBlock body;
  ivs[d] = open_loop(L, u->ranges[d].extent, &body);
  HmInsertion outer = hm_insertion_enter(L, body);
  emit_nest(L, u, d + 1, ivs);
  hm_build(L, (HmOpSpec){.name = "scf.yield"});
  hm_insertion_leave(L, outer);
}

static bool lower_atomic(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  Update u;
  if (result_is_read(S, node))
    return hm_node_error(L, node, "'%s': reading the old values it returns is not supported", node->target);
  if (!plan_update(L, S, node, variant, &u))
    return false;
  MlirValue ivs[HM_MAX_RANK];
  emit_nest(L, &u, 0, ivs);
  *out = (HmIrValue){.kind = HM_IR_NONE, .block_id = -1};
  return true;
}

const HmOpEntry hm_atomic_ops[] = {
    {"helion.language.atomic_ops.atomic_add", lower_atomic, ADD, HM_OP_OTHER},
    {"helion.language.atomic_ops.atomic_max", lower_atomic, MAX, HM_OP_OTHER},
    {"helion.language.atomic_ops.atomic_min", lower_atomic, MIN, HM_OP_OTHER},
    {"helion.language.atomic_ops.atomic_xchg", lower_atomic, XCHG, HM_OP_OTHER},
    {"helion.language.atomic_ops.atomic_and", lower_atomic, AND, HM_OP_OTHER},
    {"helion.language.atomic_ops.atomic_or", lower_atomic, OR, HM_OP_OTHER},
    {"helion.language.atomic_ops.atomic_xor", lower_atomic, XOR, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
