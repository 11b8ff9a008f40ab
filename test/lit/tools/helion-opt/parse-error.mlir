// A syntax error is reported as FILE:LINE:COL: error: MESSAGE, with exit status 1 and no output.
// RUN: not %helion-opt %s 2>&1 | FileCheck %s
// RUN: not %helion-opt %s 2>/dev/null | count 0

func.func @f() -> index {
  %c1 = arith.constant 1 : index
  return %c1 :
}
// CHECK: parse-error.mlir:[[@LINE-2]]:15: error: expected non-function type
