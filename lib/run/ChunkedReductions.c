/* A reduction over a whole row (a softmax's max and sum, a layer norm's mean and variance) is, by
 * the loop lowering, one vector.reduction of the row's vector: vector<1000xf32> read whole and
 * computed whole. LLVM splits it into its register pieces and schedules the row's 63 loads as one
 * burst in an order of its own, then a tree of the pieces: measured on a Zen 4, a 4096 x 1000 row
 * max took 4.5 times torch's time on one core (1.5 ms, torch 0.33), the loads stalled, where torch's
 * loop reads each row in order with four accumulators and the hardware prefetcher keeps up.
 *
 * So such a reduction becomes that loop: the ops computing the reduced vector from reads of memory
 * (the slice: transfer reads, broadcasts, constants, element-wise arith and math ops) are computed a
 * chunk of four register pieces at a time, in an scf.for that combines each chunk into a chunk-wide
 * accumulator, and the accumulator and the lanes past the last whole chunk are reduced at the end.
 * That reorders the combining: the max and min kinds are associative exactly, and a sum's order is
 * open (a vector reduction comes from a linalg reduction, whose order Helion leaves open, as
 * helion-fastmath's reassoc and the LLVM conversion's reassociate-fp-reductions say).
 * helion-tree-reductions then makes the max and min of the end trees. */
#include "run/ChunkedReductions.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlir-c/AffineMap.h"
#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* A chunk is four 512-bit registers: four accumulators, as torch's reductions keep. */
enum { kChunkBits = 4 * 512 };
/* The slice is cloned per chunk; a longer one (none of our kernels' reductions has one) is left. */
enum { kMaxSlice = 64 };

typedef struct Kind {
  const char *attr;    /* the vector.reduction's kind, as printed */
  const char *combine; /* the element-wise op of the same kind */
} Kind;

static const Kind kKinds[] = {
    {"#vector.kind<add>", "arith.addf"},
    {"#vector.kind<maximumf>", "arith.maximumf"},
    {"#vector.kind<minimumf>", "arith.minimumf"},
    {"#vector.kind<maxnumf>", "arith.maxnumf"},
    {"#vector.kind<minnumf>", "arith.minnumf"},
};

static bool has_prefix(MlirStringRef s, const char *prefix) {
  size_t n = strlen(prefix);
  return s.length >= n && memcmp(s.data, prefix, n) == 0;
}

static MlirStringRef name_of(MlirOperation op) { return mlirIdentifierStr(mlirOperationGetName(op)); }

static const Kind *kind_of(MlirOperation reduction) {
  for (size_t i = 0; i < sizeof kKinds / sizeof kKinds[0]; ++i)
    if (hm_attr_prints(reduction, "kind", kKinds[i].attr))
      return &kKinds[i];
  return NULL;
}

static bool is_row_vector(MlirType type, int64_t length) {
  return mlirTypeIsAVector(type) && mlirShapedTypeGetRank(type) == 1 && mlirShapedTypeGetDimSize(type, 0) == length;
}

/* The ops computing a reduction's operand, each once, operands before users. */
typedef struct Slice {
  MlirOperation ops[kMaxSlice];
  int count;
  int64_t length; /* the row's lanes */
} Slice;

static int slice_index(const Slice *s, MlirOperation op) {
  for (int i = 0; i < s->count; ++i)
    if (mlirOperationEqual(s->ops[i], op))
      return i;
  return -1;
}

/* A read of the row from memory, unmasked and in bounds: lanes along the memref's innermost
 * dimension (a minor identity), or one element broadcast (a constant map). */
