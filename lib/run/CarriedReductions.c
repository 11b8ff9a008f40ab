/* A looped reduction (Helion's reduction_loops, or a kernel's own `acc = acc + x.sum(-1)`) is, per
 * chunk, a reduction of the chunk into a fresh tile started at the combiner's identity, and an
 * element-wise combine of that with the carried accumulator:
 *
 *   %part = linalg.generic (reduction) ins(%chunk) outs(fill(identity)) { addf %in, %out }
 *   %next = linalg.generic (parallel) ins(%acc, %part) outs(...) { addf %in0, %in1 }
 *
 * Bufferized, every chunk allocated the part's tile, copied the identity into it, and the loop's
 * carried buffer changed hands at each step (a malloc, a memrefCopy and a free per chunk and tile:
 * a looped layer norm ran at 0.6 of torch). The reduction may start from the accumulator instead,
 *
 *   %next = linalg.generic (reduction) ins(%chunk) outs(%acc) { addf %in, %out }
 *
 * which reduces into the carried buffer in place. That changes the order of the sum (the
 * accumulator first, then the chunk's elements), which the combiner's `reassoc` allows (Helion
 * leaves a reduction's order open, helion-fastmath says so); a max or a min is exact in any order.
 * The identity fill is checked (0 for a sum, -inf for a max, +inf for a min), so the rewrite is the
 * same value, and the part must have no other use. */
#include "run/CarriedReductions.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <math.h>
#include <stdbool.h>

#include "mlir-c/AffineMap.h"
#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

typedef struct Kind {
  const char *combine;
  double identity;
  bool needs_reassoc;
} Kind;

static const Kind kKinds[] = {
    {"arith.addf", 0.0, true},
    {"arith.maximumf", -INFINITY, false},
    {"arith.minimumf", INFINITY, false},
};

/* The one op of a body that yields its result, when the body is that op and the yield. */
static MlirOperation only_op(MlirOperation generic) {
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(generic, 0));
  MlirOperation op = mlirBlockGetFirstOperation(body);
  if (mlirOperationIsNull(op) || mlirOperationGetNumResults(op) != 1)
    return (MlirOperation){NULL};
  MlirOperation yield = mlirOperationGetNextInBlock(op);
  if (mlirOperationIsNull(yield) || !hm_op_named(yield, "linalg.yield") ||
      !mlirOperationIsNull(mlirOperationGetNextInBlock(yield)) || mlirOperationGetNumOperands(yield) != 1 ||
      !mlirValueEqual(mlirOperationGetOperand(yield, 0), mlirOperationGetResult(op, 0)))
    return (MlirOperation){NULL};
  return op;
}

static MlirValue body_arg(MlirOperation generic, intptr_t i) {
  return mlirBlockGetArgument(mlirRegionGetFirstBlock(mlirOperationGetRegion(generic, 0)), i);
}

/* Whether `op` combines `a` and `b`, in either order. */
static bool combines(MlirOperation op, MlirValue a, MlirValue b) {
  MlirValue x = mlirOperationGetOperand(op, 0), y = mlirOperationGetOperand(op, 1);
  return mlirOperationGetNumOperands(op) == 2 &&
         ((mlirValueEqual(x, a) && mlirValueEqual(y, b)) || (mlirValueEqual(x, b) && mlirValueEqual(y, a)));
}

/* The kind of a reduction of one input into its output, started from a fill of the kind's
 * identity; NULL for another op. */
static const Kind *reduction_kind(MlirOperation reduction) {
  if (hm_generic_inputs(reduction) != 1 || !hm_attr_prints(reduction, "iterator_types", "reduction"))
    return NULL;
  MlirOperation combine = only_op(reduction);
  if (mlirOperationIsNull(combine) || !combines(combine, body_arg(reduction, 0), body_arg(reduction, 1)))
    return NULL;
  MlirOperation fill = hm_defining_op(mlirOperationGetOperand(reduction, 1));
  if (mlirOperationIsNull(fill) || !hm_op_named(fill, "linalg.fill"))
    return NULL;
  MlirOperation constant = hm_defining_op(mlirOperationGetOperand(fill, 0));
  if (mlirOperationIsNull(constant) || !hm_op_named(constant, "arith.constant"))
    return NULL;
  MlirAttribute value = mlirOperationGetAttributeByName(constant, mlirStringRefCreateFromCString("value"));
  if (!mlirAttributeIsAFloat(value))
    return NULL;
  for (size_t i = 0; i < sizeof kKinds / sizeof kKinds[0]; ++i) {
    const Kind *kind = &kKinds[i];
    if (hm_op_named(combine, kind->combine) && mlirFloatAttrGetValueDouble(value) == kind->identity &&
        (!kind->needs_reassoc || hm_attr_prints(combine, "fastmath", "reassoc")))
      return kind;
  }
  return NULL;
}

