/* The fuzz target: one input through the public C entry points the way helion-mlir and the Python
 * bindings use them (read a spec from a buffer, lower it in each mode, print the module, destroy
 * everything). libFuzzer drives it under `make fuzz`; Replay.c feeds it the kept regression inputs in
 * the normal builds.
 *
 * Besides the sanitizers, it checks the promise the tools make about bad input: a refusal is exactly
 * one non-empty message line. Anything else aborts, so the fuzzer keeps the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helion-mlir/lower/Lower.h"
#include "helion-mlir/spec/Spec.h"
#include "helion-mlir/support/Context.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_refusal(const HmDiag *diag, const char *stage) {
  const char *message = diag->message;
  if (!message || !*message || strchr(message, '\n')) {
    fprintf(stderr, "fuzz: %s failed without a one-line message: %s\n", stage, message ? message : "(none)");
    abort();
  }
}

static const HmLowerOptions kModes[] = {
    {HM_TILES_CONCRETE, HM_ATEN_LINALG},
    {HM_TILES_SYMBOLIC, HM_ATEN_LINALG},
    {HM_TILES_CONCRETE, HM_ATEN_TORCH},
};

/* Creating a context with every dialect costs far more than most lowerings, so each aten mode keeps
 * one for the whole run (the torch mode marks its context as allowing unregistered dialects). They
 * stay reachable until exit. */
static MlirContext context_for(HmAtenMode aten) {
  static MlirContext contexts[2];
  MlirContext *ctx = &contexts[aten == HM_ATEN_TORCH];
  if (mlirContextIsNull(*ctx)) {
    HmDiag diag = {0};
    *ctx = hm_context_create(&diag);
    if (mlirContextIsNull(*ctx)) {
      fprintf(stderr, "fuzz: cannot create an MLIR context: %s\n", diag.message ? diag.message : "");
      abort();
    }
  }
  return *ctx;
}

static void lower_in(const HmSpec *spec, HmLowerOptions mode) {
  HmDiag diag = {0};
  MlirContext ctx = context_for(mode.aten);
  MlirModule module = hm_lower(ctx, spec, mode, &diag);
  if (mlirModuleIsNull(module)) {
    check_refusal(&diag, "hm_lower");
  } else {
    HmBuffer text = {0};
    mlirOperationPrint(mlirModuleGetOperation(module), hm_buffer_append, &text);
    if (!text.oom && text.len == 0) {
      fprintf(stderr, "fuzz: a lowered module printed as nothing\n");
      abort();
    }
    hm_buffer_free(&text);
    mlirModuleDestroy(module);
  }
  hm_diag_clear(&diag);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  HmDiag diag = {0};
  HmSpec *spec = hm_spec_parse((const char *)data, size, "<fuzz>", &diag);
  if (!spec) {
    check_refusal(&diag, "hm_spec_parse");
    hm_diag_clear(&diag);
    return 0;
  }
  for (size_t i = 0; i < sizeof kModes / sizeof kModes[0]; ++i)
    lower_in(spec, kModes[i]);
  hm_spec_destroy(spec);
  return 0;
}
