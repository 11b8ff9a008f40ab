/* The JIT runner through the flat C API, on captured fixtures: results against C references, and
 * every bad call answered with a message. Under the sanitized build this is what checks the runner
 * and the generated code for leaks and out-of-bounds accesses. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "UnitTest.h"
#include "helion-mlir/capi/CAPI.h"

static char *read_fixture(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/test/fixtures/%s", HELION_SOURCE_DIR, name);
  FILE *f = fopen(path, "rb");
  if (!UT_CHECK(f != NULL))
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *text = malloc((size_t)n + 1);
  size_t got = text ? fread(text, 1, (size_t)n, f) : 0;
  fclose(f);
  if (!UT_CHECK(text && got == (size_t)n)) {
    free(text);
    return NULL;
  }
  text[n] = '\0';
  return text;
}

static HmCompiled *compile_fixture(const char *name) {
  char *json = read_fixture(name), *err = NULL;
  HmCompiled *compiled = json ? hm_capi_compile_json(json, 2, &err) : NULL;
  if (!UT_CHECK(compiled != NULL))
    fprintf(stderr, "%s: %s\n", name, err ? err : "no message");
  hm_capi_free_string(err);
  free(json);
  return compiled;
}

enum { ROWS = 100, COLS = 77 };

typedef struct AddCall {
  void *data[3];
  const char *dtypes[3];
  int64_t ranks[3], sizes[6], strides[6];
} AddCall;

static AddCall add_call(float *x, float *y, float *out) {
  return (AddCall){{x, y, out},
                   {"float32", "float32", "float32"},
                   {2, 2, 2},
                   {ROWS, COLS, ROWS, COLS, ROWS, COLS},
                   {COLS, 1, COLS, 1, COLS, 1}};
}

static bool run_add(HmCompiled *c, AddCall *call, char **err) {
  return hm_capi_run(c, 3, call->data, call->dtypes, call->ranks, call->sizes, call->strides, err);
}

static void add_runs_twice_on_new_buffers(void) {
  HmCompiled *c = compile_fixture("add.json");
  float *x = malloc(sizeof(float) * ROWS * COLS), *y = malloc(sizeof(float) * ROWS * COLS);
  float *out = calloc(ROWS * COLS, sizeof(float));
  for (int round = 0; c && x && y && out && round < 2; ++round) {
    for (int i = 0; i < ROWS * COLS; ++i) {
      x[i] = (float)(i % 13) - 6.0f;
      y[i] = 0.25f * (float)(i % 7) + (float)round;
    }
    AddCall call = add_call(x, y, out);
    char *err = NULL;
    UT_CHECK(run_add(c, &call, &err));
    hm_capi_free_string(err);
    int wrong = 0;
    for (int i = 0; i < ROWS * COLS; ++i)
      wrong += out[i] != x[i] + y[i];
    UT_CHECK(wrong == 0);
  }
  free(x);
  free(y);
  free(out);
  hm_capi_destroy(c);
}

static void expect_run_error(HmCompiled *c, AddCall call, const char *what) {
  char *err = NULL;
  UT_CHECK(!run_add(c, &call, &err));
  if (!UT_CHECK(err != NULL && strlen(err) > 0))
    fprintf(stderr, "no message for %s\n", what);
  hm_capi_free_string(err);
}

static void bad_runs_are_refused(void) {
  HmCompiled *c = compile_fixture("add.json");
  float buffer[ROWS * COLS];
  if (!c)
    return;
  AddCall call = add_call(buffer, buffer, buffer);
  call.dtypes[1] = "float99";
  expect_run_error(c, call, "an unknown dtype");
  call = add_call(buffer, buffer, buffer);
  call.dtypes[2] = "float16";
  expect_run_error(c, call, "a dtype the kernel was not compiled for");
  call = add_call(buffer, buffer, buffer);
  call.ranks[0] = 1;
  expect_run_error(c, call, "a wrong rank");
  call = add_call(buffer, buffer, buffer);
  call.sizes[3] = COLS + 1;
  expect_run_error(c, call, "a size the kernel was not compiled for");
  call = add_call(buffer, buffer, buffer);
  call.strides[0] = 1;
  expect_run_error(c, call, "a non-contiguous buffer");
  call = add_call(buffer, NULL, buffer);
  expect_run_error(c, call, "no data");
  char *err = NULL;
  call = add_call(buffer, buffer, buffer);
  UT_CHECK(!hm_capi_run(c, 2, call.data, call.dtypes, call.ranks, call.sizes, call.strides, &err));
  UT_CHECK(err != NULL);
  hm_capi_free_string(err);
  hm_capi_destroy(c);
}

/* One binding of the layout, runs on new buffers: each run writes its own output, a null pointer
 * where the buffer has elements is refused without running, and a layout that does not match
 * binds nothing. */
