/* An MLIR context ready for helion-mlir: every upstream dialect registered and our IRDL dialects
 * (helion, loom) loaded. */
#ifndef HELION_MLIR_CONTEXT_H
#define HELION_MLIR_CONTEXT_H

#include "helion-mlir/Diag.h"
#include "mlir-c/IR.h"

/* Returns a null context (and fills diag) when our dialect definitions fail to load.
 * The caller destroys the context with mlirContextDestroy. */
MlirContext hm_context_create(HmDiag *diag);

/* Loads the helion and loom IRDL dialects into an existing context. */
bool hm_load_dialects(MlirContext ctx, HmDiag *diag);

/* The IRDL source of our dialects, as shipped in dialects/ (for tools that write them out). */
extern const char hm_irdl_helion[];
extern const char hm_irdl_loom[];

#endif
