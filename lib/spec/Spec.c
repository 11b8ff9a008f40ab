/* Reading the interchange JSON (docs/interchange.md) into the spec model, checking its structure
 * (docs/interchange.schema.json) on the way; References.c then runs the cross-reference checks. */
#include "support/Arena.h"
#include "spec/Limits.h"
#include "spec/Names.h"
#include "spec/References.h"
#include "spec/SpecModel.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The versions this reader takes: 2 adds block_sizes[*].jagged_parents, which a version-1 spec has not.
 * A version changes only for what a reader could misread (docs/interchange.md, Versions); a value a
 * newer writer adds to a closed list (a dtype, a symbol kind) is refused by read_choice and
 * read_dtype in one line at its path. */
enum { SPEC_VERSION_MIN = 1, SPEC_VERSION = 2, PATH_MAX_LEN = 512 };

struct HmSpec {
  HmArena arena;
  const char *source;
  const char *kernel_name;
  bool static_shapes;
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
  json_int_t version;
} Reader;

static const char *const DTYPE_NAMES[] = {
    [HM_DTYPE_F64] = "float64", [HM_DTYPE_F32] = "float32", [HM_DTYPE_F16] = "float16", [HM_DTYPE_BF16] = "bfloat16",
    [HM_DTYPE_I64] = "int64",   [HM_DTYPE_I32] = "int32",   [HM_DTYPE_I16] = "int16",   [HM_DTYPE_I8] = "int8",
    [HM_DTYPE_U8] = "uint8",    [HM_DTYPE_BOOL] = "bool",   [HM_DTYPE_F8E4M3FN] = "float8_e4m3fn",
    [HM_DTYPE_F8E5M2] = "float8_e5m2",
};
static const size_t DTYPE_SIZES[] = {
    [HM_DTYPE_F64] = 8, [HM_DTYPE_F32] = 4, [HM_DTYPE_F16] = 2, [HM_DTYPE_BF16] = 2, [HM_DTYPE_I64] = 8,
    [HM_DTYPE_I32] = 4, [HM_DTYPE_I16] = 2, [HM_DTYPE_I8] = 1,  [HM_DTYPE_U8] = 1,   [HM_DTYPE_BOOL] = 1,
    [HM_DTYPE_F8E4M3FN] = 1, [HM_DTYPE_F8E5M2] = 1,
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
  return dtype == HM_DTYPE_F64 || dtype == HM_DTYPE_F32 || dtype == HM_DTYPE_F16 || dtype == HM_DTYPE_BF16 ||
         dtype == HM_DTYPE_F8E4M3FN || dtype == HM_DTYPE_F8E5M2;
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
  return hm_diag_error(r->diag, "%s: %s: %s%s", r->spec->source, path, message,
                       detail ? hm_spec_shown(detail) : "");
}

/* A value outside one of the schema's closed lists, quoted as Python's reader shows it: "unknown
 * dtype 'float4'". A value a newer writer added is refused so, never misread (docs/interchange.md,
 * "Versions"). */
static bool fail_unknown(Reader *r, const char *path, const char *list, const char *value) {
  return hm_diag_error(r->diag, "%s: %s: unknown %s '%s'", r->spec->source, path, list, hm_spec_shown(value));
}

/* The paths of the fields and items the parse visits, truncated as snprintf would: written by hand,
 * since every visited field has one and snprintf was most of the parse's time. */
static size_t append(char *out, size_t at, const char *text, size_t n) {
  size_t room = PATH_MAX_LEN - 1 - at;
  n = n < room ? n : room;
  memcpy(out + at, text, n);
  out[at + n] = '\0';
  return at + n;
}

static void subpath(char *out, const char *path, const char *key) {
  size_t at = append(out, 0, path, strlen(path));
  at = append(out, at, ".", 1);
  append(out, at, key, strlen(key));
}

static void indexpath(char *out, const char *path, size_t index) {
  char digits[24];
  size_t n = sizeof digits;
  digits[--n] = ']';
  do
    digits[--n] = (char)('0' + index % 10);
  while ((index /= 10) != 0);
  digits[--n] = '[';
  size_t at = append(out, 0, path, strlen(path));
  append(out, at, digits + n, sizeof digits - n);
}

/* JSON types as the schema names them; HM_NULLABLE adds null. JSON_REAL takes integers too. */
enum { HM_NULLABLE = 0x100 };

static const char *type_name(int type) {
  switch (type & 0xff) {
  case JSON_TRUE: return "bool";
  case JSON_REAL: return "number";
  case JSON_INTEGER: return "integer";
  case JSON_STRING: return "string";
  case JSON_ARRAY: return "array";
  default: return "object";
  }
}

static bool type_matches(json_t *v, int type) {
  json_type want = (json_type)(type & 0xff);
  return json_typeof(v) == want || (want == JSON_REAL && json_is_integer(v)) ||
         (want == JSON_TRUE && json_is_boolean(v)) || ((type & HM_NULLABLE) && json_is_null(v));
}

static bool expect_type(Reader *r, json_t *v, int type, const char *path) {
  if (type_matches(v, type))
    return true;
  char msg[128];
  snprintf(msg, sizeof msg, "expected %s%s, got %s", type_name(type), type & HM_NULLABLE ? " or null" : "",
           json_type_name(v));
  return fail(r, path, msg, NULL);
}

