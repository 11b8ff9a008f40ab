/* How helion-opt reports MLIR's diagnostics: printed, or (--verify-diagnostics) matched against the
 * input's `expected-SEVERITY[@+N|@-N|@above|@below|@unknown] {{TEXT}}` comments, as mlir-opt does. */
#include "helion-opt/Diagnostics.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef struct Expectation {
  MlirDiagnosticSeverity severity;
  bool unknown;      /* @unknown: the diagnostic has no file position */
  unsigned line;     /* the line the diagnostic must be reported on */
  unsigned own_line; /* where the expectation is written */
  unsigned own_col;
  char *text; /* owned; must occur in the diagnostic's message */
  bool matched;
} Expectation;

struct Expectations {
  Expectation *items;
  size_t count;
  size_t cap;
};

static const struct {
  const char *word;
  MlirDiagnosticSeverity severity;
} kSeverities[] = {
    {"error", MlirDiagnosticError},
    {"warning", MlirDiagnosticWarning},
    {"note", MlirDiagnosticNote},
    {"remark", MlirDiagnosticRemark},
};

static const char *severity_word(MlirDiagnosticSeverity severity) {
  for (size_t i = 0; i < sizeof kSeverities / sizeof kSeverities[0]; ++i)
    if (kSeverities[i].severity == severity)
      return kSeverities[i].word;
  return "diagnostic";
}

/* Reads "error", "warning", ... at *p, advancing past it. */
static bool parse_severity(const char **p, MlirDiagnosticSeverity *severity) {
  for (size_t i = 0; i < sizeof kSeverities / sizeof kSeverities[0]; ++i) {
    size_t len = strlen(kSeverities[i].word);
    if (strncmp(*p, kSeverities[i].word, len) == 0) {
      *p += len;
      *severity = kSeverities[i].severity;
      return true;
    }
  }
  return false;
}

static bool add_expectation(Expectations *list, Expectation e) {
  if (list->count == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 16;
    Expectation *grown = realloc(list->items, cap * sizeof *grown);
    if (!grown)
      return false;
    list->items = grown;
    list->cap = cap;
  }
  list->items[list->count++] = e;
  return true;
}

static void free_expectations(Expectations *list) {
  for (size_t i = 0; i < list->count; ++i)
    free(list->items[i].text);
  free(list->items);
  *list = (Expectations){0};
}

static bool is_word_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '-'; }

/* The first occurrence of `needle` in [p, end), or NULL. */
static const char *find_in(const char *p, const char *end, const char *needle) {
  size_t len = strlen(needle);
  for (; (size_t)(end - p) >= len; ++p)
    if (memcmp(p, needle, len) == 0)
      return p;
  return NULL;
}

/* Where an expectation says its diagnostic is: `@+N`/`@-N` lines away, `@above` (the closest line
 * before it holding no expectation), `@below` (the closest after it), `@unknown` (no position), or,
 * with no `@`, its own line. */
typedef enum Target { ON_LINE, OFFSET, ABOVE, BELOW, UNKNOWN } Target;

typedef enum Parsed { NO_EXPECTATION, EXPECTATION, MALFORMED } Parsed;

static void report(const Source *src, unsigned line_no, unsigned col, const char *message) {
  fprintf(stderr, "%s:%u:%u: error: %s\n", src->name, line_no, col, message);
}

static void skip_blanks(const char **p, const char *end) {
  while (*p < end && (**p == ' ' || **p == '\t'))
    ++*p;
}

static bool eat_word(const char **p, const char *end, const char *word) {
  size_t len = strlen(word);
  if ((size_t)(end - *p) < len || memcmp(*p, word, len) != 0 || (*p + len < end && is_word_char((*p)[len])))
    return false;
  *p += len;
  return true;
}

/* `@+N` or `@-N` at *p (after the `@`): the line it names, which must be one of the input's `nlines`.
 * N is read digit by digit against that bound, so no N wraps around to a line that exists. */
static bool parse_offset(const char **p, const char *end, unsigned line_no, unsigned nlines, unsigned *line) {
  if (*p == end || (**p != '+' && **p != '-'))
    return false;
  bool down = **p == '+';
  const char *q = *p + 1;
  unsigned long long n = 0;
  bool digits = false;
  for (; q < end && isdigit((unsigned char)*q); ++q, digits = true) {
    n = n * 10 + (unsigned)(*q - '0');
    if (n > nlines)
      return false;
  }
  if (!digits || (down ? n > nlines - line_no : n >= line_no))
    return false;
  *line = down ? line_no + (unsigned)n : line_no - (unsigned)n;
  *p = q;
  return true;
}

