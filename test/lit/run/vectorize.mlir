// The limits of the JIT's vectorization (lib/run/vectorize.mlir), on the LLVM dialect the pipeline
// produces. The kernels' numerics are checked against torch in test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// A row longer than 1024 is vectorized in chunks of 1024, each reduced into the row's sum by a loop
// over 64 lanes at a time (helion-chunked-reductions): no 4096-lane vector.
// CHECK-LABEL: llvm.func @long_rows(
// CHECK-NOT: vector<4096xf32>
// CHECK: "llvm.intr.vector.reduce.fadd"({{.*}}) <{fastmathFlags = #llvm.fastmath<reassoc>}> : (f32, vector<64xf32>) -> f32
// CHECK-NOT: vector<4096xf32>
// CHECK: llvm.return
func.func @long_rows(%x: memref<2x4096xf32>, %out: memref<2xf32>) {
  %xt = bufferization.to_tensor %x restrict : memref<2x4096xf32> to tensor<2x4096xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %sum = linalg.reduce ins(%xt : tensor<2x4096xf32>) outs(%init : tensor<2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  bufferization.materialize_in_destination %sum in restrict writable %out : (tensor<2xf32>, memref<2xf32>) -> ()
  return
}

// -----

// A tile of i1 stays scalar: LLVM stores a vector of i1 as packed bits, but the loop reading the
// mask back loads one byte per element. The f32 tile beside it is vectorized.
// CHECK-LABEL: llvm.func @mask_tile(
// CHECK-NOT: vector<32xi1>, !llvm.ptr
// CHECK: llvm.fcmp "ogt" {{.*}} : f32
// CHECK-NOT: vector<32xi1>, !llvm.ptr
// CHECK: llvm.return
func.func @mask_tile(%x: memref<32xf32>, %out: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %xt = bufferization.to_tensor %x restrict : memref<32xf32> to tensor<32xf32>
  %e = tensor.empty() : tensor<32xi1>
  %mask = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%xt : tensor<32xf32>) outs(%e : tensor<32xi1>) {
    ^bb0(%in: f32, %o: i1):
      %p = arith.cmpf ogt, %in, %zero : f32
      linalg.yield %p : i1
  } -> tensor<32xi1>
  scf.for %i = %c0 to %c32 step %c1 {
    %m = tensor.extract %mask[%i] : tensor<32xi1>
    %v = tensor.extract %xt[%i] : tensor<32xf32>
    scf.if %m {
      memref.store %v, %out[%i] : memref<32xf32>
    }
  }
  return
}

// -----

// A scan over a tile's columns, as the lowering of hl.associative_scan steps it: each step's 4 x 1
// column is one vector<4x1xf32> (not four one-lane rows), and the running value travels through
// the loop in registers, so no step allocates (helion-carry-vectors).
// CHECK-LABEL: llvm.func @scan_columns(
// CHECK: ^[[LOOP:bb[0-9]+]](%{{[0-9]+}}: i64, %{{[0-9]+}}: !llvm.array<4 x vector<1xf32>>
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.br ^[[LOOP]](
func.func @scan_columns(%x: memref<4x8xf32>, %out: memref<4x8xf32>) {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %xt = bufferization.to_tensor %x restrict : memref<4x8xf32> to tensor<4x8xf32>
  %first = tensor.extract_slice %xt[0, 0] [4, 1] [1, 1] : tensor<4x8xf32> to tensor<4x1xf32>
  %r:2 = scf.for %j = %c1 to %c8 step %c1 iter_args(%acc = %first, %done = %xt) -> (tensor<4x1xf32>, tensor<4x8xf32>) {
    %col = tensor.extract_slice %xt[0, %j] [4, 1] [1, 1] : tensor<4x8xf32> to tensor<4x1xf32>
    %e = tensor.empty() : tensor<4x1xf32>
    %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%acc, %col : tensor<4x1xf32>, tensor<4x1xf32>) outs(%e : tensor<4x1xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %sum = arith.addf %a, %b : f32
        linalg.yield %sum : f32
    } -> tensor<4x1xf32>
    %next = tensor.insert_slice %s into %done[0, %j] [4, 1] [1, 1] : tensor<4x1xf32> into tensor<4x8xf32>
    scf.yield %s, %next : tensor<4x1xf32>, tensor<4x8xf32>
  }
  bufferization.materialize_in_destination %r#1 in restrict writable %out : (tensor<4x8xf32>, memref<4x8xf32>) -> ()
  return
}

// -----

