/* Reading the interchange JSON (docs/interchange.md) into the spec model, checking it on the way. */
#include "support/Arena.h"
#include "spec/SpecModel.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SPEC_VERSION = 1, PATH_MAX_LEN = 512 };

struct HmSpec {
  HmArena arena;
  const char *source;
  const char *kernel_name;
  size_t nhost_tensors;
  HmHostTensor *host_tensors;
  size_t ngraphs;
  HmGraph *graphs;
  size_t nblock_sizes;
  HmBlockSize *block_sizes;
  size_t ngrids;
  HmGrid *grids;
  size_t nsymbols;
  HmSymbol *symbols;
  size_t nscalars;
  HmScalarArg *scalars;
};

typedef struct Reader {
  HmSpec *spec;
  HmDiag *diag;
} Reader;

static const char *const DTYPE_NAMES[] = {
    [HM_DTYPE_F64] = "float64", [HM_DTYPE_F32] = "float32", [HM_DTYPE_F16] = "float16", [HM_DTYPE_BF16] = "bfloat16",
    [HM_DTYPE_I64] = "int64",   [HM_DTYPE_I32] = "int32",   [HM_DTYPE_I16] = "int16",   [HM_DTYPE_I8] = "int8",
    [HM_DTYPE_U8] = "uint8",    [HM_DTYPE_BOOL] = "bool",
};
static const size_t DTYPE_SIZES[] = {
    [HM_DTYPE_F64] = 8, [HM_DTYPE_F32] = 4, [HM_DTYPE_F16] = 2, [HM_DTYPE_BF16] = 2, [HM_DTYPE_I64] = 8,
    [HM_DTYPE_I32] = 4, [HM_DTYPE_I16] = 2, [HM_DTYPE_I8] = 1,  [HM_DTYPE_U8] = 1,   [HM_DTYPE_BOOL] = 1,
};

HmDtype hm_dtype_from_name(const char *name) {
  for (size_t i = 1; i < sizeof(DTYPE_NAMES) / sizeof(DTYPE_NAMES[0]); ++i)
    if (strcmp(DTYPE_NAMES[i], name) == 0)
      return (HmDtype)i;
  return HM_DTYPE_INVALID;
}

const char *hm_dtype_name(HmDtype dtype) { return dtype ? DTYPE_NAMES[dtype] : "invalid"; }
size_t hm_dtype_size(HmDtype dtype) { return dtype ? DTYPE_SIZES[dtype] : 0; }
bool hm_dtype_is_float(HmDtype dtype) {
  return dtype == HM_DTYPE_F64 || dtype == HM_DTYPE_F32 || dtype == HM_DTYPE_F16 || dtype == HM_DTYPE_BF16;
}

static const char *json_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "object";
  case JSON_ARRAY: return "array";
  case JSON_STRING: return "string";
  case JSON_INTEGER: return "integer";
  case JSON_REAL: return "number";
  case JSON_TRUE:
  case JSON_FALSE: return "bool";
  default: return "null";
  }
}

static bool fail(Reader *r, const char *path, const char *message, const char *detail) {
  return hm_diag_error(r->diag, "%s: %s: %s%s", r->spec->source, path, message, detail ? detail : "");
}

static void subpath(char *out, const char *path, const char *key) {
  snprintf(out, PATH_MAX_LEN, "%s.%s", path, key);
}

static void indexpath(char *out, const char *path, size_t index) {
  snprintf(out, PATH_MAX_LEN, "%s[%zu]", path, index);
}

/* A required field of the given JSON type (JSON_REAL also accepts integers). */
static json_t *field(Reader *r, json_t *obj, const char *key, json_type type, const char *path) {
  json_t *v = json_object_get(obj, key);
  if (!v) {
    char msg[128];
    snprintf(msg, sizeof msg, "missing field '%s'", key);
    fail(r, path, msg, NULL);
    return NULL;
  }
  bool ok = json_typeof(v) == type || (type == JSON_REAL && json_is_integer(v)) ||
            (type == JSON_TRUE && json_is_boolean(v));
  if (!ok) {
    char p[PATH_MAX_LEN], msg[128];
    subpath(p, path, key);
    snprintf(msg, sizeof msg, "expected %s, got %s",
             type == JSON_TRUE ? "bool" : type == JSON_REAL ? "number"
             : type == JSON_INTEGER ? "integer" : type == JSON_STRING ? "string"
             : type == JSON_ARRAY ? "array" : "object",
             json_type_name(v));
    fail(r, p, msg, NULL);
    return NULL;
  }
  return v;
}

