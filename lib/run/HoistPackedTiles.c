/* helion-matmul packs an edge tile's operand into a fresh tile: a bufferization.alloc_tensor that
 * a linalg.fill zeroes before the rows the tensor has are copied in (lib/run/matmul.mlir says why
 * it is an alloc_tensor). In the K loop that was a malloc and a free per operand and step; a
 * 1000^3 matmul spent a tenth of its time in them. The fill overwrites the whole tile, so nothing
 * an iteration reads depends on the tile's earlier contents, and the bufferization writes the
 * hoisted tile in place at every step (were it to copy instead, the result would be the same). */
#include "run/HoistPackedTiles.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

/* linalg.fill's operands are the value, then the init. */
static bool only_filled(MlirValue tile) {
  MlirOpOperand use = mlirValueGetFirstUse(tile);
  if (mlirOpOperandIsNull(use))
    return false;
  for (; !mlirOpOperandIsNull(use); use = mlirOpOperandGetNextUse(use))
    if (!hm_op_named(mlirOpOperandGetOwner(use), "linalg.fill") || mlirOpOperandGetOperandNumber(use) != 1)
      return false;
  return true;
}

static bool is_packed_tile(MlirOperation op) {
  return hm_op_named(op, "bufferization.alloc_tensor") && mlirOperationGetNumOperands(op) == 0 &&
         mlirOperationGetNumResults(op) == 1 && only_filled(mlirOperationGetResult(op, 0));
}

static void hoist(MlirOperation tile) {
  for (MlirOperation loop = mlirOperationGetParentOperation(tile);
       !mlirOperationIsNull(loop) && hm_op_named(loop, "scf.for"); loop = mlirOperationGetParentOperation(tile))
    mlirOperationMoveBefore(tile, loop);
}

bool hm_hoist_packed_tiles(MlirOperation module_op) {
  HmOpList found = hm_collect_ops(module_op, MlirWalkPreOrder, is_packed_tile);
  bool ok = !found.oom;
  for (size_t i = 0; ok && i < found.count; ++i)
    hoist(found.ops[i]);
  hm_op_list_free(&found);
  return ok;
}
