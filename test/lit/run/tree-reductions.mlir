// helion-tree-reductions (lib/run/TreeReductions.c): a max or min over a vector of two register
// pieces or more becomes a balanced tree of element-wise maxima of 16 f32 (8 f64) lanes and one
// reduction of the last piece; the lanes past the last whole piece are reduced on their own. A sum
// and a short max stay one reduction. arith-expand writes each element-wise maximum as a compare
// and a select, and the NaN check as another. The numerics, NaN included, run on the JIT in
// test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// 1000 lanes: 62 pieces of 16 combined by 61 maxima, then the 8 lanes left.
// CHECK-LABEL: llvm.func @row_max(
// CHECK-COUNT-61: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NOT: llvm.fcmp "ugt" %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: llvm.intr.vector.reduce.fmaximum({{.*}}) {{.*}}: (vector<16xf32>) -> f32
// CHECK: llvm.intr.vector.reduce.fmaximum({{.*}}) {{.*}}: (vector<8xf32>) -> f32
// CHECK-NOT: vector<1000xf32>) -> f32
// CHECK: llvm.return
func.func @row_max(%row: memref<1000xf32>, %init: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %pad = ub.poison : f32
  %v = vector.transfer_read %row[%c0], %pad {in_bounds = [true]} : memref<1000xf32>, vector<1000xf32>
  %m = vector.reduction <maximumf>, %v, %init fastmath<reassoc> : vector<1000xf32> into f32
  return %m : f32
}

// -----

// 64 f64 lanes: 8 pieces of 8 in three levels of 4, 2 and 1 minima; no lanes left over.
// CHECK-LABEL: llvm.func @row_min_f64(
// CHECK-COUNT-7: llvm.fcmp "ult" %{{.*}}, %{{.*}} : vector<8xf64>
// CHECK: llvm.intr.vector.reduce.fminimum({{.*}}) {{.*}}: (vector<8xf64>) -> f64
// CHECK-NOT: llvm.fcmp "ult"
// CHECK: llvm.return
func.func @row_min_f64(%row: memref<64xf64>) -> f64 {
  %c0 = arith.constant 0 : index
  %pad = ub.poison : f64
  %v = vector.transfer_read %row[%c0], %pad {in_bounds = [true]} : memref<64xf64>, vector<64xf64>
  %m = vector.reduction <minimumf>, %v : vector<64xf64> into f64
  return %m : f64
}

// -----

// A sum LLVM already splits as a tree, and a max of fewer than two pieces, are left as they are.
// CHECK-LABEL: llvm.func @left_alone(
// CHECK-NOT: llvm.fcmp "ugt"
// CHECK: "llvm.intr.vector.reduce.fadd"({{.*}}) {{.*}}: (f32, vector<1000xf32>) -> f32
// CHECK: llvm.intr.vector.reduce.fmaximum({{.*}}) {{.*}}: (vector<24xf32>) -> f32
// CHECK: llvm.return
func.func @left_alone(%row: memref<1000xf32>, %short: memref<24xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %pad = ub.poison : f32
  %v = vector.transfer_read %row[%c0], %pad {in_bounds = [true]} : memref<1000xf32>, vector<1000xf32>
  %s = vector.reduction <add>, %v, %zero fastmath<reassoc> : vector<1000xf32> into f32
  %w = vector.transfer_read %short[%c0], %pad {in_bounds = [true]} : memref<24xf32>, vector<24xf32>
  %m = vector.reduction <maximumf>, %w : vector<24xf32> into f32
  %r = arith.addf %s, %m : f32
  return %r : f32
}