static const char *string_field(Reader *r, json_t *obj, const char *key, const char *path) {
  json_t *v = field(r, obj, key, JSON_STRING, path);
  return v ? hm_arena_strdup(&r->spec->arena, json_string_value(v)) : NULL;
}

static bool read_dim(Reader *r, json_t *v, const char *path, HmDim *out) {
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    out->sym = NULL;
    out->value = json_integer_value(v);
    return true;
  }
  if (json_is_string(v)) {
    out->sym = hm_arena_strdup(&r->spec->arena, json_string_value(v));
    const HmSymbol *s = hm_spec_find_symbol(r->spec, out->sym);
    out->value = s ? s->value : -1;
    return true;
  }
  return fail(r, path, "a size is a non-negative integer or a symbolic expression string", NULL);
}

static bool read_dims(Reader *r, json_t *arr, const char *path, size_t *n, HmDim **out) {
  *n = json_array_size(arr);
  *out = hm_arena_new(&r->spec->arena, HmDim, *n);
  for (size_t i = 0; i < *n; ++i) {
    char p[PATH_MAX_LEN];
    indexpath(p, path, i);
    if (!read_dim(r, json_array_get(arr, i), p, &(*out)[i]))
      return false;
  }
  return true;
}

static bool read_dtype(Reader *r, json_t *v, const char *path, HmDtype *out) {
  *out = json_is_string(v) ? hm_dtype_from_name(json_string_value(v)) : HM_DTYPE_INVALID;
  if (*out == HM_DTYPE_INVALID)
    return fail(r, path, "unknown dtype ", json_is_string(v) ? json_string_value(v) : "(not a string)");
  return true;
}

static bool read_int_array(Reader *r, json_t *obj, const char *key, const char *path, size_t *n,
                           int **out) {
  json_t *arr = field(r, obj, key, JSON_ARRAY, path);
  if (!arr)
    return false;
  *n = json_array_size(arr);
  *out = hm_arena_new(&r->spec->arena, int, *n);
  for (size_t i = 0; i < *n; ++i) {
    json_t *v = json_array_get(arr, i);
    if (!json_is_integer(v)) {
      char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
      subpath(p, path, key);
      indexpath(q, p, i);
      return fail(r, q, "expected integer, got ", json_type_name(v));
    }
    (*out)[i] = (int)json_integer_value(v);
  }
  return true;
}

/* ---- node results ("val") ---- */

static bool read_val(Reader *r, json_t *v, const char *path, HmSpecValue *out);
static bool read_float_tag(Reader *r, json_t *value, const char *path, HmArg *out);

static bool read_val_list(Reader *r, json_t *v, const char *path, HmSpecValue *out) {
  json_t *items = field(r, v, "items", JSON_ARRAY, path);
  if (!items)
    return false;
  out->count = json_array_size(items);
  out->items = hm_arena_new(&r->spec->arena, HmSpecValue, out->count);
  for (size_t i = 0; i < out->count; ++i) {
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s.items[%zu]", path, i);
    if (!read_val(r, json_array_get(items, i), p, &out->items[i]))
      return false;
  }
  return true;
}

static bool read_val(Reader *r, json_t *v, const char *path, HmSpecValue *out) {
  json_t *type = field(r, v, "type", JSON_STRING, path);
  if (!type)
    return false;
  const char *t = json_string_value(type);
  char p[PATH_MAX_LEN];
  if (strcmp(t, "tensor") == 0) {
    out->kind = HM_SPEC_TENSOR;
    json_t *shape = field(r, v, "shape", JSON_ARRAY, path);
    json_t *dtype = field(r, v, "dtype", JSON_STRING, path);
    subpath(p, path, "shape");
    if (!shape || !dtype || !read_dims(r, shape, p, &out->rank, &out->shape))
      return false;
    subpath(p, path, "dtype");
    return read_dtype(r, dtype, p, &out->dtype);
  }
  if (strcmp(t, "sym") == 0) {
    out->kind = HM_SPEC_SYM;
    out->expr = string_field(r, v, "expr", path);
    return out->expr != NULL;
  }
  if (strcmp(t, "list") == 0) {
    out->kind = HM_SPEC_LIST;
    return read_val_list(r, v, path, out);
  }
  if (strcmp(t, "none") == 0) {
    out->kind = HM_SPEC_NONE;
    return true;
  }
  json_t *value = json_object_get(v, "value");
  if (strcmp(t, "int") == 0 && json_is_integer(value)) {
    out->kind = HM_SPEC_INT;
    out->i = json_integer_value(value);
    return true;
  }
  if (strcmp(t, "bool") == 0 && json_is_boolean(value)) {
    out->kind = HM_SPEC_BOOL;
    out->i = json_is_true(value);
    return true;
  }
  if (strcmp(t, "float") == 0 && value) {
    out->kind = HM_SPEC_FLOAT;
    if (json_is_number(value)) {
      out->f = json_number_value(value);
      return true;
    }
    HmArg non_finite = {0};
    subpath(p, path, "value");
    bool ok = json_is_object(value) && read_float_tag(r, json_object_get(value, "float"), p, &non_finite);
    out->f = non_finite.f;
    return ok || fail(r, p, "expected a number or {\"float\": \"inf\" | \"-inf\" | \"nan\"}", NULL);
  }
  subpath(p, path, "type");
  return fail(r, p, "unknown value type or bad 'value' for type ", t);
}

