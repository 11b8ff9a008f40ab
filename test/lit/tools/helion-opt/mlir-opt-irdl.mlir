// Upstream mlir-opt accepts our ops once given the IRDL definitions; it takes one --irdl-file, so
// the two dialects are concatenated (or printed by helion-opt --print-irdl, which is the same text).
// RUN: cat %dialects/helion.irdl.mlir %dialects/loom.irdl.mlir > %t.irdl.mlir
// RUN: %mlir-opt --irdl-file=%t.irdl.mlir %s | FileCheck %s
// RUN: %helion-opt --print-irdl > %t.printed.irdl.mlir
// RUN: diff %t.irdl.mlir %t.printed.irdl.mlir
// And mlir-opt's output is helion-opt's input.
// RUN: %mlir-opt --irdl-file=%t.irdl.mlir %s | %helion-opt | FileCheck %s

// CHECK-LABEL: func.func @f
// CHECK: "loom.get_symbol"() {name = "block_size_0"} : () -> index
// CHECK: "helion.phi"(%{{.*}}, %{{.*}}) : (index, index) -> index
func.func @f(%i: index) -> index {
  %s = "loom.get_symbol"() {name = "block_size_0"} : () -> index
  %0 = "helion.phi"(%i, %s) : (index, index) -> index
  return %0 : index
}
