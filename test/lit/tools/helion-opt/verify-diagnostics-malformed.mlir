// A malformed expectation is an error of its own, so that a typo cannot make a test vacuous.
// RUN: not %helion-opt --verify-diagnostics %s 2>&1 | FileCheck %s

func.func @f() {
  // expected-error@above {{a}}
  return
}
// CHECK: verify-diagnostics-malformed.mlir:[[@LINE-3]]:6: error: expected '@+N' or '@-N' naming a line of the input