/* ---- node arguments ---- */

typedef struct NodeScope {
  const HmGraph *graph;
  size_t defined; /* nodes [0, defined) may be referenced */
} NodeScope;

static bool find_node(const NodeScope *scope, const char *name, size_t *index) {
  for (size_t i = 0; i < scope->defined; ++i)
    if (strcmp(scope->graph->nodes[i].name, name) == 0) {
      *index = i;
      return true;
    }
  return false;
}

static bool read_arg(Reader *r, const NodeScope *scope, json_t *v, const char *path, HmArg *out);

static bool read_arg_array(Reader *r, const NodeScope *scope, json_t *arr, const char *path,
                           HmArg *out) {
  out->count = json_array_size(arr);
  out->items = hm_arena_new(&r->spec->arena, HmArg, out->count);
  for (size_t i = 0; i < out->count; ++i) {
    char p[PATH_MAX_LEN];
    indexpath(p, path, i);
    if (!read_arg(r, scope, json_array_get(arr, i), p, &out->items[i]))
      return false;
  }
  return true;
}

static bool read_float_tag(Reader *r, json_t *value, const char *path, HmArg *out) {
  const char *s = json_is_string(value) ? json_string_value(value) : "";
  out->kind = HM_ARG_FLOAT;
  if (strcmp(s, "inf") == 0)
    out->f = INFINITY;
  else if (strcmp(s, "-inf") == 0)
    out->f = -INFINITY;
  else if (strcmp(s, "nan") == 0)
    out->f = NAN;
  else
    return fail(r, path, "a non-finite float is \"inf\", \"-inf\" or \"nan\"", NULL);
  return true;
}

static bool read_tagged_arg(Reader *r, const NodeScope *scope, json_t *v, const char *path,
                            HmArg *out) {
  if (json_object_size(v) != 1)
    return fail(r, path, "a tagged argument has exactly one key", NULL);
  const char *tag = json_object_iter_key(json_object_iter(v));
  json_t *value = json_object_iter_value(json_object_iter(v));
  char p[PATH_MAX_LEN];
  subpath(p, path, tag);
  if (strcmp(tag, "node") == 0) {
    out->kind = HM_ARG_NODE;
    if (!json_is_string(value))
      return fail(r, p, "a node reference is a string", NULL);
    if (!find_node(scope, json_string_value(value), &out->node))
      return fail(r, p, "reference to undefined node ", json_string_value(value));
    return true;
  }
  if (strcmp(tag, "dtype") == 0) {
    out->kind = HM_ARG_DTYPE;
    return read_dtype(r, value, p, &out->dtype);
  }
  if (strcmp(tag, "slice") == 0) {
    out->kind = HM_ARG_SLICE;
    if (!json_is_array(value) || json_array_size(value) != 3)
      return fail(r, p, "a slice is [start, stop, step]", NULL);
    HmArgKind kind = out->kind;
    bool ok = read_arg_array(r, scope, value, p, out);
    out->kind = kind;
    return ok;
  }
  if (strcmp(tag, "float") == 0)
    return read_float_tag(r, value, p, out);
  if (strcmp(tag, "sym") == 0 && json_is_string(value)) {
    out->kind = HM_ARG_SYM;
    out->str = hm_arena_strdup(&r->spec->arena, json_string_value(value));
    return true;
  }
  if (strcmp(tag, "device") == 0 || strcmp(tag, "enum") == 0 || strcmp(tag, "dict") == 0) {
    out->kind = HM_ARG_OPAQUE;
    out->str = hm_arena_strdup(&r->spec->arena, tag);
    return true;
  }
  return fail(r, path, "unknown argument tag ", tag);
}

