#define _GNU_SOURCE
#include "helion-mlir/run/Runner.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helion-mlir/support/Context.h"
#include "helion-mlir/run/Pipeline.h"
#include "run/FileBytes.h"
#include "run/Kernel.h"
#include "run/ObjectJit.h"
#include "run/OpenMpRuntime.h"
#include "run/SoftFloat.h"
#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/ExecutionEngine.h"

/* ---- memrefCopy ----
 *
 * The LLVM lowering turns every memref.copy it cannot prove contiguous into a call to MLIR's
 * runtime function `memrefCopy`. Supplying it here keeps the JIT free of libmlir_c_runner_utils. */

struct UnrankedMemRef {
  int64_t rank;
  void *descriptor;
};

/* A ranked memref descriptor: {allocated, aligned, offset, sizes[rank], strides[rank]}; every field
 * is 8 bytes, so the flexible array lines up with LLVM's struct. */
typedef struct StridedMemRef {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t dims[];
} StridedMemRef;

static void copy_strided(size_t elem, int64_t rank, int64_t d, const int64_t *sizes,
                         const int64_t *src_strides, const int64_t *dst_strides, const char *src,
                         char *dst) {
  if (d == rank) {
    memcpy(dst, src, elem);
    return;
  }
  if (d == rank - 1 && src_strides[d] == 1 && dst_strides[d] == 1) {
    memcpy(dst, src, (size_t)sizes[d] * elem);
    return;
  }
  int64_t src_step = src_strides[d] * (int64_t)elem;
  int64_t dst_step = dst_strides[d] * (int64_t)elem;
  for (int64_t i = 0; i < sizes[d]; ++i)
    copy_strided(elem, rank, d + 1, sizes, src_strides, dst_strides, src + i * src_step,
                 dst + i * dst_step);
}

void hm_kernel_memref_copy(int64_t elem_size, const UnrankedMemRef *src, const UnrankedMemRef *dst) {
  const StridedMemRef *s = src->descriptor;
  const StridedMemRef *t = dst->descriptor;
  int64_t rank = src->rank;
  for (int64_t d = 0; d < rank; ++d)
    if (s->dims[d] == 0)
      return;
  copy_strided((size_t)elem_size, rank, 0, s->dims, s->dims + rank, t->dims + rank,
               (const char *)s->aligned + s->offset * elem_size,
               (char *)t->aligned + t->offset * elem_size);
}

/* ---- Signature ---- */

static char *type_text(MlirType type) {
  HmBuffer text = {0};
  mlirTypePrint(type, hm_buffer_append, &text);
  if (text.oom || !text.data) {
    hm_buffer_free(&text);
    return NULL;
  }
  return text.data;
}

static HmDtype integer_dtype(MlirType type, HmDtype *alt_dtype) {
  switch (mlirIntegerTypeGetWidth(type)) {
  case 64: return HM_DTYPE_I64;
  case 32: return HM_DTYPE_I32;
  case 16: return HM_DTYPE_I16;
  case 1: return HM_DTYPE_BOOL;
  case 8:
    if (mlirIntegerTypeIsUnsigned(type))
      return HM_DTYPE_U8;
    if (!mlirIntegerTypeIsSigned(type))
      *alt_dtype = HM_DTYPE_U8;
    return HM_DTYPE_I8;
  default: return HM_DTYPE_INVALID;
  }
}

static HmDtype element_dtype(MlirType type, HmDtype *alt_dtype) {
  *alt_dtype = HM_DTYPE_INVALID;
  if (mlirTypeIsAF64(type))
    return HM_DTYPE_F64;
  if (mlirTypeIsAF32(type))
    return HM_DTYPE_F32;
  if (mlirTypeIsAF16(type))
    return HM_DTYPE_F16;
  if (mlirTypeIsABF16(type))
    return HM_DTYPE_BF16;
  if (mlirTypeIsAFloat8E4M3FN(type))
    return HM_DTYPE_F8E4M3FN;
  if (mlirTypeIsAFloat8E5M2(type))
    return HM_DTYPE_F8E5M2;
  if (mlirTypeIsAInteger(type))
    return integer_dtype(type, alt_dtype);
  return HM_DTYPE_INVALID;
}