// hl.reduce's accumulator, used after the loop: carried in registers, written once after it.
// CHECK-LABEL: llvm.func @reduce_columns(
// CHECK: ^[[LOOP:bb[0-9]+]](%{{[0-9]+}}: i64, %{{[0-9]+}}: !llvm.array<4 x vector<1xf32>>
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.br ^[[LOOP]](
// CHECK: llvm.extractvalue %{{[0-9]+}}[0] : !llvm.array<4 x vector<1xf32>>
func.func @reduce_columns(%x: memref<4x8xf32>, %out: memref<4x1xf32>) {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %xt = bufferization.to_tensor %x restrict : memref<4x8xf32> to tensor<4x8xf32>
  %first = tensor.extract_slice %xt[0, 0] [4, 1] [1, 1] : tensor<4x8xf32> to tensor<4x1xf32>
  %r = scf.for %j = %c1 to %c8 step %c1 iter_args(%acc = %first) -> (tensor<4x1xf32>) {
    %col = tensor.extract_slice %xt[0, %j] [4, 1] [1, 1] : tensor<4x8xf32> to tensor<4x1xf32>
    %e = tensor.empty() : tensor<4x1xf32>
    %m = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%acc, %col : tensor<4x1xf32>, tensor<4x1xf32>) outs(%e : tensor<4x1xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %v = arith.maximumf %a, %b : f32
        linalg.yield %v : f32
    } -> tensor<4x1xf32>
    scf.yield %m : tensor<4x1xf32>
  }
  bufferization.materialize_in_destination %r in restrict writable %out : (tensor<4x1xf32>, memref<4x1xf32>) -> ()
  return
}

// -----

// An element-wise op on rows of 1024 works in pieces of 32 lanes (four AVX2 registers), not on
// 1024-lane vectors (64 AVX-512 registers, which took LLVM's code generator most of a kernel's
// compile), nor in pieces of 64 (eight of AVX2's sixteen registers a value, which spilled).
// CHECK-LABEL: llvm.func @wide_rows(
// CHECK-NOT: vector<1024xf32>
// CHECK: llvm.fmul {{.*}} : vector<32xf32>
// CHECK-NOT: vector<1024xf32>
// CHECK: llvm.return
func.func @wide_rows(%x: memref<2x1024xf32>, %out: memref<2x1024xf32>) {
  %xt = bufferization.to_tensor %x restrict : memref<2x1024xf32> to tensor<2x1024xf32>
  %e = tensor.empty() : tensor<2x1024xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%xt : tensor<2x1024xf32>) outs(%e : tensor<2x1024xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.mulf %a, %a : f32
      linalg.yield %m : f32
  } -> tensor<2x1024xf32>
  bufferization.materialize_in_destination %r in restrict writable %out : (tensor<2x1024xf32>, memref<2x1024xf32>) -> ()
  return
}

// -----

