/* helion-matmul packs an edge tile's operand (lib/run/matmul.mlir) as a fill of the static tile and
 * a loop over the rows the tensor has, each one masked vector read of the host's row and one masked
 * write of it into the part of the tile the tensor covers:
 *
 *   %fill = linalg.fill ins(%p) outs(...) -> tensor<RxL>
 *   %part = tensor.extract_slice %fill[0, 0] [%r, %c] [1, 1]
 *   %rows = scf.for %i = ... iter_args(%acc = %part) -> (tensor<?x?>) {
 *     %dst = tensor.extract_slice %acc[%i, 0] [1, %c] [1, 1]
 *     %v = vector.transfer_read %src_row[%c0, %c0], %pad, %mask : ..., vector<1xL>
 *     %w = vector.transfer_write %v, %dst[%c0, %c0], %mask : vector<1xL>, tensor<1x?>
 *     %row = tensor.insert_slice %w into %acc[%i, 0] [1, %c] [1, 1]
 *     scf.yield %row
 *   }
 *   %tile = tensor.insert_slice %rows into %fill[0, 0] [%r, %c] [1, 1]
 *
 * A masked store (vmaskmovps) is microcoded on Zen 3, a dozen cycles each, and the rows' stores
 * took most of a 1000^3 matmul's time, whose every tile is padded. When the vector is a whole row
 * of the tile, the loop instead carries the whole tile (from %fill) and writes whole rows into it,
 * unmasked, the read padded with the fill's value: a row's columns past the mask get %p, which the
 * fill gave them, and those before it the same elements as before (the write into %dst being in
 * bounds, the mask covers no column past %c). */
#include "run/UnmaskPackedRows.h"
#include "run/HostBuffers.h"
#include "run/ModulePass.h"

#include <stdint.h>

#include "mlir-c/AffineMap.h"
#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

static MlirOperation only_user(MlirValue value) {
  MlirOpOperand use = mlirValueGetFirstUse(value);
  if (mlirOpOperandIsNull(use) || !mlirOpOperandIsNull(mlirOpOperandGetNextUse(use)))
    return (MlirOperation){NULL};
  return mlirOpOperandGetOwner(use);
}

static bool is_constant_index(MlirValue value, int64_t wanted) {
  MlirOperation op = hm_defining_op(value);
  if (mlirOperationIsNull(op) || !hm_op_named(op, "arith.constant"))
    return false;
  MlirAttribute attr = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("value"));
  return mlirAttributeIsAInteger(attr) && mlirIntegerAttrGetValueInt(attr) == wanted;
}

static bool all_static(MlirOperation op, const char *name, int64_t wanted) {
  MlirAttribute attr = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString(name));
  if (!mlirAttributeIsADenseI64Array(attr) || mlirDenseArrayGetNumElements(attr) != 2)
    return false;
  for (intptr_t i = 0; i < 2; ++i)
    if (mlirDenseI64ArrayGetElement(attr, i) != wanted)
      return false;
  return true;
}

/* A 2-D slice op (`name`) of unit strides: at offsets 0, 0 (`row` false), or at a dynamic row and
 * column 0 (`row` true), the row its first offset operand, after `before` operands. */
static bool is_slice(MlirOperation op, const char *name, bool row, intptr_t before, MlirValue *offset) {
  if (mlirOperationIsNull(op) || !hm_op_named(op, name) || !all_static(op, "static_strides", 1))
    return false;
  if (!row)
    return all_static(op, "static_offsets", 0);
  MlirAttribute offsets = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("static_offsets"));
  if (!mlirAttributeIsADenseI64Array(offsets) || mlirDenseArrayGetNumElements(offsets) != 2 ||
      mlirDenseI64ArrayGetElement(offsets, 0) != INT64_MIN || mlirDenseI64ArrayGetElement(offsets, 1) != 0 ||
      mlirOperationGetNumOperands(op) <= before)
    return false;
  *offset = mlirOperationGetOperand(op, before);
  return true;
}

