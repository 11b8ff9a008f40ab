/* The limits a spec's sizes must keep (library-private): every host tensor's elements and the bytes
 * its strides reach fit in 63 bits, and every tile fits in what Helion allows one tensor. Within
 * them the lowering's and the runner's size arithmetic cannot overflow. */
#ifndef HELION_MLIR_SPEC_LIMITS_H
#define HELION_MLIR_SPEC_LIMITS_H

#include "spec/SpecModel.h"

/* Helion's largest tile tensor (its backends' max_tensor_numel, Triton's TRITON_MAX_TENSOR_NUMEL). */
enum { HM_MAX_TILE_SIZE = 1 << 20 };

/* On a violation, records "SOURCE: PATH: message" in `diag` and returns false. */
bool hm_spec_check_limits(const HmSpec *spec, HmDiag *diag);

#endif