static bool is_row_read(MlirOperation op) {
  if (!hm_op_named(op, "vector.transfer_read") || !mlirTypeIsAMemRef(mlirValueGetType(mlirOperationGetOperand(op, 0))))
    return false;
  MlirAttribute segments = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("operandSegmentSizes"));
  if (mlirAttributeIsNull(segments) || mlirDenseArrayGetNumElements(segments) != 4 ||
      mlirDenseI32ArrayGetElement(segments, 3) != 0)
    return false;
  if (!hm_attr_prints(op, "in_bounds", "true") || hm_attr_prints(op, "in_bounds", "false"))
    return false;
  MlirAttribute map = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("permutation_map"));
  if (mlirAttributeIsNull(map) || !mlirAttributeIsAAffineMap(map))
    return false;
  MlirAffineMap m = mlirAffineMapAttrGetValue(map);
  return mlirAffineMapGetNumResults(m) == 1 && (mlirAffineMapIsMinorIdentity(m) || mlirAffineMapIsSingleConstant(m));
}

static bool is_lane_wise(MlirOperation op, int64_t length) {
  MlirStringRef name = name_of(op);
  if (mlirOperationGetNumResults(op) != 1 || !is_row_vector(mlirValueGetType(mlirOperationGetResult(op, 0)), length))
    return false;
  if (hm_op_named(op, "vector.broadcast"))
    return !is_row_vector(mlirValueGetType(mlirOperationGetOperand(op, 0)), length);
  if (hm_op_named(op, "arith.constant")) {
    MlirAttribute value = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("value"));
    return mlirAttributeIsADenseElements(value) && mlirDenseElementsAttrIsSplat(value);
  }
  if (!has_prefix(name, "arith.") && !has_prefix(name, "math."))
    return false;
  /* Element-wise: every operand a row of the same lanes (arith.select's condition included). */
  for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i)
    if (!is_row_vector(mlirValueGetType(mlirOperationGetOperand(op, i)), length))
      return false;
  return mlirOperationGetNumRegions(op) == 0;
}

/* Adds the ops computing `value` to the slice, in the reduction's block; false when one of them is
 * no row read or lane-wise op, or the slice grows past kMaxSlice. */
static bool collect(Slice *s, MlirValue value, MlirBlock block) {
  MlirOperation op = hm_defining_op(value);
  if (mlirOperationIsNull(op) || !mlirBlockEqual(mlirOperationGetBlock(op), block))
    return false;
  if (slice_index(s, op) >= 0)
    return true;
  if (is_row_read(op)) {
    if (!is_row_vector(mlirValueGetType(value), s->length))
      return false;
  } else if (!is_lane_wise(op, s->length)) {
    return false;
  } else if (!hm_op_named(op, "vector.broadcast")) {
    for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i)
      if (!collect(s, mlirOperationGetOperand(op, i), block))
        return false;
  }
  if (s->count == kMaxSlice)
    return false;
  s->ops[s->count++] = op;
  return true;
}

/* A read may have users outside the slice (it is read again, from cache); a computed value may not,
 * or it would be computed twice. */
static bool slice_is_private(const Slice *s, MlirOperation reduction) {
  for (int i = 0; i < s->count; ++i) {
    if (is_row_read(s->ops[i]))
      continue;
    for (MlirOpOperand use = mlirValueGetFirstUse(mlirOperationGetResult(s->ops[i], 0)); !mlirOpOperandIsNull(use);
         use = mlirOpOperandGetNextUse(use)) {
      MlirOperation user = mlirOpOperandGetOwner(use);
      if (!mlirOperationEqual(user, reduction) && slice_index(s, user) < 0)
        return false;
    }
  }
  return true;
}

/* Ops that neither write memory nor hold regions: the reads may move past them to the reduction. */
static bool writes_nothing(MlirOperation op) {
  MlirStringRef name = name_of(op);
  if (mlirOperationGetNumRegions(op) > 0)
    return false;
  if (has_prefix(name, "arith.") || has_prefix(name, "math.") || has_prefix(name, "ub.") ||
      has_prefix(name, "affine.apply"))
    return true;
  static const char *const kReadOnly[] = {
      "vector.transfer_read", "vector.load",           "vector.broadcast",       "vector.extract",
      "vector.extract_strided_slice", "vector.insert", "vector.insert_strided_slice", "vector.reduction",
      "vector.shape_cast",    "vector.splat",          "memref.subview",         "memref.expand_shape",
      "memref.collapse_shape", "memref.reinterpret_cast", "memref.load",         "memref.dim",
      "memref.extract_strided_metadata",
  };
  for (size_t i = 0; i < sizeof kReadOnly / sizeof kReadOnly[0]; ++i)
    if (hm_op_named(op, kReadOnly[i]))
      return true;
  return false;
}

