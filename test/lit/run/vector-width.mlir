// On an AVX-512 host a kernel of cheap arithmetic is compiled for 256-bit registers
// (helion-vector-width, lib/run/VectorWidth.c): its llvm.func carries the host's target features
// plus prefer-256-bit, and a min-legal-vector-width of 0, so that LLVM splits its 512-bit vectors
// into ymm halves. A kernel of transcendental math, or with a contraction, keeps its zmm registers;
// so does every kernel when the width is given (--vector-bits), whose output names no host. The
// numerics of both kinds run on the JIT in test/python/test_run.py.
// REQUIRES: host-avx512
// RUN: %helion-opt --helion-lower-to-llvm %s | FileCheck %s
// RUN: %helion-opt --helion-lower-to-llvm --vector-bits=512 %s | FileCheck %s --check-prefix=GIVEN
// RUN: %helion-opt --helion-lower-to-llvm %s | mlir-translate --mlir-to-llvmir | llc -O2 -mcpu=native | FileCheck %s --check-prefix=ASM
// GIVEN-NOT: passthrough

#id = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: llvm.func @squares(
// CHECK-SAME: passthrough = {{\[\["min-legal-vector-width", "0"\], \["target-features", ".*\+avx512f.*,\+prefer-256-bit"\]\]}}
// ASM-LABEL: squares..omp_par:
// ASM-NOT: zmm
// ASM: vmulps {{.*}}%ymm
// ASM-NOT: zmm
// ASM: .Lfunc_end
func.func @squares(%x: memref<64x1024xf32>, %out: memref<64x1024xf32>) {
  affine.parallel (%i, %j) = (0, 0) to (64, 1024) step (4, 256) {
    %v = memref.subview %x[%i, %j] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
    %e = tensor.empty() : tensor<4x256xf32>
    %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%t : tensor<4x256xf32>) outs(%e : tensor<4x256xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.mulf %a, %a : f32
      linalg.yield %m : f32
    } -> tensor<4x256xf32>
    %w = memref.subview %out[%i, %j] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
    bufferization.materialize_in_destination %sq in restrict writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[1024, 1], offset: ?>>) -> ()
  }
  return
}

// A row scaled by the rsqrt of its sum of squares: a reduction of one tensor and a broadcast of
// its result, no contraction; rsqrt is one instruction.
// CHECK-LABEL: llvm.func @rms_rows(
// CHECK-SAME: passthrough
#row = affine_map<(d0, d1) -> (d0)>
func.func @rms_rows(%x: memref<64x256xf32>, %out: memref<64x256xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (4) {
    %v = memref.subview %x[%i, 0] [4, 256] [1, 1] : memref<64x256xf32> to memref<4x256xf32, strided<[256, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[256, 1], offset: ?>> to tensor<4x256xf32>
    %e = tensor.empty() : tensor<4xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %sq = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
        ins(%t : tensor<4x256xf32>) outs(%z : tensor<4xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %m = arith.mulf %a, %a : f32
      %s = arith.addf %m, %acc : f32
      linalg.yield %s : f32
    } -> tensor<4xf32>
    %oe = tensor.empty() : tensor<4x256xf32>
    %norm = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
        ins(%t, %sq : tensor<4x256xf32>, tensor<4xf32>) outs(%oe : tensor<4x256xf32>) {
    ^bb0(%a: f32, %s: f32, %o: f32):
      %r = math.rsqrt %s : f32
      %y = arith.mulf %a, %r : f32
      linalg.yield %y : f32
    } -> tensor<4x256xf32>
    %w = memref.subview %out[%i, 0] [4, 256] [1, 1] : memref<64x256xf32> to memref<4x256xf32, strided<[256, 1], offset: ?>>
    bufferization.materialize_in_destination %norm in restrict writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[256, 1], offset: ?>>) -> ()
  }
  return
}

// exp is a polynomial: compute-bound, half the instructions in zmm.
// CHECK-LABEL: llvm.func @exps(
// CHECK-NOT: passthrough
// CHECK: llvm.return
// ASM-LABEL: exps..omp_par:
// ASM: zmm
func.func @exps(%x: memref<64x1024xf32>, %out: memref<64x1024xf32>) {
  affine.parallel (%i, %j) = (0, 0) to (64, 1024) step (4, 256) {
    %v = memref.subview %x[%i, %j] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
    %t = bufferization.to_tensor %v restrict : memref<4x256xf32, strided<[1024, 1], offset: ?>> to tensor<4x256xf32>
    %e = tensor.empty() : tensor<4x256xf32>
    %ex = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%t : tensor<4x256xf32>) outs(%e : tensor<4x256xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = math.exp %a : f32
      linalg.yield %m : f32
    } -> tensor<4x256xf32>
    %w = memref.subview %out[%i, %j] [4, 256] [1, 1] : memref<64x1024xf32> to memref<4x256xf32, strided<[1024, 1], offset: ?>>
    bufferization.materialize_in_destination %ex in restrict writable %w : (tensor<4x256xf32>, memref<4x256xf32, strided<[1024, 1], offset: ?>>) -> ()
  }
  return
}

// A matmul written out as a generic: both inputs vary along the reduction dimension.
// CHECK-LABEL: llvm.func @products(
// CHECK-NOT: passthrough
// CHECK: llvm.return
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @products(%x: memref<64x32xf32>, %y: memref<32x64xf32>, %out: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i) = (0) to (64) step (16) {
    %xv = memref.subview %x[%i, 0] [16, 32] [1, 1] : memref<64x32xf32> to memref<16x32xf32, strided<[32, 1], offset: ?>>
    %xt = bufferization.to_tensor %xv restrict : memref<16x32xf32, strided<[32, 1], offset: ?>> to tensor<16x32xf32>
    %yt = bufferization.to_tensor %y restrict : memref<32x64xf32> to tensor<32x64xf32>
    %e = tensor.empty() : tensor<16x64xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
    %p = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%xt, %yt : tensor<16x32xf32>, tensor<32x64xf32>) outs(%z : tensor<16x64xf32>) {
    ^bb0(%l: f32, %r: f32, %acc: f32):
      %m = arith.mulf %l, %r : f32
      %s = arith.addf %m, %acc : f32
      linalg.yield %s : f32
    } -> tensor<16x64xf32>
    %w = memref.subview %out[%i, 0] [16, 64] [1, 1] : memref<64x64xf32> to memref<16x64xf32, strided<[64, 1], offset: ?>>
    bufferization.materialize_in_destination %p in restrict writable %w : (tensor<16x64xf32>, memref<16x64xf32, strided<[64, 1], offset: ?>>) -> ()
  }
  return
}
