/* Helion's atomics on host tensors (`hl.atomic_add(out, [tile_m, tile_n], acc)`, split-K) ->
 * one memref.atomic_rmw per real element of the tile, in an scf.for nest over the tile's extent
 * (hl.atomic_cas: a memref.generic_atomic_rmw, whose body compares and selects).
 *
 * Tile-grid iterations that update the same elements (the K splits of one output tile) would race
 * if the affine.parallel grid ran in parallel; per-element atomic_rmw keeps each update whole either
 * way. A plain load-add-store of the tile would be correct only because the CPU runner happens to
 * run the grid sequentially. Padding never reaches memory: the loops stop at the tile's extent.
 * The `sem` argument needs nothing: LLVM's atomicrmw from memref.atomic_rmw is at least as strongly
 * ordered as any of Helion's semantics.
 *
 * An index may also be an integer tensor of one dimension (`hl.atomic_add(out, [ids[tile]], v)`, a
 * scatter): its elements are the positions, one value dimension, and an element whose position is
 * outside the host tensor is skipped, as a scatter skips it; so is an element at a position the kernel
 * computes (`tile.begin`, an int argument; a negative one counts from the end, as torch's indexing
 * does) or in the tile of a loop whose begin or end it computes, which no launch check sees. The ops
 * return the old values: when the kernel reads them, each one is stored into a tile buffer of the
 * result's shape (zero in the padding), read back as a tensor.
 */
#include "lower/Jagged.h"
#include "lower/Shapes.h"
#include "lower/Tiles.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Dialect/Linalg.h"

/* arith::AtomicRMWKind values (ArithOpsEnums.td); -1 where the op has no such form. */
enum { ADDF = 0, ADDI = 1, ANDI = 2, ASSIGN = 3, MAXIMUMF = 4, MAXS = 6, MINIMUMF = 8, MINS = 10, ORI = 14, XORI = 15 };

typedef enum Atomic { ADD, MAX, MIN, XCHG, AND, OR, XOR, CAS } Atomic;

typedef struct AtomicKinds {
  int float_kind, int_kind;
} AtomicKinds;

static const AtomicKinds KINDS[] = {
    [ADD] = {ADDF, ADDI},     [MAX] = {MAXIMUMF, MAXS}, [MIN] = {MINIMUMF, MINS}, [XCHG] = {ASSIGN, ASSIGN},
    [AND] = {-1, ANDI},       [OR] = {-1, ORI},         [XOR] = {-1, XORI},
    [CAS] = {ASSIGN, ASSIGN}, /* a memref.generic_atomic_rmw, not an atomic_rmw kind */
};

/* The updated elements along one host dimension: [offset, offset + extent), walked by value
 * dimension `value_dim`; an integer index has no value dimension (value_dim -1, extent 1). `size`,
 * the host dimension's, where an element's position may be outside it and the element is then
 * skipped: positions from an index tensor (`positions`), a position computed in the kernel, and the
 * tile of a loop whose begin or end the kernel computes, none of which the launch check sees. */
typedef struct Range {
  MlirValue offset, extent;
  int value_dim;
  MlirValue positions, size;
} Range;

/* The value's operand of the op: a tensor, or null for a scalar, and the scalar converted. */
typedef struct Operand {
  MlirValue tensor, scalar;
} Operand;

