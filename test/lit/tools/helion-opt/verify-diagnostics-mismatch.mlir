// --verify-diagnostics fails (exit status 1) when a diagnostic was not expected, when an expectation
// is not met, or when an expectation is on the wrong line; each is reported at its position.
// RUN: not %helion-opt --verify-diagnostics --split-input-file %s 2>&1 | FileCheck %s

func.func @wrong_text(%a: f32, %b: f64) -> f32 {
  // expected-error@+1 {{a message MLIR does not produce}}
  %0 = "helion.phi"(%a, %b) : (f32, f64) -> f32
  return %0 : f32
}
// CHECK-DAG: verify-diagnostics-mismatch.mlir:[[@LINE-3]]:8: error: unexpected error: expected 'f32' but got 'f64'
// CHECK-DAG: verify-diagnostics-mismatch.mlir:[[@LINE-5]]:6: error: expected error "a message MLIR does not produce" was not produced

// -----

func.func @wrong_line() -> i32 {
  // expected-error@+2 {{expected 'index' but got 'i32'}}
  %0 = "loom.get_symbol"() {name = "x"} : () -> i32
  return %0 : i32
}
// CHECK-DAG: verify-diagnostics-mismatch.mlir:[[@LINE-3]]:8: error: unexpected error: expected 'index' but got 'i32'
// CHECK-DAG: verify-diagnostics-mismatch.mlir:[[@LINE-5]]:6: error: expected error "expected 'index' but got 'i32'" was not produced

// -----

// A diagnostic of another severity does not meet the expectation.
func.func @wrong_severity() -> i32 {
  // expected-warning@+1 {{expected 'index' but got 'i32'}}
  %0 = "loom.get_symbol"() {name = "x"} : () -> i32
  return %0 : i32
}
// CHECK-DAG: verify-diagnostics-mismatch.mlir:[[@LINE-3]]:8: error: unexpected error: expected 'index' but got 'i32'
// CHECK-DAG: verify-diagnostics-mismatch.mlir:[[@LINE-5]]:6: error: expected warning "expected 'index' but got 'i32'" was not produced

// -----

// Nothing goes wrong here, so the expectation is not met.
func.func @no_error() {
  // expected-error@+1 {{never}}
  return
}
// CHECK-DAG: verify-diagnostics-mismatch.mlir:[[@LINE-3]]:6: error: expected error "never" was not produced
