// An explicit top-level module, as the lowering prints it, is kept as it is, not wrapped in another.
// RUN: %helion-opt %s | FileCheck %s

// CHECK: module @add {
// CHECK-NEXT: func.func @kernel
// CHECK-NOT: module
module @add {
  func.func @kernel(%i: index) -> index {
    %s = "loom.get_symbol"() {name = "block_size_1"} : () -> index
    %0 = "helion.phi"(%i, %s) : (index, index) -> index
    return %0 : index
  }
}
