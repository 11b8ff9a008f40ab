/* Tile loops: the bounds of a loop over one block id and the tile it yields per iteration.
 *
 * With concrete tiles a loop runs over element offsets with the tile size as its step; with symbolic
 * tiles (loom.get_symbol sizes, which affine steps cannot take) it runs over tile indices with step 1
 * and the offset is begin + index * size. Either way the tile's extent is min(size, end - offset).
 */
#ifndef HELION_MLIR_TILES_H
#define HELION_MLIR_TILES_H

#include "lower/Build.h"

/* The values every tile loop needs, created once in the function's entry block so that they are
 * valid affine symbols everywhere: tile sizes, block extents and (symbolic mode) tile counts. */
bool hm_tiles_prepare(HmLowering *L);

/* A loop over the whole block: [0, the block's extent). */
HmTileRange hm_tile_full_range(HmLowering *L, int block);

/* A loop's bounds. They are affine maps (affine.for, affine.parallel) when every bound is a constant
 * or an affine symbol; otherwise (a bound computed inside the kernel, such as tile.begin of an outer
 * tile) they are index values for scf.for. */
typedef struct HmLoopBounds {
  bool affine;
  MlirAffineMap lower, upper;
  size_t nlower_operands, nupper_operands;
  MlirValue lower_operands[2], upper_operands[4];
  MlirValue lower_value, upper_value, step_value; /* scf.for */
  int64_t step;
} HmLoopBounds;

bool hm_tile_loop_bounds(HmLowering *L, int block, const HmTileRange *range, HmLoopBounds *out);

/* Makes `iv` (the loop's induction variable) the current tile of `block`; `saved` receives the
 * previous state for hm_tile_leave. */
bool hm_tile_enter(HmLowering *L, int block, const HmTileRange *range, MlirValue iv, HmTile *saved);
void hm_tile_leave(HmLowering *L, int block, const HmTile *saved);

/* A position of `block`'s current tile (its loop open): tile.begin, tile.end, tile.block_size,
 * tile.id and tile.count, and the symbols of an outer tile that name them in an inner loop. */
MlirValue hm_tile_position(HmLowering *L, int block, HmTilePosition which);

/* Whether the kernel computes a bound of `block`'s current loop (an integer it loads, an outer
 * tile's begin or end), which no launch check sees: its tiles may start before the tensor (a
 * computed begin may be negative) or reach past its end. */
bool hm_tile_range_computed(const HmLowering *L, int block);

/* Whether dimension `dim` of a tile tensor may hold padding beyond the tile's extent. */
bool hm_tile_is_padded(HmLowering *L, HmDim dim);

/* Whether index `e` of a memory op is a tile's begin (an hl.grid index, `tile.begin`) of a loop whose
 * bounds the kernel does not compute. */
bool hm_tile_is_grid_index(HmLowering *L, HmScope *S, const HmArg *e);

/* Whether index `e` of a memory op is the index of an hl.grid loop whose end the kernel does not
 * compute and which provably stays inside a dimension of size `dim`: the loop ends at a constant no
 * larger than a static `dim`, or at the very size symbol `dim` is. A grid over more elements than the
 * dimension (`hl.grid(max(ha, hc))` indexing a tensor of ha under `if h < ha`) is guarded as a computed
 * position is, where Triton masks it. */
bool hm_tile_grid_index_fits(HmLowering *L, HmScope *S, const HmArg *e, HmDim dim);

/* Whether index `e` is provably never negative: its recorded expression sums or multiplies tile sizes,
 * positions of tiles (tile.begin, tile.id, ...) of loops whose bounds the kernel does not compute,
 * and non-negative integers ("u2 + 1" for tile.begin + 1). */
bool hm_tile_nonnegative_position(HmLowering *L, HmScope *S, const HmArg *e);

#endif
