/* The width of the host's vector registers, as the matmul kernels' register blocks are sized for
 * it (run/Vectorize.h). */
#ifndef HELION_MLIR_RUN_HOSTVECTORS_H
#define HELION_MLIR_RUN_HOSTVECTORS_H

#include "helion-mlir/run/Pipeline.h"

#ifdef __cplusplus
extern "C" {
#endif

/* From LLVM's host features, as the JIT compiles for them: 512 with AVX-512F, 256 with AVX, 128
 * otherwise (SSE2 is in every x86-64; any other host gets the narrowest blocks too). */
HmVectorBits hm_host_vector_bits(void);

/* The same for a feature list as LLVMGetHostCPUFeatures writes it ("+avx,-avx512f,..."). */
HmVectorBits hm_vector_bits_of_features(const char *features);

#ifdef __cplusplus
}
#endif

#endif