// A point-indexed column broadcast along the row (x[tile_m, column, None]): the row's broadcast
// read of the [16, 1] column view, whose unit dimension keeps the row stride 64, is one load of the
// element (a 0-d transfer by then, helion-scalar-transfers), splat across the row. The Helion
// kernel: examples/gather.py add_column (fixture gather_column), run against torch in
// test/python/test_examples.py.
// CHECK-LABEL: llvm.func @column_broadcast(
// CHECK: %[[ROW:.+]] = llvm.load {{.*}} : !llvm.ptr -> vector<16xf32>
// CHECK: %[[ONE:.+]] = llvm.load {{.*}} : !llvm.ptr -> vector<1xf32>
// CHECK: %[[E:.+]] = llvm.extractelement %[[ONE]]
// CHECK: %[[I:.+]] = llvm.insertelement %[[E]]
// CHECK: %[[SPLAT:.+]] = llvm.shufflevector %[[I]], {{.*}} [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] : vector<16xf32>
// CHECK: llvm.fadd %[[ROW]], %[[SPLAT]] {{.*}} : vector<16xf32>
// CHECK-NOT: builtin.unrealized_conversion_cast
// CHECK: llvm.return
func.func @column_broadcast(%x: memref<64x64xf32>, %out: memref<64x64xf32>, %column: index) {
  affine.parallel (%i, %j) = (0, 0) to (64, 64) step (16, 16) {
    %tile = memref.subview %x[%i, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
    %t = bufferization.to_tensor %tile restrict : memref<16x16xf32, strided<[64, 1], offset: ?>> to tensor<16x16xf32>
    %col = memref.subview %x[%i, %column] [16, 1] [1, 1] : memref<64x64xf32> to memref<16xf32, strided<[64], offset: ?>>
    %c = bufferization.to_tensor %col restrict : memref<16xf32, strided<[64], offset: ?>> to tensor<16xf32>
    %c2 = tensor.expand_shape %c [[0, 1]] output_shape [16, 1] : tensor<16xf32> into tensor<16x1xf32>
    %e = tensor.empty() : tensor<16x16xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%t, %c2 : tensor<16x16xf32>, tensor<16x1xf32>) outs(%e : tensor<16x16xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %s = arith.addf %a, %b : f32
        linalg.yield %s : f32
    } -> tensor<16x16xf32>
    %dst = memref.subview %out[%i, %j] [16, 16] [1, 1] : memref<64x64xf32> to memref<16x16xf32, strided<[64, 1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %dst : (tensor<16x16xf32>, memref<16x16xf32, strided<[64, 1], offset: ?>>) -> ()
  }
  return
}

// -----

// A padded load of a whole long row (a 130000-element row in a tile of 131072, Helion's reduction
// over a row at once) keeps its copy into the fill, a memcpy here: one masked read of it would be a
// 130000-lane vector, which LLVM took minutes to compile. The fill and the reduction still work in
// chunks of 1024 (each reduced 64 lanes at a time).
// CHECK-LABEL: llvm.func @padded_long_row(
// CHECK-NOT: vector<130000xf32>
// CHECK: "llvm.intr.memcpy"
// CHECK-NOT: vector<130000xf32>
// CHECK: "llvm.intr.vector.reduce.fadd"({{.*}}) <{fastmathFlags = #llvm.fastmath<reassoc>}> : (f32, vector<64xf32>) -> f32
// CHECK-NOT: vector<130000xf32>
// CHECK: llvm.return
func.func @padded_long_row(%x: memref<4x130000xf32>, %out: memref<4xf32>) {
  %xt = bufferization.to_tensor %x restrict : memref<4x130000xf32> to tensor<4x130000xf32>
  %zero = arith.constant 0.0 : f32
  %row = tensor.extract_slice %xt[0, 0] [1, 130000] [1, 1] : tensor<4x130000xf32> to tensor<1x130000xf32>
  %padded = tensor.pad %row low[0, 0] high[0, 1072] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<1x130000xf32> to tensor<1x131072xf32>
  %e = tensor.empty() : tensor<1xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1xf32>) -> tensor<1xf32>
  %sum = linalg.reduce ins(%padded : tensor<1x131072xf32>) outs(%init : tensor<1xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %dst = memref.subview %out[0] [1] [1] : memref<4xf32> to memref<1xf32, strided<[1]>>
  bufferization.materialize_in_destination %sum in restrict writable %dst : (tensor<1xf32>, memref<1xf32, strided<[1]>>) -> ()
  return
}

// -----

// A tile stored through its real part (1000 of a 1024-lane padded tile, a weight broadcast along
// its rows padded the same way): the last element-wise op is fused into the store's slice, so it
// computes the 1000 real lanes only, reading x and the weight themselves (the pads fold away), in
// pieces of 64 and a peeled last piece of 40, written straight into the output: no buffer, no copy.
// CHECK-LABEL: llvm.func @scaled_rows(
// CHECK-NOT: llvm.call
// CHECK: llvm.fmul {{.*}} : vector<32xf32>
// CHECK-NOT: llvm.call
// CHECK: llvm.store {{.*}} : vector<8xf32>, !llvm.ptr
// CHECK-NOT: llvm.call
// CHECK: llvm.return
func.func @scaled_rows(%x: memref<64x1000xf32>, %w: memref<1000xf32>, %out: memref<64x1000xf32>) {
  %zero = arith.constant 0.0 : f32
  %wt = bufferization.to_tensor %w restrict : memref<1000xf32> to tensor<1000xf32>
  affine.parallel (%i) = (0) to (64) step (4) {
    %xv = memref.subview %x[%i, 0] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<4x1000xf32, strided<[1000, 1], offset: ?>> to tensor<4x1000xf32>
    %xp = tensor.pad %xt low[0, 0] high[0, 24] { ^bb0(%a: index, %b: index): tensor.yield %zero : f32 } : tensor<4x1000xf32> to tensor<4x1024xf32>
    %wp = tensor.pad %wt low[0] high[24] { ^bb0(%a: index): tensor.yield %zero : f32 } : tensor<1000xf32> to tensor<1024xf32>
    %wr = tensor.expand_shape %wp [[0, 1]] output_shape [1, 1024] : tensor<1024xf32> into tensor<1x1024xf32>
    %e = tensor.empty() : tensor<4x1024xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%xp, %wr : tensor<4x1024xf32>, tensor<1x1024xf32>) outs(%e : tensor<4x1024xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %m = arith.mulf %a, %b : f32
        linalg.yield %m : f32
    } -> tensor<4x1024xf32>
    %ov = memref.subview %out[%i, 0] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    %real = tensor.extract_slice %r[0, 0] [4, 1000] [1, 1] : tensor<4x1024xf32> to tensor<4x1000xf32>
    bufferization.materialize_in_destination %real in restrict writable %ov : (tensor<4x1000xf32>, memref<4x1000xf32, strided<[1000, 1], offset: ?>>) -> ()
  }
  return
}

