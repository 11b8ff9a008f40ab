#include <stdio.h>
#include <string.h>

#include "UnitTest.h"

static const UtSuite *const kSuites[] = {&diag_tests, &context_tests, &spec_tests, &runner_tests,
                                          &kernel_image_tests, &size_expr_tests, &gomp_bridge_tests,
                                          &soft_float_tests, &host_vectors_tests, &vector_width_tests};

static bool current_failed;

bool ut_check(bool ok, const char *expr, const char *file, int line) {
  if (!ok) {
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    current_failed = true;
  }
  return ok;
}

bool ut_check_str(const char *actual, const char *expected, const char *file, int line) {
  bool ok = actual && expected && strcmp(actual, expected) == 0;
  if (!ok) {
    fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", file, line,
            expected ? expected : "(null)", actual ? actual : "(null)");
    current_failed = true;
  }
  return ok;
}

int main(void) {
  unsigned passed = 0, failed = 0;
  for (size_t s = 0; s < sizeof kSuites / sizeof kSuites[0]; ++s) {
    const UtSuite *suite = kSuites[s];
    for (size_t c = 0; c < suite->count; ++c) {
      current_failed = false;
      suite->cases[c].run();
      printf("%s %s.%s\n", current_failed ? "FAIL" : "ok  ", suite->name, suite->cases[c].name);
      if (current_failed)
        ++failed;
      else
        ++passed;
    }
  }
  printf("%u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
