/* Running a lowered kernel on the CPU through MLIR's JIT (the ExecutionEngine C API).
 *
 * A kernel is compiled once from the func.func form hm_lower produces (memref arguments with
 * identity or strided layouts, `llvm.emit_c_interface`) and run any number of times on caller-owned buffers; outputs
 * are written in place. Every run checks the buffers against the function's signature first, so a
 * wrong call is an error message, not a crash.
 */
#ifndef HELION_MLIR_RUNNER_H
#define HELION_MLIR_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "helion-mlir/support/Context.h"
#include "helion-mlir/support/Diag.h"
#include "helion-mlir/spec/Spec.h"
#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caller-owned memory viewed as a tensor (a torch tensor's data_ptr, sizes and strides, a view,
 * transposed or sliced, included), passed to the kernel as it is. A memref argument with the
 * identity layout takes the row-major strides for the sizes, one with a strided layout its static
 * strides, and any non-negative stride where the layout's is dynamic (a dimension of size 1 may
 * have any stride). A scalar argument (f64, i64, i1) is a
 * view of rank 0 whose data points to the value (a double, an int64_t, a bool) with dtype float64,
 * int64 or bool. */
typedef struct HmTensorView {
  void *data; /* the first element */
  size_t rank;
  const int64_t *sizes;   /* `rank` entries */
  const int64_t *strides; /* `rank` entries, in elements */
  HmDtype dtype;
} HmTensorView;

typedef struct HmKernel HmKernel;

/* Compiles the func.func `func_name` of `module` at LLVM optimization level `opt_level` (0-3). The
 * module is not changed: the pipeline of hm_pipeline_run runs on a copy. The module's context must
 * come from hm_context_create and may be destroyed once this returns. With `keep_object` the
 * kernel keeps its machine code as an object file, for hm_kernel_save. NULL on error. */
HmKernel *hm_kernel_compile(MlirModule module, const char *func_name, int opt_level, bool keep_object,
                            HmDiag *diag);

/* Appends to `out` an image of a kernel compiled with keep_object: its signature and machine code,
 * which hm_kernel_load of the same build of the library turns back into a kernel on this host
 * (the on-disk cache, Cache.h, stores these). */
bool hm_kernel_save(const HmKernel *kernel, HmBuffer *out, HmDiag *diag);

/* The kernel of an image hm_kernel_save wrote, linked without compiling (run/ObjectJit.h). A damaged
 * image is an error, never a crash; NULL then. */
HmKernel *hm_kernel_load(const void *image, size_t size, HmDiag *diag);

/* Runs the kernel with one view per function argument, in order. Returns false, having run
 * nothing, when the views do not match the signature (count, rank, element type, static sizes,
 * layout). */
bool hm_kernel_run(const HmKernel *kernel, size_t nargs, const HmTensorView *args, HmDiag *diag);

/* A call of the kernel for one layout of its arguments (the views' dtypes, ranks, sizes and
 * strides; their data pointers are not read), checked against the signature once: each run then
 * takes the data pointers only. NULL, with the mismatch in `diag`, when the layout does not match.
 * The kernel must outlive the call. */
typedef struct HmBoundCall HmBoundCall;
HmBoundCall *hm_kernel_bind(const HmKernel *kernel, size_t nargs, const HmTensorView *layout, HmDiag *diag);

/* Runs the bound call on data[i], one pointer per argument, laid out as the bind's views were.
 * Returns false, having run nothing, when a data pointer is null where the argument has elements.
 * Runs of one call may overlap on several threads. */
bool hm_bound_call_run(const HmBoundCall *call, void *const *data, HmDiag *diag);

void hm_bound_call_destroy(HmBoundCall *call);

void hm_kernel_destroy(HmKernel *kernel);

/* The number of threads every later run spreads the kernel's tile grid over, for all kernels;
 * 0 (the start) leaves it to the OpenMP runtime (OMP_NUM_THREADS, or one per core). The Python
 * package sets torch.get_num_threads(), so the kernels use the cores torch would. */
void hm_runner_set_threads(int threads);

/* The OpenMP runtime the kernel's tile grid runs on: "libgomp" (the one the process had loaded,
 * torch's, shared with torch's own ops) or "libomp" (LLVM's; HELION_MLIR_OPENMP chooses). */
const char *hm_kernel_openmp(const HmKernel *kernel);

#ifdef __cplusplus
}
#endif

#endif
