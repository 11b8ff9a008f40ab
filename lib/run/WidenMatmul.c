/* helion-matmul's register blocks are outer products of f32 (or f64) rows, one FMA per block row
 * and element of K; MLIR's contraction lowering takes no mixed element types, so a matmul of f16,
 * bf16 or fp8 tiles into an f32 accumulator (hl.dot, addmm on half tensors) was left to the generic
 * vectorization, which made it dot products with a conversion per element (an f16 512^3 matmul ran
 * at 5 GFLOP/s, the f32 one at 130). Converting each tile once, where it is loaded, gives the f32
 * kernel the same operands the accumulation would see: extf is exact, and the body of the mixed
 * matmul extends each input to f32 before its multiply anyway. */
#include "run/WidenMatmul.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Dialect/Linalg.h"

/* The float types narrower than f32 a Helion tile can hold; their extf to f32 is exact. */
static bool is_narrow(MlirType t) {
  return mlirTypeIsAF16(t) || mlirTypeIsABF16(t) || mlirTypeIsAFloat8E4M3FN(t) || mlirTypeIsAFloat8E5M2(t);
}

static bool static_tensor_of(MlirValue v, bool (*element)(MlirType)) {
  MlirType t = mlirValueGetType(v);
  return mlirTypeIsARankedTensor(t) && mlirShapedTypeGetRank(t) <= 3 && mlirShapedTypeHasStaticShape(t) &&
         element(mlirShapedTypeGetElementType(t));
}

/* A named linalg op with two inputs and one init (its operandSegmentSizes say so). */
static bool two_inputs_one_init(MlirOperation op) {
  MlirAttribute segments = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("operandSegmentSizes"));
  return !mlirAttributeIsNull(segments) && mlirAttributeIsADenseI32Array(segments) &&
         mlirDenseArrayGetNumElements(segments) == 2 && mlirDenseI32ArrayGetElement(segments, 0) == 2 &&
         mlirDenseI32ArrayGetElement(segments, 1) == 1 && mlirOperationGetNumOperands(op) == 3 &&
         mlirOperationGetNumResults(op) == 1;
}

static bool is_narrow_matmul(MlirOperation op) {
  return (hm_op_named(op, "linalg.matmul") || hm_op_named(op, "linalg.batch_matmul")) && two_inputs_one_init(op) &&
         static_tensor_of(mlirOperationGetOperand(op, 0), is_narrow) &&
         static_tensor_of(mlirOperationGetOperand(op, 1), is_narrow) &&
         static_tensor_of(mlirOperationGetOperand(op, 2), mlirTypeIsAF32);
}

static MlirNamedAttribute segment_sizes(MlirContext ctx, int32_t inputs, int32_t inits) {
  int32_t sizes[] = {inputs, inits};
  return mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("operandSegmentSizes")),
                               mlirDenseI32ArrayGet(ctx, 2, sizes));
}

/* A named linalg op before `anchor`, its body built as the op's definition says. */
static MlirOperation create_named(MlirOperationState *state, MlirOperation anchor) {
  MlirRegion body = mlirRegionCreate();
  mlirOperationStateAddOwnedRegions(state, 1, &body);
  MlirOperation op = mlirOperationCreate(state);
  mlirBlockInsertOwnedOperationBefore(mlirOperationGetBlock(anchor), anchor, op);
  mlirLinalgFillBuiltinNamedOpRegion(op);
  return op;
}

/* `linalg.copy ins(%tile) outs(tensor.empty())` into an f32 tensor of the tile's shape, before
 * `anchor`. */
static MlirValue widened(MlirValue tile, MlirOperation anchor) {
  MlirContext ctx = mlirOperationGetContext(anchor);
  MlirLocation loc = mlirOperationGetLocation(anchor);
  MlirType half = mlirValueGetType(tile);
  /* Of rank 3 at most (is_narrow_matmul). */
  int64_t shape[3];
  int64_t rank = mlirShapedTypeGetRank(half);
  for (int64_t d = 0; d < rank; ++d)
    shape[d] = mlirShapedTypeGetDimSize(half, d);
  MlirType wide = mlirRankedTensorTypeGet(rank, shape, mlirF32TypeGet(ctx), mlirRankedTensorTypeGetEncoding(half));

  MlirOperationState empty_state = mlirOperationStateGet(mlirStringRefCreateFromCString("tensor.empty"), loc);
  mlirOperationStateAddResults(&empty_state, 1, &wide);
  MlirOperation empty = mlirOperationCreate(&empty_state);
  mlirBlockInsertOwnedOperationBefore(mlirOperationGetBlock(anchor), anchor, empty);

  MlirValue operands[] = {tile, mlirOperationGetResult(empty, 0)};
  MlirNamedAttribute sizes = segment_sizes(ctx, 1, 1);
  MlirOperationState copy_state = mlirOperationStateGet(mlirStringRefCreateFromCString("linalg.copy"), loc);
  mlirOperationStateAddOperands(&copy_state, 2, operands);
  mlirOperationStateAddResults(&copy_state, 1, &wide);
  mlirOperationStateAddAttributes(&copy_state, 1, &sizes);
  return mlirOperationGetResult(create_named(&copy_state, anchor), 0);
}

/* The same matmul (its attributes: indexing maps, cast) on the widened inputs. */
static void widen(MlirOperation module_op, MlirOperation matmul) {
  MlirValue operands[] = {widened(mlirOperationGetOperand(matmul, 0), matmul),
                          widened(mlirOperationGetOperand(matmul, 1), matmul), mlirOperationGetOperand(matmul, 2)};
  MlirValue result = mlirOperationGetResult(matmul, 0);
  MlirType type = mlirValueGetType(result);
  MlirOperationState state = mlirOperationStateGet(mlirIdentifierStr(mlirOperationGetName(matmul)),
                                                   mlirOperationGetLocation(matmul));
  mlirOperationStateAddOperands(&state, 3, operands);
  mlirOperationStateAddResults(&state, 1, &type);
  intptr_t n = mlirOperationGetNumAttributes(matmul);
  for (intptr_t i = 0; i < n; ++i) {
    MlirNamedAttribute attr = mlirOperationGetAttribute(matmul, i);
    mlirOperationStateAddAttributes(&state, 1, &attr);
  }
  MlirOperation wide = create_named(&state, matmul);
  mlirValueReplaceAllUsesOfWith(result, mlirOperationGetResult(wide, 0));
  mlirOperationDestroy(matmul);
}

bool hm_widen_matmul_operands(MlirOperation module_op) {
  return hm_rewrite_all(module_op, is_narrow_matmul, widen);
}
