/* A flat C API over the library, for ctypes (python/helion_mlir): opaque handles, C strings,
 * integers and arrays of them; no MLIR types.
 *
 * Ownership: every char* handed out is malloc'd and freed with hm_capi_free_string; every
 * HmCompiled with hm_capi_destroy. A function that can fail takes `char **error_out`: on failure it
 * returns NULL or 0 and, when error_out is not NULL, stores the first error there (one line).
 * Each call makes and destroys its own MLIR context, so handles may be used from any thread, one
 * call at a time per handle.
 */
#ifndef HELION_MLIR_CAPI_H
#define HELION_MLIR_CAPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct HmCompiled HmCompiled;

/* The MLIR text hm_lower makes of an interchange spec (docs/interchange.md), verified. tiles_mode:
 * 0 for constant tile sizes from the spec's config, 1 for symbolic ones (`loom.get_symbol`);
 * aten_mode: 0 for ATen compute as linalg, 1 for torch-mlir's torch dialect (HmAtenMode). With
 * `locations` non-zero every op's location (kernel source line and node) is printed too. */
char *hm_capi_generate_mlir(const char *json_text, int tiles_mode, int aten_mode, int locations,
                            char **error_out);

/* 1 when `json_text` is a valid interchange spec (docs/interchange.md, "Checking a spec"); else 0.
 * Reads and checks the spec only: nothing is lowered. */
int hm_capi_check_spec(const char *json_text, char **error_out);

/* 1 when `mlir_text` parses and verifies in a helion-mlir context (our dialects loaded); else 0. */
int hm_capi_verify_mlir(const char *mlir_text, char **error_out);

/* Lowers a spec with constant tile sizes and JIT-compiles the kernel at LLVM optimization level
 * `opt_level` (0-3). Both compile calls go through the on-disk cache of run/Cache.h: a kernel some
 * process compiled before is read back and linked instead of compiled, and a new one is written
 * there (HELION_MLIR_CACHE=0 turns that off). */
HmCompiled *hm_capi_compile_json(const char *json_text, int opt_level, char **error_out);

/* JIT-compiles func.func @func_name of an MLIR module in the form hm_lower produces (Runner.h). */
HmCompiled *hm_capi_compile_mlir(const char *mlir_text, const char *func_name, int opt_level,
                                 char **error_out);

/* The MLIR the kernel was compiled from, before the LLVM lowering; owned by `compiled`. */
const char *hm_capi_mlir_text(const HmCompiled *compiled);

/* hm_kernel_openmp: "libgomp" or "libomp", the OpenMP runtime the kernel's grid runs on. */
const char *hm_capi_openmp_runtime(const HmCompiled *compiled);

/* Runs the kernel on `n` caller-owned dense buffers, one per function argument. Buffer i starts at
 * data[i], has the dtype named dtypes[i] ("float32", as in the spec) and rank ranks[i]; its sizes
 * and strides (in elements) are the next ranks[i] entries of `sizes` and `strides`, buffer after
 * buffer. Outputs are written in place. Returns 1, or 0 having run nothing when the buffers do not
 * match the kernel's signature. */
int hm_capi_run(const HmCompiled *compiled, size_t n, void *const *data, const char *const *dtypes,
                const int64_t *ranks, const int64_t *sizes, const int64_t *strides,
                char **error_out);

/* hm_capi_run in two steps, for launches of one layout: hm_capi_bind checks the layout (dtypes,
 * ranks, sizes, strides, as hm_capi_run takes them) once, NULL with the mismatch in *error_out when
 * it does not match; hm_capi_call then runs on new data pointers only, returning 1, or 0 having run
 * nothing when a pointer is null where its buffer has elements (the message in *error_out when
 * error_out is not NULL). Calls of one binding may run on several threads at once. Unbind before
 * destroying the kernel. */
typedef struct HmBoundCall HmBoundCall;
HmBoundCall *hm_capi_bind(const HmCompiled *compiled, size_t n, const char *const *dtypes, const int64_t *ranks,
                          const int64_t *sizes, const int64_t *strides, char **error_out);
int hm_capi_call(const HmBoundCall *call, void *const *data, char **error_out);
void hm_capi_unbind(HmBoundCall *call);

/* How many compiles this process answered from the on-disk cache, and how many entries it wrote. */
void hm_capi_cache_stats(uint64_t *hits, uint64_t *writes);

/* hm_runner_set_threads: the thread count of every later run (0: the OpenMP runtime's default). */
void hm_capi_set_threads(int threads);

/* The targets hm_lower_supported_op lists, one per line. */
char *hm_capi_supported_ops(void);

void hm_capi_free_string(char *text);
void hm_capi_destroy(HmCompiled *compiled);

#ifdef __cplusplus
}
#endif

#endif
