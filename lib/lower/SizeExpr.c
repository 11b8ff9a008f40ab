/* A recursive-descent reader of the sympy size expressions Helion writes ("u0*u1",
 * "((u0*u1*u3)//16)", "Max(1, u0)"): integers, symbols (sizes, tile sizes, grid indices, int
 * arguments), + - * //, parentheses, Max/Min, the modulo (PythonMod, Mod) and the bitwise functions.
 * Known parts fold to constants; the rest becomes arith ops on index values.
 */
#include "lower/SizeExpr.h"

#include "lower/Tiles.h"

#include <ctype.h>
#include <string.h>

#include "mlir-c/BuiltinTypes.h"

typedef enum Mode { STATIC, HINT, VALUE } Mode;

typedef struct Size {
  bool known;
  int64_t v;
  MlirValue value; /* VALUE mode, when not known */
} Size;

typedef struct Parser {
  HmLowering *L;
  const char *s;
  Mode mode;
  bool ok;
  int depth; /* nesting of parentheses and calls, bounded so that the C stack is */
} Parser;

typedef enum Op { ADD, SUB, MUL, FLOORDIV, MOD, MAX, MIN, AND, OR, XOR, SHL, SHR } Op;

/* MOD has no op of its own: apply builds it from FLOORDIV. */
static const char *const ARITH[] = {
    [ADD] = "arith.addi", [SUB] = "arith.subi", [MUL] = "arith.muli",
    [FLOORDIV] = "arith.floordivsi", [MAX] = "arith.maxsi", [MIN] = "arith.minsi",
    [AND] = "arith.andi", [OR] = "arith.ori", [XOR] = "arith.xori", [SHL] = "arith.shli", [SHR] = "arith.shrsi",
};

/* The functions torch's sympy writes for Python's `&`, `|`, `^`, `<<` and `>>` on ints (`r & 3` in
 * `table[(r >> 2) * 8 + (r & 3)]`): two's complement, `>>` flooring as Python's does. */
static const struct {
  const char *call;
  Op op;
} CALLS[] = {
    {"Max(", MAX},
    {"Min(", MIN},
    /* Python's `%` on ints (`bh % heads`), and sympy's Mod for operands known non-negative: both
     * take the divisor's sign, as a - b * (a // b) does. */
    {"PythonMod(", MOD},
    {"Mod(", MOD},
    {"BitwiseFn_bitwise_and(", AND},
    {"BitwiseFn_bitwise_or(", OR},
    {"BitwiseFn_bitwise_xor(", XOR},
    {"LShift(", SHL},
    {"RShift(", SHR},
};

/* Deeper than any size Helion writes; a deeper one is refused rather than read by deeper recursion. */
enum { MAX_DEPTH = 64 };

/* a op b into *out; false where the result does not fit in 64 bits or is undefined (// 0). */
static bool fold(Op op, int64_t a, int64_t b, int64_t *out) {
  switch (op) {
  case ADD: return !__builtin_add_overflow(a, b, out);
  case SUB: return !__builtin_sub_overflow(a, b, out);
  case MUL: return !__builtin_mul_overflow(a, b, out);
  case FLOORDIV:
    if (b == 0 || (a == INT64_MIN && b == -1))
      return false;
    *out = a / b - (a % b != 0 && (a < 0) != (b < 0));
    return true;
  case MOD:
    if (b == 0)
      return false;
    *out = b == -1 ? 0 : a % b + (a % b != 0 && (a % b < 0) != (b < 0) ? b : 0);
    return true;
  case MAX: *out = a > b ? a : b; return true;
  case MIN: *out = a < b ? a : b; return true;
  case AND: *out = a & b; return true;
  case OR: *out = a | b; return true;
  case XOR: *out = a ^ b; return true;
  case SHL: return b >= 0 && b < 63 && !__builtin_mul_overflow(a, (int64_t)1 << b, out);
  case SHR:
    if (b < 0)
      return false;
    *out = b >= 63 ? (a < 0 ? -1 : 0) : (a < 0 ? ~(~a >> b) : a >> b);
    return true;
  }
  return false;
}

