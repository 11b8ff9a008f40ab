/* A tiny test harness: each test is a function, listed in a suite table; UnitTestMain.c runs every
 * suite and prints "N passed, M failed". */
#ifndef HELION_MLIR_UNIT_TEST_H
#define HELION_MLIR_UNIT_TEST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct UtCase {
  const char *name;
  void (*run)(void);
} UtCase;

typedef struct UtSuite {
  const char *name;
  const UtCase *cases;
  size_t count;
} UtSuite;

#define UT_SUITE(suite_name, table)                                                                \
  const UtSuite suite_name = {#suite_name, table, sizeof table / sizeof table[0]}

/* Records a failure of the running test and returns `ok`, so that a check can guard the code that
 * relies on it without skipping the test's cleanup: `if (UT_CHECK(p != NULL)) use(p);`. */
#define UT_CHECK(cond) ut_check((cond), #cond, __FILE__, __LINE__)
bool ut_check(bool ok, const char *expr, const char *file, int line);

/* Like UT_CHECK for string equality; NULL compares unequal to everything. */
#define UT_CHECK_STR(actual, expected) ut_check_str((actual), (expected), __FILE__, __LINE__)
bool ut_check_str(const char *actual, const char *expected, const char *file, int line);

extern const UtSuite diag_tests;
extern const UtSuite context_tests;
extern const UtSuite spec_tests;
extern const UtSuite runner_tests;
extern const UtSuite kernel_image_tests;
extern const UtSuite size_expr_tests;
extern const UtSuite gomp_bridge_tests;
extern const UtSuite soft_float_tests;
extern const UtSuite host_vectors_tests;
extern const UtSuite vector_width_tests;

#endif
