/* Sizes that are sympy expressions over block and host-size symbols (library-private).
 *
 * A view of a tile names its sizes by expressions: flattening a [u0, u1, u2] tile gives
 * "u0*u1", and reshape(-1, ...) gives "((u0*u1*u3)//16)". Such a size is static when every symbol in
 * it is (concrete tile sizes), and otherwise is computed with index arithmetic.
 */
#ifndef HELION_MLIR_SIZE_EXPR_H
#define HELION_MLIR_SIZE_EXPR_H

#include "lower/Lowering.h"

/* The value of `expr` when it is statically known; false (and no diagnostic) otherwise. With
 * `hint`, block symbols stand for the config's tile sizes even when the lowering keeps them symbolic. */
bool hm_size_static(HmLowering *L, const char *expr, bool hint, int64_t *out);

/* `expr` as an index value built at the end of L->block; a diagnostic when it cannot be computed. */
bool hm_size_value(HmLowering *L, const char *expr, MlirValue *out);

#endif
