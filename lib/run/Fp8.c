#include "run/Fp8.h"
#include "run/ModulePass.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

/* arith.cmpi's predicates, by their values in the arith dialect. */
enum { CMPI_ULT = 6, CMPI_UGT = 8, CMPI_UGE = 9 };

enum { F32_INF = 0x7f800000, FP8_NAN = 0x7f };

/* An 8-bit float format as c10 (Float8_e4m3fn.h, Float8_e5m2.h) converts it. */
typedef struct Format {
  unsigned mantissa; /* stored mantissa bits */
  unsigned bias;
  uint32_t special;  /* the smallest magnitude (sign bit clear) that is no finite number */
  uint32_t overflow; /* f32 magnitudes from this one up (infinity too) narrow to `saturated` */
  uint32_t saturated;
} Format;

/* e4m3fn has no infinity: 0x7f is its NaN, and 480 (what 0x7f would be) is where narrowing stops
 * rounding to 448; e5m2 is IEEE-like, 65536 narrows to infinity (0x7c). */
static const Format E4M3FN = {3, 7, 0x7f, 0x43f00000, FP8_NAN};
static const Format E5M2 = {2, 15, 0x7c, 0x47800000, 0x7c};

static const Format *format_of(MlirType element) {
  return mlirTypeIsAFloat8E4M3FN(element) ? &E4M3FN : mlirTypeIsAFloat8E5M2(element) ? &E5M2 : NULL;
}

static MlirType element_of(MlirType type) {
  return mlirTypeIsAVector(type) ? mlirShapedTypeGetElementType(type) : type;
}

/* Where the replacement goes, and the shape (a vector type, or null for scalars) its values take. */
typedef struct Rewriter {
  MlirContext ctx;
  MlirLocation loc;
  MlirBlock block;
  MlirOperation before;
  intptr_t rank;
  int64_t *dims; /* the vector's sizes, `rank` of them */
} Rewriter;

static MlirType shaped(const Rewriter *r, MlirType element) {
  return r->dims ? mlirVectorTypeGet(r->rank, r->dims, element) : element;
}

static MlirType int_type(const Rewriter *r, unsigned bits) { return shaped(r, mlirIntegerTypeGet(r->ctx, bits)); }
static MlirType f32_type(const Rewriter *r) { return shaped(r, mlirF32TypeGet(r->ctx)); }

static MlirValue build(Rewriter *r, const char *name, intptr_t noperands, const MlirValue *operands,
                       MlirType result, intptr_t nattrs, const MlirNamedAttribute *attrs) {
  return hm_insert_op(r->block, r->before, r->loc, name, noperands, operands, result, nattrs, attrs);
}

static MlirValue value(Rewriter *r, const char *name, intptr_t noperands, const MlirValue *operands, MlirType result) {
  return build(r, name, noperands, operands, result, 0, NULL);
}

static MlirNamedAttribute named(Rewriter *r, const char *name, MlirAttribute attr) {
  return mlirNamedAttributeGet(mlirIdentifierGet(r->ctx, mlirStringRefCreateFromCString(name)), attr);
}

static MlirValue splat(Rewriter *r, MlirAttribute scalar) {
  MlirType type = shaped(r, mlirAttributeGetType(scalar));
  MlirAttribute attr = r->dims ? mlirDenseElementsAttrSplatGet(type, scalar) : scalar;
  MlirNamedAttribute value_attr = named(r, "value", attr);
  return build(r, "arith.constant", 0, NULL, type, 1, &value_attr);
}

/* An i32 constant; `v` is the two's-complement value (a negative exponent offset). */
static MlirValue i32(Rewriter *r, int64_t v) { return splat(r, mlirIntegerAttrGet(mlirIntegerTypeGet(r->ctx, 32), v)); }

static MlirValue binary(Rewriter *r, const char *name, MlirValue x, MlirValue y) {
  return value(r, name, 2, (MlirValue[]){x, y}, mlirValueGetType(x));
}

static MlirValue cmpi(Rewriter *r, int predicate, MlirValue x, MlirValue y) {
  MlirNamedAttribute attr = named(r, "predicate", mlirIntegerAttrGet(mlirIntegerTypeGet(r->ctx, 64), predicate));
  return build(r, "arith.cmpi", 2, (MlirValue[]){x, y}, int_type(r, 1), 1, &attr);
}

static MlirValue choose(Rewriter *r, MlirValue cond, MlirValue yes, MlirValue no) {
  return value(r, "arith.select", 3, (MlirValue[]){cond, yes, no}, mlirValueGetType(yes));
}

