/* The float conversions the JIT defines for hosts without them in hardware (lib/run/SoftFloat.c):
 * __truncsfbf2 against torch's f32 -> bf16 rounding, called through the ABI LLVM's code calls it with
 * (the bf16 in the low 16 bits of xmm0, read here as the bits of a returned float). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "UnitTest.h"
#include "run/SoftFloat.h"

static float (*truncsfbf2(void))(float) {
  size_t n = 0;
  const HmRuntimeSymbol *symbols = hm_soft_float_symbols(&n);
  for (size_t i = 0; i < n; ++i)
    if (strcmp(symbols[i].name, "__truncsfbf2") == 0)
      return (float (*)(float))symbols[i].address;
  return NULL;
}

static uint32_t bits_of(float x) {
  uint32_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}

static float from_bits(uint32_t b) {
  float x;
  memcpy(&x, &b, sizeof x);
  return x;
}

/* The bf16 bits __truncsfbf2 gives for x; its upper 16 bits must be zero. */
static uint32_t rounded(float x) { return bits_of(truncsfbf2()(x)); }

static void truncsfbf2_is_defined(void) { UT_CHECK(truncsfbf2() != NULL); }

static void truncsfbf2_rounds_to_nearest_even(void) {
  if (!UT_CHECK(truncsfbf2() != NULL))
    return;
  UT_CHECK(rounded(1.0f) == 0x3f80u);
  UT_CHECK(rounded(-2.5f) == 0xc020u);
  UT_CHECK(rounded(0.0f) == 0x0000u);
  UT_CHECK(rounded(-0.0f) == 0x8000u);
  /* Halfway between 0x3f80 and 0x3f81: to the even 0x3f80; between 0x3f81 and 0x3f82: to 0x3f82. */
  UT_CHECK(rounded(from_bits(0x3f808000u)) == 0x3f80u);
  UT_CHECK(rounded(from_bits(0x3f818000u)) == 0x3f82u);
  /* Just above and below halfway. */
  UT_CHECK(rounded(from_bits(0x3f808001u)) == 0x3f81u);
  UT_CHECK(rounded(from_bits(0x3f807fffu)) == 0x3f80u);
  /* A subnormal keeps its bits' rounding; the largest finite f32 overflows to infinity. */
  UT_CHECK(rounded(from_bits(0x00018000u)) == 0x0002u);
  UT_CHECK(rounded(from_bits(0x7f7fffffu)) == 0x7f80u);
  UT_CHECK(rounded(INFINITY) == 0x7f80u);
  UT_CHECK(rounded(-INFINITY) == 0xff80u);
}

static void truncsfbf2_keeps_nan_a_nan(void) {
  if (!UT_CHECK(truncsfbf2() != NULL))
    return;
  /* A signalling NaN whose payload is all in the low bits would round to infinity: it is quieted. */
  uint32_t nan = rounded(from_bits(0x7f800001u));
  UT_CHECK((nan & 0x7f80u) == 0x7f80u && (nan & 0x007fu) != 0 && nan <= 0xffffu);
  UT_CHECK((rounded(from_bits(0xffc00000u)) & 0xffc0u) == 0xffc0u);
}

static const UtCase kCases[] = {
    {"truncsfbf2_is_defined", truncsfbf2_is_defined},
    {"truncsfbf2_rounds_to_nearest_even", truncsfbf2_rounds_to_nearest_even},
    {"truncsfbf2_keeps_nan_a_nan", truncsfbf2_keeps_nan_a_nan},
};

UT_SUITE(soft_float_tests, kCases);
