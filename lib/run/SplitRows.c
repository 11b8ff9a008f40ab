/* Layer norm with reduction loops over 4-row tiles (block_sizes [4], reduction_loops [256]) is
 *
 *   affine.parallel (%i) = (0) to (4096) step (4) {
 *     affine.for %k = 0 to 1000 step 256 iter_args(%sum = ...) {   (the mean; the variance alike)
 *       %x = memref.subview %arg0[%i, %k] [4, 256] ...  ... linalg.reduce ...
 *     }
 *     affine.for %k = 0 to 1000 step 256 { ... the normalized chunk into %out[%i, %k] [4, 256] }
 *   }
 *
 * so each pass over a tile reads its four rows in interleaved 1 KB pieces, four streams at once,
 * and ran at 0.76-0.81 of torch; the same kernel with one row a tile at about 1.0 of it. In C, one
 * thread summing 8192 rows of 1000 floats took 1.1-1.9 ms row after row and 2.5-3.9 ms as four rows
 * in chunks of 256; rows in lockstep, software prefetches, or whole chunks of four rows before the
 * four tails were as slow: only a row read whole, tail included, before the next is fast. A loop
 * interchange on the bufferized loops cannot give that order across the three loops and what lies
 * between them, so here, on the lowered tensors, a tile of B rows whose body loops becomes B tiles
 * of one row each, one after another in the same grid iteration:
 *
 *   affine.parallel (%i) = (0) to (4096) step (4) {
 *     affine.for %r = 0 to 4 {
 *       %row = affine.apply (%i + %r)
 *       ... the body, every view of the tile's rows now [%row, ...] [1, ...] ...
 *
 * The body as it was on tensors of one row instead of B: every value that holds the tile's rows has
 * them in one dimension, sized B, which becomes 1. That is only the same computation when each row
 * is computed from itself alone, which the analysis below proves or the grid stays as it is: the
 * grid's index is only the row offset of views of host tensors (the views move to each row; in a
 * linalg op's scalar body it stays the tile's start, as it was), the rows are a parallel dimension
 * of every linalg op that touches them and are never reduced, reshaped with other dimensions,
 * sliced or read by linalg.index, and no op outside a small known set touches a tensor or buffer at
 * all. A host tensor the body writes is written and read only at the tile's rows, so no row sees
 * another's accesses out of their order. The grid's tiles must all be whole (B divides the extent),
 * and its body must view rows of more than one element (a 1-D tile is no tile of rows).
 *
 * A 1-D grid whose tile reads its rows whole, with no loop, is split too: one row at a time stays
 * in registers (a softmax's row, read for its max, its sum and its output, is 1000 floats), where
 * four rows are tile buffers; side by side in one process, softmax [4] ran in 0.80 of the time of
 * the unsplit tile, rms norm in 0.75, layer norm, cross entropy and cumsum in 0.93-0.97. A 2-D
 * grid's tile without a loop keeps its rows: helion-grid-rows orders those (GridRows.h). */
#include "run/SplitRows.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlir-c/AffineExpr.h"
#include "mlir-c/AffineMap.h"
#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* What the analysis knows of a value's rows: a dimension index (>= 0), or one of these. */
enum { kUnknown = -2, kNoRows = -1 };

typedef struct RowDim {
  MlirValue value;
  int dim;
} RowDim;

/* A host buffer the body reaches, and how: at the tile's rows only, and whether it writes it. */
typedef struct Access {
  MlirValue buffer;
  bool at_rows, writes;
} Access;

typedef struct Split {
  MlirOperation grid;
  MlirValue iv;     /* the grid index of the rows */
  int64_t rows;     /* B, the grid's step in that dimension */
  RowDim *dims;     /* every value known to hold rows or not to */
  size_t ndims, dims_cap;
  Access *accesses; /* of the last sweep */
  size_t naccesses, accesses_cap;
  bool changed, failed;
  bool views_rows;      /* a view of rows wider than one element anywhere in the body */
  bool loops_over_rows; /* a view of the rows inside a loop of the body */
} Split;

static bool grow(void **items, size_t *cap, size_t count, size_t size) {
  if (count < *cap)
    return true;
  size_t want = *cap ? *cap * 2 : 64;
  if (want < *cap || want > SIZE_MAX / size)
    return false;
  void *grown = realloc(*items, want * size);
  if (!grown)
    return false;
  *items = grown;
  *cap = want;
  return true;
}

static void fail(Split *s) { s->failed = true; }

static bool is_shaped(MlirType type) { return mlirTypeIsARankedTensor(type) || mlirTypeIsAMemRef(type); }