/* The element-wise op combining the reduction's result with an accumulator of its type and layout:
 * its one user; the accumulator in *acc. */
static MlirOperation carrying_combine(MlirOperation reduction, const Kind *kind, MlirValue *acc) {
  MlirValue part = mlirOperationGetResult(reduction, 0);
  MlirOpOperand use = mlirValueGetFirstUse(part);
  if (mlirOpOperandIsNull(use) || !mlirOpOperandIsNull(mlirOpOperandGetNextUse(use)))
    return (MlirOperation){NULL};
  MlirOperation user = mlirOpOperandGetOwner(use);
  if (hm_generic_inputs(user) != 2 || hm_attr_prints(user, "iterator_types", "reduction"))
    return (MlirOperation){NULL};
  intptr_t at = mlirOpOperandGetOperandNumber(use);
  if (at > 1)
    return (MlirOperation){NULL};
  MlirOperation combine = only_op(user);
  if (mlirOperationIsNull(combine) || !hm_op_named(combine, kind->combine) ||
      !combines(combine, body_arg(user, 0), body_arg(user, 1)))
    return (MlirOperation){NULL};
  *acc = mlirOperationGetOperand(user, 1 - at);
  MlirType type = mlirValueGetType(part);
  if (!mlirTypeEqual(mlirValueGetType(*acc), type) || !mlirTypeEqual(mlirValueGetType(mlirOperationGetResult(user, 0)), type))
    return (MlirOperation){NULL};
  /* The inputs and the output read and write each element where the reduction writes it. */
  MlirAttribute maps = mlirOperationGetAttributeByName(user, mlirStringRefCreateFromCString("indexing_maps"));
  for (intptr_t i = 0; i < 3; ++i) {
    MlirAttribute map = mlirArrayAttrGetElement(maps, i);
    if (!mlirAffineMapIsIdentity(mlirAffineMapAttrGetValue(map)))
      return (MlirOperation){NULL};
  }
  return user;
}

/* Whether `value` is defined before `op` runs: in a block around it, before the op of that block
 * that holds it. */
static bool available_at(MlirValue value, MlirOperation op) {
  MlirBlock block = mlirValueIsABlockArgument(value) ? mlirBlockArgumentGetOwner(value)
                                                     : mlirOperationGetBlock(mlirOpResultGetOwner(value));
  MlirOperation there = op;
  while (!mlirOperationIsNull(there) && !mlirBlockEqual(mlirOperationGetBlock(there), block))
    there = mlirOperationGetParentOperation(there);
  if (mlirOperationIsNull(there))
    return false;
  return mlirValueIsABlockArgument(value) || mlirOperationIsBeforeInBlock(mlirOpResultGetOwner(value), there);
}

static bool is_carried(MlirOperation op) {
  const Kind *kind = reduction_kind(op);
  MlirValue acc;
  return kind && !mlirOperationIsNull(carrying_combine(op, kind, &acc)) && available_at(acc, op);
}

static void reduce_into_accumulator(MlirOperation module_op, MlirOperation reduction) {
  const Kind *kind = reduction_kind(reduction);
  MlirValue acc = {NULL};
  MlirOperation user = kind ? carrying_combine(reduction, kind, &acc) : (MlirOperation){NULL};
  if (mlirOperationIsNull(user) || !available_at(acc, reduction))
    return;
  mlirOperationSetOperand(reduction, 1, acc);
  mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(user, 0), mlirOperationGetResult(reduction, 0));
  mlirOperationDestroy(user);
}

static void carried_reductions(MlirOperation module_op, MlirExternalPass pass) {
  hm_rewrite_each(module_op, pass, is_carried, reduce_into_accumulator);
}

MlirPass hm_carried_reductions_pass(void) {
  static const HmModulePass pass = {"HelionCarriedReductions", "helion-carried-reductions",
                                    "a chunk's reduction combined with an accumulator reduces into it",
                                    carried_reductions};
  return hm_module_pass(&pass);
}
