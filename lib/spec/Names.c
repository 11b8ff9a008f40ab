/* The lexical rules of a spec's strings: control characters, known call targets, free symbols. */
#include "spec/Names.h"

#include <ctype.h>
#include <string.h>

bool hm_spec_has_control(const char *s) {
  for (; *s; ++s)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

const char *hm_spec_shown(const char *s) { return hm_spec_has_control(s) ? "(a string with control characters)" : s; }

/* `rest` is `parts` non-empty names separated by dots. */
static bool dotted(const char *rest, int parts) {
  for (int i = 0; i < parts; ++i) {
    size_t n = strcspn(rest, ".");
    if (n == 0)
      return false;
    rest += n;
    if (i + 1 < parts && *rest++ != '.')
      return false;
  }
  return *rest == '\0';
}

bool hm_spec_known_target(const char *target) {
  if (strncmp(target, "aten.", 5) == 0)
    return dotted(target + 5, 2);
  if (strncmp(target, "prims.", 6) == 0)
    return dotted(target + 6, 2);
  if (strncmp(target, "operator.", 9) == 0)
    return dotted(target + 9, 1);
  for (size_t i = 0; i < hm_schema_num_helion_ops; ++i)
    if (strcmp(hm_schema_helion_ops[i], target) == 0)
      return true;
  return false;
}

static bool word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

bool hm_spec_next_symbol(const char *expr, size_t *pos, size_t *start, size_t *len) {
  for (size_t i = *pos; expr[i]; ++i) {
    bool begins = (isalpha((unsigned char)expr[i]) || expr[i] == '_') && (i == 0 || !word_char(expr[i - 1]));
    if (!begins)
      continue;
    size_t end = i;
    while (word_char(expr[end]))
      ++end;
    size_t after = end;
    while (isspace((unsigned char)expr[after]))
      ++after;
    *pos = end;
    if (expr[after] == '(') {
      i = end - 1;
      continue;
    }
    *start = i;
    *len = end - i;
    return true;
  }
  return false;
}
