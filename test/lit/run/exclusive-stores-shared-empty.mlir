// One tensor.empty as the destination of two loops' tiles (cse merges the empties of the tensor
// code across the loops of a grid body: a looped layer norm's masked chunk and its stored chunk).
// The store's destination chain ends at that empty, whose other use the elimination leaves alone:
// the store keeps `restrict` (helion-exclusive-stores), and the stored chunk is computed in the
// output's view, with no tile buffer and no copy out of one. The other loop's tile keeps a buffer
// of its own. The numerics of the looped layer norm run on the JIT in test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o %t 2>&1 | FileCheck %s

// CHECK-LABEL: After HelionExclusiveStores
// CHECK: materialize_in_destination %{{.*}} in restrict writable %{{.*}} : (tensor<4xf32>
// CHECK: materialize_in_destination %{{.*}} in restrict writable %{{.*}} : (tensor<4x256xf32>
// CHECK-LABEL: After ExpandReallocPass
// CHECK-LABEL: After Canonicalizer
// CHECK: memref.alloc() {{.*}} : memref<4x256xf32>
// CHECK-NOT: memref.copy {{.*}} : memref<4x256xf32
// CHECK-LABEL: After OwnershipBasedBufferDeallocationPass
func.func @shared_empty(%x: memref<64x512xf32>, %sums: memref<64xf32>, %out: memref<64x512xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %e = tensor.empty() : tensor<4x256xf32>
    %es = tensor.empty() : tensor<4xf32>
    %init = linalg.fill ins(%zero : f32) outs(%es : tensor<4xf32>) -> tensor<4xf32>
    %s = affine.for %j = 0 to 512 step 256 iter_args(%acc = %init) -> (tensor<4xf32>) {
      %xv = memref.subview %x[%i, %j] [4, 256] [1, 1] : memref<64x512xf32> to memref<4x256xf32, strided<[512, 1], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<4x256xf32, strided<[512, 1], offset: ?>> to tensor<4x256xf32>
      %sq = linalg.mul ins(%xt, %xt : tensor<4x256xf32>, tensor<4x256xf32>) outs(%e : tensor<4x256xf32>) -> tensor<4x256xf32>
      %r = linalg.reduce ins(%sq : tensor<4x256xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
        (%a: f32, %b: f32) {
          %t = arith.addf %a, %b : f32
          linalg.yield %t : f32
        }
      affine.yield %r : tensor<4xf32>
    }
    %sv = memref.subview %sums[%i] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %s in restrict writable %sv : (tensor<4xf32>, memref<4xf32, strided<[1], offset: ?>>) -> ()
    affine.for %j = 0 to 512 step 256 {
      %xv = memref.subview %x[%i, %j] [4, 256] [1, 1] : memref<64x512xf32> to memref<4x256xf32, strided<[512, 1], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<4x256xf32, strided<[512, 1], offset: ?>> to tensor<4x256xf32>
      %y = linalg.add ins(%xt, %xt : tensor<4x256xf32>, tensor<4x256xf32>) outs(%e : tensor<4x256xf32>) -> tensor<4x256xf32>
      %ov = memref.subview %out[%i, %j] [4, 256] [1, 1] : memref<64x512xf32> to memref<4x256xf32, strided<[512, 1], offset: ?>>
      bufferization.materialize_in_destination %y in restrict writable %ov : (tensor<4x256xf32>, memref<4x256xf32, strided<[512, 1], offset: ?>>) -> ()
    }
  }
  return
}
