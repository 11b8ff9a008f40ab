/* Lowering an interchange spec to a verified MLIR module.
 *
 * The module holds one func.func named after the kernel, with `llvm.emit_c_interface`; its arguments
 * are one memref per host tensor, in hm_spec_host_tensor order (static sizes from the example
 * arguments, `?` where the spec's size is symbolic). Outputs are written in place.
 */
#ifndef HELION_MLIR_LOWER_H
#define HELION_MLIR_LOWER_H

#include "helion-mlir/support/Diag.h"
#include "helion-mlir/spec/Spec.h"
#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum HmTileMode {
  HM_TILES_CONCRETE, /* tile sizes are constants from the spec's config */
  HM_TILES_SYMBOLIC, /* tile sizes are `loom.get_symbol` values */
} HmTileMode;

typedef enum HmAtenMode {
  HM_ATEN_LINALG, /* ATen compute becomes linalg-on-tensors with arith/math bodies */
  HM_ATEN_TORCH,  /* ATen compute stays as generic `torch.aten.*` ops; hm_lower then allows
                     unregistered dialects in the context */
} HmAtenMode;

typedef struct HmLowerOptions {
  HmTileMode tiles;
  HmAtenMode aten;
} HmLowerOptions;

/* Returns the verified module, owned by the caller (mlirModuleDestroy), or a null module with the
 * first problem in `diag`. The context must come from hm_context_create. */
MlirModule hm_lower(MlirContext ctx, const HmSpec *spec, HmLowerOptions options, HmDiag *diag);

/* The Device IR and ATen targets the linalg lowering handles, by index; NULL past the last one.
 * (With HM_ATEN_TORCH every ATen op is handled.) */
const char *hm_lower_supported_op(size_t index);

#ifdef __cplusplus
}
#endif

#endif
