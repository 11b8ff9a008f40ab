/* A tile store is a bufferization.materialize_in_destination of the computed tile into a view of the
 * host tensor. MLIR's eliminate-empty-tensors lets the computation write into that view directly
 * (no tile buffer, no copy) when the store is `restrict`: a claim that nothing else reaches the
 * buffer through another to_tensor. The lowering marks every store so, which holds for the copy it
 * makes at the store but not for a tile written early: a load of the same tensor (`out[tile] +=
 * x`, a read back after a store) would see the new values before the store, and a second store to
 * it could land in the wrong order. So the mark stays only where the store is the one access to its
 * host tensor, and where writing early writes the same elements the store would, at no other time:
 * it sits in the grid body or in loops whose index the view depends on (a view the loop does not
 * move could be hoisted above it and written by a loop that never runs), under no condition (a
 * masked edge tile's store is inside an scf.if; the tile computed before it would write
 * unconditionally). */
#include "run/ExclusiveStores.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stddef.h>

#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* How many ops other than views use `buffer` or a view of it, counted up to `limit`. */
static size_t accesses(MlirValue buffer, size_t limit) {
  size_t count = 0;
  for (MlirOpOperand use = mlirValueGetFirstUse(buffer); !mlirOpOperandIsNull(use) && count < limit;
       use = mlirOpOperandGetNextUse(use)) {
    MlirOperation user = mlirOpOperandGetOwner(use);
    if (hm_is_view(user) && mlirOpOperandGetOperandNumber(use) == 0)
      count += accesses(mlirOperationGetResult(user, 0), limit - count);
    else
      ++count;
  }
  return count;
}

/* Whether `value` is computed from `index`, looking through at most *budget defining ops: past the
 * budget the answer is no, which keeps the store's copy. */
static bool depends_on(MlirValue value, MlirValue index, int *budget) {
  if (mlirValueEqual(value, index))
    return true;
  if (!mlirValueIsAOpResult(value) || --*budget < 0)
    return false;
  MlirOperation op = mlirOpResultGetOwner(value);
  for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i)
    if (depends_on(mlirOperationGetOperand(op, i), index, budget))
      return true;
  return false;
}

static bool is_grid(MlirOperation op) {
  return hm_op_named(op, "scf.parallel") || hm_op_named(op, "affine.parallel") || hm_op_named(op, "scf.forall");
}

/* Every op around the store, up to its function, runs it once per index of a grid or of a loop that
 * moves the stored view. */
static bool stores_once_per_index(MlirOperation store, MlirValue view) {
  for (MlirOperation op = mlirOperationGetParentOperation(store); !mlirOperationIsNull(op);
       op = mlirOperationGetParentOperation(op)) {
    if (hm_op_named(op, "func.func"))
      return true;
    if (is_grid(op))
      continue;
    if (!hm_op_named(op, "scf.for") && !hm_op_named(op, "affine.for"))
      return false;
    MlirValue index = mlirBlockGetArgument(mlirRegionGetFirstBlock(mlirOperationGetRegion(op, 0)), 0);
    int budget = 64;
    if (!depends_on(view, index, &budget))
      return false;
  }
  return false;
}

static bool is_restrict_store(MlirOperation op) {
  return hm_op_named(op, "bufferization.materialize_in_destination") &&
         !mlirAttributeIsNull(mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("restrict")));
}

static void keep_if_exclusive(MlirOperation module_op, MlirOperation store) {
  MlirValue view = mlirOperationGetOperand(store, 1);
  bool exclusive = mlirTypeIsAMemRef(mlirValueGetType(view)) && accesses(hm_buffer_of(view), 2) == 1 &&
                   stores_once_per_index(store, view);
  if (!exclusive)
    mlirOperationRemoveAttributeByName(store, mlirStringRefCreateFromCString("restrict"));
}

static void exclusive_stores(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_restrict_store, keep_if_exclusive);
}

MlirPass hm_exclusive_stores_pass(void) {
  static const HmModulePass pass = {"HelionExclusiveStores", "helion-exclusive-stores",
                                    "keep `restrict` only on tile stores that may write in place",
                                    exclusive_stores};
  return hm_module_pass(&pass);
}