static int dim_of(const Split *s, MlirValue value) {
  if (!is_shaped(mlirValueGetType(value)))
    return kNoRows;
  for (size_t i = 0; i < s->ndims; ++i)
    if (mlirValueEqual(s->dims[i].value, value))
      return s->dims[i].dim;
  return kUnknown;
}

/* Records that `value` holds the rows in `dim` (or none, kNoRows); a contradiction fails. */
static void set_dim(Split *s, MlirValue value, int dim) {
  if (dim == kUnknown || s->failed)
    return;
  MlirType type = mlirValueGetType(value);
  if (!is_shaped(type)) {
    if (dim != kNoRows)
      fail(s);
    return;
  }
  int known = dim_of(s, value);
  if (known == dim)
    return;
  if (known != kUnknown || (dim >= 0 && (hm_defined_outside(value, s->grid) || dim >= mlirShapedTypeGetRank(type) ||
                                         mlirShapedTypeGetDimSize(type, dim) != s->rows))) {
    fail(s);
    return;
  }
  if (!grow((void **)&s->dims, &s->dims_cap, s->ndims, sizeof *s->dims)) {
    fail(s);
    return;
  }
  s->dims[s->ndims++] = (RowDim){value, dim};
  s->changed = true;
}

/* Two values of the same shape, one the other's rows. */
static void link(Split *s, MlirValue a, MlirValue b) {
  set_dim(s, b, dim_of(s, a));
  set_dim(s, a, dim_of(s, b));
}

static void record(Split *s, MlirValue buffer, bool at_rows, bool writes) {
  if (!grow((void **)&s->accesses, &s->accesses_cap, s->naccesses, sizeof *s->accesses)) {
    fail(s);
    return;
  }
  s->accesses[s->naccesses++] = (Access){hm_buffer_of(buffer), at_rows, writes};
}

static MlirAttribute attr(MlirOperation op, const char *name) {
  return mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString(name));
}

/* Element `i` of the dense i64 array attribute `name`; `missing` when there is none. */
static int64_t array_at(MlirOperation op, const char *name, intptr_t i, int64_t missing) {
  MlirAttribute a = attr(op, name);
  if (mlirAttributeIsNull(a) || !mlirAttributeIsADenseI64Array(a) || i < 0 || i >= mlirDenseArrayGetNumElements(a))
    return missing;
  return mlirDenseI64ArrayGetElement(a, i);
}

static MlirOperation parent_loop_below_grid(const Split *s, MlirOperation op) {
  for (MlirOperation p = mlirOperationGetParentOperation(op);
       !mlirOperationIsNull(p) && !mlirOperationEqual(p, s->grid); p = mlirOperationGetParentOperation(p))
    if (hm_op_named(p, "affine.for"))
      return p;
  return (MlirOperation){NULL};
}

/* Whether the view's rows have more than one element each: a tile of a 1-D tensor, or of a column,
 * is no tile of rows, and one element an iteration would undo its vectorization. */
static bool has_width(MlirOperation subview, int row) {
  MlirAttribute sizes = attr(subview, "static_sizes");
  for (intptr_t k = row + 1; k < mlirDenseArrayGetNumElements(sizes); ++k)
    if (mlirDenseI64ArrayGetElement(sizes, k) != 1)
      return true;
  return false;
}

/* memref.subview: the rows where an offset is the grid index, sized B with a unit stride. */
static void visit_subview(Split *s, MlirOperation op) {
  MlirValue source = mlirOperationGetOperand(op, 0), result = mlirOperationGetResult(op, 0);
  MlirAttribute offsets = attr(op, "static_offsets");
  intptr_t rank = mlirDenseArrayGetNumElements(offsets), next = 1;
  int row = kNoRows;
  for (intptr_t k = 0; k < rank; ++k) {
    if (!mlirShapedTypeIsDynamicStrideOrOffset(mlirDenseI64ArrayGetElement(offsets, k)))
      continue;
    if (mlirValueEqual(mlirOperationGetOperand(op, next++), s->iv)) {
      if (row != kNoRows) {
        fail(s);
        return;
      }
      row = (int)k;
    }
  }
  for (intptr_t i = next; i < mlirOperationGetNumOperands(op); ++i)
    if (mlirValueEqual(mlirOperationGetOperand(op, i), s->iv)) {
      fail(s);
      return;
    }
  if (dim_of(s, source) >= 0) {
    fail(s);
    return;
  }
  if (row >= 0 && (array_at(op, "static_sizes", row, 0) != s->rows || array_at(op, "static_strides", row, 0) != 1 ||
                   mlirShapedTypeGetRank(mlirValueGetType(result)) != rank)) {
    fail(s);
    return;
  }
  set_dim(s, result, row);
  if (hm_defined_outside(source, s->grid))
    record(s, source, row >= 0, false);
  if (row >= 0 && has_width(op, row)) {
    s->views_rows = true;
    if (!mlirOperationIsNull(parent_loop_below_grid(s, op)))
      s->loops_over_rows = true;
  }
}

