/* Tile loops: the bounds of a loop over one block id and the tile it yields per iteration.
 *
 * With concrete tiles a loop runs over element offsets with the tile size as its step; with symbolic
 * tiles (loom.get_symbol sizes, which affine steps cannot take) it runs over tile indices with step 1
 * and the offset is index * size. Either way the tile's extent is min(size, end - offset).
 */
#ifndef HELION_MLIR_TILES_H
#define HELION_MLIR_TILES_H

#include "Build.h"

/* The values every tile loop needs, created once in the function's entry block so that they are
 * valid affine symbols everywhere: tile sizes, block extents and (symbolic mode) tile counts. */
bool hm_tiles_prepare(HmLowering *L);

typedef struct HmLoopBounds {
  MlirAffineMap lower, upper;
  size_t nlower_operands, nupper_operands;
  MlirValue lower_operands[2], upper_operands[2];
  int64_t step;
} HmLoopBounds;

/* The bounds of a loop over block `block` from `begin` to the block's extent. */
bool hm_tile_loop_bounds(HmLowering *L, int block, int64_t begin, HmLoopBounds *out);

/* Makes `iv` (the loop's induction variable) the current tile of `block`; `saved` receives the
 * previous state for hm_tile_leave. */
bool hm_tile_enter(HmLowering *L, int block, int64_t begin, MlirValue iv, HmTile *saved);
void hm_tile_leave(HmLowering *L, int block, const HmTile *saved);

/* Whether dimension `dim` of a tile tensor may hold padding beyond the tile's extent. */
bool hm_tile_is_padded(HmLowering *L, HmDim dim);

#endif