static void a_bound_call_runs_on_new_buffers(void) {
  HmCompiled *c = compile_fixture("add.json");
  enum { N = ROWS * COLS };
  float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
  float *out1 = calloc(N, sizeof(float)), *out2 = calloc(N, sizeof(float));
  if (!c || !x || !y || !out1 || !out2)
    goto done;
  for (int i = 0; i < N; ++i) {
    x[i] = (float)(i % 11) - 5.0f;
    y[i] = 0.5f * (float)(i % 3);
  }
  AddCall layout = add_call(NULL, NULL, NULL);
  char *err = NULL;
  HmBoundCall *call = hm_capi_bind(c, 3, layout.dtypes, layout.ranks, layout.sizes, layout.strides, &err);
  if (!UT_CHECK(call != NULL))
    goto done;
  void *first[3] = {x, y, out1}, *second[3] = {y, x, out2}, *missing[3] = {x, NULL, out1};
  UT_CHECK(hm_capi_call(call, first, &err) && err == NULL);
  UT_CHECK(hm_capi_call(call, second, NULL));
  int wrong = 0;
  for (int i = 0; i < N; ++i)
    wrong += out1[i] != x[i] + y[i] || out2[i] != y[i] + x[i];
  UT_CHECK(wrong == 0);
  out1[0] = -1.0f;
  UT_CHECK(!hm_capi_call(call, missing, &err));
  UT_CHECK_STR(err, "argument 1: the data pointer is null");
  UT_CHECK(out1[0] == -1.0f);
  hm_capi_free_string(err);
  err = NULL;
  hm_capi_unbind(call);
  layout.sizes[1] = COLS + 1;
  UT_CHECK(hm_capi_bind(c, 3, layout.dtypes, layout.ranks, layout.sizes, layout.strides, &err) == NULL);
  UT_CHECK(err != NULL && strstr(err, "dimension 1 has size 78"));
  hm_capi_free_string(err);
done:
  free(x);
  free(y);
  free(out1);
  free(out2);
  hm_capi_destroy(c);
}

static uint16_t to_half(float f) {
  _Float16 h = (_Float16)f;
  uint16_t bits;
  memcpy(&bits, &h, sizeof bits);
  return bits;
}

static float from_half(uint16_t bits) {
  _Float16 h;
  memcpy(&h, &bits, sizeof h);
  return (float)h;
}

/* matmul_f16.json: (100x70) @ (70x50) in f16 with an f32 accumulator and 16x16x16 edge tiles. */
static void f16_matmul_matches_a_c_reference(void) {
  enum { M = 100, K = 70, N = 50 };
  HmCompiled *c = compile_fixture("matmul_f16.json");
  uint16_t *a = malloc(sizeof(uint16_t) * M * K), *b = malloc(sizeof(uint16_t) * K * N);
  uint16_t *out = calloc(M * N, sizeof(uint16_t));
  if (c && a && b && out) {
    for (int i = 0; i < M * K; ++i)
      a[i] = to_half((float)((i * 7) % 19 - 9) / 8.0f);
    for (int i = 0; i < K * N; ++i)
      b[i] = to_half((float)((i * 5) % 17 - 8) / 8.0f);
    void *data[3] = {a, b, out};
    const char *dtypes[3] = {"float16", "float16", "float16"};
    int64_t ranks[3] = {2, 2, 2}, sizes[6] = {M, K, K, N, M, N}, strides[6] = {K, 1, N, 1, N, 1};
    char *err = NULL;
    UT_CHECK(hm_capi_run(c, 3, data, dtypes, ranks, sizes, strides, &err));
    hm_capi_free_string(err);
    double worst = 0;
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        float acc = 0;
        for (int k = 0; k < K; ++k)
          acc += from_half(a[i * K + k]) * from_half(b[k * N + j]);
        worst = fmax(worst, fabs(from_half(to_half(acc)) - from_half(out[i * N + j])));
      }
    UT_CHECK(worst <= 0.0625); /* one f16 ulp at the results' magnitude */
  }
  free(a);
  free(b);
  free(out);
  hm_capi_destroy(c);
}

static void bad_compiles_are_refused(void) {
  char *err = NULL;
  UT_CHECK(hm_capi_compile_json("{\"version\": 1", 2, &err) == NULL);
  UT_CHECK(err && strstr(err, "invalid JSON"));
  hm_capi_free_string(err);
  err = NULL;
  UT_CHECK(hm_capi_compile_mlir("func.func @f() { return }", "f", 9, &err) == NULL);
  UT_CHECK(err != NULL);
  hm_capi_free_string(err);
  UT_CHECK(hm_capi_compile_mlir("not mlir", "f", 2, NULL) == NULL);
}

/* hm_capi_check_spec reads and checks a spec without lowering it. */
static void specs_are_checked_without_lowering(void) {
  char *json = read_fixture("matmul.json"), *err = NULL;
  if (UT_CHECK(json != NULL)) {
    UT_CHECK(hm_capi_check_spec(json, &err) == 1 && err == NULL);
    char *loop = strstr(json, "\"args\": [\n            0,");
    if (UT_CHECK(loop != NULL)) {
      loop[strlen("\"args\": [\n            ")] = '1';
      UT_CHECK(hm_capi_check_spec(json, &err) == 0);
      UT_CHECK_STR(err, "<json>: $.graphs[1].nodes[3].args[0]: 1 is not the id of a for_loop or reduction_loop graph");
    }
  }
  hm_capi_free_string(err);
  free(json);
}

static const UtCase kCases[] = {
    {"add_runs_twice_on_new_buffers", add_runs_twice_on_new_buffers},
    {"bad_runs_are_refused", bad_runs_are_refused},
    {"a_bound_call_runs_on_new_buffers", a_bound_call_runs_on_new_buffers},
    {"f16_matmul_matches_a_c_reference", f16_matmul_matches_a_c_reference},
    {"bad_compiles_are_refused", bad_compiles_are_refused},
    {"specs_are_checked_without_lowering", specs_are_checked_without_lowering},
};
UT_SUITE(runner_tests, kCases);
