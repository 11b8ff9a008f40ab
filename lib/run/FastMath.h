/* The fast-math flags the CPU code may use, set on a kernel module before the LLVM lowering. */
#ifndef HELION_MLIR_RUN_FASTMATH_H
#define HELION_MLIR_RUN_FASTMATH_H

#include "mlir-c/IR.h"

/* Marks the float arithmetic of `module_op` as Triton compiles it for a GPU: every f32 or f64 addf,
 * subf and mulf that carries no fast-math flags may be contracted (a multiply and an add become one FMA), and the
 * combiners of linalg.reduce may also be reassociated, since Helion's reductions (tl.sum, tl.max,
 * ...) promise no order; that is what lets LLVM vectorize them. Loop-carried accumulations, scans
 * and the elementwise ops keep their order. An f32 or f64 divf may multiply by the divisor's
 * reciprocal (arcp): a row divided by its sum or norm (softmax, normalizations) then costs one
 * division a row, as torch's own kernels compute it, within an ulp of the quotient. */
void hm_fastmath_mark(MlirOperation module_op);

#endif
