/* A row's broadcast read of one element (a point-indexed column broadcast along the row,
 * `x[tile, column, None]`, a [16, 1] view of x whose unit dimension keeps x's row stride) is a 1-D
 * transfer that convert-vector-to-scf makes a 0-d one and a vector.broadcast. MLIR lowers a 0-d
 * transfer as it lowers a 1-D one, only from a memref whose innermost stride is 1 (the vector's lanes
 * lie side by side), which such a view has not; a 0-d transfer has one element, which needs no such
 * stride, and is never out of bounds. So each unmasked 0-d transfer of a memref becomes the 0-d
 * vector.load or vector.store of the same element, which the LLVM conversion takes whatever the
 * strides. */
#include "run/ScalarTransfers.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>

#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

static bool is_0d_vector(MlirType type) { return mlirTypeIsAVector(type) && mlirShapedTypeGetRank(type) == 0; }

/* The memref operand's position (a read's first, a write's second) when `op` is an unmasked 0-d
 * transfer of a memref, else -1. Its operands are then the memref's indices after the memref and,
 * for a read, the padding last. */
static intptr_t memref_operand(MlirOperation op) {
  bool read = hm_op_named(op, "vector.transfer_read");
  if (!read && !hm_op_named(op, "vector.transfer_write"))
    return -1;
  intptr_t at = read ? 0 : 1;
  if (mlirOperationGetNumOperands(op) <= at)
    return -1;
  MlirType memref = mlirValueGetType(mlirOperationGetOperand(op, at));
  MlirType vector = read ? mlirValueGetType(mlirOperationGetResult(op, 0))
                         : mlirValueGetType(mlirOperationGetOperand(op, 0));
  if (!mlirTypeIsAMemRef(memref) || !is_0d_vector(vector))
    return -1;
  /* The vector's operand or the memref, the indices, and the read's padding: a mask would be one more. */
  return mlirOperationGetNumOperands(op) == 2 + mlirShapedTypeGetRank(memref) ? at : -1;
}

static bool is_scalar_transfer(MlirOperation op) { return memref_operand(op) >= 0; }

static void rewrite(MlirOperation op) {
  bool read = hm_op_named(op, "vector.transfer_read");
  intptr_t at = memref_operand(op);
  intptr_t rank = mlirShapedTypeGetRank(mlirValueGetType(mlirOperationGetOperand(op, at)));
  /* vector.load takes the memref and its indices; vector.store the vector before them. */
  intptr_t n = at + 1 + rank;
  MlirValue operands[2 + 64];
  for (intptr_t i = 0; i < n; ++i)
    operands[i] = mlirOperationGetOperand(op, i);
  MlirOperationState state = mlirOperationStateGet(
      mlirStringRefCreateFromCString(read ? "vector.load" : "vector.store"), mlirOperationGetLocation(op));
  mlirOperationStateAddOperands(&state, n, operands);
  if (read) {
    MlirType type = mlirValueGetType(mlirOperationGetResult(op, 0));
    mlirOperationStateAddResults(&state, 1, &type);
  }
  MlirOperation replacement = mlirOperationCreate(&state);
  mlirBlockInsertOwnedOperationBefore(mlirOperationGetBlock(op), op, replacement);
  if (read)
    mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(op, 0), mlirOperationGetResult(replacement, 0));
  mlirOperationDestroy(op);
}

/* A memref of a rank past 64 is left for the pipeline to refuse. */
static void rewrite_taken(MlirOperation module_op, MlirOperation op) {
  if (mlirShapedTypeGetRank(mlirValueGetType(mlirOperationGetOperand(op, memref_operand(op)))) <= 64)
    rewrite(op);
}

static void scalar_transfers(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_scalar_transfer, rewrite_taken);
}

MlirPass hm_scalar_transfers_pass(void) {
  static const HmModulePass pass = {"HelionScalarTransfers", "helion-scalar-transfers",
                                    "unmasked 0-d vector transfers of a memref as vector.load and vector.store",
                                    scalar_transfers};
  return hm_module_pass(&pass);
}
