// A tile temporary of a loop body (here the squares of a looped reduction's chunk, which two
// reductions read, so that neither computes them itself) is allocated once per grid iteration, before the chunk loop, and freed after it
// (buffer-loop-hoisting), instead of a malloc and a free per chunk. It stays inside the grid's
// parallel loop: that loop's iterations run on several threads at once. Looped reductions' numerics
// run on the JIT in test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o %t 2>&1 | FileCheck %s

// CHECK-LABEL: After BufferLoopHoistingPass
// CHECK: scf.parallel
// CHECK: memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c64
// CHECK-LABEL: After LowerDeallocationsPass
// CHECK: scf.parallel
// CHECK: memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c64
// CHECK-NOT: memref.dealloc
// CHECK: scf.if
// CHECK-NEXT: memref.dealloc
// CHECK: scf.reduce
// CHECK-LABEL: After Canonicalizer
func.func @chunked_squares(%x: memref<64x256xf32>, %out: memref<64xf32>, %peak: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  affine.parallel (%i) = (0) to (64) step (8) {
    %e = tensor.empty() : tensor<8xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    %sum, %max = scf.for %k = %c0 to %c256 step %c64 iter_args(%acc = %init, %macc = %init) -> (tensor<8xf32>, tensor<8xf32>) {
      %xv = memref.subview %x[%i, %k] [8, 64] [1, 1] : memref<64x256xf32> to memref<8x64xf32, strided<[256, 1], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<8x64xf32, strided<[256, 1], offset: ?>> to tensor<8x64xf32>
      %te = tensor.empty() : tensor<8x64xf32>
      %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%xt : tensor<8x64xf32>) outs(%te : tensor<8x64xf32>) {
      ^bb0(%a: f32, %b: f32):
        %m = arith.mulf %a, %a : f32
        linalg.yield %m : f32
      } -> tensor<8x64xf32>
      %r = linalg.reduce ins(%sq : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
        (%p: f32, %q: f32) {
          %t = arith.addf %p, %q : f32
          linalg.yield %t : f32
        }
      %mr = linalg.reduce ins(%sq : tensor<8x64xf32>) outs(%macc : tensor<8xf32>) dimensions = [1]
        (%p: f32, %q: f32) {
          %t = arith.maximumf %p, %q : f32
          linalg.yield %t : f32
        }
      scf.yield %r, %mr : tensor<8xf32>, tensor<8xf32>
    }
    %ov = memref.subview %out[%i] [8] [1] : memref<64xf32> to memref<8xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %sum in restrict writable %ov : (tensor<8xf32>, memref<8xf32, strided<[1], offset: ?>>) -> ()
    %pv = memref.subview %peak[%i] [8] [1] : memref<64xf32> to memref<8xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %max in restrict writable %pv : (tensor<8xf32>, memref<8xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}
