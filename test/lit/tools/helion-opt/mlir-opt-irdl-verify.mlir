// mlir-opt enforces the same constraints from the IRDL files as helion-opt does.
// RUN: cat %dialects/helion.irdl.mlir %dialects/loom.irdl.mlir > %t.irdl.mlir
// RUN: %mlir-opt --irdl-file=%t.irdl.mlir --verify-diagnostics --split-input-file %s
// RUN: %helion-opt --verify-diagnostics --split-input-file %s

func.func @phi_types(%a: f32, %b: f64) -> f32 {
  // expected-error@+1 {{expected 'f32' but got 'f64'}}
  %0 = "helion.phi"(%a, %b) : (f32, f64) -> f32
  return %0 : f32
}

// -----

func.func @symbol_name() -> index {
  // expected-error@+1 {{expected base attribute 'builtin.string' but got 'builtin.integer'}}
  %0 = "loom.get_symbol"() {name = 7} : () -> index
  return %0 : index
}