/* The linalg.index ops of `op`'s region that read loop dimension `dim`. */
typedef struct IndexSearch {
  int64_t dim;
  bool found;
} IndexSearch;

static MlirWalkResult find_index(MlirOperation op, void *data) {
  IndexSearch *search = data;
  if (hm_op_named(op, "linalg.index") && mlirIntegerAttrGetValueInt(attr(op, "dim")) == search->dim) {
    search->found = true;
    return MlirWalkResultInterrupt;
  }
  return MlirWalkResultAdvance;
}

static bool reads_index(MlirOperation op, int64_t dim) {
  IndexSearch search = {dim, false};
  mlirOperationWalk(op, find_index, &search, MlirWalkPreOrder);
  return search.found;
}

/* The result of `map` that is loop dimension `loop`: its position, kNoRows when no result uses the
 * loop, kUnknown when one uses it in an expression or several do (the rows would be spread). */
static int position_of_loop(MlirAffineMap map, intptr_t loop) {
  int found = kNoRows;
  for (intptr_t r = 0; r < mlirAffineMapGetNumResults(map); ++r) {
    MlirAffineExpr e = mlirAffineMapGetResult(map, r);
    if (!mlirAffineExprIsFunctionOfDim(e, loop))
      continue;
    if (found != kNoRows || !mlirAffineExprIsADim(e))
      return kUnknown;
    found = (int)r;
  }
  return found;
}

/* linalg.generic: the rows are one parallel loop dimension, a plain dimension of every operand that
 * has them, and of every output. */
static void visit_generic(Split *s, MlirOperation op) {
  MlirAttribute maps = attr(op, "indexing_maps"), iterators = attr(op, "iterator_types");
  intptr_t noperands = mlirOperationGetNumOperands(op), nresults = mlirOperationGetNumResults(op);
  intptr_t ninputs = noperands - nresults;
  if (mlirAttributeIsNull(maps) || mlirArrayAttrGetNumElements(maps) != noperands || ninputs < 0) {
    fail(s);
    return;
  }
  for (intptr_t j = 0; j < nresults; ++j)
    link(s, mlirOperationGetResult(op, j), mlirOperationGetOperand(op, ninputs + j));
  int loop = kUnknown;
  for (intptr_t i = 0; i < noperands; ++i) {
    int d = dim_of(s, mlirOperationGetOperand(op, i));
    if (d < 0)
      continue;
    MlirAffineMap map = mlirAffineMapAttrGetValue(mlirArrayAttrGetElement(maps, i));
    MlirAffineExpr e = mlirAffineMapGetResult(map, d);
    if (!mlirAffineExprIsADim(e) || (loop != kUnknown && loop != (int)mlirAffineDimExprGetPosition(e))) {
      fail(s);
      return;
    }
    loop = (int)mlirAffineDimExprGetPosition(e);
  }
  if (loop == kUnknown)
    return;
  if (mlirAttributeIsNull(iterators) || !hm_attribute_prints(mlirArrayAttrGetElement(iterators, loop), "parallel") ||
      reads_index(op, loop)) {
    fail(s);
    return;
  }
  for (intptr_t i = 0; i < noperands; ++i) {
    MlirAffineMap map = mlirAffineMapAttrGetValue(mlirArrayAttrGetElement(maps, i));
    int position = position_of_loop(map, loop);
    if (position == kUnknown || (i >= ninputs && position == kNoRows)) {
      fail(s);
      return;
    }
    /* An input shared by all rows and reduced over: a contraction, which one row a tile would
     * turn into matrix-vector products. */
    if (position == kNoRows)
      for (intptr_t d = 0; d < mlirAffineMapGetNumDims(map); ++d)
        for (intptr_t r = 0; r < mlirAffineMapGetNumResults(map); ++r)
          if (mlirAffineExprIsFunctionOfDim(mlirAffineMapGetResult(map, r), d) &&
              hm_attribute_prints(mlirArrayAttrGetElement(iterators, d), "reduction")) {
            fail(s);
            return;
          }
    set_dim(s, mlirOperationGetOperand(op, i), position);
  }
}

/* A linalg.reduce input's dimension `input_dim` as a dimension of its init (kUnknown: a reduced
 * one), and unreduced_dim the other way. */