typedef struct Update {
  size_t rank, value_rank;
  Range ranges[HM_MAX_RANK];
  MlirValue memref;
  Operand value;      /* the value combined into the host tensor */
  Operand expected;   /* atomic_cas: the element the value replaces; else unset */
  MlirType element;   /* the host tensor's element type */
  int64_t kind;
  bool cas;
  MlirValue old;      /* a buffer for the old values, or null when the kernel does not read them */
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

/* Helion masks an atomic's lanes past each row's end; these loops over the value's extents do not. */
static bool jagged_refused(HmLowering *L, const HmNode *node) {
  return hm_node_error(L, node, "'%s' over an hl.jagged_tile is not supported", node->target);
}

static bool plan_range(HmLowering *L, HmScope *S, const HmNode *node, const HmHostTensor *t, size_t d,
                       const HmArg *e, Update *u) {
  Range *r = &u->ranges[d];
  if (e->kind == HM_ARG_INT && (e->i >= 0 || !t->shape[d].sym)) {
    *r = (Range){.offset = hm_index_const(L, e->i < 0 ? e->i + t->shape[d].value : e->i), .value_dim = -1};
    return true;
  }
  if (e->kind == HM_ARG_INT) { /* from the end of a size known at run time: skipped when outside */
    *r = (Range){.value_dim = -1};
    if (!hm_dim_value(L, t->shape[d], &r->size))
      return false;
    r->offset = hm_arith(L, "arith.addi", r->size, hm_index_const(L, e->i));
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
      if (!mlirValueIsNull(tile->jagged_ends))
        return jagged_refused(L, node);
      *r = (Range){.offset = tile->offset, .extent = tile->extent, .value_dim = (int)u->value_rank++};
      return !hm_tile_range_computed(L, v.block_id) || hm_dim_value(L, t->shape[d], &r->size);
    }
    /* An index value or an integer scalar (an int argument); a negative one counts from the end, as in
     * a load (Memory.c). */
    bool scalar = v.kind != HM_IR_TENSOR || mlirShapedTypeGetRank(mlirValueGetType(v.value)) == 0;
    MlirValue position;
    if (scalar && hm_as_index(L, &v, &position)) {
      *r = (Range){.offset = position, .value_dim = -1};
      if (hm_tile_grid_index_fits(L, S, e, t->shape[d]))
        return true;
      if (!hm_dim_value(L, t->shape[d], &r->size))
        return false;
      if (!hm_tile_nonnegative_position(L, S, e))
        r->offset = hm_position_from_end(L, position, r->size);
      return true;
    }
    const HmNode *producer = hm_arg_node(S, e);
    if (v.kind == HM_IR_TENSOR && producer && producer->val.kind == HM_SPEC_TENSOR && producer->val.rank == 1 &&
        mlirTypeIsAInteger(hm_element_of(v.value))) {
      HmDim dim = producer->val.shape[0];
      if (hm_jagged_dim(L, dim))
        return jagged_refused(L, node);
      *r = (Range){.offset = hm_index_const(L, 0), .value_dim = (int)u->value_rank++, .positions = v.value};
      if (hm_tile_is_padded(L, dim))
        r->extent = L->tiles[hm_dim_block(L, dim)].extent;
      else if (!hm_dim_value(L, dim, &r->extent))
        return false;
      return hm_dim_value(L, t->shape[d], &r->size);
    }
  }
  return hm_node_error(L, node, "'%s': index %zu must be a tile, ':', an integer or a 1-D integer tensor",
                       node->target, d);
}

static bool plan_value(HmLowering *L, HmScope *S, const HmNode *node, size_t i, const Update *u, Operand *out) {
  const HmArg *value = hm_arg(L, node, i);
  if (!value)
    return false;
  if (value->kind == HM_ARG_INT || value->kind == HM_ARG_FLOAT || value->kind == HM_ARG_BOOL) {
    *out = (Operand){.scalar = hm_scalar_const(L, u->element, value->kind == HM_ARG_FLOAT ? value->f : (double)value->i)};
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, value, &v))
    return false;
  if (v.kind == HM_IR_INDEX) { /* a SymInt (tile.block_size + 1): a Python int, so an i64 scalar */
    MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
    v = (HmIrValue){.kind = HM_IR_SCALAR, .value = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast",
                                                                                 .nresults = 1, .results = &i64,
                                                                                 .noperands = 1, .operands = &v.value})};
  }
  if (v.kind == HM_IR_SCALAR) {
    *out = (Operand){.scalar = hm_convert_scalar(L, v.value, u->element)};
    return true;
  }
  if (v.kind != HM_IR_TENSOR)
    return hm_node_error(L, node, "'%s': argument %zu must be a tensor or a number", node->target, i);
  if ((size_t)mlirShapedTypeGetRank(mlirValueGetType(v.value)) != u->value_rank)
    return hm_node_error(L, node, "'%s': the value's rank must match the indexed tile's (%zu)", node->target,
                         u->value_rank);
  *out = (Operand){.tensor = v.value};
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
  u->cas = variant == CAS;
  if (u->cas) /* atomic_cas(target, index, expected, value) */
    return plan_value(L, S, node, 2, u, &u->expected) && plan_value(L, S, node, 3, u, &u->value);
  return plan_value(L, S, node, 2, u, &u->value);
}

/* Compare-and-swap: a memref.generic_atomic_rmw whose body keeps the current element unless it
 * equals the expected one (torch's ==, as Helion's reference compares), then the value. */
