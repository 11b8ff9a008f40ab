/* The matmul family -> linalg.matmul / linalg.batch_matmul.
 *
 * `addmm(acc, a, b)` accumulates into acc in acc's type; linalg's named ops extend the inputs to the
 * accumulator's element type in their body, which is the f16-inputs/f32-accumulator contract Helion
 * kernels rely on. Plain `mm` of 16-bit floats accumulates in f32 and rounds once, like torch.
 */
#include "Build.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Dialect/Linalg.h"

typedef enum Matmul { MM, ADDMM, BMM, BADDBMM } Matmul;

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

static bool lower_matmul(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmValue *out) {
  bool batched = variant == BMM || variant == BADDBMM;
  bool accumulates = variant == ADDMM || variant == BADDBMM;
  size_t first = accumulates ? 1 : 0;
  HmValue a, b, acc;
  if (!hm_arg_tensor(L, S, node, first, &a) || !hm_arg_tensor(L, S, node, first + 1, &b) ||
      !unit_scale(L, node, "alpha") || !unit_scale(L, node, "beta"))
    return false;
  size_t rank = batched ? 3 : 2;
  if ((size_t)mlirShapedTypeGetRank(mlirValueGetType(a.value)) != rank ||
      (size_t)mlirShapedTypeGetRank(mlirValueGetType(b.value)) != rank || node->val.rank != rank)
    return hm_node_error(L, node, "'%s' needs rank-%zu operands", node->target, rank);
  MlirType result = hm_element_type(L, node->val.dtype);
  MlirValue init;
  if (accumulates) {
    if (!hm_arg_tensor(L, S, node, 0, &acc) || !hm_cast_tensor(L, acc.value, result, &init))
      return false;
  } else {
    MlirType acc_type = mlirTypeIsAF16(result) || mlirTypeIsABF16(result) ? mlirF32TypeGet(L->ctx) : result;
    MlirValue empty;
    if (!hm_empty_tensor(L, &node->val, acc_type, &empty))
      return false;
    init = hm_fill(L, empty, hm_scalar_const(L, acc_type, 0));
  }
  *out = (HmValue){.kind = HM_V_TENSOR, .block_id = -1};
  return hm_cast_tensor(L, contract(L, batched, a.value, b.value, init), result, &out->value);
}

const HmOpEntry hm_matmul_ops[] = {
    {"aten.mm.default", lower_matmul, MM},
    {"aten.addmm.default", lower_matmul, ADDMM},
    {"aten.bmm.default", lower_matmul, BMM},
    {"aten.baddbmm.default", lower_matmul, BADDBMM},
    {NULL, NULL, 0},
};
