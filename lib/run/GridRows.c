/* A tile grid over rows and columns (add's [32, 256] tiles of a 2048 x 2048 tensor) reads as
 *
 *   scf.parallel (%i0, %j0) = ... step (%c32, %c256) {
 *     %x = memref.subview %arg0[%i0, %j0] [32, 256] [1, 1] ...
 *     scf.for %i = %c0 to %c32 step %c1 {
 *       scf.for %j = %c0 to %c256 step %c64 { ... %x[%i, %j] ... }
 *     }
 *   }
 *
 * once bufferized: each tile walks 32 rows of 1 KB, 8 KB apart, in every tensor it touches, and the
 * next tile the same rows 1 KB further. That is 32 short streams per tensor at a time, more than the
 * hardware prefetchers follow: add ran at 55% of torch's speed on one Zen 3 core, and at 90% with
 * tiles of whole rows ([32, 2048]), whose rows follow one another in memory. The grid's iterations are
 * independent (a parallel loop), so the innermost grid dimension may run inside the tile's row loop:
 *
 *   scf.parallel (%i0) = ... step (%c32) {
 *     scf.for %i = %c0 to %c32 step %c1 {
 *       scf.for %j0 = %c0 to %c2048 step %c256 {
 *         %x = memref.subview %arg0[%i0, %j0] ...
 *         scf.for %j = ... { ... }
 *
 * each grid row then reads its rows whole, one after another. Every iteration of the grid still runs
 * its row loop's iterations in order; only iterations of different tiles interleave. Taken: a grid of
 * two or more dimensions without reductions whose body is views and index arithmetic (pure, so
 * computing them once per row is the same) and then one loop without results, its bounds defined
 * outside the grid; the last grid dimension has two tiles or more, and the others keep at least
 * kMinTiles for the threads. Any other body (several loops, buffers allocated per tile, a matmul's
 * accumulator) keeps its grid. */
#include "run/GridRows.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* The tiles the remaining grid dimensions must still have between them: the threads share those. */
enum { kMinTiles = 16 };

/* Ops without side effects that a tile's body computes its views from. */
static bool is_view_or_index(MlirOperation op) {
  static const char *const names[] = {"memref.subview",       "memref.cast",          "memref.reinterpret_cast",
                                      "memref.expand_shape",  "memref.collapse_shape", "affine.apply",
                                      "affine.min",           "affine.max",           "ub.poison",
                                      "vector.create_mask",   "vector.constant_mask"};
  if (hm_op_name_starts(op, "arith.") || hm_op_name_starts(op, "index."))
    return mlirOperationGetNumRegions(op) == 0;
  for (size_t i = 0; i < sizeof names / sizeof *names; ++i)
    if (hm_op_named(op, names[i]))
      return true;
  return false;
}

/* The static trip count of a loop dimension, -1 when its bounds are not constants. */
static int64_t trip_count(MlirValue lower, MlirValue upper, MlirValue step) {
  int64_t lo, hi, st;
  if (!hm_constant_index(lower, &lo) || !hm_constant_index(upper, &hi) || !hm_constant_index(step, &st) ||
      st <= 0)
    return -1;
  return hi <= lo ? 0 : (hi - lo - 1) / st + 1;
}

/* The grid's single row loop, or null when the grid is not one this pass takes. scf.parallel's
 * operands: the lower bounds, the upper bounds, the steps (one each per dimension), no inits. */
static MlirOperation row_loop(MlirOperation grid) {
  MlirOperation none = {NULL};
  intptr_t operands = mlirOperationGetNumOperands(grid);
  if (mlirOperationGetNumResults(grid) != 0 || operands % 3 != 0 || operands < 6)
    return none;
  intptr_t dims = operands / 3;
  int64_t outer = 1;
  for (intptr_t d = 0; d < dims; ++d) {
    int64_t n = trip_count(mlirOperationGetOperand(grid, d), mlirOperationGetOperand(grid, dims + d),
                           mlirOperationGetOperand(grid, 2 * dims + d));
    if (n < 0 || (d == dims - 1 && n < 2))
      return none;
    if (d < dims - 1)
      outer = outer > INT64_MAX / (n ? n : 1) ? INT64_MAX : outer * n;
  }
  if (outer < kMinTiles)
    return none;
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(grid, 0));
  MlirOperation loop = none;
  for (MlirOperation op = mlirBlockGetFirstOperation(body); !mlirOperationIsNull(op);
       op = mlirOperationGetNextInBlock(op)) {
    if (hm_op_named(op, "scf.reduce")) {
      if (mlirOperationGetNumOperands(op) != 0)
        return none;
    } else if (hm_op_named(op, "scf.for") && mlirOperationIsNull(loop)) {
      loop = op;
    } else if (!mlirOperationIsNull(loop) || !is_view_or_index(op)) {
      return none;
    }
  }
  if (mlirOperationIsNull(loop) || mlirOperationGetNumResults(loop) != 0)
    return none;
  for (intptr_t i = 0; i < 3; ++i)
    if (!hm_defined_outside(mlirOperationGetOperand(loop, i), grid))
      return none;
  return loop;
}

