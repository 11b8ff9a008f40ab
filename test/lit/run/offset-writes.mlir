// A padded load whose low padding is a value, not a constant (a window that may begin before its
// row), is a fill and a write of the loaded part at that padding: the write covers the whole tile
// from there, so it is marked possibly out of bounds (lib/run/OffsetWrites.c) and becomes a masked
// store that writes only the tile's lanes; a write at the constant 0 stays in bounds. The numerics:
// examples/gather.py window_sums (test_examples.py).
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %helion-opt --helion-lower-to-llvm %s | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: IR Dump After HelionVectorize
// CHECK: func.func @window_sums(
// CHECK: %[[ZEROS:.+]] = vector.transfer_write %{{.+}}, %{{.+}}[%c0{{.*}}] {in_bounds = [true]} : vector<4xf32>, tensor<4xf32>
// CHECK: %[[PART:.+]] = vector.transfer_read %{{.+}}[%c0{{.*}}], %{{.+}} : tensor<?xf32>, vector<4xf32>
// CHECK: vector.transfer_write %[[PART]], %[[ZEROS]][%{{.+}}] : vector<4xf32>, tensor<4xf32>
// The zeros are stored whole, the loaded part through a mask of the lanes inside the tile.
// LLVM: llvm.store %{{.+}}, %{{.+}} {alignment = 4 : i64} : vector<4xf32>, !llvm.ptr
// LLVM: llvm.intr.masked.store %{{.+}}, %{{.+}}, %{{.+}} {alignment = 4 : i32} : vector<4xf32>, vector<4xi1> into !llvm.ptr
func.func @window_sums(%x: memref<4x12xf32>, %low: memref<4xindex>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c12 = arith.constant 12 : index
  %zero = arith.constant 0.0 : f32
  affine.parallel (%g) = (0) to (4) {
    // The row's window [start, start + 4) with start = -low: its first `low` lanes lie before x.
    %l = memref.load %low[%g] : memref<4xindex>
    %n = arith.subi %c4, %l : index
    %part = memref.subview %x[%g, 0] [1, %n] [1, 1] : memref<4x12xf32> to memref<?xf32, strided<[1], offset: ?>>
    %t = bufferization.to_tensor %part restrict : memref<?xf32, strided<[1], offset: ?>> to tensor<?xf32>
    %padded = tensor.pad %t low[%l] high[%c0] {
    ^bb0(%i: index):
      tensor.yield %zero : f32
    } : tensor<?xf32> to tensor<4xf32>
    %e = tensor.empty() : tensor<f32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
    %sum = linalg.reduce ins(%padded : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
      (%in: f32, %acc: f32) {
        %s = arith.addf %in, %acc : f32
        linalg.yield %s : f32
      }
    %o = memref.subview %out[%g] [1] [1] : memref<4xf32> to memref<f32, strided<[], offset: ?>>
    bufferization.materialize_in_destination %sum in restrict writable %o : (tensor<f32>, memref<f32, strided<[], offset: ?>>) -> ()
  }
  return
}