static MlirValue cast(Rewriter *r, const char *name, MlirValue v, MlirType to) { return value(r, name, 1, &v, to); }

/* f32 to or from `to` where every value it carries converts exactly (fp8 values in f16, bf16, f64). */
static MlirValue widen_or_narrow(Rewriter *r, MlirValue v, MlirType to) {
  unsigned from_bits = mlirFloatTypeGetWidth(element_of(mlirValueGetType(v)));
  unsigned to_bits = mlirFloatTypeGetWidth(element_of(to));
  if (from_bits == to_bits)
    return v;
  return cast(r, to_bits > from_bits ? "arith.extf" : "arith.truncf", v, to);
}

/* fp8 -> f32, as c10's fp8e4m3fn_to_fp32_value and fp8e5m2_to_fp32_value compute it: a normal number
 * moves its exponent and mantissa into place and rebiases; infinities and NaNs keep their mantissa
 * under an all-ones exponent (e4m3fn's NaN 0x7f is 0x7ff00000, as torch's); a subnormal is its
 * mantissa times the smallest subnormal, which f32 holds exactly. */
static MlirValue extend(Rewriter *r, const Format *f, MlirValue x) {
  MlirValue bits = cast(r, "arith.extui", cast(r, "arith.bitcast", x, int_type(r, 8)), int_type(r, 32));
  MlirValue sign = binary(r, "arith.shli", binary(r, "arith.andi", bits, i32(r, 0x80)), i32(r, 24));
  MlirValue mag = binary(r, "arith.andi", bits, i32(r, 0x7f));
  MlirValue normal = binary(r, "arith.addi", binary(r, "arith.shli", mag, i32(r, 23 - f->mantissa)),
                            i32(r, (int64_t)(127 - f->bias) << 23));
  normal = choose(r, cmpi(r, CMPI_UGE, mag, i32(r, f->special)),
                  binary(r, "arith.ori", normal, i32(r, F32_INF)), normal);
  double smallest = 1.0;
  for (unsigned i = 0; i < f->bias - 1 + f->mantissa; ++i)
    smallest /= 2;
  MlirValue scaled = binary(r, "arith.mulf", cast(r, "arith.uitofp", mag, f32_type(r)),
                            splat(r, mlirFloatAttrDoubleGet(r->ctx, mlirF32TypeGet(r->ctx), smallest)));
  MlirValue subnormal = cast(r, "arith.bitcast", scaled, int_type(r, 32));
  MlirValue magnitude = choose(r, cmpi(r, CMPI_ULT, mag, i32(r, 1u << f->mantissa)), subnormal, normal);
  return cast(r, "arith.bitcast", binary(r, "arith.ori", magnitude, sign), f32_type(r));
}

/* (v >> s) rounded to nearest, ties to even, for s >= 1 and v + 2^(s-1) below 2^32. */
static MlirValue shift_round(Rewriter *r, MlirValue v, MlirValue s) {
  MlirValue odd = binary(r, "arith.andi", binary(r, "arith.shrui", v, s), i32(r, 1));
  MlirValue half = binary(r, "arith.shli", i32(r, 1), binary(r, "arith.subi", s, i32(r, 1)));
  MlirValue bias = binary(r, "arith.addi", binary(r, "arith.subi", half, i32(r, 1)), odd);
  return binary(r, "arith.shrui", binary(r, "arith.addi", v, bias), s);
}

/* f32 -> fp8, as c10's fp8e4m3fn_from_fp32_value and fp8e5m2_from_fp32_value round: to nearest even,
 * in integer arithmetic (c10 rounds subnormals with a float addition, which gives the same result
 * unless denormals are flushed). */
