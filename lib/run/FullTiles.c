/* A tile at the edge of a tensor is smaller than the block size, so the lowering computes each tile's
 * extent, min(upper - iv, step), and loads a tile as a tensor.pad of the part inside the tensor:
 *
 *   scf.parallel (%i, %j) = (0, 0) to (1000, 1000) step (64, 64) {
 *     %m = arith.minsi (1000 - %i), 64                      (and %n for %j)
 *     scf.for %k = 0 to 1000 step 16 iter_args(%acc = ...) {
 *       %kk = arith.minsi (1000 - %k), 16
 *       %a = tensor.pad x[%i, %k] [%m, %kk] high[64 - %m, 16 - %kk]
 *       ... linalg.matmul ins(%a, %b) outs(%acc)
 *
 * A matmul's padded operand becomes a packed copy (lib/run/matmul.mlir): a fill of the tile and a
 * masked copy of its rows at every K step of every tile, though only the last row and column of
 * tiles and the last K step have anything to pad. A 1000^3 matmul of [64, 64, 16] tiles ran at 0.80
 * of torch.mm, a 960^3 one, whose sizes divide and which has no pads, at 1.03. So the K loop of a
 * tile grid's body, where it pads a matmul's operand, first runs its whole steps of whole tiles
 * with every extent the step:
 *
 *   %acc0, %k0 = scf.if (%i + 64 <= 1000 and %j + 64 <= 1000) {
 *     scf.for %k = 0 to 992 step 16 { the K step, %m = %n = 64, %kk = 16 }, 992
 *   } else { %acc_init, 0 }
 *   scf.for %k = %k0 to 1000 step 16 iter_args(%acc = %acc0) { the K step as it was }
 *
 * The canonicalizer folds those pads, whose padding is 0, and the matmul reads its tiles in place,
 * as it does when the sizes divide; the last, partial K step of a whole tile, and every step of an
 * edge tile, run the loop as it was. Two copies of the matmul, not the three of a version of the
 * whole body with the whole tiles' K loop peeled, which took twice the LLVM time. A dimension whose
 * tiles are all whole (constant bounds the step divides) has its extents replaced without a test. */
#include "run/FullTiles.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

enum { CMPI_SLE = 3 }; /* arith.cmpi's predicate attribute */

static bool same_index(MlirValue a, MlirValue b) {
  int64_t x, y;
  return mlirValueEqual(a, b) || (hm_constant_index(a, &x) && hm_constant_index(b, &y) && x == y);
}

/* One dimension of a loop: its induction variable and bounds. */
typedef struct Dim {
  MlirValue iv, lower, upper, step;
} Dim;

/* Whether `op` is a tile's extent in `dim`: arith.minsi of (upper - iv) and the step, either way round. */
static bool is_extent(MlirOperation op, Dim dim) {
  if (!hm_op_named(op, "arith.minsi"))
    return false;
  for (intptr_t i = 0; i < 2; ++i) {
    MlirOperation rest = hm_defining_op(mlirOperationGetOperand(op, i));
    if (!mlirOperationIsNull(rest) && hm_op_named(rest, "arith.subi") &&
        same_index(mlirOperationGetOperand(rest, 0), dim.upper) &&
        mlirValueEqual(mlirOperationGetOperand(rest, 1), dim.iv) &&
        same_index(mlirOperationGetOperand(op, 1 - i), dim.step))
      return true;
  }
  return false;
}

static bool has_extent(MlirBlock block, Dim dim) {
  for (MlirOperation op = mlirBlockGetFirstOperation(block); !mlirOperationIsNull(op);
       op = mlirOperationGetNextInBlock(op))
    if (is_extent(op, dim))
      return true;
  return false;
}

/* Whether `op` is an offset clamped into the tensor, arith.minsi of iv and the upper bound (dynamic
 * sizes): iv itself in any iteration. */