static int reduced_dim(MlirOperation op, int input_dim) {
  if (input_dim < 0)
    return input_dim;
  MlirAttribute dims = attr(op, "dimensions");
  int out = input_dim;
  for (intptr_t i = 0; i < mlirDenseArrayGetNumElements(dims); ++i) {
    int64_t d = mlirDenseI64ArrayGetElement(dims, i);
    if (d == input_dim)
      return kUnknown;
    if (d < input_dim)
      --out;
  }
  return out;
}

static int unreduced_dim(MlirOperation op, int init_dim, intptr_t input_rank) {
  if (init_dim < 0)
    return init_dim;
  for (int d = 0; d < input_rank; ++d)
    if (reduced_dim(op, d) == init_dim)
      return d;
  return kUnknown;
}

/* linalg.reduce: N inputs, N inits, N results; the rows must not be a reduced dimension. */
static void visit_reduce(Split *s, MlirOperation op) {
  intptr_t n = mlirOperationGetNumResults(op);
  if (mlirOperationGetNumOperands(op) != 2 * n) {
    fail(s);
    return;
  }
  for (intptr_t i = 0; i < n; ++i) {
    MlirValue input = mlirOperationGetOperand(op, i), init = mlirOperationGetOperand(op, n + i);
    link(s, init, mlirOperationGetResult(op, i));
    int in = dim_of(s, input);
    if (in >= 0 && reduced_dim(op, in) == kUnknown) {
      fail(s);
      return;
    }
    if (in >= 0 && reads_index(op, in)) {
      fail(s);
      return;
    }
    set_dim(s, init, reduced_dim(op, in));
    set_dim(s, input, unreduced_dim(op, dim_of(s, init), mlirShapedTypeGetRank(mlirValueGetType(input))));
    if (i > 0)
      link(s, input, mlirOperationGetOperand(op, 0));
  }
}

/* The reassociation group of a reshape's wider side that holds dimension `dim`, -1 if none. */
static intptr_t group_of(MlirAttribute reassociation, int64_t dim) {
  for (intptr_t g = 0; g < mlirArrayAttrGetNumElements(reassociation); ++g) {
    MlirAttribute group = mlirArrayAttrGetElement(reassociation, g);
    for (intptr_t i = 0; i < mlirArrayAttrGetNumElements(group); ++i)
      if (mlirIntegerAttrGetValueInt(mlirArrayAttrGetElement(group, i)) == dim)
        return g;
  }
  return -1;
}

/* In group `g` of the wider type `wide`: the one dimension of size B, all others of size 1;
 * kUnknown when the group is not that. */
static int rows_in_group(const Split *s, MlirAttribute reassociation, intptr_t g, MlirType wide) {
  MlirAttribute group = mlirArrayAttrGetElement(reassociation, g);
  int found = kUnknown;
  for (intptr_t i = 0; i < mlirArrayAttrGetNumElements(group); ++i) {
    int64_t d = mlirIntegerAttrGetValueInt(mlirArrayAttrGetElement(group, i));
    int64_t size = mlirShapedTypeGetDimSize(wide, d);
    if (size == s->rows && found == kUnknown)
      found = (int)d;
    else if (size != 1)
      return kUnknown;
  }
  return found;
}

/* tensor.expand_shape and tensor.collapse_shape: the rows' group has them and otherwise units. */
static void visit_reshape(Split *s, MlirOperation op, bool expands) {
  MlirValue narrow = expands ? mlirOperationGetOperand(op, 0) : mlirOperationGetResult(op, 0);
  MlirValue wide = expands ? mlirOperationGetResult(op, 0) : mlirOperationGetOperand(op, 0);
  MlirAttribute reassociation = attr(op, "reassociation");
  int n = dim_of(s, narrow), w = dim_of(s, wide);
  if (n == kNoRows || w == kNoRows) {
    set_dim(s, narrow, kNoRows);
    set_dim(s, wide, kNoRows);
    return;
  }
  if (n >= 0) {
    int rows = rows_in_group(s, reassociation, n, mlirValueGetType(wide));
    if (rows == kUnknown) {
      fail(s);
      return;
    }
    set_dim(s, wide, rows);
  }
  if (w >= 0) {
    intptr_t g = group_of(reassociation, w);
    if (g < 0 || rows_in_group(s, reassociation, g, mlirValueGetType(wide)) != w) {
      fail(s);
      return;
    }
    set_dim(s, narrow, (int)g);
  }
}