static MlirValue narrow(Rewriter *r, const Format *f, MlirValue x) {
  unsigned shift = 23 - f->mantissa;
  MlirValue bits = cast(r, "arith.bitcast", x, int_type(r, 32));
  MlirValue sign = binary(r, "arith.andi", binary(r, "arith.shrui", bits, i32(r, 24)), i32(r, 0x80));
  MlirValue abs = binary(r, "arith.andi", bits, i32(r, 0x7fffffff));
  /* A normal fp8: the exponent rebiased, the mantissa's low bits rounded away; a carry out of the
   * mantissa moves to the next exponent, as it should. */
  MlirValue rebiased = binary(r, "arith.addi", abs, i32(r, -((int64_t)(127 - f->bias) << 23)));
  MlirValue normal = shift_round(r, rebiased, i32(r, shift));
  /* A subnormal fp8: the f32 significand (implicit bit included) shifted to units of the smallest
   * subnormal, by 1 to 31 places (a larger shift leaves 0, as 31 does). */
  unsigned units = 127 - f->bias + shift + 1; /* the biased f32 exponent at which the unit is 2^0 */
  MlirValue exponent = binary(r, "arith.minui", binary(r, "arith.shrui", abs, i32(r, 23)), i32(r, units - 1));
  MlirValue places = binary(r, "arith.minui", binary(r, "arith.subi", i32(r, units), exponent), i32(r, 31));
  MlirValue significand = binary(r, "arith.ori", binary(r, "arith.andi", abs, i32(r, 0x7fffff)), i32(r, 0x800000));
  MlirValue subnormal = shift_round(r, significand, places);
  MlirValue magnitude =
      choose(r, cmpi(r, CMPI_UGE, abs, i32(r, (int64_t)(128 - f->bias) << 23)), normal, subnormal);
  MlirValue beyond = choose(r, cmpi(r, CMPI_UGT, abs, i32(r, F32_INF)), i32(r, FP8_NAN), i32(r, f->saturated));
  magnitude = choose(r, cmpi(r, CMPI_UGE, abs, i32(r, f->overflow)), beyond, magnitude);
  return cast(r, "arith.trunci", binary(r, "arith.ori", magnitude, sign), int_type(r, 8));
}

static bool is_named(MlirOperation op, const char *name) {
  return mlirStringRefEqual(mlirIdentifierStr(mlirOperationGetName(op)), mlirStringRefCreateFromCString(name));
}

static bool convertible(MlirOperation op) {
  bool extf = is_named(op, "arith.extf");
  if (!extf && !is_named(op, "arith.truncf"))
    return false;
  MlirType from = mlirValueGetType(mlirOperationGetOperand(op, 0));
  MlirType to = mlirValueGetType(mlirOperationGetResult(op, 0));
  if (mlirTypeIsAShaped(from) && !(mlirTypeIsAVector(from) && !mlirVectorTypeIsScalable(from)))
    return false;
  MlirType other = element_of(extf ? to : from);
  return format_of(element_of(extf ? from : to)) &&
         (extf || mlirTypeIsAF32(other) || mlirTypeIsAF16(other) || mlirTypeIsABF16(other));
}

static bool rewrite(MlirOperation op) {
  MlirValue in = mlirOperationGetOperand(op, 0), out = mlirOperationGetResult(op, 0);
  MlirType in_type = mlirValueGetType(in), out_type = mlirValueGetType(out);
  Rewriter r = {mlirOperationGetContext(op), mlirOperationGetLocation(op), mlirOperationGetBlock(op), op, 0, NULL};
  if (mlirTypeIsAVector(in_type)) {
    r.rank = mlirShapedTypeGetRank(in_type);
    r.dims = malloc((size_t)r.rank * sizeof *r.dims);
    if (!r.dims)
      return false;
    for (intptr_t d = 0; d < r.rank; ++d)
      r.dims[d] = mlirShapedTypeGetDimSize(in_type, d);
  }
  MlirValue result;
  if (is_named(op, "arith.extf")) {
    result = widen_or_narrow(&r, extend(&r, format_of(element_of(in_type)), in), out_type);
  } else {
    MlirValue byte = narrow(&r, format_of(element_of(out_type)), widen_or_narrow(&r, in, f32_type(&r)));
    result = cast(&r, "arith.bitcast", byte, out_type);
  }
  free(r.dims);
  mlirValueReplaceAllUsesOfWith(out, result);
  mlirOperationDestroy(op);
  return true;
}

static void expand_fp8(MlirOperation module_op, MlirExternalPass pass) {
  HmOpList c = hm_collect_ops(module_op, MlirWalkPostOrder, convertible);
  bool ok = !c.oom;
  for (size_t i = 0; i < c.count && ok; ++i)
    ok = rewrite(c.ops[i]);
  hm_op_list_free(&c);
  if (!ok)
    mlirExternalPassSignalFailure(pass);
}

MlirPass hm_fp8_pass(void) {
  static const HmModulePass pass = {"HelionExpandFp8", "helion-expand-fp8",
                                    "8-bit float conversions as integer bit operations", expand_fp8};
  return hm_module_pass(&pass);
}
