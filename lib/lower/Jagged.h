/* hl.jagged_tile's per-row mask (library-private).
 *
 * A jagged tile loop runs to the largest row end of its parent tensor (the tensor of each row's end,
 * whose dimensions are tiles of enclosing loops), and in each row only the elements before that row's
 * end are real: Helion's codegen masks every load, store and `_mask_to` over the jagged dimension by
 * `offset + k < ends[rows]`. The mask here is that condition over a tile value's dimensions.
 */
#ifndef HELION_MLIR_JAGGED_H
#define HELION_MLIR_JAGGED_H

#include "lower/Build.h"

/* Makes `ends` (the value of the loop's first argument, recorded as `recorded`) the row ends of the
 * active tile of jagged block `block`: an integer tensor over the block's parent tiles. */
bool hm_jagged_enter(HmLowering *L, int block, const HmIrValue *ends, const HmSpecValue *recorded);

/* Whether `dim` is the tile of an active jagged block. */
bool hm_jagged_dim(HmLowering *L, HmDim dim);

/* A boolean tensor shaped like `tile`, true where every dimension that is an active jagged tile is
 * before its row's end; null when no dimension of `tile` is one. hm_fail when a jagged dimension's
 * parent tiles are not dimensions of `tile` too (Helion's codegen cannot place their mask either). */
bool hm_jagged_mask(HmLowering *L, const HmSpecValue *tile, MlirValue *out);

#endif
