/* A layer norm's last loop reads its row's variance once per piece of the row:
 *
 *   scf.for %j = %c0 to %c992 step %c32 {
 *     %v = vector.load %var[%i, %c0] : memref<4x1xf32>, vector<f32>
 *     %r = math.rsqrt(%v / n + eps) ...      (a vsqrtps and a vdivps per 32 lanes)
 *
 * LLVM does not take that load out of the loop (it cannot tell that the malloc'ed buffer is
 * dereferenceable before the loop), so neither the math after it: the rsqrt cost more than the
 * row's memory traffic on one core. A read moves before its scf.for when the value it reads is the
 * same in every iteration and reading it first reads nothing the loop would not:
 *   - it sits in the loop's body itself (not under a condition, which may guard its indices), and
 *     the loop runs at least once (constant bounds);
 *   - its operands (the buffer's view, the indices, the padding) are defined outside the loop;
 *   - the buffer is allocated by the kernel (memref.alloc or alloca, through views), inside the
 *     grid's scf.parallel around the loop when there is one (a buffer outside it would be shared
 *     with the other threads), and nothing in the loop but reads uses it or any view of it.
 * Host tensors are never taken: another store in the loop may write them through another view.
 * loop-invariant-code-motion, after this pass, moves out what is computed from the read. Loops are
 * taken innermost first, so a read leaves every loop around it that it does not depend on. */
#include "run/InvariantTileReads.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* Uses of a buffer and its views looked at for one read, at most: past it the read stays. */
enum { kUseBudget = 512 };

static bool is_view(MlirOperation op) {
  return hm_op_named(op, "memref.subview") || hm_op_named(op, "memref.expand_shape") ||
         hm_op_named(op, "memref.collapse_shape") || hm_op_named(op, "memref.cast") ||
         hm_op_named(op, "memref.reinterpret_cast");
}

/* Ops whose operand 0 is the memref they read and that write nothing. */
static bool is_read(MlirOperation op) {
  return hm_op_named(op, "vector.transfer_read") || hm_op_named(op, "vector.load") ||
         hm_op_named(op, "memref.load");
}

static bool is_inside(MlirOperation op, MlirOperation ancestor) {
  for (; !mlirOperationIsNull(op); op = mlirOperationGetParentOperation(op))
    if (mlirOperationEqual(op, ancestor))
      return true;
  return false;
}

/* The memref.alloc or alloca under the views `buffer` is made of; null when it is none. */
static MlirOperation allocation_of(MlirValue buffer) {
  for (;;) {
    MlirOperation op = hm_defining_op(buffer);
    if (mlirOperationIsNull(op))
      return op;
    if (hm_op_named(op, "memref.alloc") || hm_op_named(op, "memref.alloca"))
      return op;
    if (!is_view(op))
      return (MlirOperation){NULL};
    buffer = mlirOperationGetOperand(op, 0);
  }
}

static bool has_memref_result(MlirOperation op) {
  for (intptr_t i = 0; i < mlirOperationGetNumResults(op); ++i)
    if (mlirTypeIsAMemRef(mlirValueGetType(mlirOperationGetResult(op, i))))
      return true;
  return false;
}

/* Whether every use of `buffer` and of its views inside `loop` only reads it. An op that makes a
 * memref of it other than a view (extract_strided_metadata's base, say) could be written through
 * anywhere: it answers no. */
static bool only_read_in(MlirValue buffer, MlirOperation loop, int *budget) {
  for (MlirOpOperand use = mlirValueGetFirstUse(buffer); !mlirOpOperandIsNull(use); use = mlirOpOperandGetNextUse(use)) {
    if (--*budget < 0)
      return false;
    MlirOperation user = mlirOpOperandGetOwner(use);
    unsigned operand = mlirOpOperandGetOperandNumber(use);
    if (is_view(user) && operand == 0) {
      if (!only_read_in(mlirOperationGetResult(user, 0), loop, budget))
        return false;
    } else if (has_memref_result(user) ||
               (is_inside(user, loop) && !(is_read(user) && operand == 0) &&
                !(hm_op_named(user, "memref.dim") && operand == 0))) {
      return false;
    }
  }
  return true;
}

/* scf.for's operands: lower bound, upper bound, step, then the iter_args' initial values. */
static bool runs_at_least_once(MlirOperation loop) {
  int64_t lower, upper;
  return hm_constant_index(mlirOperationGetOperand(loop, 0), &lower) &&
         hm_constant_index(mlirOperationGetOperand(loop, 1), &upper) && lower < upper;
}

static MlirOperation enclosing_parallel(MlirOperation op) {
  for (op = mlirOperationGetParentOperation(op); !mlirOperationIsNull(op); op = mlirOperationGetParentOperation(op))
    if (hm_op_named(op, "scf.parallel"))
      return op;
  return op;
}

static bool may_move_out(MlirOperation read, MlirOperation loop) {
  if (!is_read(read))
    return false;
  for (intptr_t i = 0; i < mlirOperationGetNumOperands(read); ++i)
    if (!hm_defined_outside(mlirOperationGetOperand(read, i), loop))
      return false;
  MlirOperation allocation = allocation_of(mlirOperationGetOperand(read, 0));
  if (mlirOperationIsNull(allocation))
    return false;
  MlirOperation grid = enclosing_parallel(loop);
  if (!mlirOperationIsNull(grid) && !is_inside(allocation, grid))
    return false;
  int budget = kUseBudget;
  return only_read_in(mlirOperationGetResult(allocation, 0), loop, &budget);
}

static bool is_for(MlirOperation op) { return hm_op_named(op, "scf.for"); }

static void move_invariant_reads(MlirOperation loop) {
  if (!runs_at_least_once(loop))
    return;
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(loop, 0));
  MlirOperation op = mlirBlockGetFirstOperation(body);
  while (!mlirOperationIsNull(op)) {
    MlirOperation next = mlirOperationGetNextInBlock(op);
    if (may_move_out(op, loop))
      mlirOperationMoveBefore(op, loop);
    op = next;
  }
}

/* Post-order: a loop comes after the loops inside it. */
static void invariant_tile_reads(MlirOperation module_op, MlirExternalPass pass) {
  HmOpList loops = hm_collect_ops(module_op, MlirWalkPostOrder, is_for);
  if (loops.oom) {
    hm_op_list_free(&loops);
    mlirExternalPassSignalFailure(pass);
    return;
  }
  for (size_t i = 0; i < loops.count; ++i)
    move_invariant_reads(loops.ops[i]);
  hm_op_list_free(&loops);
}

MlirPass hm_invariant_tile_reads_pass(void) {
  static const HmModulePass pass = {"HelionInvariantTileReads", "helion-invariant-tile-reads",
                                    "move reads of a tile temporary that a loop does not write before the loop",
                                    invariant_tile_reads};
  return hm_module_pass(&pass);
}