/* Between the slice's first op and the reduction nothing writes memory, so that the slice's reads
 * give the same values at the reduction. */
static bool reads_may_move(const Slice *s, MlirOperation reduction) {
  bool inside = false;
  for (MlirOperation op = mlirBlockGetFirstOperation(mlirOperationGetBlock(reduction));
       !mlirOperationIsNull(op) && !mlirOperationEqual(op, reduction); op = mlirOperationGetNextInBlock(op)) {
    if (!inside)
      inside = slice_index(s, op) >= 0;
    else if (slice_index(s, op) < 0 && !writes_nothing(op))
      return false;
  }
  return true;
}

static bool is_chunkable(MlirOperation op) {
  if (!hm_op_named(op, "vector.reduction") || !kind_of(op))
    return false;
  MlirValue vector = mlirOperationGetOperand(op, 0);
  int64_t lanes = hm_float_lanes(mlirValueGetType(vector), kChunkBits);
  Slice s = {.count = 0, .length = mlirShapedTypeGetDimSize(mlirValueGetType(vector), 0)};
  return lanes > 0 && s.length >= 2 * lanes && collect(&s, vector, mlirOperationGetBlock(op)) &&
         slice_is_private(&s, op) && reads_may_move(&s, op);
}

typedef struct Builder {
  MlirContext ctx;
  MlirLocation loc;
  MlirBlock block;
  MlirOperation before; /* new ops go before it; at the block's end when null */
} Builder;

static MlirValue build(const Builder *b, const char *name, intptr_t noperands, const MlirValue *operands,
                       MlirType result, intptr_t nattrs, const MlirNamedAttribute *attrs) {
  return hm_insert_op(b->block, b->before, b->loc, name, noperands, operands, result, nattrs, attrs);
}

static MlirValue index_constant(const Builder *b, int64_t value) {
  MlirType index = mlirIndexTypeGet(b->ctx);
  MlirNamedAttribute attr = mlirNamedAttributeGet(mlirIdentifierGet(b->ctx, mlirStringRefCreateFromCString("value")),
                                                  mlirIntegerAttrGet(index, value));
  return build(b, "arith.constant", 0, NULL, index, 1, &attr);
}

static MlirType chunk_type(MlirValue row, int64_t lanes) {
  MlirType element = mlirShapedTypeGetElementType(mlirValueGetType(row));
  return mlirVectorTypeGet(1, &lanes, element);
}

/* All attributes of `op`, for a clone of it. */
static MlirNamedAttribute *attributes_of(MlirOperation op, intptr_t *count) {
  *count = mlirOperationGetNumAttributes(op);
  MlirNamedAttribute *attrs = malloc((size_t)(*count > 0 ? *count : 1) * sizeof *attrs);
  for (intptr_t i = 0; attrs && i < *count; ++i)
    attrs[i] = mlirOperationGetAttribute(op, i);
  return attrs;
}

/* The slice computed for lanes [offset, offset + lanes) of the row: `offset` an index value, or
 * null for the row's first lanes. `chunks[i]` receives op i's clone. False when out of memory. */
