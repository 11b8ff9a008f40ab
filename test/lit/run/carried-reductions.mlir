// helion-carried-reductions (lib/run/CarriedReductions.c): a chunk's reduction started from the
// combiner's identity and then combined with the carried accumulator reduces into the accumulator
// itself, so the loop reduces in place, no tile a chunk. Checked on the IR after the pass; the
// numerics run on the JIT in test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o /dev/null 2>&1 | FileCheck %s

#whole = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#reduced = affine_map<(d0, d1, d2) -> (d0, d1)>
#map = affine_map<(d0, d1) -> (d0, d1)>

// A looped sum whose combiner may be reassociated, and a looped max (exact in any order): each
// chunk's reduction takes the loop's accumulator as its output, the combines are gone.
// CHECK-LABEL: IR Dump After HelionCarriedReductions
// CHECK: func.func @looped(
// CHECK: scf.for %{{.+}} iter_args(%[[SUM:.+]] = %{{.+}}) -> (tensor<4x1xf32>)
// CHECK: %[[NEXT:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<4x1x250xf32>) outs(%[[SUM]] : tensor<4x1xf32>)
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: scf.yield %[[NEXT]]
// CHECK: scf.for %{{.+}} iter_args(%[[MAX:.+]] = %{{.+}}) -> (tensor<4x1xf32>)
// CHECK: %[[TOP:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<4x1x250xf32>) outs(%[[MAX]] : tensor<4x1xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: scf.yield %[[TOP]]
// Left as they are: a max started from 0 (not its identity), and a sum whose order is fixed (no
// reassoc): the chunk is reduced from its fill and combined after.
// CHECK: scf.for
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.maximumf
// CHECK: scf.for
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.addf
// CHECK: IR Dump After
func.func @looped(%x: memref<4x1000xf32>, %out: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c250 = arith.constant 250 : index
  %c1000 = arith.constant 1000 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4x1xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x1xf32>) -> tensor<4x1xf32>
  %n = linalg.fill ins(%ninf : f32) outs(%e : tensor<4x1xf32>) -> tensor<4x1xf32>
  %sum = scf.for %k = %c0 to %c1000 step %c250 iter_args(%acc = %z) -> (tensor<4x1xf32>) {
    %v = memref.subview %x[0, %k] [4, 250] [1, 1] : memref<4x1000xf32> to memref<4x250xf32, strided<[1000, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x250xf32, strided<[1000, 1], offset: ?>> to tensor<4x250xf32>
    %t3 = tensor.expand_shape %t [[0, 1], [2]] output_shape [4, 1, 250] : tensor<4x250xf32> into tensor<4x1x250xf32>
    %part = linalg.generic {indexing_maps = [#whole, #reduced], iterator_types = ["parallel", "parallel", "reduction"]} ins(%t3 : tensor<4x1x250xf32>) outs(%z : tensor<4x1xf32>) {
    ^bb0(%in: f32, %o: f32):
      %s = arith.addf %in, %o fastmath<reassoc,contract> : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    %next = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%acc, %part : tensor<4x1xf32>, tensor<4x1xf32>) outs(%e : tensor<4x1xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    scf.yield %next : tensor<4x1xf32>
  }
  %max = scf.for %k = %c0 to %c1000 step %c250 iter_args(%acc = %n) -> (tensor<4x1xf32>) {
    %v = memref.subview %x[0, %k] [4, 250] [1, 1] : memref<4x1000xf32> to memref<4x250xf32, strided<[1000, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x250xf32, strided<[1000, 1], offset: ?>> to tensor<4x250xf32>
    %t3 = tensor.expand_shape %t [[0, 1], [2]] output_shape [4, 1, 250] : tensor<4x250xf32> into tensor<4x1x250xf32>
    %part = linalg.generic {indexing_maps = [#whole, #reduced], iterator_types = ["parallel", "parallel", "reduction"]} ins(%t3 : tensor<4x1x250xf32>) outs(%n : tensor<4x1xf32>) {
    ^bb0(%in: f32, %o: f32):
      %s = arith.maximumf %in, %o : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    %next = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%part, %acc : tensor<4x1xf32>, tensor<4x1xf32>) outs(%e : tensor<4x1xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.maximumf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    scf.yield %next : tensor<4x1xf32>
  }
  %zmax = scf.for %k = %c0 to %c1000 step %c250 iter_args(%acc = %n) -> (tensor<4x1xf32>) {
    %v = memref.subview %x[0, %k] [4, 250] [1, 1] : memref<4x1000xf32> to memref<4x250xf32, strided<[1000, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x250xf32, strided<[1000, 1], offset: ?>> to tensor<4x250xf32>
    %t3 = tensor.expand_shape %t [[0, 1], [2]] output_shape [4, 1, 250] : tensor<4x250xf32> into tensor<4x1x250xf32>
    %zf = linalg.fill ins(%zero : f32) outs(%e : tensor<4x1xf32>) -> tensor<4x1xf32>
    %part = linalg.generic {indexing_maps = [#whole, #reduced], iterator_types = ["parallel", "parallel", "reduction"]} ins(%t3 : tensor<4x1x250xf32>) outs(%zf : tensor<4x1xf32>) {
    ^bb0(%in: f32, %o: f32):
      %s = arith.maximumf %in, %o : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    %next = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%acc, %part : tensor<4x1xf32>, tensor<4x1xf32>) outs(%e : tensor<4x1xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.maximumf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    scf.yield %next : tensor<4x1xf32>
  }
  %ordered = scf.for %k = %c0 to %c1000 step %c250 iter_args(%acc = %z) -> (tensor<4x1xf32>) {
    %v = memref.subview %x[0, %k] [4, 250] [1, 1] : memref<4x1000xf32> to memref<4x250xf32, strided<[1000, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x250xf32, strided<[1000, 1], offset: ?>> to tensor<4x250xf32>
    %t3 = tensor.expand_shape %t [[0, 1], [2]] output_shape [4, 1, 250] : tensor<4x250xf32> into tensor<4x1x250xf32>
    %part = linalg.generic {indexing_maps = [#whole, #reduced], iterator_types = ["parallel", "parallel", "reduction"]} ins(%t3 : tensor<4x1x250xf32>) outs(%z : tensor<4x1xf32>) {
    ^bb0(%in: f32, %o: f32):
      %s = arith.addf %in, %o : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    %next = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%acc, %part : tensor<4x1xf32>, tensor<4x1xf32>) outs(%e : tensor<4x1xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<4x1xf32>
    scf.yield %next : tensor<4x1xf32>
  }
  %all = tensor.concat dim(1) %sum, %max, %zmax, %ordered : (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x4xf32>
  bufferization.materialize_in_destination %all in restrict writable %out : (tensor<4x4xf32>, memref<4x4xf32>) -> ()
  return
}
