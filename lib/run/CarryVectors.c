#include "run/CarryVectors.h"
#include "run/ModulePass.h"

#include <stdlib.h>
#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"

/* After the vectorization (vectorize.mlir) a step of a scan over a 4 x N tile reads as
 *
 *   scf.for %j = ... iter_args(%acc = %init, ...) -> (tensor<4x1xf32>, ...) {
 *     %a = vector.transfer_read %acc[%c0, %c0], %pad : tensor<4x1xf32>, vector<4x1xf32>
 *     ...
 *     %w = vector.transfer_write %v, %empty[%c0, %c0] : vector<4x1xf32>, tensor<4x1xf32>
 *     scf.yield %w, ...
 *
 * and becomes a loop carrying vector<4x1xf32>: the read moves before the loop (reading %init), the
 * step yields %v, and the write moves after it for whatever uses the loop's result. Only whole
 * reads and writes qualify (every index zero, the vector the tensor's shape, no mask, no
 * permutation), so the vector is the tensor's every element; no MLIR pass does this on tensors
 * (LICM's subset hoisting wants the write into the carried tensor itself, not into a fresh one). */

static bool name_is(MlirOperation op, const char *name) {
  MlirStringRef op_name = mlirIdentifierStr(mlirOperationGetName(op));
  return op_name.length == strlen(name) && memcmp(op_name.data, name, op_name.length) == 0;
}

static bool is_zero_index(MlirValue value) {
  MlirOperation op = hm_defining_op(value);
  if (mlirOperationIsNull(op) || !name_is(op, "arith.constant"))
    return false;
  MlirAttribute attr = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("value"));
  return mlirAttributeIsAInteger(attr) && mlirIntegerAttrGetValueInt(attr) == 0;
}

static bool single_use(MlirValue value) {
  MlirOpOperand use = mlirValueGetFirstUse(value);
  return !mlirOpOperandIsNull(use) && mlirOpOperandIsNull(mlirOpOperandGetNextUse(use));
}

/* A transfer of the whole of `tensor` (static) as `vector`: operands `indices` .. `indices + rank`
 * all zero and defined outside `loop`, the identity permutation, every dimension in bounds, and
 * `extra` other operands (the read's padding; no mask). The vector may leave out leading unit
 * dimensions (a one-row tile's 1x1 accumulator as vector<1xf32>, through the minor identity):
 * it still holds every element. */
static bool whole_transfer(MlirOperation op, MlirType tensor, MlirType vector, intptr_t indices,
                           intptr_t extra, MlirOperation loop) {
  if (!mlirTypeIsARankedTensor(tensor) || !mlirShapedTypeHasStaticShape(tensor) ||
      !mlirTypeIsAVector(vector))
    return false;
  intptr_t rank = mlirShapedTypeGetRank(tensor), lanes_rank = mlirShapedTypeGetRank(vector);
  intptr_t dropped = rank - lanes_rank;
  if (dropped < 0 || mlirOperationGetNumOperands(op) != indices + rank + extra)
    return false;
  for (intptr_t d = 0; d < rank; ++d)
    if (d < dropped ? mlirShapedTypeGetDimSize(tensor, d) != 1
                    : mlirShapedTypeGetDimSize(vector, d - dropped) != mlirShapedTypeGetDimSize(tensor, d))
      return false;
  for (intptr_t i = indices; i < indices + rank + extra; ++i) {
    MlirValue operand = mlirOperationGetOperand(op, i);
    if (!hm_defined_outside(operand, loop) || (i < indices + rank && !is_zero_index(operand)))
      return false;
  }
  MlirAttribute map = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("permutation_map"));
  return mlirAttributeIsAAffineMap(map) && mlirAffineMapIsMinorIdentity(mlirAffineMapAttrGetValue(map));
}

/* The carried tensor `arg` (block argument `index` + 1 of the loop's body) as a vector, when the
 * step reads it whole once and yields a whole write of a fresh tensor. */
