/* From a lowered kernel module to the LLVM dialect, ready for the JIT (Runner.h) or
 * mlir-translate-22 --mlir-to-llvmir.
 *
 * The input is what hm_lower produces with HM_TILES_CONCRETE and HM_ATEN_LINALG: a func.func with
 * memref arguments whose body computes on tensors (affine loops over tiles, tensor.pad,
 * linalg/arith/math ops, bufferization.materialize_in_destination into memref subviews). Every
 * temporary buffer the pipeline introduces is freed before the function returns.
 *
 * The LLVM module calls malloc, free, libm and `memrefCopy` (MLIR's C runner utilities, or the
 * copy the runner supplies).
 */
#ifndef HELION_MLIR_PIPELINE_H
#define HELION_MLIR_PIPELINE_H

#include "helion-mlir/support/Diag.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The textual pass pipeline, as mlir-opt-22 --pass-pipeline accepts it. Static storage. The
 * pipeline proper adds four passes the text cannot name: the fast-math flags of run/FastMath.h
 * first, the tiling and vectorization of run/Vectorize.h and the loop-carried vectors of
 * run/CarryVectors.h before bufferization, and the polynomial approximations of
 * run/MathApproximation.h before math-extend-to-supported-types. With HELION_MLIR_CHECKS=1 in the environment it is the debug
 * pipeline, which adds MLIR's generate-runtime-verification after bufferization: an access outside
 * a buffer inside the kernel then prints "ERROR: Runtime op verification failed", the op and its
 * location (on stdout) and aborts. */
const char *hm_pipeline_text(void);

/* The vector registers the matmul kernels' register blocks are sized for (lib/run/matmul.mlir):
 * the host's, as the JIT compiles for it (on an AVX-512 host, a kernel of cheap arithmetic is also
 * compiled for 256-bit registers with the host's features, lib/run/VectorWidth.c), or a width
 * given explicitly, as a test does (helion-opt --vector-bits) so that its output does not depend
 * on the machine it runs on. */
typedef enum HmVectorBits {
  HM_VECTOR_BITS_HOST = 0,
  HM_VECTOR_BITS_128 = 128, /* SSE: 16 registers */
  HM_VECTOR_BITS_256 = 256, /* AVX2: 16 registers */
  HM_VECTOR_BITS_512 = 512, /* AVX-512: 32 registers */
} HmVectorBits;

/* Adds the whole pipeline to `pm`, a pass manager on builtin.module, its matmul kernels for `bits`. */
bool hm_pipeline_build(MlirOpPassManager pm, HmVectorBits bits, HmDiag *diag);

/* Runs hm_pipeline_build's pipeline, for the host's vector registers, on `module` in place. MLIR's diagnostics go to `diag` (the first error),
 * never to stderr. The module's context must come from hm_context_create, which registers the
 * passes. On failure the module is left partly lowered. */
bool hm_pipeline_run(MlirModule module, HmDiag *diag);

#ifdef __cplusplus
}
#endif

#endif
