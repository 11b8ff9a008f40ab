// Ops of dialects that are neither upstream nor ours need --allow-unregistered-dialect.
// RUN: not %helion-opt %s 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: %helion-opt --allow-unregistered-dialect %s | FileCheck %s

// ERR: unregistered.mlir:[[@LINE+4]]:{{[0-9]+}}: error: operation being parsed with an unregistered dialect
// CHECK-LABEL: func.func @f
// CHECK: "mystery.relu"(%{{.*}}) : (tensor<4xf32>) -> tensor<4xf32>
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "mystery.relu"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
