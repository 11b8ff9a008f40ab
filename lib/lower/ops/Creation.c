/* Tensor creation: `full` (hl.zeros, hl.full, and torch.full / zeros_like / full_like in device code,
 * which Helion captures as aten.full; torch.tensor(c), _constant_tensor) -> tensor.empty + linalg.fill
 * of a number, a scalar argument or the element of a one-element load; `empty` likewise, with zeros;
 * `iota` (hl.arange, torch.arange)
 * -> a linalg.generic yielding start + i * step; `_rng_seed(i)` (the seed of the i-th torch.rand in
 * device code, which Helion decomposes into Philox on it) -> memref.load of the seeds host tensor. */
#include "lower/Shapes.h"

#include "mlir-c/AffineMap.h"
#include "mlir-c/BuiltinTypes.h"

#include <inttypes.h>

static bool fill_value(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, MlirType element,
                       MlirValue *out) {
  if (arg->kind == HM_ARG_FLOAT || arg->kind == HM_ARG_INT || arg->kind == HM_ARG_BOOL) {
    *out = hm_scalar_const(L, element, arg->kind == HM_ARG_FLOAT ? arg->f : (double)arg->i);
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, arg, &v))
    return false;
  MlirValue scalar = v.value;
  if (v.kind == HM_IR_TENSOR && mlirShapedTypeGetRank(mlirValueGetType(v.value)) == 0) {
    /* a one-element load (hl.full(..., fill[0])): its element */
    MlirType type = hm_element_of(v.value);
    scalar = hm_build_value(L, (HmOpSpec){.name = "tensor.extract", .nresults = 1, .results = &type,
                                          .noperands = 1, .operands = &v.value});
  } else if (v.kind != HM_IR_SCALAR) {
    return hm_node_error(L, node, "full's fill value must be a number, a scalar or a one-element tensor");
  }
  *out = hm_convert_scalar(L, scalar, element);
  return true;
}

/* `variant`: the position of the fill value among the arguments (full: after the shape;
 * _constant_tensor, torch.tensor(c) in device code: first). */
static bool lower_full(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const HmArg *value = hm_arg(L, node, (size_t)variant);
  if (!value)
    return false;
  if (node->val.kind != HM_SPEC_TENSOR)
    return hm_node_error(L, node, "full must produce a tensor");
  MlirType element = hm_element_type(L, node->val.dtype);
  MlirValue init, scalar;
  if (!hm_empty_tensor(L, &node->val, element, &init) || !fill_value(L, S, node, value, element, &scalar))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .value = hm_fill(L, init, scalar), .block_id = -1};
  return true;
}

/* torch.empty in device code (Helion's codegen makes it a tensor of zeros too): its elements are
 * unspecified, zeros keep runs repeatable. */
static bool lower_empty(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  if (node->val.kind != HM_SPEC_TENSOR)
    return hm_node_error(L, node, "empty must produce a tensor");
  MlirType element = hm_element_type(L, node->val.dtype);
  MlirValue init;
  if (!hm_empty_tensor(L, &node->val, element, &init))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .value = hm_fill(L, init, hm_scalar_const(L, element, 0)), .block_id = -1};
  return true;
}

/* iota's start or step: an integer, or an integer scalar of the kernel (an index value). */
static bool iota_term(HmLowering *L, HmScope *S, const HmNode *node, const char *name, int64_t absent,
                      MlirValue *out) {
  const HmArg *arg = hm_kwarg(node, name);
  if (!arg || arg->kind == HM_ARG_NONE) {
    *out = hm_index_const(L, absent);
    return true;
  }
  if (arg->kind == HM_ARG_INT) {
    *out = hm_index_const(L, arg->i);
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, arg, &v))
    return false;
  if (!hm_as_index(L, &v, out))
    return hm_node_error(L, node, "iota's %s must be an integer", name);
  return true;
}

typedef struct Iota {
  MlirValue start, step;
  MlirType element;
} Iota;

static bool iota_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  const Iota *iota = ctx;
  MlirValue at = hm_arith(L, "arith.addi", iota->start, hm_arith(L, "arith.muli", hm_linalg_index(L, 0), iota->step));
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  MlirValue wide = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &i64,
                                                .noperands = 1, .operands = &at});
  *result = hm_convert_scalar(L, wide, iota->element);
  return true;
}

static bool lower_iota(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  if (node->val.kind != HM_SPEC_TENSOR || node->val.rank != 1)
    return hm_node_error(L, node, "iota must produce a rank-1 tensor");
  Iota iota = {.element = hm_element_type(L, node->val.dtype)};
  MlirValue init;
  if (!iota_term(L, S, node, "start", 0, &iota.start) || !iota_term(L, S, node, "step", 1, &iota.step) ||
      !hm_empty_tensor(L, &node->val, iota.element, &init))
    return false;
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, 1);
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return hm_generic(L, 0, NULL, &identity, init, 1, NULL, iota_body, &iota, &out->value);
}

/* _rng_seed(i) with the capture's `seeds`: the host tensor of the seeds Helion's host code draws
 * (one per torch.rand call site, from torch's generator); the i-th as a rank-0 int64 tensor. */
static bool lower_rng_seed(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  (void)S, (void)variant;
  const HmArg *slot = hm_arg(L, node, 0), *seeds = hm_kwarg(node, "seeds");
  if (!slot || slot->kind != HM_ARG_INT)
    return hm_node_error(L, node, "_rng_seed needs the seed's slot, an integer");
  if (!seeds || seeds->kind != HM_ARG_STR)
    return hm_node_error(L, node, "_rng_seed needs 'seeds', the name of the seeds' host tensor");
  size_t index;
  const HmHostTensor *t = hm_spec_find_host_tensor(L->spec, seeds->str, &index);
  if (!t)
    return hm_node_error(L, node, "'%s' is not in the spec's host tensors", seeds->str);
  if (t->dtype != HM_DTYPE_I64 || t->rank != 1 || t->shape[0].sym)
    return hm_node_error(L, node, "the seeds '%s' must be a 1-d int64 tensor of static size", seeds->str);
  if (slot->i < 0 || slot->i >= t->shape[0].value)
    return hm_node_error(L, node, "seed %" PRId64 " is outside '%s', which holds %" PRId64, slot->i, seeds->str,
                         t->shape[0].value);
  if (node->val.kind != HM_SPEC_TENSOR || node->val.rank != 0 || node->val.dtype != HM_DTYPE_I64)
    return hm_node_error(L, node, "_rng_seed must produce a rank-0 int64 tensor");
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  MlirValue operands[2] = {L->host_args[index], hm_index_const(L, slot->i)};
  MlirValue seed = hm_build_value(L, (HmOpSpec){.name = "memref.load", .nresults = 1, .results = &i64,
                                                .noperands = 2, .operands = operands});
  MlirValue init;
  if (!hm_empty_tensor(L, &node->val, i64, &init))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .value = hm_fill(L, init, seed), .block_id = -1};
  return true;
}

const HmOpEntry hm_creation_ops[] = {
    {"helion.language.creation_ops.full", lower_full, 1, HM_OP_OTHER},
    {"aten.full.default", lower_full, 1, HM_OP_OTHER},
    {"helion.language._tracing_ops._constant_tensor", lower_full, 0, HM_OP_OTHER},
    {"prims.iota.default", lower_iota, 0, HM_OP_OTHER},
    {"aten.empty.memory_format", lower_empty, 0, HM_OP_OTHER},
    {"aten.new_empty.default", lower_empty, 0, HM_OP_OTHER},
    {"helion.language.random_ops._rng_seed", lower_rng_seed, 0, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
