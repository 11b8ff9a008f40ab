// helion-in-place-elementwise (lib/run/InPlaceElementwise.c): an element-wise op whose input is a
// fresh tile temporary it reads last writes its result over that temporary; eliminate-empty-tensors
// then computes the temporary in the stored view. Checked on the IR after the pass and on the
// buffers the pipeline allocates. The numerics run on the JIT in test/python/test_run.py. Their
// 4-row tiles run a row at a time (helion-split-rows), so the checks see tensors of one row.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %helion-opt --helion-lower-to-llvm %s | FileCheck %s --check-prefix=BUFFERS

#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#whole = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#reduced = affine_map<(d0, d1, d2) -> (d0, d1)>

// A softmax's division: its exp is read by the sum and then by the division, which writes over it
// and reads it through its output argument.
// CHECK-LABEL: IR Dump After HelionInPlaceElementwise
// CHECK: func.func @softmax(
// CHECK: %[[EXP:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<1x1000xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[EXP]], %{{.+}} : tensor<1x1000xf32>, tensor<1x1xf32>) outs(%[[EXP]] : tensor<1x1000xf32>)
// CHECK-NEXT: ^bb0(%{{.+}}: f32, %[[SUM:.+]]: f32, %[[OUT:.+]]: f32):
// CHECK-NEXT: arith.divf %[[OUT]], %[[SUM]]
// The exp is computed in the output's view: the one buffer left is the row sums', one per thread
// (helion-thread-buffers).
// BUFFERS-LABEL: llvm.func @softmax(
// BUFFERS-COUNT-1: x f32 {alignment = 64 : i64}
// BUFFERS-NOT: x f32 {alignment = 64 : i64}
// BUFFERS-NOT: llvm.call @malloc
// BUFFERS: llvm.return
func.func @softmax(%x: memref<64x1000xf32>, %out: memref<64x1000xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %xv = memref.subview %x[%i, 0] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    %rows = bufferization.to_tensor %xv restrict : memref<4x1000xf32, strided<[1000, 1], offset: ?>> to tensor<4x1000xf32>
    %empty = tensor.empty() : tensor<4x1000xf32>
    %exp = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%rows : tensor<4x1000xf32>) outs(%empty : tensor<4x1000xf32>) {
    ^bb0(%in: f32, %o: f32):
      %e = math.exp %in : f32
      linalg.yield %e : f32
    } -> tensor<4x1000xf32>
    %sums0 = tensor.empty() : tensor<4x1xf32>
    %sums1 = linalg.fill ins(%zero : f32) outs(%sums0 : tensor<4x1xf32>) -> tensor<4x1xf32>
    %exp3 = tensor.expand_shape %exp [[0, 1], [2]] output_shape [4, 1, 1000] : tensor<4x1000xf32> into tensor<4x1x1000xf32>
    %sums = linalg.generic {indexing_maps = [#whole, #reduced], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp3 : tensor<4x1x1000xf32>) outs(%sums1 : tensor<4x1xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    %q = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%exp, %sums : tensor<4x1000xf32>, tensor<4x1xf32>) outs(%empty : tensor<4x1000xf32>) {
    ^bb0(%in: f32, %s: f32, %o: f32):
      %d = arith.divf %in, %s : f32
      linalg.yield %d : f32
    } -> tensor<4x1000xf32>
    %ov = memref.subview %out[%i, 0] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    bufferization.materialize_in_destination %q in restrict writable %ov : (tensor<4x1000xf32>, memref<4x1000xf32, strided<[1000, 1], offset: ?>>) -> ()
  }
  return
}

// Left as they are: a loaded tile (its buffer is the host tensor's), and a temporary read again
// after the op (a sum of it after the division).
// CHECK: func.func @left_alone(
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<1x1000xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<1x1000xf32>) outs(%[[EMPTY]] : tensor<1x1000xf32>)
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<1x1000xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: arith.divf %[[IN]],
// CHECK: IR Dump After
func.func @left_alone(%x: memref<64x1000xf32>, %out: memref<64x1000xf32>, %total: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %xv = memref.subview %x[%i, 0] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    %rows = bufferization.to_tensor %xv restrict : memref<4x1000xf32, strided<[1000, 1], offset: ?>> to tensor<4x1000xf32>
    %empty = tensor.empty() : tensor<4x1000xf32>
    %twice = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%rows : tensor<4x1000xf32>) outs(%empty : tensor<4x1000xf32>) {
    ^bb0(%in: f32, %o: f32):
      %t = arith.mulf %in, %in : f32
      linalg.yield %t : f32
    } -> tensor<4x1000xf32>
    %maxes0 = tensor.empty() : tensor<4x1xf32>
    %maxes = linalg.fill ins(%zero : f32) outs(%maxes0 : tensor<4x1xf32>) -> tensor<4x1xf32>
    %q = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%twice, %maxes : tensor<4x1000xf32>, tensor<4x1xf32>) outs(%empty : tensor<4x1000xf32>) {
    ^bb0(%in: f32, %s: f32, %o: f32):
      %d = arith.divf %in, %s : f32
      linalg.yield %d : f32
    } -> tensor<4x1000xf32>
    %ov = memref.subview %out[%i, 0] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    bufferization.materialize_in_destination %q in restrict writable %ov : (tensor<4x1000xf32>, memref<4x1000xf32, strided<[1000, 1], offset: ?>>) -> ()
    %twice3 = tensor.expand_shape %twice [[0, 1], [2]] output_shape [4, 1, 1000] : tensor<4x1000xf32> into tensor<4x1x1000xf32>
    %t0 = tensor.empty() : tensor<4x1xf32>
    %t1 = linalg.fill ins(%zero : f32) outs(%t0 : tensor<4x1xf32>) -> tensor<4x1xf32>
    %sums = linalg.generic {indexing_maps = [#whole, #reduced], iterator_types = ["parallel", "parallel", "reduction"]} ins(%twice3 : tensor<4x1x1000xf32>) outs(%t1 : tensor<4x1xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    %flat = tensor.collapse_shape %sums [[0, 1]] : tensor<4x1xf32> into tensor<4xf32>
    %tv = memref.subview %total[%i] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %flat in restrict writable %tv : (tensor<4xf32>, memref<4xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}
