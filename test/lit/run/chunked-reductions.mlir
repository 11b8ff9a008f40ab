// helion-chunked-reductions (lib/run/ChunkedReductions.c): a reduction of a whole row read from
// memory becomes a loop over chunks of 64 f32 lanes (four 512-bit registers) carrying a 64-lane
// accumulator, the ops computing the row cloned per chunk, and the accumulator and the lanes past
// the last whole chunk reduced at the end. The numerics run on the JIT in test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// A row max of 1000: the first chunk starts the accumulator, the loop takes the 14 after it, and
// the 40 lanes past 960 are reduced last. No 1000-lane vector is left.
// CHECK-LABEL: llvm.func @row_max(
// CHECK-NOT: vector<1000xf32>
// CHECK: llvm.load {{.*}} -> vector<64xf32>
// CHECK: ^[[LOOP:bb[0-9]+]](%{{[0-9]+}}: i64, %{{[0-9]+}}: vector<64xf32>):
// CHECK: llvm.load {{.*}} -> vector<64xf32>
// CHECK: llvm.fcmp "ugt" {{.*}} : vector<64xf32>
// CHECK: llvm.br ^[[LOOP]]
// CHECK: llvm.load {{.*}} -> vector<40xf32>
// CHECK-NOT: vector<1000xf32>
// CHECK: llvm.return
func.func @row_max(%row: memref<1000xf32>, %init: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %pad = ub.poison : f32
  %v = vector.transfer_read %row[%c0], %pad {in_bounds = [true]} : memref<1000xf32>, vector<1000xf32>
  %m = vector.reduction <maximumf>, %v, %init : vector<1000xf32> into f32
  return %m : f32
}

// -----

// The sum of a computed row (the squares of a row shifted by a broadcast scalar, as a variance
// sums them): the subtraction, the square and the broadcast are computed a chunk at a time in the
// loop, the row of a 2-D memref read at the loop's offset.
// CHECK-LABEL: llvm.func @row_variance(
// CHECK-NOT: vector<1000xf32>
// CHECK: ^[[LOOP:bb[0-9]+]](%{{[0-9]+}}: i64, %{{[0-9]+}}: vector<64xf32>):
// CHECK: llvm.load {{.*}} -> vector<64xf32>
// CHECK: llvm.fsub {{.*}} : vector<64xf32>
// CHECK: llvm.fmul {{.*}} : vector<64xf32>
// CHECK: llvm.fadd {{.*}} : vector<64xf32>
// CHECK: llvm.br ^[[LOOP]]
// CHECK: "llvm.intr.vector.reduce.fadd"({{.*}}) {{.*}} : (f32, vector<64xf32>) -> f32
// CHECK: llvm.fsub {{.*}} : vector<40xf32>
// CHECK: "llvm.intr.vector.reduce.fadd"({{.*}}) {{.*}} : (f32, vector<40xf32>) -> f32
// CHECK-NOT: vector<1000xf32>
// CHECK: llvm.return
func.func @row_variance(%x: memref<4x1000xf32>, %i: index, %mean: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %pad = ub.poison : f32
  %v = vector.transfer_read %x[%i, %c0], %pad {in_bounds = [true]} : memref<4x1000xf32>, vector<1000xf32>
  %m = vector.broadcast %mean : f32 to vector<1000xf32>
  %d = arith.subf %v, %m : vector<1000xf32>
  %sq = arith.mulf %d, %d : vector<1000xf32>
  %s = vector.reduction <add>, %sq, %zero : vector<1000xf32> into f32
  return %s : f32
}

// -----

// Left as they are: a row whose computed value has another user (chunked, it would be computed
// twice), a row read before a store that may change it, and a row shorter than two chunks.
// CHECK-LABEL: llvm.func @left_alone(
// CHECK: llvm.load {{.*}} -> vector<1000xf32>
// CHECK: llvm.load {{.*}} -> vector<1000xf32>
// CHECK: llvm.load {{.*}} -> vector<100xf32>
// CHECK-NOT: vector<64xf32>
// CHECK: llvm.return
func.func @left_alone(%x: memref<1000xf32>, %y: memref<1000xf32>, %short: memref<100xf32>, %out: memref<1000xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %pad = ub.poison : f32
  %v = vector.transfer_read %x[%c0], %pad {in_bounds = [true]} : memref<1000xf32>, vector<1000xf32>
  %e = math.exp %v : vector<1000xf32>
  vector.transfer_write %e, %out[%c0] {in_bounds = [true]} : vector<1000xf32>, memref<1000xf32>
  %s = vector.reduction <add>, %e, %zero : vector<1000xf32> into f32
  %w = vector.transfer_read %y[%c0], %pad {in_bounds = [true]} : memref<1000xf32>, vector<1000xf32>
  memref.store %zero, %y[%c0] : memref<1000xf32>
  %t = vector.reduction <add>, %w, %s : vector<1000xf32> into f32
  %u = vector.transfer_read %short[%c0], %pad {in_bounds = [true]} : memref<100xf32>, vector<100xf32>
  %r = vector.reduction <add>, %u, %t : vector<100xf32> into f32
  return %r : f32
}