static Size fail(Parser *p) {
  p->ok = false;
  return (Size){0};
}

static MlirValue materialize(Parser *p, Size s) {
  return s.known ? hm_index_const(p->L, s.v) : s.value;
}

static Size apply(Parser *p, Op op, Size a, Size b) {
  if (!p->ok)
    return fail(p);
  if (a.known && b.known) {
    Size folded = {.known = true};
    return fold(op, a.v, b.v, &folded.v) ? folded : fail(p);
  }
  if (op == MOD)
    return apply(p, SUB, a, apply(p, MUL, apply(p, FLOORDIV, a, b), b));
  MlirType index = hm_index_type(p->L);
  MlirValue operands[2] = {materialize(p, a), materialize(p, b)};
  return (Size){.value = hm_build_value(p->L, (HmOpSpec){.name = ARITH[op], .nresults = 1, .results = &index,
                                                         .noperands = 2, .operands = operands})};
}

static void skip_space(Parser *p) {
  while (*p->s == ' ')
    ++p->s;
}

static bool eat(Parser *p, const char *token) {
  skip_space(p);
  size_t n = strlen(token);
  if (strncmp(p->s, token, n) != 0)
    return false;
  p->s += n;
  return true;
}

/* A symbol that is no size: a position of an enclosing loop's tile (an hl.grid index in
 * `min((i + 1) * c, n)`, an outer tile's begin in `min(t.begin + c, n) - 1`), or an int argument of
 * the kernel. */
static bool kernel_value(HmLowering *L, const char *name, MlirValue *out) {
  const HmSymbol *sym = hm_spec_find_symbol(L->spec, name);
  if (sym && sym->tile != HM_TILE_NONE && sym->block_id >= 0 &&
      (size_t)sym->block_id < hm_spec_num_block_sizes(L->spec) && L->tiles[sym->block_id].active) {
    *out = hm_tile_position(L, sym->block_id, sym->tile);
    return true;
  }
  size_t scalar;
  if (!hm_spec_scalar_for_symbol(L->spec, name, &scalar) || !mlirTypeIsAInteger(mlirValueGetType(L->scalar_args[scalar])))
    return false;
  MlirType index = hm_index_type(L);
  *out = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1, .results = &index,
                                      .noperands = 1, .operands = &L->scalar_args[scalar]});
  return true;
}

static Size symbol(Parser *p, const char *name) {
  HmDim dim = {.sym = name, .value = -1};
  int block = hm_dim_block(p->L, dim);
  if (p->mode == HINT && block >= 0) {
    int64_t tile = hm_spec_block_size(p->L->spec, (size_t)block)->tile_size;
    return tile >= 0 ? (Size){.known = true, .v = tile} : fail(p);
  }
  int64_t known = hm_static_dim(p->L, dim); /* no recursion: a plain symbol is never parsed */
  if (known != mlirShapedTypeGetDynamicSize())
    return (Size){.known = true, .v = known};
  Size s = {0};
  if (p->mode == VALUE && kernel_value(p->L, name, &s.value))
    return s;
  if (p->mode != VALUE || !hm_dim_value(p->L, dim, &s.value))
    return fail(p);
  return s;
}

static Size expr(Parser *p);

static Size call(Parser *p, Op op) {
  Size acc = expr(p);
  while (p->ok && eat(p, ","))
    acc = apply(p, op, acc, expr(p));
  return eat(p, ")") ? acc : fail(p);
}

static Size nested(Parser *p);

static Size factor(Parser *p) {
  if (++p->depth > MAX_DEPTH)
    return fail(p);
  Size s = nested(p);
  --p->depth;
  return s;
}

