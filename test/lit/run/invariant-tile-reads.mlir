// helion-invariant-tile-reads: a read of a tile temporary that every iteration of a loop repeats
// moves before the loop, and loop-invariant-code-motion then takes what is computed from it out
// too (@rms_rows: the row's rsqrt once per row, not once per 32 lanes). A read stays where the loop
// writes its buffer, where the loop may not run (dynamic bounds), where it reads a host tensor
// (@written_in_loop), and where the buffer is allocated outside the grid's parallel loop, shared
// by its threads (@shared_buffer). The numerics run on the JIT in test/python/test_run.py.
// @rms_rows' grid is 2-D (its columns one tile) so that its 4-row tile stays one: the 1-D grid's
// would run a row at a time (helion-split-rows), in registers, with no tile temporary to read.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o %t 2>&1 | FileCheck %s

// CHECK-LABEL: After HelionInvariantTileReads
// CHECK: func.func @rms_rows
// CHECK: scf.parallel
// CHECK: scf.for %[[ROW:.*]] = %c0 to %c4 step %c1 {
// CHECK-NEXT: vector.transfer_read %alloc[%[[ROW]]]
// CHECK: scf.for %{{.*}} = %c0 to %c256 step %c32 {
// CHECK-NOT: %alloc
// CHECK: math.rsqrt
// CHECK: func.func @written_in_loop
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 {
// CHECK-NEXT: memref.load %alloc[%c0]
// CHECK: memref.store %{{.*}}, %alloc[%c0]
// CHECK-NEXT: memref.load %arg0[%c0]
// CHECK: scf.for %{{.*}} = %c0 to %arg2 step %c1 {
// CHECK-NEXT: memref.load %alloc_{{[0-9]+}}[%c0]
// CHECK: func.func @shared_buffer
// CHECK: scf.parallel
// CHECK-NEXT: scf.for
// CHECK-NEXT: memref.load
// CHECK-LABEL: After LoopInvariantCodeMotion
// CHECK: func.func @rms_rows
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK: math.rsqrt
// CHECK: scf.for %{{.*}} = %c0 to %c256 step %c32 {
// CHECK-NOT: math.rsqrt
// CHECK: func.func @written_in_loop
func.func @rms_rows(%x: memref<64x256xf32>, %out: memref<64x256xf32>) {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 256.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  affine.parallel (%i, %j) = (0, 0) to (64, 256) step (4, 256) {
    %xv = memref.subview %x[%i, %j] [4, 256] [1, 1] : memref<64x256xf32> to memref<4x256xf32, strided<[256, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<4x256xf32, strided<[256, 1], offset: ?>> to tensor<4x256xf32>
    %e = tensor.empty() : tensor<4xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %sq = linalg.reduce ins(%xt : tensor<4x256xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
      (%a: f32, %acc: f32) {
        %m = arith.mulf %a, %a : f32
        %t = arith.addf %m, %acc : f32
        linalg.yield %t : f32
      }
    %oe = tensor.empty() : tensor<4x256xf32>
    %norm = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%xt, %sq : tensor<4x256xf32>, tensor<4xf32>) outs(%oe : tensor<4x256xf32>) {
    ^bb0(%a: f32, %s: f32, %o: f32):
      %mean = arith.divf %s, %n : f32
      %v = arith.addf %mean, %eps : f32
      %r = math.rsqrt %v : f32
      %y = arith.mulf %a, %r : f32
      linalg.yield %y : f32
    } -> tensor<4x256xf32>
    %ov = memref.subview %out[%i, %j] [4, 256] [1, 1] : memref<64x256xf32> to memref<4x256xf32, strided<[256, 1], offset: ?>>
    bufferization.materialize_in_destination %norm in restrict writable %ov : (tensor<4x256xf32>, memref<4x256xf32, strided<[256, 1], offset: ?>>) -> ()
  }
  return
}

func.func @written_in_loop(%in: memref<8xf32>, %out: memref<8xf32>, %n: index) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %buf = memref.alloc() : memref<1xf32>
  memref.store %zero, %buf[%c0] : memref<1xf32>
  scf.for %j = %c0 to %c8 step %c1 {
    %v = memref.load %buf[%c0] : memref<1xf32>
    %w = arith.addf %v, %one : f32
    memref.store %w, %buf[%c0] : memref<1xf32>
    %h = memref.load %in[%c0] : memref<8xf32>
    %s = arith.addf %v, %h : f32
    memref.store %s, %out[%j] : memref<8xf32>
  }
  %fixed = memref.alloc() : memref<1xf32>
  memref.store %one, %fixed[%c0] : memref<1xf32>
  scf.for %j = %c0 to %n step %c1 {
    %v = memref.load %fixed[%c0] : memref<1xf32>
    memref.store %v, %out[%j] : memref<8xf32>
  }
  return
}

func.func @shared_buffer(%out: memref<8x8xf32>) {
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %buf = memref.alloc() : memref<1xf32>
  memref.store %one, %buf[%c0] : memref<1xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    scf.for %j = %c0 to %c8 step %c1 {
      %v = memref.load %buf[%c0] : memref<1xf32>
      memref.store %v, %out[%i, %j] : memref<8x8xf32>
    }
    scf.reduce
  }
  return
}
