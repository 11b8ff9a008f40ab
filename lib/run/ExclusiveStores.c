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
 * unconditionally).
 *
 * Several stores into one host tensor and nothing else (a looped reduction split into its whole
 * chunks and its last one, lower/ops/Loops.c: each part stores its tiles) keep the mark when their
 * writes stay in program order: the stores sit in distinct ops of the grid body (or of a loop
 * around them all whose index moves every view: a tile of rows run row by row), and everything
 * that computes a later store's tile in place (its destination chain, down to its tensor.empty)
 * runs after the op holding the store before it. Each store's early writes then happen between the
 * previous store and its own, as they would at the stores. */
#include "run/ExclusiveStores.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

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

enum { kMaxStores = 8 };

/* The stores into `buffer` or a view of it (at most kMaxStores); false when anything else uses it (a
 * load, an atomic) or there are more. */
static bool collect_stores(MlirValue buffer, MlirOperation *stores, size_t *n) {
  for (MlirOpOperand use = mlirValueGetFirstUse(buffer); !mlirOpOperandIsNull(use); use = mlirOpOperandGetNextUse(use)) {
    MlirOperation user = mlirOpOperandGetOwner(use);
    if (hm_is_view(user) && mlirOpOperandGetOperandNumber(use) == 0) {
      if (!collect_stores(mlirOperationGetResult(user, 0), stores, n))
        return false;
      continue;
    }
    if (!hm_op_named(user, "bufferization.materialize_in_destination") || *n == kMaxStores)
      return false;
    stores[(*n)++] = user;
  }
  return true;
}

/* The op in `block` that is or holds `op`; null when `op` is outside the block. */
static MlirOperation ancestor_in(MlirOperation op, MlirBlock block) {
  while (!mlirOperationIsNull(op) && !mlirBlockEqual(mlirOperationGetBlock(op), block))
    op = mlirOperationGetParentOperation(op);
  return op;
}

static bool runs_after(MlirOperation op, MlirOperation earlier) {
  MlirOperation there = ancestor_in(op, mlirOperationGetBlock(earlier));
  return !mlirOperationIsNull(there) && mlirOperationIsBeforeInBlock(earlier, there);
}

/* Whether every op of `tile`'s destination chain (the ops eliminate-empty-tensors lets compute into
 * the store's view) runs after `earlier`; an op it does not know, or a chain longer than *budget,
 * answers no. */
static bool computed_after(MlirValue tile, MlirOperation earlier, int *budget) {
  while (--*budget >= 0) {
    if (mlirValueIsABlockArgument(tile)) { /* an scf.for's iter_arg: the loop's init */
      MlirOperation loop = mlirBlockGetParentOperation(mlirBlockArgumentGetOwner(tile));
      intptr_t arg = mlirBlockArgumentGetArgNumber(tile);
      if (!hm_op_named(loop, "scf.for") || arg == 0 || !runs_after(loop, earlier))
        return false;
      tile = mlirOperationGetOperand(loop, 2 + arg);
      continue;
    }
    MlirOperation op = mlirOpResultGetOwner(tile);
    intptr_t result = mlirOpResultGetResultNumber(tile);
    if (!runs_after(op, earlier))
      return false;
    if (hm_op_named(op, "tensor.empty") || hm_op_named(op, "bufferization.alloc_tensor"))
      return true;
    if (hm_op_named(op, "vector.transfer_write") || hm_op_named(op, "tensor.insert_slice"))
      tile = mlirOperationGetOperand(op, 1);
    else if (hm_op_named(op, "tensor.extract_slice") || hm_op_named(op, "tensor.expand_shape") ||
             hm_op_named(op, "tensor.collapse_shape") || hm_op_named(op, "tensor.cast"))
      tile = mlirOperationGetOperand(op, 0);
    else if (hm_op_named(op, "scf.for"))
      tile = mlirOperationGetOperand(op, 3 + result);
    else if (hm_op_name_starts(op, "linalg."))
      tile = mlirOperationGetOperand(op, mlirOperationGetNumOperands(op) - mlirOperationGetNumResults(op) + result);
    else
      return false;
  }
  return false;
}

static bool is_alias_op(MlirOperation op) {
  return hm_op_named(op, "tensor.extract_slice") || hm_op_named(op, "tensor.expand_shape") ||
         hm_op_named(op, "tensor.collapse_shape") || hm_op_named(op, "tensor.cast");
}

/* The op's init operands: the last as many operands as results (linalg's destination style). */
static bool is_linalg_init(MlirOperation op, intptr_t operand) {
  return operand >= mlirOperationGetNumOperands(op) - mlirOperationGetNumResults(op);
}

/* Whether `use` only reads its tensor, directly or through an alias of it; a use this does not know,
 * or a walk longer than *budget, answers no. */
static bool only_reads(MlirOpOperand use, int *budget) {
  if (--*budget < 0)
    return false;
  MlirOperation user = mlirOpOperandGetOwner(use);
  intptr_t operand = (intptr_t)mlirOpOperandGetOperandNumber(use);
  if (hm_op_name_starts(user, "linalg."))
    return !is_linalg_init(user, operand);
  if (operand == 0 && (hm_op_named(user, "vector.transfer_read") || hm_op_named(user, "tensor.extract") ||
                       hm_op_named(user, "tensor.dim") ||
                       hm_op_named(user, "bufferization.materialize_in_destination")))
    return true;
  if (operand != 0 || !is_alias_op(user))
    return false;
  for (MlirOpOperand next = mlirValueGetFirstUse(mlirOperationGetResult(user, 0)); !mlirOpOperandIsNull(next);
       next = mlirOpOperandGetNextUse(next))
    if (!only_reads(next, budget))
      return false;
  return true;
}

