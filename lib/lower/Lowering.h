/* State shared by the lowering's op families (library-private).
 *
 * The lowering walks a graph's nodes in order, looks each node's target up in the op table
 * (OpTable.c) and calls the family's function, which appends ops at the end of `L->block` and
 * records the node's result in the scope. Loops (LowerLoops.c) open a nested scope for the loop graph.
 */
#ifndef HELION_MLIR_LOWERING_H
#define HELION_MLIR_LOWERING_H

#include "support/Arena.h"
#include "spec/SpecModel.h"
#include "helion-mlir/lower/Lower.h"
#include "mlir-c/IR.h"

/* The most dimensions a tensor may have: the kernel's host tensors are checked against it, and the
 * lowering's per-dimension arrays are this large. */
enum { HM_MAX_RANK = 16 };

typedef enum HmIrValueKind {
  HM_IR_NONE,   /* no value (a store's result, a None constant) */
  HM_IR_TENSOR, /* a tile value: a ranked tensor */
  HM_IR_INDEX,  /* a size or offset: index-typed; block_id >= 0 when it is a tile size */
  HM_IR_SCALAR, /* a scalar of an element type */
  HM_IR_HOST,   /* a host tensor: `host` indexes the function's memref arguments */
  HM_IR_LIST,   /* a loop's results, addressed by getitem */
} HmIrValueKind;

/* A node's lowered MLIR value and what it stands for (the spec's recorded value is HmSpecValue). */
typedef struct HmIrValue {
  HmIrValueKind kind;
  MlirValue value;
  int block_id;
  size_t host;
  size_t count;
  struct HmIrValue *items;
  MlirValue aux; /* argmax/argmin: the best values beside the indices, for looped reductions */
} HmIrValue;

/* A loop bound: `constant` when it is statically known (>= 0), else the index value `value`. A known
 * bound may carry its value too (the block's extent, defined once in the entry block). */
typedef struct HmBound {
  MlirValue value;
  int64_t constant;
} HmBound;

/* The elements a tile loop covers, [begin, end), and its step: 0 for the block's tile size, else an
 * explicit step (hl.grid(begin, end, step): one index per iteration). */
typedef struct HmTileRange {
  HmBound begin, end;
  int64_t step;
} HmTileRange;

/* A tile loop's current tile for one block id: elements [offset, offset + extent) are real; the
 * tensor holding the tile has `size` elements along that dimension (extent <= size), the rest is
 * padding that `_mask_to` and stores take care of. */
typedef struct HmTile {
  bool active;
  MlirValue offset;
  MlirValue extent;
  int64_t static_extent; /* the extent when it is the same for every tile, else -1 */
  HmTileRange range;     /* what the loop covers (tile.count) */
} HmTile;

typedef struct HmScope {
  const HmGraph *graph;
  HmIrValue *values; /* one per node of the graph */
  struct HmScope *parent;
} HmScope;

typedef struct HmLowering {
  MlirContext ctx;
  const HmSpec *spec;
  HmLowerOptions options;
  HmDiag *diag;
  HmArena arena;       /* lowering temporaries: scopes, value lists */
  MlirLocation loc;    /* the location of the node being lowered */
  MlirBlock block;     /* ops are appended at the end of this block */
  MlirBlock entry;     /* the function's entry block: affine symbols are defined here */
  MlirValue *host_args;
  MlirValue *scalar_args;   /* per spec scalar: the function argument after the host tensors */
  MlirValue *tile_sizes;    /* per block id: the tile size (index), defined in the entry block */
  int64_t *static_tiles;    /* per block id: the tile size when concrete, else -1 */
  MlirValue *block_extents; /* per block id: the size the block iterates over (index) */
  HmTile *tiles;
  size_t nsyms;             /* symbolic host sizes ("s77") and their memref.dim values */
  const char **sym_names;
  MlirValue *sym_values;
  const HmNode *node;       /* the node being lowered, for diagnostics */
  char fault[512];          /* hm_fail's failure, until it is reported at a node */
} HmLowering;

typedef bool (*HmLowerFn)(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out);

typedef struct HmOpEntry {
  const char *target;
  HmLowerFn lower;
  int variant; /* family-specific: which arith op, which reduction, ... */
} HmOpEntry;

/* The op families' tables, each ending with a {NULL} entry; OpTable.c searches them in turn. */
extern const HmOpEntry hm_tracing_ops[];
extern const HmOpEntry hm_loop_ops[];
extern const HmOpEntry hm_control_ops[];
extern const HmOpEntry hm_helper_ops[];
extern const HmOpEntry hm_memory_ops[];
extern const HmOpEntry hm_creation_ops[];
extern const HmOpEntry hm_tile_ops[];
extern const HmOpEntry hm_pointwise_ops[];
extern const HmOpEntry hm_reduction_ops[];
extern const HmOpEntry hm_arg_reduction_ops[];
extern const HmOpEntry hm_decomposed_ops[];
extern const HmOpEntry hm_matmul_ops[];
extern const HmOpEntry hm_dot_ops[];
extern const HmOpEntry hm_view_ops[];
extern const HmOpEntry hm_helion_view_ops[];
extern const HmOpEntry hm_atomic_ops[];