/* Parses the expectation in [line, end) if there is one, as mlir-opt reads it:
 * `expected-SEVERITY [@+N|@-N|@above|@below|@unknown] {{TEXT}}`, blanks allowed around the `@...`. */
static Parsed parse_expectation_line(const Source *src, const char *line, const char *end, unsigned line_no,
                                     unsigned nlines, Expectation *out, Target *target) {
  static const char kPrefix[] = "expected-";
  const char *p = line;
  while ((p = find_in(p, end, kPrefix))) {
    const char *at = p;
    p += sizeof kPrefix - 1;
    MlirDiagnosticSeverity severity;
    /* Whole words only: prose such as "unexpected-errors" is no expectation. */
    if ((at > line && is_word_char(at[-1])) || !parse_severity(&p, &severity) || (p < end && is_word_char(*p)))
      continue;
    unsigned col = (unsigned)(at - line) + 1;
    *out = (Expectation){.severity = severity, .line = line_no, .own_line = line_no, .own_col = col};
    *target = ON_LINE;
    skip_blanks(&p, end);
    if (p < end && *p == '@') {
      ++p;
      if (eat_word(&p, end, "above"))
        *target = ABOVE;
      else if (eat_word(&p, end, "below"))
        *target = BELOW;
      else if (eat_word(&p, end, "unknown"))
        *target = UNKNOWN;
      else if (parse_offset(&p, end, line_no, nlines, &out->line))
        *target = OFFSET;
      else {
        report(src, line_no, col, "expected '@+N' or '@-N' naming a line of the input, '@above', '@below' "
               "or '@unknown'");
        return MALFORMED;
      }
      skip_blanks(&p, end);
    }
    const char *close = NULL;
    for (const char *q = p; q + 1 < end; ++q)
      if (q[0] == '}' && q[1] == '}')
        close = q;
    if ((size_t)(end - p) < 2 || strncmp(p, "{{", 2) != 0 || !close || close < p + 2) {
      report(src, line_no, col, "expected the message in '{{...}}'");
      return MALFORMED;
    }
    size_t len = (size_t)(close - (p + 2));
    out->text = malloc(len + 1);
    if (!out->text)
      return MALFORMED;
    memcpy(out->text, p + 2, len);
    out->text[len] = '\0';
    out->unknown = *target == UNKNOWN;
    return EXPECTATION;
  }
  return NO_EXPECTATION;
}

static unsigned count_lines(const Source *src) {
  unsigned n = 1;
  for (size_t i = 0; i + 1 < src->len; ++i)
    n += src->text[i] == '\n';
  return n;
}

/* `@above` takes the last line without an expectation, `@below` waits for the next one (and, when no
 * such line follows, names the input's last line, where no diagnostic is). */
static bool parse_expectations(const Source *src, Expectations *list) {
  unsigned nlines = count_lines(src), line_no = 1, last_plain = 0;
  size_t first_pending = 0, npending = 0; /* the @below expectations waiting for a line: the last ones */
  for (const char *line = src->text; line < src->text + src->len; ++line_no) {
    const char *end = memchr(line, '\n', (size_t)(src->text + src->len - line));
    if (!end)
      end = src->text + src->len;
    Expectation e;
    Target target;
    Parsed parsed = parse_expectation_line(src, line, end, line_no, nlines, &e, &target);
    if (parsed == MALFORMED)
      return false;
    if (parsed == NO_EXPECTATION) {
      last_plain = line_no;
      for (size_t i = first_pending; i < first_pending + npending; ++i)
        list->items[i].line = line_no;
      npending = 0;
    } else {
      if (target == ABOVE && last_plain == 0) {
        report(src, line_no, e.own_col, "'@above' with no line above it");
        free(e.text);
        return false;
      }
      if (target == ABOVE)
        e.line = last_plain;
      if (target == BELOW) {
        e.line = nlines;
        if (npending == 0)
          first_pending = list->count;
        ++npending;
      }
      if (!add_expectation(list, e)) {
        free(e.text);
        return false;
      }
    }
    line = end + 1;
  }
  return true;
}

/* The position a diagnostic names. mlirModuleCreateParse takes no buffer name, and MLIR calls such a
 * buffer "-"; that is our input. (mlirOperationCreateParse takes a name, but rejects inputs with
 * several top-level ops instead of wrapping them in a module.) */
