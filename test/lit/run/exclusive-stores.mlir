// Tile stores computed in place (helion-exclusive-stores, then eliminate-empty-tensors): a tile
// stored whole into its host tensor's view, where the store is the tensor's one access, needs no
// tile buffer and no copy; every other store keeps them. A grid iteration's tile buffer is one
// per thread (helion-thread-buffers), an llvm.alloca of 64-byte alignment at the start of the
// parallel region. The numerics run on the JIT in test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// The grid's tile written straight into the output: no buffer, no copy.
// CHECK-LABEL: llvm.func @sole_store(
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: x f32 {alignment = 64 : i64}
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: llvm.return
func.func @sole_store(%x: memref<64x256xf32>, %out: memref<64x256xf32>) {
  affine.parallel (%i) = (0) to (64) step (8) {
    %xv = memref.subview %x[%i, 0] [8, 256] [1, 1] : memref<64x256xf32> to memref<8x256xf32, strided<[256, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<8x256xf32, strided<[256, 1], offset: ?>> to tensor<8x256xf32>
    %e = tensor.empty() : tensor<8x256xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%xt : tensor<8x256xf32>) outs(%e : tensor<8x256xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.mulf %a, %a : f32
        linalg.yield %m : f32
    } -> tensor<8x256xf32>
    %ov = memref.subview %out[%i, 0] [8, 256] [1, 1] : memref<64x256xf32> to memref<8x256xf32, strided<[256, 1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x256xf32>, memref<8x256xf32, strided<[256, 1], offset: ?>>) -> ()
  }
  return
}

// -----

// A loop over the row's pieces storing each piece where the loop's index says: in place too.
// CHECK-LABEL: llvm.func @store_in_loop(
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: x f32 {alignment = 64 : i64}
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: llvm.return
func.func @store_in_loop(%x: memref<64x256xf32>, %out: memref<64x256xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  affine.parallel (%i) = (0) to (64) step (8) {
    scf.for %j = %c0 to %c256 step %c64 {
      %xv = memref.subview %x[%i, %j] [8, 64] [1, 1] : memref<64x256xf32> to memref<8x64xf32, strided<[256, 1], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<8x64xf32, strided<[256, 1], offset: ?>> to tensor<8x64xf32>
      %e = tensor.empty() : tensor<8x64xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
          ins(%xt : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
        ^bb0(%a: f32, %o: f32):
          %m = arith.mulf %a, %a : f32
          linalg.yield %m : f32
      } -> tensor<8x64xf32>
      %ov = memref.subview %out[%i, %j] [8, 64] [1, 1] : memref<64x256xf32> to memref<8x64xf32, strided<[256, 1], offset: ?>>
      bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x64xf32>, memref<8x64xf32, strided<[256, 1], offset: ?>>) -> ()
    }
  }
  return
}

// -----

// The store's tile is computed from the output's own tile, transposed (out[tile] = out[tile].T):
// computed in place, it would overwrite elements it has still to read. The store keeps its buffer.
// CHECK-LABEL: llvm.func @read_and_store(
// CHECK: llvm.alloca %{{.*}} x f32 {alignment = 64 : i64}
// CHECK: llvm.return
func.func @read_and_store(%out: memref<64x64xf32>) {
  affine.parallel (%i, %j) = (0, 0) to (64, 64) step (8, 8) {
    %ov = memref.subview %out[%i, %j] [8, 8] [1, 1] : memref<64x64xf32> to memref<8x8xf32, strided<[64, 1], offset: ?>>
    %before = bufferization.to_tensor %ov restrict : memref<8x8xf32, strided<[64, 1], offset: ?>> to tensor<8x8xf32>
    %e = tensor.empty() : tensor<8x8xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%before : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
      ^bb0(%a: f32, %o: f32):
        linalg.yield %a : f32
    } -> tensor<8x8xf32>
    %ov2 = memref.subview %out[%i, %j] [8, 8] [1, 1] : memref<64x64xf32> to memref<8x8xf32, strided<[64, 1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %ov2 : (tensor<8x8xf32>, memref<8x8xf32, strided<[64, 1], offset: ?>>) -> ()
  }
  return
}

// -----

// A store under a condition (a masked edge tile's): the tile is computed before the scf.if, and
// computed in place it would be written whether or not the store runs. It keeps its buffer.
// CHECK-LABEL: llvm.func @conditional_store(
// CHECK: llvm.alloca %{{.*}} x f32 {alignment = 64 : i64}
// CHECK: llvm.return
func.func @conditional_store(%x: memref<64x256xf32>, %out: memref<64x256xf32>, %n: index) {
  affine.parallel (%i) = (0) to (64) step (8) {
    %xv = memref.subview %x[%i, 0] [8, 256] [1, 1] : memref<64x256xf32> to memref<8x256xf32, strided<[256, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<8x256xf32, strided<[256, 1], offset: ?>> to tensor<8x256xf32>
    %e = tensor.empty() : tensor<8x256xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%xt : tensor<8x256xf32>) outs(%e : tensor<8x256xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.mulf %a, %a : f32
        linalg.yield %m : f32
    } -> tensor<8x256xf32>
    %inside = arith.cmpi ult, %i, %n : index
    scf.if %inside {
      %ov = memref.subview %out[%i, 0] [8, 256] [1, 1] : memref<64x256xf32> to memref<8x256xf32, strided<[256, 1], offset: ?>>
      bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x256xf32>, memref<8x256xf32, strided<[256, 1], offset: ?>>) -> ()
    }
  }
  return
}

// -----

