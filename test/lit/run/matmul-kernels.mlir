// The f32 matmul kernels of the JIT's pipeline (lib/run/matmul.mlir) on the LLVM dialect: an edge
// tile's padded operands are packed by vector code, not memrefCopy, and the register blocks are
// FMAs on 32-lane rows. The numerics are checked against torch in test/python/test_run.py and
// test/python/test_examples.py.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | FileCheck %s
// The one memrefCopy left is the output tile's store after the K loop.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | grep -c "llvm.call @memrefCopy" | FileCheck %s --check-prefix=ONE
// A lhs tile of the accumulator's shape (32x32, a K tile of 32) is packed into a tile of its own:
// its zero fill is not merged with the accumulator's, which the bufferization would then copy into
// a fresh buffer at every K step (5 memrefCopy calls in all).
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f32_square.mlir | grep -c "llvm.call @memrefCopy" | FileCheck %s --check-prefix=ONE
// The f16 matmul's padded tiles are packed the same way, at 16 bits, before they are widened to f32
// (lib/run/WidenMatmul.c): its one memrefCopy is the output tile's store too.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | grep -c "llvm.call @memrefCopy" | FileCheck %s --check-prefix=ONE
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | FileCheck %s --check-prefix=HALF
// HALF-LABEL: llvm.func @matmul(
// HALF: %[[LHS:.*]] = llvm.intr.masked.load {{.*}} -> vector<16xf16>
// HALF: llvm.store %[[LHS]], {{.*}} : vector<16xf16>, !llvm.ptr
// HALF: %[[RHS:.*]] = llvm.intr.masked.load {{.*}} -> vector<32xf16>
// HALF: llvm.store %[[RHS]], {{.*}} : vector<32xf16>, !llvm.ptr
// HALF: llvm.fpext {{.*}} : vector<16xf16> to vector<16xf32>
// HALF: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// ONE: {{^1$}}
// No packed row is stored masked, in f32 or f16, and the masked-off columns read as zeros.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | FileCheck %s --check-prefix=WHOLE
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | FileCheck %s --check-prefix=WHOLE
// WHOLE-NOT: llvm.intr.masked.store
// WHOLE: %[[ZEROS:.*]] = llvm.mlir.constant(dense<0.000000e+00> : vector<16x{{f32|f16}}>)
// WHOLE-NOT: llvm.intr.masked.store
// WHOLE: llvm.intr.masked.load {{.*}}, {{.*}}, %[[ZEROS]] {{.*}} -> vector<16x{{f32|f16}}>
// WHOLE-NOT: llvm.intr.masked.store
// The packed tiles and the accumulator are allocated once per output tile, before its K loop
// (lib/run/HoistPackedTiles.c), not at every K step; being an output tile's own, they are then one
// per thread, on its stack before the grid loop (lib/run/ThreadBuffers.c), and never freed.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | FileCheck %s --check-prefix=HOIST
// HOIST-LABEL: llvm.func @matmul(
// HOIST: omp.parallel {
// HOIST-COUNT-3: llvm.alloca %{{.*}} x f32 {alignment = 64 : i64}
// HOIST: omp.wsloop {
// HOIST-NOT: x f32 {alignment = 64 : i64}
// HOIST-NOT: llvm.call @malloc
// HOIST-NOT: llvm.call @free
// HOIST: llvm.return

// CHECK-LABEL: llvm.func @matmul(
// In the K loop, the lhs's 32x16 tile is packed a row at a time: one masked load of the host's row
// (its mask the columns the tensor has, the rest zeros) and one store of the whole row into the tile
// (lib/run/UnmaskPackedRows.c: a masked store is microcoded on AMD's cores); then the rhs's 16x32.
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: %[[LHS:.*]] = llvm.intr.masked.load {{.*}} -> vector<16xf32>
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: llvm.store %[[LHS]], {{.*}} : vector<16xf32>, !llvm.ptr
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: %[[RHS:.*]] = llvm.intr.masked.load {{.*}} -> vector<32xf32>
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: llvm.store %[[RHS]], {{.*}} : vector<32xf32>, !llvm.ptr
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// CHECK: llvm.call @memrefCopy
// CHECK: llvm.return
