/* --aten=torch: an ATen op becomes torch-mlir's op for it, on `!torch.vtensor` values.
 *
 * The op's operands follow its PyTorch schema (the table at the bottom; torch-mlir generates its ops
 * from the same schemas, so names and operand order are PyTorch's): tensors are vtensors, numbers,
 * bools and dtypes are `torch.constant.*` values or scalars brought in with `torch_c.from_i64` /
 * `from_f64` / `from_i1`, integer lists are `torch.prim.ListConstruct`s, and an argument the Device IR
 * leaves out takes the schema's default. A number where the schema wants a tensor (Helion passes
 * `x * alpha` as `mul.Tensor`) becomes a 0-d tensor, as torch's own scalar wrapping does: a builtin
 * 0-d tensor of the type the op computes the number in (`number_dtype`), brought in with
 * `torch_c.from_builtin_tensor`. Not `torch.prim.NumToTensor.Scalar`: torch-mlir's TOSA conversion
 * takes that of constants only, and its f64/si64 result has no TOSA type.
 *
 * The rest of the kernel (loads, masks, loops, stores) works on builtin tensors, so a tile meets a
 * torch op through `torch_c.from_builtin_tensor` and each result goes back through
 * `torch_c.to_builtin_tensor`; the vtensor behind a builtin value is remembered (`L->torch_values`),
 * so a chain of torch ops passes vtensors directly. As in the linalg form, a None operand of an
 * elementwise op repeats the tensor before it (inductor passes a repeated input once), and the last
 * buffer of an inductor decomposition (`mean` reading its `_extra_args`) is lowered by its family.
 *
 * The torch types are IRDL types (dialects/torch.irdl.mlir), which have no C API builder: they are
 * parsed from their parameters as the C API prints them.
 */
#include "helion-mlir/support/Context.h"
#include "lower/Shapes.h"
#include "lower/SizeExpr.h"

#include <stdio.h>
#include <string.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Support.h"

typedef enum TorchKind {
  TK_TENSOR,
  TK_SCALAR,    /* a Python number: !torch.int or !torch.float */
  TK_INT,
  TK_FLOAT,
  TK_BOOL,
  TK_INTS,      /* int[] and SymInt[]: a !torch.list<!torch.int> */
  TK_DTYPE,     /* ScalarType: !torch.int holding torch's dtype code */
  TK_NONE,      /* layout, device, memory format, pin_memory: always None on the CPU */
  TK_OUT_DTYPE, /* the `.dtype` matmuls' out_dtype: the result dtype, not an operand (see tensor_operand) */
} TorchKind;

typedef enum TorchDefault { TD_REQUIRED, TD_NONE, TD_FALSE, TD_ONE, TD_EMPTY } TorchDefault;

typedef struct TorchParam {
  const char *name;
  TorchKind kind;
  TorchDefault def;
} TorchParam;

enum { MAX_PARAMS = 8, MAX_LIST = 16 };

typedef struct TorchOp {
  const char *target; /* the Device IR target */
  const char *op;     /* the torch-mlir op */
  TorchParam params[MAX_PARAMS];
  bool in_result_dtype; /* tensor operands are converted to the result's dtype (see tensor_operand) */
} TorchOp;

static const TorchOp TORCH_OPS[];

static const TorchOp *find_torch_op(const char *target) {
  for (const TorchOp *t = TORCH_OPS; t->target; ++t)
    if (strcmp(t->target, target) == 0)
      return t;
  return NULL;
}

bool hm_has_torch_op(const char *target) { return find_torch_op(target) != NULL; }

/* ---- Types ---- */

static MlirType parse_type(HmLowering *L, const char *text) {
  return mlirTypeParseGet(L->ctx, mlirStringRefCreateFromCString(text));
}

static MlirType torch_int(HmLowering *L) { return parse_type(L, "!torch.int"); }
static MlirType torch_float(HmLowering *L) { return parse_type(L, "!torch.float"); }
static MlirType torch_bool(HmLowering *L) { return parse_type(L, "!torch.bool"); }
static MlirType torch_none(HmLowering *L) { return parse_type(L, "!torch.none"); }
static MlirType torch_int_list(HmLowering *L) { return parse_type(L, "!torch.list<!torch.int>"); }

/* torch's dtypes: signed integers are `si64`, `ui8`, where builtin tensors hold signless ones. */
static MlirType torch_dtype(HmLowering *L, HmDtype dtype) {
  switch (dtype) {
  case HM_DTYPE_I64: return mlirIntegerTypeSignedGet(L->ctx, 64);
  case HM_DTYPE_I32: return mlirIntegerTypeSignedGet(L->ctx, 32);
  case HM_DTYPE_I16: return mlirIntegerTypeSignedGet(L->ctx, 16);
  case HM_DTYPE_I8: return mlirIntegerTypeSignedGet(L->ctx, 8);
  case HM_DTYPE_U8: return mlirIntegerTypeUnsignedGet(L->ctx, 8);
  default: return hm_element_type(L, dtype);
  }
}

