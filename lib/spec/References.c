/* The cross-reference checks, on the JSON of a spec whose structure the reader has checked: the same
 * rules, in the same order, as python/helion2json/references.py. The reader itself resolves node
 * references, outputs, grid roots and dense ids while it builds the model; these are the rest. */
#include "spec/References.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/Names.h"

enum { PATH_LEN = 512 };

typedef struct Checker {
  const char *source;
  HmDiag *diag;
  json_t *symbols;
  size_t nblocks;
  json_t *graphs;
} Checker;

static bool fail(Checker *c, const char *path, const char *message) {
  return hm_diag_error(c->diag, "%s: %s: %s", c->source, path, message);
}

static const char *name_of(json_t *entry) { return json_string_value(json_object_get(entry, "name")); }

static bool listed(json_t *table, size_t n, const char *name) {
  for (size_t i = 0; i < n; ++i)
    if (strcmp(name_of(json_array_get(table, i)), name) == 0)
      return true;
  return false;
}

/* No two entries of `table` share a name. */
static bool unique_names(Checker *c, json_t *table, const char *key, const char *what) {
  for (size_t i = 0; i < json_array_size(table); ++i)
    if (listed(table, i, name_of(json_array_get(table, i)))) {
      char path[PATH_LEN];
      snprintf(path, sizeof path, "$.%s[%zu].name", key, i);
      char message[PATH_LEN];
      snprintf(message, sizeof message, "%s '%s' listed twice", what, hm_spec_shown(name_of(json_array_get(table, i))));
      return fail(c, path, message);
    }
  return true;
}

/* Every free symbol of a string expression is in $.symbols; integers and null have none. */
static bool expr(Checker *c, json_t *v, const char *path) {
  if (!json_is_string(v))
    return true;
  const char *text = json_string_value(v);
  size_t pos = 0, start, len;
  while (hm_spec_next_symbol(text, &pos, &start, &len)) {
    char name[PATH_LEN];
    snprintf(name, sizeof name, "%.*s", (int)len, text + start);
    if (!listed(c->symbols, json_array_size(c->symbols), name)) {
      char message[PATH_LEN + 32];
      snprintf(message, sizeof message, "symbol '%s' is not in $.symbols", name);
      return fail(c, path, message);
    }
  }
  return true;
}

static bool dims(Checker *c, json_t *arr, const char *path) {
  for (size_t i = 0; i < json_array_size(arr); ++i) {
    char p[PATH_LEN];
    snprintf(p, sizeof p, "%s[%zu]", path, i);
    if (!expr(c, json_array_get(arr, i), p))
      return false;
  }
  return true;
}

static bool val(Checker *c, json_t *v, const char *path) {
  const char *type = json_string_value(json_object_get(v, "type"));
  char p[PATH_LEN];
  if (strcmp(type, "tensor") == 0) {
    snprintf(p, sizeof p, "%s.shape", path);
    return dims(c, json_object_get(v, "shape"), p);
  }
  if (strcmp(type, "sym") == 0) {
    snprintf(p, sizeof p, "%s.expr", path);
    return expr(c, json_object_get(v, "expr"), p);
  }
  json_t *items = json_object_get(v, "items");
  for (size_t i = 0; strcmp(type, "list") == 0 && i < json_array_size(items); ++i) {
    snprintf(p, sizeof p, "%s.items[%zu]", path, i);
    if (!val(c, json_array_get(items, i), p))
      return false;
  }
  return true;
}

