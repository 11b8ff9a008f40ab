// The JIT's pipeline (--helion-lower-to-llvm, lib/run/Pipeline.c) on the kinds of kernel the lowering
// emits: an elementwise add with an edge tile, a row softmax (linalg.reduce, math.exp), and an f16
// matmul accumulating in f32 through an affine.for with tensor iter_args. Everything reaches the
// LLVM dialect, vectorized (lib/run/vectorize.mlir), and every tile temporary is one stack buffer
// per thread (lib/run/ThreadBuffers.c), an llvm.alloca of 64-byte alignment: none is malloc'd.
// The same inputs run on the JIT in test/python/test_run.py.

// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/add_1d.mlir | FileCheck %s --check-prefixes=CHECK,ADD
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/softmax_rows.mlir | FileCheck %s --check-prefixes=CHECK,SOFTMAX
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | FileCheck %s --check-prefixes=CHECK,MATMUL

// The padded loads of add are masked vector reads feeding the sum directly: one buffer is left, the
// output tile.
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/add_1d.mlir | grep -c "llvm.alloca .* {alignment = 64 : i64}" | FileCheck %s --check-prefix=ONE
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/add_1d.mlir | not grep "llvm.call @malloc"
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/softmax_rows.mlir | grep -c "llvm.alloca .* {alignment = 64 : i64}" | FileCheck %s --check-prefix=THREE
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/softmax_rows.mlir | not grep "llvm.call @malloc"
// The f16 matmul packs each padded tile at 16 bits (lib/run/matmul.mlir) and widens it into an
// f32 tile of its own for the register blocks (lib/run/WidenMatmul.c); the whole K steps of its
// whole tiles (lib/run/FullTiles.c) widen the host's tiles, unpacked, into two more: the
// accumulator, the output tile and those six.
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | grep -c "llvm.alloca .* {alignment = 64 : i64}" | FileCheck %s --check-prefix=EIGHT
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | not grep "llvm.call @malloc"
// For 512-bit vectors (test/lit/run/register-blocks.mlir has the others), an f32 matmul's 32x32
// accumulator is four 8x32 register blocks, a loop whose body updates a block
// with one FMA on a 32-lane row per row of the block and element of the 16-wide K tile: 8 * 16,
// twice: once for the whole tiles' whole K steps, once for the K loop as it was.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | grep -c "llvm.intr.fmuladd.*vector<32xf32>" | FileCheck %s --check-prefix=TWICE
// The f16 and fp8 matmuls accumulating in f32 have the same register blocks, on their widened tiles;
// the fp8 one's tiles are whole, unpadded, so it has one copy.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | grep -c "llvm.intr.fmuladd.*vector<32xf32>" | FileCheck %s --check-prefix=TWICE
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f8.mlir | grep -c "llvm.intr.fmuladd.*vector<32xf32>" | FileCheck %s --check-prefix=ONCE
// ONE: {{^1$}}
// THREE: {{^3$}}
// EIGHT: {{^8$}}
// TWICE: {{^256$}}
// ONCE: {{^128$}}

// Copies between strided tiles go through MLIR's runtime memrefCopy, which the runner supplies.
// CHECK-DAG: llvm.func @memrefCopy(i64, !llvm.ptr, !llvm.ptr)
// ADD: llvm.func @add(
// ADD: llvm.intr.masked.load {{.*}} -> vector<64xf32>
// ADD: llvm.fadd {{.*}} : vector<64xf32>
// SOFTMAX: llvm.func @softmax(
// The row tiles are spread over threads by the OpenMP runtime.
// SOFTMAX: omp.parallel
// SOFTMAX: omp.wsloop
// A row of 70 is one vector: its max a tree of maxima of its 16-lane pieces and of the 6 lanes left
// (padded with -inf), folded in halves down to one lane and that lane combined with the row's start
// (helion-tree-reductions; LLVM's own reduction was a chain of a step a lane), its exp MLIR's
// polynomial approximation on the vector (FMAs, no exp call), its sum a vector reduction that may be
// reassociated (a tree), as Helion's tl.sum may. A row this short is no loop over chunks.
// SOFTMAX-COUNT-4: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<16xf32>
// SOFTMAX: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<8xf32>
// SOFTMAX: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<4xf32>
// SOFTMAX: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<2xf32>
// SOFTMAX: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<1xf32>
// SOFTMAX: llvm.extractelement
// SOFTMAX: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : f32
// SOFTMAX-NOT: llvm.intr.vector.reduce.fmaximum
// SOFTMAX-NOT: llvm.intr.exp
// SOFTMAX: llvm.intr.fma({{.*}}) : (vector<70xf32>, vector<70xf32>, vector<70xf32>) -> vector<70xf32>
// SOFTMAX-NOT: llvm.intr.exp
// SOFTMAX: "llvm.intr.vector.reduce.fadd"({{.*}}) <{fastmathFlags = #llvm.fastmath<reassoc>}> : (f32, vector<70xf32>) -> f32
// The division by the row's sum may take its reciprocal (arcp): LLVM divides once a row and
// multiplies, as torch's softmax does, instead of dividing every element.
// SOFTMAX: llvm.fdiv {{.*}} {fastmathFlags = #llvm.fastmath<arcp>} : vector<70xf32>
// MATMUL: llvm.func @matmul(
// MATMUL: llvm.fpext {{.*}} : vector<{{[0-9]+}}xf16> to vector<{{[0-9]+}}xf32>
// MATMUL: llvm.fptrunc {{.*}} : vector<32xf32> to vector<32xf16>
// No op of the input's dialects is left.
// CHECK-NOT: {{ (affine|scf|cf|memref|tensor|linalg|bufferization|math|arith|func|vector)\.[a-z_]+ }}
// ADD: llvm.func @_mlir_ciface_add(
// SOFTMAX: llvm.func @_mlir_ciface_softmax(
// MATMUL: llvm.func @_mlir_ciface_matmul(