/* expect_type for the field `key` of `path`, whose path is written only for a message: the parse
 * reads thousands of fields, and formatting each one's path was a fifth of lowering a kernel. */
static bool expect_field_type(Reader *r, json_t *v, int type, const char *path, const char *key) {
  if (type_matches(v, type))
    return true;
  char p[PATH_MAX_LEN];
  subpath(p, path, key);
  return expect_type(r, v, type, p);
}

/* A required field of the given type. */
static json_t *field(Reader *r, json_t *obj, const char *key, int type, const char *path) {
  json_t *v = json_object_get(obj, key);
  if (!v) {
    char msg[128];
    snprintf(msg, sizeof msg, "missing field '%s'", key);
    fail(r, path, msg, NULL);
    return NULL;
  }
  return expect_field_type(r, v, type, path, key) ? v : NULL;
}

/* An optional field: true when it is absent (*out = NULL) or of the given type. */
static bool optional(Reader *r, json_t *obj, const char *key, int type, const char *path, json_t **out) {
  *out = json_object_get(obj, key);
  return !*out || expect_field_type(r, *out, type, path, key);
}

/* Names, expressions and file names hold no control characters: echoed into a message, a newline
 * would forge a second line. Names are not empty. */
static bool check_text(Reader *r, json_t *v, const char *path, bool name) {
  if (!expect_type(r, v, JSON_STRING, path))
    return false;
  const char *s = json_string_value(v);
  if (name && !*s)
    return fail(r, path, "a name is not empty", NULL);
  if (hm_spec_has_control(s))
    return fail(r, path, "control character in a name", NULL);
  return true;
}

static const char *name_field(Reader *r, json_t *obj, const char *key, const char *path) {
  json_t *v = field(r, obj, key, JSON_STRING, path);
  char p[PATH_MAX_LEN];
  subpath(p, path, key);
  return v && check_text(r, v, p, true) ? hm_arena_strdup(&r->spec->arena, json_string_value(v)) : NULL;
}

/* An optional name or text field that may also be null. */
static bool optional_text(Reader *r, json_t *obj, const char *key, const char *path, bool name) {
  json_t *v = json_object_get(obj, key);
  char p[PATH_MAX_LEN];
  subpath(p, path, key);
  return !v || json_is_null(v) || check_text(r, v, p, name);
}

/* Each item of an array is a name (or, with name false, a text). */
static bool texts(Reader *r, json_t *arr, const char *path, bool name) {
  for (size_t i = 0; i < json_array_size(arr); ++i) {
    char p[PATH_MAX_LEN];
    indexpath(p, path, i);
    if (!check_text(r, json_array_get(arr, i), p, name))
      return false;
  }
  return true;
}

/* An index: a non-negative integer the model keeps as an int (range checks come later, on the
 * JSON value). */
static bool check_index(Reader *r, json_t *v, const char *path) {
  if (!expect_type(r, v, JSON_INTEGER, path))
    return false;
  json_int_t i = json_integer_value(v);
  if (i < 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "expected at least 0, got %lld", (long long)i);
    return fail(r, path, msg, NULL);
  }
  return true;
}

/* The model keeps ids as ints; a larger one saturates, and the range checks refuse it before the
 * model is used. */
static int index_value(json_t *v) {
  json_int_t i = json_integer_value(v);
  return i > INT_MAX ? INT_MAX : (int)i;
}

static bool optional_index(Reader *r, json_t *obj, const char *key, const char *path) {
  json_t *v = json_object_get(obj, key);
  char p[PATH_MAX_LEN];
  subpath(p, path, key);
  return !v || check_index(r, v, p);
}

static bool read_dim(Reader *r, json_t *v, const char *path, HmDim *out) {
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    out->sym = NULL;
    out->value = json_integer_value(v);
    return true;
  }
  if (json_is_integer(v)) {
    char msg[96];
    snprintf(msg, sizeof msg, "negative size %lld", (long long)json_integer_value(v));
    return fail(r, path, msg, NULL);
  }
  if (json_is_string(v)) {
    if (!*json_string_value(v))
      return fail(r, path, "an empty expression", NULL);
    if (!check_text(r, v, path, true))
      return false;
    out->sym = hm_arena_strdup(&r->spec->arena, json_string_value(v));
    const HmSymbol *s = hm_spec_find_symbol(r->spec, out->sym);
    out->value = s ? s->value : -1;
    return true;
  }
  return fail(r, path, "a size is an integer or a symbolic expression string, got ", json_type_name(v));
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
  if (*out == HM_DTYPE_INVALID && !json_is_string(v))
    return fail(r, path, "unknown dtype ", "(not a string)");
  if (*out == HM_DTYPE_INVALID)
    return fail_unknown(r, path, "dtype", json_string_value(v));
  return true;
}

