// Our IRDL ops parse without --allow-unregistered-dialect, print in generic form, and the printed
// form parses again to the same text.
// RUN: %helion-opt %s | FileCheck %s
// RUN: %helion-opt %s | %helion-opt | FileCheck %s

// CHECK-LABEL: func.func @loop_carried
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[P:.*]] = "helion.phi"(%[[A]], %[[B]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[P]]
func.func @loop_carried(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "helion.phi"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @block_size
// CHECK: %[[S:.*]] = "loom.get_symbol"() {name = "block_size_0"} : () -> index
// CHECK: return %[[S]]
func.func @block_size() -> index {
  %0 = "loom.get_symbol"() {name = "block_size_0"} : () -> index
  return %0 : index
}