/* tensor.pad: no padding at the rows, whose index the padding value must not read. */
static void visit_pad(Split *s, MlirOperation op) {
  MlirValue source = mlirOperationGetOperand(op, 0), result = mlirOperationGetResult(op, 0);
  link(s, source, result);
  int d = dim_of(s, source);
  if (d < 0)
    return;
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(op, 0));
  if (array_at(op, "static_low", d, -1) != 0 || array_at(op, "static_high", d, -1) != 0 ||
      !mlirOpOperandIsNull(mlirValueGetFirstUse(mlirBlockGetArgument(body, d)))) {
    fail(s);
    return;
  }
}

/* tensor.extract_slice and tensor.insert_slice: the rows taken whole, from offset 0. */
static void visit_slice(Split *s, MlirOperation op, bool inserts) {
  MlirValue slice = inserts ? mlirOperationGetOperand(op, 0) : mlirOperationGetResult(op, 0);
  MlirValue whole = inserts ? mlirOperationGetOperand(op, 1) : mlirOperationGetOperand(op, 0);
  if (inserts)
    link(s, whole, mlirOperationGetResult(op, 0));
  if (mlirShapedTypeGetRank(mlirValueGetType(slice)) != mlirShapedTypeGetRank(mlirValueGetType(whole))) {
    if (dim_of(s, slice) >= 0 || dim_of(s, whole) >= 0)
      fail(s);
    set_dim(s, slice, kNoRows);
    set_dim(s, whole, kNoRows);
    return;
  }
  link(s, slice, whole);
  int d = dim_of(s, slice);
  if (d >= 0 && (array_at(op, "static_offsets", d, -1) != 0 || array_at(op, "static_sizes", d, -1) != s->rows ||
                 array_at(op, "static_strides", d, -1) != 1))
    fail(s);
  if (inserts)
    link(s, whole, mlirOperationGetResult(op, 0));
}

/* affine.for: each init, region argument, result and yielded value hold the same rows. */
static void visit_for(Split *s, MlirOperation op) {
  intptr_t n = mlirOperationGetNumResults(op), first_init = mlirOperationGetNumOperands(op) - n;
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(op, 0));
  MlirOperation yield = mlirBlockGetTerminator(body);
  for (intptr_t i = 0; i < n; ++i) {
    MlirValue result = mlirOperationGetResult(op, i);
    link(s, result, mlirOperationGetOperand(op, first_init + i));
    link(s, result, mlirBlockGetArgument(body, i + 1));
    link(s, result, mlirOperationGetOperand(yield, i));
  }
}

/* Ops on scalars and indices only, without effects: computing them once a row is the same. */
static bool is_scalar_op(MlirOperation op) {
  if (!(hm_op_name_starts(op, "arith.") || hm_op_name_starts(op, "math.") || hm_op_name_starts(op, "index.") ||
        hm_op_named(op, "affine.apply") || hm_op_named(op, "affine.min") || hm_op_named(op, "affine.max") ||
        hm_op_named(op, "ub.poison")) ||
      mlirOperationGetNumRegions(op) != 0)
    return false;
  for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i)
    if (is_shaped(mlirValueGetType(mlirOperationGetOperand(op, i))))
      return false;
  for (intptr_t i = 0; i < mlirOperationGetNumResults(op); ++i)
    if (is_shaped(mlirValueGetType(mlirOperationGetResult(op, i))))
      return false;
  return true;
}

/* The ops whose regions the analysis takes as a whole: scalar code. */
static bool has_scalar_body(MlirOperation op) {
  return hm_op_named(op, "linalg.generic") || hm_op_named(op, "linalg.reduce") || hm_op_named(op, "linalg.map") ||
         hm_op_named(op, "linalg.fill") || hm_op_named(op, "tensor.pad");
}

/* A linalg op on buffers writes them where the accesses this pass counts do not see it. */
static bool has_buffer_operand(MlirOperation op) {
  for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i)
    if (mlirTypeIsAMemRef(mlirValueGetType(mlirOperationGetOperand(op, i))))
      return true;
  return false;
}

