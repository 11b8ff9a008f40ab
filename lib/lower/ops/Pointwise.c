/* Elementwise ATen ops -> linalg.generic with an arith/math body.
 *
 * Operands broadcast by torch's rules (aligned on the right; a static size-1 dimension repeats),
 * except where Helion aligns them otherwise: an operand of lower rank has its tile dimensions matched
 * to the result's dimensions of the same block (`b[tile0]` in a [tile0, tile1] expression broadcasts as
 * `b[:, None]`), as Helion's pointwise codegen does (TileStrategyDispatch.broadcast_expand_dims).
 * The body computes in the "op math" type: the result's type, or f32 for f16/bf16 results as torch's
 * CPU kernels do, and casts to the result's element type at the end. Comparisons compute in the
 * operands' promoted type and yield i1.
 *
 * Helion's inductor lowering passes each distinct input once and replaces a repeated one with None
 * (`x * x` is captured as `mul(x, None)`), so a None operand after a tensor repeats that tensor.
 */
#include "lower/Shapes.h"

#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"

typedef enum Op {
  ADD, SUB, MUL, DIV, POW, NEG, EXP, EXP2, EXPM1, LOG, LOG1P, SQRT, RSQRT, SIN, COS, TANH, ERF, ABS, FLOOR, CEIL,
  ROUND, TRUNC, SIGN, SIGMOID, RELU, RECIPROCAL,
  GELU_ERF, GELU_TANH, MAXIMUM, MINIMUM, WHERE, GT, GE, LT, LE, EQ, NE, CONVERT,
  LOG2, LOG10, REMAINDER, FMOD, DIV_TRUNC, DIV_FLOOR, BIT_AND, BIT_OR, BIT_XOR, BIT_NOT, SHL, SHR,
  LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR, LOGICAL_NOT,
} Op;

/* LOGICAL: operands compared with zero, then combined as i1 (float_op names the combination). */
typedef enum Shape { UNARY, BINARY, COMPARE, SELECT, CAST, LOGICAL } Shape;

typedef struct OpInfo {
  Shape shape;
  const char *float_op; /* NULL when composed in compose() */
  const char *int_op;
  HmCmpFPredicate float_pred;
  HmCmpIPredicate int_pred;
} OpInfo;

static const OpInfo OPS[] = {
    [ADD] = {BINARY, "arith.addf", "arith.addi"},
    [SUB] = {BINARY, "arith.subf", "arith.subi"},
    [MUL] = {BINARY, "arith.mulf", "arith.muli"},
    [DIV] = {BINARY, "arith.divf", NULL},
    [NEG] = {UNARY, "arith.negf", NULL},
    [EXP] = {UNARY, "math.exp", NULL},
    [EXP2] = {UNARY, "math.exp2", NULL},
    [EXPM1] = {UNARY, "math.expm1", NULL},
    [LOG1P] = {UNARY, "math.log1p", NULL},
    [POW] = {BINARY, "math.powf", NULL},
    [FLOOR] = {UNARY, "math.floor", NULL},
    [CEIL] = {UNARY, "math.ceil", NULL},
    [ROUND] = {UNARY, "math.roundeven", NULL}, /* torch.round rounds half to even */
    [TRUNC] = {UNARY, "math.trunc", NULL},
    [SIGN] = {UNARY, NULL, NULL},
    [LOG] = {UNARY, "math.log", NULL},
    [SQRT] = {UNARY, "math.sqrt", NULL},
    [RSQRT] = {UNARY, "math.rsqrt", NULL},
    [SIN] = {UNARY, "math.sin", NULL},
    [COS] = {UNARY, "math.cos", NULL},
    [TANH] = {UNARY, "math.tanh", NULL},
    [ERF] = {UNARY, "math.erf", NULL},
    [ABS] = {UNARY, "math.absf", "math.absi"},
    [SIGMOID] = {UNARY, NULL, NULL},
    [RELU] = {UNARY, NULL, NULL},
    [RECIPROCAL] = {UNARY, NULL, NULL},
    [GELU_ERF] = {UNARY, NULL, NULL},
    [GELU_TANH] = {UNARY, NULL, NULL},
    [MAXIMUM] = {BINARY, "arith.maximumf", "arith.maxsi"},
    [MINIMUM] = {BINARY, "arith.minimumf", "arith.minsi"},
    [WHERE] = {SELECT, NULL, NULL},
    [GT] = {COMPARE, NULL, NULL, HM_CMPF_OGT, HM_CMPI_SGT},
    [GE] = {COMPARE, NULL, NULL, HM_CMPF_OGE, HM_CMPI_SGE},
    [LT] = {COMPARE, NULL, NULL, HM_CMPF_OLT, HM_CMPI_SLT},
    [LE] = {COMPARE, NULL, NULL, HM_CMPF_OLE, HM_CMPI_SLE},
    [EQ] = {COMPARE, NULL, NULL, HM_CMPF_OEQ, HM_CMPI_EQ},
    [NE] = {COMPARE, NULL, NULL, HM_CMPF_UNE, HM_CMPI_NE},
    [CONVERT] = {CAST, NULL, NULL},
    [LOG2] = {UNARY, "math.log2", NULL},
    [LOG10] = {UNARY, "math.log10", NULL},
    [REMAINDER] = {BINARY, NULL, NULL},
    [FMOD] = {BINARY, "arith.remf", "arith.remsi"},
    [DIV_TRUNC] = {BINARY, NULL, NULL},
    [DIV_FLOOR] = {BINARY, NULL, NULL},
    [BIT_AND] = {BINARY, NULL, "arith.andi"},
    [BIT_OR] = {BINARY, NULL, "arith.ori"},
    [BIT_XOR] = {BINARY, NULL, "arith.xori"},
    [BIT_NOT] = {UNARY, NULL, NULL},
    [SHL] = {BINARY, NULL, "arith.shli"},
    [SHR] = {BINARY, NULL, "arith.shrsi"}, /* torch shifts signed integers arithmetically */
    [LOGICAL_AND] = {LOGICAL, "arith.andi", NULL},
    [LOGICAL_OR] = {LOGICAL, "arith.ori", NULL},
    [LOGICAL_XOR] = {LOGICAL, "arith.xori", NULL},
    [LOGICAL_NOT] = {LOGICAL, NULL, NULL},
};

