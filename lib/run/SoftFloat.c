#include "run/SoftFloat.h"

#include <stdint.h>
#include <string.h>

/* f32 to bf16, rounding to nearest even as LLVM's fptrunc (and torch's .to(torch.bfloat16)) does: a
 * NaN stays a NaN (quieted, its sign kept), an overflow becomes infinity. The x86-64 psABI returns a
 * bf16 in the low 16 bits of xmm0, where a float is returned: the result is returned as the float
 * whose bits are the bf16's, the upper 16 zero. GCC 12 has no __bf16 type to declare it with. */
static float truncsfbf2(float x) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  uint32_t rounded = (bits & 0x7fffffffu) > 0x7f800000u ? (bits >> 16) | 0x40u
                                                        : (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  float out;
  memcpy(&out, &rounded, sizeof out);
  return out;
}

static const HmRuntimeSymbol kSymbols[] = {{"__truncsfbf2", (void *)truncsfbf2}};

const HmRuntimeSymbol *hm_soft_float_symbols(size_t *count) {
  *count = sizeof kSymbols / sizeof kSymbols[0];
  return kSymbols;
}