static bool diagnostic_pos(const DiagSession *s, MlirDiagnostic d, HmFilePos *pos) {
  if (!hm_location_file_pos(mlirDiagnosticGetLocation(d), pos))
    return false;
  if (mlirStringRefEqual(pos->file, mlirStringRefCreateFromCString("-")))
    pos->file = mlirStringRefCreateFromCString(s->src->name);
  return true;
}

/* Prints FILE:LINE:COL: SEVERITY: MESSAGE, or under --verify-diagnostics an error that names the
 * unexpected diagnostic's severity, as mlir-opt does. */
static void print_diagnostic(const DiagSession *s, MlirDiagnostic d, bool unexpected) {
  char *message = hm_diagnostic_message(d);
  const char *severity = severity_word(mlirDiagnosticGetSeverity(d));
  HmFilePos pos;
  if (diagnostic_pos(s, d, &pos))
    fprintf(stderr, "%.*s:%u:%u: ", (int)pos.file.length, pos.file.data, pos.line, pos.col);
  else
    fprintf(stderr, "%s: ", s->src->name);
  if (unexpected)
    fprintf(stderr, "error: unexpected %s: ", severity);
  else
    fprintf(stderr, "%s: ", severity);
  fprintf(stderr, "%s\n", message ? message : "(out of memory)");
  free(message);
}

static bool from_input(const DiagSession *s, const HmFilePos *pos) {
  return mlirStringRefEqual(pos->file, mlirStringRefCreateFromCString(s->src->name));
}

static bool match_expectation(DiagSession *s, MlirDiagnostic d) {
  HmFilePos pos;
  bool unknown = !diagnostic_pos(s, d, &pos);
  if (!unknown && !from_input(s, &pos))
    return false;
  char *message = hm_diagnostic_message(d);
  if (!message)
    return false;
  bool found = false;
  for (size_t i = 0; i < s->expected->count && !found; ++i) {
    Expectation *e = &s->expected->items[i];
    found = e->severity == mlirDiagnosticGetSeverity(d) && e->unknown == unknown &&
            (unknown || e->line == pos.line) && strstr(message, e->text) != NULL;
    e->matched |= found;
  }
  free(message);
  return found;
}

/* Notes count only where an expected-note asks for them: MLIR attaches "see current operation"
 * notes to verifier errors, and the C API cannot turn that off as mlir-opt does in this mode. */
static void verify_diagnostic(DiagSession *s, MlirDiagnostic d) {
  if (!match_expectation(s, d)) {
    print_diagnostic(s, d, true);
    s->unexpected = true;
  }
  for (intptr_t i = 0; i < mlirDiagnosticGetNumNotes(d); ++i)
    match_expectation(s, mlirDiagnosticGetNote(d, i));
}

static MlirLogicalResult handle_diagnostic(MlirDiagnostic d, void *user_data) {
  DiagSession *s = user_data;
  if (s->expected) {
    verify_diagnostic(s, d);
  } else {
    print_diagnostic(s, d, false);
    for (intptr_t i = 0; i < mlirDiagnosticGetNumNotes(d); ++i)
      print_diagnostic(s, mlirDiagnosticGetNote(d, i), false);
  }
  return mlirLogicalResultSuccess();
}

static bool all_expectations_met(const DiagSession *s) {
  bool ok = true;
  for (size_t i = 0; i < s->expected->count; ++i) {
    const Expectation *e = &s->expected->items[i];
    if (!e->matched) {
      fprintf(stderr, "%s:%u:%u: error: expected %s \"%s\" was not produced\n", s->src->name,
              e->own_line, e->own_col, severity_word(e->severity), e->text);
      ok = false;
    }
  }
  return ok;
}

bool diag_session_begin(MlirContext ctx, const Source *src, bool verify, DiagSession *s) {
  *s = (DiagSession){.ctx = ctx, .src = src};
  if (verify) {
    s->expected = calloc(1, sizeof *s->expected);
    if (!s->expected || !parse_expectations(src, s->expected)) {
      if (s->expected)
        free_expectations(s->expected);
      free(s->expected);
      return false;
    }
  }
  s->handler = mlirContextAttachDiagnosticHandler(ctx, handle_diagnostic, s, NULL);
  return true;
}

bool diag_session_end(DiagSession *s, bool processed) {
  mlirContextDetachDiagnosticHandler(s->ctx, s->handler);
  if (!s->expected)
    return processed;
  bool ok = all_expectations_met(s) && !s->unexpected;
  free_expectations(s->expected);
  free(s->expected);
  return ok;
}