static MlirWalkResult visit(MlirOperation op, void *data) {
  Split *s = data;
  if (mlirOperationEqual(op, s->grid))
    return MlirWalkResultAdvance;
  if (hm_op_name_starts(op, "linalg.") && has_buffer_operand(op)) {
    fail(s);
    return MlirWalkResultInterrupt;
  }
  if (!hm_op_named(op, "memref.subview"))
    for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i)
      if (mlirValueEqual(mlirOperationGetOperand(op, i), s->iv))
        fail(s);
  if (hm_op_named(op, "memref.subview")) {
    visit_subview(s, op);
  } else if (hm_op_named(op, "bufferization.to_tensor")) {
    link(s, mlirOperationGetOperand(op, 0), mlirOperationGetResult(op, 0));
    if (hm_defined_outside(mlirOperationGetOperand(op, 0), s->grid))
      record(s, mlirOperationGetOperand(op, 0), false, false);
  } else if (hm_op_named(op, "bufferization.materialize_in_destination")) {
    MlirValue dest = mlirOperationGetOperand(op, 1);
    link(s, mlirOperationGetOperand(op, 0), dest);
    record(s, dest, dim_of(s, dest) >= 0, true);
  } else if (hm_op_named(op, "tensor.empty")) {
  } else if (hm_op_named(op, "linalg.fill")) {
    link(s, mlirOperationGetOperand(op, 1), mlirOperationGetResult(op, 0));
  } else if (hm_op_named(op, "linalg.generic")) {
    visit_generic(s, op);
  } else if (hm_op_named(op, "linalg.reduce")) {
    visit_reduce(s, op);
  } else if (hm_op_named(op, "linalg.map")) {
    intptr_t n = mlirOperationGetNumOperands(op);
    for (intptr_t i = 0; i < n; ++i)
      link(s, mlirOperationGetOperand(op, i), mlirOperationGetResult(op, 0));
    int d = dim_of(s, mlirOperationGetResult(op, 0));
    if (d >= 0 && reads_index(op, d))
      fail(s);
  } else if (hm_op_named(op, "tensor.expand_shape") || hm_op_named(op, "tensor.collapse_shape")) {
    visit_reshape(s, op, hm_op_named(op, "tensor.expand_shape"));
  } else if (hm_op_named(op, "tensor.pad")) {
    visit_pad(s, op);
  } else if (hm_op_named(op, "tensor.extract_slice") || hm_op_named(op, "tensor.insert_slice")) {
    visit_slice(s, op, hm_op_named(op, "tensor.insert_slice"));
  } else if (hm_op_named(op, "affine.for")) {
    visit_for(s, op);
  } else if (hm_op_named(op, "affine.yield")) {
  } else if (!is_scalar_op(op)) {
    fail(s);
  }
  if (s->failed)
    return MlirWalkResultInterrupt;
  return has_scalar_body(op) ? MlirWalkResultSkip : MlirWalkResultAdvance;
}

/* Sweeps the body until nothing new is learned, so a visit passes on what an op knows once: what
 * a later op of the sweep learns reaches it on the next sweep. Then checks what the rows'
 * independence needs. */
static bool analyse(Split *s) {
  do {
    s->changed = false;
    s->naccesses = 0;
    s->views_rows = s->loops_over_rows = false;
    mlirOperationWalk(s->grid, visit, s, MlirWalkPreOrder);
  } while (s->changed && !s->failed);
  if (s->failed || !s->views_rows)
    return false;
  /* A 2-D grid's tile of whole rows is helion-grid-rows' to reorder (GridRows.h): without a loop
   * over the rows there is no interleaving of streams here to undo. */
  if (!s->loops_over_rows &&
      mlirBlockGetNumArguments(mlirRegionGetFirstBlock(mlirOperationGetRegion(s->grid, 0))) > 1)
    return false;
  for (size_t i = 0; i < s->naccesses; ++i) {
    if (!s->accesses[i].writes)
      continue;
    if (!s->accesses[i].at_rows)
      return false;
    for (size_t j = 0; j < s->naccesses; ++j)
      if (mlirValueEqual(s->accesses[j].buffer, s->accesses[i].buffer) && !s->accesses[j].at_rows)
        return false;
  }
  return true;
}

/* `type` with dimension `dim` of size 1; `shape` holds its rank. */
static MlirType one_row(MlirType type, int dim, int64_t *shape) {
  intptr_t rank = mlirShapedTypeGetRank(type);
  for (intptr_t d = 0; d < rank; ++d)
    shape[d] = d == dim ? 1 : mlirShapedTypeGetDimSize(type, d);
  MlirType element = mlirShapedTypeGetElementType(type);
  return mlirTypeIsAMemRef(type) ? mlirMemRefTypeGet(element, rank, shape, mlirMemRefTypeGetLayout(type),
                                                     mlirMemRefTypeGetMemorySpace(type))
                                 : mlirRankedTensorTypeGet(rank, shape, element, mlirRankedTensorTypeGetEncoding(type));
}

typedef struct Shrink {
  Split *split;
  MlirValue row;  /* the grid index plus the row loop's */
  int64_t *sizes; /* room for the sizes of any op's attribute: the largest rank of the body */
} Shrink;