/* The expressions inside an argument ({"sym": ...}, in lists, slices and dicts). */
static bool arg(Checker *c, json_t *v, const char *path) {
  char p[PATH_LEN];
  if (json_is_array(v)) {
    for (size_t i = 0; i < json_array_size(v); ++i) {
      snprintf(p, sizeof p, "%s[%zu]", path, i);
      if (!arg(c, json_array_get(v, i), p))
        return false;
    }
    return true;
  }
  if (!json_is_object(v))
    return true;
  const char *tag = json_object_iter_key(json_object_iter(v));
  json_t *value = json_object_iter_value(json_object_iter(v));
  snprintf(p, sizeof p, "%s.%s", path, tag);
  if (strcmp(tag, "sym") == 0)
    return expr(c, value, p);
  if (strcmp(tag, "slice") == 0)
    return arg(c, value, p);
  if (strcmp(tag, "dict") != 0)
    return true;
  const char *key;
  json_t *item;
  json_object_foreach(value, key, item) {
    char q[PATH_LEN];
    snprintf(q, sizeof q, "%s.%s", p, key);
    if (!arg(c, item, q))
      return false;
  }
  return true;
}

static const char *graph_kind(Checker *c, json_int_t id) {
  json_t *g = id >= 0 ? json_array_get(c->graphs, (size_t)id) : NULL;
  return g ? json_string_value(json_object_get(g, "kind")) : NULL;
}

/* `v` is an id in [0, limit) (a block), or of a graph whose kind is one of `kinds`. */
static bool id_in(Checker *c, json_t *v, const char *path, const char *const *kinds, const char *what) {
  json_int_t id = json_integer_value(v);
  bool ok;
  if (kinds) {
    const char *kind = graph_kind(c, id);
    ok = false;
    for (size_t i = 0; kind && kinds[i]; ++i)
      ok = ok || strcmp(kind, kinds[i]) == 0;
  } else {
    ok = id >= 0 && (size_t)id < c->nblocks;
  }
  char message[128];
  snprintf(message, sizeof message, "%lld is not %s", (long long)id, what);
  return ok || fail(c, path, message);
}

static bool block_ids(Checker *c, json_t *arr, const char *path) {
  for (size_t i = 0; i < json_array_size(arr); ++i) {
    char p[PATH_LEN];
    snprintf(p, sizeof p, "%s[%zu]", path, i);
    if (!id_in(c, json_array_get(arr, i), p, NULL, "a block id"))
      return false;
  }
  return true;
}

static const char *const LOOP_KINDS[] = {"for_loop", "reduction_loop", NULL};
static const char *const IF_KINDS[] = {"if", NULL};
static const char *const ELSE_KINDS[] = {"else", NULL};
static const char *const CONDITION_KINDS[] = {"while_condition", NULL};
static const char *const WHILE_KINDS[] = {"while_loop", NULL};
static const char *const HELPER_KINDS[] = {"helper", NULL};

/* The arguments that name graphs, of each op that calls graphs (`_while_loop`'s orelse graph is left
 * out: Helion 1.5.1 refuses `while ... else`). */
static const struct GraphArg {
  const char *target;
  size_t position;
  const char *keyword;
  const char *const *kinds;
  const char *what;
} GRAPH_ARGS[] = {
    {"helion.language._tracing_ops._for_loop", 0, "graph_id", LOOP_KINDS, "the id of a for_loop or reduction_loop graph"},
    {"helion.language._tracing_ops._for_loop_step", 0, "graph_id", LOOP_KINDS, "the id of a for_loop or reduction_loop graph"},
    {"helion.language._tracing_ops._if", 1, "if_graph_id", IF_KINDS, "the id of an if graph"},
    {"helion.language._tracing_ops._if", 2, "else_graph_id", ELSE_KINDS, "the id of an else graph"},
    {"helion.language._tracing_ops._while_loop", 0, "cond_graph_id", CONDITION_KINDS, "the id of a while_condition graph"},
    {"helion.language._tracing_ops._while_loop", 1, "body_graph_id", WHILE_KINDS, "the id of a while_loop graph"},
    {"helion.language.reduce_ops._reduce", 0, "combine_graph_id", HELPER_KINDS, "the id of a helper graph"},
    {"helion.language.scan_ops._associative_scan", 0, "combine_graph_id", HELPER_KINDS, "the id of a helper graph"},
};

/* A call from one graph to another, and where the id is written. */
typedef struct Call {
  size_t caller, callee;
  char where[PATH_LEN];
} Call;

typedef struct Calls {
  Call *items;
  size_t count, capacity;
} Calls;

