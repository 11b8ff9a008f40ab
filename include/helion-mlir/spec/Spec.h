/* The interchange spec (docs/interchange.md, versions 1 and 2) read into C.
 *
 * hm_spec_parse checks the structure on read and names the JSON path of the first violation
 * ("$.graphs[0].nodes[4].args[1]: reference to undefined node 'lod'"). The HmSpec owns every string
 * and array it hands out; they live until hm_spec_destroy.
 */
#ifndef HELION_MLIR_SPEC_H
#define HELION_MLIR_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helion-mlir/support/Diag.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum HmDtype {
  HM_DTYPE_INVALID = 0,
  HM_DTYPE_F64, HM_DTYPE_F32, HM_DTYPE_F16, HM_DTYPE_BF16, HM_DTYPE_I64, HM_DTYPE_I32, HM_DTYPE_I16, HM_DTYPE_I8, HM_DTYPE_U8, HM_DTYPE_BOOL,
  HM_DTYPE_F8E4M3FN, HM_DTYPE_F8E5M2,
} HmDtype;

HmDtype hm_dtype_from_name(const char *name);
const char *hm_dtype_name(HmDtype dtype);
size_t hm_dtype_size(HmDtype dtype);
bool hm_dtype_is_float(HmDtype dtype);

/* A size: a static integer, or a symbolic expression ("u0", "s77") with its example value. */
typedef struct HmDim {
  const char *sym; /* NULL when static */
  int64_t value;   /* the static size, or the symbol's example value (-1 when unknown) */
} HmDim;

typedef struct HmHostTensor {
  const char *name;
  bool is_argument;   /* a kernel argument; otherwise allocated by the kernel's host code */
  int arg_index;      /* position among the kernel's arguments, -1 when allocated */
  int output_index;   /* position among the kernel's returned tensors, -1 when not returned */
  size_t rank;
  const HmDim *shape;
  const HmDim *stride;
  HmDtype dtype;
} HmHostTensor;

typedef struct HmSpec HmSpec;

/* `source_name` names the input in diagnostics (a path, or "<stdin>"). NULL on error. */
HmSpec *hm_spec_parse(const char *text, size_t length, const char *source_name, HmDiag *diag);
HmSpec *hm_spec_load(const char *path, HmDiag *diag);
void hm_spec_destroy(HmSpec *spec);

const char *hm_spec_kernel_name(const HmSpec *spec);
/* The kernel's static_shapes setting: when off, Helion binds one kernel for tensors of any strides. */
bool hm_spec_static_shapes(const HmSpec *spec);
size_t hm_spec_num_host_tensors(const HmSpec *spec);
/* Host tensors in the order of the lowered function's arguments. */
const HmHostTensor *hm_spec_host_tensor(const HmSpec *spec, size_t index);

#ifdef __cplusplus
}
#endif

#endif
