/* torch.sort and torch.topk of a tile along one dimension: (values, int64 indices).
 *
 * A rank sort, as Helion's Triton codegen computes its argsort: each element's rank is the number of
 * elements of its row that come before it (a linalg.generic over the row twice, reducing over the
 * second), and output position p takes the element whose rank is p (a linalg.generic over the output
 * and the row, reducing over the row: exactly one element matches). That is n^2 per row, no worse than
 * Helion's, and every step is a linalg op the vectorizer takes. topk is the first k positions of the
 * sort, descending for the largest.
 *
 * The order is total, so the ranks are a permutation: an element comes before another when it is
 * smaller (larger, descending), or equal and earlier in the row, which makes the sort stable; NaN is
 * larger than every number and equal to NaN, as in torch. Padding lanes of an edge tile come after
 * every real element in either direction, in their own order, so the real elements fill the first
 * positions. The indices count within the sorted tile, as torch's count within the tensor it sorts.
 * 16-bit floats are compared in f32, which holds them exactly.
 */
#include "lower/Shapes.h"
#include "lower/Tiles.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

enum { SORT, TOPK };

typedef struct SortPlan {
  size_t rank, dim;
  bool descending;
  HmDtype dtype;
  MlirValue extent; /* the real elements along dim; null when the dimension has no padding */
} SortPlan;

static MlirValue select(HmLowering *L, MlirValue c, MlirValue a, MlirValue b) {
  MlirType type = mlirValueGetType(a);
  return hm_build_value(L, (HmOpSpec){.name = "arith.select", .nresults = 1, .results = &type, .noperands = 3,
                                      .operands = (MlirValue[]){c, a, b}});
}

static MlirValue not(HmLowering *L, MlirValue c) {
  return hm_arith(L, "arith.xori", c, hm_scalar_const(L, mlirIntegerTypeGet(L->ctx, 1), 1));
}

/* Whether a comes before b by value alone (ties are the caller's), and whether they are equal. */
static void compare(HmLowering *L, const SortPlan *p, MlirValue a, MlirValue b, MlirValue *before, MlirValue *equal) {
  if (!hm_dtype_is_float(p->dtype)) {
    bool is_unsigned = p->dtype == HM_DTYPE_U8 || p->dtype == HM_DTYPE_BOOL;
    HmCmpIPredicate lt = is_unsigned ? HM_CMPI_ULT : HM_CMPI_SLT, gt = is_unsigned ? HM_CMPI_UGT : HM_CMPI_SGT;
    *before = hm_cmpi(L, p->descending ? gt : lt, a, b);
    *equal = hm_cmpi(L, HM_CMPI_EQ, a, b);
    return;
  }
  MlirType f32 = mlirF32TypeGet(L->ctx);
  if (p->dtype != HM_DTYPE_F64) {
    a = hm_convert_scalar(L, a, f32);
    b = hm_convert_scalar(L, b, f32);
  }
  MlirValue a_nan = hm_cmpf(L, HM_CMPF_UNO, a, a), b_nan = hm_cmpf(L, HM_CMPF_UNO, b, b);
  /* NaN is the largest: first when descending, last when ascending */
  MlirValue nan_first = p->descending ? hm_arith(L, "arith.andi", a_nan, not(L, b_nan))
                                      : hm_arith(L, "arith.andi", not(L, a_nan), b_nan);
  *before = hm_arith(L, "arith.ori", hm_cmpf(L, p->descending ? HM_CMPF_OGT : HM_CMPF_OLT, a, b), nan_first);
  *equal = hm_arith(L, "arith.ori", hm_cmpf(L, HM_CMPF_OEQ, a, b), hm_arith(L, "arith.andi", a_nan, b_nan));
}

/* (x_i, x_j; rank_i): rank_i + 1 when element j comes before element i. */
static bool rank_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  const SortPlan *p = ctx;
  MlirValue i = hm_linalg_index(L, p->dim), j = hm_linalg_index(L, p->rank);
  MlirValue value_before, equal;
  compare(L, p, args[1], args[0], &value_before, &equal);
  MlirValue earlier = hm_cmpi(L, HM_CMPI_ULT, j, i);
  MlirValue before = hm_arith(L, "arith.ori", value_before, hm_arith(L, "arith.andi", equal, earlier));
  if (!mlirValueIsNull(p->extent)) {
    /* a real j comes before a padding i; a padding j only before a later padding i */
    MlirValue i_real = hm_cmpi(L, HM_CMPI_ULT, i, p->extent), j_real = hm_cmpi(L, HM_CMPI_ULT, j, p->extent);
    MlirValue real_j = hm_arith(L, "arith.andi", j_real, hm_arith(L, "arith.ori", not(L, i_real), before));
    MlirValue padding_j = hm_arith(L, "arith.andi", not(L, j_real), hm_arith(L, "arith.andi", not(L, i_real), earlier));
    before = hm_arith(L, "arith.ori", real_j, padding_j);
  }
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  *result = hm_arith(L, "arith.addi", args[2], hm_convert_scalar(L, before, i64));
  return true;
}

/* linalg.index of a loop as i64. */
static MlirValue loop_i64(HmLowering *L, size_t loop) {
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  return hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &i64, .noperands = 1,
                                      .operands = (MlirValue[]){hm_linalg_index(L, loop)}});
}

/* (rank_i, x_i; out_p) or (rank_i; out_p): element i's value, or its index, where rank_i is p. */
static bool place_value_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  const SortPlan *p = ctx;
  *result = select(L, hm_cmpi(L, HM_CMPI_EQ, args[0], loop_i64(L, p->dim)), args[1], args[2]);
  return true;
}