static bool read_arg(Reader *r, const NodeScope *scope, json_t *v, const char *path, HmArg *out) {
  switch (json_typeof(v)) {
  case JSON_NULL: out->kind = HM_ARG_NONE; return true;
  case JSON_TRUE:
  case JSON_FALSE: out->kind = HM_ARG_BOOL; out->i = json_is_true(v); return true;
  case JSON_INTEGER: out->kind = HM_ARG_INT; out->i = json_integer_value(v); out->f = (double)out->i; return true;
  case JSON_REAL: out->kind = HM_ARG_FLOAT; out->f = json_real_value(v); return true;
  case JSON_STRING:
    out->kind = HM_ARG_STR;
    out->str = hm_arena_strdup(&r->spec->arena, json_string_value(v));
    return true;
  case JSON_ARRAY: out->kind = HM_ARG_LIST; return read_arg_array(r, scope, v, path, out);
  case JSON_OBJECT: return read_tagged_arg(r, scope, v, path, out);
  }
  return fail(r, path, "unreadable argument", NULL);
}

/* ---- nodes and graphs ---- */

static bool read_node_op(Reader *r, json_t *v, const char *path, HmNodeOp *out) {
  const char *op = json_string_value(v);
  if (strcmp(op, "placeholder") == 0)
    *out = HM_NODE_PLACEHOLDER;
  else if (strcmp(op, "call_function") == 0)
    *out = HM_NODE_CALL;
  else if (strcmp(op, "output") == 0)
    *out = HM_NODE_OUTPUT;
  else
    return fail(r, path, "unknown node op ", op);
  return true;
}

static bool read_loc(Reader *r, json_t *node, const char *path, HmNode *out) {
  json_t *loc = json_object_get(node, "loc");
  if (!loc || json_is_null(loc))
    return true;
  char p[PATH_MAX_LEN];
  subpath(p, path, "loc");
  json_t *line = field(r, loc, "line", JSON_INTEGER, p);
  out->file = string_field(r, loc, "file", p);
  if (!line || !out->file)
    return false;
  out->line = (int)json_integer_value(line);
  return true;
}

static bool read_kwargs(Reader *r, const NodeScope *scope, json_t *kwargs, const char *path,
                        HmNode *out) {
  out->nkwargs = json_object_size(kwargs);
  out->kwarg_names = hm_arena_new(&r->spec->arena, const char *, out->nkwargs);
  out->kwargs = hm_arena_new(&r->spec->arena, HmArg, out->nkwargs);
  size_t i = 0;
  const char *key;
  json_t *value;
  json_object_foreach(kwargs, key, value) {
    char p[PATH_MAX_LEN];
    subpath(p, path, key);
    out->kwarg_names[i] = hm_arena_strdup(&r->spec->arena, key);
    if (!read_arg(r, scope, value, p, &out->kwargs[i++]))
      return false;
  }
  return true;
}

static bool read_node(Reader *r, const NodeScope *scope, json_t *v, const char *path, HmNode *out) {
  char p[PATH_MAX_LEN];
  json_t *op = field(r, v, "op", JSON_STRING, path);
  json_t *args = op ? field(r, v, "args", JSON_ARRAY, path) : NULL;
  json_t *kwargs = args ? field(r, v, "kwargs", JSON_OBJECT, path) : NULL;
  out->name = kwargs ? string_field(r, v, "name", path) : NULL;
  out->target = out->name ? string_field(r, v, "target", path) : NULL;
  if (!out->target)
    return false;
  subpath(p, path, "op");
  if (!read_node_op(r, op, p, &out->op))
    return false;
  size_t existing;
  if (find_node(scope, out->name, &existing))
    return fail(r, path, "node name defined twice: ", out->name);
  HmArg arglist;
  subpath(p, path, "args");
  if (!read_arg_array(r, scope, args, p, &arglist))
    return false;
  out->nargs = arglist.count;
  out->args = arglist.items;
  subpath(p, path, "kwargs");
  if (!read_kwargs(r, scope, kwargs, p, out))
    return false;
  if (out->op != HM_NODE_OUTPUT) {
    json_t *val = field(r, v, "val", JSON_OBJECT, path);
    subpath(p, path, "val");
    if (!val || !read_val(r, val, p, &out->val))
      return false;
  }
  return read_loc(r, v, path, out);
}