static bool is_clamped_iv(MlirOperation op, Dim dim) {
  if (!hm_op_named(op, "arith.minsi"))
    return false;
  MlirValue a = mlirOperationGetOperand(op, 0), b = mlirOperationGetOperand(op, 1);
  return (mlirValueEqual(a, dim.iv) && same_index(b, dim.upper)) ||
         (mlirValueEqual(b, dim.iv) && same_index(a, dim.upper));
}

/* The tiles that run `block` are whole in `dim`: its extents there are the step. In order, so that
 * an extent computed from a clamped offset is one once the offset is iv. */
static void make_whole(MlirBlock block, Dim dim) {
  for (MlirOperation op = mlirBlockGetFirstOperation(block); !mlirOperationIsNull(op);
       op = mlirOperationGetNextInBlock(op)) {
    if (is_clamped_iv(op, dim))
      mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(op, 0), dim.iv);
    else if (is_extent(op, dim))
      mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(op, 0), dim.step);
  }
}

/* The constant bounds of `dim`, false when they are not constants, the step is not positive or their
 * difference overflows. */
static bool constant_bounds(Dim dim, int64_t *lower, int64_t *upper, int64_t *step, int64_t *trip) {
  return hm_constant_index(dim.lower, lower) && hm_constant_index(dim.upper, upper) &&
         hm_constant_index(dim.step, step) && *step > 0 && !__builtin_sub_overflow(*upper, *lower, trip);
}

static bool always_whole(Dim dim) {
  int64_t lower, upper, step, trip;
  return constant_bounds(dim, &lower, &upper, &step, &trip) && trip % step == 0;
}

static MlirValue index_constant(MlirBlock block, MlirOperation before, MlirLocation loc, int64_t value) {
  MlirContext ctx = mlirLocationGetContext(loc);
  MlirType index = mlirIndexTypeGet(ctx);
  MlirNamedAttribute attr = mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("value")),
                                                  mlirIntegerAttrGet(index, value));
  return hm_insert_op(block, before, loc, "arith.constant", 0, NULL, index, 1, &attr);
}

static MlirValue binary(MlirBlock block, MlirOperation before, MlirLocation loc, const char *name, MlirValue a,
                        MlirValue b) {
  return hm_insert_op(block, before, loc, name, 2, (MlirValue[]){a, b}, mlirValueGetType(a), 0, NULL);
}

static bool is_contraction(MlirOperation op) {
  return hm_op_named(op, "linalg.matmul") || hm_op_named(op, "linalg.batch_matmul");
}

static MlirWalkResult find_padded_operand(MlirOperation op, void *found) {
  if (!hm_op_named(op, "tensor.pad"))
    return MlirWalkResultAdvance;
  for (MlirOpOperand use = mlirValueGetFirstUse(mlirOperationGetResult(op, 0)); !mlirOpOperandIsNull(use);
       use = mlirOpOperandGetNextUse(use))
    if (is_contraction(mlirOpOperandGetOwner(use))) {
      *(bool *)found = true;
      return MlirWalkResultInterrupt;
    }
  return MlirWalkResultAdvance;
}

/* Whether a matmul under `root` takes a padded tile: only then are whole tiles worth a version. */
static bool pads_a_matmul_operand(MlirOperation root) {
  bool found = false;
  mlirOperationWalk(root, find_padded_operand, &found, MlirWalkPreOrder);
  return found;
}

static MlirBlock body_of(MlirOperation loop) { return mlirRegionGetFirstBlock(mlirOperationGetRegion(loop, 0)); }

/* ---- The whole tiles' steps of a K loop ---- */

/* scf.for's operands: lower bound, upper bound, step, then the iter_args' initial values. */
static Dim for_dim(MlirOperation loop) {
  return (Dim){mlirBlockGetArgument(body_of(loop), 0), mlirOperationGetOperand(loop, 0),
               mlirOperationGetOperand(loop, 1), mlirOperationGetOperand(loop, 2)};
}

/* scf.parallel's operands: the lower bounds, the upper bounds, the steps (then reduction inits). */
static Dim grid_dim(MlirOperation grid, intptr_t d) {
  intptr_t rank = mlirBlockGetNumArguments(body_of(grid));
  return (Dim){mlirBlockGetArgument(body_of(grid), d), mlirOperationGetOperand(grid, d),
               mlirOperationGetOperand(grid, rank + d), mlirOperationGetOperand(grid, 2 * rank + d)};
}

