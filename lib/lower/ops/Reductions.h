/* The reduction families' shared interface (library-private): Reduction.c (sum, mean, amax, amin,
 * prod), ArgReduction.c (argmax, argmin, max.dim's indices) and Decomposed.c (inductor's extras).
 *
 * A looped reduction (Loops.c) starts each reduction op's accumulator from its identity and combines
 * every chunk's partial result into it; argmax/argmin carry a second accumulator, their best values.
 */
#ifndef HELION_MLIR_LOWER_OPS_REDUCTIONS_H
#define HELION_MLIR_LOWER_OPS_REDUCTIONS_H

#include "lower/Shapes.h"

/* What a node reduces with; its table variant in Reduction.c and ArgReduction.c. */
typedef enum HmReductionKind {
  HM_REDUCE_NONE, /* not a reduction */
  HM_REDUCE_SUM,
  HM_REDUCE_MEAN,
  HM_REDUCE_AMAX,
  HM_REDUCE_AMIN,
  HM_REDUCE_PROD,
  HM_REDUCE_ARGMAX,
  HM_REDUCE_ARGMIN,
} HmReductionKind;

/* The one place that decides: a reduction op's kind, an argmax/argmin's, and an inductor extra's
 * (max.dim's values accumulate as amax, min.dim's as amin, the others as sums). */
HmReductionKind hm_reduction_kind(HmLowering *L, const HmNode *node);

/* Looped reductions: the accumulator filled with the identity, and its combination with one chunk. */
bool hm_reduction_init(HmLowering *L, const HmNode *reduction, MlirValue *out, MlirValue *aux);
bool hm_reduction_combine(HmLowering *L, const HmNode *reduction, MlirValue acc, MlirValue acc_aux,
                          const HmIrValue *chunk, MlirValue *out, MlirValue *out_aux);
bool hm_arg_reduction_init(HmLowering *L, HmReductionKind kind, const HmNode *node, MlirValue *indices,
                           MlirValue *values);
bool hm_arg_reduction_combine(HmLowering *L, HmReductionKind kind, const HmNode *node, MlirValue indices,
                              MlirValue values, const HmIrValue *chunk, MlirValue *out_indices,
                              MlirValue *out_values);

/* Which dims a reduction node's `dim` argument reduces, whether it keeps them, and the reduced shape's
 * tensor filled with `identity` (hm_expand_unit_dims puts kept dims back). */
bool hm_reduced_dims(HmLowering *L, const HmNode *node, size_t rank, bool reduced[HM_MAX_RANK]);
bool hm_keepdim(const HmNode *node);
bool hm_reduced_init(HmLowering *L, const HmSpecValue *in, const bool *reduced, MlirType element,
                     double identity, MlirValue *out);

/* Inductor's decompositions (Decomposed.c) are made of these sums, extremes and divisions by the real
 * element count. */
bool hm_sum_tensor(HmLowering *L, const HmNode *node, MlirValue in, const HmSpecValue *in_val,
                   const bool *reduced, bool keep, MlirValue *out);
bool hm_extreme_tensor(HmLowering *L, const HmNode *node, bool max, MlirValue in, const HmSpecValue *in_val,
                       const bool *reduced, bool keep, MlirValue *out);
bool hm_divide_by_count(HmLowering *L, const HmSpecValue *in, const bool *reduced, double correction,
                        MlirValue sum, MlirValue *out);
/* The node an extra was split from, or NULL. */
const HmNode *hm_extra_origin(HmLowering *L, const HmNode *extra);
/* torch.max(x, dim) / torch.min(x, dim) (ArgReduction.c): (the values extra, the indices). */
bool hm_lower_max_dim(HmLowering *L, HmScope *S, const HmNode *node, HmIrValue *out);
/* A looped max.dim/min.dim's result from the loop's accumulators (the indices, the f64 best values):
 * the (values, indices) list. */
bool hm_max_dim_result(HmLowering *L, const HmNode *node, MlirValue indices, MlirValue values, HmIrValue *out);

#endif