const HmOpEntry *hm_find_op(const HmLowering *L, const HmGraph *graph, const char *target);
/* Looped reductions (LowerReduction.c): a reduction op's accumulator, filled with its identity,
 * and the combination of an accumulator with one chunk's partial result. argmax/argmin carry a second
 * accumulator, `aux` (their best values), when hm_reduction_has_aux. */
bool hm_is_reduction(const char *target);
bool hm_reduction_has_aux(const HmNode *reduction);
bool hm_reduction_init(HmLowering *L, const HmNode *reduction, MlirValue *out, MlirValue *aux);
bool hm_reduction_combine(HmLowering *L, const HmNode *reduction, MlirValue acc, MlirValue acc_aux,
                          const HmIrValue *chunk, MlirValue *out, MlirValue *out_aux);
/* The same for argmax/argmin (LowerArgReduction.c). */
bool hm_is_arg_reduction(const char *target);
bool hm_arg_reduction_init(HmLowering *L, const HmNode *node, MlirValue *indices, MlirValue *values);
bool hm_arg_reduction_combine(HmLowering *L, const HmNode *node, MlirValue indices, MlirValue values,
                              const HmIrValue *chunk, MlirValue *out_indices, MlirValue *out_values);
/* Shared by the reduction families (LowerReduction.c): which dims a reduction node's `dim` argument
 * reduces, whether it keeps them, and the reduced shape's tensor filled with `identity`
 * (hm_expand_unit_dims puts kept dims back). */
bool hm_reduced_dims(HmLowering *L, const HmNode *node, size_t rank, bool reduced[HM_MAX_RANK]);
bool hm_keepdim(const HmNode *node);
bool hm_reduced_init(HmLowering *L, const HmSpecValue *in, const bool *reduced, MlirType element, double identity,
                     MlirValue *out);

bool hm_lower_torch_op(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out);
/* For --aten=torch: whether the elementwise family lowers `target`, and the last buffer of an
 * inductor decomposition (a node with `_extra_args`), which no torch.aten op computes. */
bool hm_is_pointwise(const char *target);
bool hm_lower_decomposed(HmLowering *L, HmScope *S, const HmNode *node, HmIrValue *out);
/* Inductor's decompositions (LowerDecomposed.c): an `_inductor_lowering_extra` buffer, and the sum
 * and division by the real element count they are made of (LowerReduction.c). */
bool hm_lower_extra(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out);
/* The target of the node an extra was split from, or NULL. */
const char *hm_extra_origin(HmLowering *L, const HmNode *extra);
bool hm_sum_tensor(HmLowering *L, const HmNode *node, MlirValue in, const HmSpecValue *in_val, const bool *reduced,
                   bool keep, MlirValue *out);
bool hm_extreme_tensor(HmLowering *L, const HmNode *node, bool max, MlirValue in, const HmSpecValue *in_val,
                       const bool *reduced, bool keep, MlirValue *out);
/* torch.max(x, dim) / torch.min(x, dim) (LowerArgReduction.c): (the values extra, the indices). */
bool hm_lower_max_dim(HmLowering *L, HmScope *S, const HmNode *node, HmIrValue *out);
bool hm_divide_by_count(HmLowering *L, const HmSpecValue *in, const bool *reduced, double correction, MlirValue sum,
                        MlirValue *out);
/* `x` repeated along the size-1 and missing leading dimensions of `to` (torch's broadcasting), with
 * elements converted to `element` (LowerView.c). */
bool hm_broadcast(HmLowering *L, MlirValue x, const HmSpecValue *to, MlirType element, MlirValue *out);

/* Lowers every node of `S->graph` in order; the output node's arguments go to `outputs` (may be NULL). */
bool hm_lower_graph(HmLowering *L, HmScope *S, HmIrValue *outputs, size_t noutputs);
/* The graph's output node, or NULL. */
const HmNode *hm_graph_output(const HmGraph *graph);
HmScope *hm_scope_new(HmLowering *L, const HmGraph *graph, HmScope *parent);

/* Diagnostics (Diagnostics.c). All return false. hm_node_error reports at `node` (NULL: the whole
 * kernel) with its kernel source line: a failure hm_fail recorded, else this message. hm_fail is for
 * code that knows no node (Build.c, SizeExpr.c, Shapes.c, Tiles.c). */
bool hm_node_error(HmLowering *L, const HmNode *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool hm_fail(HmLowering *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Argument access with diagnostics. */
const HmArg *hm_arg(HmLowering *L, const HmNode *node, size_t index);
bool hm_arg_value(HmLowering *L, HmScope *S, const HmNode *node, const HmArg *arg, HmIrValue *out);
bool hm_arg_tensor(HmLowering *L, HmScope *S, const HmNode *node, size_t index, HmIrValue *out);
const HmArg *hm_kwarg(const HmNode *node, const char *name);
const HmNode *hm_arg_node(const HmScope *S, const HmArg *arg);

#endif
