/* Small helpers over the MLIR C API for building ops, types and attributes (library-private).
 *
 * The builder knows no node: a failure is recorded with hm_fail, and the caller reports it at its
 * node (Lowering.h). */
#ifndef HELION_MLIR_BUILD_H
#define HELION_MLIR_BUILD_H

#include "lower/Lowering.h"
#include "mlir-c/AffineExpr.h"
#include "mlir-c/AffineMap.h"

/* What one op needs; zero-initialised fields mean "none". Regions are moved into the op. */
typedef struct HmOpSpec {
  const char *name;
  intptr_t nresults;
  const MlirType *results;
  intptr_t noperands;
  const MlirValue *operands;
  intptr_t nattrs;
  const MlirNamedAttribute *attrs;
  intptr_t nregions;
  MlirRegion *regions;
  bool infer_results;
} HmOpSpec;

/* Creates the op at the end of L->block with L->loc. */
MlirOperation hm_build(HmLowering *L, HmOpSpec spec);
MlirValue hm_build_value(HmLowering *L, HmOpSpec spec);
MlirNamedAttribute hm_named(HmLowering *L, const char *name, MlirAttribute attr);

MlirType hm_index_type(HmLowering *L);
MlirType hm_element_type(HmLowering *L, HmDtype dtype);
/* f16, bf16 and the fp8 types: torch computes on them in f32 ("op math") and rounds the result. */
bool hm_is_narrow_float(MlirType t);
MlirType hm_op_math_type(HmLowering *L, MlirType t);
MlirType hm_ranked_tensor(HmLowering *L, size_t rank, const int64_t *shape, MlirType element);

MlirValue hm_index_const(HmLowering *L, int64_t value);
MlirValue hm_scalar_const(HmLowering *L, MlirType type, double value);
MlirValue hm_convert_scalar(HmLowering *L, MlirValue value, MlirType to);
MlirType hm_element_of(MlirValue tensor);

MlirAttribute hm_i64_array(HmLowering *L, size_t n, const int64_t *values);
MlirAttribute hm_i32_array(HmLowering *L, size_t n, const int32_t *values);
MlirAttribute hm_index_attr(HmLowering *L, int64_t value);
MlirAttribute hm_iterator_attr(HmLowering *L, bool reduction);

/* A one-block region whose block has the given argument types; `*body` receives the block. */
MlirRegion hm_region_with_block(HmLowering *L, size_t nargs, const MlirType *types, MlirBlock *body);

/* affine.apply / affine.min of `map` over dims then symbols. */
MlirValue hm_affine_apply(HmLowering *L, MlirAffineMap map, size_t n, const MlirValue *operands);
MlirValue hm_affine_min(HmLowering *L, MlirAffineMap map, size_t n, const MlirValue *operands);

MlirValue hm_fill(HmLowering *L, MlirValue init, MlirValue scalar);

/* linalg.generic over `inputs` into `init`, `maps` holding one indexing map per input then the
 * init's; loops are parallel unless `reductions[i]`. `body` gets the block arguments (inputs' then
 * the init's element) with L->block set to the body, and returns the value to yield. */
typedef bool (*HmBodyFn)(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result);
bool hm_generic(HmLowering *L, size_t ninputs, const MlirValue *inputs, const MlirAffineMap *maps,
                MlirValue init, size_t nloops, const bool *reductions, HmBodyFn body, void *ctx,
                MlirValue *out);
/* Size `d` of a tensor: a constant where the type knows it, else tensor.dim. */
MlirValue hm_tensor_dim(HmLowering *L, MlirValue tensor, size_t d);
/* A slice: per dimension a static offset and size, or, where offsets[d] or sizes[d] is MLIR's
 * dynamic marker, the next of offset_values or size_values (index values, in order); static strides
 * (null: all 1). */
