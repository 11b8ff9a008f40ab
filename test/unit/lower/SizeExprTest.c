/* Size expressions (lib/lower/SizeExpr.c) folded to constants: the sympy forms Helion writes for views of
 * tiles, with block 0's tile concrete (16) and block 1's symbolic (config 32). */
#include <string.h>

#include "lower/SizeExpr.h"
#include "UnitTest.h"

static const char kSpec[] =
    "{\"version\": 1, \"kernel\": {\"name\": \"k\"}, \"config\": {},"
    " \"symbols\": [{\"name\": \"u0\", \"kind\": \"block_size\", \"block_id\": 0, \"value\": 16},"
    "               {\"name\": \"u1\", \"kind\": \"block_size\", \"block_id\": 1, \"value\": 32}],"
    " \"block_sizes\": [{\"block_id\": 0, \"symbol\": \"u0\", \"size\": 100, \"reduction\": false,"
    "                    \"tile_size\": 16, \"grid\": true, \"loops\": []},"
    "                   {\"block_id\": 1, \"symbol\": \"u1\", \"size\": 70, \"reduction\": false,"
    "                    \"tile_size\": 32, \"grid\": true, \"loops\": []}],"
    " \"host_tensors\": ["
    "   {\"name\": \"x\", \"source\": \"argument\", \"arg_index\": 0, \"shape\": [100, 70], \"stride\": [70, 1],"
    "    \"dtype\": \"float32\"}],"
    " \"scalars\": [], \"outputs\": [],"
    " \"grid\": [{\"root_graph\": 0, \"block_ids\": [0, 1]}],"
    " \"graphs\": [{\"id\": 0, \"kind\": \"root\", \"block_ids\": [], \"node_args\": [], \"nodes\": ["
    "   {\"name\": \"output\", \"op\": \"output\", \"target\": \"output\", \"args\": [null], \"kwargs\": {}}]}]}";

typedef struct Fixture {
  HmDiag diag;
  HmSpec *spec;
  int64_t static_tiles[2];
  HmLowering L;
} Fixture;

static bool open_fixture(Fixture *f) {
  *f = (Fixture){.static_tiles = {16, -1}};
  f->spec = hm_spec_parse(kSpec, sizeof kSpec - 1, "t.json", &f->diag);
  f->L = (HmLowering){.spec = f->spec, .static_tiles = f->static_tiles, .diag = &f->diag};
  return f->spec != NULL;
}

static void close_fixture(Fixture *f) {
  hm_spec_destroy(f->spec);
  hm_diag_clear(&f->diag);
}

static bool folds(Fixture *f, const char *expr, bool hint, int64_t expected) {
  int64_t value = -12345;
  return hm_size_static(&f->L, expr, hint, &value) && value == expected;
}

static bool stays_symbolic(Fixture *f, const char *expr) {
  int64_t value;
  return !hm_size_static(&f->L, expr, false, &value);
}

static void folds_concrete_tiles(void) {
  Fixture f;
  if (UT_CHECK(open_fixture(&f))) {
    UT_CHECK(folds(&f, "u0*4", false, 64));
    UT_CHECK(folds(&f, "((u0*u0*16)//16)", false, 256));
    UT_CHECK(folds(&f, "-u0 + 20", false, 4));
    UT_CHECK(folds(&f, "Max(1, u0 - 20)", false, 1));
    UT_CHECK(folds(&f, "Min(u0, 3, 7)", false, 3));
    UT_CHECK(folds(&f, "-7//2", false, -4)); /* floor division, as sympy's // */
    UT_CHECK(folds(&f, "PythonMod(-7, 3)", false, 2)); /* the divisor's sign, as Python's % */
    UT_CHECK(folds(&f, "PythonMod(7, -3)", false, -2));
    UT_CHECK(folds(&f, "Mod(u0 + 3, 5)", false, 4));
    UT_CHECK(folds(&f, "PythonMod(-9223372036854775807 - 1, -1)", false, 0));
    UT_CHECK(stays_symbolic(&f, "PythonMod(u0, 0)"));
  }
  close_fixture(&f);
}