static bool has_identity_layout(MlirType memref) {
  MlirAttribute layout = mlirMemRefTypeGetLayout(memref);
  return mlirAttributeIsAAffineMap(layout) &&
         mlirAffineMapIsIdentity(mlirAffineMapAttrGetValue(layout));
}

static bool read_strides(MlirType type, size_t index, ArgSig *arg, HmDiag *diag) {
  MlirAttribute layout = mlirMemRefTypeGetLayout(type);
  if (!mlirAttributeIsAStridedLayout(layout))
    return hm_diag_error(diag, "argument %zu has type %s; the runner takes memrefs with the identity "
                         "or a strided layout", index, arg->type_text);
  int64_t offset = mlirStridedLayoutAttrGetOffset(layout);
  if (offset != 0 && offset != mlirShapedTypeGetDynamicStrideOrOffset())
    return hm_diag_error(diag, "argument %zu has type %s; a strided layout's offset must be 0 or "
                         "dynamic", index, arg->type_text);
  arg->strides = calloc(arg->rank ? arg->rank : 1, sizeof *arg->strides);
  if (!arg->strides)
    return hm_diag_error(diag, "out of memory");
  for (size_t d = 0; d < arg->rank; ++d) {
    int64_t stride = mlirStridedLayoutAttrGetStride(layout, (intptr_t)d);
    arg->strides[d] = stride == mlirShapedTypeGetDynamicStrideOrOffset() ? -1 : stride;
  }
  return true;
}

static bool read_arg(MlirType type, size_t index, ArgSig *arg, HmDiag *diag) {
  arg->type_text = type_text(type);
  if (!arg->type_text)
    return hm_diag_error(diag, "out of memory");
  arg->scalar = mlirTypeIsAF64(type) || mlirTypeIsAInteger(type);
  if (arg->scalar) {
    arg->dtype = element_dtype(type, &arg->alt_dtype);
    arg->dims = calloc(1, sizeof *arg->dims);
    return (arg->dtype == HM_DTYPE_F64 || arg->dtype == HM_DTYPE_I64 || arg->dtype == HM_DTYPE_BOOL) && arg->dims
               ? true
               : hm_diag_error(diag, "argument %zu has type %s; scalars are f64, i64 or i1", index, arg->type_text);
  }
  if (!mlirTypeIsAMemRef(type))
    return hm_diag_error(diag, "argument %zu has type %s; the runner takes memrefs and f64, i64 or "
                         "i1 scalars", index, arg->type_text);
  arg->dtype = element_dtype(mlirShapedTypeGetElementType(type), &arg->alt_dtype);
  if (!arg->dtype)
    return hm_diag_error(diag, "argument %zu (%s): no tensor dtype has this element type", index,
                         arg->type_text);
  arg->rank = (size_t)mlirShapedTypeGetRank(type);
  arg->dims = calloc(arg->rank ? arg->rank : 1, sizeof *arg->dims);
  if (!arg->dims)
    return hm_diag_error(diag, "out of memory");
  for (size_t d = 0; d < arg->rank; ++d)
    arg->dims[d] = mlirShapedTypeIsDynamicDim(type, (intptr_t)d)
                       ? -1
                       : mlirShapedTypeGetDimSize(type, (intptr_t)d);
  return has_identity_layout(type) || read_strides(type, index, arg, diag);
}

static bool read_signature(HmKernel *kernel, MlirOperation func, HmDiag *diag) {
  MlirType type = mlirTypeAttrGetValue(
      mlirOperationGetAttributeByName(func, mlirStringRefCreateFromCString("function_type")));
  if (mlirFunctionTypeGetNumResults(type) != 0)
    return hm_diag_error(diag, "the kernel function returns values; kernels write their outputs "
                         "into memref arguments");
  kernel->nargs = (size_t)mlirFunctionTypeGetNumInputs(type);
  kernel->args = calloc(kernel->nargs ? kernel->nargs : 1, sizeof *kernel->args);
  if (!kernel->args)
    return hm_diag_error(diag, "out of memory");
  for (size_t i = 0; i < kernel->nargs; ++i)
    if (!read_arg(mlirFunctionTypeGetInput(type, (intptr_t)i), i, &kernel->args[i], diag))
      return false;
  return true;
}

