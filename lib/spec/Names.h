/* The lexical rules of a spec's strings (docs/interchange.md, "Checking a spec"): names hold no
 * control characters, call targets are those the schema knows, and the free symbols of a size
 * expression. Library-private. */
#ifndef HELION_MLIR_SPEC_NAMES_H
#define HELION_MLIR_SPEC_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* The Helion ops of the schema's $defs/target list, generated from it (cmake/SchemaOps.cmake). */
extern const char *const hm_schema_helion_ops[];
extern const size_t hm_schema_num_helion_ops;

bool hm_spec_has_control(const char *s);
/* `s`, or a placeholder when printing it would put control characters into a message. */
const char *hm_spec_shown(const char *s);
/* aten.<op>.<overload>, prims.<op>.<overload>, operator.<name>, or a Helion op of the schema's
 * $defs/target list. */
bool hm_spec_known_target(const char *target);
/* The next free symbol of a sympy expression at or after *pos: an identifier not followed by "("
 * (a function name). Sets *start and *len and moves *pos past it; false at the end. */
bool hm_spec_next_symbol(const char *expr, size_t *pos, size_t *start, size_t *len);

#endif
