/* A kernel saved with hm_kernel_save and loaded back (what the on-disk cache stores): it runs as the
 * compiled one does, and a damaged image, its object code included, is an error, never a crash. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "UnitTest.h"
#include "helion-mlir/lower/Lower.h"
#include "helion-mlir/run/Runner.h"
#include "helion-mlir/spec/Spec.h"
#include "helion-mlir/support/Context.h"

enum { ROWS = 100, COLS = 77 };

/* The add fixture compiled with its object code kept, saved into `image`. */
static bool save_add(HmBuffer *image) {
  char path[512];
  snprintf(path, sizeof path, "%s/test/fixtures/add.json", HELION_SOURCE_DIR);
  FILE *f = fopen(path, "rb");
  if (!UT_CHECK(f != NULL))
    return false;
  char json[1 << 16];
  size_t n = fread(json, 1, sizeof json, f);
  fclose(f);
  HmDiag diag = {0};
  MlirContext ctx = hm_context_create(&diag);
  HmSpec *spec = hm_spec_parse(json, n, "add.json", &diag);
  MlirModule module = spec ? hm_lower(ctx, spec, (HmLowerOptions){HM_TILES_CONCRETE, HM_ATEN_LINALG}, &diag)
                           : (MlirModule){NULL};
  HmKernel *kernel = mlirModuleIsNull(module) ? NULL : hm_kernel_compile(module, "add", 2, true, &diag);
  bool ok = UT_CHECK(kernel != NULL) && UT_CHECK(hm_kernel_save(kernel, image, &diag));
  if (diag.message)
    fprintf(stderr, "%s\n", diag.message);
  hm_kernel_destroy(kernel);
  if (!mlirModuleIsNull(module))
    mlirModuleDestroy(module);
  hm_spec_destroy(spec);
  mlirContextDestroy(ctx);
  hm_diag_clear(&diag);
  return ok;
}

static bool add_runs(const HmKernel *kernel) {
  static float x[ROWS * COLS], y[ROWS * COLS], out[ROWS * COLS];
  for (int i = 0; i < ROWS * COLS; ++i) {
    x[i] = (float)(i % 11) - 5.0f;
    y[i] = 0.5f * (float)(i % 3);
    out[i] = -1.0f;
  }
  const int64_t sizes[2] = {ROWS, COLS}, strides[2] = {COLS, 1};
  HmTensorView views[3];
  float *data[3] = {x, y, out};
  for (int i = 0; i < 3; ++i)
    views[i] = (HmTensorView){data[i], 2, sizes, strides, HM_DTYPE_F32};
  HmDiag diag = {0};
  bool ok = UT_CHECK(hm_kernel_run(kernel, 3, views, &diag));
  hm_diag_clear(&diag);
  int wrong = 0;
  for (int i = 0; i < ROWS * COLS; ++i)
    wrong += out[i] != x[i] + y[i];
  return ok && UT_CHECK(wrong == 0);
}

static void expect_refused(const void *image, size_t size) {
  HmDiag diag = {0};
  HmKernel *kernel = hm_kernel_load(image, size, &diag);
  UT_CHECK(kernel == NULL);
  UT_CHECK(diag.message != NULL && strlen(diag.message) > 0);
  hm_kernel_destroy(kernel);
  hm_diag_clear(&diag);
}

static void a_loaded_kernel_runs(void) {
  HmBuffer image = {0};
  if (save_add(&image)) {
    HmDiag diag = {0};
    HmKernel *kernel = hm_kernel_load(image.data, image.len, &diag);
    if (UT_CHECK(kernel != NULL))
      add_runs(kernel);
    hm_kernel_destroy(kernel);
    hm_diag_clear(&diag);
  }
  hm_buffer_free(&image);
}

static void a_damaged_image_is_refused(void) {
  HmBuffer image = {0};
  if (!save_add(&image)) {
    hm_buffer_free(&image);
    return;
  }
  /* Cut anywhere in the signature, and at a few places in the object code. */
  for (size_t n = 0; n < 400 && n < image.len; ++n)
    expect_refused(image.data, n);
  for (size_t n = image.len / 2; n < image.len; n += image.len / 5)
    expect_refused(image.data, n);
  /* One byte too many. */
  char *longer = malloc(image.len + 1);
  if (UT_CHECK(longer != NULL)) {
    memcpy(longer, image.data, image.len);
    longer[image.len] = 0;
    expect_refused(longer, image.len + 1);
  }
  free(longer);
  /* The object file's header: the last field is the object, whose ELF magic is found by name. */
  char *elf = memmem(image.data, image.len, "\x7f" "ELF", 4);
  if (UT_CHECK(elf != NULL)) {
    memset(elf, 0, 64);
    expect_refused(image.data, image.len);
  }
  hm_buffer_free(&image);
}

static const UtCase kCases[] = {
    {"a_loaded_kernel_runs", a_loaded_kernel_runs},
    {"a_damaged_image_is_refused", a_damaged_image_is_refused},
};
UT_SUITE(kernel_image_tests, kCases);