/* ---- Compiling ---- */

static MlirOperation find_func(MlirModule module, const char *name) {
  MlirOperation op = mlirModuleGetOperation(module);
  MlirSymbolTable table = mlirSymbolTableCreate(op);
  MlirOperation func = mlirSymbolTableLookup(table, mlirStringRefCreateFromCString(name));
  mlirSymbolTableDestroy(table);
  if (mlirOperationIsNull(func))
    return func;
  MlirStringRef op_name = mlirIdentifierStr(mlirOperationGetName(func));
  if (op_name.length != strlen("func.func") || memcmp(op_name.data, "func.func", op_name.length))
    return (MlirOperation){NULL};
  return func;
}

static MlirModule clone_module(MlirModule module) {
  return mlirModuleFromOperation(mlirOperationClone(mlirModuleGetOperation(module)));
}

static char *ciface_name(const char *func_name) {
  static const char prefix[] = "_mlir_ciface_";
  size_t n = strlen(prefix) + strlen(func_name) + 1;
  char *name = malloc(n);
  if (name)
    snprintf(name, n, "%s%s", prefix, func_name);
  return name;
}

static bool find_entry(HmKernel *kernel, const char *func_name, HmDiag *diag) {
  char *name = ciface_name(func_name);
  if (!name)
    return hm_diag_error(diag, "out of memory");
  kernel->entry = (PackedEntry)mlirExecutionEngineLookupPacked(
      kernel->engine, mlirStringRefCreateFromCString(name));
  free(name);
  if (!kernel->entry)
    return hm_diag_error(diag, "the JIT has no C interface for @%s", func_name);
  return true;
}

/* `llvm_module` is in the LLVM dialect; the engine keeps its own LLVM IR, not the module. libomp is
 * named by its path so that the JIT finds the __kmpc_* entry points even when this library was
 * loaded without RTLD_GLOBAL (ctypes); the bridge's are defined as symbols. */
static bool create_engine(HmKernel *kernel, MlirModule llvm_module, int opt_level, bool keep_object,
                          HmDiag *diag) {
  HmOpenMpRuntime openmp;
  if (!hm_openmp_runtime(&openmp, diag))
    return false;
  kernel->openmp = openmp.kind;
  MlirContext ctx = mlirModuleGetContext(llvm_module);
  HmDiagCapture capture = hm_diag_capture_begin(ctx, diag);
  MlirStringRef libs[] = {mlirStringRefCreateFromCString(openmp.library ? openmp.library : "")};
  kernel->engine = mlirExecutionEngineCreate(llvm_module, opt_level, openmp.library ? 1 : 0, libs,
                                             keep_object, false);
  hm_diag_capture_end(capture);
  if (mlirExecutionEngineIsNull(kernel->engine))
    return hm_diag_error(diag, "the JIT could not compile the LLVM module");
  /* Symbols must be known before initialization resolves the module's externals. */
  mlirExecutionEngineRegisterSymbol(kernel->engine, mlirStringRefCreateFromCString("memrefCopy"),
                                    (void *)hm_kernel_memref_copy);
  for (size_t i = 0; i < openmp.nsymbols; ++i)
    mlirExecutionEngineRegisterSymbol(kernel->engine,
                                      mlirStringRefCreateFromCString(openmp.symbols[i].name),
                                      openmp.symbols[i].address);
  size_t nsoft = 0;
  const HmRuntimeSymbol *soft = hm_soft_float_symbols(&nsoft);
  for (size_t i = 0; i < nsoft; ++i)
    mlirExecutionEngineRegisterSymbol(kernel->engine, mlirStringRefCreateFromCString(soft[i].name),
                                      soft[i].address);
  mlirExecutionEngineInitialize(kernel->engine);
  return true;
}

/* Lowers a copy, so the caller's module stays as it was. The C interface is what the runner calls,
 * so it is requested here rather than required of every module. */
/* The engine writes its object only to a file: a temporary one, read back and removed. A kernel
 * whose object cannot be had still runs; it just cannot be saved. */
