/* MLIR tensors shaped like the spec's recorded values (library-private). */
#ifndef HELION_MLIR_LOWER_SHAPES_H
#define HELION_MLIR_LOWER_SHAPES_H

#include "lower/SizeExpr.h"

MlirType hm_tensor_type(HmLowering *L, const HmSpecValue *val);
/* tensor.empty shaped like `val` (dynamic sizes resolved with hm_dim_value). */
bool hm_empty_tensor(HmLowering *L, const HmSpecValue *val, MlirType element, MlirValue *out);
/* tensor.expand_shape of `value` to the shape of `result`, whose dimensions with `unit[d]` set are
 * new size-1 dimensions (keepdim, None indices); each joins the group of a neighbouring kept one. */
bool hm_expand_unit_dims(HmLowering *L, MlirValue value, const HmSpecValue *result, const bool *unit, MlirValue *out);
/* Which dimension of `to` each of the `rank` dimensions of a tensor broadcast into it lines up with:
 * aligned on the right (torch's rule), or, for a lower-rank tensor whose spec value `from` (NULL when
 * unknown) has tile dimensions, matched to the dimensions of the same block, as Helion's codegen
 * broadcasts (`b[tile0]` in a [tile0, tile1] expression is `b[:, None]`). */
void hm_broadcast_dims(HmLowering *L, const HmSpecValue *from, size_t rank, const HmSpecValue *to, size_t *dst);

#endif
