/* Tile queries: `tile.index`, `tile.begin`, `tile.end`, `tile.block_size`, `tile.id`, `tile.count`,
 * and the Python arithmetic on the positions they give (`tile.begin + 1`).
 *
 * Each reads the current tile of the block its argument names (the record lower/Tiles.c keeps while the
 * block's loop is open). `tile.index` is a tensor of the tile's element offsets, built by a
 * linalg.generic from linalg.index, so it keeps the full tile shape: its padding lanes hold offsets
 * past the end, which loads and stores never touch because they follow the tile's extent. The others
 * are index values: affine maps over the tile's offset, extent and size.
 */
#include "lower/Shapes.h"
#include "lower/Tiles.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

/* The block whose current tile the op's argument names. */
static bool tile_block(HmLowering *L, HmScope *S, const HmNode *node, int *block) {
  HmIrValue tile;
  if (!hm_arg_value(L, S, node, hm_arg(L, node, 0), &tile))
    return false;
  if (tile.kind != HM_IR_INDEX || tile.block_id < 0 || !L->tiles[tile.block_id].active)
    return hm_node_error(L, node, "'%s' needs a tile of an enclosing loop", node->target);
  *block = tile.block_id;
  return true;
}

static bool lower_query(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  int block;
  if (!tile_block(L, S, node, &block))
    return false;
  *out = (HmIrValue){.kind = HM_IR_INDEX, .value = hm_tile_position(L, block, (HmTilePosition)variant),
                   .block_id = variant == HM_TILE_BLOCK_SIZE ? block : -1};
  return true;
}

typedef struct IotaBody {
  MlirValue offset;
} IotaBody;

static bool iota_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  IotaBody *b = ctx;
  MlirValue at = hm_arith(L, "arith.addi", b->offset, hm_linalg_index(L, 0));
  MlirType element = mlirValueGetType(args[0]);
  *result = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &element,
                                         .noperands = 1, .operands = &at});
  return true;
}

static bool lower_tile_index(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  int block;
  if (!tile_block(L, S, node, &block))
    return false;
  if (node->val.kind != HM_SPEC_TENSOR || node->val.rank != 1)
    return hm_node_error(L, node, "tile.index must produce a 1-D tensor");
  MlirValue init;
  if (!hm_empty_tensor(L, &node->val, hm_element_type(L, node->val.dtype), &init))
    return false;
  IotaBody body = {.offset = L->tiles[block].offset};
  MlirAffineMap identity = mlirAffineMapMultiDimIdentityGet(L->ctx, 1);
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return hm_generic(L, 0, NULL, &identity, init, 1, NULL, iota_body, &body, &out->value);
}

typedef enum IndexOp { ADD, SUB, MUL, FLOORDIV, MOD, TRUEDIV, RSHIFT, LSHIFT, AND, OR, XOR } IndexOp;

/* Python's `>>` floors like an arithmetic shift, and `&`, `|`, `^` act on two's complement, as the
 * arith ops on index values do. */
static const char *const INDEX_OPS[] = {
    [ADD] = "arith.addi",  [SUB] = "arith.subi",   [MUL] = "arith.muli", [FLOORDIV] = "arith.floordivsi",
    [RSHIFT] = "arith.shrsi", [LSHIFT] = "arith.shli", [AND] = "arith.andi", [OR] = "arith.ori",
    [XOR] = "arith.xori",
};

static bool index_operand(HmLowering *L, HmScope *S, const HmNode *node, size_t i, MlirValue *out) {
  const HmArg *arg = hm_arg(L, node, i);
  if (!arg)
    return false;
  if (arg->kind == HM_ARG_INT) {
    *out = hm_index_const(L, arg->i);
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, arg, &v))
    return false;
  return hm_as_index(L, &v, out) ||
         hm_node_error(L, node, "operand %zu of '%s' must be an integer or an index value", i, node->target);
}

static MlirValue index_binary(HmLowering *L, IndexOp op, MlirValue x, MlirValue y) {
  return hm_arith(L, INDEX_OPS[op], x, y);
}

/* A float operand of Python arithmetic, as f64 (a Python float): a constant, a float scalar, or an
 * int or index value converted. False with no error when the operand is no number. */
static bool float_operand(HmLowering *L, HmScope *S, const HmNode *node, size_t i, MlirValue *out) {
  MlirType f64 = mlirF64TypeGet(L->ctx);
  const HmArg *arg = hm_arg(L, node, i);
  if (!arg)
    return false;
  if (arg->kind == HM_ARG_FLOAT || arg->kind == HM_ARG_INT) {
    *out = hm_scalar_const(L, f64, arg->kind == HM_ARG_FLOAT ? arg->f : (double)arg->i);
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, arg, &v))
    return false;
  MlirValue index;
  if (v.kind == HM_IR_SCALAR) {
    *out = hm_convert_scalar(L, v.value, f64);
    return true;
  }
  if (!hm_as_index(L, &v, &index))
    return hm_node_error(L, node, "operand %zu of '%s' must be a number", i, node->target);
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  MlirValue wide = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &i64,
                                                .noperands = 1, .operands = &index});
  *out = hm_convert_scalar(L, wide, f64);
  return true;
}