static const char *const GRAPH_KINDS[] = {
    [HM_GRAPH_ROOT] = "root",
    [HM_GRAPH_FOR_LOOP] = "for_loop",
    [HM_GRAPH_REDUCTION_LOOP] = "reduction_loop",
    [HM_GRAPH_IF] = "if",
    [HM_GRAPH_ELSE] = "else",
    [HM_GRAPH_WHILE_CONDITION] = "while_condition",
    [HM_GRAPH_WHILE_LOOP] = "while_loop",
    [HM_GRAPH_HELPER] = "helper",
};

static bool read_graph_kind(Reader *r, json_t *v, const char *path, HmGraphKind *out) {
  for (size_t i = 0; i < sizeof(GRAPH_KINDS) / sizeof(GRAPH_KINDS[0]); ++i)
    if (strcmp(GRAPH_KINDS[i], json_string_value(v)) == 0) {
      *out = (HmGraphKind)i;
      return true;
    }
  return fail(r, path, "unknown graph kind ", json_string_value(v));
}

static bool read_branch_source(Reader *r, json_t *v, const char *path, HmBranchSource *out) {
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    *out = (HmBranchSource){.output = (int)json_integer_value(v)};
    return true;
  }
  if (!json_is_string(v))
    return fail(r, path, "expected an output index or a node name, got ", json_type_name(v));
  *out = (HmBranchSource){.output = -1, .node = hm_arena_strdup(&r->spec->arena, json_string_value(v))};
  return true;
}

static bool read_branch_outputs(Reader *r, json_t *v, const char *path, HmGraph *out) {
  char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
  json_t *arr = field(r, v, "branch_outputs", JSON_ARRAY, path);
  if (!arr)
    return false;
  out->nbranch_outputs = json_array_size(arr);
  out->branch_outputs = hm_arena_new(&r->spec->arena, HmBranchSource, 2 * out->nbranch_outputs + 1);
  subpath(p, path, "branch_outputs");
  for (size_t i = 0; i < out->nbranch_outputs; ++i) {
    json_t *pair = json_array_get(arr, i);
    indexpath(q, p, i);
    if (!json_is_array(pair) || json_array_size(pair) != 2)
      return fail(r, q, "expected [if, else]", NULL);
    for (size_t side = 0; side < 2; ++side)
      if (!read_branch_source(r, json_array_get(pair, side), q, &out->branch_outputs[2 * i + side]))
        return false;
  }
  return true;
}

static bool read_graph(Reader *r, json_t *v, size_t index, const char *path, HmGraph *out) {
  char p[PATH_MAX_LEN];
  json_t *id = field(r, v, "id", JSON_INTEGER, path);
  json_t *kind = id ? field(r, v, "kind", JSON_STRING, path) : NULL;
  json_t *nodes = kind ? field(r, v, "nodes", JSON_ARRAY, path) : NULL;
  if (!nodes || !read_int_array(r, v, "block_ids", path, &out->nblock_ids, &out->block_ids))
    return false;
  subpath(p, path, "id");
  if (json_integer_value(id) != (json_int_t)index)
    return fail(r, p, "graph ids are dense: expected the graph's index", NULL);
  out->id = (int)index;
  subpath(p, path, "kind");
  if (!read_graph_kind(r, kind, p, &out->kind))
    return false;
  if (out->kind == HM_GRAPH_IF && !read_branch_outputs(r, v, path, out))
    return false;
  out->nnodes = json_array_size(nodes);
  out->nodes = hm_arena_new(&r->spec->arena, HmNode, out->nnodes);
  NodeScope scope = {out, 0};
  for (size_t i = 0; i < out->nnodes; ++i) {
    snprintf(p, sizeof p, "%s.nodes[%zu]", path, i);
    out->nodes[i].index = i;
    out->nodes[i].graph = index;
    if (!read_node(r, &scope, json_array_get(nodes, i), p, &out->nodes[i]))
      return false;
    scope.defined = i + 1;
  }
  return true;
}

/* ---- top-level tables ---- */

typedef bool (*ReadEntry)(Reader *r, json_t *v, size_t index, const char *path, void *out);

static bool read_table(Reader *r, json_t *root, const char *key, size_t elem_size, ReadEntry read,
                       size_t *n, void **out) {
  json_t *arr = field(r, root, key, JSON_ARRAY, "$");
  if (!arr)
    return false;
  *n = json_array_size(arr);
  *out = hm_arena_alloc(&r->spec->arena, elem_size * *n);
  for (size_t i = 0; i < *n; ++i) {
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "$.%s[%zu]", key, i);
    json_t *entry = json_array_get(arr, i);
    if (!json_is_object(entry))
      return fail(r, p, "expected object, got ", json_type_name(entry));
    if (!read(r, entry, i, p, (char *)*out + elem_size * i))
      return false;
  }
  return true;
}

