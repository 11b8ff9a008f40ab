// A 2-D tile grid whose tile is one loop over its rows (helion-grid-rows, lib/run/GridRows.c): the
// grid's last dimension runs inside the tile's row loop, so that each grid row reads whole rows of
// its tensors one after another; the OpenMP loop keeps the other dimension. A grid with too few
// tiles left for the threads, or whose tile is more than one loop, keeps both. The numerics run on
// the JIT in test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// 32 x 8 tiles of 8 x 64: the row loop (8 rows), the loop over a row's 8 tiles, the 64 lanes.
// CHECK-LABEL: llvm.func @add_rows(
// CHECK-DAG: %[[EIGHT:.*]] = llvm.mlir.constant(8 : index) : i64
// CHECK-DAG: %[[WIDTH:.*]] = llvm.mlir.constant(512 : index) : i64
// CHECK: omp.loop_nest (%{{[^,]*}}) : i64 = (%{{.*}}) to (%{{.*}}) step (%[[EIGHT]]) {
// CHECK: llvm.icmp "slt" %{{.*}}, %[[EIGHT]] : i64
// CHECK: llvm.icmp "slt" %{{.*}}, %[[WIDTH]] : i64
// CHECK: llvm.fadd {{.*}} : vector<64xf32>
// CHECK: omp.yield
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @add_rows(%x: memref<256x512xf32>, %y: memref<256x512xf32>, %out: memref<256x512xf32>) {
  affine.parallel (%i, %j) = (0, 0) to (256, 512) step (8, 64) {
    %xv = memref.subview %x[%i, %j] [8, 64] [1, 1] : memref<256x512xf32> to memref<8x64xf32, strided<[512, 1], offset: ?>>
    %yv = memref.subview %y[%i, %j] [8, 64] [1, 1] : memref<256x512xf32> to memref<8x64xf32, strided<[512, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<8x64xf32, strided<[512, 1], offset: ?>> to tensor<8x64xf32>
    %yt = bufferization.to_tensor %yv restrict : memref<8x64xf32, strided<[512, 1], offset: ?>> to tensor<8x64xf32>
    %e = tensor.empty() : tensor<8x64xf32>
    %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%xt, %yt : tensor<8x64xf32>, tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %s = arith.addf %a, %b : f32
        linalg.yield %s : f32
    } -> tensor<8x64xf32>
    %ov = memref.subview %out[%i, %j] [8, 64] [1, 1] : memref<256x512xf32> to memref<8x64xf32, strided<[512, 1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x64xf32>, memref<8x64xf32, strided<[512, 1], offset: ?>>) -> ()
  }
  return
}

// -----

// 8 x 8 tiles: 8 grid rows are too few to share among the threads, the grid stays 2-D.
// CHECK-LABEL: llvm.func @few_grid_rows(
// CHECK: omp.loop_nest (%{{.*}}, %{{.*}}) : i64 = {{.*}} collapse(2)
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @few_grid_rows(%x: memref<64x512xf32>, %out: memref<64x512xf32>) {
  affine.parallel (%i, %j) = (0, 0) to (64, 512) step (8, 64) {
    %xv = memref.subview %x[%i, %j] [8, 64] [1, 1] : memref<64x512xf32> to memref<8x64xf32, strided<[512, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<8x64xf32, strided<[512, 1], offset: ?>> to tensor<8x64xf32>
    %e = tensor.empty() : tensor<8x64xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%xt : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
      ^bb0(%a: f32, %o: f32):
        %s = arith.mulf %a, %a : f32
        linalg.yield %s : f32
    } -> tensor<8x64xf32>
    %ov = memref.subview %out[%i, %j] [8, 64] [1, 1] : memref<64x512xf32> to memref<8x64xf32, strided<[512, 1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x64xf32>, memref<8x64xf32, strided<[512, 1], offset: ?>>) -> ()
  }
  return
}

// -----

// A tile reduced along its rows and then scaled by them is two loops: the grid stays 2-D.
// CHECK-LABEL: llvm.func @two_loops(
// CHECK: omp.loop_nest (%{{.*}}, %{{.*}}) : i64 = {{.*}} collapse(2)
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @two_loops(%x: memref<256x512xf32>, %out: memref<256x512xf32>) {
  affine.parallel (%i, %j) = (0, 0) to (256, 512) step (8, 64) {
    %xv = memref.subview %x[%i, %j] [8, 64] [1, 1] : memref<256x512xf32> to memref<8x64xf32, strided<[512, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<8x64xf32, strided<[512, 1], offset: ?>> to tensor<8x64xf32>
    %zero = arith.constant 0.0 : f32
    %se = tensor.empty() : tensor<8xf32>
    %sf = linalg.fill ins(%zero : f32) outs(%se : tensor<8xf32>) -> tensor<8xf32>
    %sum = linalg.reduce ins(%xt : tensor<8x64xf32>) outs(%sf : tensor<8xf32>) dimensions = [1]
      (%a: f32, %acc: f32) {
        %s = arith.addf %a, %acc : f32
        linalg.yield %s : f32
      }
    %e = tensor.empty() : tensor<8x64xf32>
    %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
        ins(%xt, %sum : tensor<8x64xf32>, tensor<8xf32>) outs(%e : tensor<8x64xf32>) {
      ^bb0(%a: f32, %s: f32, %o: f32):
        %m = arith.mulf %a, %s : f32
        linalg.yield %m : f32
    } -> tensor<8x64xf32>
    %ov = memref.subview %out[%i, %j] [8, 64] [1, 1] : memref<256x512xf32> to memref<8x64xf32, strided<[512, 1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<8x64xf32>, memref<8x64xf32, strided<[512, 1], offset: ?>>) -> ()
  }
  return
}
