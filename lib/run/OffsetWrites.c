/* A padded load whose low padding is not a constant (a window that may begin before its row:
 * `x[g, tile]` for a tile of hl.tile(starts[g], starts[g] + 8)) decomposes into a fill of the tile
 * and an insert_slice of the loaded part at that padding, whose size the tile bounds but does not
 * fix. MLIR's vectorization of that insert_slice reads the part as a vector of the tile's size and
 * writes it at the padding with in_bounds = [true]: with a padding of 3 the 4-lane write of a
 * 4-element tile writes three lanes past it. That was unnoticed while a tile was malloc'ed (its
 * slack took the lanes) and corrupted the next buffer once tiles shared a stack
 * (lib/run/ThreadBuffers.c): gather.py's window_sums summed garbage.
 *
 * A write of a vector dimension as long as the tensor's at an offset that is not the constant 0 is
 * in bounds only when the offset is 0 at run time; marked out of bounds, its lanes past the tensor
 * are skipped (a masked store), which is what it means in that case and changes nothing in the
 * other. */
#include "run/OffsetWrites.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "mlir-c/AffineMap.h"
#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

static bool is_write(MlirOperation op) { return hm_op_named(op, "vector.transfer_write"); }

/* Whether lane dimension `d` of a write of `vector` into `dest` covers dest's dimension `at` whole
 * from index `index`, claimed in bounds, where the index may be other than 0. */
static bool overclaimed(MlirType vector, intptr_t d, MlirType dest, intptr_t at, MlirValue index) {
  int64_t start;
  return !mlirShapedTypeIsDynamicDim(dest, at) &&
         mlirShapedTypeGetDimSize(vector, d) == mlirShapedTypeGetDimSize(dest, at) &&
         !(hm_constant_index(index, &start) && start == 0);
}

static bool bound(MlirOperation write) {
  MlirStringRef in_bounds_name = mlirStringRefCreateFromCString("in_bounds");
  MlirAttribute in_bounds = mlirOperationGetAttributeByName(write, in_bounds_name);
  MlirAttribute map = mlirOperationGetAttributeByName(write, mlirStringRefCreateFromCString("permutation_map"));
  if (mlirAttributeIsNull(in_bounds) || !mlirAttributeIsAArray(in_bounds) || mlirAttributeIsNull(map) ||
      !mlirAttributeIsAAffineMap(map) || !mlirAffineMapIsMinorIdentity(mlirAffineMapAttrGetValue(map)))
    return true;
  MlirType vector = mlirValueGetType(mlirOperationGetOperand(write, 0));
  MlirType dest = mlirValueGetType(mlirOperationGetOperand(write, 1));
  if (!mlirTypeIsAVector(vector) || !mlirTypeIsAShaped(dest) || !mlirShapedTypeHasRank(dest))
    return true;
  intptr_t lanes = mlirShapedTypeGetRank(vector), rank = mlirShapedTypeGetRank(dest);
  if (lanes == 0 || mlirArrayAttrGetNumElements(in_bounds) != lanes || lanes > rank ||
      mlirOperationGetNumOperands(write) < 2 + rank)
    return true;
  MlirAttribute *flags = malloc((size_t)lanes * sizeof *flags);
  if (!flags)
    return false;
  MlirContext ctx = mlirOperationGetContext(write);
  bool changed = false;
  for (intptr_t d = 0; d < lanes; ++d) {
    flags[d] = mlirArrayAttrGetElement(in_bounds, d);
    /* The minor identity map: lane dimension d is the tensor's dimension rank - lanes + d. */
    intptr_t at = rank - lanes + d;
    MlirValue index = mlirOperationGetOperand(write, 2 + at);
    if (mlirBoolAttrGetValue(flags[d]) && overclaimed(vector, d, dest, at, index)) {
      flags[d] = mlirBoolAttrGet(ctx, 0);
      changed = true;
    }
  }
  if (changed)
    mlirOperationSetAttributeByName(write, in_bounds_name, mlirArrayAttrGet(ctx, lanes, flags));
  free(flags);
  return true;
}

bool hm_bound_offset_writes(MlirOperation module_op) {
  HmOpList found = hm_collect_ops(module_op, MlirWalkPreOrder, is_write);
  bool ok = !found.oom;
  for (size_t i = 0; ok && i < found.count; ++i)
    ok = bound(found.ops[i]);
  hm_op_list_free(&found);
  return ok;
}