static bool add_call(Checker *c, Calls *calls, size_t caller, size_t callee, const char *where) {
  if (calls->count == calls->capacity) {
    size_t capacity = calls->capacity ? 2 * calls->capacity : 16;
    Call *grown = capacity > calls->capacity ? realloc(calls->items, capacity * sizeof *grown) : NULL;
    if (!grown)
      return hm_diag_error(c->diag, "%s: out of memory", c->source);
    calls->items = grown;
    calls->capacity = capacity;
  }
  Call *call = &calls->items[calls->count++];
  call->caller = caller;
  call->callee = callee;
  snprintf(call->where, sizeof call->where, "%s", where);
  return true;
}

/* The graphs node `n` of graph `g` calls, each checked against the kinds its op calls. */
static bool graph_calls(Checker *c, json_t *node, size_t g, const char *path, Calls *calls) {
  const char *target = json_string_value(json_object_get(node, "target"));
  if (strcmp(json_string_value(json_object_get(node, "op")), "call_function") != 0)
    return true;
  json_t *args = json_object_get(node, "args");
  for (size_t i = 0; i < sizeof GRAPH_ARGS / sizeof *GRAPH_ARGS; ++i) {
    const struct GraphArg *ga = &GRAPH_ARGS[i];
    if (strcmp(ga->target, target) != 0)
      continue;
    char where[PATH_LEN];
    json_t *v;
    if (ga->position < json_array_size(args)) {
      v = json_array_get(args, ga->position);
      snprintf(where, sizeof where, "%s.args[%zu]", path, ga->position);
    } else {
      v = json_object_get(json_object_get(node, "kwargs"), ga->keyword);
      snprintf(where, sizeof where, "%s.kwargs.%s", path, ga->keyword);
    }
    if (!json_is_integer(v))
      continue;
    if (!id_in(c, v, where, ga->kinds, ga->what) || !add_call(c, calls, g, (size_t)json_integer_value(v), where))
      return false;
  }
  return true;
}

/* Whether `goal` is `start` or a graph that `start` runs. */
static bool reaches(const Calls *calls, size_t ngraphs, size_t start, size_t goal, bool *seen, size_t *stack) {
  memset(seen, 0, ngraphs * sizeof *seen);
  size_t depth = 0;
  stack[depth++] = start;
  while (depth) {
    size_t g = stack[--depth];
    if (g == goal)
      return true;
    if (seen[g])
      continue;
    seen[g] = true;
    for (size_t i = 0; i < calls->count; ++i)
      if (calls->items[i].caller == g && !seen[calls->items[i].callee])
        stack[depth++] = calls->items[i].callee;
  }
  return false;
}

/* No graph runs the graph that calls it, directly or through others. The stack holds at most one
 * entry per call (each pushed callee is unseen, and each graph's calls are expanded once) plus one. */
static bool no_cycles(Checker *c, const Calls *calls, size_t ngraphs) {
  bool *seen = calloc(ngraphs + 1, sizeof *seen);
  size_t *stack = calloc(calls->count + 1, sizeof *stack);
  bool ok = seen && stack;
  if (!ok)
    hm_diag_error(c->diag, "%s: out of memory", c->source);
  for (size_t i = 0; ok && i < calls->count; ++i) {
    const Call *call = &calls->items[i];
    if (!reaches(calls, ngraphs, call->callee, call->caller, seen, stack))
      continue;
    char message[96];
    if (call->callee == call->caller)
      snprintf(message, sizeof message, "graph %zu calls itself", call->caller);
    else
      snprintf(message, sizeof message, "graph %zu calls back into graph %zu, which calls it", call->callee,
               call->caller);
    ok = fail(c, call->where, message);
  }
  free(seen);
  free(stack);
  return ok;
}

/* A jagged block's parents are other blocks, and each loop over it runs over it alone and takes the
 * parent tensor as its first argument. */
