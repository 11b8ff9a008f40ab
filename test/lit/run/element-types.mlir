// Element types and ops the JIT must handle without runtime helpers it cannot find: half and
// bfloat math goes through f32, math with no LLVM intrinsic (erf) becomes a libm call, index ops lower.
// RUN: %helion-opt --helion-lower-to-llvm --split-input-file %s | FileCheck %s

// f16 exp: computed in f32 and rounded, as torch does on the CPU.
// CHECK-LABEL: llvm.func @exp_f16(
// CHECK: llvm.fpext {{.*}} : f16 to f32
// CHECK: llvm.intr.exp({{.*}}) : (f32) -> f32
// CHECK: llvm.fptrunc {{.*}} : f32 to f16
func.func @exp_f16(%x: memref<4xf16>, %i: index) {
  %v = memref.load %x[%i] : memref<4xf16>
  %e = math.exp %v : f16
  memref.store %e, %x[%i] : memref<4xf16>
  return
}

// -----

// bf16 add: f32 arithmetic, and the conversions as integer bit operations (no __truncsfbf2).
// CHECK-LABEL: llvm.func @add_bf16(
// CHECK-NOT: llvm.fpext {{.*}} : bf16
// CHECK: llvm.fadd {{.*}} : f32
// CHECK-NOT: llvm.fptrunc {{.*}} to bf16
// CHECK: llvm.return
func.func @add_bf16(%x: memref<4xbf16>, %i: index) {
  %v = memref.load %x[%i] : memref<4xbf16>
  %s = arith.addf %v, %v : bf16
  memref.store %s, %x[%i] : memref<4xbf16>
  return
}

// -----

// erf has no LLVM intrinsic: on f32 it is MLIR's polynomial (helion-math-approximation), not a
// libm call per element; on f16 it is libm's erff of the value extended to f32, rounded back.
// CHECK-LABEL: llvm.func @erf_f32(
// CHECK-NOT: llvm.call @erff
// CHECK: llvm.return
func.func @erf_f32(%x: memref<4xf32>, %i: index) {
  %v = memref.load %x[%i] : memref<4xf32>
  %t = math.erf %v : f32
  memref.store %t, %x[%i] : memref<4xf32>
  return
}

// -----

// CHECK-LABEL: llvm.func @erf_f16(
// CHECK: llvm.fpext {{.*}} : f16 to f32
// CHECK: llvm.call @erff({{.*}}) : (f32) -> f32
// CHECK: llvm.fptrunc {{.*}} : f32 to f16
func.func @erf_f16(%x: memref<4xf16>, %i: index) {
  %v = memref.load %x[%i] : memref<4xf16>
  %t = math.erf %v : f16
  memref.store %t, %x[%i] : memref<4xf16>
  return
}

// -----

// CHECK-LABEL: llvm.func @index_ops(
// CHECK: llvm.add {{.*}} : i64
func.func @index_ops(%x: memref<8xf32>, %i: index) {
  %c1 = index.constant 1
  %j = index.add %i, %c1
  %v = memref.load %x[%j] : memref<8xf32>
  memref.store %v, %x[%i] : memref<8xf32>
  return
}
