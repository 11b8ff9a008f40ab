/* Bufferized, a tile grid iteration allocates the temporaries it does not compute in the host
 * tensors (a looped reduction's accumulators and its padded last chunk, a matmul's packed edge
 * tiles) with malloc, and frees them before it ends: layer norm over 4-row tiles with reduction
 * loops of 256 made seven pairs per iteration, and glibc's _int_free alone took 6% of its run
 * (perf, one row a tile), since a chunk's 4 KB buffer is too large for malloc's per-thread cache.
 *
 * Once the grid is an omp.parallel around a static omp.wsloop, each thread runs its iterations one
 * after another, so a buffer whose life is one iteration can be one buffer per thread, reused: a
 * memref.alloca at the start of the parallel region, which each thread enters once, on its own
 * stack (megabytes for an OpenMP thread). Such a buffer is a memref.alloc of a static shape in the
 * default memory space, in the iteration's body, freed by one memref.dealloc in its own block, and
 * used only by reads, writes, copies, views and that dealloc: nothing that could carry it out of
 * the block (a loop's or a branch's yield, a call, its address taken for the deallocation's
 * aliasing checks). So it lives within one run of its block (the iteration's own, a loop's body or
 * a branch), and a thread runs a block once at a time: each buffer gets a stack buffer of its own,
 * and each run finds in it what the thread's previous run left instead of what malloc returned,
 * which is as undefined: bufferization writes a buffer before it reads it. At most kStackBudget
 * bytes a region move; the rest stay on the heap. */
#include "run/ThreadBuffers.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* Per thread and parallel region: tiles of a few KB fit many times over, and a kernel called from a
 * thread with a small stack still has room. */
enum { kStackBudget = 128 * 1024 };

/* The parallel region whose wsloop's loop_nest `op` is in; null when there is none. */
static MlirOperation grid_region_of(MlirOperation op) {
  MlirOperation nest = mlirOperationGetParentOperation(op);
  while (!mlirOperationIsNull(nest) && !hm_op_named(nest, "omp.loop_nest") &&
         !hm_op_named(nest, "func.func"))
    nest = mlirOperationGetParentOperation(nest);
  if (mlirOperationIsNull(nest) || !hm_op_named(nest, "omp.loop_nest"))
    return (MlirOperation){NULL};
  MlirOperation wsloop = mlirOperationGetParentOperation(nest);
  if (mlirOperationIsNull(wsloop) || !hm_op_named(wsloop, "omp.wsloop"))
    return (MlirOperation){NULL};
  MlirOperation parallel = mlirOperationGetParentOperation(wsloop);
  if (mlirOperationIsNull(parallel) || !hm_op_named(parallel, "omp.parallel"))
    return (MlirOperation){NULL};
  return parallel;
}

/* The bytes of a static memref of integer, index or float elements with the identity layout in
 * the default memory space; -1 for another memref, or one past kStackBudget bytes. */
static int64_t static_bytes(MlirType type) {
  if (!mlirTypeIsAMemRef(type) || !mlirShapedTypeHasStaticShape(type) ||
      !mlirAffineMapIsIdentity(mlirMemRefTypeGetAffineMap(type)) ||
      !mlirAttributeIsNull(mlirMemRefTypeGetMemorySpace(type)))
    return -1;
  MlirType element = mlirShapedTypeGetElementType(type);
  int64_t bytes;
  if (mlirTypeIsAInteger(element))
    bytes = ((int64_t)mlirIntegerTypeGetWidth(element) + 7) / 8;
  else if (mlirTypeIsAIndex(element))
    bytes = 8;
  else if (mlirTypeIsAFloat(element))
    bytes = ((int64_t)mlirFloatTypeGetWidth(element) + 7) / 8;
  else
    return -1;
  for (intptr_t d = 0; d < mlirShapedTypeGetRank(type); ++d) {
    int64_t size = mlirShapedTypeGetDimSize(type, d);
    if (size != 0 && bytes > kStackBudget / size)
      return -1;
    bytes *= size;
  }
  return bytes;
}

/* Ops that touch a buffer's elements and keep no reference to it. */
static bool is_access(MlirOperation op) {
  static const char *const accesses[] = {
      "vector.transfer_read", "vector.transfer_write", "vector.load", "vector.store",
      "vector.maskedload",    "vector.maskedstore",    "memref.load", "memref.store",
      "memref.copy",          "memref.dim"};
  for (size_t i = 0; i < sizeof accesses / sizeof accesses[0]; ++i)
    if (hm_op_named(op, accesses[i]))
      return true;
  return false;
}