static HmDtype dtype_of_element(MlirType element) {
  if (mlirTypeIsAF64(element)) return HM_DTYPE_F64;
  if (mlirTypeIsAF32(element)) return HM_DTYPE_F32;
  if (mlirTypeIsAF16(element)) return HM_DTYPE_F16;
  if (mlirTypeIsABF16(element)) return HM_DTYPE_BF16;
  if (mlirTypeIsAFloat8E4M3FN(element)) return HM_DTYPE_F8E4M3FN;
  if (mlirTypeIsAFloat8E5M2(element)) return HM_DTYPE_F8E5M2;
  if (mlirTypeIsAInteger(element)) {
    switch (mlirIntegerTypeGetWidth(element)) {
    case 64: return HM_DTYPE_I64;
    case 32: return HM_DTYPE_I32;
    case 16: return HM_DTYPE_I16;
    case 8: return HM_DTYPE_I8;
    case 1: return HM_DTYPE_BOOL;
    default: break;
    }
  }
  return HM_DTYPE_INVALID;
}

static void append_printed(MlirStringRef piece, void *buffer) { hm_buffer_append(piece, buffer); }

/* `!torch.vtensor<[sizes], dtype>` with the shape of the builtin `tensor` type (-1 where dynamic,
 * which torch-mlir reads as its `?`). */
static MlirType vtensor_type(HmLowering *L, MlirType tensor, HmDtype dtype) {
  intptr_t rank = mlirShapedTypeGetRank(tensor);
  MlirAttribute sizes[HM_MAX_RANK];
  if (rank > HM_MAX_RANK)
    return (MlirType){NULL};
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  for (intptr_t d = 0; d < rank; ++d) {
    int64_t size = mlirShapedTypeGetDimSize(tensor, d);
    sizes[d] = mlirIntegerAttrGet(i64, mlirShapedTypeIsDynamicSize(size) ? -1 : size);
  }
  MlirType element = torch_dtype(L, dtype);
  if (mlirTypeIsNull(element))
    return (MlirType){NULL};
  HmBuffer text = {0};
  hm_buffer_append(mlirStringRefCreateFromCString("!torch.vtensor<"), &text);
  mlirAttributePrint(mlirArrayAttrGet(L->ctx, rank, sizes), append_printed, &text);
  hm_buffer_append(mlirStringRefCreateFromCString(", "), &text);
  mlirTypePrint(element, append_printed, &text);
  hm_buffer_append(mlirStringRefCreateFromCString(">"), &text);
  MlirType type = text.oom ? (MlirType){NULL} : parse_type(L, text.data);
  hm_buffer_free(&text);
  return type;
}

/* ---- Values ---- */

static MlirValue build1(HmLowering *L, const char *name, MlirType type, intptr_t n, const MlirValue *operands,
                        intptr_t nattrs, const MlirNamedAttribute *attrs) {
  return hm_build_value(L, (HmOpSpec){.name = name, .nresults = 1, .results = &type, .noperands = n,
                                      .operands = operands, .nattrs = nattrs, .attrs = attrs});
}

static MlirValue constant_int(HmLowering *L, int64_t value) {
  MlirNamedAttribute attr = hm_named(L, "value", mlirIntegerAttrGet(mlirIntegerTypeGet(L->ctx, 64), value));
  return build1(L, "torch.constant.int", torch_int(L), 0, NULL, 1, &attr);
}

static MlirValue constant_float(HmLowering *L, double value) {
  MlirNamedAttribute attr = hm_named(L, "value", mlirFloatAttrDoubleGet(L->ctx, mlirF64TypeGet(L->ctx), value));
  return build1(L, "torch.constant.float", torch_float(L), 0, NULL, 1, &attr);
}

static MlirValue constant_bool(HmLowering *L, bool value) {
  MlirNamedAttribute attr = hm_named(L, "value", mlirBoolAttrGet(L->ctx, value));
  return build1(L, "torch.constant.bool", torch_bool(L), 0, NULL, 1, &attr);
}

static MlirValue constant_none(HmLowering *L) { return build1(L, "torch.constant.none", torch_none(L), 0, NULL, 0, NULL); }

/* torch's ScalarType codes (c10/core/ScalarType.h). */
static int64_t scalar_type_code(HmDtype dtype) {
  switch (dtype) {
  case HM_DTYPE_U8: return 0;
  case HM_DTYPE_I8: return 1;
  case HM_DTYPE_I16: return 2;
  case HM_DTYPE_I32: return 3;
  case HM_DTYPE_I64: return 4;
  case HM_DTYPE_F16: return 5;
  case HM_DTYPE_F32: return 6;
  case HM_DTYPE_F64: return 7;
  case HM_DTYPE_BOOL: return 11;
  case HM_DTYPE_BF16: return 15;
  case HM_DTYPE_F8E5M2: return 23;
  case HM_DTYPE_F8E4M3FN: return 24;
  default: return -1;
  }
}

