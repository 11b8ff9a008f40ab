/* Tensor creation: `full` (hl.zeros, hl.full) -> tensor.empty + linalg.fill. */
#include "lower/Shapes.h"

static bool fill_value(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, MlirType element,
                       MlirValue *out) {
  if (arg->kind == HM_ARG_FLOAT || arg->kind == HM_ARG_INT || arg->kind == HM_ARG_BOOL) {
    *out = hm_scalar_const(L, element, arg->kind == HM_ARG_FLOAT ? arg->f : (double)arg->i);
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, arg, &v))
    return false;
  if (v.kind != HM_IR_SCALAR)
    return hm_node_error(L, node, "full's fill value must be a number or a scalar");
  *out = hm_convert_scalar(L, v.value, element);
  return true;
}

static bool lower_full(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const HmArg *value = hm_arg(L, node, 1);
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

const HmOpEntry hm_creation_ops[] = {
    {"helion.language.creation_ops.full", lower_full, 0, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
