/* Where each Device IR op is lowered: the families' tables, searched once per node (hm_resolve_ops).
 *
 *   hm_tracing_ops       Tracing.c       _host_tensor, _get_symnode, sym_size, _new_var, getitem
 *   hm_loop_ops          Loops.c         _for_loop, _for_loop_step, _phi
 *   hm_memory_ops        Memory.c        load, store, _mask_to
 *   hm_creation_ops      Creation.c      full, empty, iota, _rng_seed
 *   hm_tile_ops          TileOps.c       tile.index, tile.begin, tile.end, tile.block_size, tile.id, tile.count;
 *                                        operator.add/sub/mul/floordiv/mod on index values
 *   hm_helion_view_ops   View.c          subscript (x[:, None])
 *   hm_dot_ops           Matmul.c        hl.dot
 *   hm_control_ops       Control.c       _if, _while_loop, comparisons of scalars and sizes
 *   hm_helper_ops        Helper.c        _reduce, _associative_scan (combine functions)
 *   hm_atomic_ops        Atomic.c        atomic_add, atomic_max, ... on host tensors
 *   hm_pointwise_ops     Pointwise.c     elementwise ATen ops and casts
 *   hm_reduction_ops     Reduction.c     sum, mean, amax, amin, prod
 *   hm_arg_reduction_ops ArgReduction.c  argmax, argmin
 *   hm_sort_ops          Sort.c          sort, topk
 *   hm_decomposed_ops    Decomposed.c    var, var_mean, max.dim, min.dim, inductor's _inductor_lowering_extra
 *   hm_matmul_ops        Matmul.c        mm, addmm, bmm, baddbmm (and their .dtype forms)
 *   hm_view_ops          View.c          view, reshape, permute, transpose, unsqueeze, squeeze, expand
 *   hm_gather_ops        Gather.c        gather (torch.gather along a tile's dimension)
 *
 * With --aten=torch, an ATen op with a torch-mlir form becomes that op (Torch.c) instead, but for an
 * argmax/argmin in a looped reduction.
 */
#include "lower/Lowering.h"

#include <string.h>

typedef struct Family {
  const HmOpEntry *table;
  HmOpFamily family;
  bool aten; /* its ops are ATen's, which --aten=torch lowers as torch.aten ops */
} Family;

/* Helion's own ops first, then ATen's; a target is in one table. */
static const Family FAMILIES[] = {
    {hm_tracing_ops, HM_FAMILY_TRACING, false},
    {hm_loop_ops, HM_FAMILY_LOOP, false},
    {hm_memory_ops, HM_FAMILY_MEMORY, false},
    {hm_creation_ops, HM_FAMILY_CREATION, false},
    {hm_tile_ops, HM_FAMILY_TILE, false},
    {hm_helion_view_ops, HM_FAMILY_HELION_VIEW, false},
    {hm_dot_ops, HM_FAMILY_DOT, false},
    {hm_control_ops, HM_FAMILY_CONTROL, false},
    {hm_helper_ops, HM_FAMILY_HELPER, false},
    {hm_atomic_ops, HM_FAMILY_ATOMIC, false},
    {hm_pointwise_ops, HM_FAMILY_POINTWISE, true},
    {hm_reduction_ops, HM_FAMILY_REDUCTION, true},
    {hm_arg_reduction_ops, HM_FAMILY_ARG_REDUCTION, true},
    {hm_sort_ops, HM_FAMILY_SORT, true},
    {hm_decomposed_ops, HM_FAMILY_DECOMPOSED, true},
    {hm_matmul_ops, HM_FAMILY_MATMUL, true},
    {hm_view_ops, HM_FAMILY_VIEW, true},
    {hm_gather_ops, HM_FAMILY_GATHER, true},
};
enum { NFAMILIES = sizeof FAMILIES / sizeof *FAMILIES };

static HmOp resolve(const HmLowering *L, const HmGraph *graph, const HmNode *node) {
  const char *target = node->target;
  HmOp op = {0};
  bool helion_family = false;
  for (size_t f = 0; f < NFAMILIES && !op.row; ++f)
    for (const HmOpEntry *e = FAMILIES[f].table; e->target && !op.row; ++e)
      if (strcmp(e->target, target) == 0) {
        op = (HmOp){.row = e, .family = FAMILIES[f].family, .lower = e->lower, .variant = e->variant};
        helion_family = !FAMILIES[f].aten;
      }
  /* A looped argmax/argmin (or max.dim/min.dim, its values beside the indices) must carry its running
   * best values beside the indices, which no single torch.aten op returns: under --aten=torch it
   * keeps its linalg form. Helion's own ops are never torch.aten ops, and ATen ops without a
   * torch-mlir form (sym_size) keep their family's. */
  bool arg_like = op.family == HM_FAMILY_ARG_REDUCTION ||
                  (op.row && (op.row->id == HM_OP_MAX_DIM || op.row->id == HM_OP_MIN_DIM));
  bool looped_arg = graph->kind == HM_GRAPH_REDUCTION_LOOP && arg_like;
  /* inductor's argmax over one element has no input left (the constant 0): no torch op takes that */
  bool folded = op.family == HM_FAMILY_ARG_REDUCTION && node->nargs > 0 && node->args[0].kind == HM_ARG_NONE;
  if (L->options.aten == HM_ATEN_TORCH && hm_has_torch_op(target) && !helion_family && !looped_arg && !folded) {
    op.lower = hm_lower_torch_op;
    op.variant = 0;
  }
  return op;
}

bool hm_resolve_ops(HmLowering *L) {
  size_t ngraphs = hm_spec_num_graphs(L->spec);
  L->ops = hm_arena_new(&L->arena, HmOp *, ngraphs);
  if (!L->ops)
    return false;
  for (size_t g = 0; g < ngraphs; ++g) {
    const HmGraph *graph = hm_spec_graph(L->spec, g);
    if (!(L->ops[g] = hm_arena_new(&L->arena, HmOp, graph->nnodes)))
      return false;
    for (size_t i = 0; i < graph->nnodes; ++i)
      if (graph->nodes[i].op == HM_NODE_CALL)
        L->ops[g][i] = resolve(L, graph, &graph->nodes[i]);
  }
  return true;
}

const HmOp *hm_node_op(const HmLowering *L, const HmNode *node) { return &L->ops[node->graph][node->index]; }

bool hm_node_is(const HmLowering *L, const HmNode *node, HmOpId id) {
  const HmOp *op = hm_node_op(L, node);
  return op->row && op->row->id == id;
}

const char *hm_lower_supported_op(size_t index) {
  for (size_t f = 0; f < NFAMILIES; ++f)
    for (const HmOpEntry *e = FAMILIES[f].table; e->target; ++e)
      if (index-- == 0)
        return e->target;
  return NULL;
}
