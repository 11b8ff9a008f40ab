#include "run/HostVectors.h"

#include <stdbool.h>
#include <string.h>

#include "llvm-c/Core.h"
#include "llvm-c/TargetMachine.h"

/* Whether the comma-separated list enables `name` ("+name"); "+avx512f" does not enable "avx". */
static bool enables(const char *features, const char *name) {
  size_t n = strlen(name);
  for (const char *item = features; *item;) {
    const char *end = strchr(item, ',');
    size_t len = end ? (size_t)(end - item) : strlen(item);
    if (len == n + 1 && item[0] == '+' && memcmp(item + 1, name, n) == 0)
      return true;
    if (!end)
      break;
    item = end + 1;
  }
  return false;
}

HmVectorBits hm_vector_bits_of_features(const char *features) {
  if (!features)
    return HM_VECTOR_BITS_128;
  if (enables(features, "avx512f"))
    return HM_VECTOR_BITS_512;
  return enables(features, "avx") ? HM_VECTOR_BITS_256 : HM_VECTOR_BITS_128;
}

HmVectorBits hm_host_vector_bits(void) {
  char *features = LLVMGetHostCPUFeatures();
  HmVectorBits bits = hm_vector_bits_of_features(features);
  LLVMDisposeMessage(features);
  return bits;
}