static bool read_symbol(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  HmSymbol *out = out_;
  out->name = string_field(r, v, "name", path);
  json_t *value = json_object_get(v, "value");
  json_t *block = json_object_get(v, "block_id");
  out->value = json_is_integer(value) ? json_integer_value(value) : -1;
  out->block_id = json_is_integer(block) ? (int)json_integer_value(block) : -1;
  json_t *kind = json_object_get(v, "kind");
  out->grid_index = json_is_string(kind) && strcmp(json_string_value(kind), "grid_index") == 0;
  return out->name != NULL;
}

static bool read_scalar(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  static const struct { const char *name; HmDtype dtype; } TYPES[] = {
      {"float", HM_DTYPE_F64}, {"int", HM_DTYPE_I64}, {"bool", HM_DTYPE_BOOL}};
  HmScalarArg *out = out_;
  char p[PATH_MAX_LEN];
  json_t *arg_index = field(r, v, "arg_index", JSON_INTEGER, path);
  const char *type = arg_index ? string_field(r, v, "type", path) : NULL;
  out->name = type ? string_field(r, v, "name", path) : NULL;
  if (!out->name)
    return false;
  out->arg_index = (int)json_integer_value(arg_index);
  json_t *symbol = json_object_get(v, "symbol");
  out->symbol = json_is_string(symbol) ? hm_arena_strdup(&r->spec->arena, json_string_value(symbol)) : NULL;
  for (size_t i = 0; i < sizeof TYPES / sizeof *TYPES; ++i)
    if (strcmp(type, TYPES[i].name) == 0)
      out->dtype = TYPES[i].dtype;
  subpath(p, path, "type");
  return out->dtype || fail(r, p, "expected \"bool\", \"int\" or \"float\", got ", type);
}

/* `scalars` may be left out of hand-written specs: no scalar arguments. */
static bool read_scalars(Reader *r, json_t *root) {
  return !json_object_get(root, "scalars") ||
         read_table(r, root, "scalars", sizeof(HmScalarArg), read_scalar, &r->spec->nscalars,
                    (void **)&r->spec->scalars);
}

static bool read_block_size(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  HmBlockSize *out = out_;
  char p[PATH_MAX_LEN];
  json_t *id = field(r, v, "block_id", JSON_INTEGER, path);
  json_t *reduction = id ? field(r, v, "reduction", JSON_TRUE, path) : NULL;
  out->symbol = reduction ? string_field(r, v, "symbol", path) : NULL;
  if (!out->symbol)
    return false;
  subpath(p, path, "block_id");
  if (json_integer_value(id) != (json_int_t)index)
    return fail(r, p, "block ids are dense: expected the entry's index", NULL);
  out->id = (int)index;
  out->reduction = json_is_true(reduction);
  out->grid = json_is_true(json_object_get(v, "grid"));
  out->looped = json_array_size(json_object_get(v, "loops")) > 0;
  json_t *tile = json_object_get(v, "tile_size");
  out->tile_size = json_is_integer(tile) ? json_integer_value(tile) : -1;
  json_t *size = json_object_get(v, "size");
  out->has_size = size && !json_is_null(size);
  subpath(p, path, "size");
  return !out->has_size || read_dim(r, size, p, &out->size);
}

static bool read_host_tensor(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  HmHostTensor *out = out_;
  char p[PATH_MAX_LEN];
  json_t *shape = field(r, v, "shape", JSON_ARRAY, path);
  json_t *stride = shape ? field(r, v, "stride", JSON_ARRAY, path) : NULL;
  json_t *dtype = stride ? field(r, v, "dtype", JSON_STRING, path) : NULL;
  const char *source = dtype ? string_field(r, v, "source", path) : NULL;
  out->name = source ? string_field(r, v, "name", path) : NULL;
  if (!out->name)
    return false;
  size_t nstride;
  HmDim *dims, *strides;
  subpath(p, path, "shape");
  if (!read_dims(r, shape, p, &out->rank, &dims))
    return false;
  subpath(p, path, "stride");
  if (!read_dims(r, stride, p, &nstride, &strides))
    return false;
  if (nstride != out->rank)
    return fail(r, p, "stride and shape differ in rank", NULL);
  out->shape = dims;
  out->stride = strides;
  subpath(p, path, "dtype");
  if (!read_dtype(r, dtype, p, &out->dtype))
    return false;
  out->is_argument = strcmp(source, "argument") == 0;
  if (!out->is_argument && strcmp(source, "allocated") != 0) {
    subpath(p, path, "source");
    return fail(r, p, "expected \"argument\" or \"allocated\", got ", source);
  }
  json_t *arg_index = json_object_get(v, "arg_index");
  out->arg_index = json_is_integer(arg_index) ? (int)json_integer_value(arg_index) : -1;
  out->output_index = -1;
  return true;
}

