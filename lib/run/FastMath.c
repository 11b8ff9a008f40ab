#include "run/FastMath.h"

#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

typedef struct Flags {
  MlirIdentifier name; /* "fastmath" */
  MlirAttribute none;
  MlirAttribute contract;
  MlirAttribute reassoc;
  MlirAttribute arcp;
} Flags;

static bool name_is(MlirOperation op, const char *name) {
  MlirStringRef op_name = mlirIdentifierStr(mlirOperationGetName(op));
  return op_name.length == strlen(name) && memcmp(op_name.data, name, op_name.length) == 0;
}

/* Only ops without flags get new ones: flags set by the lowering say more than this default. */
static void set_flags(MlirOperation op, const Flags *flags, MlirAttribute value) {
  MlirStringRef name = mlirIdentifierStr(flags->name);
  MlirAttribute current = mlirOperationGetAttributeByName(op, name);
  if (!mlirAttributeIsNull(current) && mlirAttributeEqual(current, flags->none))
    mlirOperationSetAttributeByName(op, name, value);
}

/* f32 and f64, scalars or vectors. Half and bfloat ops are rounded one by one, as torch rounds
 * them on the CPU: contracting them would round a multiply-add once. */
static bool wide_float(MlirType type) {
  if (mlirTypeIsAShaped(type))
    type = mlirShapedTypeGetElementType(type);
  return mlirTypeIsAF32(type) || mlirTypeIsAF64(type);
}

static bool narrow_float(MlirType type) {
  if (mlirTypeIsAShaped(type))
    type = mlirShapedTypeGetElementType(type);
  return mlirTypeIsAF16(type) || mlirTypeIsABF16(type) || mlirTypeIsAFloat8E4M3FN(type) || mlirTypeIsAFloat8E5M2(type);
}

/* A block that rounds to half, bfloat or fp8 is one torch op on narrow tensors, computed in f32 (a
 * linalg body, before fusion): torch's own kernel decides where it fuses, so its f32 steps stay
 * separate too, and the result rounds to what torch's does. */
static bool rounds_to_16_bit(MlirBlock block) {
  for (MlirOperation op = mlirBlockGetFirstOperation(block); !mlirOperationIsNull(op);
       op = mlirOperationGetNextInBlock(op))
    if (name_is(op, "arith.truncf") && narrow_float(mlirValueGetType(mlirOperationGetResult(op, 0))))
      return true;
  return false;
}

/* The ops a multiply-add is made of may contract; a division may take the divisor's reciprocal,
 * which LLVM hoists out of a row's loop when the divisor is the row's (a sum, a norm). */
static MlirWalkResult mark_elementwise(MlirOperation op, void *data) {
  const Flags *flags = data;
  bool multiply_add = name_is(op, "arith.mulf") || name_is(op, "arith.addf") || name_is(op, "arith.subf");
  bool divide = name_is(op, "arith.divf");
  if ((multiply_add || divide) && wide_float(mlirValueGetType(mlirOperationGetResult(op, 0))) &&
      !rounds_to_16_bit(mlirOperationGetBlock(op)))
    set_flags(op, flags, multiply_add ? flags->contract : flags->arcp);
  return MlirWalkResultAdvance;
}

static MlirWalkResult mark_reduce(MlirOperation op, void *data) {
  if (!name_is(op, "linalg.reduce"))
    return MlirWalkResultAdvance;
  const Flags *flags = data;
  MlirBlock body = mlirRegionGetFirstBlock(mlirOperationGetRegion(op, 0));
  for (MlirOperation inner = mlirBlockGetFirstOperation(body); !mlirOperationIsNull(inner);
       inner = mlirOperationGetNextInBlock(inner))
    set_flags(inner, flags, flags->reassoc);
  return MlirWalkResultAdvance;
}

void hm_fastmath_mark(MlirOperation module_op) {
  MlirContext ctx = mlirOperationGetContext(module_op);
  Flags flags = {
      mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("fastmath")),
      mlirAttributeParseGet(ctx, mlirStringRefCreateFromCString("#arith.fastmath<none>")),
      mlirAttributeParseGet(ctx, mlirStringRefCreateFromCString("#arith.fastmath<contract>")),
      mlirAttributeParseGet(ctx, mlirStringRefCreateFromCString("#arith.fastmath<reassoc,contract>")),
      mlirAttributeParseGet(ctx, mlirStringRefCreateFromCString("#arith.fastmath<arcp>")),
  };
  /* The combiners first: once marked contract they no longer look unflagged. */
  mlirOperationWalk(module_op, mark_reduce, &flags, MlirWalkPreOrder);
  mlirOperationWalk(module_op, mark_elementwise, &flags, MlirWalkPreOrder);
}
