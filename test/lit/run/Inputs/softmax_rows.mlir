func.func @softmax(%x: memref<100x70xf32>, %out: memref<100x70xf32>) attributes {llvm.emit_c_interface} {
  affine.parallel (%i) = (0) to (100) step (16) {
    %sz = affine.min affine_map<(d0) -> (16, 100 - d0)>(%i)
    %xv = memref.subview %x[%i, 0][%sz, 70][1, 1] : memref<100x70xf32> to memref<?x70xf32, strided<[70, 1], offset: ?>>
    %ov = memref.subview %out[%i, 0][%sz, 70][1, 1] : memref<100x70xf32> to memref<?x70xf32, strided<[70, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<?x70xf32, strided<[70, 1], offset: ?>> to tensor<?x70xf32>
    %h = affine.apply affine_map<(d0) -> (16 - d0)>(%sz)
    %zero = arith.constant 0.0 : f32
    %ninf = arith.constant 0xFF800000 : f32
    %xp = tensor.pad %xt low[0, 0] high[%h, 0] { ^bb0(%a: index, %b: index): tensor.yield %zero : f32 } : tensor<?x70xf32> to tensor<16x70xf32>
    %e1 = tensor.empty() : tensor<16xf32>
    %m0 = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<16xf32>) -> tensor<16xf32>
    %m = linalg.reduce ins(%xp : tensor<16x70xf32>) outs(%m0 : tensor<16xf32>) dimensions = [1]
      (%in: f32, %acc: f32) {
        %v = arith.maximumf %in, %acc : f32
        linalg.yield %v : f32
      }
    %e2 = tensor.empty() : tensor<16x70xf32>
    %ex = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%xp, %m : tensor<16x70xf32>, tensor<16xf32>) outs(%e2 : tensor<16x70xf32>) {
      ^bb0(%a: f32, %b: f32, %c: f32):
        %d = arith.subf %a, %b : f32
        %x2 = math.exp %d : f32
        linalg.yield %x2 : f32
    } -> tensor<16x70xf32>
    %s0 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16xf32>) -> tensor<16xf32>
    %s = linalg.reduce ins(%ex : tensor<16x70xf32>) outs(%s0 : tensor<16xf32>) dimensions = [1]
      (%in: f32, %acc: f32) {
        %v = arith.addf %in, %acc : f32
        linalg.yield %v : f32
      }
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%ex, %s : tensor<16x70xf32>, tensor<16xf32>) outs(%e2 : tensor<16x70xf32>) {
      ^bb0(%a: f32, %b: f32, %c: f32):
        %d = arith.divf %a, %b : f32
        linalg.yield %d : f32
    } -> tensor<16x70xf32>
    %sl = tensor.extract_slice %r[0, 0][%sz, 70][1, 1] : tensor<16x70xf32> to tensor<?x70xf32>
    bufferization.materialize_in_destination %sl in restrict writable %ov : (tensor<?x70xf32>, memref<?x70xf32, strided<[70, 1], offset: ?>>) -> ()
  }
  return
}
