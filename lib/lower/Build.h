/* Small helpers over the MLIR C API for building ops, types and attributes (library-private). */
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
MlirType hm_tensor_type(HmLowering *L, const HmVal *val);
MlirType hm_ranked_tensor(HmLowering *L, size_t rank, const int64_t *shape, MlirType element);
/* The static length of a tile dimension, or the dynamic-size marker. */
int64_t hm_static_dim(HmLowering *L, HmDim dim);
/* An index value for a size: a constant, a tile size, or a symbolic host size. */
bool hm_dim_value(HmLowering *L, HmDim dim, MlirValue *out);
/* The block a size is the tile of ("u0" -> 0), or -1. */
int hm_dim_block(HmLowering *L, HmDim dim);

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

/* tensor.empty shaped like `val` (dynamic sizes resolved with hm_dim_value). */
bool hm_empty_tensor(HmLowering *L, const HmVal *val, MlirType element, MlirValue *out);
MlirValue hm_fill(HmLowering *L, MlirValue init, MlirValue scalar);

#endif

/* linalg.generic over `inputs` into `init`, `maps` holding one indexing map per input then the
 * init's; loops are parallel unless `reductions[i]`. `body` gets the block arguments (inputs' then
 * the init's element) with L->block set to the body, and returns the value to yield. */
typedef bool (*HmBodyFn)(HmLowering *L, const MlirValue *args, void *ctx, MlirValue *result);
bool hm_generic(HmLowering *L, size_t ninputs, const MlirValue *inputs, const MlirAffineMap *maps,
                MlirValue init, size_t nloops, const bool *reductions, HmBodyFn body, void *ctx,
                MlirValue *out);
/* tensor.empty with the dynamic sizes of `like`, and a new element type. */
MlirValue hm_empty_like(HmLowering *L, MlirValue like, MlirType element);
/* Element-wise cast of a tensor to another element type (torch's casting rules). */
bool hm_cast_tensor(HmLowering *L, MlirValue tensor, MlirType element, MlirValue *out);
/* tensor.expand_shape of `value` to the shape of `result`, whose dimensions with `unit[d]` set are
 * new size-1 dimensions (keepdim, None indices); each joins the group of a neighbouring kept one. */
bool hm_expand_unit_dims(HmLowering *L, MlirValue value, const HmVal *result, const bool *unit, MlirValue *out);
/* An integer position as an index value: an index value itself, an integer scalar, or a rank-0
 * integer tensor (a value loaded from memory, such as a row offset). False, with no diagnostic, for
 * anything else. */
bool hm_as_index(HmLowering *L, const HmValue *v, MlirValue *out);
/* A two-operand arith op (`name`) whose result type is inferred. */
MlirValue hm_arith(HmLowering *L, const char *name, MlirValue x, MlirValue y);
/* linalg.index of loop `dim`, inside a linalg.generic body. */
MlirValue hm_linalg_index(HmLowering *L, size_t dim);