static bool read_int_array(Reader *r, json_t *obj, const char *key, const char *path, size_t *n,
                           int **out) {
  json_t *arr = field(r, obj, key, JSON_ARRAY, path);
  if (!arr)
    return false;
  char p[PATH_MAX_LEN];
  subpath(p, path, key);
  *n = json_array_size(arr);
  *out = hm_arena_new(&r->spec->arena, int, *n);
  for (size_t i = 0; i < *n; ++i) {
    char q[PATH_MAX_LEN];
    indexpath(q, p, i);
    json_t *v = json_array_get(arr, i);
    if (!check_index(r, v, q))
      return false;
    (*out)[i] = index_value(v);
  }
  return true;
}

/* One of `names` (a closed list of the schema); its position in *out. */
static bool read_choice(Reader *r, json_t *v, const char *path, const char *what, const char *const *names,
                        size_t n, int *out) {
  for (size_t i = 0; i < n && json_is_string(v); ++i)
    if (names[i] && strcmp(names[i], json_string_value(v)) == 0) {
      *out = (int)i;
      return true;
    }
  if (!json_is_string(v)) {
    char msg[64];
    snprintf(msg, sizeof msg, "unknown %s ", what);
    return fail(r, path, msg, json_type_name(v));
  }
  return fail_unknown(r, path, what, json_string_value(v));
}

#define CHOICE(r, v, path, what, names, out) read_choice(r, v, path, what, names, sizeof names / sizeof *names, out)

/* A non-finite float, {"float": "inf" | "-inf" | "nan"}. */
static bool read_non_finite(Reader *r, json_t *v, const char *path, double *out) {
  static const char *const NAMES[] = {"inf", "-inf", "nan"};
  static const double VALUES[] = {INFINITY, -INFINITY, NAN};
  if (!json_is_object(v) || json_object_size(v) != 1 || !json_object_get(v, "float"))
    return fail(r, path, "a non-finite float is {\"float\": \"inf\" | \"-inf\" | \"nan\"}", NULL);
  char p[PATH_MAX_LEN];
  subpath(p, path, "float");
  int which;
  json_t *name = json_object_get(v, "float");
  for (which = 0; which < 3; ++which)
    if (json_is_string(name) && strcmp(json_string_value(name), NAMES[which]) == 0)
      break;
  if (which == 3)
    return fail(r, p, "a non-finite float is \"inf\", \"-inf\" or \"nan\"", NULL);
  *out = VALUES[which];
  return true;
}

/* A float value: a number or a non-finite float. */
static bool read_float(Reader *r, json_t *v, const char *path, double *out) {
  if (json_is_number(v)) {
    *out = json_number_value(v);
    return true;
  }
  if (!json_is_object(v))
    return expect_type(r, v, JSON_REAL, path);
  return read_non_finite(r, v, path, out);
}

/* ---- node results ("val") ---- */

static bool read_val(Reader *r, json_t *v, const char *path, HmSpecValue *out);

static bool read_val_list(Reader *r, json_t *v, const char *path, HmSpecValue *out) {
  json_t *items = field(r, v, "items", JSON_ARRAY, path);
  if (!items)
    return false;
  out->count = json_array_size(items);
  out->items = hm_arena_new(&r->spec->arena, HmSpecValue, out->count);
  for (size_t i = 0; i < out->count; ++i) {
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s.items[%zu]", path, i);
    json_t *item = json_array_get(items, i);
    if (!expect_type(r, item, JSON_OBJECT, p) || !read_val(r, item, p, &out->items[i]))
      return false;
  }
  return true;
}

static const char *const VALUE_TYPES[] = {
    [HM_SPEC_NONE] = "none", [HM_SPEC_TENSOR] = "tensor", [HM_SPEC_SYM] = "sym", [HM_SPEC_INT] = "int",
    [HM_SPEC_FLOAT] = "float", [HM_SPEC_BOOL] = "bool", [HM_SPEC_LIST] = "list",
};

