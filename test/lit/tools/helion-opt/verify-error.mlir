// The verifiers of our IRDL ops reject wrong types and missing attributes at the op's position.
// RUN: not %helion-opt --split-input-file %s 2>&1 | FileCheck %s

func.func @phi_types(%a: f32, %b: f64) -> f32 {
  %0 = "helion.phi"(%a, %b) : (f32, f64) -> f32
  return %0 : f32
}
// CHECK: verify-error.mlir:[[@LINE-3]]:8: error: expected 'f32' but got 'f64'

// -----

// Line numbers after a split marker are those of the whole file.
func.func @symbol_type() -> i32 {
  %0 = "loom.get_symbol"() {name = "block_size_0"} : () -> i32
  return %0 : i32
}
// CHECK: verify-error.mlir:[[@LINE-3]]:8: error: expected 'index' but got 'i32'

// -----

func.func @symbol_name() -> index {
  %0 = "loom.get_symbol"() : () -> index
  return %0 : index
}
// CHECK: verify-error.mlir:[[@LINE-3]]:8: error: 'loom.get_symbol' op attribute "name" is expected but not provided