enum { MAX_OPERANDS = 3 };

/* An operand: a tensor (broadcast into the result), a scalar value (a kernel's scalar argument) or
 * a constant. */
typedef struct Operand {
  bool is_tensor;
  MlirValue tensor;
  const HmSpecValue *val; /* the tensor's spec value (its dimensions' blocks), NULL when unknown */
  MlirValue scalar;
  double constant;
  bool constant_is_float;
} Operand;

typedef struct Body {
  Op op;
  size_t n;
  Operand operands[MAX_OPERANDS];
  MlirType compute, result;
  double alpha;
} Body;

static MlirValue build1(HmLowering *L, const char *name, MlirType type, size_t n, const MlirValue *operands) {
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &type, .noperands = (intptr_t)n,
                                      .operands = operands});
}

static MlirValue binary(HmLowering *L, const char *name, MlirValue a, MlirValue b) {
  return build1(L, name, mlirValueGetType(a), 2, (MlirValue[]){a, b});
}

static MlirValue compare(HmLowering *L, bool is_float, const OpInfo *info, MlirValue a, MlirValue b) {
  return is_float ? hm_cmpf(L, info->float_pred, a, b) : hm_cmpi(L, info->int_pred, a, b);
}

static MlirValue select(HmLowering *L, MlirValue c, MlirValue a, MlirValue b) {
  return build1(L, "arith.select", mlirValueGetType(a), 3, (MlirValue[]){c, a, b});
}