// -----

// A static tile's pad (rows of 1000 in a 1024-lane tile) is a copy of the loaded part into the fill
// in pieces of 32 and a peeled 8, not one 1000-lane vector a row (which went through the stack).
// CHECK-LABEL: llvm.func @padded_row_sums(
// CHECK-NOT: vector<1000xf32>
// CHECK: llvm.load {{.*}} -> vector<32xf32>
// CHECK-NOT: vector<1000xf32>
// CHECK: llvm.load {{.*}} -> vector<8xf32>
// CHECK-NOT: vector<1000xf32>
// CHECK: "llvm.intr.vector.reduce.fadd"({{.*}}) <{fastmathFlags = #llvm.fastmath<reassoc>}> : (f32, vector<64xf32>) -> f32
func.func @padded_row_sums(%x: memref<64x1000xf32>, %out: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %xv = memref.subview %x[%i, 0] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<4x1000xf32, strided<[1000, 1], offset: ?>> to tensor<4x1000xf32>
    %xp = tensor.pad %xt low[0, 0] high[0, 24] { ^bb0(%a: index, %b: index): tensor.yield %zero : f32 } : tensor<4x1000xf32> to tensor<4x1024xf32>
    %e = tensor.empty() : tensor<4xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %sum = linalg.reduce ins(%xp : tensor<4x1024xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
      (%in: f32, %acc: f32) {
        %s = arith.addf %in, %acc : f32
        linalg.yield %s : f32
      }
    %ov = memref.subview %out[%i] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %sum in restrict writable %ov : (tensor<4xf32>, memref<4xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}

// -----

// The same op used by a reduction too: fused at the slice, it would be computed twice, so it stays
// whole (one multiply a piece of the 1024 lanes) and the store copies its real part out. The grid
// is 2-D (its columns one tile) so that the 4-row tile stays one (helion-split-rows).
// CHECK-LABEL: llvm.func @scaled_rows_used_twice(
// CHECK: llvm.fmul {{.*}} : vector<32xf32>
// CHECK-NOT: llvm.fmul
// CHECK: llvm.call @memrefCopy
// CHECK: llvm.return
func.func @scaled_rows_used_twice(%x: memref<64x1000xf32>, %w: memref<1000xf32>, %out: memref<64x1000xf32>, %sums: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %wt = bufferization.to_tensor %w restrict : memref<1000xf32> to tensor<1000xf32>
  affine.parallel (%i, %j) = (0, 0) to (64, 1000) step (4, 1000) {
    %xv = memref.subview %x[%i, %j] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<4x1000xf32, strided<[1000, 1], offset: ?>> to tensor<4x1000xf32>
    %xp = tensor.pad %xt low[0, 0] high[0, 24] { ^bb0(%a: index, %b: index): tensor.yield %zero : f32 } : tensor<4x1000xf32> to tensor<4x1024xf32>
    %wp = tensor.pad %wt low[0] high[24] { ^bb0(%a: index): tensor.yield %zero : f32 } : tensor<1000xf32> to tensor<1024xf32>
    %wr = tensor.expand_shape %wp [[0, 1]] output_shape [1, 1024] : tensor<1024xf32> into tensor<1x1024xf32>
    %e = tensor.empty() : tensor<4x1024xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%xp, %wr : tensor<4x1024xf32>, tensor<1x1024xf32>) outs(%e : tensor<4x1024xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %m = arith.mulf %a, %b : f32
        linalg.yield %m : f32
    } -> tensor<4x1024xf32>
    %ov = memref.subview %out[%i, %j] [4, 1000] [1, 1] : memref<64x1000xf32> to memref<4x1000xf32, strided<[1000, 1], offset: ?>>
    %real = tensor.extract_slice %r[0, 0] [4, 1000] [1, 1] : tensor<4x1024xf32> to tensor<4x1000xf32>
    bufferization.materialize_in_destination %real in restrict writable %ov : (tensor<4x1000xf32>, memref<4x1000xf32, strided<[1000, 1], offset: ?>>) -> ()
    %e4 = tensor.empty() : tensor<4xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
    %sum = linalg.reduce ins(%r : tensor<4x1024xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
      (%in: f32, %acc: f32) {
        %a = arith.addf %in, %acc : f32
        linalg.yield %a : f32
      }
    %sv = memref.subview %sums[%i] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %sum in restrict writable %sv : (tensor<4xf32>, memref<4xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}
