#include "run/Atomics.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Dialect/LLVM.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* LLVM's AtomicOrdering values, as llvm.cmpxchg's attributes hold them. */
enum { MONOTONIC = 2, ACQ_REL = 6 };

typedef struct Builder {
  MlirContext ctx;
  MlirLocation loc;
  MlirBlock block;
  MlirOperation before; /* null: append to `block` */
} Builder;

static MlirOperation build(Builder *b, const char *name, intptr_t noperands, const MlirValue *operands,
                           intptr_t nresults, const MlirType *results, intptr_t nattrs,
                           const MlirNamedAttribute *attrs, intptr_t nregions, MlirRegion *regions) {
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString(name), b->loc);
  mlirOperationStateAddOperands(&state, noperands, operands);
  mlirOperationStateAddResults(&state, nresults, results);
  mlirOperationStateAddAttributes(&state, nattrs, attrs);
  mlirOperationStateAddOwnedRegions(&state, nregions, regions);
  MlirOperation op = mlirOperationCreate(&state);
  if (mlirOperationIsNull(b->before))
    mlirBlockAppendOwnedOperation(b->block, op);
  else
    mlirBlockInsertOwnedOperationBefore(b->block, b->before, op);
  return op;
}

static MlirValue value(Builder *b, const char *name, intptr_t noperands, const MlirValue *operands, MlirType result) {
  return mlirOperationGetResult(build(b, name, noperands, operands, 1, &result, 0, NULL, 0, NULL), 0);
}

static MlirNamedAttribute named(Builder *b, const char *name, MlirAttribute attr) {
  return mlirNamedAttributeGet(mlirIdentifierGet(b->ctx, mlirStringRefCreateFromCString(name)), attr);
}

static MlirValue constant(Builder *b, MlirType type, int64_t v) {
  MlirNamedAttribute attr = named(b, "value", mlirIntegerAttrGet(type, v));
  return mlirOperationGetResult(build(b, "arith.constant", 0, NULL, 1, &type, 1, &attr, 0, NULL), 0);
}

static MlirValue binary(Builder *b, const char *name, MlirValue x, MlirValue y) {
  return value(b, name, 2, (MlirValue[]){x, y}, mlirValueGetType(x));
}

/* The element's address as an i64: the memref's aligned pointer plus (offset + sum of index * stride)
 * elements of `bytes` each. */
static MlirValue element_address(Builder *b, MlirValue memref, intptr_t rank, const MlirValue *indices,
                                 int64_t bytes) {
  MlirType index = mlirIndexTypeGet(b->ctx), i64 = mlirIntegerTypeGet(b->ctx, 64);
  MlirType element = mlirShapedTypeGetElementType(mlirValueGetType(memref));
  MlirType results[2 + 2 * 8];
  results[0] = mlirMemRefTypeContiguousGet(element, 0, NULL, mlirAttributeGetNull());
  for (intptr_t i = 1; i < 2 + 2 * rank; ++i)
    results[i] = index;
  MlirOperation meta = build(b, "memref.extract_strided_metadata", 1, &memref, 2 + 2 * rank, results, 0, NULL, 0, NULL);
  MlirValue linear = mlirOperationGetResult(meta, 1);
  for (intptr_t d = 0; d < rank; ++d)
    linear = binary(b, "arith.addi", linear,
                    binary(b, "arith.muli", indices[d], mlirOperationGetResult(meta, 2 + rank + d)));
  MlirValue base = mlirOperationGetResult(meta, 0);
  MlirValue pointer = value(b, "memref.extract_aligned_pointer_as_index", 1, &base, index);
  MlirValue offset = binary(b, "arith.muli", value(b, "arith.index_cast", 1, &linear, i64), constant(b, i64, bytes));
  return binary(b, "arith.addi", value(b, "arith.index_cast", 1, &pointer, i64), offset);
}

static MlirValue bitcast(Builder *b, MlirValue v, MlirType to) {
  return mlirTypeEqual(mlirValueGetType(v), to) ? v : value(b, "arith.bitcast", 1, &v, to);
}

/* The values the body reads from outside it (the expected element, the new one), at most 8, in order
 * of first use; false when the body holds a region or reads something else (not an element value). */