static bool is_padding_grid(MlirOperation op) {
  return hm_op_named(op, "scf.parallel") && pads_a_matmul_operand(op);
}

static bool is_padding_loop(MlirOperation op) { return hm_op_named(op, "scf.for") && pads_a_matmul_operand(op); }

/* Where the whole steps of `dim` end: upper - (upper - lower) % step, at most lower when the loop
 * runs no iteration; a constant when the bounds are. */
static MlirValue whole_steps_end(Dim dim, MlirBlock block, MlirOperation before, MlirLocation loc) {
  int64_t lower, upper, step, trip;
  if (constant_bounds(dim, &lower, &upper, &step, &trip))
    return trip % step == 0 ? dim.upper : index_constant(block, before, loc, upper - trip % step);
  MlirValue trip_count = binary(block, before, loc, "arith.subi", dim.upper, dim.lower);
  MlirValue rest = binary(block, before, loc, "arith.remsi", trip_count, dim.step);
  return binary(block, before, loc, "arith.subi", dim.upper, rest);
}

/* Whether the tile at `grid`'s induction variables is whole in every dimension that has extents: an
 * i1 computed before `before`, the constant true when no dimension has. */
static MlirValue whole_tile(MlirOperation grid, MlirOperation before, MlirLocation loc) {
  MlirContext ctx = mlirLocationGetContext(loc);
  MlirBlock body = body_of(grid);
  MlirType i1 = mlirIntegerTypeGet(ctx, 1);
  MlirValue whole = {NULL};
  for (intptr_t d = 0; d < mlirBlockGetNumArguments(body); ++d) {
    Dim dim = grid_dim(grid, d);
    if (!has_extent(body, dim))
      continue;
    MlirValue end = binary(body, before, loc, "arith.addi", dim.iv, dim.step);
    MlirNamedAttribute sle = mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("predicate")),
                                                   mlirIntegerAttrGet(mlirIntegerTypeGet(ctx, 64), CMPI_SLE));
    MlirValue fits = hm_insert_op(body, before, loc, "arith.cmpi", 2, (MlirValue[]){end, dim.upper}, i1, 1, &sle);
    whole = mlirValueIsNull(whole) ? fits : binary(body, before, loc, "arith.andi", whole, fits);
  }
  if (!mlirValueIsNull(whole))
    return whole;
  MlirNamedAttribute one = mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("value")),
                                                 mlirIntegerAttrGet(i1, 1));
  return hm_insert_op(body, before, loc, "arith.constant", 0, NULL, i1, 1, &one);
}

/* Under an op that runs for whole tiles only, the uses of the grid's extents become the steps. */
static MlirWalkResult use_whole_extents(MlirOperation op, void *grid_ptr) {
  MlirOperation grid = *(MlirOperation *)grid_ptr;
  MlirBlock body = body_of(grid);
  for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i) {
    MlirOperation def = hm_defining_op(mlirOperationGetOperand(op, i));
    if (mlirOperationIsNull(def) || !mlirBlockEqual(mlirOperationGetBlock(def), body))
      continue;
    for (intptr_t d = 0; d < mlirBlockGetNumArguments(body); ++d)
      if (is_extent(def, grid_dim(grid, d))) {
        mlirOperationSetOperand(op, i, grid_dim(grid, d).step);
        break;
      }
  }
  return MlirWalkResultAdvance;
}

static void append_yield(MlirBlock block, MlirLocation loc, intptr_t n, const MlirValue *values) {
  MlirOperationState yield = mlirOperationStateGet(mlirStringRefCreateFromCString("scf.yield"), loc);
  mlirOperationStateAddOperands(&yield, n, values);
  mlirBlockAppendOwnedOperation(block, mlirOperationCreate(&yield));
}

/* `loop`, a K loop of `grid`'s body, starts where a copy of it over the whole steps of a whole tile
 * ends, and at its own start in an edge tile. False when an array cannot be allocated. */
