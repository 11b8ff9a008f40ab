#id = affine_map<(d0) -> (d0)>
func.func @matmul(%x: memref<100x70xf16>, %y: memref<70x50xf16>, %out: memref<100x50xf16>) attributes {llvm.emit_c_interface} {
  affine.parallel (%i, %j) = (0, 0) to (100, 50) step (32, 32) {
    %mi = affine.min affine_map<(d0) -> (32, 100 - d0)>(%i)
    %nj = affine.min affine_map<(d0) -> (32, 50 - d0)>(%j)
    %zero = arith.constant 0.0 : f32
    %zh = arith.constant 0.0 : f16
    %e = tensor.empty() : tensor<32x32xf32>
    %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
    %acc = affine.for %k = 0 to 70 step 16 iter_args(%a = %acc0) -> tensor<32x32xf32> {
      %kk = affine.min affine_map<(d0) -> (16, 70 - d0)>(%k)
      %xv = memref.subview %x[%i, %k][%mi, %kk][1, 1] : memref<100x70xf16> to memref<?x?xf16, strided<[70, 1], offset: ?>>
      %yv = memref.subview %y[%k, %j][%kk, %nj][1, 1] : memref<70x50xf16> to memref<?x?xf16, strided<[50, 1], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<?x?xf16, strided<[70, 1], offset: ?>> to tensor<?x?xf16>
      %yt = bufferization.to_tensor %yv restrict : memref<?x?xf16, strided<[50, 1], offset: ?>> to tensor<?x?xf16>
      %hm = affine.apply affine_map<(d0) -> (32 - d0)>(%mi)
      %hn = affine.apply affine_map<(d0) -> (32 - d0)>(%nj)
      %hk = affine.apply affine_map<(d0) -> (16 - d0)>(%kk)
      %xp = tensor.pad %xt low[0, 0] high[%hm, %hk] { ^bb0(%p: index, %q: index): tensor.yield %zh : f16 } : tensor<?x?xf16> to tensor<32x16xf16>
      %yp = tensor.pad %yt low[0, 0] high[%hk, %hn] { ^bb0(%p: index, %q: index): tensor.yield %zh : f16 } : tensor<?x?xf16> to tensor<16x32xf16>
      %m = linalg.matmul ins(%xp, %yp : tensor<32x16xf16>, tensor<16x32xf16>) outs(%a : tensor<32x32xf32>) -> tensor<32x32xf32>
      affine.yield %m : tensor<32x32xf32>
    }
    %eh = tensor.empty() : tensor<32x32xf16>
    %c = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%acc : tensor<32x32xf32>) outs(%eh : tensor<32x32xf16>) {
      ^bb0(%v: f32, %o: f16):
        %t = arith.truncf %v : f32 to f16
        linalg.yield %t : f16
    } -> tensor<32x32xf16>
    %ov = memref.subview %out[%i, %j][%mi, %nj][1, 1] : memref<100x50xf16> to memref<?x?xf16, strided<[50, 1], offset: ?>>
    %sl = tensor.extract_slice %c[0, 0][%mi, %nj][1, 1] : tensor<32x32xf16> to tensor<?x?xf16>
    bufferization.materialize_in_destination %sl in restrict writable %ov : (tensor<?x?xf16>, memref<?x?xf16, strided<[50, 1], offset: ?>>) -> ()
  }
  return
}
