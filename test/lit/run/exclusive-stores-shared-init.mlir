// Two sums from one zero-filled tile (cse merges the fills of the tensor code) into two outputs
// (helion-exclusive-stores). Computed in place, the fill would be both stores' destination: the
// bufferization put the second sum in the first output's view, which the first store then
// overwrote before the second store copied it out (layer norm's rstd stored as its mean). Neither
// store keeps `restrict`; each sum is copied out of a buffer of its own. The numerics run on the
// JIT in test/python/test_run.py. The grid is 2-D (a tile over both dimensions, the columns in
// one) so that helion-split-rows keeps the 8-row tile: one-row tiles vectorize whole.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o %t 2>&1 | FileCheck %s

// CHECK-LABEL: After HelionExclusiveStores
// CHECK: materialize_in_destination %{{.*}} in writable
// CHECK: materialize_in_destination %{{.*}} in writable
// CHECK-LABEL: After OneShotBufferizePass
// CHECK-NOT: iter_args(%{{.*}} = %subview
// CHECK: memref.copy %{{[0-9]+}}, %subview
// CHECK: memref.copy %{{[0-9]+}}, %subview
// CHECK-LABEL: After ExpandReallocPass
func.func @shared_zero_tile(%x: memref<64x256xf32>, %sums: memref<64xf32>, %squares: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i, %j) = (0, 0) to (64, 256) step (8, 256) {
    %xv = memref.subview %x[%i, %j] [8, 256] [1, 1] : memref<64x256xf32> to memref<8x256xf32, strided<[256, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<8x256xf32, strided<[256, 1], offset: ?>> to tensor<8x256xf32>
    %e = tensor.empty() : tensor<8xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    %s = linalg.reduce ins(%xt : tensor<8x256xf32>) outs(%init : tensor<8xf32>) dimensions = [1]
      (%a: f32, %acc: f32) {
        %t = arith.addf %a, %acc : f32
        linalg.yield %t : f32
      }
    %q = linalg.reduce ins(%xt : tensor<8x256xf32>) outs(%init : tensor<8xf32>) dimensions = [1]
      (%a: f32, %acc: f32) {
        %m = arith.mulf %a, %a : f32
        %t = arith.addf %m, %acc : f32
        linalg.yield %t : f32
      }
    %sv = memref.subview %sums[%i] [8] [1] : memref<64xf32> to memref<8xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %s in restrict writable %sv : (tensor<8xf32>, memref<8xf32, strided<[1], offset: ?>>) -> ()
    %qv = memref.subview %squares[%i] [8] [1] : memref<64xf32> to memref<8xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %q in restrict writable %qv : (tensor<8xf32>, memref<8xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}
