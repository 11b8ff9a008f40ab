// The JIT's pipeline (--helion-lower-to-llvm, lib/run/Pipeline.c) on the kinds of kernel the lowering
// emits: an elementwise add with an edge tile, a row softmax (linalg.reduce, math.exp), and an f16
// matmul accumulating in f32 through an affine.for with tensor iter_args. Everything reaches the
// LLVM dialect, and every tile temporary that is malloc'd is freed in the same iteration.
// The same inputs run on the JIT in test/python/test_run.py.

// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/add_1d.mlir | FileCheck %s --check-prefixes=CHECK,ADD
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/softmax_rows.mlir | FileCheck %s --check-prefixes=CHECK,SOFTMAX
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | FileCheck %s --check-prefixes=CHECK,MATMUL

// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/add_1d.mlir | grep -c "llvm.call @malloc" | FileCheck %s --check-prefix=THREE
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/add_1d.mlir | grep -c "llvm.call @free" | FileCheck %s --check-prefix=THREE
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/softmax_rows.mlir | grep -c "llvm.call @malloc" | FileCheck %s --check-prefix=THREE
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/softmax_rows.mlir | grep -c "llvm.call @free" | FileCheck %s --check-prefix=THREE
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | grep -c "llvm.call @malloc" | FileCheck %s --check-prefix=FOUR
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | grep -c "llvm.call @free" | FileCheck %s --check-prefix=FOUR
// THREE: {{^3$}}
// FOUR: {{^4$}}

// Copies between strided tiles go through MLIR's runtime memrefCopy, which the runner supplies.
// CHECK-DAG: llvm.func @memrefCopy(i64, !llvm.ptr, !llvm.ptr)
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)
// ADD: llvm.func @add(
// SOFTMAX: llvm.func @softmax(
// The row tiles are spread over threads by the OpenMP runtime.
// SOFTMAX: omp.parallel
// SOFTMAX: omp.wsloop
// The f32 exp is MLIR's polynomial approximation, which LLVM vectorizes: FMAs, no exp call.
// SOFTMAX-NOT: llvm.intr.exp
// SOFTMAX: llvm.intr.fma
// The row sum may be reassociated (vectorized), as Helion's tl.sum may.
// SOFTMAX: llvm.fadd {{.*}} {fastmathFlags = #llvm.fastmath<contract, reassoc>} : f32
// MATMUL: llvm.func @matmul(
// MATMUL: llvm.fpext {{.*}} : f16 to f32
// MATMUL: llvm.fptrunc {{.*}} : f32 to f16
// No op of the input's dialects is left.
// CHECK-NOT: {{ (affine|scf|cf|memref|tensor|linalg|bufferization|math|arith|func)\.[a-z_]+ }}
// ADD: llvm.func @_mlir_ciface_add(
// SOFTMAX: llvm.func @_mlir_ciface_softmax(
// MATMUL: llvm.func @_mlir_ciface_matmul(