static bool clone_chunk(const Builder *b, const Slice *s, MlirValue offset, int64_t lanes, MlirValue *chunks) {
  for (int i = 0; i < s->count; ++i) {
    MlirOperation op = s->ops[i];
    MlirValue result = mlirOperationGetResult(op, 0);
    MlirType type = chunk_type(result, lanes);
    intptr_t nattrs = 0;
    MlirNamedAttribute *attrs = attributes_of(op, &nattrs);
    intptr_t noperands = mlirOperationGetNumOperands(op);
    MlirValue *operands = malloc((size_t)noperands * sizeof *operands);
    if (!attrs || !operands) {
      free(attrs);
      free(operands);
      return false;
    }
    for (intptr_t k = 0; k < noperands; ++k) {
      MlirValue operand = mlirOperationGetOperand(op, k);
      MlirOperation producer = hm_defining_op(operand);
      int at = mlirOperationIsNull(producer) ? -1 : slice_index(s, producer);
      operands[k] = at >= 0 ? chunks[at] : operand;
    }
    if (hm_op_named(op, "arith.constant")) {
      MlirAttribute splat = mlirDenseElementsAttrGetSplatValue(mlirOperationGetAttributeByName(
          op, mlirStringRefCreateFromCString("value")));
      for (intptr_t k = 0; k < nattrs; ++k)
        if (mlirStringRefEqual(mlirIdentifierStr(attrs[k].name), mlirStringRefCreateFromCString("value")))
          attrs[k].attribute = mlirDenseElementsAttrSplatGet(type, splat);
    } else if (hm_op_named(op, "vector.transfer_read") && !mlirValueIsNull(offset) &&
               mlirAffineMapIsMinorIdentity(mlirAffineMapAttrGetValue(mlirOperationGetAttributeByName(
                   op, mlirStringRefCreateFromCString("permutation_map"))))) {
      /* The indices follow the memref; the innermost one, the padding's neighbour, moves along. */
      MlirValue inner[2] = {operands[noperands - 2], offset};
      operands[noperands - 2] = build(b, "arith.addi", 2, inner, mlirIndexTypeGet(b->ctx), 0, NULL);
    }
    MlirStringRef name = name_of(op);
    char *op_name = malloc(name.length + 1);
    if (op_name) {
      memcpy(op_name, name.data, name.length);
      op_name[name.length] = '\0';
      chunks[i] = build(b, op_name, noperands, operands, type, nattrs, attrs);
    }
    free(op_name);
    free(attrs);
    free(operands);
    if (!op_name)
      return false;
  }
  return true;
}

static MlirValue combine(const Builder *b, const Kind *kind, MlirOperation reduction, MlirValue lhs, MlirValue rhs) {
  MlirValue operands[2] = {lhs, rhs};
  MlirAttribute flags = mlirOperationGetAttributeByName(reduction, mlirStringRefCreateFromCString("fastmath"));
  MlirNamedAttribute attr = mlirNamedAttributeGet(mlirIdentifierGet(b->ctx, mlirStringRefCreateFromCString("fastmath")), flags);
  return build(b, kind->combine, 2, operands, mlirValueGetType(lhs), mlirAttributeIsNull(flags) ? 0 : 1, &attr);
}

/* vector.reduction of `vector` into `acc` (none when null), with `reduction`'s attributes. */
static MlirValue reduce(const Builder *b, MlirOperation reduction, MlirValue vector, MlirValue acc) {
  MlirValue operands[2] = {vector, acc};
  intptr_t nattrs = 0;
  MlirNamedAttribute *attrs = attributes_of(reduction, &nattrs);
  if (!attrs)
    return (MlirValue){NULL};
  MlirValue result = build(b, "vector.reduction", mlirValueIsNull(acc) ? 1 : 2, operands,
                           mlirValueGetType(mlirOperationGetResult(reduction, 0)), nattrs, attrs);
  free(attrs);
  return result;
}

/* scf.for from `lower` to `upper` by `step` carrying `init`: the op, its body block (arguments:
 * the index and the carried value) still to be filled and ended with scf.yield. */