/* A scalar SSA value (index, integer or float) as a !torch.int, !torch.float or !torch.bool. */
static MlirValue from_scalar(HmLowering *L, MlirValue value) {
  MlirType type = mlirValueGetType(value), i64 = mlirIntegerTypeGet(L->ctx, 64);
  if (mlirTypeIsAIndex(type))
    value = build1(L, "arith.index_cast", i64, 1, &value, 0, NULL);
  else if (mlirTypeIsAInteger(type) && mlirIntegerTypeGetWidth(type) == 1)
    return build1(L, "torch_c.from_i1", torch_bool(L), 1, &value, 0, NULL);
  if (mlirTypeIsAInteger(mlirValueGetType(value)))
    return build1(L, "torch_c.from_i64", torch_int(L), 1, (MlirValue[]){hm_convert_scalar(L, value, i64)}, 0, NULL);
  MlirValue f64 = hm_convert_scalar(L, value, mlirF64TypeGet(L->ctx));
  return build1(L, "torch_c.from_f64", torch_float(L), 1, &f64, 0, NULL);
}

static bool remember(HmLowering *L, MlirValue builtin, MlirValue vtensor, MlirBlock block) {
  HmTorchValue *t = hm_arena_new(&L->arena, HmTorchValue, 1);
  if (!t)
    return false;
  *t = (HmTorchValue){.builtin = builtin, .vtensor = vtensor, .block = block, .next = L->torch_values};
  L->torch_values = t;
  return true;
}

/* The vtensor for a builtin tensor value: the one a torch op produced it from, one converted
 * earlier in this block, or a new torch_c.from_builtin_tensor. */
static MlirValue as_vtensor(HmLowering *L, MlirValue tensor, HmDtype dtype) {
  for (const HmTorchValue *t = L->torch_values; t; t = t->next)
    if (mlirValueEqual(t->builtin, tensor) && (mlirBlockIsNull(t->block) || mlirBlockEqual(t->block, L->block)))
      return t->vtensor;
  MlirType type = mlirValueGetType(tensor);
  if (dtype == HM_DTYPE_INVALID)
    dtype = dtype_of_element(mlirShapedTypeGetElementType(type));
  MlirType vt = vtensor_type(L, type, dtype);
  if (mlirTypeIsNull(vt))
    return (MlirValue){NULL};
  MlirValue v = build1(L, "torch_c.from_builtin_tensor", vt, 1, &tensor, 0, NULL);
  if (!mlirValueIsNull(v) && !remember(L, tensor, v, L->block))
    return (MlirValue){NULL};
  return v;
}

/* ---- Operands ---- */

typedef struct Operands {
  MlirValue values[MAX_PARAMS];
  size_t n;
} Operands;

static bool scalar_operand(HmLowering *L, HmScope *S, const HmNode *node, const TorchParam *p, const HmArg *arg,
                           MlirValue *out) {
  switch (arg->kind) {
  case HM_ARG_BOOL:
    *out = p->kind == TK_BOOL ? constant_bool(L, arg->i != 0) : constant_int(L, arg->i);
    return true;
  case HM_ARG_INT:
    *out = p->kind == TK_FLOAT ? constant_float(L, (double)arg->i)
         : p->kind == TK_BOOL  ? constant_bool(L, arg->i != 0)
                               : constant_int(L, arg->i);
    return true;
  case HM_ARG_FLOAT:
    if (p->kind == TK_INT || p->kind == TK_BOOL)
      return hm_node_error(L, node, "'%s' of '%s' must be an integer, got %g", p->name, node->target, arg->f);
    *out = constant_float(L, arg->f);
    return true;
  case HM_ARG_SYM: {
    MlirValue index;
    if (!hm_size_value(L, arg->str, &index))
      return false;
    *out = from_scalar(L, index);
    return true;
  }
  case HM_ARG_NODE: {
    HmIrValue v = S->values[arg->node];
    if (v.kind != HM_IR_SCALAR && v.kind != HM_IR_INDEX)
      return hm_node_error(L, node, "'%s' of '%s' must be a number", p->name, node->target);
    *out = from_scalar(L, v.value);
    return true;
  }
  default:
    return hm_node_error(L, node, "'%s' of '%s' must be a number", p->name, node->target);
  }
}

static unsigned float_rank(HmDtype d) {
  return d == HM_DTYPE_F64 ? 2 : d != HM_DTYPE_INVALID && hm_dtype_is_float(d) ? 1 : 0;
}

