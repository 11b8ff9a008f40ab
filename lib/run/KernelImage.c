#include <stdlib.h>
#include <string.h>

#include "helion-mlir/run/Runner.h"
#include "helion-mlir/support/Context.h"
#include "run/Kernel.h"
#include "run/ObjectJit.h"

/* A saved kernel: its function name, its signature, and its object file, as consecutive fields of
 * 8-byte little-endian integers and length-prefixed byte strings. It is read back only by the
 * same build of the library (the cache's key names the build), so the layout carries no version;
 * the reader still checks every length against what is left, so a damaged image is an error. */

/* ---- Writing ---- */

static void put_bytes(HmBuffer *out, const void *data, size_t size) {
  hm_buffer_append((MlirStringRef){data, size}, out);
}

static void put_u64(HmBuffer *out, uint64_t value) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = (uint8_t)(value >> (8 * i));
  put_bytes(out, bytes, sizeof bytes);
}

static void put_string(HmBuffer *out, const void *data, size_t size) {
  put_u64(out, size);
  put_bytes(out, data, size);
}

static void put_arg(HmBuffer *out, const ArgSig *arg) {
  put_string(out, arg->type_text, strlen(arg->type_text));
  put_u64(out, arg->scalar);
  put_u64(out, arg->rank);
  put_u64(out, arg->strides != NULL);
  for (size_t d = 0; d < arg->rank; ++d)
    put_u64(out, (uint64_t)arg->dims[d]);
  for (size_t d = 0; arg->strides && d < arg->rank; ++d)
    put_u64(out, (uint64_t)arg->strides[d]);
  put_u64(out, arg->dtype);
  put_u64(out, arg->alt_dtype);
}

bool hm_kernel_save(const HmKernel *kernel, HmBuffer *out, HmDiag *diag) {
  if (!kernel->object)
    return hm_diag_error(diag, "the kernel was compiled without keeping its object code");
  put_string(out, kernel->func_name, strlen(kernel->func_name));
  put_u64(out, kernel->nargs);
  for (size_t i = 0; i < kernel->nargs; ++i)
    put_arg(out, &kernel->args[i]);
  put_string(out, kernel->object, kernel->object_size);
  return !out->oom || hm_diag_error(diag, "out of memory");
}

/* ---- Reading ---- */

typedef struct Reader {
  const uint8_t *at;
  size_t left;
  bool ok;
} Reader;

static uint64_t get_u64(Reader *r) {
  if (!r->ok || r->left < 8)
    return r->ok = false;
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= (uint64_t)r->at[i] << (8 * i);
  r->at += 8;
  r->left -= 8;
  return value;
}

/* A view of the next `size` bytes, or NULL when fewer are left. */
static const uint8_t *get_bytes(Reader *r, uint64_t size) {
  if (!r->ok || size > r->left) {
    r->ok = false;
    return NULL;
  }
  const uint8_t *data = r->at;
  r->at += size;
  r->left -= (size_t)size;
  return data;
}

static char *get_string(Reader *r) {
  uint64_t size = get_u64(r);
  const uint8_t *data = get_bytes(r, size);
  char *text = data ? malloc((size_t)size + 1) : NULL;
  if (!text) {
    r->ok = false;
    return NULL;
  }
  memcpy(text, data, (size_t)size);
  text[size] = '\0';
  return text;
}

static int64_t *get_i64s(Reader *r, size_t count) {
  /* A count the remaining bytes cannot hold is damage, not an allocation to try. */
  if (!r->ok || count > r->left / 8) {
    r->ok = false;
    return NULL;
  }
  int64_t *values = calloc(count ? count : 1, sizeof *values);
  r->ok = values != NULL;
  for (size_t i = 0; r->ok && i < count; ++i)
    values[i] = (int64_t)get_u64(r);
  return values;
}

static HmDtype get_dtype(Reader *r, bool invalid_ok) {
  uint64_t value = get_u64(r);
  if (value > HM_DTYPE_BOOL || (value == HM_DTYPE_INVALID && !invalid_ok))
    r->ok = false;
  return r->ok ? (HmDtype)value : HM_DTYPE_INVALID;
}

static void get_arg(Reader *r, ArgSig *arg) {
  arg->type_text = get_string(r);
  arg->scalar = get_u64(r) != 0;
  uint64_t rank = get_u64(r);
  bool strided = get_u64(r) != 0;
  if (!r->ok || rank > r->left / 8) {
    r->ok = false;
    return;
  }
  arg->rank = (size_t)rank;
  arg->dims = get_i64s(r, arg->rank);
  if (strided)
    arg->strides = get_i64s(r, arg->rank);
  arg->dtype = get_dtype(r, false);
  arg->alt_dtype = get_dtype(r, true);
}

static char *packed_name(const char *func_name) {
  /* The ExecutionEngine's packed wrapper of _mlir_ciface_<name>. */
  static const char prefix[] = "_mlir__mlir_ciface_";
  size_t n = strlen(prefix) + strlen(func_name) + 1;
  char *name = malloc(n);
  if (name) {
    memcpy(name, prefix, sizeof prefix - 1);
    memcpy(name + sizeof prefix - 1, func_name, n - (sizeof prefix - 1));
  }
  return name;
}

HmKernel *hm_kernel_load(const void *image, size_t size, HmDiag *diag) {
  HmKernel *kernel = calloc(1, sizeof *kernel);
  if (!kernel) {
    hm_diag_error(diag, "out of memory");
    return NULL;
  }
  Reader r = {image, size, true};
  kernel->func_name = get_string(&r);
  uint64_t nargs = get_u64(&r);
  /* Every argument takes at least 7 fields. */
  if (r.ok && nargs <= r.left / 56) {
    kernel->nargs = (size_t)nargs;
    kernel->args = calloc(kernel->nargs ? kernel->nargs : 1, sizeof *kernel->args);
    r.ok = kernel->args != NULL;
  } else {
    r.ok = false;
  }
  for (size_t i = 0; r.ok && i < kernel->nargs; ++i)
    get_arg(&r, &kernel->args[i]);
  uint64_t object_size = get_u64(&r);
  const uint8_t *object = get_bytes(&r, object_size);
  char *symbol = r.ok && r.left == 0 ? packed_name(kernel->func_name) : NULL;
  void *entry = NULL;
  HmOpenMpRuntime openmp;
  if (!symbol) {
    hm_diag_error(diag, "the saved kernel is damaged");
  } else if (hm_openmp_runtime(&openmp, diag)) {
    kernel->openmp = openmp.kind;
    kernel->loaded = hm_object_jit_load(object, (size_t)object_size, symbol, &openmp,
                                        (void *)hm_kernel_memref_copy, &entry, diag);
  }
  free(symbol);
  if (!kernel->loaded) {
    hm_kernel_destroy(kernel);
    return NULL;
  }
  kernel->entry = (PackedEntry)entry;
  return kernel;
}
