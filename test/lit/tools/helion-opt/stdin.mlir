// With no input file, or with "-", helion-opt reads stdin, and names it <stdin> in diagnostics.
// RUN: %helion-opt < %s | FileCheck %s
// RUN: %helion-opt - < %s | FileCheck %s
// RUN: not %helion-opt < %S/Inputs/bad-phi.mlir 2>&1 | FileCheck %s --check-prefix=ERR

// CHECK-LABEL: func.func @from_stdin
// CHECK: "loom.get_symbol"() {name = "block_size_0"}
func.func @from_stdin() -> index {
  %0 = "loom.get_symbol"() {name = "block_size_0"} : () -> index
  return %0 : index
}

// ERR: <stdin>:{{[0-9]+}}:8: error: expected 'f32' but got 'f64'