static bool place_index_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  const SortPlan *p = ctx;
  *result = select(L, hm_cmpi(L, HM_CMPI_EQ, args[0], loop_i64(L, p->dim)), loop_i64(L, p->rank), args[1]);
  return true;
}

/* Over rank + 1 loops: the loops of the tensor, with loop `rank` in place of dimension `dim`. */
static MlirAffineMap row_map(HmLowering *L, const SortPlan *p) {
  MlirAffineExpr exprs[HM_MAX_RANK];
  for (size_t d = 0; d < p->rank; ++d)
    exprs[d] = mlirAffineDimExprGet(L->ctx, (intptr_t)(d == p->dim ? p->rank : d));
  return mlirAffineMapGet(L->ctx, (intptr_t)p->rank + 1, 0, (intptr_t)p->rank, exprs);
}

/* Over rank + 1 loops: the loops of the tensor, the last one left out. */
static MlirAffineMap outer_map(HmLowering *L, const SortPlan *p) {
  MlirAffineExpr exprs[HM_MAX_RANK];
  for (size_t d = 0; d < p->rank; ++d)
    exprs[d] = mlirAffineDimExprGet(L->ctx, (intptr_t)d);
  return mlirAffineMapGet(L->ctx, (intptr_t)p->rank + 1, 0, (intptr_t)p->rank, exprs);
}

static const HmArg *arg_or_kwarg(const HmNode *node, size_t index, const char *name) {
  return node->nargs > index ? &node->args[index] : hm_kwarg(node, name);
}

/* sort(x, dim=-1, descending=False); topk(x, k, dim=-1, largest=True, sorted=True). */
static bool plan(HmLowering *L, const HmNode *node, int variant, const HmSpecValue *in, SortPlan *p) {
  const HmSpecValue *out = &node->val;
  if (in->kind != HM_SPEC_TENSOR || in->rank == 0 || in->rank >= HM_MAX_RANK || out->kind != HM_SPEC_LIST ||
      out->count != 2 || out->items[0].kind != HM_SPEC_TENSOR || out->items[1].kind != HM_SPEC_TENSOR)
    return hm_node_error(L, node, "'%s' needs a tensor of rank 1 to %d and gives (values, indices)", node->target,
                         HM_MAX_RANK - 1);
  const HmArg *dim = arg_or_kwarg(node, variant == TOPK ? 2 : 1, "dim");
  const HmArg *order = arg_or_kwarg(node, variant == TOPK ? 3 : 2, variant == TOPK ? "largest" : "descending");
  int64_t d = dim ? dim->i : -1;
  if ((dim && dim->kind != HM_ARG_INT) || d < -(int64_t)in->rank || d >= (int64_t)in->rank)
    return hm_node_error(L, node, "'%s' needs its dim to be an integer within the rank", node->target);
  if (order && order->kind != HM_ARG_BOOL)
    return hm_node_error(L, node, "'%s' needs a constant %s", node->target, variant == TOPK ? "largest" : "descending");
  *p = (SortPlan){.rank = in->rank, .dim = (size_t)(d < 0 ? d + (int64_t)in->rank : d), .dtype = in->dtype,
                  .descending = order ? order->i != 0 : variant == TOPK};
  if (hm_tile_is_padded(L, in->shape[p->dim]))
    p->extent = L->tiles[hm_dim_block(L, in->shape[p->dim])].extent;
  return true;
}

static bool lower_sort(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue in;
  if (!hm_arg_tensor(L, S, node, 0, &in))
    return false;
  SortPlan p;
  if (!plan(L, node, variant, &hm_arg_node(S, &node->args[0])->val, &p))
    return false;
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64), element = hm_element_of(in.value);
  MlirAffineMap outer = outer_map(L, &p), row = row_map(L, &p);
  bool reductions[HM_MAX_RANK + 1] = {false};
  reductions[p.rank] = true;
  MlirValue zeros = hm_fill(L, hm_empty_like(L, in.value, i64), hm_scalar_const(L, i64, 0)), ranks;
  if (!hm_generic(L, 2, (MlirValue[]){in.value, in.value}, (MlirAffineMap[]){outer, row, outer}, zeros, p.rank + 1,
                  reductions, rank_body, &p, &ranks))
    return false;
  MlirValue values_init, indices_init, values, indices;
  if (!hm_empty_tensor(L, &node->val.items[0], element, &values_init) ||
      !hm_empty_tensor(L, &node->val.items[1], i64, &indices_init))
    return false;
  values_init = hm_fill(L, values_init, hm_scalar_const(L, element, 0));
  indices_init = hm_fill(L, indices_init, hm_scalar_const(L, i64, 0));
  if (!hm_generic(L, 2, (MlirValue[]){ranks, in.value}, (MlirAffineMap[]){row, row, outer}, values_init, p.rank + 1,
                  reductions, place_value_body, &p, &values) ||
      !hm_generic(L, 1, &ranks, (MlirAffineMap[]){row, outer}, indices_init, p.rank + 1, reductions,
                  place_index_body, &p, &indices))
    return false;
  HmIrValue *items = hm_arena_new(&L->arena, HmIrValue, 2);
  if (!items)
    return hm_node_error(L, node, "out of memory");
  items[0] = (HmIrValue){.kind = HM_IR_TENSOR, .value = values, .block_id = -1};
  items[1] = (HmIrValue){.kind = HM_IR_TENSOR, .value = indices, .block_id = -1};
  *out = (HmIrValue){.kind = HM_IR_LIST, .count = 2, .items = items, .block_id = -1};
  return true;
}

const HmOpEntry hm_sort_ops[] = {
    {"aten.sort.default", lower_sort, SORT, HM_OP_OTHER},
    {"aten.topk.default", lower_sort, TOPK, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