static unsigned int_width(HmDtype d) {
  switch (d) {
  case HM_DTYPE_I64: return 64;
  case HM_DTYPE_I32: return 32;
  case HM_DTYPE_I16: return 16;
  case HM_DTYPE_I8: case HM_DTYPE_U8: return 8;
  default: return 0;
  }
}

/* The dtype torch computes a number in against the node's tensor operands (its "op math"): the
 * widest float among them, f16 and bf16 as f32; else f32 for a float number (torch's default dtype);
 * else the widest integer, or i64 when only bools meet the integer. A bool stays a bool. */
static HmDtype number_dtype(const HmScope *S, const HmNode *node, MlirType number) {
  if (mlirTypeIsAInteger(number) && mlirIntegerTypeGetWidth(number) == 1)
    return HM_DTYPE_BOOL;
  HmDtype best_float = HM_DTYPE_INVALID, best_int = HM_DTYPE_INVALID;
  for (size_t i = 0; i < node->nargs; ++i) {
    const HmArg *arg = &node->args[i];
    if (arg->kind != HM_ARG_NODE || S->values[arg->node].kind != HM_IR_TENSOR)
      continue;
    const HmNode *src = hm_arg_node(S, arg);
    HmDtype d = src && src->val.kind == HM_SPEC_TENSOR ? src->val.dtype
                                                       : dtype_of_element(hm_element_of(S->values[arg->node].value));
    if (float_rank(d) > float_rank(best_float))
      best_float = d == HM_DTYPE_F64 ? HM_DTYPE_F64 : HM_DTYPE_F32;
    else if (int_width(d) > int_width(best_int))
      best_int = d;
  }
  if (best_float != HM_DTYPE_INVALID)
    return best_float;
  if (!mlirTypeIsAInteger(number) && !mlirTypeIsAIndex(number))
    return HM_DTYPE_F32;
  return best_int != HM_DTYPE_INVALID ? best_int : HM_DTYPE_I64;
}

/* The builtin scalar of a number argument: a constant, a size expression or a scalar node. */
static bool number_value(HmLowering *L, HmScope *S, const HmNode *node, const TorchParam *p, const HmArg *arg,
                         MlirValue *out) {
  MlirType i64 = mlirIntegerTypeGet(L->ctx, 64);
  switch (arg->kind) {
  case HM_ARG_INT:
  case HM_ARG_BOOL: {
    MlirType type = arg->kind == HM_ARG_BOOL ? mlirIntegerTypeGet(L->ctx, 1) : i64;
    MlirNamedAttribute attr = hm_named(L, "value", mlirIntegerAttrGet(type, arg->i));
    *out = build1(L, "arith.constant", type, 0, NULL, 1, &attr);
    return true;
  }
  case HM_ARG_FLOAT:
    *out = hm_scalar_const(L, mlirF64TypeGet(L->ctx), arg->f);
    return true;
  case HM_ARG_SYM:
    return hm_size_value(L, arg->str, out);
  case HM_ARG_NODE: {
    HmIrValue v = S->values[arg->node];
    if (v.kind != HM_IR_SCALAR && v.kind != HM_IR_INDEX)
      break;
    *out = v.value;
    return true;
  }
  default: break;
  }
  return hm_node_error(L, node, "'%s' of '%s' must be a tensor or a number", p->name, node->target);
}

/* A number where the schema wants a tensor: a builtin 0-d tensor of `number_dtype`
 * (tensor.from_elements), as a vtensor. */
static bool number_tensor(HmLowering *L, HmScope *S, const HmNode *node, const TorchParam *p, const HmArg *arg,
                          MlirValue *out) {
  MlirValue number;
  if (!number_value(L, S, node, p, arg, &number))
    return false;
  if (mlirTypeIsAIndex(mlirValueGetType(number)))
    number = build1(L, "arith.index_cast", mlirIntegerTypeGet(L->ctx, 64), 1, &number, 0, NULL);
  HmDtype dtype = number_dtype(S, node, mlirValueGetType(number));
  MlirValue element = hm_convert_scalar(L, number, hm_element_type(L, dtype));
  MlirValue tensor = build1(L, "tensor.from_elements", hm_ranked_tensor(L, 0, NULL, hm_element_type(L, dtype)), 1,
                            &element, 0, NULL);
  *out = mlirValueIsNull(tensor) ? tensor : as_vtensor(L, tensor, dtype);
  if (mlirValueIsNull(*out))
    return hm_node_error(L, node, "'%s' of '%s' has no torch tensor type", p->name, node->target);
  return true;
}

/* torch broadcasts a lower-rank operand from the right, Helion by block (hm_broadcast_dims: `b[tile0]`
 * in a [tile0, tile1] expression is `b[:, None]`), so where the two differ the operand gets size-1
 * dimensions with torch.aten.unsqueeze at the places Helion's alignment leaves empty. */
