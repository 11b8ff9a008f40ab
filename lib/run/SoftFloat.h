/* The compiler-runtime float conversions the JIT's code may call on hosts without them in hardware.
 *
 * LLVM soft-promotes bf16 on x86 without AVX512-BF16 (AMD Zen 3, any AVX2 machine): a bf16 vector it
 * cannot keep as bf16 (an element inserted into it, a masked load scalarized) is held as f32 and
 * rounded back to bf16 through the libcall __truncsfbf2, one call per element. Debian 12's libgcc
 * (GCC 12) has no __truncsfbf2 and compiler-rt is not linked in, so the JIT would fail to resolve it
 * and the kernel would not link at all; with AVX512-BF16 LLVM rounds in hardware (vcvtneps2bf16) and
 * never calls it. The JIT defines these symbols itself, as it does memrefCopy. */
#ifndef HELION_MLIR_RUN_SOFTFLOAT_H
#define HELION_MLIR_RUN_SOFTFLOAT_H

#include "run/GompBridge.h"

/* The conversions (name, address) for a JIT to define. */
const HmRuntimeSymbol *hm_soft_float_symbols(size_t *count);

#endif
