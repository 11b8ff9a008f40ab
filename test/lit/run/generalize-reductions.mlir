// A tile computed only to be reduced (the squares of a looped reduction's chunk) is computed inside
// the reduction: helion-generalize-reductions makes the linalg.reduce a linalg.generic, which
// linalg-fuse-elementwise-ops fuses its producer into. The squares then never become a tile buffer
// written whole and read back; the chunk is read once, squared and summed a register at a time.
// A producer with another use stays a tile of its own (buffer-loop-hoisting.mlir). The numerics of
// the reductions fed by element-wise ops (layer norm, rms norm) run on the JIT in
// test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o %t 2>&1 | FileCheck %s

// CHECK-LABEL: After HelionGeneralizeReductions
// CHECK-NOT: linalg.reduce
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-LABEL: After LinalgElementwiseOpFusionPass
// CHECK: scf.for
// CHECK-NEXT: memref.subview
// CHECK-NEXT: bufferization.to_tensor
// CHECK-NEXT: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf {{.*}} fastmath<reassoc,contract>
// CHECK-LABEL: After OneShotBufferizePass
// CHECK-NOT: memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK-LABEL: After BufferLoopHoistingPass
func.func @sum_of_squares(%x: memref<64x256xf32>, %out: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  affine.parallel (%i) = (0) to (64) step (8) {
    %e = tensor.empty() : tensor<8xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    %sum = scf.for %k = %c0 to %c256 step %c64 iter_args(%acc = %init) -> tensor<8xf32> {
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
      scf.yield %r : tensor<8xf32>
    }
    %ov = memref.subview %out[%i] [8] [1] : memref<64xf32> to memref<8xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %sum in restrict writable %ov : (tensor<8xf32>, memref<8xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}
