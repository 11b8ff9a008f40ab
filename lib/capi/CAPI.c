#include "helion-mlir/capi/CAPI.h"

#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "helion-mlir/support/Context.h"
#include "helion-mlir/lower/Lower.h"
#include "helion-mlir/run/Cache.h"
#include "helion-mlir/run/Runner.h"
#include "helion-mlir/spec/Spec.h"

struct HmCompiled {
  HmKernel *kernel;
  char *mlir_text;
};

/* ---- The context ----
 *
 * Creating a context (its dialects, the IRDL ones parsed) costs milliseconds, more than lowering a
 * kernel: the calls share one, which stays loaded for the life of the process. A call made while
 * another holds it, from a second thread, gets a context of its own. Every module a call makes is
 * destroyed before it returns the context. */

static once_flag shared_once = ONCE_FLAG_INIT;
static mtx_t shared_lock;
static MlirContext shared_ctx;
static bool shared_busy;

static void init_shared(void) { mtx_init(&shared_lock, mtx_plain); }

static MlirContext acquire_context(HmDiag *diag) {
  call_once(&shared_once, init_shared);
  mtx_lock(&shared_lock);
  bool mine = !shared_busy;
  shared_busy = true;
  MlirContext ctx = shared_ctx;
  mtx_unlock(&shared_lock);
  if (!mine || !mlirContextIsNull(ctx))
    return mine ? ctx : hm_context_create(diag);
  ctx = hm_context_create(diag);
  mtx_lock(&shared_lock);
  shared_ctx = ctx;
  shared_busy = !mlirContextIsNull(ctx);
  mtx_unlock(&shared_lock);
  return ctx;
}

static void release_context(MlirContext ctx) {
  mtx_lock(&shared_lock);
  bool shared = ctx.ptr == shared_ctx.ptr;
  if (shared)
    shared_busy = false;
  mtx_unlock(&shared_lock);
  if (!shared)
    mlirContextDestroy(ctx);
}

/* Hands the diag's message to the caller, who frees it with hm_capi_free_string. */
static void take_error(HmDiag *diag, char **error_out) {
  if (!diag->message)
    hm_diag_error(diag, "unknown error");
  if (error_out) {
    *error_out = diag->message;
    diag->message = NULL;
  }
  hm_diag_clear(diag);
}

/* With `locations`, every op's location is printed too (its kernel source line and node), so a tool
 * reading the text (torch-mlir, helion_mlir.torch_mlir_bridge) can name them in its diagnostics. */
static char *print_module(MlirModule module, bool locations, HmDiag *diag) {
  HmBuffer text = {0};
  MlirOpPrintingFlags flags = mlirOpPrintingFlagsCreate();
  if (locations)
    mlirOpPrintingFlagsEnableDebugInfo(flags, true, false);
  mlirOperationPrintWithFlags(mlirModuleGetOperation(module), flags, hm_buffer_append, &text);
  mlirOpPrintingFlagsDestroy(flags);
  if (text.oom || !text.data) {
    hm_buffer_free(&text);
    hm_diag_error(diag, "out of memory");
    return NULL;
  }
  return text.data;
}

/* The parser names the source "-" in its diagnostics, as mlir-opt names stdin. */
static MlirModule parse_module(MlirContext ctx, const char *text, HmDiag *diag) {
  HmDiagCapture capture = hm_diag_capture_begin(ctx, diag);
  MlirModule module = mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(text));
  hm_diag_capture_end(capture);
  if (mlirModuleIsNull(module))
    hm_diag_error(diag, "cannot parse the MLIR text");
  return module;
}

/* The spec is parsed into *spec and lowered in `ctx`; the caller destroys both. */
static MlirModule lower_json(MlirContext ctx, const char *json_text, HmLowerOptions options,
                             HmSpec **spec, HmDiag *diag) {
  *spec = hm_spec_parse(json_text, strlen(json_text), "<json>", diag);
  if (!*spec)
    return (MlirModule){NULL};
  return hm_lower(ctx, *spec, options, diag);
}

