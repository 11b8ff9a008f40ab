#include "helion-mlir/support/Context.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/Dialect/IRDL.h"
#include "mlir-c/RegisterEverything.h"

/* ---- Collecting printed text ---- */

void hm_buffer_append(MlirStringRef piece, void *buffer) {
  HmBuffer *b = buffer;
  if (b->oom)
    return;
  if (b->len + piece.length + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + piece.length + 1)
      cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) {
      b->oom = true;
      return;
    }
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, piece.data, piece.length);
  b->len += piece.length;
  b->data[b->len] = '\0';
}

void hm_buffer_free(HmBuffer *buffer) {
  free(buffer->data);
  *buffer = (HmBuffer){0};
}

/* ---- Diagnostics ---- */

bool hm_location_file_pos(MlirLocation loc, HmFilePos *pos) {
  if (mlirLocationIsAFileLineColRange(loc)) {
    pos->file = mlirIdentifierStr(mlirLocationFileLineColRangeGetFilename(loc));
    pos->line = (unsigned)mlirLocationFileLineColRangeGetStartLine(loc);
    pos->col = (unsigned)mlirLocationFileLineColRangeGetStartColumn(loc);
    return true;
  }
  if (mlirLocationIsAName(loc))
    return hm_location_file_pos(mlirLocationNameGetChildLoc(loc), pos);
  if (mlirLocationIsACallSite(loc))
    return hm_location_file_pos(mlirLocationCallSiteGetCallee(loc), pos);
  if (mlirLocationIsAFused(loc)) {
    intptr_t n = mlirLocationFusedGetNumLocations(loc);
    MlirLocation *members = malloc((size_t)n * sizeof *members);
    if (!members)
      return false;
    mlirLocationFusedGetLocations(loc, members);
    bool found = false;
    for (intptr_t i = 0; i < n && !found; ++i)
      found = hm_location_file_pos(members[i], pos);
    free(members);
    return found;
  }
  return false;
}

char *hm_diagnostic_message(MlirDiagnostic diagnostic) {
  HmBuffer text = {0};
  mlirDiagnosticPrint(diagnostic, hm_buffer_append, &text);
  if (text.oom) {
    hm_buffer_free(&text);
    return NULL;
  }
  /* An empty message appends nothing, but callers are promised a string. */
  return text.data ? text.data : calloc(1, 1);
}

static void record_first_error(HmDiag *diag, MlirDiagnostic diagnostic) {
  char *message = hm_diagnostic_message(diagnostic);
  if (!message) {
    hm_diag_error(diag, "out of memory while reporting an MLIR error");
    return;
  }
  HmFilePos pos;
  if (hm_location_file_pos(mlirDiagnosticGetLocation(diagnostic), &pos))
    hm_diag_error(diag, "%.*s:%u:%u: %s", (int)pos.file.length, pos.file.data, pos.line, pos.col,
                  message);
  else
    hm_diag_error(diag, "%s", message);
  free(message);
}

static MlirLogicalResult capture_handler(MlirDiagnostic diagnostic, void *user_data) {
  if (mlirDiagnosticGetSeverity(diagnostic) == MlirDiagnosticError)
    record_first_error(user_data, diagnostic);
  /* Success tells MLIR the diagnostic is handled, so it never falls through to stderr. */
  return mlirLogicalResultSuccess();
}

HmDiagCapture hm_diag_capture_begin(MlirContext ctx, HmDiag *diag) {
  return (HmDiagCapture){
      .ctx = ctx,
      .id = mlirContextAttachDiagnosticHandler(ctx, capture_handler, diag, NULL),
  };
}

void hm_diag_capture_end(HmDiagCapture capture) {
  mlirContextDetachDiagnosticHandler(capture.ctx, capture.id);
}

/* ---- Dialects ---- */

typedef struct EmbeddedDialect {
  const char *name;   /* the dialect namespace */
  const char *source; /* the file it came from, for diagnostics */
  const char *irdl;
} EmbeddedDialect;

static const EmbeddedDialect kDialects[] = {
    {"helion", "dialects/helion.irdl.mlir", hm_irdl_helion},
    {"loom", "dialects/loom.irdl.mlir", hm_irdl_loom},
    {"torch", "dialects/torch.irdl.mlir", hm_irdl_torch},
};