/* GELU as Helion's _gelu_erf and _gelu_tanh_approx define it (and torch computes it):
 * 0.5 x (1 + erf(x / sqrt 2)), or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
static MlirValue gelu(HmLowering *L, Op op, MlirValue x) {
  MlirType t = mlirValueGetType(x);
  MlirValue inner;
  if (op == GELU_ERF) {
    inner = build1(L, "math.erf", t, 1, (MlirValue[]){binary(L, "arith.mulf", x, hm_scalar_const(L, t, 0.7071067811865476))});
  } else {
    MlirValue cube = binary(L, "arith.mulf", binary(L, "arith.mulf", x, x), x);
    MlirValue poly = binary(L, "arith.addf", x, binary(L, "arith.mulf", hm_scalar_const(L, t, 0.044715), cube));
    inner = build1(L, "math.tanh", t, 1,
                   (MlirValue[]){binary(L, "arith.mulf", hm_scalar_const(L, t, 0.7978845608028654), poly)});
  }
  MlirValue half_x = binary(L, "arith.mulf", hm_scalar_const(L, t, 0.5), x);
  return binary(L, "arith.mulf", half_x, binary(L, "arith.addf", hm_scalar_const(L, t, 1.0), inner));
}

/* Ops with no single arith/math counterpart. */
static bool compose(HmLowering *L, Op op, MlirValue x, bool is_float, MlirValue *out) {
  MlirType t = mlirValueGetType(x);
  if (!is_float && op != RELU)
    return hm_node_error(L, L->node, "'%s' on integer tensors is not supported", L->node->target);
  switch (op) {
  case SIGMOID: {
    MlirValue one = hm_scalar_const(L, t, 1.0);
    MlirValue e = build1(L, "math.exp", t, 1, (MlirValue[]){build1(L, "arith.negf", t, 1, &x)});
    *out = binary(L, "arith.divf", one, binary(L, "arith.addf", one, e));
    return true;
  }
  case RELU:
    *out = binary(L, is_float ? "arith.maximumf" : "arith.maxsi", x, hm_scalar_const(L, t, 0));
    return true;
  case RECIPROCAL:
    *out = binary(L, "arith.divf", hm_scalar_const(L, t, 1.0), x);
    return true;
  case GELU_ERF:
  case GELU_TANH:
    *out = gelu(L, op, x);
    return true;
  case SIGN: { /* 1 or -1, and x itself for zeros and NaN, as torch.sign */
    MlirValue zero = hm_scalar_const(L, t, 0.0);
    MlirValue neg = select(L, compare(L, true, &OPS[LT], x, zero), hm_scalar_const(L, t, -1.0), x);
    *out = select(L, compare(L, true, &OPS[GT], x, zero), hm_scalar_const(L, t, 1.0), neg);
    return true;
  }
  default:
    return hm_node_error(L, L->node, "'%s' has no lowering", L->node->target);
  }
}

/* torch's remainder and rounded divisions, which round toward negative infinity (Python's % and //)
 * or toward zero, on floats and integers; bitwise not. */
static bool compose_binary(HmLowering *L, Op op, MlirValue a, MlirValue b, bool is_float, MlirValue *out) {
  MlirType t = mlirValueGetType(a);
  MlirValue zero = hm_scalar_const(L, t, 0);
  switch (op) {
  case REMAINDER: { /* fmod, moved by b where its sign differs from b's (torch's CPU kernel) */
    MlirValue r = binary(L, is_float ? "arith.remf" : "arith.remsi", a, b);
    MlirValue nonzero = is_float ? hm_cmpf(L, HM_CMPF_UNE, r, zero) : hm_cmpi(L, HM_CMPI_NE, r, zero);
    MlirValue r_neg = is_float ? hm_cmpf(L, HM_CMPF_OLT, r, zero) : hm_cmpi(L, HM_CMPI_SLT, r, zero);
    MlirValue b_neg = is_float ? hm_cmpf(L, HM_CMPF_OLT, b, zero) : hm_cmpi(L, HM_CMPI_SLT, b, zero);
    MlirValue differ = binary(L, "arith.xori", r_neg, b_neg);
    MlirValue fix = binary(L, "arith.andi", nonzero, differ);
    *out = select(L, fix, binary(L, is_float ? "arith.addf" : "arith.addi", r, b), r);
    return true;
  }
  case DIV_TRUNC:
    *out = is_float ? build1(L, "math.trunc", t, 1, (MlirValue[]){binary(L, "arith.divf", a, b)})
                    : binary(L, "arith.divsi", a, b);
    return true;
  case DIV_FLOOR:
    *out = is_float ? build1(L, "math.floor", t, 1, (MlirValue[]){binary(L, "arith.divf", a, b)})
                    : binary(L, "arith.floordivsi", a, b);
    return true;
  default:
    return hm_node_error(L, L->node, "'%s' has no lowering", L->node->target);
  }
}

/* torch.logical_*: each operand is true where it is not zero. */
static MlirValue truth(HmLowering *L, MlirValue v) {
  MlirType t = mlirValueGetType(v);
  if (mlirTypeIsAInteger(t) && mlirIntegerTypeGetWidth(t) == 1)
    return v;
  MlirValue zero = hm_scalar_const(L, t, 0);
  return mlirTypeIsAInteger(t) ? hm_cmpi(L, HM_CMPI_NE, v, zero) : hm_cmpf(L, HM_CMPF_UNE, v, zero);
}

