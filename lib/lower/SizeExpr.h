/* Sizes that are sympy expressions over block and host-size symbols (library-private).
 *
 * A view of a tile names its sizes by expressions: flattening a [u0, u1, u2] tile gives
 * "u0*u1", and reshape(-1, ...) gives "((u0*u1*u3)//16)". Such a size is static when every symbol in
 * it is (concrete tile sizes), and otherwise is computed with index arithmetic.
 */
#ifndef HELION_MLIR_SIZE_EXPR_H
#define HELION_MLIR_SIZE_EXPR_H

#include "lower/Build.h"

/* The value of `expr` when it is statically known; false (and no diagnostic) otherwise. With
 * `hint`, block symbols stand for the config's tile sizes even when the lowering keeps them symbolic. */
bool hm_size_static(HmLowering *L, const char *expr, bool hint, int64_t *out);

/* `expr` as an index value built at the end of L->block; hm_fail when it cannot be computed. */
bool hm_size_value(HmLowering *L, const char *expr, MlirValue *out);

/* The static length of a tile dimension, or the dynamic-size marker. */
int64_t hm_static_dim(HmLowering *L, HmDim dim);
/* An index value for a size: a constant, a tile size, or a symbolic host size. */
bool hm_dim_value(HmLowering *L, HmDim dim, MlirValue *out);
/* The block a size is the tile of ("u0" -> 0), or -1. */
int hm_dim_block(HmLowering *L, HmDim dim);

#endif
