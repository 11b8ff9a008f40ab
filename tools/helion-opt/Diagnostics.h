/* helion-opt's diagnostics: while a session is active every diagnostic of the context goes to it.
 * Without verification it is printed as FILE:LINE:COL: SEVERITY: MESSAGE (notes too); with
 * --verify-diagnostics it must match one of the input's expected-* comments, and each of those must
 * be produced. */
#ifndef HELION_MLIR_TOOLS_HELION_OPT_DIAGNOSTICS_H
#define HELION_MLIR_TOOLS_HELION_OPT_DIAGNOSTICS_H

#include <stdbool.h>
#include <stddef.h>

#include "helion-mlir/support/Context.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"

typedef struct Source {
  const char *name; /* as diagnostics name it: the path, or "<stdin>" */
  char *text;       /* owned, NUL-terminated */
  size_t len;
} Source;

typedef struct Expectations Expectations;

typedef struct DiagSession {
  MlirContext ctx;
  const Source *src;
  Expectations *expected; /* owned; NULL unless --verify-diagnostics */
  bool unexpected;        /* a diagnostic matched no expectation */
  MlirDiagnosticHandlerID handler;
} DiagSession;

/* Starts taking `ctx`'s diagnostics for `src`. With `verify`, reads the expectations first and, when
 * one is malformed, prints why and returns false (no session). */
bool diag_session_begin(MlirContext ctx, const Source *src, bool verify, DiagSession *s);

/* Ends the session. Returns whether processing went as it should: `processed`, or under verification
 * every expectation met and no diagnostic unexpected (each miss is printed). */
bool diag_session_end(DiagSession *s, bool processed);

#endif