typedef struct Captures {
  size_t n;
  MlirValue values[8];
} Captures;

static bool defined_inside(MlirValue v, MlirBlock body) {
  if (mlirValueIsABlockArgument(v))
    return mlirBlockEqual(mlirBlockArgumentGetOwner(v), body);
  return mlirBlockEqual(mlirOperationGetBlock(mlirOpResultGetOwner(v)), body);
}

static bool element_type(MlirType t) { return mlirTypeIsAInteger(t) || mlirTypeIsAFloat(t); }

static bool capture(MlirBlock body, Captures *c) {
  c->n = 0;
  for (MlirOperation op = mlirBlockGetFirstOperation(body); !mlirOperationIsNull(op);
       op = mlirOperationGetNextInBlock(op)) {
    if (mlirOperationGetNumRegions(op) != 0)
      return false;
    for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i) {
      MlirValue v = mlirOperationGetOperand(op, i);
      bool seen = defined_inside(v, body);
      for (size_t k = 0; k < c->n && !seen; ++k)
        seen = mlirValueEqual(c->values[k], v);
      if (seen)
        continue;
      if (c->n == 8 || !element_type(mlirValueGetType(v)))
        return false;
      c->values[c->n++] = v;
    }
  }
  return true;
}

/* In the ops of `body`, the block argument becomes `current` and each capture the helper's argument. */
static void remap(MlirBlock body, const Captures *c, MlirValue current, MlirBlock entry) {
  MlirValue arg = mlirBlockGetArgument(body, 0);
  for (MlirOperation op = mlirBlockGetFirstOperation(body); !mlirOperationIsNull(op);
       op = mlirOperationGetNextInBlock(op))
    for (intptr_t i = 0; i < mlirOperationGetNumOperands(op); ++i) {
      MlirValue v = mlirOperationGetOperand(op, i);
      if (mlirValueEqual(v, arg))
        mlirOperationSetOperand(op, i, current);
      for (size_t k = 0; k < c->n; ++k)
        if (mlirValueEqual(v, c->values[k]))
          mlirOperationSetOperand(op, i, mlirBlockGetArgument(entry, (intptr_t)(1 + k)));
    }
}

static MlirOperation branch(Builder *b, const char *name, intptr_t noperands, const MlirValue *operands,
                            intptr_t nsuccessors, MlirBlock *successors, intptr_t nattrs,
                            const MlirNamedAttribute *attrs) {
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString(name), b->loc);
  mlirOperationStateAddOperands(&state, noperands, operands);
  mlirOperationStateAddSuccessors(&state, nsuccessors, successors);
  mlirOperationStateAddAttributes(&state, nattrs, attrs);
  MlirOperation op = mlirOperationCreate(&state);
  mlirBlockAppendOwnedOperation(b->block, op);
  return op;
}

static MlirValue cmpxchg(Builder *b, MlirValue pointer, MlirValue expected, MlirValue next, MlirValue *ok) {
  MlirType word = mlirValueGetType(expected), i1 = mlirIntegerTypeGet(b->ctx, 1);
  MlirType pair = mlirLLVMStructTypeLiteralGet(b->ctx, 2, (MlirType[]){word, i1}, false);
  MlirNamedAttribute orderings[2] = {
      named(b, "success_ordering", mlirIntegerAttrGet(mlirIntegerTypeGet(b->ctx, 64), ACQ_REL)),
      named(b, "failure_ordering", mlirIntegerAttrGet(mlirIntegerTypeGet(b->ctx, 64), MONOTONIC)),
  };
  MlirValue operands[3] = {pointer, expected, next};
  MlirValue result = mlirOperationGetResult(build(b, "llvm.cmpxchg", 3, operands, 1, &pair, 2, orderings, 0, NULL), 0);
  MlirValue fields[2];
  for (int64_t k = 0; k < 2; ++k) {
    MlirNamedAttribute position = named(b, "position", mlirDenseI64ArrayGet(b->ctx, 1, &k));
    fields[k] = mlirOperationGetResult(
        build(b, "llvm.extractvalue", 1, &result, 1, k == 0 ? &word : &i1, 1, &position, 0, NULL), 0);
  }
  if (ok)
    *ok = fields[1];
  return fields[0];
}