static bool dialect_loaded(MlirContext ctx, const char *name) {
  return !mlirDialectIsNull(mlirContextGetOrLoadDialect(ctx, mlirStringRefCreateFromCString(name)));
}

/* mlirLoadIRDLDialects wants a module, but parsing the text as a module would name no file in the
 * locations of its diagnostics; parsing it as an operation lets us name the source. */
static MlirModule parse_irdl(MlirContext ctx, const EmbeddedDialect *dialect) {
  MlirOperation op = mlirOperationCreateParse(ctx, mlirStringRefCreateFromCString(dialect->irdl),
                                              mlirStringRefCreateFromCString(dialect->source));
  if (mlirOperationIsNull(op))
    return (MlirModule){NULL};
  MlirModule module = mlirModuleCreateEmpty(mlirOperationGetLocation(op));
  mlirBlockAppendOwnedOperation(mlirModuleGetBody(module), op);
  return module;
}

/* MLIR 22's IRDL verifier only takes op names of lowercase letters, digits and `_`; torch's ops
 * (`aten.sum.dim_IntList`) carry their real name in `helion.op_name`, given to them once parsed. */
static MlirWalkResult give_op_name(MlirOperation op, void *user_data) {
  (void)user_data;
  MlirAttribute name = mlirOperationGetDiscardableAttributeByName(op, mlirStringRefCreateFromCString("helion.op_name"));
  if (!mlirAttributeIsNull(name) && mlirAttributeIsAString(name)) {
    mlirOperationSetInherentAttributeByName(op, mlirStringRefCreateFromCString("sym_name"), name);
    mlirOperationRemoveDiscardableAttributeByName(op, mlirStringRefCreateFromCString("helion.op_name"));
  }
  return MlirWalkResultAdvance;
}

static bool load_dialect(MlirContext ctx, const EmbeddedDialect *dialect, HmDiag *diag) {
  if (dialect_loaded(ctx, dialect->name))
    return true;
  MlirModule module = parse_irdl(ctx, dialect);
  if (mlirModuleIsNull(module))
    return hm_diag_error(diag, "cannot parse the %s dialect definition", dialect->name);
  mlirOperationWalk(mlirModuleGetOperation(module), give_op_name, NULL, MlirWalkPreOrder);
  bool loaded = mlirLogicalResultIsSuccess(mlirLoadIRDLDialects(module));
  mlirModuleDestroy(module);
  if (!loaded)
    return hm_diag_error(diag, "cannot load the %s dialect definition", dialect->name);
  return true;
}

bool hm_context_load_dialects(MlirContext ctx, HmDiag *diag) {
  mlirDialectHandleLoadDialect(mlirGetDialectHandle__irdl__(), ctx);
  /* MLIR's own error, with its position in the IRDL source, is recorded before our summary. */
  HmDiagCapture capture = hm_diag_capture_begin(ctx, diag);
  bool ok = true;
  for (size_t i = 0; ok && i < sizeof kDialects / sizeof kDialects[0]; ++i)
    ok = load_dialect(ctx, &kDialects[i], diag);
  hm_diag_capture_end(capture);
  return ok;
}

/* The pass registry is process-global and unsynchronised: fill it once, even when contexts are
 * created from several threads. */
static once_flag passes_once = ONCE_FLAG_INIT;

static void register_passes(void) { mlirRegisterAllPasses(); }

MlirContext hm_context_create(HmDiag *diag) {
  call_once(&passes_once, register_passes);
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirRegisterAllDialects(registry);
  /* Without multithreading: a kernel module holds one function, so the pass manager has nothing to
   * run in parallel, and a threaded context would keep a pool of idle threads for the process's
   * life (and lock its uniquers on every type and attribute). Each context is used by one thread
   * at a time (lib/capi/CAPI.c hands the shared one out exclusively). */
  MlirContext ctx = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  mlirRegisterAllLLVMTranslations(ctx);
  mlirContextLoadAllAvailableDialects(ctx);
  if (!hm_context_load_dialects(ctx, diag)) {
    mlirContextDestroy(ctx);
    return (MlirContext){NULL};
  }
  return ctx;
}
