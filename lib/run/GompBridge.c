#define _GNU_SOURCE
#include "run/GompBridge.h"

#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

/* libgomp's own ABI (what GCC's -fopenmp code calls), resolved in the loaded library itself: libomp,
 * which this library links, exports the same names. */
typedef struct Gomp {
  void (*parallel)(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
  void (*barrier)(void);
  int (*thread_num)(void);
  int (*num_threads)(void);
  char *path;
} Gomp;

static Gomp gomp;
static _Atomic(const char *) gomp_path;
static once_flag lock_once = ONCE_FLAG_INIT;
static mtx_t lock;
static _Atomic int requested_threads;

static void init_lock(void) { mtx_init(&lock, mtx_plain); }

static bool is_libgomp(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  /* torch's wheel renames its copy (libgomp-<hash>.so.1); a system build has libgomp.so.1. */
  return strncmp(base, "libgomp", 7) == 0 && (base[7] == '.' || base[7] == '-');
}

static int find_libgomp(struct dl_phdr_info *info, size_t size, void *data) {
  char **found = data;
  if (info->dlpi_name && is_libgomp(info->dlpi_name)) {
    *found = strdup(info->dlpi_name);
    return 1;
  }
  return 0;
}

/* The handle dlopen returns stays open for the life of the process: the JIT'd kernels hold the
 * addresses of its functions. */
static bool open_libgomp(const char *path) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_LOCAL);
  if (!handle)
    return false;
  Gomp found = {
      .parallel = (void (*)(void (*)(void *), void *, unsigned, unsigned))dlsym(handle, "GOMP_parallel"),
      .barrier = (void (*)(void))dlsym(handle, "GOMP_barrier"),
      .thread_num = (int (*)(void))dlsym(handle, "omp_get_thread_num"),
      .num_threads = (int (*)(void))dlsym(handle, "omp_get_num_threads"),
  };
  if (!found.parallel || !found.barrier || !found.thread_num || !found.num_threads) {
    dlclose(handle);
    return false;
  }
  gomp = found;
  return true;
}

const char *hm_gomp_bridge_library(void) {
  const char *path = gomp_path;
  if (path)
    return path;
  call_once(&lock_once, init_lock);
  mtx_lock(&lock);
  if (!gomp_path) {
    char *found = NULL;
    dl_iterate_phdr(find_libgomp, &found);
    if (found && open_libgomp(found)) {
      gomp.path = found;
      gomp_path = found;
    } else {
      free(found);
    }
  }
  path = gomp_path;
  mtx_unlock(&lock);
  return path;
}

void hm_gomp_bridge_set_threads(int threads) { requested_threads = threads > 0 ? threads : 0; }

void hm_static_block(uint64_t trip, uint64_t threads, uint64_t tid, uint64_t *first,
                     uint64_t *count) {
  uint64_t base = trip / threads, extra = trip % threads;
  *count = base + (tid < extra);
  *first = tid * base + (tid < extra ? tid : extra);
}

/* ---- The entry points, with libomp's signatures ---- */

typedef void (*Microtask)(int32_t *gtid, int32_t *btid, ...);

/* MLIR's translation passes a parallel region's captured values as one struct (aggregate
 * arguments): a region takes that pointer or nothing. */
enum { MAX_FORK_ARGS = 1 };

typedef struct Fork {
  Microtask task;
  int32_t argc;
  void *args[MAX_FORK_ARGS];
} Fork;

static void run_in_team(void *data) {
  const Fork *fork = data;
  int32_t tid = gomp.thread_num(), bound = 0;
  if (fork->argc == 0)
    fork->task(&tid, &bound);
  else
    fork->task(&tid, &bound, fork->args[0]);
}

static void fork_call(void *loc, int32_t argc, Microtask task, ...) {
  if (argc < 0 || argc > MAX_FORK_ARGS) {
    fprintf(stderr, "helion-mlir: a parallel region passes %d values to its threads; the libgomp "
            "bridge (run/GompBridge.c) takes MLIR's one struct of them\n", argc);
    abort();
  }
  Fork fork = {.task = task, .argc = argc};
  va_list ap;
  va_start(ap, task);
  for (int32_t i = 0; i < argc; ++i)
    fork.args[i] = va_arg(ap, void *);
  va_end(ap);
  gomp.parallel(run_in_team, &fork, (unsigned)requested_threads, 0);
}

static int32_t global_thread_num(void *loc) { return gomp.thread_num(); }

/* libomp's kmp_sch_static: the unchunked static schedule MLIR asks for. */
enum { KMP_SCH_STATIC = 34 };

/* The bounds are inclusive, as in libomp; MLIR's canonical loops start at 0 with step 1, a loop
 * of no iterations has upper = lower - 1 (it wraps: the trip count is then 0). */
static void for_static_init_8u(void *loc, int32_t gtid, int32_t schedule, int32_t *last,
                               uint64_t *lower, uint64_t *upper, int64_t *stride, int64_t incr,
                               int64_t chunk) {
  if (schedule != KMP_SCH_STATIC || incr <= 0) {
    fprintf(stderr, "helion-mlir: a worksharing loop asks for schedule %d with step %lld; the "
            "libgomp bridge (run/GompBridge.c) has the unchunked static one with a positive step\n",
            schedule, (long long)incr);
    abort();
  }
  uint64_t step = (uint64_t)incr;
  uint64_t trip = (*upper - *lower) / step + 1;
  uint64_t threads = (uint64_t)gomp.num_threads(), tid = (uint64_t)gomp.thread_num();
  uint64_t first, count;
  hm_static_block(trip, threads, tid, &first, &count);
  uint64_t start = *lower + first * step;
  *last = count > 0 && first + count == trip;
  *lower = start;
  *upper = start + (count - 1) * step; /* start - step, past the start, when count is 0 */
  *stride = (int64_t)(trip * step);
}

static void for_static_fini(void *loc, int32_t gtid) {}

static void barrier(void *loc, int32_t gtid) { gomp.barrier(); }

static const HmRuntimeSymbol bridged[] = {
    {"__kmpc_fork_call", (void *)fork_call},
    {"__kmpc_global_thread_num", (void *)global_thread_num},
    {"__kmpc_for_static_init_8u", (void *)for_static_init_8u},
    {"__kmpc_for_static_fini", (void *)for_static_fini},
    {"__kmpc_barrier", (void *)barrier},
};

const HmRuntimeSymbol *hm_gomp_bridge_symbols(size_t *count) {
  *count = sizeof bridged / sizeof bridged[0];
  return bridged;
}