/* A fresh name for the helper of one op. */
static void helper_name(MlirOperation module_op, char *name, size_t size) {
  MlirSymbolTable table = mlirSymbolTableCreate(module_op);
  for (unsigned i = 0;; ++i) {
    snprintf(name, size, "__helion_atomic_rmw_%u", i);
    if (mlirOperationIsNull(mlirSymbolTableLookup(table, mlirStringRefCreateFromCString(name))))
      break;
  }
  mlirSymbolTableDestroy(table);
}

/* %old = generic_atomic_rmw %m[%i] { ^bb0(%cur): ...; atomic_yield %new } becomes
 *   %old = llvm.call @__helion_atomic_rmw_N(<the element's address>, <the values the body reads>)
 * of an internal, never inlined llvm.func holding the loop: the element read atomically (an
 * exchange of 0 for 0), the body on it, an llvm.cmpxchg of its bits for the new element's, retried
 * with the element seen until it succeeds. Out of line, the kernel's functions hold one call, which
 * the buffer deallocation takes (it refuses generic_atomic_rmw, and an llvm.cmpxchg, whose memory
 * effects it does not know) and which keeps the loop's blocks out of the memref.alloca_scope the
 * OpenMP conversion wraps a parallel body in (a region of one block). False when the body is not one
 * this handles (regions, values other than elements). */