static void keep_object(HmKernel *kernel) {
  const char *dir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/helion-mlir-object-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkostemp(path, O_CLOEXEC);
  if (fd < 0)
    return;
  close(fd);
  mlirExecutionEngineDumpToObjectFile(kernel->engine, mlirStringRefCreateFromCString(path));
  kernel->object = hm_file_read(path, &kernel->object_size);
  unlink(path);
}

static bool jit_copy(HmKernel *kernel, MlirModule module, const char *func_name, int opt_level,
                     bool keep, HmDiag *diag) {
  MlirModule copy = clone_module(module);
  MlirContext ctx = mlirModuleGetContext(copy);
  mlirOperationSetAttributeByName(find_func(copy, func_name),
                                  mlirStringRefCreateFromCString("llvm.emit_c_interface"),
                                  mlirUnitAttrGet(ctx));
  bool ok = hm_pipeline_run(copy, diag) && create_engine(kernel, copy, opt_level, keep, diag) &&
            find_entry(kernel, func_name, diag);
  mlirModuleDestroy(copy);
  if (ok && keep)
    keep_object(kernel);
  return ok;
}

HmKernel *hm_kernel_compile(MlirModule module, const char *func_name, int opt_level, bool keep_object,
                            HmDiag *diag) {
  if (opt_level < 0 || opt_level > 3) {
    hm_diag_error(diag, "optimization level %d is not in 0..3", opt_level);
    return NULL;
  }
  MlirOperation func = find_func(module, func_name);
  if (mlirOperationIsNull(func)) {
    hm_diag_error(diag, "the module has no func.func @%s (the runner takes the module before the "
                  "LLVM lowering)", func_name);
    return NULL;
  }
  HmKernel *kernel = calloc(1, sizeof *kernel);
  if (!kernel) {
    hm_diag_error(diag, "out of memory");
    return NULL;
  }
  kernel->func_name = strdup(func_name);
  if (!kernel->func_name) {
    hm_diag_error(diag, "out of memory");
    hm_kernel_destroy(kernel);
    return NULL;
  }
  if (!read_signature(kernel, func, diag) ||
      !jit_copy(kernel, module, func_name, opt_level, keep_object, diag)) {
    hm_kernel_destroy(kernel);
    return NULL;
  }
  return kernel;
}

void hm_kernel_destroy(HmKernel *kernel) {
  if (!kernel)
    return;
  if (!mlirExecutionEngineIsNull(kernel->engine))
    mlirExecutionEngineDestroy(kernel->engine);
  hm_object_jit_destroy(kernel->loaded);
  free(kernel->func_name);
  free(kernel->object);
  for (size_t i = 0; kernel->args && i < kernel->nargs; ++i) {
    free(kernel->args[i].type_text);
    free(kernel->args[i].dims);
    free(kernel->args[i].strides);
  }
  free(kernel->args);
  free(kernel);
}

/* ---- Running ---- */

/* libomp's API (omp.h ships with clang, not with the C compiler that builds this). */
void omp_set_num_threads(int threads);

static _Atomic int run_threads;

void hm_runner_set_threads(int threads) {
  run_threads = threads > 0 ? threads : 0;
  hm_gomp_bridge_set_threads(run_threads);
}

/* libomp takes the thread count as the calling thread's setting; the bridge passes it to each
 * parallel region itself. */
static void set_threads(const HmKernel *kernel) {
  int threads = run_threads;
  if (threads && kernel->openmp == HM_OPENMP_LIBOMP)
    omp_set_num_threads(threads);
}

const char *hm_kernel_openmp(const HmKernel *kernel) { return hm_openmp_name(kernel->openmp); }

static bool check_sizes(const ArgSig *arg, const HmTensorView *view, size_t index, HmDiag *diag) {
  for (size_t d = 0; d < arg->rank; ++d) {
    if (view->sizes[d] < 0)
      return hm_diag_error(diag, "argument %zu: size %lld of dimension %zu is negative", index,
                           (long long)view->sizes[d], d);
    if (arg->dims[d] >= 0 && view->sizes[d] != arg->dims[d])
      return hm_diag_error(diag, "argument %zu (%s): dimension %zu has size %lld, the kernel was "
                           "compiled for %lld", index, arg->type_text, d,
                           (long long)view->sizes[d], (long long)arg->dims[d]);
  }
  return true;
}