static MlirValue compare_and_swap(HmLowering *L, const Update *u, MlirValue expected, MlirValue value,
                                  const MlirValue *operands) {
  MlirBlock body;
  MlirRegion region = hm_region_with_block(L, 1, &u->element, &body);
  MlirValue old = hm_build_value(L, (HmOpSpec){.name = "memref.generic_atomic_rmw", .nresults = 1,
                                               .results = &u->element, .noperands = (intptr_t)(1 + u->rank),
                                               .operands = operands, .nregions = 1, .regions = &region});
  HmInsertion outer = hm_insertion_enter(L, body);
  MlirValue current = mlirBlockGetArgument(body, 0);
  MlirValue equal = mlirTypeIsAInteger(u->element) ? hm_cmpi(L, HM_CMPI_EQ, current, expected)
                                                   : hm_cmpf(L, HM_CMPF_OEQ, current, expected);
  MlirValue next = hm_build_value(L, (HmOpSpec){.name = "arith.select", .noperands = 3,
                                                .operands = (MlirValue[]){equal, value, current},
                                                .infer_results = true});
  hm_build(L, (HmOpSpec){.name = "memref.atomic_yield", .noperands = 1, .operands = &next});
  hm_insertion_leave(L, outer);
  return old;
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

static MlirValue to_index(HmLowering *L, MlirValue v) {
  MlirType index = hm_index_type(L);
  return hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &index,
                                      .noperands = 1, .operands = &v});
}

/* An operand's element at `ivs`, in the host tensor's element type. */
static MlirValue operand_element(HmLowering *L, const Update *u, const Operand *o, const MlirValue *ivs) {
  if (mlirValueIsNull(o->tensor))
    return o->scalar;
  MlirValue operands[1 + HM_MAX_RANK] = {o->tensor};
  for (size_t d = 0; d < u->rank; ++d)
    if (u->ranges[d].value_dim >= 0)
      operands[1 + u->ranges[d].value_dim] = ivs[d];
  MlirType type = hm_element_of(o->tensor);
  MlirValue element = hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &type,
                                                   .noperands = (intptr_t)(1 + u->value_rank), .operands = operands});
  return hm_convert_scalar(L, element, u->element);
}

/* The innermost body: the value's element at `ivs`, atomically combined into the host tensor; the
 * old element kept in the result buffer when the kernel reads it. */
static void update_element(HmLowering *L, const Update *u, const MlirValue *ivs) {
  bool guarded = false;
  for (size_t d = 0; d < u->rank; ++d)
    guarded |= !mlirValueIsNull(u->ranges[d].size);
  MlirValue element = guarded ? (MlirValue){NULL} : operand_element(L, u, &u->value, ivs);
  MlirValue coords[HM_MAX_RANK], inside = {NULL};
  for (size_t d = 0; d < u->rank; ++d) {
    const Range *r = &u->ranges[d];
    if (!mlirValueIsNull(r->positions)) {
      MlirType type = hm_element_of(r->positions);
      coords[d] = to_index(L, hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &type,
                                                          .noperands = 2,
                                                          .operands = (MlirValue[]){r->positions, ivs[d]}}));
    } else {
      coords[d] = r->value_dim >= 0 ? add_index(L, r->offset, ivs[d]) : r->offset;
    }
    if (!mlirValueIsNull(r->size)) {
      MlirValue in = hm_cmpi(L, HM_CMPI_ULT, coords[d], r->size);
      inside = mlirValueIsNull(inside) ? in : hm_arith(L, "arith.andi", inside, in);
    }
  }
  HmInsertion outer = {0};
  if (guarded) { /* a position outside the host tensor skips its element */
    MlirBlock then;
    MlirRegion regions[2] = {hm_region_with_block(L, 0, NULL, &then), mlirRegionCreate()};
    hm_build(L, (HmOpSpec){.name = "scf.if", .noperands = 1, .operands = &inside, .nregions = 2, .regions = regions});
    outer = hm_insertion_enter(L, then);
    element = operand_element(L, u, &u->value, ivs);
  }
  MlirValue operands[2 + HM_MAX_RANK] = {element, u->memref};
  for (size_t d = 0; d < u->rank; ++d)
    operands[2 + d] = coords[d];
  MlirValue old;
  if (u->cas) {
    old = compare_and_swap(L, u, operand_element(L, u, &u->expected, ivs), element, operands + 1);
  } else {
    MlirNamedAttribute kind = hm_named(L, "kind", mlirIntegerAttrGet(mlirIntegerTypeGet(L->ctx, 64), u->kind));
    old = hm_build_value(L, (HmOpSpec){.name = "memref.atomic_rmw", .nresults = 1, .results = &u->element,
                                       .noperands = (intptr_t)(2 + u->rank), .operands = operands, .nattrs = 1,
                                       .attrs = &kind});
  }
  if (!mlirValueIsNull(u->old)) {
    MlirType type = mlirShapedTypeGetElementType(mlirValueGetType(u->old));
    MlirValue operands[2 + HM_MAX_RANK] = {hm_convert_scalar(L, old, type), u->old};
    for (size_t d = 0; d < u->rank; ++d)
      if (u->ranges[d].value_dim >= 0)
        operands[2 + u->ranges[d].value_dim] = ivs[d];
    hm_build(L, (HmOpSpec){.name = "memref.store", .noperands = (intptr_t)(2 + u->value_rank), .operands = operands});
  }
  if (guarded) {
    hm_build(L, (HmOpSpec){.name = "scf.yield"});
    hm_insertion_leave(L, outer);
  }
}

