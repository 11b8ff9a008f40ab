/* State shared by the lowering's op families (library-private).
 *
 * The lowering resolves every node's op once (ops/OpTable.c), walks a graph's nodes in order
 * (Graph.c) and calls each node's family function, which appends ops at the end of `L->block` and
 * records the node's result in the scope. Loops (ops/Loops.c) open a nested scope for the loop graph.
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
 * bound may carry its value too (the block's extent, defined once in the entry block). `computed`: the
 * kernel computes the value (an integer it loads, an outer tile's begin or end), which no launch
 * check sees. */
typedef struct HmBound {
  MlirValue value;
  int64_t constant;
  bool computed;
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
  /* hl.jagged_tile (lower/Jagged.h): each row's end, a tensor over the parent tiles, and its recorded
   * shape; null for other tiles. */
  MlirValue jagged_ends;
  const HmSpecValue *jagged_shape;
} HmTile;

typedef struct HmScope {
  const HmGraph *graph;
  HmIrValue *values; /* one per node of the graph */
  struct HmScope *parent;
} HmScope;

/* --aten=torch (ops/Torch.c): the vtensor behind a builtin tensor value. A torch op's result is valid
 * wherever the builtin value is (`block` null); a conversion of another value only in its block. */
typedef struct HmTorchValue {
  MlirValue builtin, vtensor;
  MlirBlock block;
  struct HmTorchValue *next;
} HmTorchValue;

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
  HmTorchValue *torch_values;
  struct HmOp **ops;        /* per graph, per node: its resolved op (hm_resolve_ops) */
  char fault[512];          /* hm_fail's failure, until it is reported at a node */
} HmLowering;

typedef bool (*HmLowerFn)(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out);

/* The Device IR ops that code outside their own family recognises (a _phi after a loop, the getitem
 * of a loop's result, an inductor extra); every other row is HM_OP_OTHER. */
typedef enum HmOpId {
  HM_OP_OTHER,
  HM_OP_GETITEM,
  HM_OP_PHI,
  HM_OP_FOR_LOOP,
  HM_OP_FOR_LOOP_STEP,
  HM_OP_IF,
  HM_OP_WHILE_LOOP,
  HM_OP_MASK_TO,
  HM_OP_EXTRA,
  HM_OP_MAX_DIM,
  HM_OP_MIN_DIM,
  HM_OP_GET_SYMNODE,
  HM_OP_TILE_BEGIN,
} HmOpId;

typedef struct HmOpEntry {
  const char *target;
  HmLowerFn lower;
  int variant; /* family-specific: which arith op, which reduction, ... */
  HmOpId id;
} HmOpEntry;

/* The op families, one table each (lower/ops/OpTable.c lists them). */
typedef enum HmOpFamily {
  HM_FAMILY_NONE, /* no family lowers the target */
  HM_FAMILY_TRACING,
  HM_FAMILY_LOOP,
  HM_FAMILY_MEMORY,
  HM_FAMILY_CREATION,
  HM_FAMILY_TILE,
  HM_FAMILY_HELION_VIEW,
  HM_FAMILY_DOT,
  HM_FAMILY_CONTROL,
  HM_FAMILY_HELPER,
  HM_FAMILY_ATOMIC,
  HM_FAMILY_POINTWISE,
  HM_FAMILY_REDUCTION,
  HM_FAMILY_ARG_REDUCTION,
  HM_FAMILY_SORT,
  HM_FAMILY_DECOMPOSED,
  HM_FAMILY_MATMUL,
  HM_FAMILY_VIEW,
  HM_FAMILY_GATHER,
} HmOpFamily;

/* A node's op, resolved once when the lowering starts (hm_resolve_ops): the target's row in its
 * family's table, and what lowers the node, which under --aten=torch is torch-mlir's op for the ATen
 * ops that have one. */
typedef struct HmOp {
  const HmOpEntry *row; /* NULL when no family has the target */
  HmOpFamily family;
  HmLowerFn lower;      /* NULL: unsupported */
  int variant;
} HmOp;

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
extern const HmOpEntry hm_sort_ops[];
extern const HmOpEntry hm_decomposed_ops[];
extern const HmOpEntry hm_matmul_ops[];
extern const HmOpEntry hm_dot_ops[];
extern const HmOpEntry hm_view_ops[];
extern const HmOpEntry hm_helion_view_ops[];
extern const HmOpEntry hm_atomic_ops[];
extern const HmOpEntry hm_gather_ops[];

/* Resolves the op of every node of every graph (OpTable.c); false when out of memory. */
bool hm_resolve_ops(HmLowering *L);
const HmOp *hm_node_op(const HmLowering *L, const HmNode *node);
/* Whether `node` is a call of the op `id`. */
bool hm_node_is(const HmLowering *L, const HmNode *node, HmOpId id);

bool hm_lower_torch_op(HmLowering *L, HmScope *S, const HmNode *node, int variant, HmIrValue *out);
/* Whether an ATen target has a torch-mlir op (Torch.c); --aten=torch lowers the others, such as
 * sym_size, by their family. */
bool hm_has_torch_op(const char *target);
/* The last buffer of an inductor decomposition (a node with `_extra_args`), which no torch.aten op
 * computes (Decomposed.c). */
bool hm_lower_decomposed(HmLowering *L, HmScope *S, const HmNode *node, HmIrValue *out);
/* `x` repeated along the size-1 and missing leading dimensions of `to` (torch's broadcasting), with
 * elements converted to `element` (View.c). */
bool hm_broadcast(HmLowering *L, MlirValue x, const HmSpecValue *to, MlirType element, MlirValue *out);

/* Lowers every node of `S->graph` in order; the output node's arguments go to `outputs` (may be NULL). */
bool hm_lower_graph(HmLowering *L, HmScope *S, HmIrValue *outputs, size_t noutputs);
/* The graph's output node, or NULL. */
const HmNode *hm_graph_output(const HmGraph *graph);
/* Whether `get` is getitem(op, index), and whether `phi` merges that output of `op` (the variable
 * output `index` of a loop or branch updates). */
bool hm_is_getitem_of(const HmLowering *L, const HmScope *S, const HmNode *get, const HmNode *op, size_t index);
bool hm_is_phi_of(const HmLowering *L, const HmScope *S, const HmNode *phi, const HmNode *op, size_t index);
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