/* The stride a dimension must have: the identity layout's row-major one, a strided layout's
 * static one, or -1 (any) for a dynamic stride. */
static int64_t required_stride(const ArgSig *arg, const HmTensorView *view, size_t d) {
  if (arg->strides)
    return arg->strides[d];
  int64_t stride = 1;
  for (size_t k = d + 1; k < view->rank; ++k)
    if (__builtin_mul_overflow(stride, view->sizes[k], &stride))
      return INT64_MAX; /* no buffer has that many elements: no view's stride matches */
  return stride;
}

/* A dimension of size 1 is never stepped over, so its stride does not matter; the kernel reads
 * strides it was compiled with as dynamic from the descriptor. */
static bool check_layout(const ArgSig *arg, const HmTensorView *view, size_t index, HmDiag *diag) {
  for (size_t d = 0; d < view->rank; ++d) {
    if (view->strides[d] < 0)
      return hm_diag_error(diag, "argument %zu: stride %lld of dimension %zu is negative", index,
                           (long long)view->strides[d], d);
    int64_t want = required_stride(arg, view, d);
    if (view->sizes[d] != 1 && want >= 0 && view->strides[d] != want)
      return hm_diag_error(diag, "argument %zu (%s): dimension %zu has stride %lld, the kernel was "
                           "compiled for %lld", index, arg->type_text, d, (long long)view->strides[d],
                           (long long)want);
  }
  return true;
}

/* A view's layout against its argument's: dtype, rank, sizes and strides. Its data pointer is
 * hm_bound_call_run's to check: a bound call takes new pointers at every run. */
static bool check_view(const ArgSig *arg, const HmTensorView *view, size_t index, HmDiag *diag) {
  if (view->dtype != arg->dtype && (view->dtype != arg->alt_dtype || !arg->alt_dtype))
    return hm_diag_error(diag, "argument %zu (%s): got a %s tensor, the kernel takes %s", index,
                         arg->type_text, hm_dtype_name(view->dtype), hm_dtype_name(arg->dtype));
  if (view->rank != arg->rank)
    return hm_diag_error(diag, "argument %zu (%s): got a tensor of rank %zu, the kernel takes "
                         "rank %zu", index, arg->type_text, view->rank, arg->rank);
  return arg->scalar || (check_sizes(arg, view, index, diag) && check_layout(arg, view, index, diag));
}

/* The caller's memory as it is, no copy: offset 0 (the data pointer is the first element's,
 * written at each run), and the view's strides where the layout leaves them dynamic. Elsewhere the
 * layout's own strides are written, which check_layout compared with the view's except on size-1
 * dimensions. */
static void fill_descriptor(const ArgSig *arg, const HmTensorView *view, StridedMemRef *desc) {
  desc->allocated = NULL;
  desc->aligned = NULL;
  desc->offset = 0;
  for (size_t d = 0; d < view->rank; ++d) {
    int64_t want = required_stride(arg, view, d);
    desc->dims[d] = view->sizes[d];
    desc->dims[view->rank + d] = want >= 0 ? want : view->strides[d];
  }
}

/* What a run copies and fills in: the descriptors of the memref arguments, laid out one after the
 * other in one block (a template the bind wrote), and where each starts. */
struct HmBoundCall {
  const HmKernel *kernel;
  size_t nargs;
  size_t *offsets;     /* argument i's descriptor at offsets[i] bytes into the block */
  bool *may_be_null;   /* a memref argument without elements may have no data pointer */
  unsigned char *descriptors;
  size_t bytes;        /* the block's size */
};

void hm_bound_call_destroy(HmBoundCall *call) {
  if (!call)
    return;
  free(call->offsets);
  free(call->may_be_null);
  free(call->descriptors);
  free(call);
}

static size_t descriptor_bytes(size_t rank) {
  return offsetof(StridedMemRef, dims) + 2 * rank * sizeof(int64_t);
}