/* The ops of one loop of packed rows, as the header names them. */
typedef struct PackedRows {
  MlirOperation write, read, dst, row, loop, part, fill_slice, tile;
  MlirValue fill, iv, acc;
} PackedRows;

static bool match_body(MlirOperation write, PackedRows *p) {
  if (!hm_op_named(write, "vector.transfer_write") || mlirOperationGetNumOperands(write) != 5 ||
      mlirOperationGetNumResults(write) != 1)
    return false;
  MlirValue value = mlirOperationGetOperand(write, 0);
  MlirType vector = mlirValueGetType(value);
  MlirAttribute map = mlirOperationGetAttributeByName(write, mlirStringRefCreateFromCString("permutation_map"));
  p->read = hm_defining_op(value);
  if (mlirShapedTypeGetRank(vector) != 2 || mlirShapedTypeGetDimSize(vector, 0) != 1 ||
      !mlirAttributeIsAAffineMap(map) || !mlirAffineMapIsIdentity(mlirAffineMapAttrGetValue(map)) ||
      !is_constant_index(mlirOperationGetOperand(write, 2), 0) ||
      !is_constant_index(mlirOperationGetOperand(write, 3), 0) || mlirOperationIsNull(p->read) ||
      !hm_op_named(p->read, "vector.transfer_read") || mlirOperationGetNumOperands(p->read) != 5 ||
      mlirOperationIsNull(only_user(value)))
    return false;
  p->loop = mlirOperationGetParentOperation(write);
  if (!hm_op_named(p->loop, "scf.for") || mlirOperationGetNumResults(p->loop) != 1)
    return false;
  MlirBlock body = mlirOperationGetBlock(write);
  p->iv = mlirBlockGetArgument(body, 0);
  p->acc = mlirBlockGetArgument(body, 1);
  MlirValue dst_row, row_row;
  p->dst = hm_defining_op(mlirOperationGetOperand(write, 1));
  p->row = only_user(mlirOperationGetResult(write, 0));
  return is_slice(p->dst, "tensor.extract_slice", true, 1, &dst_row) &&
         mlirValueEqual(mlirOperationGetOperand(p->dst, 0), p->acc) && mlirValueEqual(dst_row, p->iv) &&
         !mlirOperationIsNull(only_user(mlirOperationGetResult(p->dst, 0))) &&
         is_slice(p->row, "tensor.insert_slice", true, 2, &row_row) &&
         mlirValueEqual(mlirOperationGetOperand(p->row, 1), p->acc) && mlirValueEqual(row_row, p->iv) &&
         hm_op_named(only_user(mlirOperationGetResult(p->row, 0)), "scf.yield");
}

/* The loop's carried value, its only uses the row's extract_slice and insert_slice; its init a part
 * of the fill, which the loop's result goes back into. */
static bool match_tile(PackedRows *p) {
  MlirOpOperand use = mlirValueGetFirstUse(p->acc);
  int uses = 0;
  for (; !mlirOpOperandIsNull(use); use = mlirOpOperandGetNextUse(use), ++uses) {
    MlirOperation user = mlirOpOperandGetOwner(use);
    if (!mlirOperationEqual(user, p->dst) && !mlirOperationEqual(user, p->row))
      return false;
  }
  MlirValue ignored;
  p->fill_slice = hm_defining_op(mlirOperationGetOperand(p->loop, 3));
  if (uses != 2 || !is_slice(p->fill_slice, "tensor.extract_slice", false, 1, &ignored) ||
      mlirOperationIsNull(only_user(mlirOperationGetResult(p->fill_slice, 0))))
    return false;
  p->fill = mlirOperationGetOperand(p->fill_slice, 0);
  MlirOperation fill = hm_defining_op(p->fill);
  MlirType type = mlirValueGetType(p->fill);
  MlirType vector = mlirValueGetType(mlirOperationGetOperand(p->write, 0));
  if (mlirOperationIsNull(fill) || !hm_op_named(fill, "linalg.fill") || !mlirTypeIsARankedTensor(type) ||
      !mlirShapedTypeHasStaticShape(type) || mlirShapedTypeGetRank(type) != 2 ||
      mlirShapedTypeGetDimSize(type, 1) != mlirShapedTypeGetDimSize(vector, 1) ||
      !hm_op_named(hm_defining_op(mlirOperationGetOperand(fill, 0)), "arith.constant"))
    return false;
  p->tile = only_user(mlirOperationGetResult(p->loop, 0));
  return is_slice(p->tile, "tensor.insert_slice", false, 2, &ignored) &&
         mlirValueEqual(mlirOperationGetOperand(p->tile, 1), p->fill);
}