static bool split_whole_steps(MlirOperation grid, MlirOperation loop) {
  MlirBlock block = mlirOperationGetBlock(loop);
  MlirLocation loc = mlirOperationGetLocation(loop);
  Dim k = for_dim(loop);
  intptr_t carried = mlirOperationGetNumResults(loop);
  MlirValue *values = calloc((size_t)carried + 1, sizeof *values);
  MlirType *types = calloc((size_t)carried + 1, sizeof *types);
  if (!values || !types) {
    free(values);
    free(types);
    return false;
  }
  MlirValue whole = whole_tile(grid, loop, loc);
  MlirValue end = whole_steps_end(k, block, loop, loc);

  MlirRegion regions[2] = {mlirRegionCreate(), mlirRegionCreate()};
  MlirBlock then_block = mlirBlockCreate(0, NULL, NULL), else_block = mlirBlockCreate(0, NULL, NULL);
  mlirRegionAppendOwnedBlock(regions[0], then_block);
  mlirRegionAppendOwnedBlock(regions[1], else_block);

  MlirOperation steps = mlirOperationClone(loop);
  mlirBlockAppendOwnedOperation(then_block, steps);
  mlirOperationWalk(steps, use_whole_extents, &grid, MlirWalkPreOrder);
  /* Its K extents still compute from the full upper bound, which is set after. */
  make_whole(body_of(steps), (Dim){mlirBlockGetArgument(body_of(steps), 0), k.lower, k.upper, k.step});
  mlirOperationSetOperand(steps, 1, end);
  for (intptr_t i = 0; i < carried; ++i)
    values[i] = mlirOperationGetResult(steps, i);
  values[carried] = end;
  append_yield(then_block, loc, carried + 1, values);
  for (intptr_t i = 0; i < carried; ++i)
    values[i] = mlirOperationGetOperand(loop, 3 + i);
  values[carried] = k.lower;
  append_yield(else_block, loc, carried + 1, values);

  for (intptr_t i = 0; i <= carried; ++i)
    types[i] = mlirValueGetType(values[i]);
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString("scf.if"), loc);
  mlirOperationStateAddOperands(&state, 1, &whole);
  mlirOperationStateAddResults(&state, carried + 1, types);
  mlirOperationStateAddOwnedRegions(&state, 2, regions);
  MlirOperation branch = mlirOperationCreate(&state);
  mlirBlockInsertOwnedOperationBefore(block, loop, branch);

  mlirOperationSetOperand(loop, 0, mlirOperationGetResult(branch, carried));
  for (intptr_t i = 0; i < carried; ++i)
    mlirOperationSetOperand(loop, 3 + i, mlirOperationGetResult(branch, i));
  free(values);
  free(types);
  return true;
}

/* Splits the K loops among the ops of `grid`'s body that pad a matmul's operand. */
static bool split_grid(MlirOperation grid) {
  MlirBlock body = body_of(grid);
  for (intptr_t d = 0; d < mlirBlockGetNumArguments(body); ++d)
    if (always_whole(grid_dim(grid, d)))
      make_whole(body, grid_dim(grid, d));
  for (MlirOperation op = mlirBlockGetFirstOperation(body); !mlirOperationIsNull(op);
       op = mlirOperationGetNextInBlock(op))
    if (is_padding_loop(op) && !split_whole_steps(grid, op))
      return false;
  return true;
}

static void run(MlirOperation module_op, MlirExternalPass pass) {
  HmOpList grids = hm_collect_ops(module_op, MlirWalkPreOrder, is_padding_grid);
  bool ok = !grids.oom;
  for (size_t i = 0; ok && i < grids.count; ++i)
    ok = split_grid(grids.ops[i]);
  hm_op_list_free(&grids);
  if (!ok)
    mlirExternalPassSignalFailure(pass);
}

MlirPass hm_full_tiles_pass(void) {
  static const HmModulePass pass = {"HelionFullTiles", "helion-full-tiles",
                                    "run the whole K steps of whole matmul tiles without padding", run};
  return hm_module_pass(&pass);
}