/* Python arithmetic where a float takes part (`1.0 - beta`, `eps / n`), as f64 like Python's: `//`
 * and `%` round toward negative infinity, `%` takes the divisor's sign. */
static bool lower_float_arith(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  MlirValue x, y;
  if (!float_operand(L, S, node, 0, &x) || !float_operand(L, S, node, 1, &y))
    return false;
  MlirValue result;
  MlirType f64 = mlirF64TypeGet(L->ctx);
  switch ((IndexOp)variant) {
  case ADD: result = hm_arith(L, "arith.addf", x, y); break;
  case SUB: result = hm_arith(L, "arith.subf", x, y); break;
  case MUL: result = hm_arith(L, "arith.mulf", x, y); break;
  case TRUEDIV: result = hm_arith(L, "arith.divf", x, y); break;
  case RSHIFT:
  case LSHIFT:
  case AND:
  case OR:
  case XOR: return hm_node_error(L, node, "'%s' takes integers, not floats", node->target);
  case FLOORDIV:
    result = hm_build_value(L, (HmOpSpec){.name = "math.floor", .nresults = 1, .results = &f64, .noperands = 1,
                                          .operands = (MlirValue[]){hm_arith(L, "arith.divf", x, y)}});
    break;
  case MOD: { /* x - y * floor(x / y) */
    MlirValue q = hm_build_value(L, (HmOpSpec){.name = "math.floor", .nresults = 1, .results = &f64, .noperands = 1,
                                               .operands = (MlirValue[]){hm_arith(L, "arith.divf", x, y)}});
    result = hm_arith(L, "arith.subf", x, hm_arith(L, "arith.mulf", y, q));
    break;
  }
  }
  *out = (HmIrValue){.kind = HM_IR_SCALAR, .value = result, .block_id = -1};
  return true;
}

/* Whether Python arithmetic on this node computes in floats: its value is a float symbol. */
static bool is_float_arith(const HmNode *node) {
  return node->val.kind == HM_SPEC_SYM && (node->val.dtype == HM_DTYPE_F64 || node->val.dtype == HM_DTYPE_F32);
}

/* Python arithmetic on positions (`tile.begin + 1`): index arithmetic, `//` and `%` rounding toward
 * negative infinity as Python's do; with a float operand, float arithmetic. */
static bool lower_index_arith(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  if (variant == TRUEDIV || is_float_arith(node))
    return lower_float_arith(L, S, node, variant, out);
  MlirValue x, y;
  if (!index_operand(L, S, node, 0, &x) || !index_operand(L, S, node, 1, &y))
    return false;
  MlirValue result;
  if (variant == MOD)
    result = index_binary(L, SUB, x, index_binary(L, MUL, index_binary(L, FLOORDIV, x, y), y));
  else
    result = index_binary(L, (IndexOp)variant, x, y);
  *out = (HmIrValue){.kind = HM_IR_INDEX, .value = result, .block_id = -1};
  return true;
}

const HmOpEntry hm_tile_ops[] = {
    {"helion.language.tile_ops.tile_index", lower_tile_index, 0, HM_OP_OTHER},
    {"helion.language.tile_ops.tile_begin", lower_query, HM_TILE_BEGIN, HM_OP_TILE_BEGIN},
    {"helion.language.tile_ops.tile_end", lower_query, HM_TILE_END, HM_OP_OTHER},
    {"helion.language.tile_ops.tile_block_size", lower_query, HM_TILE_BLOCK_SIZE, HM_OP_OTHER},
    {"helion.language.tile_ops.tile_id", lower_query, HM_TILE_ID, HM_OP_OTHER},
    {"helion.language.tile_ops.tile_count", lower_query, HM_TILE_COUNT, HM_OP_OTHER},
    {"operator.add", lower_index_arith, ADD, HM_OP_OTHER},
    {"operator.sub", lower_index_arith, SUB, HM_OP_OTHER},
    {"operator.mul", lower_index_arith, MUL, HM_OP_OTHER},
    {"operator.floordiv", lower_index_arith, FLOORDIV, HM_OP_OTHER},
    {"operator.mod", lower_index_arith, MOD, HM_OP_OTHER},
    {"operator.truediv", lower_index_arith, TRUEDIV, HM_OP_OTHER},
    {"operator.rshift", lower_index_arith, RSHIFT, HM_OP_OTHER},
    {"operator.lshift", lower_index_arith, LSHIFT, HM_OP_OTHER},
    {"operator.and_", lower_index_arith, AND, HM_OP_OTHER},
    {"operator.or_", lower_index_arith, OR, HM_OP_OTHER},
    {"operator.xor", lower_index_arith, XOR, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
