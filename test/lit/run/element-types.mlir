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

// -----

// fp8 has no LLVM type: its memrefs hold bytes, and helion-expand-fp8 (lib/run/Fp8.c) makes the
// conversions integer operations on them (the numerics against torch: test/python/test_fp8.py).
// CHECK-LABEL: llvm.func @widen_e4m3fn(
// CHECK: %[[BYTE:.+]] = llvm.load %{{.+}} : !llvm.ptr -> i8
// CHECK: llvm.zext %[[BYTE]] : i8 to i32
// CHECK: llvm.uitofp %{{.+}} : i32 to f32
// CHECK: %[[BITS:.+]] = llvm.or
// CHECK: %[[F:.+]] = llvm.bitcast %[[BITS]] : i32 to f32
// CHECK: llvm.store %[[F]], %{{.+}} : f32, !llvm.ptr
func.func @widen_e4m3fn(%x: memref<4xf8E4M3FN>, %y: memref<4xf32>, %i: index) {
  %v = memref.load %x[%i] : memref<4xf8E4M3FN>
  %e = arith.extf %v : f8E4M3FN to f32
  memref.store %e, %y[%i] : memref<4xf32>
  return
}

// -----

// A vector narrows lane by lane in vector integer ops, to a vector of bytes.
// CHECK-LABEL: llvm.func @narrow_e5m2(
// CHECK: llvm.bitcast %{{.+}} : vector<8xf32> to vector<8xi32>
// CHECK: llvm.lshr %{{.+}}, %{{.+}} : vector<8xi32>
// CHECK: %[[BYTES:.+]] = llvm.trunc %{{.+}} : vector<8xi32> to vector<8xi8>
// CHECK: llvm.store %[[BYTES]], %{{.+}} : vector<8xi8>, !llvm.ptr
func.func @narrow_e5m2(%x: memref<8xf32>, %y: memref<8xf8E5M2>, %i: index) {
  %v = vector.load %x[%i] : memref<8xf32>, vector<8xf32>
  %t = arith.truncf %v : vector<8xf32> to vector<8xf8E5M2>
  vector.store %t, %y[%i] : memref<8xf8E5M2>, vector<8xf8E5M2>
  return
}

// -----

// Arithmetic on fp8 computes in f32 and rounds back.
// CHECK-LABEL: llvm.func @add_e4m3fn(
// CHECK-NOT: f8E4M3FN
// CHECK: llvm.fadd {{.*}} : f32
// CHECK: llvm.trunc %{{.+}} : i32 to i8
// CHECK: llvm.return
func.func @add_e4m3fn(%x: memref<4xf8E4M3FN>, %i: index, %j: index) {
  %a = memref.load %x[%i] : memref<4xf8E4M3FN>
  %b = memref.load %x[%j] : memref<4xf8E4M3FN>
  %s = arith.addf %a, %b : f8E4M3FN
  memref.store %s, %x[%i] : memref<4xf8E4M3FN>
  return
}
