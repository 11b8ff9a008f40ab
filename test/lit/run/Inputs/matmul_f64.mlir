// matmul_f32.mlir's kernel in f64: 100x70 @ 70x50, 32x32x16 tiles.
#map = affine_map<(d0) -> (32, -d0 + 100)>
#map1 = affine_map<(d0) -> (32, -d0 + 50)>
#map2 = affine_map<(d0) -> (16, -d0 + 70)>
#map3 = affine_map<(d0) -> (-d0 + 32)>
#map4 = affine_map<(d0) -> (-d0 + 16)>
module {
  func.func @matmul(%arg0: memref<100x70xf64>, %arg1: memref<70x50xf64>, %arg2: memref<100x50xf64>) attributes {llvm.emit_c_interface} {
    %c32 = arith.constant 32 : index
    %c100 = arith.constant 100 : index
    %c50 = arith.constant 50 : index
    %c16 = arith.constant 16 : index
    %c70 = arith.constant 70 : index
    affine.parallel (%arg3, %arg4) = (0, 0) to (100, 50) step (32, 32) {
      %0 = affine.min #map(%arg3)
      %1 = affine.min #map1(%arg4)
      %2 = tensor.empty() : tensor<32x32xf64>
      %cst = arith.constant 0.000000e+00 : f64
      %3 = linalg.fill ins(%cst : f64) outs(%2 : tensor<32x32xf64>) -> tensor<32x32xf64>
      %4 = affine.for %arg5 = 0 to 70 step 16 iter_args(%arg6 = %3) -> (tensor<32x32xf64>) {
        %5 = affine.min #map2(%arg5)
        %subview_0 = memref.subview %arg0[%arg3, %arg5] [%0, %5] [1, 1] : memref<100x70xf64> to memref<?x?xf64, strided<[70, 1], offset: ?>>
        %6 = bufferization.to_tensor %subview_0 restrict : memref<?x?xf64, strided<[70, 1], offset: ?>> to tensor<?x?xf64>
        %7 = affine.apply #map3(%0)
        %8 = affine.apply #map4(%5)
        %padded = tensor.pad %6 low[0, 0] high[%7, %8] {
        ^bb0(%arg7: index, %arg8: index):
          %cst_3 = arith.constant 0.000000e+00 : f64
          tensor.yield %cst_3 : f64
        } : tensor<?x?xf64> to tensor<32x16xf64>
        %subview_1 = memref.subview %arg1[%arg5, %arg4] [%5, %1] [1, 1] : memref<70x50xf64> to memref<?x?xf64, strided<[50, 1], offset: ?>>
        %9 = bufferization.to_tensor %subview_1 restrict : memref<?x?xf64, strided<[50, 1], offset: ?>> to tensor<?x?xf64>
        %10 = affine.apply #map4(%5)
        %11 = affine.apply #map3(%1)
        %padded_2 = tensor.pad %9 low[0, 0] high[%10, %11] {
        ^bb0(%arg7: index, %arg8: index):
          %cst_3 = arith.constant 0.000000e+00 : f64
          tensor.yield %cst_3 : f64
        } : tensor<?x?xf64> to tensor<16x32xf64>
        %12 = linalg.matmul ins(%padded, %padded_2 : tensor<32x16xf64>, tensor<16x32xf64>) outs(%arg6 : tensor<32x32xf64>) -> tensor<32x32xf64>
        affine.yield %12 : tensor<32x32xf64>
      }
      %subview = memref.subview %arg2[%arg3, %arg4] [%0, %1] [1, 1] : memref<100x50xf64> to memref<?x?xf64, strided<[50, 1], offset: ?>>
      %extracted_slice = tensor.extract_slice %4[0, 0] [%0, %1] [1, 1] : tensor<32x32xf64> to tensor<?x?xf64>
      bufferization.materialize_in_destination %extracted_slice in restrict writable %subview : (tensor<?x?xf64>, memref<?x?xf64, strided<[50, 1], offset: ?>>) -> ()
    }
    return
  }
}