static bool read_grid(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  HmGrid *out = out_;
  json_t *root = field(r, v, "root_graph", JSON_INTEGER, path);
  if (!root || !read_int_array(r, v, "block_ids", path, &out->nblock_ids, &out->block_ids))
    return false;
  out->root_graph = (int)json_integer_value(root);
  size_t g = (size_t)out->root_graph;
  if (out->root_graph < 0 || g >= r->spec->ngraphs || r->spec->graphs[g].kind != HM_GRAPH_ROOT) {
    char p[PATH_MAX_LEN];
    subpath(p, path, "root_graph");
    return fail(r, p, "not the id of a root graph", NULL);
  }
  for (size_t i = 0; i < out->nblock_ids; ++i)
    if (out->block_ids[i] < 0 || (size_t)out->block_ids[i] >= r->spec->nblock_sizes) {
      char p[PATH_MAX_LEN];
      snprintf(p, sizeof p, "%s.block_ids[%zu]", path, i);
      return fail(r, p, "not a block id", NULL);
    }
  return true;
}

static bool read_outputs(Reader *r, json_t *root) {
  json_t *outputs = field(r, root, "outputs", JSON_ARRAY, "$");
  if (!outputs)
    return false;
  for (size_t i = 0; i < json_array_size(outputs); ++i) {
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "$.outputs[%zu]", i);
    json_t *name = json_array_get(outputs, i);
    size_t index;
    if (!json_is_string(name) || !hm_spec_find_host_tensor(r->spec, json_string_value(name), &index))
      return fail(r, p, "not the name of a host tensor", NULL);
    r->spec->host_tensors[index].output_index = (int)i;
  }
  return true;
}

static bool read_graphs(Reader *r, json_t *root) {
  json_t *arr = field(r, root, "graphs", JSON_ARRAY, "$");
  if (!arr)
    return false;
  r->spec->ngraphs = json_array_size(arr);
  r->spec->graphs = hm_arena_new(&r->spec->arena, HmGraph, r->spec->ngraphs);
  for (size_t i = 0; i < r->spec->ngraphs; ++i) {
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "$.graphs[%zu]", i);
    json_t *g = json_array_get(arr, i);
    if (!json_is_object(g))
      return fail(r, p, "expected object, got ", json_type_name(g));
    if (!read_graph(r, g, i, p, &r->spec->graphs[i]))
      return false;
  }
  return true;
}

static bool has_tensor_argument(const HmSpec *spec) {
  for (size_t i = 0; i < spec->nhost_tensors; ++i)
    if (spec->host_tensors[i].is_argument)
      return true;
  return false;
}

static bool read_spec(Reader *r, json_t *root) {
  HmSpec *s = r->spec;
  if (!json_is_object(root))
    return fail(r, "$", "expected a JSON object", NULL);
  json_t *version = field(r, root, "version", JSON_INTEGER, "$");
  if (!version)
    return false;
  if (json_integer_value(version) != SPEC_VERSION) {
    char msg[96];
    snprintf(msg, sizeof msg, "unsupported version %lld (this reader takes version %d)",
             (long long)json_integer_value(version), SPEC_VERSION);
    return fail(r, "$.version", msg, NULL);
  }
  json_t *kernel = field(r, root, "kernel", JSON_OBJECT, "$");
  s->kernel_name = kernel ? string_field(r, kernel, "name", "$.kernel") : NULL;
  bool ok = s->kernel_name &&
            read_table(r, root, "symbols", sizeof(HmSymbol), read_symbol, &s->nsymbols,
                       (void **)&s->symbols) &&
            read_table(r, root, "block_sizes", sizeof(HmBlockSize), read_block_size,
                       &s->nblock_sizes, (void **)&s->block_sizes) &&
            read_table(r, root, "host_tensors", sizeof(HmHostTensor), read_host_tensor,
                       &s->nhost_tensors, (void **)&s->host_tensors) &&
            read_scalars(r, root) &&
            read_outputs(r, root) && read_graphs(r, root) &&
            read_table(r, root, "grid", sizeof(HmGrid), read_grid, &s->ngrids, (void **)&s->grids);
  if (ok && !has_tensor_argument(s))
    return fail(r, "$.host_tensors", "the kernel has no tensor arguments", NULL);
  return ok;
}

