/* Where each Device IR op is lowered: the families' tables, searched in order.
 *
 *   hm_tracing_ops    LowerTracing.c    _host_tensor, _get_symnode, sym_size, _new_var, getitem, _phi
 *   hm_loop_ops       LowerLoops.c      _for_loop, _for_loop_step, _phi
 *   hm_control_ops    LowerControl.c    _if, _while_loop, comparisons of scalars and sizes
 *   hm_helper_ops     LowerHelper.c     _reduce, _associative_scan (combine functions)
 *   hm_memory_ops     LowerMemory.c     load, store, _mask_to
 *   hm_creation_ops   LowerCreation.c   full
 *   hm_tile_ops       LowerTileOps.c    tile.index, tile.begin, tile.end, tile.block_size, tile.id, tile.count;
 *                                       operator.add/sub/mul/floordiv/mod on index values
 *   hm_pointwise_ops  LowerPointwise.c  elementwise ATen ops and casts
 *   hm_reduction_ops  LowerReduction.c  sum, mean, amax, amin, prod, inductor's _inductor_lowering_extra
 *   hm_arg_reduction_ops LowerArgReduction.c argmax, argmin
 *   hm_decomposed_ops LowerDecomposed.c var, var_mean (their inductor decompositions)
 *   hm_matmul_ops     LowerMatmul.c     mm, addmm, bmm, baddbmm (and their .dtype forms)
 *   hm_dot_ops        LowerMatmul.c     hl.dot
 *   hm_view_ops       LowerView.c       view, reshape, permute, transpose, unsqueeze, squeeze, expand
 *   hm_helion_view_ops LowerView.c      subscript (x[:, None])
 *   hm_atomic_ops     LowerAtomic.c     atomic_add, atomic_max, ... on host tensors
 *
 * With --aten=torch, every ATen op becomes a generic torch.aten.* op (LowerTorch.c) instead, but for
 * an argmax/argmin in a looped reduction.
 */
#include "lower/Lowering.h"

#include <string.h>

static const HmOpEntry *const HELION_FAMILIES[] = {hm_tracing_ops, hm_loop_ops, hm_memory_ops, hm_creation_ops,
                                                   hm_tile_ops, hm_helion_view_ops, hm_dot_ops, hm_control_ops, hm_helper_ops,
                                                   hm_atomic_ops};
static const HmOpEntry *const ATEN_FAMILIES[] = {hm_pointwise_ops, hm_reduction_ops, hm_arg_reduction_ops,
                                                 hm_decomposed_ops, hm_matmul_ops,
                                                 hm_view_ops};

static const HmOpEntry TORCH_ENTRY = {"aten.*", hm_lower_torch_op, 0};

static const HmOpEntry *search(const HmOpEntry *const *families, size_t n, const char *target) {
  for (size_t f = 0; f < n; ++f)
    for (const HmOpEntry *e = families[f]; e->target; ++e)
      if (strcmp(e->target, target) == 0)
        return e;
  return NULL;
}

static bool is_aten(const char *target) {
  return strncmp(target, "aten.", 5) == 0 || strncmp(target, "prims.", 6) == 0;
}

/* A looped argmax/argmin must carry its running best values beside the indices, which no single
 * torch.aten op returns: under --aten=torch it keeps its linalg form. */
static bool needs_linalg(const HmGraph *graph, const char *target) {
  return graph->kind == HM_GRAPH_REDUCTION_LOOP && hm_is_arg_reduction(target);
}

const HmOpEntry *hm_find_op(const HmLowering *L, const HmGraph *graph, const char *target) {
  const HmOpEntry *e = search(HELION_FAMILIES, sizeof HELION_FAMILIES / sizeof *HELION_FAMILIES, target);
  if (e)
    return e;
  if (is_aten(target) && L->options.aten == HM_ATEN_TORCH && !needs_linalg(graph, target))
    return &TORCH_ENTRY;
  return search(ATEN_FAMILIES, sizeof ATEN_FAMILIES / sizeof *ATEN_FAMILIES, target);
}

const char *hm_supported_op(size_t index) {
  const HmOpEntry *const *groups[2] = {HELION_FAMILIES, ATEN_FAMILIES};
  size_t sizes[2] = {sizeof HELION_FAMILIES / sizeof *HELION_FAMILIES, sizeof ATEN_FAMILIES / sizeof *ATEN_FAMILIES};
  for (size_t g = 0; g < 2; ++g)
    for (size_t f = 0; f < sizes[g]; ++f)
      for (const HmOpEntry *e = groups[g][f]; e->target; ++e)
        if (index-- == 0)
          return e->target;
  return NULL;
}
