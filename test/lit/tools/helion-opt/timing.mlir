// --mlir-timing prints each pass's wall time to stderr once the pipelines ran, as mlir-opt does, for
// textual and named pipelines alike (helion-lower-to-llvm's own passes included); stdout keeps the
// result.
// RUN: %helion-opt --mlir-timing --pass-pipeline='builtin.module(canonicalize,cse)' %s 2>&1 >/dev/null | FileCheck %s --check-prefix=TEXTUAL
// RUN: %helion-opt --mlir-timing --helion-lower-to-llvm %s 2>&1 >/dev/null | FileCheck %s --check-prefix=NAMED
// RUN: %helion-opt --mlir-timing --pass-pipeline='builtin.module(canonicalize)' %s 2>/dev/null | FileCheck %s --check-prefix=RESULT

// TEXTUAL: Execution time report
// TEXTUAL: Total Execution Time: {{[0-9.]+}} seconds
// TEXTUAL: Canonicalizer
// TEXTUAL-NEXT: CSE
// TEXTUAL: Total
// NAMED: Execution time report
// NAMED: HelionVectorize
// NAMED: OneShotBufferizePass
// NAMED: HelionTreeReductions
// NAMED: ReconcileUnrealizedCastsPass
// RESULT-NOT: Execution time report
// RESULT: func.func @fold
// RESULT-NEXT: arith.constant 5 : index
func.func @fold() -> index {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %sum = arith.addi %c2, %c3 : index
  return %sum : index
}