/* The dense i64 array attribute `name` of `op` with element `i` set to 1. */
static void set_one(Shrink *sh, MlirOperation op, const char *name, intptr_t i) {
  MlirAttribute a = attr(op, name);
  intptr_t n = mlirDenseArrayGetNumElements(a);
  for (intptr_t k = 0; k < n; ++k)
    sh->sizes[k] = k == i ? 1 : mlirDenseI64ArrayGetElement(a, k);
  mlirOperationSetAttributeByName(op, mlirStringRefCreateFromCString(name),
                                  mlirDenseI64ArrayGet(mlirOperationGetContext(op), n, sh->sizes));
}

/* The sizes ops carry as attributes, and the views' offsets, for one row. */
static MlirWalkResult shrink_op(MlirOperation op, void *data) {
  Shrink *sh = data;
  Split *s = sh->split;
  if (mlirOperationEqual(op, s->grid) || mlirOperationGetNumResults(op) == 0)
    return MlirWalkResultAdvance;
  int d = dim_of(s, mlirOperationGetResult(op, 0));
  if (hm_op_named(op, "memref.subview") && d >= 0) {
    for (intptr_t i = 1; i < mlirOperationGetNumOperands(op); ++i)
      if (mlirValueEqual(mlirOperationGetOperand(op, i), s->iv))
        mlirOperationSetOperand(op, i, sh->row);
    set_one(sh, op, "static_sizes", d);
  } else if (hm_op_named(op, "tensor.expand_shape") && d >= 0) {
    set_one(sh, op, "static_output_shape", d);
  } else if (hm_op_named(op, "tensor.extract_slice") && d >= 0) {
    set_one(sh, op, "static_sizes", d);
  } else if (hm_op_named(op, "tensor.insert_slice")) {
    int slice = dim_of(s, mlirOperationGetOperand(op, 0));
    if (slice >= 0)
      set_one(sh, op, "static_sizes", slice);
  }
  return has_scalar_body(op) ? MlirWalkResultSkip : MlirWalkResultAdvance;
}

static MlirAttribute constant_map(MlirContext ctx, int64_t value) {
  MlirAffineExpr e = mlirAffineConstantExprGet(ctx, value);
  return mlirAffineMapAttrGet(mlirAffineMapGet(ctx, 0, 0, 1, &e));
}

/* `affine.for %r = 0 to rows` first in the grid's body, holding the rest of the body, and the
 * row it is at, grid index plus %r, first in it. */
static MlirValue wrap_in_row_loop(Split *s) {
  MlirContext ctx = mlirOperationGetContext(s->grid);
  MlirLocation loc = mlirOperationGetLocation(s->grid);
  MlirBlock grid_body = mlirRegionGetFirstBlock(mlirOperationGetRegion(s->grid, 0));
  MlirType index = mlirIndexTypeGet(ctx);
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString("affine.for"), loc);
  int32_t segments[3] = {0, 0, 0};
  MlirNamedAttribute attrs[4] = {
      mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("lowerBoundMap")),
                            constant_map(ctx, 0)),
      mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("upperBoundMap")),
                            constant_map(ctx, s->rows)),
      mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("step")),
                            mlirIntegerAttrGet(index, 1)),
      mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("operandSegmentSizes")),
                            mlirDenseI32ArrayGet(ctx, 3, segments))};
  mlirOperationStateAddAttributes(&state, 4, attrs);
  MlirBlock row_body = mlirBlockCreate(1, &index, &loc);
  MlirRegion region = mlirRegionCreate();
  mlirRegionAppendOwnedBlock(region, row_body);
  mlirOperationStateAddOwnedRegions(&state, 1, &region);
  MlirOperation loop = mlirOperationCreate(&state);
  MlirOperationState yield = mlirOperationStateGet(mlirStringRefCreateFromCString("affine.yield"), loc);
  MlirOperation row_yield = mlirOperationCreate(&yield);
  mlirBlockAppendOwnedOperation(row_body, row_yield);

  MlirOperation grid_yield = mlirBlockGetTerminator(grid_body);
  for (MlirOperation op = mlirBlockGetFirstOperation(grid_body); !mlirOperationEqual(op, grid_yield);) {
    MlirOperation next = mlirOperationGetNextInBlock(op);
    mlirOperationMoveBefore(op, row_yield);
    op = next;
  }
  mlirBlockInsertOwnedOperationBefore(grid_body, grid_yield, loop);

  MlirAffineExpr sum = mlirAffineAddExprGet(mlirAffineDimExprGet(ctx, 0), mlirAffineDimExprGet(ctx, 1));
  MlirNamedAttribute map = mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("map")),
                                                 mlirAffineMapAttrGet(mlirAffineMapGet(ctx, 2, 0, 1, &sum)));
  MlirValue operands[2] = {s->iv, mlirBlockGetArgument(row_body, 0)};
  return hm_insert_op(row_body, mlirBlockGetFirstOperation(row_body), loc, "affine.apply", 2, operands, index, 1,
                      &map);
}