static bool read_val(Reader *r, json_t *v, const char *path, HmSpecValue *out) {
  json_t *type = field(r, v, "type", JSON_STRING, path);
  char p[PATH_MAX_LEN];
  subpath(p, path, "type");
  int kind;
  if (!type || !CHOICE(r, type, p, "value type", VALUE_TYPES, &kind))
    return false;
  out->kind = (HmSpecValueKind)kind;
  switch (out->kind) {
  case HM_SPEC_TENSOR: {
    json_t *shape = field(r, v, "shape", JSON_ARRAY, path);
    json_t *dtype = shape ? field(r, v, "dtype", JSON_STRING, path) : NULL;
    subpath(p, path, "shape");
    if (!dtype || !read_dims(r, shape, p, &out->rank, &out->shape))
      return false;
    subpath(p, path, "dtype");
    return read_dtype(r, dtype, p, &out->dtype);
  }
  case HM_SPEC_SYM: {
    out->expr = name_field(r, v, "expr", path);
    json_t *dtype;
    subpath(p, path, "dtype");
    return out->expr && optional(r, v, "dtype", JSON_STRING, path, &dtype) &&
           (!dtype || read_dtype(r, dtype, p, &out->dtype));
  }
  case HM_SPEC_LIST: return read_val_list(r, v, path, out);
  case HM_SPEC_NONE: return true;
  case HM_SPEC_INT:
  case HM_SPEC_BOOL:
  case HM_SPEC_FLOAT: break;
  }
  json_t *value = json_object_get(v, "value");
  if (!value)
    return fail(r, path, "missing field 'value'", NULL);
  subpath(p, path, "value");
  if (out->kind == HM_SPEC_FLOAT)
    return read_float(r, value, p, &out->f);
  if (!expect_type(r, value, out->kind == HM_SPEC_INT ? JSON_INTEGER : JSON_TRUE, p))
    return false;
  out->i = out->kind == HM_SPEC_INT ? json_integer_value(value) : json_is_true(value);
  return true;
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

/* Keyword arguments, and the entries of a {"dict": ...} argument: names to arguments. The names and
 * arguments are stored when `names` and `args` are given. */
static bool read_arg_object(Reader *r, const NodeScope *scope, json_t *obj, const char *path,
                            const char **names, HmArg *args) {
  const char *key;
  json_t *value;
  size_t i = 0;
  json_object_foreach(obj, key, value) {
    if (!*key || hm_spec_has_control(key))
      return fail(r, path, *key ? "control character in a name" : "a name is not empty", NULL);
    char p[PATH_MAX_LEN];
    subpath(p, path, key);
    HmArg scratch = {0};
    if (!read_arg(r, scope, value, p, args ? &args[i] : &scratch))
      return false;
    if (names)
      names[i] = hm_arena_strdup(&r->spec->arena, key);
    ++i;
  }
  return true;
}

enum { TAG_NODE, TAG_DTYPE, TAG_SLICE, TAG_FLOAT, TAG_SYM, TAG_DEVICE, TAG_ENUM, TAG_DICT };
static const char *const ARG_TAGS[] = {
    [TAG_NODE] = "node", [TAG_DTYPE] = "dtype", [TAG_SLICE] = "slice", [TAG_FLOAT] = "float",
    [TAG_SYM] = "sym",   [TAG_DEVICE] = "device", [TAG_ENUM] = "enum", [TAG_DICT] = "dict",
};

static bool read_tagged_arg(Reader *r, const NodeScope *scope, json_t *v, const char *path,
                            HmArg *out) {
  if (json_object_size(v) != 1)
    return fail(r, path, "a tagged argument has exactly one key", NULL);
  const char *tag = json_object_iter_key(json_object_iter(v));
  json_t *value = json_object_iter_value(json_object_iter(v));
  int which = -1;
  for (size_t i = 0; i < sizeof ARG_TAGS / sizeof *ARG_TAGS; ++i)
    if (strcmp(tag, ARG_TAGS[i]) == 0)
      which = (int)i;
  if (which < 0)
    return fail(r, path, "unknown argument tag ", tag);
  char p[PATH_MAX_LEN];
  subpath(p, path, tag);
  switch (which) {
  case TAG_NODE:
    out->kind = HM_ARG_NODE;
    if (!json_is_string(value))
      return fail(r, p, "a node reference is a string", NULL);
    if (!check_text(r, value, p, true))
      return false;
    if (!find_node(scope, json_string_value(value), &out->node))
      return fail(r, p, "reference to undefined node ", json_string_value(value));
    return true;
  case TAG_DTYPE: out->kind = HM_ARG_DTYPE; return read_dtype(r, value, p, &out->dtype);
  case TAG_SLICE: {
    if (!json_is_array(value) || json_array_size(value) != 3)
      return fail(r, p, "a slice is [start, stop, step]", NULL);
    bool ok = read_arg_array(r, scope, value, p, out);
    out->kind = HM_ARG_SLICE;
    return ok;
  }
  case TAG_FLOAT:
    out->kind = HM_ARG_FLOAT;
    return read_non_finite(r, v, path, &out->f);
  case TAG_SYM:
    out->kind = HM_ARG_SYM;
    if (!check_text(r, value, p, true))
      return false;
    out->str = hm_arena_strdup(&r->spec->arena, json_string_value(value));
    return true;
  default:
    out->kind = HM_ARG_OPAQUE;
    out->str = hm_arena_strdup(&r->spec->arena, tag);
    if (which == TAG_DICT)
      return expect_type(r, value, JSON_OBJECT, p) && read_arg_object(r, scope, value, p, NULL, NULL);
    return check_text(r, value, p, true);
  }
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

static const char *const NODE_OPS[] = {
    [HM_NODE_PLACEHOLDER] = "placeholder", [HM_NODE_CALL] = "call_function", [HM_NODE_OUTPUT] = "output",
};

static bool read_loc(Reader *r, json_t *node, const char *path, HmNode *out) {
  json_t *loc;
  if (!optional(r, node, "loc", JSON_OBJECT | HM_NULLABLE, path, &loc))
    return false;
  if (!loc || json_is_null(loc))
    return true;
  char p[PATH_MAX_LEN];
  subpath(p, path, "loc");
  json_t *line = field(r, loc, "line", JSON_INTEGER, p);
  json_t *file = line ? field(r, loc, "file", JSON_STRING, p) : NULL;
  json_t *col;
  char q[PATH_MAX_LEN];
  subpath(q, p, "file");
  if (!file || !check_text(r, file, q, false) || !optional(r, loc, "col", JSON_INTEGER, p, &col))
    return false;
  out->file = hm_arena_strdup(&r->spec->arena, json_string_value(file));
  json_int_t n = json_integer_value(line);
  out->line = n < INT_MIN ? INT_MIN : n > INT_MAX ? INT_MAX : (int)n;
  return true;
}

static bool read_node(Reader *r, const NodeScope *scope, json_t *v, const char *path, HmNode *out) {
  char p[PATH_MAX_LEN];
  json_t *op = field(r, v, "op", JSON_STRING, path);
  json_t *args = op ? field(r, v, "args", JSON_ARRAY, path) : NULL;
  json_t *kwargs = args ? field(r, v, "kwargs", JSON_OBJECT, path) : NULL;
  out->name = kwargs ? name_field(r, v, "name", path) : NULL;
  out->target = out->name ? name_field(r, v, "target", path) : NULL;
  if (!out->target)
    return false;
  subpath(p, path, "op");
  int node_op;
  if (!CHOICE(r, op, p, "node op", NODE_OPS, &node_op))
    return false;
  out->op = (HmNodeOp)node_op;
  subpath(p, path, "target");
  if (out->op == HM_NODE_CALL && !hm_spec_known_target(out->target))
    return fail(r, p, "op not known to the schema: ", out->target);
  size_t existing;
  subpath(p, path, "name");
  if (find_node(scope, out->name, &existing))
    return fail(r, p, "node name defined twice: ", out->name);
  HmArg arglist;
  subpath(p, path, "args");
  if (!read_arg_array(r, scope, args, p, &arglist))
    return false;
  out->nargs = arglist.count;
  out->args = arglist.items;
  subpath(p, path, "kwargs");
  out->nkwargs = json_object_size(kwargs);
  out->kwarg_names = hm_arena_new(&r->spec->arena, const char *, out->nkwargs);
  out->kwargs = hm_arena_new(&r->spec->arena, HmArg, out->nkwargs);
  if (!read_arg_object(r, scope, kwargs, p, out->kwarg_names, out->kwargs))
    return false;
  if (out->op != HM_NODE_OUTPUT) {
    json_t *val = field(r, v, "val", JSON_OBJECT, path);
    subpath(p, path, "val");
    if (!val || !read_val(r, val, p, &out->val))
      return false;
  } else {
    json_t *val;
    subpath(p, path, "val");
    if (!optional(r, v, "val", JSON_OBJECT, path, &val) || (val && !read_val(r, val, p, &out->val)))
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

static bool read_branch_source(Reader *r, json_t *v, const char *path, HmBranchSource *out) {
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    *out = (HmBranchSource){.output = index_value(v)};
    return true;
  }
  if (!json_is_string(v))
    return fail(r, path, "expected an output index or a node name, got ", json_type_name(v));
  if (!check_text(r, v, path, true))
    return false;
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
    for (size_t side = 0; side < 2; ++side) {
      char s[PATH_MAX_LEN];
      indexpath(s, q, side);
      if (!read_branch_source(r, json_array_get(pair, side), s, &out->branch_outputs[2 * i + side]))
        return false;
    }
  }
  return true;
}

static bool read_graph(Reader *r, json_t *v, size_t index, const char *path, HmGraph *out) {
  char p[PATH_MAX_LEN];
  json_t *id = field(r, v, "id", JSON_INTEGER, path);
  json_t *kind = id ? field(r, v, "kind", JSON_STRING, path) : NULL;
  json_t *nodes = kind ? field(r, v, "nodes", JSON_ARRAY, path) : NULL;
  json_t *node_args = nodes ? field(r, v, "node_args", JSON_ARRAY, path) : NULL;
  if (!node_args || !read_int_array(r, v, "block_ids", path, &out->nblock_ids, &out->block_ids))
    return false;
  subpath(p, path, "id");
  if (!check_index(r, id, p))
    return false;
  if (json_integer_value(id) != (json_int_t)index)
    return fail(r, p, "graph ids are dense: expected the graph's index", NULL);
  out->id = (int)index;
  subpath(p, path, "kind");
  int graph_kind;
  if (!CHOICE(r, kind, p, "graph kind", GRAPH_KINDS, &graph_kind))
    return false;
  out->kind = (HmGraphKind)graph_kind;
  subpath(p, path, "node_args");
  if (!texts(r, node_args, p, true) || !optional_text(r, v, "function_name", path, true))
    return false;
  json_t *cond;
  if (out->kind == HM_GRAPH_WHILE_LOOP && !field(r, v, "cond_graph_id", JSON_INTEGER, path))
    return false;
  subpath(p, path, "cond_graph_id");
  if (!optional(r, v, "cond_graph_id", JSON_INTEGER, path, &cond) || (cond && !check_index(r, cond, p)))
    return false;
  if (out->kind == HM_GRAPH_IF && !read_branch_outputs(r, v, path, out))
    return false;
  out->nnodes = json_array_size(nodes);
  if (out->nnodes == 0) {
    subpath(p, path, "nodes");
    return fail(r, p, "a graph has at least its output node", NULL);
  }
  out->nodes = hm_arena_new(&r->spec->arena, HmNode, out->nnodes);
  NodeScope scope = {out, 0};
  for (size_t i = 0; i < out->nnodes; ++i) {
    snprintf(p, sizeof p, "%s.nodes[%zu]", path, i);
    out->nodes[i].index = i;
    out->nodes[i].graph = index;
    json_t *node = json_array_get(nodes, i);
    if (!expect_type(r, node, JSON_OBJECT, p) || !read_node(r, &scope, node, p, &out->nodes[i]))
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
    if (!expect_type(r, entry, JSON_OBJECT, p) || !read(r, entry, i, p, (char *)*out + elem_size * i))
      return false;
  }
  return true;
}

enum { SYMBOL_BLOCK_SIZE, SYMBOL_SIZE, SYMBOL_SCALAR, SYMBOL_GRID_INDEX, SYMBOL_TILE_END, SYMBOL_TILE_ID,
       SYMBOL_TILE_COUNT, SYMBOL_UNBACKED };
static const char *const SYMBOL_KINDS[] = {
    [SYMBOL_BLOCK_SIZE] = "block_size", [SYMBOL_SIZE] = "size", [SYMBOL_SCALAR] = "scalar",
    [SYMBOL_GRID_INDEX] = "grid_index", [SYMBOL_TILE_END] = "tile_end", [SYMBOL_TILE_ID] = "tile_id",
    [SYMBOL_TILE_COUNT] = "tile_count", [SYMBOL_UNBACKED] = "unbacked",
};
static const HmTilePosition SYMBOL_TILE_POSITIONS[SYMBOL_UNBACKED + 1] = {
    [SYMBOL_GRID_INDEX] = HM_TILE_BEGIN, [SYMBOL_TILE_END] = HM_TILE_END, [SYMBOL_TILE_ID] = HM_TILE_ID,
    [SYMBOL_TILE_COUNT] = HM_TILE_COUNT,
};

static bool read_symbol(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  (void)index;
  HmSymbol *out = out_;
  char p[PATH_MAX_LEN];
  out->name = name_field(r, v, "name", path);
  json_t *kind = out->name ? field(r, v, "kind", JSON_STRING, path) : NULL;
  json_t *value = kind ? json_object_get(v, "value") : NULL;
  if (kind && !value)
    return fail(r, path, "missing field 'value'", NULL);
  int which;
  subpath(p, path, "kind");
  if (!value || !CHOICE(r, kind, p, "symbol kind", SYMBOL_KINDS, &which))
    return false;
  subpath(p, path, "value");
  double number;
  if (!json_is_null(value) && !json_is_integer(value) && !read_float(r, value, p, &number))
    return false;
  bool needs_block = which == SYMBOL_BLOCK_SIZE || SYMBOL_TILE_POSITIONS[which] != HM_TILE_NONE;
  if ((needs_block && !field(r, v, "block_id", JSON_INTEGER, path)) ||
      (which == SYMBOL_SCALAR && !field(r, v, "arg_index", JSON_INTEGER, path)))
    return false;
  json_t *tensor;
  subpath(p, path, "tensor");
  if (!optional_index(r, v, "block_id", path) || !optional_index(r, v, "arg_index", path) ||
      !optional_index(r, v, "dim", path) || !optional(r, v, "tensor", JSON_STRING, path, &tensor) ||
      (tensor && !check_text(r, tensor, p, true)))
    return false;
  json_t *block = json_object_get(v, "block_id");
  out->value = json_is_integer(value) ? json_integer_value(value) : -1;
  out->block_id = block ? index_value(block) : -1;
  out->tile = SYMBOL_TILE_POSITIONS[which];
  return true;
}

enum { SCALAR_FLOAT, SCALAR_INT, SCALAR_BOOL };
static const char *const SCALAR_TYPES[] = {[SCALAR_FLOAT] = "float", [SCALAR_INT] = "int", [SCALAR_BOOL] = "bool"};

static bool read_scalar(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  static const HmDtype DTYPES[] = {[SCALAR_FLOAT] = HM_DTYPE_F64, [SCALAR_INT] = HM_DTYPE_I64, [SCALAR_BOOL] = HM_DTYPE_BOOL};
  (void)index;
  HmScalarArg *out = out_;
  char p[PATH_MAX_LEN];
  json_t *arg_index = field(r, v, "arg_index", JSON_INTEGER, path);
  json_t *type = arg_index ? field(r, v, "type", JSON_STRING, path) : NULL;
  json_t *value = type ? json_object_get(v, "value") : NULL;
  if (type && !value)
    return fail(r, path, "missing field 'value'", NULL);
  json_t *symbol = value ? json_object_get(v, "symbol") : NULL;
  if (value && !symbol)
    return fail(r, path, "missing field 'symbol'", NULL);
  out->name = symbol ? name_field(r, v, "name", path) : NULL;
  subpath(p, path, "arg_index");
  if (!out->name || !check_index(r, arg_index, p))
    return false;
  out->arg_index = index_value(arg_index);
  subpath(p, path, "type");
  int which;
  if (!CHOICE(r, type, p, "scalar type", SCALAR_TYPES, &which))
    return false;
  out->dtype = DTYPES[which];
  subpath(p, path, "value");
  double number;
  if (!(which == SCALAR_FLOAT ? read_float(r, value, p, &number)
                              : expect_type(r, value, which == SCALAR_INT ? JSON_INTEGER : JSON_TRUE, p)))
    return false;
  if (!optional_text(r, v, "symbol", path, true))
    return false;
  out->symbol = json_is_string(symbol) ? hm_arena_strdup(&r->spec->arena, json_string_value(symbol)) : NULL;
  return true;
}

/* An hl.jagged_tile block: the blocks whose tiles are the dimensions of its parent tensor. */
static bool read_jagged_parents(Reader *r, json_t *v, const char *path, HmBlockSize *out) {
  out->njagged_parents = 0;
  out->jagged_parents = NULL;
  json_t *parents = json_object_get(v, "jagged_parents");
  if (!parents)
    return true;
  char p[PATH_MAX_LEN];
  subpath(p, path, "jagged_parents");
  if (r->version < 2)
    return fail(r, p, "jagged_parents needs version 2", NULL);
  if (!read_int_array(r, v, "jagged_parents", path, &out->njagged_parents, &out->jagged_parents))
    return false;
  return out->njagged_parents > 0 || fail(r, p, "a jagged tile has at least one parent tile", NULL);
}

static bool read_block_size(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  HmBlockSize *out = out_;
  char p[PATH_MAX_LEN];
  json_t *id = field(r, v, "block_id", JSON_INTEGER, path);
  json_t *reduction = id ? field(r, v, "reduction", JSON_TRUE, path) : NULL;
  json_t *grid = reduction ? field(r, v, "grid", JSON_TRUE, path) : NULL;
  json_t *loops = grid ? field(r, v, "loops", JSON_ARRAY, path) : NULL;
  json_t *tile = loops ? field(r, v, "tile_size", JSON_INTEGER | HM_NULLABLE, path) : NULL;
  json_t *size = tile ? json_object_get(v, "size") : NULL;
  if (tile && !size)
    return fail(r, path, "missing field 'size'", NULL);
  out->symbol = size ? name_field(r, v, "symbol", path) : NULL;
  if (!out->symbol)
    return false;
  subpath(p, path, "block_id");
  if (!check_index(r, id, p))
    return false;
  if (json_integer_value(id) != (json_int_t)index)
    return fail(r, p, "block ids are dense: expected the entry's index", NULL);
  subpath(p, path, "tile_size");
  if (json_is_integer(tile) && json_integer_value(tile) < 1)
    return fail(r, p, "a tile size is positive", NULL);
  size_t nloops;
  int *loop_ids;
  json_t *debug_names;
  subpath(p, path, "debug_names");
  if (!read_int_array(r, v, "loops", path, &nloops, &loop_ids) ||
      !optional(r, v, "debug_names", JSON_ARRAY, path, &debug_names) || (debug_names && !texts(r, debug_names, p, false)))
    return false;
  out->id = (int)index;
  out->reduction = json_is_true(reduction);
  out->grid = json_is_true(grid);
  out->looped = nloops > 0;
  out->tile_size = json_is_integer(tile) ? json_integer_value(tile) : -1;
  out->has_size = !json_is_null(size);
  subpath(p, path, "size");
  return (!out->has_size || read_dim(r, size, p, &out->size)) && read_jagged_parents(r, v, path, out);
}

enum { SOURCE_ARGUMENT, SOURCE_ALLOCATED };
static const char *const SOURCES[] = {[SOURCE_ARGUMENT] = "argument", [SOURCE_ALLOCATED] = "allocated"};

static bool read_host_tensor(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  (void)index;
  HmHostTensor *out = out_;
  char p[PATH_MAX_LEN];
  json_t *shape = field(r, v, "shape", JSON_ARRAY, path);
  json_t *stride = shape ? field(r, v, "stride", JSON_ARRAY, path) : NULL;
  json_t *dtype = stride ? field(r, v, "dtype", JSON_STRING, path) : NULL;
  json_t *source = dtype ? field(r, v, "source", JSON_STRING, path) : NULL;
  json_t *arg_index = source ? json_object_get(v, "arg_index") : NULL;
  if (source && !arg_index)
    return fail(r, path, "missing field 'arg_index'", NULL);
  out->name = arg_index ? name_field(r, v, "name", path) : NULL;
  if (!out->name)
    return false;
  int which;
  subpath(p, path, "source");
  if (!CHOICE(r, source, p, "source", SOURCES, &which))
    return false;
  out->is_argument = which == SOURCE_ARGUMENT;
  subpath(p, path, "arg_index");
  if (out->is_argument ? !json_is_integer(arg_index) : !json_is_null(arg_index))
    return fail(r, p, "an argument has an arg_index; an allocated tensor has null", NULL);
  if (out->is_argument && !check_index(r, arg_index, p))
    return false;
  out->arg_index = out->is_argument ? index_value(arg_index) : -1;
  json_t *fill = json_object_get(v, "fill");
  subpath(p, path, "fill");
  double number;
  if (fill && out->is_argument)
    return fail(r, p, "only an allocated tensor has a fill value", NULL);
  if (fill && !json_is_boolean(fill) && !read_float(r, fill, p, &number))
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
  out->output_index = -1;
  return true;
}

/* The optional [begin, end) of each grid dimension: both or neither, one entry per block id. */
static bool read_grid_range(Reader *r, json_t *v, const char *path, HmGrid *out) {
  json_t *bounds[2];
  const char *const keys[2] = {"begin", "end"};
  HmDim **dims[2] = {&out->begin, &out->end};
  for (size_t k = 0; k < 2; ++k)
    if (!optional(r, v, keys[k], JSON_ARRAY, path, &bounds[k]))
      return false;
  if (!bounds[0] != !bounds[1])
    return fail(r, path, bounds[0] ? "missing field 'end'" : "missing field 'begin'", NULL);
  for (size_t k = 0; bounds[0] && k < 2; ++k) {
    char p[PATH_MAX_LEN];
    size_t n;
    subpath(p, path, keys[k]);
    if (!read_dims(r, bounds[k], p, &n, dims[k]))
      return false;
    if (n != out->nblock_ids)
      return fail(r, p, "a grid's begin and end have one entry per block id", NULL);
  }
  return true;
}

static bool read_grid(Reader *r, json_t *v, size_t index, const char *path, void *out_) {
  (void)index;
  HmGrid *out = out_;
  char p[PATH_MAX_LEN];
  json_t *root = field(r, v, "root_graph", JSON_INTEGER, path);
  if (!root || !read_int_array(r, v, "block_ids", path, &out->nblock_ids, &out->block_ids))
    return false;
  subpath(p, path, "root_graph");
  json_int_t g = json_integer_value(root);
  if (g < 0 || (size_t)g >= r->spec->ngraphs || r->spec->graphs[g].kind != HM_GRAPH_ROOT)
    return fail(r, p, "not the id of a root graph", NULL);
  out->root_graph = (int)g;
  for (size_t i = 0; i < out->nblock_ids; ++i)
    if ((size_t)out->block_ids[i] >= r->spec->nblock_sizes) {
      snprintf(p, sizeof p, "%s.block_ids[%zu]", path, i);
      return fail(r, p, "not a block id", NULL);
    }
  return read_grid_range(r, v, path, out);
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
    if (!check_text(r, name, p, true))
      return false;
    if (!hm_spec_find_host_tensor(r->spec, json_string_value(name), &index))
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
    if (!expect_type(r, g, JSON_OBJECT, p) || !read_graph(r, g, i, p, &r->spec->graphs[i]))
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

static bool read_kernel(Reader *r, json_t *root) {
  json_t *kernel = field(r, root, "kernel", JSON_OBJECT, "$");
  json_t *line = NULL, *shapes = NULL;
  r->spec->kernel_name = kernel ? name_field(r, kernel, "name", "$.kernel") : NULL;
  bool ok = r->spec->kernel_name && optional_text(r, kernel, "file", "$.kernel", false) &&
            optional(r, kernel, "line", JSON_INTEGER, "$.kernel", &line) &&
            optional(r, kernel, "static_shapes", JSON_TRUE, "$.kernel", &shapes);
  /* Optional in hand-written specs: Helion's default. */
  r->spec->static_shapes = !shapes || !json_is_false(shapes);
  return ok;
}

static bool read_spec(Reader *r, json_t *root) {
  HmSpec *s = r->spec;
  if (!expect_type(r, root, JSON_OBJECT, "$"))
    return false;
  json_t *version = field(r, root, "version", JSON_INTEGER, "$");
  if (!version)
    return false;
  r->version = json_integer_value(version);
  if (r->version < SPEC_VERSION_MIN || r->version > SPEC_VERSION) {
    char msg[96];
    snprintf(msg, sizeof msg, "unsupported version %lld (this reader takes versions %d and %d)",
             (long long)r->version, SPEC_VERSION_MIN, SPEC_VERSION);
    return fail(r, "$.version", msg, NULL);
  }
  /* `config` is informational: what the lowering needs from it is in `block_sizes`. */
  bool ok = read_kernel(r, root) && field(r, root, "config", JSON_OBJECT, "$") &&
            read_table(r, root, "symbols", sizeof(HmSymbol), read_symbol, &s->nsymbols,
                       (void **)&s->symbols) &&
            read_table(r, root, "block_sizes", sizeof(HmBlockSize), read_block_size,
                       &s->nblock_sizes, (void **)&s->block_sizes) &&
            read_table(r, root, "host_tensors", sizeof(HmHostTensor), read_host_tensor,
                       &s->nhost_tensors, (void **)&s->host_tensors) &&
            read_table(r, root, "scalars", sizeof(HmScalarArg), read_scalar, &s->nscalars,
                       (void **)&s->scalars) &&
            read_outputs(r, root) && read_graphs(r, root) &&
            read_table(r, root, "grid", sizeof(HmGrid), read_grid, &s->ngrids, (void **)&s->grids);
  if (ok && !has_tensor_argument(s))
    return fail(r, "$.host_tensors", "the kernel has no tensor arguments", NULL);
  return ok && hm_spec_check_references(root, s->source, r->diag);
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
  Reader r = {.spec = spec, .diag = diag};
  bool ok = read_spec(&r, root) && hm_spec_check_limits(spec, diag);
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
bool hm_spec_static_shapes(const HmSpec *spec) { return spec->static_shapes; }
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
