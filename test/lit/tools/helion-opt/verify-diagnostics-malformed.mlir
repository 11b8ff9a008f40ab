// A malformed expectation is an error of its own, so that a typo cannot make a test vacuous. Line
// offsets are read with checked arithmetic: none wraps around to a line that exists.
// RUN: rm -rf %t && split-file %s %t
// RUN: not %helion-opt --verify-diagnostics %t/sideways.mlir 2>&1 | FileCheck %s --check-prefix=SIDEWAYS
// RUN: not %helion-opt --verify-diagnostics %t/int64.mlir 2>&1 | FileCheck %s --check-prefix=INT64
// RUN: not %helion-opt --verify-diagnostics %t/uint32.mlir 2>&1 | FileCheck %s --check-prefix=UINT32
// RUN: not %helion-opt --verify-diagnostics %t/past-end.mlir 2>&1 | FileCheck %s --check-prefix=PAST-END
// RUN: not %helion-opt --verify-diagnostics %t/before-start.mlir 2>&1 | FileCheck %s --check-prefix=BEFORE-START
// RUN: not %helion-opt --verify-diagnostics %t/no-digits.mlir 2>&1 | FileCheck %s --check-prefix=NO-DIGITS
// RUN: not %helion-opt --verify-diagnostics %t/above-first.mlir 2>&1 | FileCheck %s --check-prefix=ABOVE-FIRST

// SIDEWAYS: sideways.mlir:2:6: error: expected '@+N' or '@-N' naming a line of the input, '@above', '@below' or '@unknown'
// INT64: int64.mlir:1:37: error: expected '@+N' or '@-N' naming a line of the input
// UINT32: uint32.mlir:1:37: error: expected '@+N' or '@-N' naming a line of the input
// PAST-END: past-end.mlir:2:6: error: expected '@+N' or '@-N' naming a line of the input
// BEFORE-START: before-start.mlir:2:6: error: expected '@+N' or '@-N' naming a line of the input
// NO-DIGITS: no-digits.mlir:2:6: error: expected '@+N' or '@-N' naming a line of the input
// ABOVE-FIRST: above-first.mlir:1:4: error: '@above' with no line above it

//--- sideways.mlir
func.func @f() {
  // expected-error@sideways {{a}}
  return
}
//--- int64.mlir
"test.unregistered"() : () -> () // expected-error@+9223372036854775807 {{a}}
//--- uint32.mlir
"test.unregistered"() : () -> () // expected-error@+4294967296 {{a}}
//--- past-end.mlir
func.func @f() {
  // expected-error@+3 {{a}}
  return
}
//--- before-start.mlir
func.func @f() {
  // expected-error@-2 {{a}}
  return
}
//--- no-digits.mlir
func.func @f() {
  // expected-error@+ {{a}}
  return
}
//--- above-first.mlir
// expected-error@above {{a}}
func.func @f() {
  return
}
