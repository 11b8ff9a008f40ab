/* Helion's tracing ops that name things rather than compute: host tensors, tile-size symbols,
 * sizes, copies and list access. */
#include "lower/Shapes.h"
#include "lower/Tiles.h"

static bool lower_host_tensor(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const HmArg *name = hm_arg(L, node, 0);
  if (!name || name->kind != HM_ARG_STR)
    return hm_node_error(L, node, "_host_tensor needs a tensor name");
  size_t index;
  if (!hm_spec_find_host_tensor(L->spec, name->str, &index))
    return hm_node_error(L, node, "'%s' is not in the spec's host tensors", name->str);
  *out = (HmIrValue){.kind = HM_IR_HOST, .host = index, .value = L->host_args[index], .block_id = -1};
  return true;
}

/* A position of an enclosing loop's current tile: an hl.grid loop's index (the tile's offset, of a
 * tile of size 1 or of the loop's step), or an outer tile's end, id or count read in an inner loop. */
static bool tile_position(HmLowering *L, const HmNode *node, const HmSymbol *sym, HmIrValue *out) {
  if (sym->block_id < 0 || (size_t)sym->block_id >= hm_spec_num_block_sizes(L->spec) ||
      !L->tiles[sym->block_id].active)
    return hm_node_error(L, node, "'%s', a position of block %d's tile, is used outside that block's loop",
                         sym->name, sym->block_id);
  *out = (HmIrValue){.kind = HM_IR_INDEX, .value = hm_tile_position(L, sym->block_id, sym->tile), .block_id = -1};
  return true;
}

/* A size-valued node: its value comes from the node's recorded result, which names a block's tile
 * size ("u0"), a symbolic host size, or a constant. */
static bool lower_size(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  const HmSpecValue *val = &node->val;
  *out = (HmIrValue){.kind = HM_IR_INDEX, .block_id = -1};
  if (val->kind == HM_SPEC_INT) {
    out->value = hm_index_const(L, val->i);
    return true;
  }
  if (val->kind != HM_SPEC_SYM)
    return hm_node_error(L, node, "expected a size-valued result");
  /* A block's size symbol is its tile size even when an int argument gives it (`hl.tile(n,
   * block_size=bs)`: the module is compiled for the argument's example value, which the launch
   * check holds it to). */
  HmDim dim = {.sym = val->expr, .value = -1};
  size_t scalar;
  if (hm_dim_block(L, dim) < 0 && hm_spec_scalar_for_symbol(L->spec, val->expr, &scalar)) {
    *out = (HmIrValue){.kind = HM_IR_SCALAR, .value = L->scalar_args[scalar], .block_id = -1};
    return true;
  }
  const HmSymbol *sym = hm_spec_find_symbol(L->spec, val->expr);
  if (sym && sym->tile != HM_TILE_NONE)
    return tile_position(L, node, sym, out);
  out->block_id = hm_dim_block(L, dim);
  return hm_dim_value(L, dim, &out->value);
}

static bool lower_new_var(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  return hm_arg_value(L, S, node, hm_arg(L, node, 0), out);
}

static bool lower_getitem(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  HmIrValue list;
  const HmArg *index = hm_arg(L, node, 1);
  if (!index || !hm_arg_value(L, S, node, hm_arg(L, node, 0), &list))
    return false;
  if (list.kind != HM_IR_LIST || index->kind != HM_ARG_INT || index->i < 0 || (size_t)index->i >= list.count)
    return hm_node_error(L, node, "getitem of something that is not a loop result");
  *out = list.items[index->i];
  return true;
}

const HmOpEntry hm_tracing_ops[] = {
    {"helion.language._tracing_ops._host_tensor", lower_host_tensor, 0, HM_OP_OTHER},
    {"helion.language._tracing_ops._get_symnode", lower_size, 0, HM_OP_GET_SYMNODE},
    {"aten.sym_size.int", lower_size, 0, HM_OP_OTHER},
    {"helion.language._tracing_ops._new_var", lower_new_var, 0, HM_OP_OTHER},
    {"operator.getitem", lower_getitem, 0, HM_OP_GETITEM},
    {NULL, NULL, 0, HM_OP_OTHER},
};
