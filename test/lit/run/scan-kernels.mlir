// A row scan as lib/lower emits it (examples/scan.py cumsum_rows): the output tile starts as zeros
// holding the first column, so the scan stored whole is computed in the output's view: no tile
// buffer (malloc), no copy of the input in and of the result out (memrefCopy). The numerics run on
// the JIT in test/python (test_examples: scan.cumsum_rows).
// RUN: %helion-opt --helion-lower-to-llvm %s | FileCheck %s

// CHECK-LABEL: llvm.func @cumsum_rows(
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: llvm.return
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @cumsum_rows(%x: memref<16x100xf32>, %out: memref<16x100xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c100 = arith.constant 100 : index
  %zero = arith.constant 0.000000e+00 : f32
  affine.parallel (%i) = (0) to (16) step (4) {
    %xv = memref.subview %x[%i, 0] [4, 100] [1, 1] : memref<16x100xf32> to memref<4x100xf32, strided<[100, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<4x100xf32, strided<[100, 1], offset: ?>> to tensor<4x100xf32>
    %first = tensor.extract_slice %xt[0, 0] [4, 1] [1, 1] : tensor<4x100xf32> to tensor<4x1xf32>
    %e = tensor.empty() : tensor<4x100xf32>
    %zeros = linalg.fill ins(%zero : f32) outs(%e : tensor<4x100xf32>) -> tensor<4x100xf32>
    %start = tensor.insert_slice %first into %zeros[0, 0] [4, 1] [1, 1] : tensor<4x1xf32> into tensor<4x100xf32>
    %r:2 = scf.for %k = %c1 to %c100 step %c1 iter_args(%acc = %first, %o = %start) -> (tensor<4x1xf32>, tensor<4x100xf32>) {
      %col = tensor.extract_slice %xt[0, %k] [4, 1] [1, 1] : tensor<4x100xf32> to tensor<4x1xf32>
      %ce = tensor.empty() : tensor<4x1xf32>
      %sum = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
          ins(%acc, %col : tensor<4x1xf32>, tensor<4x1xf32>) outs(%ce : tensor<4x1xf32>) {
        ^bb0(%a: f32, %b: f32, %c: f32):
          %s = arith.addf %a, %b : f32
          linalg.yield %s : f32
      } -> tensor<4x1xf32>
      %next = tensor.insert_slice %sum into %o[0, %k] [4, 1] [1, 1] : tensor<4x1xf32> into tensor<4x100xf32>
      scf.yield %sum, %next : tensor<4x1xf32>, tensor<4x100xf32>
    }
    %ov = memref.subview %out[%i, 0] [4, 100] [1, 1] : memref<16x100xf32> to memref<4x100xf32, strided<[100, 1], offset: ?>>
    bufferization.materialize_in_destination %r#1 in restrict writable %ov : (tensor<4x100xf32>, memref<4x100xf32, strided<[100, 1], offset: ?>>) -> ()
  }
  return
}