typedef struct HmSlice {
  size_t rank;
  const int64_t *offsets, *sizes, *strides;
  size_t noffset_values, nsize_values;
  const MlirValue *offset_values, *size_values;
} HmSlice;
/* tensor.extract_slice of `source` typed `result` (which may drop unit dimensions). */
MlirValue hm_extract_slice(HmLowering *L, MlirValue source, const HmSlice *slice, MlirType result);
/* tensor.insert_slice of `piece` into `dest`. */
MlirValue hm_insert_slice(HmLowering *L, MlirValue piece, MlirValue dest, const HmSlice *slice);
/* Zero padding: per dimension a static amount before and after, or, where low[d] or high[d] is MLIR's
 * dynamic marker, the next of low_values or high_values (index values, in order). */
typedef struct HmPad {
  size_t rank;
  const int64_t *low, *high;
  size_t nlow_values, nhigh_values;
  const MlirValue *low_values, *high_values;
} HmPad;
/* tensor.pad of `source` with zeros (false for i1) into `result`. */
MlirValue hm_pad_zeros(HmLowering *L, MlirValue source, const HmPad *pad, MlirType result);
/* tensor.empty with the dynamic sizes of `like`, and a new element type. */
MlirValue hm_empty_like(HmLowering *L, MlirValue like, MlirType element);
/* Element-wise cast of a tensor to another element type (torch's casting rules). */
bool hm_cast_tensor(HmLowering *L, MlirValue tensor, MlirType element, MlirValue *out);
/* An integer position as an index value: an index value itself, an integer scalar, or a rank-0
 * integer tensor (a value loaded from memory, such as a row offset). False, with no diagnostic, for
 * anything else. */
bool hm_as_index(HmLowering *L, const HmIrValue *v, MlirValue *out);
/* A two-operand arith op (`name`) whose result type is inferred. */
MlirValue hm_arith(HmLowering *L, const char *name, MlirValue x, MlirValue y);
/* linalg.index of loop `dim`, inside a linalg.generic body. */
MlirValue hm_linalg_index(HmLowering *L, size_t dim);
/* arith.cmpi's and arith.cmpf's predicates, numbered as the arith dialect numbers them. */
typedef enum HmCmpIPredicate {
  HM_CMPI_EQ, HM_CMPI_NE, HM_CMPI_SLT, HM_CMPI_SLE, HM_CMPI_SGT, HM_CMPI_SGE,
  HM_CMPI_ULT, HM_CMPI_ULE, HM_CMPI_UGT, HM_CMPI_UGE,
} HmCmpIPredicate;
typedef enum HmCmpFPredicate {
  HM_CMPF_FALSE, HM_CMPF_OEQ, HM_CMPF_OGT, HM_CMPF_OGE, HM_CMPF_OLT, HM_CMPF_OLE, HM_CMPF_ONE, HM_CMPF_ORD,
  HM_CMPF_UEQ, HM_CMPF_UGT, HM_CMPF_UGE, HM_CMPF_ULT, HM_CMPF_ULE, HM_CMPF_UNE, HM_CMPF_UNO, HM_CMPF_TRUE,
} HmCmpFPredicate;
/* arith.cmpi / arith.cmpf of two scalars, an i1. */
MlirValue hm_cmpi(HmLowering *L, HmCmpIPredicate predicate, MlirValue a, MlirValue b);
/* A position into a dimension of `size` elements as torch's indexing reads it: a negative one counts
 * from the end (`x[:, -1]` is the last column; Helion's reference mode indexes with torch). */
MlirValue hm_position_from_end(HmLowering *L, MlirValue position, MlirValue size);
MlirValue hm_cmpf(HmLowering *L, HmCmpFPredicate predicate, MlirValue a, MlirValue b);

/* Where ops are appended while a region's block is built, and back (MLIR's OpBuilder::InsertionGuard):
 *   HmInsertion saved = hm_insertion_enter(L, body); ...; hm_insertion_leave(L, saved); */
typedef struct HmInsertion {
  MlirBlock previous;
} HmInsertion;
HmInsertion hm_insertion_enter(HmLowering *L, MlirBlock block);
void hm_insertion_leave(HmLowering *L, HmInsertion saved);

#endif
