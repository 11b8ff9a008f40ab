// A tile of several rows whose body loops over chunks of them, or whose 1-D grid's tile is whole
// rows, runs as one tile a row (helion-split-rows, lib/run/SplitRows.c): the body moves into a
// loop over the tile's rows, on tensors of one row, its views at the grid index plus the row's. A
// body that could see the other rows keeps its tile: a reduction over the rows, the grid index used
// as a value, a host tensor written at the rows and read elsewhere, a contraction, tiles that do
// not divide the grid; so does a 2-D grid's tile without a loop (helion-grid-rows orders those
// rows). Checked on the IR after the pass; the numerics on the JIT in
// test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o /dev/null 2>&1 | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0, 0)>

// CHECK-LABEL: IR Dump After HelionSplitRows

// Row sums in chunks of 256, then each chunk scaled by its row's sum.
// CHECK-LABEL: func.func @row_chunks(
// CHECK: affine.parallel (%[[I:.+]]) = (0) to (64) step (4) {
// CHECK-NEXT: affine.for %[[R:.+]] = 0 to 4 {
// CHECK-NEXT: %[[ROW:.+]] = affine.apply #{{.+}}(%[[I]], %[[R]])
// CHECK: linalg.fill {{.*}} -> tensor<1xf32>
// CHECK: affine.for
// CHECK: memref.subview %arg0[%[[ROW]], %{{.+}}] [1, 256] [1, 1] : memref<64x1024xf32> to memref<1x256xf32
// CHECK: linalg.reduce ins(%{{.+}} : tensor<1x256xf32>) outs(%{{.+}} : tensor<1xf32>) dimensions = [1]
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [1, 1] : tensor<1xf32> into tensor<1x1xf32>
// CHECK: affine.for
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x256xf32>, tensor<1x1xf32>) outs(%{{.+}} : tensor<1x256xf32>)
// CHECK: memref.subview %arg1[%[[ROW]], %{{.+}}] [1, 256] [1, 1]
// CHECK: bufferization.materialize_in_destination {{.*}} : (tensor<1x256xf32>, memref<1x256xf32
func.func @row_chunks(%x: memref<64x1024xf32>, %out: memref<64x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %e = tensor.empty() : tensor<4xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %sum = affine.for %k = 0 to 1024 step 256 iter_args(%acc = %z) -> (tensor<4xf32>) {
      %v = memref.subview %x[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
      %r = linalg.reduce ins(%t : tensor<4x256xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
        (%in: f32, %a: f32) {
          %s = arith.addf %in, %a : f32
          linalg.yield %s : f32
        }
      affine.yield %r : tensor<4xf32>
    }
    %sums = tensor.expand_shape %sum [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
    affine.for %k = 0 to 1024 step 256 {
      %v = memref.subview %x[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
      %e2 = tensor.empty() : tensor<4x256xf32>
      %scaled = linalg.generic {indexing_maps = [#id, #rows, #id], iterator_types = ["parallel", "parallel"]}
          ins(%t, %sums : tensor<4x256xf32>, tensor<4x1xf32>) outs(%e2 : tensor<4x256xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %m = arith.mulf %a, %b : f32
        linalg.yield %m : f32
      } -> tensor<4x256xf32>
      %w = memref.subview %out[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      bufferization.materialize_in_destination %scaled in restrict writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[1024, 1], offset: ?>>) -> ()
    }
  }
  return
}

// The same sums over whole rows: no loop, the 1-D grid's rows are split too.
// CHECK-LABEL: func.func @whole_rows(
// CHECK: affine.parallel (%[[I:.+]]) = (0) to (64) step (4) {
// CHECK-NEXT: affine.for %[[R:.+]] = 0 to 4 {
// CHECK-NEXT: %[[ROW:.+]] = affine.apply #{{.+}}(%[[I]], %[[R]])
// CHECK: memref.subview %arg0[%[[ROW]], 0] [1, 1024] [1, 1]
// CHECK: linalg.reduce ins(%{{.+}} : tensor<1x1024xf32>) outs(%{{.+}} : tensor<1xf32>) dimensions = [1]
// CHECK: memref.subview %arg1[%[[ROW]]] [1] [1]
// CHECK: return
func.func @whole_rows(%x: memref<64x1024xf32>, %out: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %v = memref.subview %x[%i, 0] [4, 1024] [1, 1] : memref<64x1024xf32> to memref<4x1024xf32, strided<[1024, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x1024xf32, strided<[1024, 1], offset: ?>> to tensor<4x1024xf32>
    %e = tensor.empty() : tensor<4xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %r = linalg.reduce ins(%t : tensor<4x1024xf32>) outs(%z : tensor<4xf32>) dimensions = [1]
      (%in: f32, %a: f32) {
        %s = arith.addf %in, %a : f32
        linalg.yield %s : f32
      }
    %w = memref.subview %out[%i] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %w : (tensor<4xf32>, memref<4xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}

// Whole rows of a 2-D grid's tile: helion-grid-rows' to order, the tile stays.
// CHECK-LABEL: func.func @grid_of_blocks(
// CHECK: affine.parallel
// CHECK-NOT: affine.apply
// CHECK: memref.subview %arg0[%{{.+}}, %{{.+}}] [4, 256] [1, 1]
// CHECK: return
func.func @grid_of_blocks(%x: memref<64x1024xf32>, %out: memref<64x1024xf32>) {
  affine.parallel (%i, %j) = (0, 0) to (64, 1024) step (4, 256) {
    %v = memref.subview %x[%i, %j] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
    %e = tensor.empty() : tensor<4x256xf32>
    %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%t : tensor<4x256xf32>) outs(%e : tensor<4x256xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.mulf %a, %a : f32
      linalg.yield %m : f32
    } -> tensor<4x256xf32>
    %w = memref.subview %out[%i, %j] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
    bufferization.materialize_in_destination %sq in restrict writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[1024, 1], offset: ?>>) -> ()
  }
  return
}

// Each chunk less its column sums over the tile's rows: the rows are reduced, the tile stays.
// CHECK-LABEL: func.func @reduces_rows(
// CHECK: affine.parallel
// CHECK-NOT: affine.apply
// CHECK: memref.subview %arg0[%{{.+}}, %{{.+}}] [4, 256] [1, 1]
// CHECK: return
func.func @reduces_rows(%x: memref<64x1024xf32>, %out: memref<64x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    affine.for %k = 0 to 1024 step 256 {
      %v = memref.subview %x[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
      %e = tensor.empty() : tensor<256xf32>
      %z = linalg.fill ins(%zero : f32) outs(%e : tensor<256xf32>) -> tensor<256xf32>
      %r = linalg.reduce ins(%t : tensor<4x256xf32>) outs(%z : tensor<256xf32>) dimensions = [0]
        (%in: f32, %a: f32) {
          %s = arith.addf %in, %a : f32
          linalg.yield %s : f32
        }
      %e2 = tensor.empty() : tensor<4x256xf32>
      %less = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (d1)>, #id], iterator_types = ["parallel", "parallel"]}
          ins(%t, %r : tensor<4x256xf32>, tensor<256xf32>) outs(%e2 : tensor<4x256xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %s = arith.subf %a, %b : f32
        linalg.yield %s : f32
      } -> tensor<4x256xf32>
      %w = memref.subview %out[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      bufferization.materialize_in_destination %less in restrict writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[1024, 1], offset: ?>>) -> ()
    }
  }
  return
}

// The tile's first row as a value (tile.begin): each row would see its own.
// CHECK-LABEL: func.func @reads_tile_start(
// CHECK: affine.parallel
// CHECK-NOT: affine.apply #
// CHECK: memref.subview %arg0[%{{.+}}, %{{.+}}] [4, 256] [1, 1]
// CHECK: return
func.func @reads_tile_start(%x: memref<64x1024xf32>, %out: memref<64x1024xf32>) {
  affine.parallel (%i) = (0) to (64) step (4) {
    %begin = arith.index_cast %i : index to i64
    %f = arith.sitofp %begin : i64 to f32
    affine.for %k = 0 to 1024 step 256 {
      %v = memref.subview %x[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
      %e = tensor.empty() : tensor<4x256xf32>
      %shifted = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
          ins(%t : tensor<4x256xf32>) outs(%e : tensor<4x256xf32>) {
      ^bb0(%a: f32, %o: f32):
        %s = arith.addf %a, %f : f32
        linalg.yield %s : f32
      } -> tensor<4x256xf32>
      %w = memref.subview %out[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      bufferization.materialize_in_destination %shifted in restrict writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[1024, 1], offset: ?>>) -> ()
    }
  }
  return
}

// The output's first row, which another tile's rows write, read by every row of every tile.
// CHECK-LABEL: func.func @reads_written_row(
// CHECK: affine.parallel
// CHECK-NOT: affine.apply #
// CHECK: memref.subview %arg1[%{{.+}}, %{{.+}}] [4, 256] [1, 1]
// CHECK: return
func.func @reads_written_row(%x: memref<64x1024xf32>, %out: memref<64x1024xf32>) {
  affine.parallel (%i) = (0) to (64) step (4) {
    affine.for %k = 0 to 1024 step 256 {
      %v = memref.subview %x[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
      %first = memref.subview %out[0, %k] [1, 256] [1, 1] : memref<64x1024xf32> to memref<1x256xf32, strided<[1024, 1], offset: ?>>
      %f = bufferization.to_tensor %first restrict : memref<1x256xf32, strided<[1024, 1], offset: ?>> to tensor<1x256xf32>
      %e = tensor.empty() : tensor<4x256xf32>
      %sum = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (0, d1)>, #id], iterator_types = ["parallel", "parallel"]}
          ins(%t, %f : tensor<4x256xf32>, tensor<1x256xf32>) outs(%e : tensor<4x256xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %s = arith.addf %a, %b : f32
        linalg.yield %s : f32
      } -> tensor<4x256xf32>
      %w = memref.subview %out[%i, %k] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      bufferization.materialize_in_destination %sum in writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[1024, 1], offset: ?>>) -> ()
    }
  }
  return
}

// A matmul tile: its rows share the K x N operand, and one row a tile would be matrix-vector
// products.
// CHECK-LABEL: func.func @contraction(
// CHECK: affine.parallel
// CHECK-NOT: affine.apply #
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x16xf32>, tensor<16x16xf32>)
// CHECK: return
func.func @contraction(%a: memref<64x64xf32>, %b: memref<64x16xf32>, %out: memref<64x16xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %e = tensor.empty() : tensor<4x16xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
    %acc = affine.for %k = 0 to 64 step 16 iter_args(%c = %z) -> (tensor<4x16xf32>) {
      %va = memref.subview %a[%i, %k] [4, 16] [1, 1] : memref<64x64xf32> to memref<4x16xf32, strided<[64, 1], offset: ?>>
      %ta = bufferization.to_tensor %va restrict : memref<4x16xf32, strided<[64, 1], offset: ?>> to tensor<4x16xf32>
      %vb = memref.subview %b[%k, 0] [16, 16] [1, 1] : memref<64x16xf32> to memref<16x16xf32, strided<[16, 1], offset: ?>>
      %tb = bufferization.to_tensor %vb restrict : memref<16x16xf32, strided<[16, 1], offset: ?>> to tensor<16x16xf32>
      %m = linalg.matmul ins(%ta, %tb : tensor<4x16xf32>, tensor<16x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
      affine.yield %m : tensor<4x16xf32>
    }
    %w = memref.subview %out[%i, 0] [4, 16] [1, 1] : memref<64x16xf32> to memref<4x16xf32, strided<[16, 1], offset: ?>>
    bufferization.materialize_in_destination %acc in restrict writable %w : (tensor<4x16xf32>, memref<4x16xf32, strided<[16, 1], offset: ?>>) -> ()
  }
  return
}

// 62 rows in tiles of 4: the last tile is not whole, the grid stays.
// CHECK-LABEL: func.func @partial_tiles(
// CHECK: affine.parallel
// CHECK-NOT: affine.apply #
// CHECK: return
func.func @partial_tiles(%x: memref<62x1024xf32>, %out: memref<62x1024xf32>) {
  affine.parallel (%i) = (0) to (62) step (4) {
    affine.for %k = 0 to 1024 step 256 {
      %v = memref.subview %x[%i, %k] [4, 256] [1, 1] : memref<62x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
      %w = memref.subview %out[%i, %k] [4, 256] [1, 1] : memref<62x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
      bufferization.materialize_in_destination %t in restrict writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[1024, 1], offset: ?>>) -> ()
    }
  }
  return
}
// CHECK: IR Dump After