static bool align_for_broadcast(HmLowering *L, const HmSpecValue *from, const HmSpecValue *to, HmDtype dtype,
                                MlirValue *builtin, MlirValue *vtensor) {
  MlirType type = mlirValueGetType(*builtin);
  size_t rank = (size_t)mlirShapedTypeGetRank(type);
  if (rank == 0 || rank >= to->rank || to->rank > HM_MAX_RANK)
    return true;
  size_t dst[HM_MAX_RANK];
  hm_broadcast_dims(L, from, rank, to, dst);
  if (dst[0] == to->rank - rank)
    return true;
  int64_t shape[HM_MAX_RANK];
  size_t have = rank;
  for (size_t j = 0; j < rank; ++j)
    shape[j] = mlirShapedTypeGetDimSize(type, (intptr_t)j);
  MlirType element = mlirShapedTypeGetElementType(type);
  for (size_t d = 0, j = 0; d < to->rank; ++d) {
    if (j < rank && dst[j] == d) {
      ++j;
      continue;
    }
    memmove(&shape[d + 1], &shape[d], (have - d) * sizeof shape[0]);
    shape[d] = 1;
    ++have;
    MlirType next = hm_ranked_tensor(L, have, shape, element);
    MlirType vt = vtensor_type(L, next, dtype);
    if (mlirTypeIsNull(vt))
      return false;
    *vtensor = build1(L, "torch.aten.unsqueeze", vt, 2, (MlirValue[]){*vtensor, constant_int(L, (int64_t)d)}, 0, NULL);
    if (mlirValueIsNull(*vtensor))
      return false;
    *builtin = build1(L, "torch_c.to_builtin_tensor", next, 1, vtensor, 0, NULL);
    if (!remember(L, *builtin, *vtensor, (MlirBlock){NULL}))
      return false;
  }
  return true;
}

/* `convert`, unless HM_DTYPE_INVALID, is the dtype the tensor is converted to first. Helion's matmuls
 * accumulate narrower floats in f32: `hl.dot` traces to `addmm(acc_f32, a_f16, b_f16)`, and
 * `torch.bmm(a, b, torch.float32)` to `bmm.dtype`, which torch-mlir has no op for. torch-mlir would
 * multiply in f16, so their operands are converted to the result dtype first, which is exact (the
 * products of the narrower floats fit in f32), and the op runs in that dtype, as ours does. */
static bool tensor_operand(HmLowering *L, HmScope *S, const HmNode *node, const TorchParam *p, const HmArg *arg,
                           HmDtype convert, const HmSpecValue *broadcast_to, MlirValue *out) {
  if (arg->kind == HM_ARG_NODE && S->values[arg->node].kind == HM_IR_TENSOR) {
    MlirValue builtin = S->values[arg->node].value;
    HmDtype dtype = dtype_of_element(hm_element_of(builtin));
    const HmNode *src = hm_arg_node(S, arg);
    if (src && src->val.kind == HM_SPEC_TENSOR)
      dtype = src->val.dtype;
    *out = as_vtensor(L, builtin, dtype);
    if (mlirValueIsNull(*out))
      return hm_node_error(L, node, "'%s' of '%s' has no torch tensor type", p->name, node->target);
    if (broadcast_to && !align_for_broadcast(L, src ? &src->val : NULL, broadcast_to, dtype, &builtin, out))
      return hm_node_error(L, node, "could not line up '%s' of '%s' with its result", p->name, node->target);
    if (convert != HM_DTYPE_INVALID && convert != dtype) {
      MlirValue code = constant_int(L, scalar_type_code(convert));
      *out = build1(L, "torch.prims.convert_element_type", vtensor_type(L, mlirValueGetType(builtin), convert), 2,
                    (MlirValue[]){*out, code}, 0, NULL);
    }
    return true;
  }
  return number_tensor(L, S, node, p, arg, out);
}

static bool list_operand(HmLowering *L, HmScope *S, const HmNode *node, const TorchParam *p, const HmArg *arg,
                         MlirValue *out) {
  MlirValue items[MAX_LIST];
  size_t n = 0;
  const TorchParam item = {p->name, TK_INT, TD_REQUIRED};
  if (arg->kind == HM_ARG_LIST) {
    if (arg->count > MAX_LIST)
      return hm_node_error(L, node, "'%s' of '%s' has more than %d items", p->name, node->target, MAX_LIST);
    for (; n < arg->count; ++n)
      if (!scalar_operand(L, S, node, &item, &arg->items[n], &items[n]))
        return false;
  } else if (!scalar_operand(L, S, node, &item, arg, &items[n++])) {
    return false;
  }
  *out = build1(L, "torch.prim.ListConstruct", torch_int_list(L), (intptr_t)n, items, 0, NULL);
  return true;
}