char *hm_capi_generate_mlir(const char *json_text, int tiles_mode, int aten_mode, int locations,
                            char **error_out) {
  HmDiag diag = {0};
  char *text = NULL;
  if (tiles_mode != HM_TILES_CONCRETE && tiles_mode != HM_TILES_SYMBOLIC)
    hm_diag_error(&diag, "tiles mode %d is neither 0 (concrete) nor 1 (symbolic)", tiles_mode);
  else if (aten_mode != HM_ATEN_LINALG && aten_mode != HM_ATEN_TORCH)
    hm_diag_error(&diag, "aten mode %d is neither 0 (linalg) nor 1 (torch)", aten_mode);
  if (hm_diag_failed(&diag)) {
    take_error(&diag, error_out);
    return NULL;
  }
  MlirContext ctx = acquire_context(&diag);
  if (!mlirContextIsNull(ctx)) {
    HmSpec *spec = NULL;
    HmLowerOptions options = {.tiles = (HmTileMode)tiles_mode, .aten = (HmAtenMode)aten_mode};
    MlirModule module = lower_json(ctx, json_text, options, &spec, &diag);
    if (!mlirModuleIsNull(module)) {
      text = print_module(module, locations != 0, &diag);
      mlirModuleDestroy(module);
    }
    hm_spec_destroy(spec);
    release_context(ctx);
  }
  if (!text)
    take_error(&diag, error_out);
  return text;
}

int hm_capi_check_spec(const char *json_text, char **error_out) {
  HmDiag diag = {0};
  HmSpec *spec = hm_spec_parse(json_text, strlen(json_text), "<json>", &diag);
  bool ok = spec != NULL;
  hm_spec_destroy(spec);
  if (!ok)
    take_error(&diag, error_out);
  return ok;
}

int hm_capi_verify_mlir(const char *mlir_text, char **error_out) {
  HmDiag diag = {0};
  MlirContext ctx = acquire_context(&diag);
  bool ok = false;
  if (!mlirContextIsNull(ctx)) {
    /* The parser verifies what it parses. */
    MlirModule module = parse_module(ctx, mlir_text, &diag);
    ok = !mlirModuleIsNull(module);
    if (ok)
      mlirModuleDestroy(module);
    release_context(ctx);
  }
  if (!ok)
    take_error(&diag, error_out);
  return ok;
}

/* Keeps the module's text and its kernel; the module itself is the caller's. With `keep_object`
 * the kernel can be saved to the cache. */
static HmCompiled *compile_module(MlirModule module, const char *func_name, int opt_level,
                                  bool keep_object, HmDiag *diag) {
  HmCompiled *compiled = calloc(1, sizeof *compiled);
  if (!compiled) {
    hm_diag_error(diag, "out of memory");
    return NULL;
  }
  compiled->mlir_text = print_module(module, false, diag);
  if (compiled->mlir_text)
    compiled->kernel = hm_kernel_compile(module, func_name, opt_level, keep_object, diag);
  if (!compiled->kernel) {
    hm_capi_destroy(compiled);
    return NULL;
  }
  return compiled;
}

/* ---- The on-disk cache (run/Cache.h) ----
 *
 * An entry's payload is the module's text (its length first, 8 bytes in this host's order: entries
 * never leave the host) and then the kernel's image. A spec's entry is keyed by its JSON: the
 * lowering is a function of the JSON and of this library's build, which the key names, so a hit
 * needs no MLIR context at all (creating one costs more than linking the cached code). */

static _Atomic uint64_t cache_hits, cache_writes;

/* A damaged entry, or one whose code does not link, is a miss: the caller compiles again and
 * replaces it. */
