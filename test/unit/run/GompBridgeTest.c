/* The libgomp bridge (lib/run/GompBridge.c): libomp's static schedule reproduced, the __kmpc_*
 * entry points running a parallel loop on a real libgomp team, and a JIT'd kernel linked to them.
 * The suite loads the system's libgomp itself, as torch does in a Python process. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "UnitTest.h"
#include "helion-mlir/capi/CAPI.h"
#include "run/GompBridge.h"
#include "run/OpenMpRuntime.h"

static void static_block_covers_every_iteration_once(void) {
  for (uint64_t trip = 0; trip <= 40; ++trip)
    for (uint64_t threads = 1; threads <= 9; ++threads) {
      uint64_t next = 0, smallest = UINT64_MAX, largest = 0;
      for (uint64_t tid = 0; tid < threads; ++tid) {
        uint64_t first, count;
        hm_static_block(trip, threads, tid, &first, &count);
        UT_CHECK(count == 0 || first == next); /* contiguous, in thread order */
        next += count;
        smallest = count < smallest ? count : smallest;
        largest = count > largest ? count : largest;
      }
      UT_CHECK(next == trip);
      UT_CHECK(largest - smallest <= 1);
    }
}

static void *load_libgomp(void) {
  void *handle = dlopen(HELION_TEST_LIBGOMP, RTLD_NOW | RTLD_LOCAL);
  if (!UT_CHECK(handle != NULL))
    fprintf(stderr, "%s\n", dlerror());
  return handle;
}

static void *bridged(const char *name) {
  size_t n;
  const HmRuntimeSymbol *symbols = hm_gomp_bridge_symbols(&n);
  for (size_t i = 0; i < n; ++i)
    if (!strcmp(symbols[i].name, name))
      return symbols[i].address;
  return NULL;
}

enum { TRIP = 1000 };

typedef struct LoopRecord {
  atomic_int hits[TRIP];
  atomic_int thread_of[TRIP];
  atomic_int lastiter_threads;
} LoopRecord;

typedef int32_t (*ThreadNum)(void *loc);
typedef void (*StaticInit)(void *loc, int32_t gtid, int32_t schedule, int32_t *last, uint64_t *lower,
                           uint64_t *upper, int64_t *stride, int64_t incr, int64_t chunk);
typedef void (*Barrier)(void *loc, int32_t gtid);
typedef void (*Fini)(void *loc, int32_t gtid);
typedef void (*ForkCall)(void *loc, int32_t argc, void (*task)(int32_t *, int32_t *, ...), ...);

/* What MLIR's translation of omp.parallel { omp.wsloop } outlines, in C. */
static void loop_body(int32_t *gtid, int32_t *btid, LoopRecord *record) {
  int32_t thread = ((ThreadNum)bridged("__kmpc_global_thread_num"))(NULL);
  int32_t last = 0;
  uint64_t lower = 0, upper = TRIP - 1;
  int64_t stride = 1;
  ((StaticInit)bridged("__kmpc_for_static_init_8u"))(NULL, thread, 34, &last, &lower, &upper,
                                                      &stride, 1, 0);
  for (uint64_t i = 0; i < upper - lower + 1; ++i) {
    atomic_fetch_add(&record->hits[lower + i], 1);
    atomic_store(&record->thread_of[lower + i], thread);
  }
  ((Fini)bridged("__kmpc_for_static_fini"))(NULL, thread);
  atomic_fetch_add(&record->lastiter_threads, last);
  ((Barrier)bridged("__kmpc_barrier"))(NULL, thread);
}

static void a_parallel_loop_runs_on_the_libgomp_team(void) {
  void *handle = load_libgomp();
  if (!handle)
    return;
  const char *library = hm_gomp_bridge_library();
  UT_CHECK(library && strstr(library, "libgomp"));
  LoopRecord *record = calloc(1, sizeof *record);
  if (library && UT_CHECK(record != NULL)) {
    hm_gomp_bridge_set_threads(3);
    ((ForkCall)bridged("__kmpc_fork_call"))(NULL, 1, (void (*)(int32_t *, int32_t *, ...))loop_body,
                                            record);
    hm_gomp_bridge_set_threads(0);
    int wrong = 0, seen[3] = {0};
    for (int i = 0; i < TRIP; ++i) {
      wrong += record->hits[i] != 1;
      int t = record->thread_of[i];
      if (UT_CHECK(t >= 0 && t < 3))
        seen[t] = 1;
    }
    UT_CHECK(wrong == 0);
    UT_CHECK(seen[0] && seen[1] && seen[2]); /* libgomp gives the team it is asked for */
    UT_CHECK(record->lastiter_threads == 1);
  }
  free(record);
  dlclose(handle); /* the bridge keeps its own reference */
}

