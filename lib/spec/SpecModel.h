/* The spec's graphs, nodes, arguments and values as the lowering reads them (library-private).
 * Everything here is owned by the HmSpec's arena. */
#ifndef HELION_MLIR_SPEC_MODEL_H
#define HELION_MLIR_SPEC_MODEL_H

#include "helion-mlir/spec/Spec.h"

typedef enum HmArgKind {
  HM_ARG_NONE,
  HM_ARG_BOOL,
  HM_ARG_INT,
  HM_ARG_FLOAT,
  HM_ARG_STR,
  HM_ARG_NODE,   /* a reference to an earlier node of the same graph */
  HM_ARG_LIST,
  HM_ARG_DTYPE,
  HM_ARG_SLICE,  /* items[0..2]: start, stop, step */
  HM_ARG_SYM,    /* a symbolic expression, text in `str` */
  HM_ARG_OPAQUE, /* device, layout, dict: carried, never lowered; the tag is in `str` */
} HmArgKind;

typedef struct HmArg {
  HmArgKind kind;
  int64_t i;
  double f;
  const char *str;
  size_t node; /* node index within the graph, for HM_ARG_NODE */
  HmDtype dtype;
  size_t count;
  struct HmArg *items;
} HmArg;

typedef enum HmSpecValueKind {
  HM_SPEC_NONE,
  HM_SPEC_TENSOR,
  HM_SPEC_SYM,
  HM_SPEC_INT,
  HM_SPEC_FLOAT,
  HM_SPEC_BOOL,
  HM_SPEC_LIST,
} HmSpecValueKind;

/* The value the capture recorded for a node (FX's meta["val"]): a tensor's dtype and shape, a symbolic
 * or constant scalar, a list. Not an MLIR value: the lowering's are HmIrValue (lower/Lowering.h). */
typedef struct HmSpecValue {
  HmSpecValueKind kind;
  HmDtype dtype;     /* tensors */
  size_t rank;       /* tensors */
  HmDim *shape;      /* tensors */
  const char *expr;  /* symbolic scalars */
  int64_t i;
  double f;
  size_t count;      /* lists */
  struct HmSpecValue *items;
} HmSpecValue;

typedef enum HmNodeOp { HM_NODE_PLACEHOLDER, HM_NODE_CALL, HM_NODE_OUTPUT } HmNodeOp;

typedef struct HmNode {
  const char *name;
  HmNodeOp op;
  const char *target;
  size_t nargs;
  HmArg *args;
  size_t nkwargs;
  const char **kwarg_names;
  HmArg *kwargs;
  HmSpecValue val;
  const char *file; /* kernel source location, NULL when the capture had none */
  int line;
  size_t index;     /* position in its graph */
  size_t graph;     /* its graph's index (= id) */
} HmNode;

typedef enum HmGraphKind {
  HM_GRAPH_ROOT,
  HM_GRAPH_FOR_LOOP,
  HM_GRAPH_REDUCTION_LOOP,
  HM_GRAPH_IF,
  HM_GRAPH_ELSE,
  HM_GRAPH_WHILE_CONDITION,
  HM_GRAPH_WHILE_LOOP,
  HM_GRAPH_HELPER,
} HmGraphKind;

/* Where a variable an `if` merges comes from in one branch: an output of the branch's graph, or, when
 * the branch leaves the variable alone, the calling graph's node holding its value before the if. */
typedef struct HmBranchSource {
  int output; /* -1 when `node` names the source */
  const char *node;
} HmBranchSource;

typedef struct HmGraph {
  int id;
  HmGraphKind kind;
  size_t nblock_ids;
  int *block_ids;
  size_t nnodes;
  HmNode *nodes;
  /* `if` graphs: per merged variable, its source in the if branch, then in the else branch
   * (branch_outputs[2 * i + side]). */
  size_t nbranch_outputs;
  HmBranchSource *branch_outputs;
} HmGraph;

typedef struct HmBlockSize {
  int id;
  const char *symbol;
  bool has_size;
  HmDim size;
  bool reduction;
  int64_t tile_size; /* -1 when the config gives none */
  bool grid;
  bool looped; /* some loop graph the kernel runs iterates over it */
  /* hl.jagged_tile: the blocks whose tiles are its parent tensor's dimensions, in order (the tensor of
   * each row's end, the first argument of the loop over it); none for other blocks. */
  size_t njagged_parents;
  int *jagged_parents;
} HmBlockSize;

typedef struct HmGrid {
  int root_graph;
  size_t nblock_ids;
  int *block_ids;
  HmDim *begin, *end; /* per block id, [begin, end) (hl.tile(4, n)); NULL: [0, the block's size) */
} HmGrid;

/* A position of a block's current tile: what tile.begin, tile.end, ... give, and what a symbol of an
 * enclosing loop's tile stands for where an inner loop reads it (kinds grid_index, tile_end, ...). */
typedef enum HmTilePosition {
  HM_TILE_NONE,
  HM_TILE_BEGIN, /* the tile's offset; an hl.grid loop's index */
  HM_TILE_END,
  HM_TILE_BLOCK_SIZE,
  HM_TILE_ID,
  HM_TILE_COUNT,
} HmTilePosition;

typedef struct HmSymbol {
  const char *name;
  int block_id; /* the block whose tile size (or, for a tile position, whose tile) it is; else -1 */
  HmTilePosition tile; /* HM_TILE_NONE unless the symbol is a position of block_id's current tile */
  int64_t value;
} HmSymbol;

/* A bool, int or float kernel argument. The lowered function takes every one, in this order, after
 * the host tensors. */
typedef struct HmScalarArg {
  const char *name;
  int arg_index;
  HmDtype dtype;      /* HM_DTYPE_F64, HM_DTYPE_I64 or HM_DTYPE_BOOL */
  const char *symbol; /* the symbol the device code reads it by; NULL when Helion specialised it */
} HmScalarArg;

size_t hm_spec_num_graphs(const HmSpec *spec);
const HmGraph *hm_spec_graph(const HmSpec *spec, size_t index);
size_t hm_spec_num_block_sizes(const HmSpec *spec);
const HmBlockSize *hm_spec_block_size(const HmSpec *spec, size_t index);
size_t hm_spec_num_grids(const HmSpec *spec);
const HmGrid *hm_spec_grid(const HmSpec *spec, size_t index);
const HmSymbol *hm_spec_find_symbol(const HmSpec *spec, const char *name);
size_t hm_spec_num_scalars(const HmSpec *spec);
const HmScalarArg *hm_spec_scalar(const HmSpec *spec, size_t index);
/* The scalar argument the device code reads by `symbol`, or NULL. */
const HmScalarArg *hm_spec_scalar_for_symbol(const HmSpec *spec, const char *symbol, size_t *index);
/* The block whose size symbol is exactly `expr` ("u0"), or NULL. */
const HmBlockSize *hm_spec_block_for_symbol(const HmSpec *spec, const char *expr);
const HmHostTensor *hm_spec_find_host_tensor(const HmSpec *spec, const char *name, size_t *index);
const char *hm_spec_source_name(const HmSpec *spec);

#endif