static HmCompiled *load_cached(const char *dir, const HmCacheKey *key) {
  size_t size = 0;
  uint8_t *payload = hm_cache_read(dir, key, &size);
  if (!payload)
    return NULL;
  HmCompiled *compiled = calloc(1, sizeof *compiled);
  uint64_t text_size = 0;
  if (compiled && size >= sizeof text_size) {
    memcpy(&text_size, payload, sizeof text_size);
    if (text_size <= size - sizeof text_size && (compiled->mlir_text = malloc((size_t)text_size + 1))) {
      memcpy(compiled->mlir_text, payload + sizeof text_size, (size_t)text_size);
      compiled->mlir_text[text_size] = '\0';
      HmDiag diag = {0};
      size_t at = sizeof text_size + (size_t)text_size;
      compiled->kernel = hm_kernel_load(payload + at, size - at, &diag);
      hm_diag_clear(&diag);
    }
  }
  free(payload);
  if (compiled && !compiled->kernel) {
    hm_capi_destroy(compiled);
    return NULL;
  }
  if (compiled)
    ++cache_hits;
  return compiled;
}

static void store_cached(const char *dir, const HmCacheKey *key, const HmCompiled *compiled) {
  HmBuffer payload = {0};
  uint64_t text_size = strlen(compiled->mlir_text);
  hm_buffer_append((MlirStringRef){(const char *)&text_size, sizeof text_size}, &payload);
  hm_buffer_append((MlirStringRef){compiled->mlir_text, (size_t)text_size}, &payload);
  HmDiag diag = {0};
  if (hm_kernel_save(compiled->kernel, &payload, &diag) && !payload.oom &&
      hm_cache_write(dir, key, payload.data, payload.len))
    ++cache_writes;
  hm_diag_clear(&diag);
  hm_buffer_free(&payload);
}

void hm_capi_cache_stats(uint64_t *hits, uint64_t *writes) {
  *hits = cache_hits;
  *writes = cache_writes;
}

HmCompiled *hm_capi_compile_json(const char *json_text, int opt_level, char **error_out) {
  char *dir = hm_cache_dir();
  HmCacheKey key = hm_cache_key("json", json_text, "", opt_level);
  HmCompiled *compiled = dir ? load_cached(dir, &key) : NULL;
  if (compiled) {
    free(dir);
    return compiled;
  }
  HmDiag diag = {0};
  MlirContext ctx = acquire_context(&diag);
  if (!mlirContextIsNull(ctx)) {
    HmSpec *spec = NULL;
    HmLowerOptions options = {.tiles = HM_TILES_CONCRETE, .aten = HM_ATEN_LINALG};
    MlirModule module = lower_json(ctx, json_text, options, &spec, &diag);
    if (!mlirModuleIsNull(module)) {
      compiled = compile_module(module, hm_spec_kernel_name(spec), opt_level, dir != NULL, &diag);
      mlirModuleDestroy(module);
    }
    hm_spec_destroy(spec);
    release_context(ctx);
  }
  if (compiled && dir)
    store_cached(dir, &key, compiled);
  free(dir);
  if (!compiled)
    take_error(&diag, error_out);
  return compiled;
}

HmCompiled *hm_capi_compile_mlir(const char *mlir_text, const char *func_name, int opt_level,
                                 char **error_out) {
  char *dir = hm_cache_dir();
  HmCacheKey key = hm_cache_key("mlir", mlir_text, func_name, opt_level);
  HmCompiled *compiled = dir ? load_cached(dir, &key) : NULL;
  if (compiled) {
    free(dir);
    return compiled;
  }
  HmDiag diag = {0};
  MlirContext ctx = acquire_context(&diag);
  if (!mlirContextIsNull(ctx)) {
    MlirModule module = parse_module(ctx, mlir_text, &diag);
    if (!mlirModuleIsNull(module)) {
      compiled = compile_module(module, func_name, opt_level, dir != NULL, &diag);
      mlirModuleDestroy(module);
    }
    release_context(ctx);
  }
  if (compiled && dir)
    store_cached(dir, &key, compiled);
  free(dir);
  if (!compiled)
    take_error(&diag, error_out);
  return compiled;
}

