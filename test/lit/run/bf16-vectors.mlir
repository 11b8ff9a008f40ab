// A bf16 vector filled element by element (a masked read of a row whose stride is known only at
// run time, as the packing of a matmul's tile over a host tensor of dynamic strides is) stays a
// vector<16xbf16> in the LLVM dialect. x86 without AVX512-BF16 (AMD Zen 3, any AVX2 machine)
// soft-promotes such a vector to f32 and rounds each element back through __truncsfbf2, which
// Debian 12's libgcc lacks: the JIT defines it itself (lib/run/SoftFloat.c), its rounding checked
// by the unit tests (test/unit/run/SoftFloatTest.c), and a kernel of such reads against torch in
// test/python/test_dynamic.py::test_bf16_matmul_module_runs_at_several_sizes. With AVX512-BF16 no
// call is made. The width is given so that the output names no host's features
// (lib/run/VectorWidth.c) and llc compiles it for the CPUs named.
// RUN: %helion-opt --helion-lower-to-llvm %s | FileCheck %s
// RUN: %helion-opt --helion-lower-to-llvm --vector-bits=512 %s | mlir-translate --mlir-to-llvmir | llc -O2 -mcpu=znver3 | FileCheck %s --check-prefix=AVX2
// RUN: %helion-opt --helion-lower-to-llvm --vector-bits=512 %s | mlir-translate --mlir-to-llvmir | llc -O2 -mcpu=sapphirerapids | FileCheck %s --check-prefix=BF16
// RUN: %helion-mlir-unittests | FileCheck %s --check-prefix=UNIT

// CHECK-LABEL: llvm.func @read_bf16_row(
// CHECK: llvm.load {{.*}} -> bf16
// CHECK: llvm.insertelement {{.*}} : vector<16xbf16>
// AVX2-LABEL: read_bf16_row:
// AVX2: callq __truncsfbf2
// BF16-LABEL: read_bf16_row:
// BF16-NOT: __truncsfbf2
// BF16: retq
// UNIT: ok   soft_float_tests.truncsfbf2_rounds_to_nearest_even
// UNIT: ok   soft_float_tests.truncsfbf2_keeps_nan_a_nan
func.func @read_bf16_row(%src: memref<?x?xbf16, strided<[?, ?]>>, %dst: memref<16xbf16>, %n: index) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : bf16
  %mask = vector.create_mask %n : vector<16xi1>
  %row = vector.transfer_read %src[%c0, %c0], %pad, %mask {in_bounds = [true]}
      : memref<?x?xbf16, strided<[?, ?]>>, vector<16xbf16>
  vector.transfer_write %row, %dst[%c0] {in_bounds = [true]} : vector<16xbf16>, memref<16xbf16>
  return
}
