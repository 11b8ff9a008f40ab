/* The lowering reads a tile as bufferization.to_tensor of a view of the host tensor, marked
 * `restrict`: the tensor is the memory, and bufferization reads it where the ops that use the tensor
 * end up, not where the load was. A kernel that reads `out[tile]`, then stores into `out`, then uses
 * what it read (`old = out[tile]; out[tile] = x[tile]; y[tile] = old * 2`) would see the stored
 * values; fusing an elementwise op into a later one, or into its store, moves the read later still.
 * So a read of a host tensor the kernel also writes is copied where it is read. Reads of tensors
 * nothing writes (most of them) stay views, with no copy. */
#include "run/SnapshotReads.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"

/* Ops that only read a buffer they are given. */
static bool reads_only(MlirOperation op) {
  return hm_op_named(op, "bufferization.to_tensor") || hm_op_named(op, "memref.load") ||
         hm_op_named(op, "vector.transfer_read") || hm_op_named(op, "vector.load") || hm_op_named(op, "memref.dim");
}

/* Whether an op other than a view or a read uses `buffer` or a view of it. */
static bool written(MlirValue buffer) {
  for (MlirOpOperand use = mlirValueGetFirstUse(buffer); !mlirOpOperandIsNull(use); use = mlirOpOperandGetNextUse(use)) {
    MlirOperation user = mlirOpOperandGetOwner(use);
    if (hm_is_view(user) && mlirOpOperandGetOperandNumber(use) == 0) {
      if (written(mlirOperationGetResult(user, 0)))
        return true;
    } else if (!reads_only(user)) {
      return true;
    }
  }
  return false;
}

static bool is_host_read(MlirOperation op) {
  return hm_op_named(op, "bufferization.to_tensor") &&
         mlirTypeIsAMemRef(mlirValueGetType(mlirOperationGetOperand(op, 0)));
}

/* `bufferization.alloc_tensor() copy(%read)` after the read, taking every use of it. */
static void snapshot(MlirOperation read) {
  MlirValue tensor = mlirOperationGetResult(read, 0);
  MlirContext ctx = mlirOperationGetContext(read);
  MlirType type = mlirValueGetType(tensor);
  int32_t segments[] = {0, 1, 0}; /* dynamic_sizes, copy, size_hint */
  MlirNamedAttribute sizes = mlirNamedAttributeGet(
      mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("operandSegmentSizes")),
      mlirDenseI32ArrayGet(ctx, 3, segments));
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString("bufferization.alloc_tensor"),
                                                   mlirOperationGetLocation(read));
  mlirOperationStateAddOperands(&state, 1, &tensor);
  mlirOperationStateAddResults(&state, 1, &type);
  mlirOperationStateAddAttributes(&state, 1, &sizes);
  MlirOperation copy = mlirOperationCreate(&state);
  mlirBlockInsertOwnedOperationAfter(mlirOperationGetBlock(read), read, copy);
  MlirValue copied = mlirOperationGetResult(copy, 0);
  MlirOpOperand use = mlirValueGetFirstUse(tensor);
  while (!mlirOpOperandIsNull(use)) {
    MlirOpOperand next = mlirOpOperandGetNextUse(use);
    MlirOperation user = mlirOpOperandGetOwner(use);
    if (!mlirOperationEqual(user, copy))
      mlirOperationSetOperand(user, mlirOpOperandGetOperandNumber(use), copied);
    use = next;
  }
}

static void snapshot_if_written(MlirOperation module_op, MlirOperation read) {
  if (written(hm_buffer_of(mlirOperationGetOperand(read, 0))))
    snapshot(read);
}

static void snapshot_reads(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_host_read, snapshot_if_written);
}

MlirPass hm_snapshot_reads_pass(void) {
  static const HmModulePass pass = {"HelionSnapshotReads", "helion-snapshot-reads",
                                    "copy each tile read of a host tensor the kernel also writes where it is read",
                                    snapshot_reads};
  return hm_module_pass(&pass);
}