HmSpec *hm_spec_parse(const char *text, size_t length, const char *source_name, HmDiag *diag) {
  HmSpec *spec = calloc(1, sizeof *spec);
  if (!spec) {
    hm_diag_error(diag, "out of memory");
    return NULL;
  }
  spec->source = hm_arena_strdup(&spec->arena, source_name ? source_name : "<input>");
  json_error_t err;
  json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &err);
  if (!root) {
    hm_diag_error(diag, "%s:%d:%d: invalid JSON: %s", spec->source, err.line, err.column, err.text);
    hm_spec_destroy(spec);
    return NULL;
  }
  Reader r = {spec, diag};
  bool ok = read_spec(&r, root);
  json_decref(root);
  if (!ok) {
    hm_spec_destroy(spec);
    return NULL;
  }
  return spec;
}

HmSpec *hm_spec_load(const char *path, HmDiag *diag) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    hm_diag_error(diag, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger)
        free(buf);
      buf = bigger;
    }
  }
  bool read_error = ferror(f);
  fclose(f);
  if (!buf || read_error) {
    free(buf);
    hm_diag_error(diag, "%s: cannot read the file", path);
    return NULL;
  }
  HmSpec *spec = hm_spec_parse(buf, len, path, diag);
  free(buf);
  return spec;
}

void hm_spec_destroy(HmSpec *spec) {
  if (!spec)
    return;
  hm_arena_destroy(&spec->arena);
  free(spec);
}

const char *hm_spec_kernel_name(const HmSpec *spec) { return spec->kernel_name; }
const char *hm_spec_source_name(const HmSpec *spec) { return spec->source; }
size_t hm_spec_num_host_tensors(const HmSpec *spec) { return spec->nhost_tensors; }
size_t hm_spec_num_scalars(const HmSpec *spec) { return spec->nscalars; }
const HmScalarArg *hm_spec_scalar(const HmSpec *spec, size_t i) { return &spec->scalars[i]; }

const HmScalarArg *hm_spec_scalar_for_symbol(const HmSpec *spec, const char *symbol, size_t *index) {
  for (size_t i = 0; i < spec->nscalars; ++i)
    if (spec->scalars[i].symbol && strcmp(spec->scalars[i].symbol, symbol) == 0) {
      if (index)
        *index = i;
      return &spec->scalars[i];
    }
  return NULL;
}
const HmHostTensor *hm_spec_host_tensor(const HmSpec *spec, size_t i) { return &spec->host_tensors[i]; }
size_t hm_spec_num_graphs(const HmSpec *spec) { return spec->ngraphs; }
const HmGraph *hm_spec_graph(const HmSpec *spec, size_t i) { return &spec->graphs[i]; }
size_t hm_spec_num_block_sizes(const HmSpec *spec) { return spec->nblock_sizes; }
const HmBlockSize *hm_spec_block_size(const HmSpec *spec, size_t i) { return &spec->block_sizes[i]; }
size_t hm_spec_num_grids(const HmSpec *spec) { return spec->ngrids; }
const HmGrid *hm_spec_grid(const HmSpec *spec, size_t i) { return &spec->grids[i]; }

const HmSymbol *hm_spec_find_symbol(const HmSpec *spec, const char *name) {
  for (size_t i = 0; i < spec->nsymbols; ++i)
    if (strcmp(spec->symbols[i].name, name) == 0)
      return &spec->symbols[i];
  return NULL;
}

const HmBlockSize *hm_spec_block_for_symbol(const HmSpec *spec, const char *expr) {
  for (size_t i = 0; i < spec->nblock_sizes; ++i)
    if (strcmp(spec->block_sizes[i].symbol, expr) == 0)
      return &spec->block_sizes[i];
  return NULL;
}

const HmHostTensor *hm_spec_find_host_tensor(const HmSpec *spec, const char *name, size_t *index) {
  for (size_t i = 0; i < spec->nhost_tensors; ++i)
    if (strcmp(spec->host_tensors[i].name, name) == 0) {
      if (index)
        *index = i;
      return &spec->host_tensors[i];
    }
  return NULL;
}