static Size nested(Parser *p) {
  skip_space(p);
  if (eat(p, "-"))
    return apply(p, SUB, (Size){.known = true, .v = 0}, factor(p));
  if (eat(p, "(")) {
    Size inner = expr(p);
    return eat(p, ")") ? inner : fail(p);
  }
  for (size_t i = 0; i < sizeof CALLS / sizeof CALLS[0]; ++i)
    if (eat(p, CALLS[i].call))
      return call(p, CALLS[i].op);
  if (isdigit((unsigned char)*p->s)) {
    int64_t v = 0;
    while (isdigit((unsigned char)*p->s))
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p->s++ - '0', &v))
        return fail(p);
    return (Size){.known = true, .v = v};
  }
  char name[64];
  size_t n = 0;
  while ((isalnum((unsigned char)*p->s) || *p->s == '_') && n + 1 < sizeof name)
    name[n++] = *p->s++;
  name[n] = '\0';
  return n ? symbol(p, name) : fail(p);
}

static Size term(Parser *p) {
  Size acc = factor(p);
  while (p->ok) {
    if (eat(p, "//"))
      acc = apply(p, FLOORDIV, acc, factor(p));
    else if (eat(p, "*"))
      acc = apply(p, MUL, acc, factor(p));
    else
      break;
  }
  return acc;
}

static Size expr(Parser *p) {
  Size acc = term(p);
  while (p->ok) {
    if (eat(p, "+"))
      acc = apply(p, ADD, acc, term(p));
    else if (eat(p, "-"))
      acc = apply(p, SUB, acc, term(p));
    else
      break;
  }
  return acc;
}

static bool is_identifier(const char *s) {
  for (; *s; ++s)
    if (!isalnum((unsigned char)*s) && *s != '_')
      return false;
  return true;
}

static Size parse(Parser *p) {
  Size s = expr(p);
  skip_space(p);
  if (*p->s != '\0')
    return fail(p);
  return s;
}

bool hm_size_static(HmLowering *L, const char *text, bool hint, int64_t *out) {
  if (is_identifier(text) && !hint)
    return false; /* a plain symbol that hm_static_dim did not know */
  Parser p = {.L = L, .s = text, .mode = hint ? HINT : STATIC, .ok = true};
  Size s = parse(&p);
  if (!p.ok || !s.known)
    return false;
  *out = s.v;
  return true;
}

bool hm_size_value(HmLowering *L, const char *text, MlirValue *out) {
  /* Plain symbols hm_dim_value did not know may still be an int argument or a grid index
   * (hl.tile(begin, end) with int arguments). */
  if (is_identifier(text) && kernel_value(L, text, out))
    return true;
  Parser p = {.L = L, .s = text, .mode = VALUE, .ok = true};
  Size s = is_identifier(text) ? fail(&p) : parse(&p); /* plain symbols are hm_dim_value's */
  if (!p.ok)
    return hm_fail(L, "unsupported symbolic size '%s'", text);
  *out = materialize(&p, s);
  return true;
}

int hm_dim_block(HmLowering *L, HmDim dim) {
  if (!dim.sym)
    return -1;
  const HmBlockSize *bs = hm_spec_block_for_symbol(L->spec, dim.sym);
  return bs ? bs->id : -1;
}

int64_t hm_static_dim(HmLowering *L, HmDim dim) {
  if (!dim.sym)
    return dim.value;
  int block = hm_dim_block(L, dim);
  if (block >= 0 && L->static_tiles[block] >= 0)
    return L->static_tiles[block];
  int64_t value;
  if (block < 0 && hm_size_static(L, dim.sym, false, &value))
    return value;
  return mlirShapedTypeGetDynamicSize();
}

bool hm_dim_value(HmLowering *L, HmDim dim, MlirValue *out) {
  if (!dim.sym) {
    *out = hm_index_const(L, dim.value);
    return true;
  }
  int block = hm_dim_block(L, dim);
  if (block >= 0 && !mlirValueIsNull(L->tile_sizes[block])) {
    *out = L->tile_sizes[block];
    return true;
  }
  for (size_t i = 0; i < L->nsyms; ++i)
    if (strcmp(L->sym_names[i], dim.sym) == 0) {
      *out = L->sym_values[i];
      return true;
    }
  /* an int argument (hl.tile(max_seq_len)) or an enclosing hl.grid's index */
  if (is_identifier(dim.sym) && kernel_value(L, dim.sym, out))
    return true;
  return hm_size_value(L, dim.sym, out);
}
