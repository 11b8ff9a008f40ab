/* LLVM's OpenMP entry points (the __kmpc_* calls MLIR's OpenMP translation emits) served by the
 * libgomp the process has already loaded: torch's CPU build runs its intra-op threads on libgomp.
 *
 * Two OpenMP runtimes in one process keep two pools of threads: after each torch op libgomp's
 * threads spin, waiting for more work, on the cores a kernel's libomp threads then need, so a
 * kernel run between torch ops got one core's worth of time on two threads (bench/cpu.py's add 4M:
 * 2.16 ms; 1.29 ms with torch's threads made passive). On the bridge the kernel's grid runs on
 * torch's own threads, so nothing waits for a core.
 *
 * Only what MLIR's translation of omp.parallel + a static omp.wsloop calls is bridged; a module
 * needing another entry point fails to link, naming it. */
#ifndef HELION_MLIR_RUN_GOMPBRIDGE_H
#define HELION_MLIR_RUN_GOMPBRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct HmRuntimeSymbol {
  const char *name;
  void *address;
} HmRuntimeSymbol;

/* The path of the libgomp this process has loaded, found once it is loaded (later calls find one
 * loaded after an earlier call found none); NULL while there is none. */
const char *hm_gomp_bridge_library(void);

/* The bridged entry points (name, address) for a JIT to define; valid while hm_gomp_bridge_library
 * is non-NULL. */
const HmRuntimeSymbol *hm_gomp_bridge_symbols(size_t *count);

/* How many threads each parallel region asks libgomp for; 0 leaves it to libgomp's setting for the
 * calling thread (what torch.set_num_threads set, or OMP_NUM_THREADS). */
void hm_gomp_bridge_set_threads(int threads);

/* The static schedule libomp's __kmpc_for_static_init gives thread `tid` of `threads` over
 * `trip` iterations: one contiguous block, the first trip % threads threads one iteration more.
 * Writes the block's first iteration and its length (0 for a thread with none). */
void hm_static_block(uint64_t trip, uint64_t threads, uint64_t tid, uint64_t *first,
                     uint64_t *count);

#endif