static bool jagged(Checker *c, json_t *bs, size_t block) {
  json_t *parents = json_object_get(bs, "jagged_parents");
  char p[PATH_LEN];
  for (size_t j = 0; j < json_array_size(parents); ++j) {
    json_int_t id = json_integer_value(json_array_get(parents, j));
    snprintf(p, sizeof p, "$.block_sizes[%zu].jagged_parents[%zu]", block, j);
    char message[96];
    snprintf(message, sizeof message, "%lld is not the id of another block", (long long)id);
    if (id < 0 || (size_t)id >= c->nblocks || (size_t)id == block)
      return fail(c, p, message);
  }
  json_t *loops = json_object_get(bs, "loops");
  for (size_t j = 0; parents && j < json_array_size(loops); ++j) {
    json_int_t g = json_integer_value(json_array_get(loops, j));
    json_t *graph = json_array_get(c->graphs, (size_t)g);
    json_t *ids = json_object_get(graph, "block_ids");
    json_t *first = json_array_get(ids, 0);
    bool alone = json_array_size(ids) == 1 && json_integer_value(first) == (json_int_t)block;
    if (alone && json_array_size(json_object_get(graph, "node_args")) > 0)
      continue;
    snprintf(p, sizeof p, "$.block_sizes[%zu].loops[%zu]", block, j);
    char message[128];
    snprintf(message, sizeof message, "graph %lld is not a loop over jagged block %zu alone that takes its parent tensor",
             (long long)g, block);
    return fail(c, p, message);
  }
  return true;
}

static bool check_tables(Checker *c, json_t *root) {
  if (!unique_names(c, c->symbols, "symbols", "symbol"))
    return false;
  for (size_t i = 0; i < json_array_size(c->symbols); ++i) {
    json_t *block = json_object_get(json_array_get(c->symbols, i), "block_id");
    char p[PATH_LEN];
    snprintf(p, sizeof p, "$.symbols[%zu].block_id", i);
    if (block && !id_in(c, block, p, NULL, "a block id"))
      return false;
  }
  json_t *blocks = json_object_get(root, "block_sizes");
  for (size_t i = 0; i < json_array_size(blocks); ++i) {
    json_t *bs = json_array_get(blocks, i);
    char p[PATH_LEN];
    snprintf(p, sizeof p, "$.block_sizes[%zu].symbol", i);
    if (!expr(c, json_object_get(bs, "symbol"), p))
      return false;
    snprintf(p, sizeof p, "$.block_sizes[%zu].size", i);
    if (!expr(c, json_object_get(bs, "size"), p))
      return false;
    json_t *loops = json_object_get(bs, "loops");
    for (size_t j = 0; j < json_array_size(loops); ++j) {
      snprintf(p, sizeof p, "$.block_sizes[%zu].loops[%zu]", i, j);
      if (!id_in(c, json_array_get(loops, j), p, LOOP_KINDS, "the id of a loop graph"))
        return false;
    }
    if (!jagged(c, bs, i))
      return false;
  }
  json_t *grids = json_object_get(root, "grid");
  for (size_t i = 0; i < json_array_size(grids); ++i)
    for (size_t k = 0; k < 2; ++k) {
      const char *key = k == 0 ? "begin" : "end";
      char p[PATH_LEN];
      snprintf(p, sizeof p, "$.grid[%zu].%s", i, key);
      if (!dims(c, json_object_get(json_array_get(grids, i), key), p))
        return false;
    }
  json_t *tensors = json_object_get(root, "host_tensors");
  if (!unique_names(c, tensors, "host_tensors", "host tensor"))
    return false;
  for (size_t i = 0; i < json_array_size(tensors); ++i) {
    char p[PATH_LEN];
    snprintf(p, sizeof p, "$.host_tensors[%zu].shape", i);
    if (!dims(c, json_object_get(json_array_get(tensors, i), "shape"), p))
      return false;
    snprintf(p, sizeof p, "$.host_tensors[%zu].stride", i);
    if (!dims(c, json_object_get(json_array_get(tensors, i), "stride"), p))
      return false;
  }
  return true;
}

