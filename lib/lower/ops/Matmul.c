/* The matmul family (mm, addmm, bmm, baddbmm, their `.dtype` forms, hl.dot) -> linalg.matmul /
 * linalg.batch_matmul.
 *
 * `addmm(acc, a, b)` accumulates into acc; linalg's named ops extend the inputs to the accumulator's
 * element type in their body, which is the f16-inputs/f32-accumulator contract Helion kernels rely
 * on. Results of 16-bit floats accumulate in f32 and round once, like torch. An accumulator of lower
 * rank (addmm's 1-D bias) is broadcast to the result first, and so is hl.dot's 2-D operand of a 3-D
 * product.
 */
#include "lower/Shapes.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Dialect/Linalg.h"

typedef enum Matmul { MM, ADDMM, BMM, BADDBMM, DOT } Matmul;

static MlirAttribute contraction_maps(HmLowering *L, bool batched) {
  MlirContext c = L->ctx;
  MlirAffineExpr d[4];
  for (int i = 0; i < 4; ++i)
    d[i] = mlirAffineDimExprGet(c, i);
  MlirAttribute maps[3];
  if (batched) {
    maps[0] = mlirAffineMapAttrGet(mlirAffineMapGet(c, 4, 0, 3, (MlirAffineExpr[]){d[0], d[1], d[3]}));
    maps[1] = mlirAffineMapAttrGet(mlirAffineMapGet(c, 4, 0, 3, (MlirAffineExpr[]){d[0], d[3], d[2]}));
    maps[2] = mlirAffineMapAttrGet(mlirAffineMapGet(c, 4, 0, 3, (MlirAffineExpr[]){d[0], d[1], d[2]}));
  } else {
    maps[0] = mlirAffineMapAttrGet(mlirAffineMapGet(c, 3, 0, 2, (MlirAffineExpr[]){d[0], d[2]}));
    maps[1] = mlirAffineMapAttrGet(mlirAffineMapGet(c, 3, 0, 2, (MlirAffineExpr[]){d[2], d[1]}));
    maps[2] = mlirAffineMapAttrGet(mlirAffineMapGet(c, 3, 0, 2, (MlirAffineExpr[]){d[0], d[1]}));
  }
  return mlirArrayAttrGet(c, 3, maps);
}

static MlirValue contract(HmLowering *L, bool batched, MlirValue a, MlirValue b, MlirValue acc) {
  MlirType type = mlirValueGetType(acc);
  MlirNamedAttribute attrs[2] = {
      hm_named(L, "operandSegmentSizes", hm_i32_array(L, 2, (int32_t[]){2, 1})),
      hm_named(L, "indexing_maps", contraction_maps(L, batched)),
  };
  MlirRegion region = mlirRegionCreate();
  MlirOperation op = hm_build(L, (HmOpSpec){.name = batched ? "linalg.batch_matmul" : "linalg.matmul",
                                            .nresults = 1, .results = &type, .noperands = 3,
                                            .operands = (MlirValue[]){a, b, acc}, .nattrs = 2, .attrs = attrs,
                                            .nregions = 1, .regions = &region});
  mlirLinalgFillBuiltinNamedOpRegion(op);
  return mlirOperationGetResult(op, 0);
}

static bool unit_scale(HmLowering *L, const HmNode *node, const char *name) {
  const HmArg *k = hm_kwarg(node, name);
  if (k && !((k->kind == HM_ARG_INT && k->i == 1) || (k->kind == HM_ARG_FLOAT && k->f == 1.0)))
    return hm_node_error(L, node, "'%s' with %s != 1 is not supported", node->target, name);
  return true;
}

/* Where each form keeps its operands: the matrices at `first` and `first + 1`, the accumulator at
 * `acc` (-1: none). `rank` 0 means "2 or 3, from the result" (hl.dot). */
typedef struct Form {
  size_t first;
  int acc;
  size_t rank;
} Form;

static const Form FORMS[] = {
    [MM] = {0, -1, 2}, [ADDMM] = {1, 0, 2}, [BMM] = {0, -1, 3}, [BADDBMM] = {1, 0, 3}, [DOT] = {0, 2, 0},
};

/* Torch's "op math" for the accumulation: 16- and 8-bit floats accumulate in f32 and round once. */
static MlirType accumulator_type(HmLowering *L, MlirType result) { return hm_op_math_type(L, result); }

/* Whether `x` must be broadcast to `to`: a missing leading dimension or a size-1 one that `to` repeats. */
static bool needs_broadcast(HmLowering *L, MlirValue x, const HmSpecValue *to) {
  MlirType type = mlirValueGetType(x);
  size_t rank = (size_t)mlirShapedTypeGetRank(type);
  if (rank != to->rank)
    return true;
  for (size_t d = 0; d < rank; ++d)
    if (mlirShapedTypeGetDimSize(type, (intptr_t)d) == 1 && hm_static_dim(L, to->shape[d]) != 1)
      return true;
  return false;
}

