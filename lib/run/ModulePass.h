/* One builder for the JIT pipeline's own passes on builtin.module. The C API's external pass needs
 * a TypeID, a name, an argument and five callbacks; ours keep no state between runs, so all they
 * differ in is what a run does. */
#ifndef HELION_MLIR_RUN_MODULEPASS_H
#define HELION_MLIR_RUN_MODULEPASS_H

#include <stdbool.h>
#include <stddef.h>

#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct HmModulePass {
  const char *name;        /* the pass's class name, as diagnostics and timing name it */
  const char *argument;    /* its pipeline argument, e.g. "helion-vectorize" */
  const char *description;
  /* Signals failure through mlirExternalPassSignalFailure(pass). */
  void (*run)(MlirOperation module_op, MlirExternalPass pass);
} HmModulePass;

/* `pass` must outlive every pass manager holding the result (a static object): its address is the
 * pass's TypeID. */
MlirPass hm_module_pass(const HmModulePass *pass);

/* The op defining `value`; null for a block argument. */
MlirOperation hm_defining_op(MlirValue value);

/* The value of an index or integer arith.constant in *out; false if `value` is none. */
bool hm_constant_index(MlirValue value, int64_t *out);

/* Whether `value` is defined outside `op` (a block argument of a region above it, or an op result
 * there), so that it may be used before or after `op`. */
bool hm_defined_outside(MlirValue value, MlirOperation op);

/* A new op `name` of one result of type `result`, inserted into `block` before `before` (at the
 * block's end when `before` is null): the result. */
MlirValue hm_insert_op(MlirBlock block, MlirOperation before, MlirLocation loc, const char *name,
                       intptr_t noperands, const MlirValue *operands, MlirType result, intptr_t nattrs,
                       const MlirNamedAttribute *attrs);

/* Whether the printed form of `op`'s attribute `name` contains `text`; false when it has none. */
bool hm_attr_prints(MlirOperation op, const char *name, const char *text);

/* Whether the printed form of `attr` contains `text`. */
bool hm_attribute_prints(MlirAttribute attr, const char *text);

/* The number of inputs of a linalg.generic with one output and one result; -1 for another op. */
intptr_t hm_generic_inputs(MlirOperation op);

/* The lanes `bits` bits hold of the 1-D f32 or f64 vector type `vector`; 0 for another type. */
int64_t hm_float_lanes(MlirType vector, int64_t bits);

/* The ops of a module a pass rewrites, collected by one walk first: rewriting under a walk would
 * change what it walks. */
typedef struct HmOpList {
  MlirOperation *ops;
  size_t count, cap;
  bool oom; /* an allocation failed: `ops` holds what was found before */
} HmOpList;

/* Every op under `root` that `wanted` accepts, in walk `order`. Free the list with hm_op_list_free. */
HmOpList hm_collect_ops(MlirOperation root, MlirWalkOrder order, bool (*wanted)(MlirOperation op));
void hm_op_list_free(HmOpList *list);

/* Rewrites ops one at a time: collects, in pre-order, every op under `module_op` that `wanted`
 * accepts, then calls `rewrite(module_op, op)` on each. When the list cannot be allocated nothing
 * is rewritten and the result is false. */
bool hm_rewrite_all(MlirOperation module_op, bool (*wanted)(MlirOperation op),
                    void (*rewrite)(MlirOperation module_op, MlirOperation op));

/* hm_rewrite_all as a pass run: the pass fails when the list cannot be allocated. */
void hm_rewrite_each(MlirOperation module_op, MlirExternalPass pass, bool (*wanted)(MlirOperation op),
                     void (*rewrite)(MlirOperation module_op, MlirOperation op));

#ifdef __cplusplus
}
#endif

#endif
