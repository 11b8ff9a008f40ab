/* The 8-bit float conversions the CPU code needs, as integer bit operations: LLVM has no 8-bit float
 * type, so its lowering leaves arith.extf and arith.truncf on f8E4M3FN and f8E5M2 behind. */
#ifndef HELION_MLIR_RUN_FP8_H
#define HELION_MLIR_RUN_FP8_H

#include "mlir-c/Pass.h"

/* A pass on builtin.module rewriting every arith.extf from f8E4M3FN or f8E5M2 (scalars or vectors) to
 * a wider float, and every arith.truncf from f32 to one of them, into integer operations on the
 * bits, with torch's results for every input: the widening is exact (e4m3fn's NaN 0x7f, e5m2's
 * infinities and NaNs included); the narrowing rounds to nearest even, a magnitude past the largest
 * finite value becomes e4m3fn's NaN (it has no infinity) or e5m2's infinity, and NaN becomes 0x7f
 * with its sign. A truncf to fp8 from any type but f32 is left for the LLVM lowering to report:
 * torch narrows f64 to fp8 through f32 (two roundings), and the lowering says so itself. */
MlirPass hm_fp8_pass(void);

#endif