/* Whether every use of `buffer` (a view of the allocation, or the allocation itself) is an access
 * or a view whose uses are, but for the allocation's own deallocs, which `deallocs` counts. */
static bool only_accessed(MlirValue buffer, MlirValue allocation, int *deallocs) {
  for (MlirOpOperand use = mlirValueGetFirstUse(buffer); !mlirOpOperandIsNull(use);
       use = mlirOpOperandGetNextUse(use)) {
    MlirOperation user = mlirOpOperandGetOwner(use);
    if (hm_op_named(user, "memref.dealloc")) {
      MlirBlock home = mlirOperationGetBlock(mlirOpResultGetOwner(allocation));
      if (!mlirValueEqual(buffer, allocation) || !mlirBlockEqual(mlirOperationGetBlock(user), home))
        return false;
      ++*deallocs;
    } else if (hm_is_view(user)) {
      if (mlirOpOperandGetOperandNumber(use) != 0 ||
          !only_accessed(mlirOperationGetResult(user, 0), allocation, deallocs))
        return false;
    } else if (!is_access(user)) {
      return false;
    }
  }
  return true;
}

static bool is_iteration_buffer(MlirOperation op) {
  if (!hm_op_named(op, "memref.alloc") || mlirOperationGetNumOperands(op) != 0 ||
      mlirOperationIsNull(grid_region_of(op)))
    return false;
  MlirValue buffer = mlirOperationGetResult(op, 0);
  int deallocs = 0;
  return static_bytes(mlirValueGetType(buffer)) >= 0 && only_accessed(buffer, buffer, &deallocs) && deallocs == 1;
}

/* The alloca of `alloc`'s type and alignment at the start of `region`'s body. */
static MlirValue thread_buffer(MlirOperation region, MlirOperation alloc) {
  MlirContext ctx = mlirOperationGetContext(alloc);
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(region, 0));
  MlirIdentifier segments = mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("operandSegmentSizes"));
  MlirIdentifier alignment = mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("alignment"));
  /* No dynamic sizes, no symbols. */
  MlirAttribute none = mlirDenseI32ArrayGet(ctx, 2, (const int32_t[]){0, 0});
  MlirNamedAttribute attrs[2] = {mlirNamedAttributeGet(segments, none)};
  intptr_t nattrs = 1;
  MlirAttribute aligned = mlirOperationGetAttributeByName(alloc, mlirIdentifierStr(alignment));
  if (!mlirAttributeIsNull(aligned))
    attrs[nattrs++] = mlirNamedAttributeGet(alignment, aligned);
  return hm_insert_op(body, mlirBlockGetFirstOperation(body), mlirOperationGetLocation(alloc), "memref.alloca",
                      0, NULL, mlirValueGetType(mlirOperationGetResult(alloc, 0)), nattrs, attrs);
}

static void erase_deallocs(MlirValue buffer) {
  MlirOpOperand use = mlirValueGetFirstUse(buffer);
  while (!mlirOpOperandIsNull(use)) {
    MlirOperation user = mlirOpOperandGetOwner(use);
    use = mlirOpOperandGetNextUse(use);
    if (hm_op_named(user, "memref.dealloc"))
      mlirOperationDestroy(user);
  }
}

static void thread_buffers(MlirOperation module_op, MlirExternalPass pass) {
  HmOpList found = hm_collect_ops(module_op, MlirWalkPreOrder, is_iteration_buffer);
  if (found.oom) {
    hm_op_list_free(&found);
    mlirExternalPassSignalFailure(pass);
    return;
  }
  /* A pre-order walk finds a region's buffers one after another. */
  MlirOperation region = {NULL};
  int64_t left = 0;
  for (size_t i = 0; i < found.count; ++i) {
    MlirOperation alloc = found.ops[i];
    MlirOperation parent = grid_region_of(alloc);
    if (!mlirOperationEqual(parent, region)) {
      region = parent;
      left = kStackBudget;
    }
    int64_t bytes = static_bytes(mlirValueGetType(mlirOperationGetResult(alloc, 0)));
    if (bytes > left)
      continue;
    left -= bytes;
    MlirValue buffer = mlirOperationGetResult(alloc, 0);
    erase_deallocs(buffer);
    mlirValueReplaceAllUsesOfWith(buffer, thread_buffer(region, alloc));
    mlirOperationDestroy(alloc);
  }
  hm_op_list_free(&found);
}

MlirPass hm_thread_buffers_pass(void) {
  static const HmModulePass pass = {"HelionThreadBuffers", "helion-thread-buffers",
                                    "a grid iteration's own buffers as one stack buffer per thread",
                                    thread_buffers};
  return hm_module_pass(&pass);
}
