/* A tile temporary that an element-wise op reads last is where that op may write its result: a
 * softmax's exp(row - max) is read by the sum and then by the division, whose quotient is the
 * stored tile. Computed into a tile of its own, the temporary is written and read once more, and the
 * division's stores are the first writes of the output's memory: on one Zen 4 core those stores
 * stalled on the output's cache lines and were a quarter of softmax's time. torch's softmax writes
 * the exp into the output and divides it there; so does this: the element-wise op's destination
 * becomes the temporary, the op's body reads the element through its output argument, and
 * eliminate-empty-tensors then computes the temporary in the stored view itself (the store's
 * destination chain runs through it), the division in place.
 *
 * The temporary must be a fresh tile (the result of a linalg op in the same block: never a loaded
 * tile, whose buffer is the host tensor's), read at the element the op writes (the same indexing
 * map and type as the op's output), once by the op, and by nothing after it (bufferization would
 * copy it to keep it). The rewrite keeps the tensor semantics whatever bufferization does: the
 * op's output argument is the temporary's element. */
#include "run/InPlaceElementwise.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

static MlirBlock body_of(MlirOperation op) { return mlirRegionGetFirstBlock(mlirOperationGetRegion(op, 0)); }

static bool has_uses(MlirValue value) { return !mlirOpOperandIsNull(mlirValueGetFirstUse(value)); }

/* Every use of `value` (and of the reshapes of it) other than `op`'s is an op of `op`'s block
 * before it. */
static bool read_before(MlirValue value, MlirOperation op) {
  for (MlirOpOperand use = mlirValueGetFirstUse(value); !mlirOpOperandIsNull(use); use = mlirOpOperandGetNextUse(use)) {
    MlirOperation user = mlirOpOperandGetOwner(use);
    if (mlirOperationEqual(user, op))
      continue;
    if (!mlirBlockEqual(mlirOperationGetBlock(user), mlirOperationGetBlock(op)) ||
        !mlirOperationIsBeforeInBlock(user, op))
      return false;
    if ((hm_op_named(user, "tensor.expand_shape") || hm_op_named(user, "tensor.collapse_shape")) &&
        !read_before(mlirOperationGetResult(user, 0), op))
      return false;
  }
  return true;
}

static int operand_count(MlirOperation op, MlirValue value) {
  int n = 0;
  for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i)
    n += mlirValueEqual(mlirOperationGetOperand(op, i), value);
  return n;
}

/* The input of the element-wise `op` that may be its destination; -1 when none may. */
static intptr_t reusable_input(MlirOperation op) {
  intptr_t inputs = hm_generic_inputs(op);
  if (inputs < 1 || hm_attr_prints(op, "iterator_types", "reduction"))
    return -1;
  MlirBlock body = body_of(op);
  if (has_uses(mlirBlockGetArgument(body, inputs)))
    return -1;
  MlirAttribute maps = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("indexing_maps"));
  if (mlirAttributeIsNull(maps) || mlirArrayAttrGetNumElements(maps) != inputs + 1)
    return -1;
  MlirAttribute output_map = mlirArrayAttrGetElement(maps, inputs);
  MlirType output_type = mlirValueGetType(mlirOperationGetResult(op, 0));
  for (intptr_t i = inputs - 1; i >= 0; --i) {
    MlirValue input = mlirOperationGetOperand(op, i);
    if (!mlirTypeEqual(mlirValueGetType(input), output_type) ||
        !mlirAttributeEqual(mlirArrayAttrGetElement(maps, i), output_map) || !mlirValueIsAOpResult(input))
      continue;
    MlirOperation producer = mlirOpResultGetOwner(input);
    MlirStringRef name = mlirIdentifierStr(mlirOperationGetName(producer));
    if (!mlirBlockEqual(mlirOperationGetBlock(producer), mlirOperationGetBlock(op)) || name.length < 7 ||
        memcmp(name.data, "linalg.", 7) != 0)
      continue;
    if (operand_count(op, input) == 1 && read_before(input, op) && has_uses(mlirBlockGetArgument(body, i)))
      return i;
  }
  return -1;
}

static bool is_reusing_candidate(MlirOperation op) { return reusable_input(op) >= 0; }

static void write_over_input(MlirOperation module_op, MlirOperation op) {
  intptr_t input = reusable_input(op);
  if (input < 0)
    return;
  intptr_t inputs = hm_generic_inputs(op);
  MlirBlock body = body_of(op);
  mlirOperationSetOperand(op, inputs, mlirOperationGetOperand(op, input));
  mlirValueReplaceAllUsesOfWith(mlirBlockGetArgument(body, input), mlirBlockGetArgument(body, inputs));
}

static void in_place_elementwise(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_reusing_candidate, write_over_input);
}

MlirPass hm_in_place_elementwise_pass(void) {
  static const HmModulePass pass = {"HelionInPlaceElementwise", "helion-in-place-elementwise",
                                    "element-wise ops write over the tile temporary they read last",
                                    in_place_elementwise};
  return hm_module_pass(&pass);
}