static MlirOperation build_loop(const Builder *b, MlirValue lower, MlirValue upper, MlirValue step, MlirValue init,
                                MlirBlock *body) {
  MlirType types[2] = {mlirIndexTypeGet(b->ctx), mlirValueGetType(init)};
  MlirLocation locs[2] = {b->loc, b->loc};
  *body = mlirBlockCreate(2, types, locs);
  MlirRegion region = mlirRegionCreate();
  mlirRegionAppendOwnedBlock(region, *body);
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString("scf.for"), b->loc);
  MlirValue operands[4] = {lower, upper, step, init};
  mlirOperationStateAddOperands(&state, 4, operands);
  mlirOperationStateAddResults(&state, 1, &types[1]);
  mlirOperationStateAddOwnedRegions(&state, 1, &region);
  MlirOperation loop = mlirOperationCreate(&state);
  if (mlirOperationIsNull(b->before))
    mlirBlockAppendOwnedOperation(b->block, loop);
  else
    mlirBlockInsertOwnedOperationBefore(b->block, b->before, loop);
  return loop;
}

static void erase_dead_slice(const Slice *s) {
  for (int i = s->count - 1; i >= 0; --i)
    if (mlirOpOperandIsNull(mlirValueGetFirstUse(mlirOperationGetResult(s->ops[i], 0))))
      mlirOperationDestroy(s->ops[i]);
}

static void rewrite(MlirOperation module_op, MlirOperation reduction) {
  const Kind *kind = kind_of(reduction);
  MlirValue row = mlirOperationGetOperand(reduction, 0);
  int64_t lanes = hm_float_lanes(mlirValueGetType(row), kChunkBits);
  Slice s = {.count = 0, .length = mlirShapedTypeGetDimSize(mlirValueGetType(row), 0)};
  MlirBlock block = mlirOperationGetBlock(reduction);
  if (!collect(&s, row, block))
    return;
  int64_t whole = s.length / lanes * lanes, tail = s.length - whole;
  MlirValue chunks[kMaxSlice];
  Builder b = {mlirOperationGetContext(reduction), mlirOperationGetLocation(reduction), block, reduction};
  /* The first chunk starts the accumulator; the loop takes the others. */
  if (!clone_chunk(&b, &s, (MlirValue){NULL}, lanes, chunks))
    return;
  MlirValue first = chunks[s.count - 1];
  MlirBlock body;
  MlirOperation loop = build_loop(&b, index_constant(&b, lanes), index_constant(&b, whole),
                                  index_constant(&b, lanes), first, &body);
  Builder in = {b.ctx, b.loc, body, (MlirOperation){NULL}};
  if (!clone_chunk(&in, &s, mlirBlockGetArgument(body, 0), lanes, chunks))
    return;
  MlirValue next = combine(&in, kind, reduction, mlirBlockGetArgument(body, 1), chunks[s.count - 1]);
  MlirOperationState yield = mlirOperationStateGet(mlirStringRefCreateFromCString("scf.yield"), b.loc);
  mlirOperationStateAddOperands(&yield, 1, &next);
  mlirBlockAppendOwnedOperation(body, mlirOperationCreate(&yield));
  MlirValue acc = mlirOperationGetNumOperands(reduction) > 1 ? mlirOperationGetOperand(reduction, 1)
                                                             : (MlirValue){NULL};
  MlirValue result = reduce(&b, reduction, mlirOperationGetResult(loop, 0), acc);
  if (tail > 0 && !mlirValueIsNull(result) && clone_chunk(&b, &s, index_constant(&b, whole), tail, chunks))
    result = reduce(&b, reduction, chunks[s.count - 1], result);
  if (mlirValueIsNull(result))
    return;
  mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(reduction, 0), result);
  mlirOperationDestroy(reduction);
  erase_dead_slice(&s);
}

static void chunked_reductions(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_chunkable, rewrite);
}

MlirPass hm_chunked_reductions_pass(void) {
  static const HmModulePass pass = {"HelionChunkedReductions", "helion-chunked-reductions",
                                    "reductions of whole rows as loops over chunks of four registers",
                                    chunked_reductions};
  return hm_module_pass(&pass);
}