const char *hm_capi_mlir_text(const HmCompiled *compiled) { return compiled->mlir_text; }

const char *hm_capi_openmp_runtime(const HmCompiled *compiled) {
  return hm_kernel_openmp(compiled->kernel);
}

/* Slices the flat size and stride arrays into one view per buffer (data pointers null without
 * `data`). */
static bool make_views(size_t n, void *const *data, const char *const *dtypes,
                       const int64_t *ranks, const int64_t *sizes, const int64_t *strides,
                       HmTensorView *views, HmDiag *diag) {
  size_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    if (ranks[i] < 0)
      return hm_diag_error(diag, "argument %zu: rank %lld is negative", i, (long long)ranks[i]);
    HmDtype dtype = hm_dtype_from_name(dtypes[i]);
    if (!dtype)
      return hm_diag_error(diag, "argument %zu: unknown dtype '%s'", i, dtypes[i]);
    views[i] = (HmTensorView){.data = data ? data[i] : NULL, .rank = (size_t)ranks[i], .sizes = sizes + at,
                              .strides = strides + at, .dtype = dtype};
    at += (size_t)ranks[i];
  }
  return true;
}

int hm_capi_run(const HmCompiled *compiled, size_t n, void *const *data, const char *const *dtypes,
                const int64_t *ranks, const int64_t *sizes, const int64_t *strides,
                char **error_out) {
  HmDiag diag = {0};
  HmTensorView *views = calloc(n ? n : 1, sizeof *views);
  bool ok = views ? make_views(n, data, dtypes, ranks, sizes, strides, views, &diag)
                  : hm_diag_error(&diag, "out of memory");
  ok = ok && hm_kernel_run(compiled->kernel, n, views, &diag);
  free(views);
  if (!ok)
    take_error(&diag, error_out);
  return ok;
}

HmBoundCall *hm_capi_bind(const HmCompiled *compiled, size_t n, const char *const *dtypes, const int64_t *ranks,
                          const int64_t *sizes, const int64_t *strides, char **error_out) {
  HmDiag diag = {0};
  HmTensorView *views = calloc(n ? n : 1, sizeof *views);
  HmBoundCall *call = NULL;
  if (!views)
    hm_diag_error(&diag, "out of memory");
  else if (make_views(n, NULL, dtypes, ranks, sizes, strides, views, &diag))
    call = hm_kernel_bind(compiled->kernel, n, views, &diag);
  free(views);
  if (!call)
    take_error(&diag, error_out);
  return call;
}

int hm_capi_call(const HmBoundCall *call, void *const *data, char **error_out) {
  HmDiag diag = {0};
  bool ok = hm_bound_call_run(call, data, &diag);
  if (!ok)
    take_error(&diag, error_out);
  return ok;
}

void hm_capi_unbind(HmBoundCall *call) { hm_bound_call_destroy(call); }

void hm_capi_set_threads(int threads) { hm_runner_set_threads(threads); }

void hm_capi_free_string(char *text) { free(text); }

void hm_capi_destroy(HmCompiled *compiled) {
  if (!compiled)
    return;
  hm_kernel_destroy(compiled->kernel);
  free(compiled->mlir_text);
  free(compiled);
}

char *hm_capi_supported_ops(void) {
  HmBuffer text = {0};
  for (size_t i = 0; hm_lower_supported_op(i); ++i) {
    hm_buffer_append(mlirStringRefCreateFromCString(hm_lower_supported_op(i)), &text);
    hm_buffer_append(mlirStringRefCreateFromCString("\n"), &text);
  }
  if (text.oom) {
    hm_buffer_free(&text);
    return NULL;
  }
  return text.data;
}