/* No two arguments (tensor arguments, then scalars) share an arg_index. */
static bool argument_positions(Checker *c, json_t *root) {
  const char *const tables[] = {"host_tensors", "scalars"};
  for (size_t t = 0; t < 2; ++t) {
    json_t *table = json_object_get(root, tables[t]);
    for (size_t i = 0; i < json_array_size(table); ++i) {
      json_t *index = json_object_get(json_array_get(table, i), "arg_index");
      if (!json_is_integer(index))
        continue;
      for (size_t u = 0; u <= t; ++u) {
        json_t *earlier = json_object_get(root, tables[u]);
        size_t n = u < t ? json_array_size(earlier) : i;
        for (size_t j = 0; j < n; ++j) {
          json_t *other = json_object_get(json_array_get(earlier, j), "arg_index");
          if (json_is_integer(other) && json_integer_value(other) == json_integer_value(index)) {
            char p[PATH_LEN];
            snprintf(p, sizeof p, "$.%s[%zu].arg_index", tables[t], i);
            char message[64];
            snprintf(message, sizeof message, "argument position %lld listed twice",
                     (long long)json_integer_value(index));
            return fail(c, p, message);
          }
        }
      }
    }
  }
  json_t *scalars = json_object_get(root, "scalars");
  for (size_t i = 0; i < json_array_size(scalars); ++i) {
    char p[PATH_LEN];
    snprintf(p, sizeof p, "$.scalars[%zu].symbol", i);
    if (!expr(c, json_object_get(json_array_get(scalars, i), "symbol"), p))
      return false;
  }
  return true;
}

static bool check_graph(Checker *c, json_t *graph, size_t g, Calls *calls) {
  char path[PATH_LEN], p[PATH_LEN];
  snprintf(path, sizeof path, "$.graphs[%zu]", g);
  snprintf(p, sizeof p, "%s.block_ids", path);
  if (!block_ids(c, json_object_get(graph, "block_ids"), p))
    return false;
  json_t *cond = json_object_get(graph, "cond_graph_id");
  snprintf(p, sizeof p, "%s.cond_graph_id", path);
  if (cond && !id_in(c, cond, p, CONDITION_KINDS, "the id of a while_condition graph"))
    return false;
  json_t *nodes = json_object_get(graph, "nodes");
  for (size_t n = 0; n < json_array_size(nodes); ++n) {
    json_t *node = json_array_get(nodes, n);
    char npath[PATH_LEN];
    snprintf(npath, sizeof npath, "%s.nodes[%zu]", path, n);
    snprintf(p, sizeof p, "%s.args", npath);
    if (!arg(c, json_object_get(node, "args"), p))
      return false;
    const char *key;
    json_t *value;
    json_object_foreach(json_object_get(node, "kwargs"), key, value) {
      snprintf(p, sizeof p, "%s.kwargs.%s", npath, key);
      if (!arg(c, value, p))
        return false;
    }
    json_t *v = json_object_get(node, "val");
    snprintf(p, sizeof p, "%s.val", npath);
    if (v && !val(c, v, p))
      return false;
  }
  for (size_t n = 0; n < json_array_size(nodes); ++n) {
    char npath[PATH_LEN];
    snprintf(npath, sizeof npath, "%s.nodes[%zu]", path, n);
    if (!graph_calls(c, json_array_get(nodes, n), g, npath, calls))
      return false;
  }
  return true;
}

bool hm_spec_check_references(json_t *root, const char *source, HmDiag *diag) {
  Checker c = {source, diag, json_object_get(root, "symbols"), json_array_size(json_object_get(root, "block_sizes")),
               json_object_get(root, "graphs")};
  if (!check_tables(&c, root) || !argument_positions(&c, root))
    return false;
  Calls calls = {0};
  bool ok = true;
  for (size_t g = 0; ok && g < json_array_size(c.graphs); ++g)
    ok = check_graph(&c, json_array_get(c.graphs, g), g, &calls);
  ok = ok && no_cycles(&c, &calls, json_array_size(c.graphs));
  free(calls.items);
  return ok;
}