/* The body on one row, in the row loop. The views' and slices' size attributes have the rank of
 * the row values they make, so one buffer of the largest rank holds any of them. */
static bool split(Split *s) {
  intptr_t rank = 1;
  for (size_t i = 0; i < s->ndims; ++i)
    if (s->dims[i].dim >= 0 && mlirShapedTypeGetRank(mlirValueGetType(s->dims[i].value)) > rank)
      rank = mlirShapedTypeGetRank(mlirValueGetType(s->dims[i].value));
  int64_t *sizes = malloc((size_t)rank * sizeof *sizes);
  if (!sizes)
    return false;
  for (size_t i = 0; i < s->ndims; ++i)
    if (s->dims[i].dim >= 0)
      mlirValueSetType(s->dims[i].value, one_row(mlirValueGetType(s->dims[i].value), s->dims[i].dim, sizes));
  Shrink sh = {s, wrap_in_row_loop(s), sizes};
  mlirOperationWalk(s->grid, shrink_op, &sh, MlirWalkPreOrder);
  free(sizes);
  return true;
}

/* Result `i` of an affine map without inputs, where it is a constant. */
static bool constant_result(MlirAttribute map_attr, intptr_t i, int64_t *out) {
  if (mlirAttributeIsNull(map_attr) || !mlirAttributeIsAAffineMap(map_attr))
    return false;
  MlirAffineMap map = mlirAffineMapAttrGetValue(map_attr);
  if (i >= mlirAffineMapGetNumResults(map) || !mlirAffineExprIsAConstant(mlirAffineMapGetResult(map, i)))
    return false;
  *out = mlirAffineConstantExprGetValue(mlirAffineMapGetResult(map, i));
  return true;
}

/* The grid dimension `d` as a row dimension: constant bounds in whole steps of more than one. */
static bool whole_steps(MlirOperation grid, intptr_t d, int64_t *step) {
  MlirAttribute steps = attr(grid, "steps"), lower_groups = attr(grid, "lowerBoundsGroups"),
                upper_groups = attr(grid, "upperBoundsGroups");
  int64_t lower, upper;
  if (mlirAttributeIsNull(steps) || mlirAttributeIsNull(lower_groups) || mlirAttributeIsNull(upper_groups))
    return false;
  /* A dimension bounded by the max or min of several expressions is not one of whole steps. */
  for (intptr_t i = 0; i < mlirArrayAttrGetNumElements(steps); ++i)
    if (mlirDenseElementsAttrGetInt32Value(lower_groups, i) != 1 ||
        mlirDenseElementsAttrGetInt32Value(upper_groups, i) != 1)
      return false;
  if (d >= mlirArrayAttrGetNumElements(steps) ||
      !constant_result(attr(grid, "lowerBoundsMap"), d, &lower) ||
      !constant_result(attr(grid, "upperBoundsMap"), d, &upper))
    return false;
  *step = mlirIntegerAttrGetValueInt(mlirArrayAttrGetElement(steps, d));
  return *step > 1 && upper > lower && (upper - lower) % *step == 0;
}

static bool is_grid(MlirOperation op) {
  if (!hm_op_named(op, "affine.parallel") || mlirOperationGetNumResults(op) != 0)
    return false;
  for (MlirOperation p = mlirOperationGetParentOperation(op); !mlirOperationIsNull(p);
       p = mlirOperationGetParentOperation(p))
    if (hm_op_named(p, "affine.parallel"))
      return false;
  return true;
}

static void split_grid(MlirOperation module_op, MlirOperation grid) {
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(grid, 0));
  for (intptr_t d = 0; d < mlirBlockGetNumArguments(body); ++d) {
    Split s = {.grid = grid, .iv = mlirBlockGetArgument(body, d)};
    bool taken = whole_steps(grid, d, &s.rows) && analyse(&s) && split(&s);
    free(s.dims);
    free(s.accesses);
    if (taken)
      return;
  }
}

static void split_rows(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_grid, split_grid);
}

MlirPass hm_split_rows_pass(void) {
  static const HmModulePass pass = {"HelionSplitRows", "helion-split-rows",
                                    "a tile of several rows as one tile a row", split_rows};
  return hm_module_pass(&pass);
}
