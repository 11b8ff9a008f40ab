#include "run/ModulePass.h"
#include "run/HostBuffers.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helion-mlir/support/Context.h"
#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Support.h"

static void stateless(void *data) {}
static void *share(void *data) { return data; }

static void run(MlirOperation module_op, MlirExternalPass pass, void *data) {
  ((const HmModulePass *)data)->run(module_op, pass);
}

MlirPass hm_module_pass(const HmModulePass *pass) {
  /* mlirTypeIDCreate requires an 8-byte-aligned address; a struct of pointers has one on every
   * target we build for, and the static assertion keeps it so. */
  _Static_assert(alignof(HmModulePass) >= 8, "HmModulePass's address serves as an 8-byte-aligned TypeID");
  MlirExternalPassCallbacks callbacks = {stateless, stateless, NULL, share, run};
  return mlirCreateExternalPass(mlirTypeIDCreate(pass), mlirStringRefCreateFromCString(pass->name),
                                mlirStringRefCreateFromCString(pass->argument),
                                mlirStringRefCreateFromCString(pass->description),
                                mlirStringRefCreateFromCString("builtin.module"), 0, NULL, callbacks,
                                (void *)pass);
}

typedef struct Collector {
  HmOpList list;
  bool (*wanted)(MlirOperation op);
} Collector;

static MlirWalkResult collect(MlirOperation op, void *data) {
  Collector *c = data;
  if (!c->wanted(op))
    return MlirWalkResultAdvance;
  HmOpList *l = &c->list;
  if (l->count == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    MlirOperation *grown = cap <= SIZE_MAX / sizeof *grown ? realloc(l->ops, cap * sizeof *grown) : NULL;
    if (!grown) {
      l->oom = true;
      return MlirWalkResultInterrupt;
    }
    l->ops = grown;
    l->cap = cap;
  }
  l->ops[l->count++] = op;
  return MlirWalkResultAdvance;
}

bool hm_attr_prints(MlirOperation op, const char *name, const char *text) {
  MlirAttribute attr = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString(name));
  return !mlirAttributeIsNull(attr) && hm_attribute_prints(attr, text);
}

bool hm_attribute_prints(MlirAttribute attr, const char *text) {
  HmBuffer printed = {0};
  mlirAttributePrint(attr, hm_buffer_append, &printed);
  bool found = printed.data && strstr(printed.data, text) != NULL;
  hm_buffer_free(&printed);
  return found;
}

intptr_t hm_generic_inputs(MlirOperation op) {
  if (!hm_op_named(op, "linalg.generic") || mlirOperationGetNumResults(op) != 1)
    return -1;
  MlirAttribute segments = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("operandSegmentSizes"));
  if (mlirAttributeIsNull(segments) || mlirDenseArrayGetNumElements(segments) != 2 ||
      mlirDenseI32ArrayGetElement(segments, 1) != 1)
    return -1;
  return mlirDenseI32ArrayGetElement(segments, 0);
}

int64_t hm_float_lanes(MlirType vector, int64_t bits) {
  if (!mlirTypeIsAVector(vector) || mlirShapedTypeGetRank(vector) != 1)
    return 0;
  MlirType element = mlirShapedTypeGetElementType(vector);
  if (!mlirTypeIsAF32(element) && !mlirTypeIsAF64(element))
    return 0;
  return bits / mlirFloatTypeGetWidth(element);
}

MlirOperation hm_defining_op(MlirValue value) {
  return mlirValueIsAOpResult(value) ? mlirOpResultGetOwner(value) : (MlirOperation){NULL};
}

bool hm_constant_index(MlirValue value, int64_t *out) {
  MlirOperation op = hm_defining_op(value);
  if (mlirOperationIsNull(op) || !hm_op_named(op, "arith.constant"))
    return false;
  MlirAttribute attr = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("value"));
  if (!mlirAttributeIsAInteger(attr))
    return false;
  *out = mlirIntegerAttrGetValueInt(attr);
  return true;
}

bool hm_defined_outside(MlirValue value, MlirOperation op) {
  MlirOperation owner = mlirValueIsAOpResult(value)
                            ? mlirOpResultGetOwner(value)
                            : mlirBlockGetParentOperation(mlirBlockArgumentGetOwner(value));
  for (; !mlirOperationIsNull(owner); owner = mlirOperationGetParentOperation(owner))
    if (mlirOperationEqual(owner, op))
      return false;
  return true;
}

MlirValue hm_insert_op(MlirBlock block, MlirOperation before, MlirLocation loc, const char *name,
                       intptr_t noperands, const MlirValue *operands, MlirType result, intptr_t nattrs,
                       const MlirNamedAttribute *attrs) {
  MlirOperationState state = mlirOperationStateGet(mlirStringRefCreateFromCString(name), loc);
  mlirOperationStateAddOperands(&state, noperands, operands);
  mlirOperationStateAddResults(&state, 1, &result);
  mlirOperationStateAddAttributes(&state, nattrs, attrs);
  MlirOperation op = mlirOperationCreate(&state);
  if (mlirOperationIsNull(before))
    mlirBlockAppendOwnedOperation(block, op);
  else
    mlirBlockInsertOwnedOperationBefore(block, before, op);
  return mlirOperationGetResult(op, 0);
}

HmOpList hm_collect_ops(MlirOperation root, MlirWalkOrder order, bool (*wanted)(MlirOperation op)) {
  Collector c = {.wanted = wanted};
  mlirOperationWalk(root, collect, &c, order);
  return c.list;
}

void hm_op_list_free(HmOpList *list) {
  free(list->ops);
  *list = (HmOpList){0};
}

bool hm_rewrite_all(MlirOperation module_op, bool (*wanted)(MlirOperation op),
                    void (*rewrite)(MlirOperation module_op, MlirOperation op)) {
  HmOpList found = hm_collect_ops(module_op, MlirWalkPreOrder, wanted);
  bool ok = !found.oom;
  for (size_t i = 0; ok && i < found.count; ++i)
    rewrite(module_op, found.ops[i]);
  hm_op_list_free(&found);
  return ok;
}

void hm_rewrite_each(MlirOperation module_op, MlirExternalPass pass, bool (*wanted)(MlirOperation op),
                     void (*rewrite)(MlirOperation module_op, MlirOperation op)) {
  if (!hm_rewrite_all(module_op, wanted, rewrite))
    mlirExternalPassSignalFailure(pass);
}
