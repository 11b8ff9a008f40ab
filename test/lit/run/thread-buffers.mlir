// A grid iteration's own buffers are one per thread (helion-thread-buffers,
// lib/run/ThreadBuffers.c): a static buffer allocated and freed within one run of a block of the
// grid's body becomes a memref.alloca at the start of the omp.parallel region, before the
// omp.wsloop, and its dealloc is gone; a buffer carried out of its block, or past the stack budget,
// stays on the heap. Checked on the IR after the pass; the numerics run on the JIT in
// test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %S/Inputs/softmax_rows.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=SOFTMAX
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all --split-input-file %s -o /dev/null 2>&1 | FileCheck %s

// The softmax's three row temporaries (its max, its sum and its exp tile).
// SOFTMAX-LABEL: IR Dump After HelionThreadBuffers
// SOFTMAX: omp.parallel {
// SOFTMAX-COUNT-3: memref.alloca() {alignment = 64 : i64}
// SOFTMAX-NOT: memref.alloc(
// SOFTMAX: omp.wsloop
// SOFTMAX-NOT: memref.alloc(
// SOFTMAX-NOT: memref.dealloc
// SOFTMAX: IR Dump After

// A snapshot of the output's tile (helion-snapshot-reads) is a buffer of the iteration's own: 128
// bytes move to the stack, 256 KiB (past the budget of 128 KiB) stay on the heap.
// CHECK-LABEL: IR Dump After HelionThreadBuffers
// CHECK: func.func @small_snapshot(
// CHECK: omp.parallel {
// CHECK-NEXT: %[[SNAP:.+]] = memref.alloca() {alignment = 64 : i64} : memref<32xf32>
// CHECK: omp.wsloop
// CHECK-NOT: memref.alloc(
// CHECK: memref.copy %{{.+}}, %[[SNAP]]
// CHECK-NOT: memref.dealloc
// CHECK: IR Dump After
func.func @small_snapshot(%x: memref<128xf32>, %out: memref<128xf32>, %old: memref<128xf32>) {
  affine.parallel (%i) = (0) to (128) step (32) {
    %ov = memref.subview %out[%i] [32] [1] : memref<128xf32> to memref<32xf32, strided<[1], offset: ?>>
    %ot = bufferization.to_tensor %ov restrict : memref<32xf32, strided<[1], offset: ?>> to tensor<32xf32>
    %xv = memref.subview %x[%i] [32] [1] : memref<128xf32> to memref<32xf32, strided<[1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<32xf32, strided<[1], offset: ?>> to tensor<32xf32>
    bufferization.materialize_in_destination %xt in restrict writable %ov : (tensor<32xf32>, memref<32xf32, strided<[1], offset: ?>>) -> ()
    %e = tensor.empty() : tensor<32xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%ot : tensor<32xf32>) outs(%e : tensor<32xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.addf %a, %a : f32
        linalg.yield %m : f32
    } -> tensor<32xf32>
    %dv = memref.subview %old[%i] [32] [1] : memref<128xf32> to memref<32xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %dv : (tensor<32xf32>, memref<32xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}

// -----

// CHECK-LABEL: IR Dump After HelionThreadBuffers
// CHECK: func.func @large_snapshot(
// CHECK: omp.parallel {
// CHECK-NOT: memref.alloca
// CHECK: omp.wsloop
// CHECK: %[[SNAP:.+]] = memref.alloc() {alignment = 64 : i64} : memref<65536xf32>
// CHECK: memref.dealloc %[[SNAP]]
// CHECK: IR Dump After
func.func @large_snapshot(%x: memref<131072xf32>, %out: memref<131072xf32>, %old: memref<131072xf32>) {
  affine.parallel (%i) = (0) to (131072) step (65536) {
    %ov = memref.subview %out[%i] [65536] [1] : memref<131072xf32> to memref<65536xf32, strided<[1], offset: ?>>
    %ot = bufferization.to_tensor %ov restrict : memref<65536xf32, strided<[1], offset: ?>> to tensor<65536xf32>
    %xv = memref.subview %x[%i] [65536] [1] : memref<131072xf32> to memref<65536xf32, strided<[1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<65536xf32, strided<[1], offset: ?>> to tensor<65536xf32>
    bufferization.materialize_in_destination %xt in restrict writable %ov : (tensor<65536xf32>, memref<65536xf32, strided<[1], offset: ?>>) -> ()
    %e = tensor.empty() : tensor<65536xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%ot : tensor<65536xf32>) outs(%e : tensor<65536xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.addf %a, %a : f32
        linalg.yield %m : f32
    } -> tensor<65536xf32>
    %dv = memref.subview %old[%i] [65536] [1] : memref<131072xf32> to memref<65536xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %dv : (tensor<65536xf32>, memref<65536xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}

// -----

// A looped sum whose order is fixed (no reassoc) combines each chunk into a fresh accumulator,
// which the loop yields: those buffers outlive their block's run, so they stay on the heap. The
// zeros each of them starts from, the iteration's own, move to the stack.
// CHECK-LABEL: IR Dump After HelionThreadBuffers
// CHECK: func.func @carried_sum(
// CHECK: omp.parallel {
// CHECK: %[[ZEROS:.+]] = memref.alloca() {alignment = 64 : i64} : memref<4x1xf32>
// CHECK: omp.wsloop
// CHECK: %[[START:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x1xf32>
// CHECK: memref.copy %[[ZEROS]], %[[START]]
// CHECK: scf.for {{.*}} iter_args(%{{.+}} = %[[START]], %{{.+}} = %{{.+}}) -> (memref<4x1xf32>, i1)
// CHECK: %[[NEXT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x1xf32>
// CHECK: memref.copy %[[ZEROS]], %[[NEXT]]
// CHECK: scf.yield %[[NEXT]]
// CHECK: IR Dump After
#whole = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#reduced = affine_map<(d0, d1, d2) -> (d0, d1)>
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @carried_sum(%x: memref<64x1000xf32>, %out: memref<64x1xf32>) {
  %c0 = arith.constant 0 : index
  %c250 = arith.constant 250 : index
  %c1000 = arith.constant 1000 : index
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %e = tensor.empty() : tensor<4x1xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x1xf32>) -> tensor<4x1xf32>
    %sum = scf.for %k = %c0 to %c1000 step %c250 iter_args(%acc = %z) -> (tensor<4x1xf32>) {
      %v = memref.subview %x[%i, %k] [4, 250] [1, 1] : memref<64x1000xf32> to memref<4x250xf32, strided<[1000, 1], offset: ?>>
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
    %ov = memref.subview %out[%i, 0] [4, 1] [1, 1] : memref<64x1xf32> to memref<4x1xf32, strided<[1, 1], offset: ?>>
    bufferization.materialize_in_destination %sum in restrict writable %ov : (tensor<4x1xf32>, memref<4x1xf32, strided<[1, 1], offset: ?>>) -> ()
  }
  return
}
