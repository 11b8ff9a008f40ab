#include "helion-mlir/support/Diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

bool hm_diag_error(HmDiag *diag, const char *fmt, ...) {
  if (!diag || diag->message)
    return false;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return false;
  diag->message = malloc((size_t)n + 1);
  if (!diag->message)
    return false;
  va_start(ap, fmt);
  vsnprintf(diag->message, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return false;
}

bool hm_diag_failed(const HmDiag *diag) { return diag && diag->message; }

void hm_diag_clear(HmDiag *diag) {
  free(diag->message);
  diag->message = NULL;
}
