func.func @add(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) attributes {llvm.emit_c_interface} {
  affine.parallel (%i) = (0) to (1000) step (64) {
    %sz = affine.min affine_map<(d0) -> (64, 1000 - d0)>(%i)
    %xv = memref.subview %x[%i][%sz][1] : memref<1000xf32> to memref<?xf32, strided<[1], offset: ?>>
    %yv = memref.subview %y[%i][%sz][1] : memref<1000xf32> to memref<?xf32, strided<[1], offset: ?>>
    %ov = memref.subview %out[%i][%sz][1] : memref<1000xf32> to memref<?xf32, strided<[1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<?xf32, strided<[1], offset: ?>> to tensor<?xf32>
    %yt = bufferization.to_tensor %yv restrict : memref<?xf32, strided<[1], offset: ?>> to tensor<?xf32>
    %h = affine.apply affine_map<(d0) -> (64 - d0)>(%sz)
    %cst = arith.constant 0.0 : f32
    %xp = tensor.pad %xt low[0] high[%h] { ^bb0(%a: index): tensor.yield %cst : f32 } : tensor<?xf32> to tensor<64xf32>
    %yp = tensor.pad %yt low[0] high[%h] { ^bb0(%a: index): tensor.yield %cst : f32 } : tensor<?xf32> to tensor<64xf32>
    %e = tensor.empty() : tensor<64xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%xp, %yp : tensor<64xf32>, tensor<64xf32>) outs(%e : tensor<64xf32>) {
      ^bb0(%a: f32, %b: f32, %c: f32):
        %s = arith.addf %a, %b : f32
        linalg.yield %s : f32
    } -> tensor<64xf32>
    %s = tensor.extract_slice %r[0][%sz][1] : tensor<64xf32> to tensor<?xf32>
    bufferization.materialize_in_destination %s in restrict writable %ov : (tensor<?xf32>, memref<?xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}
