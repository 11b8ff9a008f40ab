// --verify-diagnostics matches diagnostics against the expected-* comments: exit status 0 when every
// expectation is met and nothing else is reported. Chunks that succeed are still printed.
// RUN: %helion-opt --verify-diagnostics --split-input-file %s | FileCheck %s

func.func @next_line(%a: f32, %b: f64) -> f32 {
  // expected-error@+1 {{expected 'f32' but got 'f64'}}
  %0 = "helion.phi"(%a, %b) : (f32, f64) -> f32
  return %0 : f32
}

// -----

func.func @same_line() -> i32 {
  %0 = "loom.get_symbol"() {name = "x"} : () -> i32 // expected-error {{expected 'index'}}
  return %0 : i32
}

// -----

func.func @previous_line() -> index {
  %0 = "loom.get_symbol"() {name = 0} : () -> index
  // expected-error@-1 {{expected base attribute 'builtin.string' but got 'builtin.integer'}}
  return %0 : index
}

// -----

// Parse errors can be expected too.
func.func @parse_error() {
  // expected-error@+1 {{use of undeclared SSA value name}}
  return %undefined : index
}

// -----

// CHECK-LABEL: func.func @fine
// CHECK: "loom.get_symbol"() {name = "block_size_0"}
func.func @fine() -> index {
  %0 = "loom.get_symbol"() {name = "block_size_0"} : () -> index
  return %0 : index
}

// -----

// Only whole words are expectations: neither this unexpected-error nor expected-errors counts.
// CHECK-LABEL: func.func @prose
func.func @prose() {
  return
}