static bool default_operand(HmLowering *L, const HmNode *node, const TorchParam *p, MlirValue *out) {
  switch (p->def) {
  case TD_NONE: *out = constant_none(L); return true;
  case TD_FALSE: *out = constant_bool(L, false); return true;
  case TD_ONE: *out = constant_int(L, 1); return true;
  case TD_EMPTY: *out = build1(L, "torch.prim.ListConstruct", torch_int_list(L), 0, NULL, 0, NULL); return true;
  case TD_REQUIRED: break;
  }
  return hm_node_error(L, node, "'%s' needs its argument '%s'", node->target, p->name);
}

static bool operand(HmLowering *L, HmScope *S, const HmNode *node, const TorchParam *p, const HmArg *arg,
                    HmDtype convert, const HmSpecValue *broadcast_to, MlirValue *out) {
  if (!arg)
    return default_operand(L, node, p, out);
  if (p->kind == TK_NONE || arg->kind == HM_ARG_NONE) {
    if (arg->kind != HM_ARG_NONE && arg->kind != HM_ARG_OPAQUE)
      return hm_node_error(L, node, "'%s' of '%s' is not supported", p->name, node->target);
    *out = constant_none(L);
    return true;
  }
  switch (p->kind) {
  case TK_TENSOR: return tensor_operand(L, S, node, p, arg, convert, broadcast_to, out);
  case TK_INTS: return list_operand(L, S, node, p, arg, out);
  case TK_DTYPE: {
    int64_t code = arg->kind == HM_ARG_DTYPE ? scalar_type_code(arg->dtype) : -1;
    if (code < 0)
      return hm_node_error(L, node, "'%s' of '%s' must be a dtype", p->name, node->target);
    *out = constant_int(L, code);
    return true;
  }
  default: return scalar_operand(L, S, node, p, arg, out);
  }
}

/* The argument bound to parameter `i`: positional, then by keyword; NULL when left to the default. */
static const HmArg *bound_arg(const HmNode *node, const TorchOp *op, size_t i) {
  if (i < node->nargs)
    return &node->args[i];
  return hm_kwarg(node, op->params[i].name);
}

bool hm_lower_torch_op(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out) {
  (void)variant;
  if (hm_kwarg(node, "_extra_args"))
    return hm_lower_decomposed(L, S, node, out);
  const TorchOp *op = find_torch_op(node->target);
  if (!op)
    return hm_node_error(L, node, "'%s' has no torch-mlir form", node->target);
  if (node->val.kind != HM_SPEC_TENSOR)
    return hm_node_error(L, node, "--aten=torch lowers tensor-valued ATen ops only");
  MlirType result_builtin = hm_tensor_type(L, &node->val);
  MlirType result = vtensor_type(L, result_builtin, node->val.dtype);
  if (mlirTypeIsNull(result))
    return hm_node_error(L, node, "'%s' has no torch tensor type", node->target);
  bool pointwise = hm_node_op(L, node)->family == HM_FAMILY_POINTWISE;
  /* torch lines up a lower-rank operand from the right; Helion by block, for pointwise ops and expand. */
  const HmSpecValue *broadcast_to = pointwise || strcmp(node->target, "aten.expand.default") == 0 ? &node->val : NULL;
  HmDtype convert = op->in_result_dtype ? node->val.dtype : HM_DTYPE_INVALID;
  Operands ops = {0};
  for (size_t i = 0; i < MAX_PARAMS && op->params[i].name; ++i) {
    const TorchParam *p = &op->params[i];
    const HmArg *arg = bound_arg(node, op, i);
    if (pointwise && p->kind == TK_TENSOR && i > 0 && arg && arg->kind == HM_ARG_NONE)
      arg = bound_arg(node, op, i - 1);
    if (p->kind == TK_OUT_DTYPE)
      continue;
    if (!operand(L, S, node, p, arg, convert, p->kind == TK_TENSOR ? broadcast_to : NULL, &ops.values[ops.n++]))
      return false;
  }
  MlirValue vt = build1(L, op->op, result, (intptr_t)ops.n, ops.values, 0, NULL);
  if (mlirValueIsNull(vt))
    return hm_node_error(L, node, "could not create '%s'", op->op);
  MlirValue builtin = build1(L, "torch_c.to_builtin_tensor", result_builtin, 1, &vt, 0, NULL);
  if (!remember(L, builtin, vt, (MlirBlock){NULL}))
    return hm_node_error(L, node, "out of memory");
  *out = (HmIrValue){.kind = HM_IR_TENSOR, .block_id = -1, .value = builtin};
  return true;
}

/* The ATen ops with a torch-mlir form: PyTorch's schema of each (`python -c "import torch;
 * print(torch.ops.aten.sum.dim_IntList._schema)"`), whose parameter order torch-mlir's op keeps. */