static bool carry_in_register(MlirOperation loop, MlirBlock body, intptr_t index) {
  MlirValue arg = mlirBlockGetArgument(body, index + 1);
  MlirType tensor = mlirValueGetType(arg);
  if (!single_use(arg))
    return false;
  MlirOperation read = mlirOpOperandGetOwner(mlirValueGetFirstUse(arg));
  if (!name_is(read, "vector.transfer_read") || mlirOpOperandGetOperandNumber(mlirValueGetFirstUse(arg)) != 0 ||
      !mlirBlockEqual(mlirOperationGetBlock(read), body))
    return false;
  MlirValue vector = mlirOperationGetResult(read, 0);
  MlirType vector_type = mlirValueGetType(vector);
  if (!whole_transfer(read, tensor, vector_type, 1, 1, loop))
    return false;
  MlirOperation yield = mlirBlockGetTerminator(body);
  MlirValue yielded = mlirOperationGetOperand(yield, index);
  MlirOperation write = hm_defining_op(yielded);
  if (mlirOperationIsNull(write) || !name_is(write, "vector.transfer_write") || !single_use(yielded) ||
      !mlirBlockEqual(mlirOperationGetBlock(write), body))
    return false;
  MlirValue stored = mlirOperationGetOperand(write, 0);
  MlirOperation empty = hm_defining_op(mlirOperationGetOperand(write, 1));
  if (!mlirTypeEqual(mlirValueGetType(stored), vector_type) ||
      !whole_transfer(write, tensor, vector_type, 2, 0, loop) || mlirOperationIsNull(empty) ||
      !name_is(empty, "tensor.empty") || mlirOperationGetNumOperands(empty) != 0)
    return false;

  /* The step's value comes in through the argument; the first one is read before the loop. */
  mlirValueSetType(arg, vector_type);
  mlirValueReplaceAllUsesOfWith(vector, arg);
  mlirOperationMoveBefore(read, loop);
  mlirOperationSetOperand(read, 0, mlirOperationGetOperand(loop, 3 + index));
  mlirOperationSetOperand(loop, 3 + index, vector);
  mlirOperationSetOperand(yield, index, stored);
  /* What the loop computed is written after it, into a fresh tensor as before. */
  MlirValue result = mlirOperationGetResult(loop, index);
  mlirValueSetType(result, vector_type);
  if (mlirOpOperandIsNull(mlirValueGetFirstUse(result))) {
    mlirOperationDestroy(write);
    if (mlirOpOperandIsNull(mlirValueGetFirstUse(mlirOperationGetResult(empty, 0))))
      mlirOperationDestroy(empty);
    return true;
  }
  MlirOperation dest = empty;
  if (single_use(mlirOperationGetResult(empty, 0))) {
    mlirOperationMoveAfter(empty, loop);
  } else {
    dest = mlirOperationClone(empty);
    mlirBlockInsertOwnedOperationAfter(mlirOperationGetBlock(loop), loop, dest);
    mlirOperationSetOperand(write, 1, mlirOperationGetResult(dest, 0));
  }
  mlirOperationMoveAfter(write, dest);
  mlirOperationSetOperand(write, 0, result);
  MlirValue written = mlirOperationGetResult(write, 0);
  mlirValueReplaceAllUsesExcept(result, written, 1, &write);
  return true;
}

static bool is_for(MlirOperation op) { return name_is(op, "scf.for"); }

/* Inner loops first (a post-order walk), so that a read hoisted out of one can qualify in the loop
 * around it. The walk only collects: moving ops while walking their block is not safe. */
static void carry_vectors(MlirOperation module_op, MlirExternalPass pass) {
  HmOpList loops = hm_collect_ops(module_op, MlirWalkPostOrder, is_for);
  if (loops.oom) {
    hm_op_list_free(&loops);
    mlirExternalPassSignalFailure(pass);
    return;
  }
  for (size_t i = 0; i < loops.count; ++i) {
    MlirOperation loop = loops.ops[i];
    MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(loop, 0));
    intptr_t carried = mlirOperationGetNumResults(loop);
    for (intptr_t k = 0; k < carried; ++k)
      carry_in_register(loop, body, k);
  }
  hm_op_list_free(&loops);
}

MlirPass hm_carry_vectors_pass(void) {
  static const HmModulePass pass = {"HelionCarryVectors", "helion-carry-vectors",
                                    "carry whole-tile vectors of loops in registers", carry_vectors};
  return hm_module_pass(&pass);
}
