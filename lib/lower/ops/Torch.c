/* --aten=torch: an ATen op stays one generic `torch.aten.<op>` op, for torch-mlir style pipelines.
 *
 * Tensor arguments become operands (in argument order); every other argument becomes an attribute
 * named after its position ("arg1", or the keyword's name), and the overload is kept as `overload`.
 * The result type is the tile's tensor type, so the op slots into the same loops and memory accesses
 * as the linalg form. As in the linalg form, a None operand of an elementwise op repeats the tensor
 * before it (inductor passes a repeated input once), and the last buffer of an inductor
 * decomposition (`mean` reading its `_extra_args`) is lowered by its family.
 */
#include "lower/Shapes.h"

#include <stdio.h>
#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

enum { MAX_ARGS = 16 };

static MlirAttribute constant_attr(HmLowering *L, const HmArg *arg) {
  MlirContext c = L->ctx;
  switch (arg->kind) {
  case HM_ARG_BOOL: return mlirBoolAttrGet(c, (int)arg->i);
  case HM_ARG_INT: return mlirIntegerAttrGet(mlirIntegerTypeGet(c, 64), arg->i);
  case HM_ARG_FLOAT: return mlirFloatAttrDoubleGet(c, mlirF64TypeGet(c), arg->f);
  case HM_ARG_STR:
  case HM_ARG_SYM: return mlirStringAttrGet(c, mlirStringRefCreateFromCString(arg->str));
  case HM_ARG_DTYPE: return mlirTypeAttrGet(hm_element_type(L, arg->dtype));
  case HM_ARG_LIST: {
    MlirAttribute items[MAX_ARGS];
    size_t n = arg->count < MAX_ARGS ? arg->count : MAX_ARGS;
    for (size_t i = 0; i < n; ++i)
      items[i] = constant_attr(L, &arg->items[i]);
    return mlirArrayAttrGet(c, (intptr_t)n, items);
  }
  default: return mlirUnitAttrGet(c);
  }
}

static bool add_argument(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, const char *name,
                         MlirValue *operands, size_t *noperands, MlirNamedAttribute *attrs, size_t *nattrs) {
  if (arg->kind == HM_ARG_NODE) {
    HmIrValue v = S->values[arg->node];
    if (v.kind != HM_IR_TENSOR && v.kind != HM_IR_SCALAR && v.kind != HM_IR_INDEX)
      return hm_node_error(L, node, "argument '%s' of '%s' has no MLIR value", name, node->target);
    operands[(*noperands)++] = v.value;
    return true;
  }
  if (arg->kind != HM_ARG_NONE)
    attrs[(*nattrs)++] = hm_named(L, name, constant_attr(L, arg));
  return true;
}

/* "aten.addmm.default" -> op "torch.aten.addmm", overload "default". */
static void split_target(const char *target, char *op, size_t op_size, const char **overload) {
  const char *dot = strrchr(target, '.');
  snprintf(op, op_size, "torch.%.*s", (int)(dot - target), target);
  *overload = dot + 1;
}

bool hm_lower_torch_op(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  if (hm_kwarg(node, "_extra_args"))
    return hm_lower_decomposed(L, S, node, out);
  if (node->val.kind != HM_SPEC_TENSOR)
    return hm_node_error(L, node, "--aten=torch lowers tensor-valued ATen ops only");
  if (node->nargs + node->nkwargs > MAX_ARGS)
    return hm_node_error(L, node, "'%s' has too many arguments", node->target);
  MlirValue operands[MAX_ARGS];
  MlirNamedAttribute attrs[MAX_ARGS + 1];
  size_t noperands = 0, nattrs = 0;
  char name[32];
  bool pointwise = hm_node_op(L, node)->family == HM_FAMILY_POINTWISE;
  for (size_t i = 0; i < node->nargs; ++i) {
    snprintf(name, sizeof name, "arg%zu", i);
    bool repeat = pointwise && i > 0 && node->args[i].kind == HM_ARG_NONE && node->args[i - 1].kind == HM_ARG_NODE;
    if (!add_argument(L, S, node, repeat ? &node->args[i - 1] : &node->args[i], name, operands, &noperands, attrs,
                      &nattrs))
      return false;
  }
  for (size_t i = 0; i < node->nkwargs; ++i)
    if (!add_argument(L, S, node, &node->kwargs[i], node->kwarg_names[i], operands, &noperands, attrs, &nattrs))
      return false;
  char op[128];
  const char *overload;
  split_target(node->target, op, sizeof op, &overload);
  attrs[nattrs++] = hm_named(L, "overload", mlirStringAttrGet(L->ctx, mlirStringRefCreateFromCString(overload)));
  MlirType type = hm_tensor_type(L, &node->val);
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  out->value = hm_build_value(L, (HmOpSpec){.name = op, .nresults = 1, .results = &type,
                                            .noperands = (intptr_t)noperands, .operands = operands,
                                            .nattrs = (intptr_t)nattrs, .attrs = attrs});
  return !mlirValueIsNull(out->value) || hm_node_error(L, node, "could not create '%s'", op);
}
