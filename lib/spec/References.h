/* The cross-reference checks of a spec (docs/interchange.md, "Checking a spec"): the rules that relate
 * one part of a spec to another, which JSON Schema cannot express. Library-private. */
#ifndef HELION_MLIR_SPEC_REFERENCES_H
#define HELION_MLIR_SPEC_REFERENCES_H

#include <jansson.h>
#include <stdbool.h>

#include "helion-mlir/support/Diag.h"

/* `root` is a spec whose structure the reader has checked. On a violation, records
 * "SOURCE: PATH: message" in `diag` and returns false. */
bool hm_spec_check_references(json_t *root, const char *source, HmDiag *diag);

#endif
