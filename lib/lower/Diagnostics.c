/* The lowering's diagnostics: a failure is reported at the node being lowered, with its kernel source
 * line. Code below the graph walk (the builder, sizes, tiles) knows no node: it records its failure
 * with hm_fail, and whoever reports at a node next reports that first failure there. */
#include "lower/Lowering.h"

#include <stdarg.h>
#include <stdio.h>

bool hm_fail(HmLowering *L, const char *fmt, ...) {
  if (L->fault[0] || hm_diag_failed(L->diag))
    return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(L->fault, sizeof L->fault, fmt, ap);
  va_end(ap);
  return false;
}

bool hm_node_error(HmLowering *L, const HmNode *node, const char *fmt, ...) {
  char message[sizeof L->fault];
  if (L->fault[0]) {
    snprintf(message, sizeof message, "%s", L->fault);
    L->fault[0] = '\0';
  } else {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
  }
  if (!node)
    return hm_diag_error(L->diag, "%s: %s", hm_spec_source_name(L->spec), message);
  if (node->file)
    return hm_diag_error(L->diag, "%s:%d: %s (node '%s')", node->file, node->line, message, node->name);
  return hm_diag_error(L->diag, "%s: node '%s': %s", hm_spec_source_name(L->spec), node->name, message);
}