static void the_runtime_follows_helion_mlir_openmp(void) {
  void *handle = load_libgomp();
  HmOpenMpRuntime runtime;
  HmDiag diag = {0};
  unsetenv("HELION_MLIR_OPENMP");
  UT_CHECK(hm_openmp_runtime(&runtime, &diag) && runtime.kind == HM_OPENMP_LIBGOMP &&
           !runtime.library && runtime.nsymbols == 5);
  setenv("HELION_MLIR_OPENMP", "libomp", 1);
  UT_CHECK(hm_openmp_runtime(&runtime, &diag) && runtime.kind == HM_OPENMP_LIBOMP &&
           runtime.library && runtime.nsymbols == 0);
  setenv("HELION_MLIR_OPENMP", "gomp", 1);
  UT_CHECK(!hm_openmp_runtime(&runtime, &diag));
  UT_CHECK_STR(diag.message, "HELION_MLIR_OPENMP=gomp: expected auto, libomp or libgomp");
  unsetenv("HELION_MLIR_OPENMP");
  hm_diag_clear(&diag);
  if (handle)
    dlclose(handle);
}

/* 1000 elements in tiles of 64 (test/lit/run/Inputs/add_1d.mlir), the grid split over 2 threads. */
static void a_kernel_links_to_the_bridge(void) {
  void *handle = load_libgomp();
  char path[512];
  snprintf(path, sizeof path, "%s/test/lit/run/Inputs/add_1d.mlir", HELION_SOURCE_DIR);
  FILE *f = fopen(path, "rb");
  char *text = calloc(1, 1 << 16);
  size_t n = f && text ? fread(text, 1, (1 << 16) - 1, f) : 0;
  if (f)
    fclose(f);
  char *err = NULL;
  HmCompiled *c = n ? hm_capi_compile_mlir(text, "add", 2, &err) : NULL;
  if (UT_CHECK(c != NULL)) {
    UT_CHECK_STR(hm_capi_openmp_runtime(c), "libgomp");
    float x[1000], y[1000], out[1000];
    for (int i = 0; i < 1000; ++i) {
      x[i] = (float)(i % 17) - 8.0f;
      y[i] = 0.5f * (float)i;
      out[i] = -1.0f;
    }
    void *data[] = {x, y, out};
    const char *dtypes[] = {"float32", "float32", "float32"};
    int64_t ranks[] = {1, 1, 1}, sizes[] = {1000, 1000, 1000}, strides[] = {1, 1, 1};
    hm_capi_set_threads(2);
    UT_CHECK(hm_capi_run(c, 3, data, dtypes, ranks, sizes, strides, &err));
    hm_capi_set_threads(0);
    int wrong = 0;
    for (int i = 0; i < 1000; ++i)
      wrong += out[i] != x[i] + y[i];
    UT_CHECK(wrong == 0);
  } else {
    fprintf(stderr, "%s\n", err ? err : "no message");
  }
  hm_capi_free_string(err);
  hm_capi_destroy(c);
  free(text);
  if (handle)
    dlclose(handle);
}

static const UtCase cases[] = {
    {"static_block_covers_every_iteration_once", static_block_covers_every_iteration_once},
    {"a_parallel_loop_runs_on_the_libgomp_team", a_parallel_loop_runs_on_the_libgomp_team},
    {"the_runtime_follows_helion_mlir_openmp", the_runtime_follows_helion_mlir_openmp},
    {"a_kernel_links_to_the_bridge", a_kernel_links_to_the_bridge},
};
UT_SUITE(gomp_bridge_tests, cases);