static bool is_row_grid(MlirOperation op) {
  return hm_op_named(op, "scf.parallel") && !mlirOperationIsNull(row_loop(op));
}

static MlirOperation create_for(MlirValue lower, MlirValue upper, MlirValue step, MlirLocation loc) {
  MlirContext ctx = mlirLocationGetContext(loc);
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString("scf.for"), loc);
  MlirValue bounds[3] = {lower, upper, step};
  mlirOperationStateAddOperands(&state, 3, bounds);
  MlirType index = mlirIndexTypeGet(ctx);
  MlirBlock block = mlirBlockCreate(1, &index, &loc);
  MlirRegion region = mlirRegionCreate();
  mlirRegionAppendOwnedBlock(region, block);
  mlirOperationStateAddOwnedRegions(&state, 1, &region);
  MlirOperation loop = mlirOperationCreate(&state);
  MlirOperationState yield = mlirOperationStateGet(mlirStringRefCreateFromCString("scf.yield"), loc);
  mlirBlockAppendOwnedOperation(block, mlirOperationCreate(&yield));
  return loop;
}

static void sink_last_dimension(MlirOperation grid) {
  MlirOperation rows = row_loop(grid);
  MlirContext ctx = mlirOperationGetContext(grid);
  intptr_t dims = mlirOperationGetNumOperands(grid) / 3;
  MlirBlock grid_body = mlirRegionGetFirstBlock(mlirOperationGetRegion(grid, 0));
  MlirBlock row_body = mlirRegionGetFirstBlock(mlirOperationGetRegion(rows, 0));
  MlirOperation row_yield = mlirBlockGetTerminator(row_body);

  /* The loop over the last dimension's tiles, first in the row loop's body: the views and index
   * arithmetic before the row loop, then the row loop's own body, move into it. */
  MlirOperation tiles = create_for(mlirOperationGetOperand(grid, dims - 1), mlirOperationGetOperand(grid, 2 * dims - 1),
                                   mlirOperationGetOperand(grid, 3 * dims - 1), mlirOperationGetLocation(grid));
  mlirBlockInsertOwnedOperationBefore(row_body, mlirBlockGetFirstOperation(row_body), tiles);
  MlirBlock tile_body = mlirRegionGetFirstBlock(mlirOperationGetRegion(tiles, 0));
  MlirOperation tile_yield = mlirBlockGetTerminator(tile_body);
  for (MlirOperation op = mlirBlockGetFirstOperation(grid_body); !mlirOperationEqual(op, rows);) {
    MlirOperation next = mlirOperationGetNextInBlock(op);
    mlirOperationMoveBefore(op, tile_yield);
    op = next;
  }
  for (MlirOperation op = mlirOperationGetNextInBlock(tiles); !mlirOperationEqual(op, row_yield);) {
    MlirOperation next = mlirOperationGetNextInBlock(op);
    mlirOperationMoveBefore(op, tile_yield);
    op = next;
  }
  mlirValueReplaceAllUsesOfWith(mlirBlockGetArgument(grid_body, dims - 1), mlirBlockGetArgument(tile_body, 0));
  mlirBlockEraseArgument(grid_body, (unsigned)(dims - 1));

  /* The grid keeps its other dimensions. */
  MlirValue operands[3 * 64];
  for (int part = 0; part < 3; ++part)
    for (intptr_t d = 0; d < dims - 1; ++d)
      operands[part * (dims - 1) + d] = mlirOperationGetOperand(grid, part * dims + d);
  mlirOperationSetOperands(grid, 3 * (dims - 1), operands);
  int32_t segments[4] = {(int32_t)(dims - 1), (int32_t)(dims - 1), (int32_t)(dims - 1), 0};
  mlirOperationSetAttributeByName(grid, mlirStringRefCreateFromCString("operandSegmentSizes"),
                                  mlirDenseI32ArrayGet(ctx, 4, segments));
}

/* A grid of more than 64 dimensions is left as it is. */
static void sink_taken(MlirOperation module_op, MlirOperation grid) {
  if (mlirOperationGetNumOperands(grid) / 3 <= 64)
    sink_last_dimension(grid);
}

static void grid_rows(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_row_grid, sink_taken);
}

MlirPass hm_grid_rows_pass(void) {
  static const HmModulePass pass = {"HelionGridRows", "helion-grid-rows",
                                    "the last dimension of a row-loop tile grid inside the tile's row loop",
                                    grid_rows};
  return hm_module_pass(&pass);
}
