// helion-tree-reductions (lib/run/TreeReductions.c): a max or min over a vector of two lanes or
// more becomes a balanced tree of element-wise maxima of its pieces of 16 f32 (8 f64) lanes, the
// lanes past the last whole piece padded with the identity (-inf, +inf) and combined with them, and
// the last piece folded in halves down to one lane. A sum stays one reduction. arith-expand writes
// each element-wise maximum as a compare and a select, and the NaN check as another. The numerics,
// NaN included, run on the JIT in test/python/test_run.py. The rows are read in chunks first
// (helion-chunked-reductions): here as a function argument, a vector of no memory.
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// 1000 lanes: 62 pieces of 16 combined by 61 maxima, the 8 lanes left padded to a piece and
// combined with them, then that piece in halves of 8, 4, 2 and 1 lanes and the last lane with the
// accumulator: no reduction left for LLVM to chain.
// CHECK-LABEL: llvm.func @row_max(
// CHECK-COUNT-62: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NOT: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<4xf32>
// CHECK: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<2xf32>
// CHECK: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<1xf32>
// CHECK: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : f32
// CHECK-NOT: llvm.intr.vector.reduce.fmaximum
// CHECK: llvm.return
func.func @row_max(%v: vector<1000xf32>, %init: f32) -> f32 {
  %m = vector.reduction <maximumf>, %v, %init fastmath<reassoc> : vector<1000xf32> into f32
  return %m : f32
}

// -----

// 64 f64 lanes: 8 pieces of 8 in three levels of 4, 2 and 1 minima, no lanes left over; the last
// piece in halves of 4, 2 and 1.
// CHECK-LABEL: llvm.func @row_min_f64(
// CHECK-COUNT-7: llvm.fcmp "ult" %{{.*}}, %{{.*}} : vector<8xf64>
// CHECK: llvm.fcmp "ult" %{{.*}}, %{{.*}} : vector<4xf64>
// CHECK: llvm.fcmp "ult" %{{.*}}, %{{.*}} : vector<2xf64>
// CHECK: llvm.fcmp "ult" %{{.*}}, %{{.*}} : vector<1xf64>
// CHECK-NOT: llvm.intr.vector.reduce.fminimum
// CHECK: llvm.return
func.func @row_min_f64(%v: vector<64xf64>) -> f64 {
  %m = vector.reduction <minimumf>, %v : vector<64xf64> into f64
  return %m : f64
}

// -----

// A sum LLVM already splits as a tree is left as it is; a max of fewer than two pieces (24 lanes:
// one piece and 8 lanes padded to one) is one maximum and the halves.
// CHECK-LABEL: llvm.func @sum_and_short_max(
// CHECK: "llvm.intr.vector.reduce.fadd"({{.*}}) {{.*}}: (f32, vector<1000xf32>) -> f32
// CHECK: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NOT: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NOT: llvm.intr.vector.reduce.fmaximum
// CHECK: llvm.return
func.func @sum_and_short_max(%v: vector<1000xf32>, %w: vector<24xf32>) -> f32 {
  %zero = arith.constant 0.0 : f32
  %s = vector.reduction <add>, %v, %zero fastmath<reassoc> : vector<1000xf32> into f32
  %m = vector.reduction <maximumf>, %w : vector<24xf32> into f32
  %r = arith.addf %s, %m : f32
  return %r : f32
}