static bool compute_body(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result) {
  Body *b = ctx;
  MlirValue v[MAX_OPERANDS];
  size_t next_arg = 0;
  const OpInfo *info = &OPS[b->op];
  for (size_t i = 0; i < b->n; ++i) {
    const Operand *o = &b->operands[i];
    MlirType want = info->shape == SELECT && i == 0 ? mlirIntegerTypeGet(L->ctx, 1) : b->compute;
    v[i] = o->is_tensor                  ? hm_convert_scalar(L, args[next_arg++], want)
           : !mlirValueIsNull(o->scalar) ? hm_convert_scalar(L, o->scalar, want)
                                         : hm_scalar_const(L, want, o->constant);
  }
  bool is_float = !mlirTypeIsAInteger(b->compute);
  MlirValue r;
  if (info->shape == CAST) {
    r = v[0];
  } else if (info->shape == LOGICAL) {
    MlirValue a = truth(L, v[0]);
    r = b->op == LOGICAL_NOT ? binary(L, "arith.xori", a, hm_scalar_const(L, mlirValueGetType(a), 1))
                             : binary(L, info->float_op, a, truth(L, v[1]));
  } else if (b->op == BIT_NOT) {
    if (is_float)
      return hm_node_error(L, L->node, "'%s' on float tensors is not supported", L->node->target);
    r = binary(L, "arith.xori", v[0], hm_scalar_const(L, b->compute, -1));
  } else if (b->op == NEG && !is_float) { /* arith has no negi: 0 - x wraps as torch's negation does */
    r = binary(L, "arith.subi", hm_scalar_const(L, b->compute, 0), v[0]);
  } else if (b->op == REMAINDER || b->op == DIV_TRUNC || b->op == DIV_FLOOR) {
    if (!compose_binary(L, b->op, v[0], v[1], is_float, &r))
      return false;
  } else if (info->shape == SELECT) {
    r = hm_build_value(L, (HmOpSpec){.name = "arith.select", .nresults = 1, .results = &b->compute,
                                     .noperands = 3, .operands = v});
  } else if (info->shape == COMPARE) {
    r = compare(L, is_float, info, v[0], v[1]);
  } else {
    const char *name = is_float ? info->float_op : info->int_op;
    if (!name && !info->float_op && !info->int_op) {
      if (!compose(L, b->op, v[0], is_float, &r))
        return false;
    } else if (!name) {
      return hm_node_error(L, L->node, "'%s' on %s tensors is not supported", L->node->target,
                           is_float ? "float" : "integer");
    } else {
      if (info->shape == BINARY && b->alpha != 1.0)
        v[1] = binary(L, is_float ? "arith.mulf" : "arith.muli", v[1], hm_scalar_const(L, b->compute, b->alpha));
      r = build1(L, name, b->compute, info->shape == UNARY ? 1 : 2, v);
    }
  }
  *result = hm_convert_scalar(L, r, b->result);
  return true;
}

static MlirType op_math(HmLowering *L, MlirType t) { return hm_op_math_type(L, t); }

static unsigned rank_of_float(MlirType t) {
  return mlirTypeIsAF64(t) ? 4 : mlirTypeIsAF32(t) ? 3 : mlirTypeIsABF16(t) ? 2 : mlirTypeIsAF16(t) ? 1 : 0;
}

/* The type comparisons compute in: the widest float among tensor operands, else the widest int;
 * a float constant against integer tensors compares as f32 (torch's default dtype). */
static MlirType compare_type(HmLowering *L, const Body *b) {
  MlirType best = {NULL};
  bool float_constant = false;
  for (size_t i = 0; i < b->n; ++i) {
    if (!b->operands[i].is_tensor) {
      float_constant |= b->operands[i].constant_is_float;
      continue;
    }
    MlirType t = hm_element_of(b->operands[i].tensor);
    if (mlirTypeIsNull(best) || rank_of_float(t) > rank_of_float(best) ||
        (rank_of_float(t) == 0 && rank_of_float(best) == 0 &&
         mlirIntegerTypeGetWidth(t) > mlirIntegerTypeGetWidth(best)))
      best = t;
  }
  if (mlirTypeIsNull(best) || (float_constant && mlirTypeIsAInteger(best)))
    return mlirF32TypeGet(L->ctx);
  return op_math(L, best);
}

