/* On an AVX-512 host, a kernel of cheap arithmetic compiles for 256-bit vector registers:
 * lib/run/VectorWidth.c says why and which kernels. */
#ifndef HELION_MLIR_RUN_VECTORWIDTH_H
#define HELION_MLIR_RUN_VECTORWIDTH_H

#include <stdbool.h>

#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether `func` (a func.func on tensors, as the lowering made it) runs no transcendental math,
 * no float max or min and no contraction: the kernels that 256-bit registers serve better. */
bool hm_prefers_narrow_vectors(MlirOperation func);

/* A pass on builtin.module ("helion-vector-width"), for hosts with 512-bit registers only: marks
 * each func.func that hm_prefers_narrow_vectors accepts so that LLVM compiles it with 256-bit
 * registers (the mark, LLVM function attributes, reaches the llvm.func). */
MlirPass hm_vector_width_pass(void);

#ifdef __cplusplus
}
#endif

#endif