#define T(n) {n, TK_TENSOR, TD_REQUIRED}
#define SELF T("self")
#define OP(target, op, ...) {target, op, {__VA_ARGS__}, false}
#define MATMUL(target, op, ...) {target, op, {__VA_ARGS__}, true}
#define UNARY(target, op) OP(target, op, SELF)
#define BINARY(target, op, other) OP(target, op, SELF, T(other))
#define WITH_SCALAR(target, op, other) OP(target, op, SELF, {other, TK_SCALAR, TD_REQUIRED})
#define ALPHA {"alpha", TK_SCALAR, TD_ONE}
#define BETA {"beta", TK_SCALAR, TD_ONE}
#define KEEPDIM {"keepdim", TK_BOOL, TD_FALSE}
#define OPT_DTYPE {"dtype", TK_DTYPE, TD_NONE}
#define OUT_DTYPE {"out_dtype", TK_OUT_DTYPE, TD_REQUIRED}
static const TorchOp TORCH_OPS[] = {
    UNARY("aten.abs.default", "torch.aten.abs"),
    UNARY("aten.ceil.default", "torch.aten.ceil"),
    UNARY("aten.cos.default", "torch.aten.cos"),
    UNARY("aten.erf.default", "torch.aten.erf"),
    UNARY("aten.exp.default", "torch.aten.exp"),
    UNARY("aten.exp2.default", "torch.aten.exp2"),
    UNARY("aten.expm1.default", "torch.aten.expm1"),
    UNARY("aten.floor.default", "torch.aten.floor"),
    UNARY("aten.log.default", "torch.aten.log"),
    UNARY("aten.log1p.default", "torch.aten.log1p"),
    UNARY("aten.neg.default", "torch.aten.neg"),
    UNARY("aten.reciprocal.default", "torch.aten.reciprocal"),
    UNARY("aten.relu.default", "torch.aten.relu"),
    UNARY("aten.round.default", "torch.aten.round"),
    UNARY("aten.rsqrt.default", "torch.aten.rsqrt"),
    UNARY("aten.sigmoid.default", "torch.aten.sigmoid"),
    UNARY("aten.sign.default", "torch.aten.sign"),
    UNARY("aten.sin.default", "torch.aten.sin"),
    UNARY("aten.sqrt.default", "torch.aten.sqrt"),
    UNARY("aten.tanh.default", "torch.aten.tanh"),
    UNARY("aten.trunc.default", "torch.aten.trunc"),
    OP("aten.add.Tensor", "torch.aten.add.Tensor", SELF, T("other"), ALPHA),
    OP("aten.sub.Tensor", "torch.aten.sub.Tensor", SELF, T("other"), ALPHA),
    OP("aten.add.Scalar", "torch.aten.add.Scalar", SELF, {"other", TK_SCALAR, TD_REQUIRED}, ALPHA),
    OP("aten.sub.Scalar", "torch.aten.sub.Scalar", SELF, {"other", TK_SCALAR, TD_REQUIRED}, ALPHA),
    BINARY("aten.mul.Tensor", "torch.aten.mul.Tensor", "other"),
    BINARY("aten.div.Tensor", "torch.aten.div.Tensor", "other"),
    BINARY("aten.maximum.default", "torch.aten.maximum", "other"),
    BINARY("aten.minimum.default", "torch.aten.minimum", "other"),
    BINARY("aten.eq.Tensor", "torch.aten.eq.Tensor", "other"),
    BINARY("aten.ne.Tensor", "torch.aten.ne.Tensor", "other"),
    BINARY("aten.lt.Tensor", "torch.aten.lt.Tensor", "other"),
    BINARY("aten.le.Tensor", "torch.aten.le.Tensor", "other"),
    BINARY("aten.gt.Tensor", "torch.aten.gt.Tensor", "other"),
    BINARY("aten.ge.Tensor", "torch.aten.ge.Tensor", "other"),
    BINARY("aten.pow.Tensor_Tensor", "torch.aten.pow.Tensor_Tensor", "exponent"),
    WITH_SCALAR("aten.mul.Scalar", "torch.aten.mul.Scalar", "other"),
    WITH_SCALAR("aten.div.Scalar", "torch.aten.div.Scalar", "other"),
    WITH_SCALAR("aten.eq.Scalar", "torch.aten.eq.Scalar", "other"),
    WITH_SCALAR("aten.ne.Scalar", "torch.aten.ne.Scalar", "other"),
    WITH_SCALAR("aten.lt.Scalar", "torch.aten.lt.Scalar", "other"),
    WITH_SCALAR("aten.le.Scalar", "torch.aten.le.Scalar", "other"),
    WITH_SCALAR("aten.gt.Scalar", "torch.aten.gt.Scalar", "other"),
    WITH_SCALAR("aten.ge.Scalar", "torch.aten.ge.Scalar", "other"),
    WITH_SCALAR("aten.clamp_max.default", "torch.aten.clamp_max", "max"),
    WITH_SCALAR("aten.clamp_min.default", "torch.aten.clamp_min", "min"),
    WITH_SCALAR("aten.pow.Tensor_Scalar", "torch.aten.pow.Tensor_Scalar", "exponent"),
    OP("aten.pow.Scalar", "torch.aten.pow.Scalar", {"self", TK_SCALAR, TD_REQUIRED}, T("exponent")),
    OP("aten.where.self", "torch.aten.where.self", T("condition"), SELF, T("other")),
    OP("prims.convert_element_type.default", "torch.prims.convert_element_type", T("a"), {"dtype", TK_DTYPE, TD_REQUIRED}),
    OP("aten._to_copy.default", "torch.aten._to_copy", SELF, OPT_DTYPE, {"layout", TK_NONE, TD_NONE}, {"device", TK_NONE, TD_NONE}, {"pin_memory", TK_NONE, TD_NONE},
      {"non_blocking", TK_BOOL, TD_FALSE}, {"memory_format", TK_NONE, TD_NONE}),
    OP("aten.clone.default", "torch.aten.clone", SELF, {"memory_format", TK_NONE, TD_NONE}),
    OP("aten.alias.default", "torch.aten.alias", SELF),
    OP("aten.sum.default", "torch.aten.sum", SELF, OPT_DTYPE),
    OP("aten.sum.dim_IntList", "torch.aten.sum.dim_IntList", SELF, {"dim", TK_INTS, TD_REQUIRED}, KEEPDIM, OPT_DTYPE),
    OP("aten.mean.dim", "torch.aten.mean.dim", SELF, {"dim", TK_INTS, TD_REQUIRED}, KEEPDIM, OPT_DTYPE),
    OP("aten.prod.dim_int", "torch.aten.prod.dim_int", SELF, {"dim", TK_INT, TD_REQUIRED}, KEEPDIM, OPT_DTYPE),
    OP("aten.amax.default", "torch.aten.amax", SELF, {"dim", TK_INTS, TD_EMPTY}, KEEPDIM),
    OP("aten.amin.default", "torch.aten.amin", SELF, {"dim", TK_INTS, TD_EMPTY}, KEEPDIM),
    OP("aten.argmax.default", "torch.aten.argmax", SELF, {"dim", TK_INT, TD_NONE}, KEEPDIM),
    OP("aten.argmin.default", "torch.aten.argmin", SELF, {"dim", TK_INT, TD_NONE}, KEEPDIM),
    MATMUL("aten.mm.default", "torch.aten.mm", SELF, T("mat2")),
    MATMUL("aten.bmm.default", "torch.aten.bmm", SELF, T("mat2")),
    MATMUL("aten.mm.dtype", "torch.aten.mm", SELF, T("mat2"), OUT_DTYPE),
    MATMUL("aten.bmm.dtype", "torch.aten.bmm", SELF, T("mat2"), OUT_DTYPE),
    MATMUL("aten.addmm.default", "torch.aten.addmm", SELF, T("mat1"), T("mat2"), BETA, ALPHA),
    MATMUL("aten.addmm.dtype", "torch.aten.addmm", SELF, T("mat1"), T("mat2"), OUT_DTYPE, BETA, ALPHA),
    MATMUL("aten.baddbmm.default", "torch.aten.baddbmm", SELF, T("batch1"), T("batch2"), BETA, ALPHA),
    MATMUL("aten.baddbmm.dtype", "torch.aten.baddbmm", SELF, T("batch1"), T("batch2"), OUT_DTYPE, BETA, ALPHA),
    OP("aten.view.default", "torch.aten.view", SELF, {"size", TK_INTS, TD_REQUIRED}),
    OP("aten.reshape.default", "torch.aten.reshape", SELF, {"shape", TK_INTS, TD_REQUIRED}),
    OP("aten._unsafe_view.default", "torch.aten._unsafe_view", SELF, {"size", TK_INTS, TD_REQUIRED}),
    OP("aten.permute.default", "torch.aten.permute", SELF, {"dims", TK_INTS, TD_REQUIRED}),
    OP("aten.transpose.int", "torch.aten.transpose.int", SELF, {"dim0", TK_INT, TD_REQUIRED}, {"dim1", TK_INT, TD_REQUIRED}),
    UNARY("aten.t.default", "torch.aten.t"),
    OP("aten.unsqueeze.default", "torch.aten.unsqueeze", SELF, {"dim", TK_INT, TD_REQUIRED}),
    UNARY("aten.squeeze.default", "torch.aten.squeeze"),
    OP("aten.squeeze.dim", "torch.aten.squeeze.dim", SELF, {"dim", TK_INT, TD_REQUIRED}),
    OP("aten.squeeze.dims", "torch.prims.squeeze", T("a"), {"dimensions", TK_INTS, TD_REQUIRED}),
    OP("aten.expand.default", "torch.aten.expand", SELF, {"size", TK_INTS, TD_REQUIRED}, {"implicit", TK_BOOL, TD_FALSE}),
    {NULL, NULL, {{0}}, false},
};