static bool match(MlirOperation write, PackedRows *p) {
  *p = (PackedRows){.write = write};
  return match_body(write, p) && match_tile(p);
}

static bool is_packed_row_write(MlirOperation op) {
  PackedRows p;
  return match(op, &p);
}

static MlirOperation whole_row_write(const PackedRows *p) {
  MlirContext ctx = mlirOperationGetContext(p->write);
  MlirValue operands[] = {mlirOperationGetOperand(p->write, 0), p->acc, p->iv, mlirOperationGetOperand(p->write, 3)};
  MlirAttribute in_bounds[] = {mlirBoolAttrGet(ctx, 1), mlirBoolAttrGet(ctx, 1)};
  int32_t segments[] = {1, 1, 2, 0};
  MlirNamedAttribute attrs[] = {
      mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("permutation_map")),
                            mlirAffineMapAttrGet(mlirAffineMapMultiDimIdentityGet(ctx, 2))),
      mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("in_bounds")),
                            mlirArrayAttrGet(ctx, 2, in_bounds)),
      mlirNamedAttributeGet(mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("operandSegmentSizes")),
                            mlirDenseI32ArrayGet(ctx, 4, segments)),
  };
  MlirType type = mlirValueGetType(p->fill);
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString("vector.transfer_write"),
                                                   mlirOperationGetLocation(p->write));
  mlirOperationStateAddOperands(&state, 4, operands);
  mlirOperationStateAddResults(&state, 1, &type);
  mlirOperationStateAddAttributes(&state, 3, attrs);
  return mlirOperationCreate(&state);
}

static void unmask(MlirOperation module_op, MlirOperation write) {
  PackedRows p;
  if (!match(write, &p))
    return;
  MlirType type = mlirValueGetType(p.fill);
  /* The loop carries the whole tile. */
  mlirOperationSetOperand(p.loop, 3, p.fill);
  mlirValueSetType(p.acc, type);
  mlirValueSetType(mlirOperationGetResult(p.loop, 0), type);
  /* The read padded with the fill's value, a copy of its constant before the read. */
  MlirOperation padding = mlirOperationClone(hm_defining_op(mlirOperationGetOperand(hm_defining_op(p.fill), 0)));
  mlirBlockInsertOwnedOperationBefore(mlirOperationGetBlock(p.read), p.read, padding);
  mlirOperationSetOperand(p.read, 3, mlirOperationGetResult(padding, 0));
  MlirOperation whole = whole_row_write(&p);
  mlirBlockInsertOwnedOperationBefore(mlirOperationGetBlock(p.write), p.write, whole);
  mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(p.row, 0), mlirOperationGetResult(whole, 0));
  mlirOperationDestroy(p.row);
  mlirOperationDestroy(p.write);
  mlirOperationDestroy(p.dst);
  mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(p.tile, 0), mlirOperationGetResult(p.loop, 0));
  mlirOperationDestroy(p.tile);
  mlirOperationDestroy(p.fill_slice);
}

bool hm_unmask_packed_rows(MlirOperation module_op) {
  return hm_rewrite_all(module_op, is_packed_row_write, unmask);
}
