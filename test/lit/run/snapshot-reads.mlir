// Reads of a tile of a host tensor the kernel also writes are copied where they are read
// (helion-snapshot-reads): `old = out[tile]; out[tile] = x[tile]; old_out[tile] = old + old` must
// add the old values. The numerics: examples/stores.py replace_keeping_old (test_examples.py).
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// The read of `out` is copied into a tile buffer (the first memcpy) before the store of x into
// `out` (the second), and the sum reads that buffer, one per thread (helion-thread-buffers).
// CHECK-LABEL: llvm.func @read_store_read(
// CHECK:         %[[SNAP:.+]] = llvm.alloca %{{.+}} x f32 {alignment = 64 : i64}
// CHECK:         "llvm.intr.memcpy"(%[[SNAP]], %{{.+}}, %{{.+}})
// CHECK:         "llvm.intr.memcpy"(%{{.+}}, %{{.+}}, %{{.+}})
// CHECK:         llvm.fadd
func.func @read_store_read(%x: memref<128xf32>, %out: memref<128xf32>, %old: memref<128xf32>) {
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

// Nothing writes `x`: its tile is read where it lies, no buffer, no copy.
// CHECK-LABEL: llvm.func @read_only(
// CHECK-NOT:     llvm.call @malloc
// CHECK-NOT:     x f32 {alignment = 64 : i64}
// CHECK-NOT:     llvm.intr.memcpy
// CHECK:         llvm.return
func.func @read_only(%x: memref<128xf32>, %out: memref<128xf32>) {
  affine.parallel (%i) = (0) to (128) step (32) {
    %xv = memref.subview %x[%i] [32] [1] : memref<128xf32> to memref<32xf32, strided<[1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<32xf32, strided<[1], offset: ?>> to tensor<32xf32>
    %e = tensor.empty() : tensor<32xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%xt : tensor<32xf32>) outs(%e : tensor<32xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.addf %a, %a : f32
        linalg.yield %m : f32
    } -> tensor<32xf32>
    %ov = memref.subview %out[%i] [32] [1] : memref<128xf32> to memref<32xf32, strided<[1], offset: ?>>
    bufferization.materialize_in_destination %r in restrict writable %ov : (tensor<32xf32>, memref<32xf32, strided<[1], offset: ?>>) -> ()
  }
  return
}