/* Python's &, |, ^, << and >> on ints, as torch's sympy writes them; >> floors like Python's. */
static void folds_bitwise_functions(void) {
  Fixture f;
  if (UT_CHECK(open_fixture(&f))) {
    UT_CHECK(folds(&f, "BitwiseFn_bitwise_and(u0 + 7, -8)", false, 16));
    UT_CHECK(folds(&f, "BitwiseFn_bitwise_or(8*((u0//4)), BitwiseFn_bitwise_xor(BitwiseFn_bitwise_and(u0, 3), 1))",
                   false, 33));
    UT_CHECK(folds(&f, "LShift(u0, 3)", false, 128));
    UT_CHECK(folds(&f, "RShift(u0, 2)", false, 4));
    UT_CHECK(folds(&f, "RShift(-5, 1)", false, -3));
    UT_CHECK(folds(&f, "RShift(-5, 70)", false, -1));
    UT_CHECK(stays_symbolic(&f, "LShift(1, 63)"));
    UT_CHECK(stays_symbolic(&f, "LShift(4611686018427387904, 1)"));
    UT_CHECK(stays_symbolic(&f, "RShift(u0, -1)"));
    UT_CHECK(!hm_diag_failed(&f.diag));
  }
  close_fixture(&f);
}

static void symbolic_tiles_fold_only_as_hints(void) {
  Fixture f;
  if (UT_CHECK(open_fixture(&f))) {
    UT_CHECK(stays_symbolic(&f, "u0*u1"));
    UT_CHECK(folds(&f, "u0*u1", true, 512));
    UT_CHECK(folds(&f, "((u0*u1*16)//16)", true, 512));
  }
  close_fixture(&f);
}

static void rejects_what_it_cannot_read(void) {
  Fixture f;
  if (UT_CHECK(open_fixture(&f))) {
    UT_CHECK(stays_symbolic(&f, "s77"));
    UT_CHECK(stays_symbolic(&f, "u0 +"));
    UT_CHECK(stays_symbolic(&f, "u0 u0"));
    UT_CHECK(stays_symbolic(&f, "u0//0"));
    UT_CHECK(stays_symbolic(&f, "floor(u0)"));
    UT_CHECK(!hm_diag_failed(&f.diag));
  }
  close_fixture(&f);
}

/* "u0" in `depth` parentheses. */
static const char *nest(size_t depth) {
  static char text[256];
  memset(text, '(', depth);
  memcpy(text + depth, "u0", 2);
  memset(text + depth + 2, ')', depth);
  text[2 * depth + 2] = '\0';
  return text;
}

/* Folding never overflows: a size past 64 bits, or nested past what the reader recurses into, is
 * not a constant. */
static void refuses_what_does_not_fit(void) {
  Fixture f;
  if (UT_CHECK(open_fixture(&f))) {
    UT_CHECK(folds(&f, "9223372036854775807 + 0", false, INT64_MAX));
    UT_CHECK(stays_symbolic(&f, "9223372036854775808 + 0"));
    UT_CHECK(stays_symbolic(&f, "4611686018427387904*2"));
    UT_CHECK(stays_symbolic(&f, "9223372036854775807 + u0"));
    UT_CHECK(stays_symbolic(&f, "-9223372036854775807 - 2"));
    UT_CHECK(stays_symbolic(&f, "(-9223372036854775807 - 1)//-1"));
    UT_CHECK(folds(&f, nest(10), false, 16));
    UT_CHECK(stays_symbolic(&f, nest(100)));
    UT_CHECK(!hm_diag_failed(&f.diag));
  }
  close_fixture(&f);
}

static const UtCase kCases[] = {
    {"folds_concrete_tiles", folds_concrete_tiles},
    {"folds_bitwise_functions", folds_bitwise_functions},
    {"symbolic_tiles_fold_only_as_hints", symbolic_tiles_fold_only_as_hints},
    {"rejects_what_it_cannot_read", rejects_what_it_cannot_read},
    {"refuses_what_does_not_fit", refuses_what_does_not_fit},
};
UT_SUITE(size_expr_tests, kCases);
