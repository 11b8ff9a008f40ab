/* MLIR's polynomial approximations of f32 math functions, for code that LLVM can vectorize. */
#ifndef HELION_MLIR_RUN_MATHAPPROXIMATION_H
#define HELION_MLIR_RUN_MATHAPPROXIMATION_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pass on builtin.module rewriting math.erf, exp, exp2, expm1, log, log1p and tanh on f32 (scalars or
 * vectors) into arith ops: polynomials after a range reduction, as precise as the libm calls
 * within a few ulp. A libm call is a scalar call per element in a loop LLVM could otherwise
 * vectorize; the polynomial vectorizes with it. Other functions, and other types, keep their
 * intrinsic or libm call: 16-bit erf too, which torch computes through erff and rounds (its
 * approximation moved f16 GELU results by two ulps from torch's, examples/pointwise.py
 * activations). */
MlirPass hm_math_approximation_pass(void);

#ifdef __cplusplus
}
#endif

#endif
