// helion-scalar-transfers (lib/run/ScalarTransfers.c): a 0-d transfer of a memref whose innermost
// stride is not 1 (a view of one column) is the load or store of its one element; the LLVM
// conversion takes no transfer from such a memref.
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// CHECK-LABEL: llvm.func @read_column_element(
// CHECK: %[[E:.+]] = llvm.load %{{.+}} {alignment = 4 : i64} : !llvm.ptr -> vector<1xf32>
// CHECK: llvm.extractelement %[[E]]
// CHECK-NOT: builtin.unrealized_conversion_cast
// CHECK: llvm.return
func.func @read_column_element(%column: memref<16x1xf32, strided<[64, 64], offset: ?>>, %i: index) -> f32 {
  %c0 = arith.constant 0 : index
  %pad = ub.poison : f32
  %v = vector.transfer_read %column[%i, %c0], %pad : memref<16x1xf32, strided<[64, 64], offset: ?>>, vector<f32>
  %e = vector.extract %v[] : f32 from vector<f32>
  return %e : f32
}

// -----

// CHECK-LABEL: llvm.func @write_column_element(
// CHECK: llvm.store %{{.+}}, %{{.+}} {alignment = 4 : i64} : vector<1xf32>, !llvm.ptr
// CHECK-NOT: builtin.unrealized_conversion_cast
// CHECK: llvm.return
func.func @write_column_element(%column: memref<16x1xf32, strided<[64, 64], offset: ?>>, %i: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %v = vector.broadcast %x : f32 to vector<f32>
  vector.transfer_write %v, %column[%i, %c0] : vector<f32>, memref<16x1xf32, strided<[64, 64], offset: ?>>
  return
}
