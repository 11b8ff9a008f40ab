// --pass-pipeline runs a textual pipeline.
// RUN: %helion-opt --pass-pipeline='builtin.module(canonicalize,cse)' %s | FileCheck %s
// Pipelines run one after the other, in command-line order.
// RUN: %helion-opt --pass-pipeline='builtin.module(cse)' --pass-pipeline='builtin.module(canonicalize)' %s | FileCheck %s
// Without a pipeline the IR is printed unchanged.
// RUN: %helion-opt %s | FileCheck %s --check-prefix=NONE

// CHECK-LABEL: func.func @fold
// CHECK-NEXT: %[[C:.*]] = arith.constant 5 : index
// CHECK-NEXT: %[[S:.*]] = "loom.get_symbol"() {name = "block_size_0"}
// CHECK-NEXT: %[[P:.*]] = "helion.phi"(%[[C]], %[[S]])
// CHECK-NEXT: return %[[P]]
// NONE-LABEL: func.func @fold
// NONE: arith.addi
func.func @fold() -> index {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %sum = arith.addi %c2, %c3 : index
  %s = "loom.get_symbol"() {name = "block_size_0"} : () -> index
  %0 = "helion.phi"(%sum, %s) : (index, index) -> index
  return %0 : index
}

// IRDL ops declare no traits, so MLIR must assume they have side effects: an unused one stays.
// CHECK-LABEL: func.func @unused
// CHECK-NEXT: "loom.get_symbol"() {name = "block_size_1"}
// CHECK-NEXT: return
func.func @unused() {
  %s = "loom.get_symbol"() {name = "block_size_1"} : () -> index
  return
}
