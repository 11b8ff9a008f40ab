// The matmul register blocks follow the vector registers they are sized for (lib/run/matmul.mlir's
// entry points, --vector-bits here; the JIT takes the host's): a block row is two registers of
// accumulators, with as many rows as the registers leave room for. The 32x32 accumulator of a
// matmul with a 16-wide K tile takes one FMA per block row, register and element of K.
//
// 512 bits (AVX-512, 32 registers): 8 x 32 f32 blocks, 8 x 16 f64, 8 * 16 FMAs per block.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | FileCheck %s --check-prefix=F32-512
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f64.mlir | FileCheck %s --check-prefix=F64-512
// 256 bits (AVX2, 16 registers): 4 x 16 f32, 4 x 8 f64, 4 * 16 FMAs per block.
// RUN: %helion-opt --vector-bits=256 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | FileCheck %s --check-prefix=F32-256
// RUN: %helion-opt --vector-bits=256 --helion-lower-to-llvm %S/Inputs/matmul_f64.mlir | FileCheck %s --check-prefix=F64-256
// The f16 matmul's widened f32 tiles have the f32 blocks.
// RUN: %helion-opt --vector-bits=256 --helion-lower-to-llvm %S/Inputs/matmul_f16.mlir | FileCheck %s --check-prefix=F32-256
// 128 bits (SSE, 16 registers): 4 x 8 f32, 4 x 4 f64.
// RUN: %helion-opt --vector-bits=128 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | FileCheck %s --check-prefix=F32-128
// RUN: %helion-opt --vector-bits=128 --helion-lower-to-llvm %S/Inputs/matmul_f64.mlir | FileCheck %s --check-prefix=F64-128
// The FMA counts, twice the block's: the matmul runs once for the whole K steps of whole tiles
// (lib/run/FullTiles.c) and once in the K loop as it was.
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | grep -c "llvm.intr.fmuladd" | FileCheck %s --check-prefix=N256
// RUN: %helion-opt --vector-bits=512 --helion-lower-to-llvm %S/Inputs/matmul_f64.mlir | grep -c "llvm.intr.fmuladd" | FileCheck %s --check-prefix=N256
// RUN: %helion-opt --vector-bits=256 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | grep -c "llvm.intr.fmuladd" | FileCheck %s --check-prefix=N128
// RUN: %helion-opt --vector-bits=256 --helion-lower-to-llvm %S/Inputs/matmul_f64.mlir | grep -c "llvm.intr.fmuladd" | FileCheck %s --check-prefix=N128
// RUN: %helion-opt --vector-bits=128 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | grep -c "llvm.intr.fmuladd" | FileCheck %s --check-prefix=N128
// The host's width, whichever it is, gives one of these blocks.
// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir | FileCheck %s --check-prefix=HOST
// A width the script has no blocks for is refused.
// RUN: not %helion-opt --vector-bits=1024 --helion-lower-to-llvm %S/Inputs/matmul_f32.mlir 2>&1 | FileCheck %s --check-prefix=BAD

// F32-512: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// F32-512-NOT: llvm.intr.fmuladd{{.*}}vector<16xf32>
// F64-512: llvm.intr.fmuladd({{.*}}) : (vector<16xf64>, vector<16xf64>, vector<16xf64>) -> vector<16xf64>
// F32-256-NOT: llvm.intr.fmuladd{{.*}}vector<32xf32>
// F32-256: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// F32-256-NOT: llvm.intr.fmuladd{{.*}}vector<32xf32>
// F64-256: llvm.intr.fmuladd({{.*}}) : (vector<8xf64>, vector<8xf64>, vector<8xf64>) -> vector<8xf64>
// F32-128: llvm.intr.fmuladd({{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// F64-128: llvm.intr.fmuladd({{.*}}) : (vector<4xf64>, vector<4xf64>, vector<4xf64>) -> vector<4xf64>
// N256: {{^256$}}
// N128: {{^128$}}
// HOST: llvm.intr.fmuladd({{.*}}) -> vector<{{8|16|32}}xf32>
// BAD: helion-opt: --vector-bits takes 128, 256 or 512, not '1024'
