/* The vector width the matmul register blocks are sized for, from LLVM's feature lists
 * (lib/run/HostVectors.c): a feature counts only when enabled, and only by its whole name. */
#include "UnitTest.h"
#include "run/HostVectors.h"

static void avx512f_is_512_bits(void) {
  UT_CHECK(hm_vector_bits_of_features("+sse2,+avx,+avx2,+fma,+avx512f,+avx512vl") == HM_VECTOR_BITS_512);
}

static void avx_without_avx512f_is_256_bits(void) {
  /* Zen 3: AVX2 and FMA, AVX-512 listed as disabled. */
  UT_CHECK(hm_vector_bits_of_features("+sse2,+avx,+avx2,+fma,-avx512f,-avx512vl") == HM_VECTOR_BITS_256);
  UT_CHECK(hm_vector_bits_of_features("-avx512f,+avx") == HM_VECTOR_BITS_256);
}

static void sse_only_is_128_bits(void) {
  UT_CHECK(hm_vector_bits_of_features("+sse2,-avx,-avx2,-avx512f") == HM_VECTOR_BITS_128);
  UT_CHECK(hm_vector_bits_of_features("") == HM_VECTOR_BITS_128);
  UT_CHECK(hm_vector_bits_of_features(NULL) == HM_VECTOR_BITS_128);
}

static void a_feature_is_matched_by_its_whole_name(void) {
  /* avx512fp16 and avxvnni are not avx512f and avx. */
  UT_CHECK(hm_vector_bits_of_features("+avx512fp16,+avxvnni,-avx") == HM_VECTOR_BITS_128);
}

static void the_host_has_a_width(void) {
  HmVectorBits bits = hm_host_vector_bits();
  UT_CHECK(bits == HM_VECTOR_BITS_128 || bits == HM_VECTOR_BITS_256 || bits == HM_VECTOR_BITS_512);
}

static const UtCase kCases[] = {
    {"avx512f_is_512_bits", avx512f_is_512_bits},
    {"avx_without_avx512f_is_256_bits", avx_without_avx512f_is_256_bits},
    {"sse_only_is_128_bits", sse_only_is_128_bits},
    {"a_feature_is_matched_by_its_whole_name", a_feature_is_matched_by_its_whole_name},
    {"the_host_has_a_width", the_host_has_a_width},
};
UT_SUITE(host_vectors_tests, kCases);