static bool read_operand(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, Operand *out) {
  if (arg->kind == HM_ARG_INT || arg->kind == HM_ARG_BOOL || arg->kind == HM_ARG_FLOAT) {
    *out = (Operand){.constant = arg->kind == HM_ARG_FLOAT ? arg->f : (double)arg->i,
                     .constant_is_float = arg->kind == HM_ARG_FLOAT};
    return true;
  }
  HmIrValue v;
  if (!hm_arg_value(L, S, node, arg, &v))
    return false;
  if (v.kind == HM_IR_SCALAR) {
    *out = (Operand){.scalar = v.value};
    return true;
  }
  if (v.kind == HM_IR_INDEX) { /* a SymInt (tile.begin, a size): a Python int, so an i64 scalar */
    MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
    *out = (Operand){.scalar = hm_build_value(L, (HmOpSpec){.name = "arith.index_cast", .nresults = 1,
                                                            .results = &i64, .noperands = 1,
                                                            .operands = &v.value})};
    return true;
  }
  if (v.kind != HM_IR_TENSOR)
    return hm_node_error(L, node, "operands of '%s' must be tensors or numbers", node->target);
  const HmNode *producer = arg->kind == HM_ARG_NODE ? hm_arg_node(S, arg) : NULL;
  *out = (Operand){.is_tensor = true, .tensor = v.value,
                   .val = producer && producer->val.kind == HM_SPEC_TENSOR ? &producer->val : NULL};
  return true;
}

/* The map of an operand into the result's iteration space, broadcasting size-1 dimensions. */
static MlirAffineMap broadcast_map(HmLowering *L, const Operand *operand, const HmSpecValue *result) {
  MlirType type = mlirValueGetType(operand->tensor);
  size_t rank = (size_t)mlirShapedTypeGetRank(type), out_rank = result->rank;
  size_t dst[HM_MAX_RANK];
  hm_broadcast_dims(L, operand->val, rank, result, dst);
  MlirAffineExpr exprs[HM_MAX_RANK];
  for (size_t j = 0; j < rank; ++j) {
    bool repeat = mlirShapedTypeGetDimSize(type, (intptr_t)j) == 1 && hm_static_dim(L, result->shape[dst[j]]) != 1;
    exprs[j] = repeat ? mlirAffineConstantExprGet(L->ctx, 0) : mlirAffineDimExprGet(L->ctx, (intptr_t)dst[j]);
  }
  return mlirAffineMapGet(L->ctx, (intptr_t)out_rank, 0, (intptr_t)rank, exprs);
}

/* The result's shape, where a dimension the capture gives as a tile one wide (hl.tile(a, b,
 * block_size=1)) meets a wider operand dimension: Helion's fake tensors keep the unit tile
 * (`w[order, c] * x[b, c]` is [order, c]), its generated code broadcasts it to the wider one ([b, c]),
 * as a size-1 dimension. */
static HmSpecValue unit_tiles_broadcast(HmLowering *L, const Body *b, const HmSpecValue *val, HmDim *dims) {
  HmSpecValue result = *val;
  for (size_t d = 0; d < val->rank; ++d)
    dims[d] = val->shape[d];
  result.shape = dims;
  for (size_t i = 0; i < b->n; ++i) {
    const Operand *o = &b->operands[i];
    if (!o->is_tensor || !o->val || o->val->kind != HM_SPEC_TENSOR)
      continue;
    MlirType type = mlirValueGetType(o->tensor);
    size_t rank = (size_t)mlirShapedTypeGetRank(type), dst[HM_MAX_RANK];
    if (rank != o->val->rank)
      continue;
    hm_broadcast_dims(L, o->val, rank, val, dst);
    for (size_t j = 0; j < rank; ++j) {
      HmDim *d = &dims[dst[j]];
      int64_t size = mlirShapedTypeGetDimSize(type, (intptr_t)j);
      if (d->sym && hm_dim_block(L, *d) >= 0 && hm_static_dim(L, *d) == 1 && size != 1 &&
          !mlirShapedTypeIsDynamicSize(size) && hm_static_dim(L, o->val->shape[j]) == size)
        *d = o->val->shape[j];
    }
  }
  return result;
}