HmBoundCall *hm_kernel_bind(const HmKernel *kernel, size_t nargs, const HmTensorView *layout, HmDiag *diag) {
  if (nargs != kernel->nargs) {
    hm_diag_error(diag, "got %zu tensors, the kernel takes %zu", nargs, kernel->nargs);
    return NULL;
  }
  for (size_t i = 0; i < nargs; ++i)
    if (!check_view(&kernel->args[i], &layout[i], i, diag))
      return NULL;
  HmBoundCall *call = calloc(1, sizeof *call);
  size_t n = nargs ? nargs : 1;
  if (call) {
    call->kernel = kernel;
    call->nargs = nargs;
    call->offsets = calloc(n, sizeof *call->offsets);
    call->may_be_null = calloc(n, sizeof *call->may_be_null);
  }
  bool ok = call && call->offsets && call->may_be_null;
  for (size_t i = 0; ok && i < nargs; ++i) {
    call->offsets[i] = call->bytes;
    if (kernel->args[i].scalar)
      continue;
    for (size_t d = 0; d < layout[i].rank; ++d)
      call->may_be_null[i] |= layout[i].sizes[d] == 0;
    /* Each descriptor's size is a multiple of 8, so the next starts aligned. */
    ok = !__builtin_add_overflow(call->bytes, descriptor_bytes(layout[i].rank), &call->bytes);
  }
  if (ok)
    ok = (call->descriptors = malloc(call->bytes ? call->bytes : 1)) != NULL;
  for (size_t i = 0; ok && i < nargs; ++i)
    if (!kernel->args[i].scalar)
      fill_descriptor(&kernel->args[i], &layout[i], (StridedMemRef *)(call->descriptors + call->offsets[i]));
  if (!ok) {
    hm_bound_call_destroy(call);
    hm_diag_error(diag, "out of memory");
    return NULL;
  }
  return call;
}

/* The packed C interface takes, per argument, a pointer to the argument: a pointer to a pointer to
 * the descriptor for a memref, the pointer to the value for a scalar. The descriptors are the
 * run's own copy of the template, so that runs of one bound call on several threads do not share
 * them. */
bool hm_bound_call_run(const HmBoundCall *call, void *const *data, HmDiag *diag) {
  const HmKernel *kernel = call->kernel;
  for (size_t i = 0; i < call->nargs; ++i) {
    if (data[i] || call->may_be_null[i])
      continue;
    if (kernel->args[i].scalar)
      return hm_diag_error(diag, "argument %zu: the scalar's data pointer is null", i);
    return hm_diag_error(diag, "argument %zu: the data pointer is null", i);
  }
  size_t n = call->nargs ? call->nargs : 1;
  size_t pointers = 2 * n * sizeof(void *);
  size_t bytes;
  if (__builtin_add_overflow(pointers, call->bytes, &bytes))
    return hm_diag_error(diag, "out of memory");
  void **block = malloc(bytes);
  if (!block)
    return hm_diag_error(diag, "out of memory");
  void **packed = block, **descs = block + n;
  unsigned char *copy = (unsigned char *)(block + 2 * n);
  memcpy(copy, call->descriptors, call->bytes);
  for (size_t i = 0; i < call->nargs; ++i) {
    if (kernel->args[i].scalar) {
      packed[i] = data[i];
      continue;
    }
    StridedMemRef *desc = (StridedMemRef *)(copy + call->offsets[i]);
    desc->allocated = desc->aligned = data[i];
    descs[i] = desc;
    packed[i] = &descs[i];
  }
  set_threads(kernel);
  kernel->entry(packed);
  free(block);
  return true;
}

bool hm_kernel_run(const HmKernel *kernel, size_t nargs, const HmTensorView *args, HmDiag *diag) {
  HmBoundCall *call = hm_kernel_bind(kernel, nargs, args, diag);
  if (!call)
    return false;
  void **data = malloc((nargs ? nargs : 1) * sizeof *data);
  bool ok = data != NULL;
  for (size_t i = 0; ok && i < nargs; ++i)
    data[i] = args[i].data;
  ok = ok ? hm_bound_call_run(call, data, diag) : hm_diag_error(diag, "out of memory");
  free(data);
  hm_bound_call_destroy(call);
  return ok;
}
