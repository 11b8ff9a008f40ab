// An fp8 matmul into an f32 accumulator, as hl.dot on float8_e4m3fn tiles lowers to it.
func.func @matmul_f8(%x: memref<32x16xf8E4M3FN>, %y: memref<16x32xf8E4M3FN>, %out: memref<32x32xf32>) attributes {llvm.emit_c_interface} {
  %xt = bufferization.to_tensor %x restrict : memref<32x16xf8E4M3FN> to tensor<32x16xf8E4M3FN>
  %yt = bufferization.to_tensor %y restrict : memref<16x32xf8E4M3FN> to tensor<16x32xf8E4M3FN>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  %m = linalg.matmul ins(%xt, %yt : tensor<32x16xf8E4M3FN>, tensor<16x32xf8E4M3FN>) outs(%acc : tensor<32x32xf32>) -> tensor<32x32xf32>
  bufferization.materialize_in_destination %m in restrict writable %out : (tensor<32x32xf32>, memref<32x32xf32>) -> ()
  return
}
