// --mlir-print-ir-before-all and --mlir-print-ir-after-all print the IR around every pass to
// stderr, as mlir-opt does, for textual and named pipelines alike (helion-lower-to-llvm's own passes
// included); stdout keeps the result.
// RUN: %helion-opt --mlir-print-ir-after-all --pass-pipeline='builtin.module(canonicalize)' %s 2>&1 >/dev/null | FileCheck %s --check-prefix=AFTER
// RUN: %helion-opt --mlir-print-ir-before-all --pass-pipeline='builtin.module(canonicalize)' %s 2>&1 >/dev/null | FileCheck %s --check-prefix=BEFORE
// RUN: %helion-opt --mlir-print-ir-after-all --helion-lower-to-llvm %s 2>&1 >/dev/null | FileCheck %s --check-prefix=NAMED
// RUN: %helion-opt --mlir-print-ir-after-all --pass-pipeline='builtin.module(canonicalize)' %s 2>/dev/null | FileCheck %s --check-prefix=RESULT

// AFTER: IR Dump After Canonicalizer (canonicalize)
// AFTER-NEXT: module {
// AFTER-NEXT: func.func @fold
// AFTER-NEXT: %[[C:.*]] = arith.constant 5 : index
// AFTER-NEXT: return %[[C]]
// BEFORE: IR Dump Before Canonicalizer (canonicalize)
// BEFORE: arith.addi
// NAMED: IR Dump After HelionVectorize (helion-vectorize)
// NAMED: IR Dump After HelionTreeReductions (helion-tree-reductions)
// NAMED: IR Dump After ReconcileUnrealizedCastsPass (reconcile-unrealized-casts)
// NAMED: llvm.func @fold
// RESULT-NOT: IR Dump
// RESULT: func.func @fold
// RESULT-NEXT: arith.constant 5 : index
func.func @fold() -> index {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %sum = arith.addi %c2, %c3 : index
  return %sum : index
}