static size_t operand_count(Op op) {
  Shape shape = OPS[op].shape;
  return shape == UNARY || shape == CAST || op == LOGICAL_NOT ? 1 : shape == SELECT ? 3 : 2;
}

static bool lower_pointwise(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  Body b = {.op = (Op)variant, .n = operand_count((Op)variant), .alpha = 1.0};
  if (node->val.kind != HM_SPEC_TENSOR || node->val.rank > HM_MAX_RANK)
    return hm_node_error(L, node, "'%s' must produce a tensor", node->target);
  MlirValue inputs[MAX_OPERANDS];
  MlirAffineMap maps[MAX_OPERANDS + 1];
  size_t ninputs = 0;
  for (size_t i = 0; i < b.n; ++i) {
    const HmArg *arg = hm_arg(L, node, i);
    if (arg && arg->kind == HM_ARG_NONE && i > 0 && b.operands[i - 1].is_tensor)
      b.operands[i] = b.operands[i - 1];
    else if (!arg || !read_operand(L, S, node, arg, &b.operands[i]))
      return false;
    if (b.operands[i].is_tensor &&
        (size_t)mlirShapedTypeGetRank(mlirValueGetType(b.operands[i].tensor)) > node->val.rank)
      return hm_node_error(L, node, "operand %zu has a higher rank than the result", i);
  }
  HmDim dims[HM_MAX_RANK];
  HmSpecValue result = unit_tiles_broadcast(L, &b, &node->val, dims);
  for (size_t i = 0; i < b.n; ++i)
    if (b.operands[i].is_tensor) {
      maps[ninputs] = broadcast_map(L, &b.operands[i], &result);
      inputs[ninputs++] = b.operands[i].tensor;
    }
  const HmArg *alpha = hm_kwarg(node, "alpha");
  if (alpha)
    b.alpha = alpha->kind == HM_ARG_FLOAT ? alpha->f : (double)alpha->i;
  b.result = hm_element_type(L, node->val.dtype);
  b.compute = OPS[variant].shape == COMPARE || OPS[variant].shape == LOGICAL ? compare_type(L, &b) : op_math(L, b.result);
  MlirValue init;
  if (!hm_empty_tensor(L, &result, b.result, &init))
    return false;
  maps[ninputs] = mlirAffineMapMultiDimIdentityGet(L->ctx, (intptr_t)node->val.rank);
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1};
  return hm_generic(L, ninputs, inputs, maps, init, node->val.rank, NULL, compute_body, &b, &out->value);
}

/* div(a, b, rounding_mode=None|"trunc"|"floor"). */
static bool lower_div_mode(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  (void)variant;
  const HmArg *mode = hm_kwarg(node, "rounding_mode");
  if (!mode || mode->kind == HM_ARG_NONE)
    return lower_pointwise(L, S, node, DIV, out);
  if (mode->kind == HM_ARG_STR && strcmp(mode->str, "trunc") == 0)
    return lower_pointwise(L, S, node, DIV_TRUNC, out);
  if (mode->kind == HM_ARG_STR && strcmp(mode->str, "floor") == 0)
    return lower_pointwise(L, S, node, DIV_FLOOR, out);
  return hm_node_error(L, node, "'%s': rounding_mode must be None, 'trunc' or 'floor'", node->target);
}

/* torch.scalar_tensor(v, dtype=...): a rank-0 tensor holding v (decompositions use it as a constant
 * operand that broadcasts; hl.rand's Philox makes its seed, a scalar argument, a tensor with it). */
static bool lower_scalar_tensor(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  (void)variant;
  const HmArg *v = hm_arg(L, node, 0);
  Operand o;
  if (!v || node->val.kind != HM_SPEC_TENSOR)
    return hm_node_error(L, node, "scalar_tensor needs a number");
  if (!read_operand(L, S, node, v, &o))
    return false;
  if (o.is_tensor)
    return hm_node_error(L, node, "scalar_tensor needs a number, not a tensor");
  MlirType element = hm_element_type(L, node->val.dtype);
  MlirValue empty;
  if (!hm_empty_tensor(L, &node->val, element, &empty))
    return false;
  MlirValue fill = mlirValueIsNull(o.scalar) ? hm_scalar_const(L, element, o.constant) : hm_convert_scalar(L, o.scalar, element);
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1, .value = hm_fill(L, empty, fill)};
  return true;
}