/* Matrix `index` with its batch dimension broadcast to the result's (hl.dot of a 2-D and a 3-D tile). */
static bool matrix(HmLowering *L, HmScope *S, const HmNode *node, size_t index, size_t rank, MlirValue *out) {
  HmIrValue v;
  if (!hm_arg_tensor(L, S, node, index, &v))
    return false;
  const HmSpecValue *val = &hm_arg_node(S, &node->args[index])->val;
  size_t own = (size_t)mlirShapedTypeGetRank(mlirValueGetType(v.value));
  if (own != 2 && own != 3)
    return hm_node_error(L, node, "'%s' needs 2-D or 3-D operands", node->target);
  *out = v.value;
  if (rank == 2)
    return own == 2 || hm_node_error(L, node, "'%s' needs 2-D operands", node->target);
  HmDim dims[3] = {node->val.shape[0], val->shape[own - 2], val->shape[own - 1]};
  HmSpecValue batched = {.kind = HM_SPEC_TENSOR, .dtype = val->dtype, .rank = 3, .shape = dims};
  if (!needs_broadcast(L, v.value, &batched))
    return true;
  return hm_broadcast(L, v.value, &batched, hm_element_of(v.value), out);
}

/* The accumulator the contraction starts from, in the accumulation type: the given one (a bias
 * broadcast to the result's shape), or zeros. */
static bool accumulator(HmLowering *L, HmScope *S, const HmNode *node, const Form *form, MlirType type,
                        MlirValue *out) {
  if (form->acc >= 0 && (size_t)form->acc < node->nargs && node->args[form->acc].kind != HM_ARG_NONE) {
    HmIrValue acc;
    if (!hm_arg_tensor(L, S, node, (size_t)form->acc, &acc))
      return false;
    if (needs_broadcast(L, acc.value, &node->val))
      return hm_broadcast(L, acc.value, &node->val, type, out);
    return hm_cast_tensor(L, acc.value, type, out);
  }
  MlirValue empty;
  if (!hm_empty_tensor(L, &node->val, type, &empty))
    return false;
  *out = hm_fill(L, empty, hm_scalar_const(L, type, 0));
  return true;
}

/* hl.dot(a, b, acc, out_dtype) (Helion passes all four positionally): out_dtype sets the product's
 * type, which with an accumulator must be the accumulator's (the result's) own. */
static bool dot_out_dtype(HmLowering *L, const HmNode *node) {
  const HmArg *acc = node->nargs > 2 ? &node->args[2] : NULL;
  const HmArg *dtype = node->nargs > 3 ? &node->args[3] : NULL;
  if (!acc || acc->kind == HM_ARG_NONE || !dtype || dtype->kind == HM_ARG_NONE)
    return true;
  if (dtype->kind != HM_ARG_DTYPE || dtype->dtype != node->val.dtype)
    return hm_node_error(L, node, "hl.dot with an accumulator and a different out_dtype is not supported");
  return true;
}

static bool lower_matmul(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const Form *form = &FORMS[variant];
  size_t rank = form->rank ? form->rank : node->val.rank;
  if (node->val.kind != HM_SPEC_TENSOR || node->val.rank != rank || (rank != 2 && rank != 3))
    return hm_node_error(L, node, "'%s' needs a 2-D or 3-D result", node->target);
  MlirValue a, b, init;
  MlirType result = hm_element_type(L, node->val.dtype);
  if (!unit_scale(L, node, "alpha") || !unit_scale(L, node, "beta") ||
      (variant == DOT && !dot_out_dtype(L, node)) || !matrix(L, S, node, form->first, rank, &a) ||
      !matrix(L, S, node, form->first + 1, rank, &b) ||
      !accumulator(L, S, node, form, accumulator_type(L, result), &init))
    return false;
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return hm_cast_tensor(L, contract(L, rank == 3, a, b, init), result, &out->value);
}

const HmOpEntry hm_matmul_ops[] = {
    {"aten.mm.default", lower_matmul, MM, HM_OP_OTHER},
    {"aten.mm.dtype", lower_matmul, MM, HM_OP_OTHER},
    {"aten.addmm.default", lower_matmul, ADDMM, HM_OP_OTHER},
    {"aten.addmm.dtype", lower_matmul, ADDMM, HM_OP_OTHER},
    {"aten.bmm.default", lower_matmul, BMM, HM_OP_OTHER},
    {"aten.bmm.dtype", lower_matmul, BMM, HM_OP_OTHER},
    {"aten.baddbmm.default", lower_matmul, BADDBMM, HM_OP_OTHER},
    {"aten.baddbmm.dtype", lower_matmul, BADDBMM, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};

/* hl.dot is Helion's op, lowered here whichever way ATen ops are. */
const HmOpEntry hm_dot_ops[] = {
    {"helion.language.matmul_ops.dot", lower_matmul, DOT, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
