// An expectation without its {{...}} message is an error.
// RUN: not %helion-opt --verify-diagnostics %s 2>&1 | FileCheck %s

func.func @f() {
  // expected-error@+1 missing braces
  return
}
// CHECK: verify-diagnostics-unclosed.mlir:[[@LINE-3]]:6: error: expected the message in '{{[{][{]}}...{{[}][}]}}'