// A store in a loop whose index the view does not depend on: the view could be hoisted above the
// loop, and a loop that never runs would still have the tile written. It keeps its buffer.
// CHECK-LABEL: llvm.func @loop_invariant_store(
// CHECK: llvm.alloca %{{.*}} x f32 {alignment = 64 : i64}
// CHECK: llvm.return
func.func @loop_invariant_store(%x: memref<64x256xf32>, %out: memref<64x256xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  affine.parallel (%i) = (0) to (64) step (8) {
    %xv = memref.subview %x[%i, 0] [8, 256] [1, 1] : memref<64x256xf32> to memref<8x256xf32, strided<[256, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<8x256xf32, strided<[256, 1], offset: ?>> to tensor<8x256xf32>
    %e = tensor.empty() : tensor<8x256xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%xt : tensor<8x256xf32>) outs(%e : tensor<8x256xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.mulf %a, %a : f32
        linalg.yield %m : f32
    } -> tensor<8x256xf32>
    %ov = memref.subview %out[%i, 0] [8, 256] [1, 1] : memref<64x256xf32> to memref<8x256xf32, strided<[256, 1], offset: ?>>
    scf.for %k = %c0 to %n step %c1 {
      bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x256xf32>, memref<8x256xf32, strided<[256, 1], offset: ?>>) -> ()
    }
  }
  return
}

// -----

// A looped reduction split into its whole chunks and its last one (lower/ops/Loops.c) stores into
// the output twice: in the loop over the whole chunks, then the last chunk in the grid body (the
// canonicalizer inlines its one-iteration loop). The second tile is computed after the loop, so
// both are computed in place, in program order: no buffer, no copy.
// CHECK-LABEL: llvm.func @split_row_stores(
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: x f32 {alignment = 64 : i64}
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: llvm.return
func.func @split_row_stores(%x: memref<64x232xf32>, %out: memref<64x232xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c192 = arith.constant 192 : index
  affine.parallel (%i) = (0) to (64) step (8) {
    scf.for %j = %c0 to %c192 step %c64 {
      %xv = memref.subview %x[%i, %j] [8, 64] [1, 1] : memref<64x232xf32> to memref<8x64xf32, strided<[232, 1], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<8x64xf32, strided<[232, 1], offset: ?>> to tensor<8x64xf32>
      %e = tensor.empty() : tensor<8x64xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
          ins(%xt : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
        ^bb0(%a: f32, %o: f32):
          %m = arith.mulf %a, %a : f32
          linalg.yield %m : f32
      } -> tensor<8x64xf32>
      %ov = memref.subview %out[%i, %j] [8, 64] [1, 1] : memref<64x232xf32> to memref<8x64xf32, strided<[232, 1], offset: ?>>
      bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x64xf32>, memref<8x64xf32, strided<[232, 1], offset: ?>>) -> ()
    }
    %xv = memref.subview %x[%i, 192] [8, 40] [1, 1] : memref<64x232xf32> to memref<8x40xf32, strided<[232, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<8x40xf32, strided<[232, 1], offset: ?>> to tensor<8x40xf32>
    %e = tensor.empty() : tensor<8x40xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%xt : tensor<8x40xf32>) outs(%e : tensor<8x40xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.mulf %a, %a : f32
        linalg.yield %m : f32
    } -> tensor<8x40xf32>
    %ov = memref.subview %out[%i, 192] [8, 40] [1, 1] : memref<64x232xf32> to memref<8x40xf32, strided<[232, 1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x40xf32>, memref<8x40xf32, strided<[232, 1], offset: ?>>) -> ()
  }
  return
}

// -----

// Two stores into one tensor whose second tile is computed before the first store's loop: computed
// in place, it would be written before the loop's stores, out of program order. The stores keep
// their buffers.
// CHECK-LABEL: llvm.func @store_computed_early(
// CHECK: llvm.alloca %{{.*}} x f32 {alignment = 64 : i64}
// CHECK: llvm.return
func.func @store_computed_early(%x: memref<64x232xf32>, %out: memref<64x232xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c192 = arith.constant 192 : index
  affine.parallel (%i) = (0) to (64) step (8) {
    %xl = memref.subview %x[%i, 192] [8, 40] [1, 1] : memref<64x232xf32> to memref<8x40xf32, strided<[232, 1], offset: ?>>
    %xlt = bufferization.to_tensor %xl restrict : memref<8x40xf32, strided<[232, 1], offset: ?>> to tensor<8x40xf32>
    %el = tensor.empty() : tensor<8x40xf32>
    %last = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%xlt : tensor<8x40xf32>) outs(%el : tensor<8x40xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.mulf %a, %a : f32
        linalg.yield %m : f32
    } -> tensor<8x40xf32>
    scf.for %j = %c0 to %c192 step %c64 {
      %xv = memref.subview %x[%i, %j] [8, 64] [1, 1] : memref<64x232xf32> to memref<8x64xf32, strided<[232, 1], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<8x64xf32, strided<[232, 1], offset: ?>> to tensor<8x64xf32>
      %e = tensor.empty() : tensor<8x64xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
          ins(%xt : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
        ^bb0(%a: f32, %o: f32):
          %m = arith.mulf %a, %a : f32
          linalg.yield %m : f32
      } -> tensor<8x64xf32>
      %ov = memref.subview %out[%i, %j] [8, 64] [1, 1] : memref<64x232xf32> to memref<8x64xf32, strided<[232, 1], offset: ?>>
      bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x64xf32>, memref<8x64xf32, strided<[232, 1], offset: ?>>) -> ()
    }
    %ov = memref.subview %out[%i, 192] [8, 40] [1, 1] : memref<64x232xf32> to memref<8x40xf32, strided<[232, 1], offset: ?>>
    bufferization.materialize_in_destination %last in restrict writable %ov : (tensor<8x40xf32>, memref<8x40xf32, strided<[232, 1], offset: ?>>) -> ()
  }
  return
}
