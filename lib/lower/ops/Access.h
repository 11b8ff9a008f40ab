/* How a load or store indexes its tensor (library-private): Memory.c plans an HmAccess from the
 * index list; Gather.c lowers the accesses that go through index tensors. */
#ifndef HELION_MLIR_ACCESS_H
#define HELION_MLIR_ACCESS_H

#include "lower/Shapes.h"

/* How one dimension of the indexed tensor is indexed. */
typedef enum HmIndexKind {
  HM_INDEX_RANGE,  /* consecutive elements: one tile dimension */
  HM_INDEX_POINT,  /* one element: no tile dimension */
  HM_INDEX_TENSOR, /* positions from an index tensor: its dimensions are tile dimensions */
} HmIndexKind;

/* Where a tile sits in the indexed tensor. Per source dimension: the first element (offsets[d], or
 * static_offsets[d] when that is null), the number of real elements (static_extents[d], or extents[d]
 * when dynamic), and whether the tile tensor pads it (to the tile size of `block[d]`). A load's tile
 * over a dimension of size 1 broadcasts it (Helion's semantics): every real element of the tile is
 * element 0 of that dimension, read with stride 0. A tile clipped at the tensor's start (a loop whose
 * begin the kernel computes may start before it) has its real elements after low[d] elements of
 * padding (null: none). */
typedef struct HmAccess {
  size_t rank, nresult;
  HmIndexKind kind[HM_MAX_RANK];
  MlirValue offsets[HM_MAX_RANK], extents[HM_MAX_RANK], low[HM_MAX_RANK];
  int64_t static_offsets[HM_MAX_RANK], static_extents[HM_MAX_RANK];
  bool padded[HM_MAX_RANK];
  bool broadcast[HM_MAX_RANK];
  int64_t step[HM_MAX_RANK];           /* ranges: elements between consecutive tile elements (`::2`) */
  int block[HM_MAX_RANK];
  size_t result_dim[HM_MAX_RANK];      /* ranges, index tensors: the (first) tile dimension given */
  MlirValue index_tensor[HM_MAX_RANK]; /* HM_INDEX_TENSOR */
  bool grid_index[HM_MAX_RANK];        /* HM_INDEX_POINT: a grid index inside its dimension (hm_tile_grid_index_fits) */
  bool signed_position[HM_MAX_RANK];   /* HM_INDEX_POINT: a position that may be negative */
  bool new_dim[HM_MAX_RANK];           /* per tile dimension: added by None */
  bool any_padded, any_gather, any_new;
} HmAccess;

/* The tensor an index list applies to: a host tensor, or a tile value (`tile.index[:, None]`). */
typedef struct HmSource {
  size_t rank;
  const HmDim *shape;
  MlirValue value;
  bool host;
  const char *name;
  HmDtype dtype;
} HmSource;

/* A load through index tensors: a linalg.generic over the tile reading the memref with memref.load. */
bool hm_gather(HmLowering *L, const HmNode *node, const HmSource *src, const HmAccess *a, HmIrValue *out);

/* A store through index tensors: one memref.store per real element of `value` where `mask` (null, or
 * extra_mask's tensor) holds and the index is inside the host tensor. */
bool hm_scatter(HmLowering *L, const HmSource *src, const HmAccess *a, const HmSpecValue *tile, MlirValue value,
                MlirValue mask);

#endif
