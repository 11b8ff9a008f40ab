// --helion-lower-to-llvm runs the pipeline the JIT uses (lib/run/Pipeline.c) and can be combined with
// other pipelines, which run in command-line order.
// RUN: %helion-opt --helion-lower-to-llvm %s | FileCheck %s
// RUN: %helion-opt --pass-pipeline='builtin.module(canonicalize)' --helion-lower-to-llvm %s \
// RUN:   | FileCheck %s

// CHECK: llvm.func @copy
// CHECK-NOT: affine.
// CHECK: llvm.func @_mlir_ciface_copy
func.func @copy(%a: memref<4xf32>, %b: memref<4xf32>) attributes {llvm.emit_c_interface} {
  affine.for %i = 0 to 4 {
    %v = affine.load %a[%i] : memref<4xf32>
    affine.store %v, %b[%i] : memref<4xf32>
  }
  return
}
