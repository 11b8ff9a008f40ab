#include "helion-mlir/support/Diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* What stands for a control byte in a message: a name, a node reference or an MLIR diagnostic may
 * carry one, and a raw newline would start a second line that reads like another error. */
static size_t escape_byte(unsigned char c, char out[5]) {
  switch (c) {
  case '\n': out[0] = '\\', out[1] = 'n'; return 2;
  case '\r': out[0] = '\\', out[1] = 'r'; return 2;
  case '\t': out[0] = '\\', out[1] = 't'; return 2;
  default:
    if (c >= 0x20 && c != 0x7f) {
      out[0] = (char)c;
      return 1;
    }
    snprintf(out, 5, "\\x%02x", c);
    return 4;
  }
}

/* `text` with its control characters escaped, malloc'd; NULL when out of memory. */
static char *escape(const char *text) {
  char piece[5];
  size_t n = 1;
  for (const char *p = text; *p; ++p)
    n += escape_byte((unsigned char)*p, piece);
  char *out = malloc(n);
  if (!out)
    return NULL;
  size_t len = 0;
  for (const char *p = text; *p; ++p) {
    size_t k = escape_byte((unsigned char)*p, piece);
    for (size_t i = 0; i < k; ++i)
      out[len++] = piece[i];
  }
  out[len] = '\0';
  return out;
}

bool hm_diag_error(HmDiag *diag, const char *fmt, ...) {
  if (!diag || diag->message)
    return false;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return false;
  char *raw = malloc((size_t)n + 1);
  if (!raw)
    return false;
  va_start(ap, fmt);
  vsnprintf(raw, (size_t)n + 1, fmt, ap);
  va_end(ap);
  diag->message = escape(raw);
  free(raw);
  return false;
}

bool hm_diag_failed(const HmDiag *diag) { return diag && diag->message; }

void hm_diag_clear(HmDiag *diag) {
  free(diag->message);
  diag->message = NULL;
}
