#include "run/OpenMpRuntime.h"

#include <stdlib.h>
#include <string.h>

static void use_libomp(HmOpenMpRuntime *runtime) {
  *runtime = (HmOpenMpRuntime){.kind = HM_OPENMP_LIBOMP, .library = HM_LIBOMP_PATH};
}

static void use_libgomp(HmOpenMpRuntime *runtime) {
  *runtime = (HmOpenMpRuntime){.kind = HM_OPENMP_LIBGOMP};
  runtime->symbols = hm_gomp_bridge_symbols(&runtime->nsymbols);
}

bool hm_openmp_runtime(HmOpenMpRuntime *runtime, HmDiag *diag) {
  const char *asked = getenv("HELION_MLIR_OPENMP");
  if (!asked || !*asked || !strcmp(asked, "auto")) {
    if (hm_gomp_bridge_library())
      use_libgomp(runtime);
    else
      use_libomp(runtime);
    return true;
  }
  if (!strcmp(asked, "libomp")) {
    use_libomp(runtime);
    return true;
  }
  if (!strcmp(asked, "libgomp")) {
    if (!hm_gomp_bridge_library())
      return hm_diag_error(diag, "HELION_MLIR_OPENMP=libgomp, but this process has not loaded "
                           "libgomp (torch loads it; a C program links it with -fopenmp)");
    use_libgomp(runtime);
    return true;
  }
  return hm_diag_error(diag, "HELION_MLIR_OPENMP=%s: expected auto, libomp or libgomp", asked);
}

const char *hm_openmp_name(HmOpenMp kind) { return kind == HM_OPENMP_LIBGOMP ? "libgomp" : "libomp"; }