/* A zeroed buffer of the result's tile shape for the old values. */
static bool old_values_buffer(HmLowering *L, const HmNode *node, const Update *u, MlirValue *out) {
  if (node->val.kind != HM_SPEC_TENSOR || node->val.rank != u->value_rank)
    return hm_node_error(L, node, "'%s': the old values must have the indexed tile's rank (%zu)", node->target,
                         u->value_rank);
  MlirType tensor = hm_tensor_type(L, &node->val);
  size_t rank = node->val.rank, ndynamic = 0;
  int64_t shape[HM_MAX_RANK];
  MlirValue sizes[HM_MAX_RANK];
  for (size_t d = 0; d < rank; ++d) {
    shape[d] = mlirShapedTypeGetDimSize(tensor, (intptr_t)d);
    if (mlirShapedTypeIsDynamicSize(shape[d]) && !hm_dim_value(L, node->val.shape[d], &sizes[ndynamic++]))
      return hm_node_error(L, node, "'%s': no size for dimension %zu of the old values", node->target, d);
  }
  MlirType element = mlirShapedTypeGetElementType(tensor);
  MlirType type = mlirMemRefTypeContiguousGet(element, (intptr_t)rank, shape, mlirAttributeGetNull());
  MlirNamedAttribute seg = hm_named(L, "operandSegmentSizes", hm_i32_array(L, 2, (int32_t[]){(int32_t)ndynamic, 0}));
  MlirValue buffer = hm_build_value(L, (HmOpSpec){.name = "memref.alloc", .nresults = 1, .results = &type,
                                                  .noperands = (intptr_t)ndynamic, .operands = sizes, .nattrs = 1,
                                                  .attrs = &seg});
  MlirNamedAttribute fill_seg = hm_named(L, "operandSegmentSizes", hm_i32_array(L, 2, (int32_t[]){1, 1}));
  MlirRegion region = mlirRegionCreate();
  MlirOperation fill = hm_build(L, (HmOpSpec){.name = "linalg.fill", .noperands = 2,
                                              .operands = (MlirValue[]){hm_scalar_const(L, element, 0), buffer},
                                              .nattrs = 1, .attrs = &fill_seg, .nregions = 1, .regions = &region});
  mlirLinalgFillBuiltinNamedOpRegion(fill);
  *out = buffer;
  return true;
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
  if (!plan_update(L, S, node, variant, &u))
    return false;
  bool read = result_is_read(S, node);
  if (read && !old_values_buffer(L, node, &u, &u.old))
    return false;
  MlirValue ivs[HM_MAX_RANK];
  emit_nest(L, &u, 0, ivs);
  *out = (HmIrValue){.kind = HM_IR_NONE, .block_id = -1};
  if (read) {
    MlirType type = hm_tensor_type(L, &node->val);
    MlirNamedAttribute attrs[2] = {hm_named(L, "restrict", mlirUnitAttrGet(L->ctx)),
                                   hm_named(L, "writable", mlirUnitAttrGet(L->ctx))};
    *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1,
                       .value = hm_build_value(L, (HmOpSpec){.name = "bufferization.to_tensor", .nresults = 1,
                                                             .results = &type, .noperands = 1, .operands = &u.old,
                                                             .nattrs = 2, .attrs = attrs})};
  }
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
    {"helion.language.atomic_ops.atomic_cas", lower_atomic, CAS, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