/* Whether every use of `value` but operand `chain_operand` of `chain_user` only reads it. */
static bool read_elsewhere_only(MlirValue value, MlirOperation chain_user, intptr_t chain_operand, int *budget) {
  for (MlirOpOperand use = mlirValueGetFirstUse(value); !mlirOpOperandIsNull(use); use = mlirOpOperandGetNextUse(use)) {
    bool chain = mlirOperationEqual(mlirOpOperandGetOwner(use), chain_user) &&
                 (intptr_t)mlirOpOperandGetOperandNumber(use) == chain_operand;
    if (!chain && !only_reads(use, budget))
      return false;
  }
  return true;
}

static bool is_empty_tensor(MlirValue value) {
  return mlirValueIsAOpResult(value) && hm_op_named(mlirOpResultGetOwner(value), "tensor.empty");
}

/* Whether the store's destination chain (what eliminate-empty-tensors puts in the store's view) is
 * the store's own: no value on it is also the destination of an op off the chain. Such a value
 * (after cse, one zero-filled tile as the init of two reductions) has two in-place writers, and the
 * bufferization may leave the other one in the view: then this store's copy of its own result
 * into the view overwrites the other's, which is still to be read (layer norm's rstd stored as its
 * mean). The tensor.empty that ends the chain may be shared, and is not looked at past it: after
 * cse one empty can be the destination of tiles in several loops (a looped layer norm's stored
 * chunks and its masked last chunk), and the elimination replaces the chain's use of it alone. */
static bool chain_is_private(MlirOperation store, int *budget) {
  MlirValue tile = mlirOperationGetOperand(store, 0);
  MlirOperation user = store;
  intptr_t operand = 0;
  while (!is_empty_tensor(tile) && read_elsewhere_only(tile, user, operand, budget)) {
    if (mlirValueIsABlockArgument(tile)) {
      MlirOperation loop = mlirBlockGetParentOperation(mlirBlockArgumentGetOwner(tile));
      intptr_t arg = mlirBlockArgumentGetArgNumber(tile);
      if (!hm_op_named(loop, "scf.for") || arg == 0)
        return false;
      user = loop;
      operand = 2 + arg;
    } else {
      MlirOperation op = mlirOpResultGetOwner(tile);
      intptr_t result = mlirOpResultGetResultNumber(tile);
      if (hm_op_named(op, "bufferization.alloc_tensor"))
        return true;
      if (hm_op_named(op, "vector.transfer_write") || hm_op_named(op, "tensor.insert_slice"))
        operand = 1;
      else if (is_alias_op(op))
        operand = 0;
      else if (hm_op_named(op, "scf.for"))
        operand = 3 + result;
      else if (hm_op_name_starts(op, "linalg."))
        operand = mlirOperationGetNumOperands(op) - mlirOperationGetNumResults(op) + result;
      else
        return false;
      user = op;
    }
    tile = mlirOperationGetOperand(user, operand);
  }
  return is_empty_tensor(tile);
}

/* The innermost block, no further out than the grid body, that is or holds the block of every
 * store: the grid body, or the body of a loop around all of them (a tile of rows run row by row,
 * SplitRows.c, stores each row's chunks in its row loop). */
static MlirBlock common_block(MlirOperation *stores, size_t n) {
  for (MlirOperation op = stores[0];; op = mlirOperationGetParentOperation(op)) {
    MlirBlock block = mlirOperationGetBlock(op);
    bool holds_all = true;
    for (size_t i = 1; i < n && holds_all; ++i)
      holds_all = !mlirOperationIsNull(ancestor_in(stores[i], block));
    MlirOperation parent = mlirOperationGetParentOperation(op);
    if (holds_all || mlirOperationIsNull(parent) || is_grid(parent) || hm_op_named(parent, "func.func"))
      return holds_all ? block : (MlirBlock){NULL};
  }
}

/* Several stores: in distinct ops of one block (common_block), each tile computed after the
 * previous store. Every loop between that block and a store moves the store's view
 * (stores_once_per_index), so a run of the block stores its own elements. */
static bool stores_in_order(MlirOperation *stores, size_t n) {
  MlirOperation tops[kMaxStores];
  MlirBlock block = common_block(stores, n);
  if (mlirBlockIsNull(block))
    return false;
  for (size_t i = 0; i < n; ++i) {
    MlirOperation top = ancestor_in(stores[i], block), store = stores[i];
    size_t j = i;
    for (; j > 0 && mlirOperationIsBeforeInBlock(top, tops[j - 1]); --j) {
      tops[j] = tops[j - 1];
      stores[j] = stores[j - 1];
    }
    tops[j] = top;
    stores[j] = store;
  }
  for (size_t i = 1; i < n; ++i) {
    int budget = 64;
    if (!mlirOperationIsBeforeInBlock(tops[i - 1], tops[i]) ||
        !computed_after(mlirOperationGetOperand(stores[i], 0), tops[i - 1], &budget))
      return false;
  }
  return true;
}

static bool is_only_access(MlirValue buffer) {
  MlirOperation stores[kMaxStores];
  size_t n = 0;
  if (!collect_stores(buffer, stores, &n))
    return false;
  return n == 1 || (n > 1 && stores_in_order(stores, n));
}

static void keep_if_exclusive(MlirOperation module_op, MlirOperation store) {
  MlirValue view = mlirOperationGetOperand(store, 1);
  int budget = 256;
  bool exclusive = mlirTypeIsAMemRef(mlirValueGetType(view)) && is_only_access(hm_buffer_of(view)) &&
                   stores_once_per_index(store, view) && chain_is_private(store, &budget);
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
