/* An MLIR context ready for helion-mlir: every upstream dialect registered and our IRDL dialects
 * (helion, loom) loaded; and the means to keep MLIR's diagnostics off stderr.
 *
 * Ownership: every Mlir* handle returned here is owned by the caller and destroyed with the matching
 * mlir*Destroy; every char* returned is malloc'd and freed with free(). Strings handed back as
 * MlirStringRef point into the context and live as long as it does.
 */
#ifndef HELION_MLIR_CONTEXT_H
#define HELION_MLIR_CONTEXT_H

#include <stddef.h>

#include "helion-mlir/support/Diag.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns a context with every upstream dialect, pass and LLVM IR translation registered, every
 * registered dialect loaded, and helion, loom, torch and torch_c loaded; or a null context (and fills diag) when
 * our dialect definitions fail to load. The caller destroys the context with mlirContextDestroy. */
MlirContext hm_context_create(HmDiag *diag);

/* Loads the helion, loom and torch (with torch_c) IRDL dialects into an existing context (any context: the irdl dialect
 * is loaded first if it is missing). Loading them into a context that has them is a no-op. */
bool hm_context_load_dialects(MlirContext ctx, HmDiag *diag);

/* The IRDL source of our dialects, as shipped in dialects/ (for tools that write them out). */
extern const char hm_irdl_helion[];
extern const char hm_irdl_loom[];
extern const char hm_irdl_torch[];

/* ---- Diagnostics ---- */

/* A position in a source file. `file` points into the context. */
typedef struct HmFilePos {
  MlirStringRef file;
  unsigned line;
  unsigned col;
} HmFilePos;

/* Finds the source position a location names: a file:line:col itself, the child of a name
 * location, the callee of a call site, the first fused member that has one. Returns false for
 * locations that name no position (unknown, opaque). */
bool hm_location_file_pos(MlirLocation loc, HmFilePos *pos);

/* The diagnostic's message, without its location or notes; NULL when out of memory. */
char *hm_diagnostic_message(MlirDiagnostic diagnostic);

/* While a capture is active, every diagnostic of its context is consumed (none reaches stderr):
 * the first error is recorded into `diag` as "file:line:col: message" (just the message when the
 * location names no position); warnings, remarks and notes are dropped. `diag` is borrowed: it must
 * outlive the capture. Captures nest; the innermost active one receives the diagnostics. */
typedef struct HmDiagCapture {
  MlirContext ctx;
  MlirDiagnosticHandlerID id;
} HmDiagCapture;

HmDiagCapture hm_diag_capture_begin(MlirContext ctx, HmDiag *diag);
void hm_diag_capture_end(HmDiagCapture capture);

/* ---- Collecting printed text ---- */

/* A growable NUL-terminated string for the C API's print callbacks, e.g.
 *   HmBuffer b = {0}; mlirOperationPrint(op, hm_buffer_append, &b); ...; hm_buffer_free(&b);
 * On allocation failure it stops growing and sets `oom`; `data` is NULL until something is
 * appended. */
typedef struct HmBuffer {
  char *data;
  size_t len;
  size_t cap;
  bool oom;
} HmBuffer;

/* An MlirStringCallback: `buffer` is an HmBuffer*. */
void hm_buffer_append(MlirStringRef piece, void *buffer);
void hm_buffer_free(HmBuffer *buffer);

#ifdef __cplusplus
}
#endif

#endif