static bool expand(MlirOperation module_op, MlirOperation rmw) {
  MlirContext ctx = mlirOperationGetContext(rmw);
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(rmw, 0));
  Captures caps;
  if (!capture(body, &caps))
    return false;
  Builder b = {ctx, mlirOperationGetLocation(rmw), mlirOperationGetBlock(rmw), rmw};
  MlirValue memref = mlirOperationGetOperand(rmw, 0);
  intptr_t rank = mlirOperationGetNumOperands(rmw) - 1;
  MlirValue indices[8];
  for (intptr_t d = 0; d < rank; ++d)
    indices[d] = mlirOperationGetOperand(rmw, d + 1);
  MlirType element = mlirValueGetType(mlirOperationGetResult(rmw, 0));
  unsigned bits = mlirTypeIsAInteger(element) ? mlirIntegerTypeGetWidth(element) : mlirFloatTypeGetWidth(element);
  MlirType word = mlirIntegerTypeGet(ctx, bits), ptr = mlirLLVMPointerTypeGet(ctx, 0);

  /* The helper: ^entry(ptr, captures) -> ^loop(current) -> ^done. */
  MlirType args[9] = {ptr};
  MlirLocation locs[9];
  for (size_t k = 0; k < caps.n; ++k)
    args[1 + k] = mlirValueGetType(caps.values[k]);
  for (size_t k = 0; k <= caps.n; ++k)
    locs[k] = b.loc;
  MlirRegion region = mlirRegionCreate();
  MlirBlock entry = mlirBlockCreate((intptr_t)(1 + caps.n), args, locs);
  MlirBlock loop = mlirBlockCreate(1, &element, locs), done = mlirBlockCreate(0, NULL, NULL);
  mlirRegionAppendOwnedBlock(region, entry);
  mlirRegionAppendOwnedBlock(region, loop);
  mlirRegionAppendOwnedBlock(region, done);
  char name[48];
  helper_name(module_op, name, sizeof name);
  MlirBlock module_body = mlirRegionGetFirstBlock(mlirOperationGetRegion(module_op, 0));
  Builder top = {ctx, b.loc, module_body, mlirBlockGetFirstOperation(module_body)};
  MlirNamedAttribute attrs[4] = {
      named(&top, "sym_name", mlirStringAttrGet(ctx, mlirStringRefCreateFromCString(name))),
      named(&top, "function_type", mlirTypeAttrGet(mlirLLVMFunctionTypeGet(element, (intptr_t)(1 + caps.n), args, false))),
      named(&top, "linkage", mlirAttributeParseGet(ctx, mlirStringRefCreateFromCString("#llvm.linkage<internal>"))),
      named(&top, "no_inline", mlirUnitAttrGet(ctx)),
  };
  build(&top, "llvm.func", 0, NULL, 0, NULL, 4, attrs, 1, &region);

  Builder in = {ctx, b.loc, entry, {NULL}};
  MlirValue pointer = mlirBlockGetArgument(entry, 0), zero = constant(&in, word, 0);
  MlirValue first = bitcast(&in, cmpxchg(&in, pointer, zero, zero, NULL), element);
  branch(&in, "llvm.br", 1, &first, 1, &loop, 0, NULL);

  MlirValue current = mlirBlockGetArgument(loop, 0);
  MlirOperation yield = mlirBlockGetTerminator(body);
  remap(body, &caps, current, entry);
  for (MlirOperation op = mlirBlockGetFirstOperation(body); !mlirOperationEqual(op, yield);
       op = mlirBlockGetFirstOperation(body)) {
    mlirOperationRemoveFromParent(op);
    mlirBlockAppendOwnedOperation(loop, op);
  }
  in.block = loop;
  MlirValue ok, expected = bitcast(&in, current, word);
  MlirValue seen = bitcast(&in, cmpxchg(&in, pointer, expected, bitcast(&in, mlirOperationGetOperand(yield, 0), word), &ok),
                           element);
  MlirNamedAttribute segments = named(&in, "operandSegmentSizes", mlirDenseI32ArrayGet(ctx, 3, (int32_t[]){1, 0, 1}));
  branch(&in, "llvm.cond_br", 2, (MlirValue[]){ok, seen}, 2, (MlirBlock[]){done, loop}, 1, &segments);
  in.block = done;
  build(&in, "llvm.return", 1, &current, 0, NULL, 0, NULL, 0, NULL);

  /* The kernel: the element's address and the call. */
  MlirValue address = element_address(&b, memref, rank, indices, bits / 8);
  MlirValue operands[9] = {value(&b, "llvm.inttoptr", 1, &address, ptr)};
  for (size_t k = 0; k < caps.n; ++k)
    operands[1 + k] = caps.values[k];
  MlirNamedAttribute call_attrs[3] = {
      named(&b, "callee", mlirFlatSymbolRefAttrGet(ctx, mlirStringRefCreateFromCString(name))),
      named(&b, "operandSegmentSizes", mlirDenseI32ArrayGet(ctx, 2, (int32_t[]){(int32_t)(1 + caps.n), 0})),
      named(&b, "op_bundle_sizes", mlirDenseI32ArrayGet(ctx, 0, NULL)),
  };
  MlirOperation call = build(&b, "llvm.call", (intptr_t)(1 + caps.n), operands, 1, &element, 3, call_attrs, 0, NULL);
  mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(rmw, 0), mlirOperationGetResult(call, 0));
  mlirOperationDestroy(rmw);
  return true;
}

static bool is_atomic_rmw(MlirOperation op) {
  MlirStringRef name = mlirIdentifierStr(mlirOperationGetName(op));
  static const char wanted[] = "memref.generic_atomic_rmw";
  return name.length == sizeof wanted - 1 && memcmp(name.data, wanted, name.length) == 0;
}

/* An op of a rank past 8, an element wider than 64 bits or a body expand() does not take is left
 * for the pipeline to refuse. */
static void expand_taken(MlirOperation module_op, MlirOperation op) {
  MlirType element = mlirValueGetType(mlirOperationGetResult(op, 0));
  unsigned bits = mlirTypeIsAInteger(element) ? mlirIntegerTypeGetWidth(element)
                  : mlirTypeIsAFloat(element) ? mlirFloatTypeGetWidth(element)
                                              : 0;
  if (mlirOperationGetNumOperands(op) <= 9 && (bits == 8 || bits == 16 || bits == 32 || bits == 64))
    expand(module_op, op);
}

static void expand_atomics(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_atomic_rmw, expand_taken);
}

MlirPass hm_atomics_pass(void) {
  static const HmModulePass pass = {"HelionExpandAtomics", "helion-expand-atomics",
                                    "memref.generic_atomic_rmw as an scf.while around llvm.cmpxchg",
                                    expand_atomics};
  return hm_module_pass(&pass);
}