const HmOpEntry hm_pointwise_ops[] = {
    {"aten.add.Tensor", lower_pointwise, ADD, HM_OP_OTHER},
    {"aten.add.Scalar", lower_pointwise, ADD, HM_OP_OTHER},
    {"aten.sub.Tensor", lower_pointwise, SUB, HM_OP_OTHER},
    {"aten.sub.Scalar", lower_pointwise, SUB, HM_OP_OTHER},
    {"aten.mul.Tensor", lower_pointwise, MUL, HM_OP_OTHER},
    {"aten.mul.Scalar", lower_pointwise, MUL, HM_OP_OTHER},
    {"aten.div.Tensor", lower_pointwise, DIV, HM_OP_OTHER},
    {"aten.div.Scalar", lower_pointwise, DIV, HM_OP_OTHER},
    {"aten.neg.default", lower_pointwise, NEG, HM_OP_OTHER},
    {"aten.exp.default", lower_pointwise, EXP, HM_OP_OTHER},
    {"aten.exp2.default", lower_pointwise, EXP2, HM_OP_OTHER},
    {"aten.expm1.default", lower_pointwise, EXPM1, HM_OP_OTHER},
    {"aten.log1p.default", lower_pointwise, LOG1P, HM_OP_OTHER},
    {"aten.pow.Tensor_Scalar", lower_pointwise, POW, HM_OP_OTHER},
    {"aten.pow.Tensor_Tensor", lower_pointwise, POW, HM_OP_OTHER},
    {"aten.pow.Scalar", lower_pointwise, POW, HM_OP_OTHER},
    {"aten.floor.default", lower_pointwise, FLOOR, HM_OP_OTHER},
    {"aten.ceil.default", lower_pointwise, CEIL, HM_OP_OTHER},
    {"aten.round.default", lower_pointwise, ROUND, HM_OP_OTHER},
    {"aten.trunc.default", lower_pointwise, TRUNC, HM_OP_OTHER},
    {"aten.sign.default", lower_pointwise, SIGN, HM_OP_OTHER},
    {"aten.clamp_min.default", lower_pointwise, MAXIMUM, HM_OP_OTHER},
    {"aten.clamp_max.default", lower_pointwise, MINIMUM, HM_OP_OTHER},
    {"aten.log.default", lower_pointwise, LOG, HM_OP_OTHER},
    {"aten.log2.default", lower_pointwise, LOG2, HM_OP_OTHER},
    {"aten.log10.default", lower_pointwise, LOG10, HM_OP_OTHER},
    {"aten.sqrt.default", lower_pointwise, SQRT, HM_OP_OTHER},
    {"aten.rsqrt.default", lower_pointwise, RSQRT, HM_OP_OTHER},
    {"aten.sin.default", lower_pointwise, SIN, HM_OP_OTHER},
    {"aten.cos.default", lower_pointwise, COS, HM_OP_OTHER},
    {"aten.tanh.default", lower_pointwise, TANH, HM_OP_OTHER},
    {"aten.erf.default", lower_pointwise, ERF, HM_OP_OTHER},
    {"aten.abs.default", lower_pointwise, ABS, HM_OP_OTHER},
    {"aten.sigmoid.default", lower_pointwise, SIGMOID, HM_OP_OTHER},
    {"aten.relu.default", lower_pointwise, RELU, HM_OP_OTHER},
    {"aten.reciprocal.default", lower_pointwise, RECIPROCAL, HM_OP_OTHER},
    {"helion.language._gelu_tanh_approx._gelu_erf", lower_pointwise, GELU_ERF, HM_OP_OTHER},
    {"helion.language._gelu_tanh_approx._gelu_tanh_approx", lower_pointwise, GELU_TANH, HM_OP_OTHER},
    {"aten.maximum.default", lower_pointwise, MAXIMUM, HM_OP_OTHER},
    {"aten.minimum.default", lower_pointwise, MINIMUM, HM_OP_OTHER},
    {"aten.where.self", lower_pointwise, WHERE, HM_OP_OTHER},
    {"aten.gt.Tensor", lower_pointwise, GT, HM_OP_OTHER},
    {"aten.gt.Scalar", lower_pointwise, GT, HM_OP_OTHER},
    {"aten.ge.Tensor", lower_pointwise, GE, HM_OP_OTHER},
    {"aten.ge.Scalar", lower_pointwise, GE, HM_OP_OTHER},
    {"aten.lt.Tensor", lower_pointwise, LT, HM_OP_OTHER},
    {"aten.lt.Scalar", lower_pointwise, LT, HM_OP_OTHER},
    {"aten.le.Tensor", lower_pointwise, LE, HM_OP_OTHER},
    {"aten.le.Scalar", lower_pointwise, LE, HM_OP_OTHER},
    {"aten.eq.Tensor", lower_pointwise, EQ, HM_OP_OTHER},
    {"aten.eq.Scalar", lower_pointwise, EQ, HM_OP_OTHER},
    {"aten.ne.Tensor", lower_pointwise, NE, HM_OP_OTHER},
    {"aten.ne.Scalar", lower_pointwise, NE, HM_OP_OTHER},
    {"prims.convert_element_type.default", lower_pointwise, CONVERT, HM_OP_OTHER},
    {"aten._to_copy.default", lower_pointwise, CONVERT, HM_OP_OTHER},
    {"aten.scalar_tensor.default", lower_scalar_tensor, 0, HM_OP_OTHER},
    {"aten.div.Tensor_mode", lower_div_mode, 0, HM_OP_OTHER},
    {"aten.div.Scalar_mode", lower_div_mode, 0, HM_OP_OTHER},
    {"aten.floor_divide.default", lower_pointwise, DIV_FLOOR, HM_OP_OTHER},
    {"aten.floor_divide.Scalar", lower_pointwise, DIV_FLOOR, HM_OP_OTHER},
    {"aten.remainder.Tensor", lower_pointwise, REMAINDER, HM_OP_OTHER},
    {"aten.remainder.Scalar", lower_pointwise, REMAINDER, HM_OP_OTHER},
    {"aten.remainder.Scalar_Tensor", lower_pointwise, REMAINDER, HM_OP_OTHER},
    {"aten.fmod.Tensor", lower_pointwise, FMOD, HM_OP_OTHER},
    {"aten.fmod.Scalar", lower_pointwise, FMOD, HM_OP_OTHER},
    {"aten.bitwise_and.Tensor", lower_pointwise, BIT_AND, HM_OP_OTHER},
    {"aten.bitwise_and.Scalar", lower_pointwise, BIT_AND, HM_OP_OTHER},
    {"aten.bitwise_or.Tensor", lower_pointwise, BIT_OR, HM_OP_OTHER},
    {"aten.bitwise_or.Scalar", lower_pointwise, BIT_OR, HM_OP_OTHER},
    {"aten.bitwise_xor.Tensor", lower_pointwise, BIT_XOR, HM_OP_OTHER},
    {"aten.bitwise_xor.Scalar", lower_pointwise, BIT_XOR, HM_OP_OTHER},
    {"aten.bitwise_not.default", lower_pointwise, BIT_NOT, HM_OP_OTHER},
    {"aten.bitwise_left_shift.Tensor", lower_pointwise, SHL, HM_OP_OTHER},
    {"aten.bitwise_left_shift.Tensor_Scalar", lower_pointwise, SHL, HM_OP_OTHER},
    {"aten.bitwise_right_shift.Tensor", lower_pointwise, SHR, HM_OP_OTHER},
    {"aten.bitwise_right_shift.Tensor_Scalar", lower_pointwise, SHR, HM_OP_OTHER},
    {"aten.__lshift__.Scalar", lower_pointwise, SHL, HM_OP_OTHER},
    {"aten.__lshift__.Tensor", lower_pointwise, SHL, HM_OP_OTHER},
    {"aten.__rshift__.Tensor", lower_pointwise, SHR, HM_OP_OTHER},
    {"aten.__rshift__.Scalar", lower_pointwise, SHR, HM_OP_OTHER},
    {"aten.logical_and.default", lower_pointwise, LOGICAL_AND, HM_OP_OTHER},
    {"aten.logical_or.default", lower_pointwise, LOGICAL_OR, HM_OP_OTHER},
    {"aten.logical_xor.default", lower_pointwise, LOGICAL_XOR, HM_OP_OTHER},
    {"aten.logical_not.default", lower_pointwise, LOGICAL_NOT, HM_OP_OTHER},
    {NULL, NULL, 0, HM_OP_OTHER},
};
