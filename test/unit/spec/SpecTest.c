/* The spec reader on small hand-written specs: what it reads, and the JSON path it names on errors. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "support/Arena.h"
#include "spec/Names.h"
#include "spec/SpecModel.h"
#include "UnitTest.h"

/* One tiny kernel: out = x (a 1-D copy), tiled by block 0. */
static const char kSpec[] =
    "{\"version\": 1, \"kernel\": {\"name\": \"copy\"}, \"config\": {},"
    " \"symbols\": [{\"name\": \"u0\", \"kind\": \"block_size\", \"block_id\": 0, \"value\": 8},"
    "               {\"name\": \"s0\", \"kind\": \"size\", \"value\": 10},"
    "               {\"name\": \"zuf0\", \"kind\": \"scalar\", \"arg_index\": 1, \"value\": 0.5}],"
    " \"block_sizes\": [{\"block_id\": 0, \"symbol\": \"u0\", \"size\": 10, \"reduction\": false,"
    "                    \"tile_size\": 8, \"grid\": true, \"loops\": []}],"
    " \"host_tensors\": ["
    "   {\"name\": \"x\", \"source\": \"argument\", \"arg_index\": 0, \"shape\": [10], \"stride\": [1], \"dtype\": \"float16\"},"
    "   {\"name\": \"out\", \"source\": \"allocated\", \"arg_index\": null, \"shape\": [\"s0\"], \"stride\": [1], \"dtype\": \"float16\"}],"
    " \"scalars\": [], \"outputs\": [\"out\"],"
    " \"grid\": [{\"root_graph\": 0, \"block_ids\": [0]}],"
    " \"graphs\": [{\"id\": 0, \"kind\": \"root\", \"block_ids\": [], \"node_args\": [], \"nodes\": ["
    "   {\"name\": \"x\", \"op\": \"call_function\", \"target\": \"helion.language._tracing_ops._host_tensor\","
    "    \"args\": [\"x\"], \"kwargs\": {}, \"val\": {\"type\": \"tensor\", \"shape\": [10], \"dtype\": \"float16\"}},"
    "   {\"name\": \"t\", \"op\": \"call_function\", \"target\": \"helion.language._tracing_ops._mask_to\","
    "    \"args\": [{\"node\": \"x\"}, {\"float\": \"-inf\"}, [1, 2.5, null, {\"slice\": [null, 3, null]}]],"
    "    \"kwargs\": {\"k\": {\"dtype\": \"bfloat16\"}},"
    "    \"val\": {\"type\": \"tensor\", \"shape\": [\"u0\"], \"dtype\": \"float16\"},"
    "    \"loc\": {\"file\": \"k.py\", \"line\": 7}},"
    "   {\"name\": \"output\", \"op\": \"output\", \"target\": \"output\", \"args\": [null], \"kwargs\": {}}]}]}";

static HmSpec *parse_with(const char *from, const char *to, HmDiag *diag) {
  static char text[sizeof kSpec + 512];
  const char *at = strstr(kSpec, from);
  if (!at)
    return NULL;
  size_t head = (size_t)(at - kSpec);
  snprintf(text, sizeof text, "%.*s%s%s", (int)head, kSpec, to, at + strlen(from));
  return hm_spec_parse(text, strlen(text), "t.json", diag);
}

static void reads_tables(void) {
  HmDiag diag = {0};
  HmSpec *spec = hm_spec_parse(kSpec, sizeof kSpec - 1, "t.json", &diag);
  if (UT_CHECK(spec != NULL)) {
    UT_CHECK_STR(hm_spec_kernel_name(spec), "copy");
    UT_CHECK(hm_spec_num_host_tensors(spec) == 2);
    const HmHostTensor *out = hm_spec_host_tensor(spec, 1);
    UT_CHECK(!out->is_argument && out->output_index == 0 && out->dtype == HM_DTYPE_F16);
    UT_CHECK_STR(out->shape[0].sym, "s0");
    UT_CHECK(hm_spec_host_tensor(spec, 0)->arg_index == 0 && hm_spec_host_tensor(spec, 0)->output_index == -1);
    const HmBlockSize *bs = hm_spec_block_for_symbol(spec, "u0");
    UT_CHECK(bs && bs->tile_size == 8 && bs->size.value == 10 && bs->grid && !bs->looped);
    UT_CHECK(hm_spec_find_symbol(spec, "u0")->value == 8);
    UT_CHECK(hm_spec_grid(spec, 0)->root_graph == 0);
  }
  hm_spec_destroy(spec);
  hm_diag_clear(&diag);
}

static void reads_arguments(void) {
  HmDiag diag = {0};
  HmSpec *spec = hm_spec_parse(kSpec, sizeof kSpec - 1, "t.json", &diag);
  if (UT_CHECK(spec != NULL)) {
    const HmNode *mask = &hm_spec_graph(spec, 0)->nodes[1];
    UT_CHECK(mask->nargs == 3 && mask->args[0].kind == HM_ARG_NODE && mask->args[0].node == 0);
    UT_CHECK(mask->args[1].kind == HM_ARG_FLOAT && mask->args[1].f < -1e308);
    const HmArg *list = &mask->args[2];
    UT_CHECK(list->kind == HM_ARG_LIST && list->count == 4);
    UT_CHECK(list->items[0].kind == HM_ARG_INT && list->items[1].kind == HM_ARG_FLOAT &&
             list->items[2].kind == HM_ARG_NONE && list->items[3].kind == HM_ARG_SLICE);
    UT_CHECK(list->items[3].items[1].kind == HM_ARG_INT && list->items[3].items[1].i == 3);
    UT_CHECK(mask->nkwargs == 1 && mask->kwargs[0].kind == HM_ARG_DTYPE && mask->kwargs[0].dtype == HM_DTYPE_BF16);
    UT_CHECK_STR(mask->file, "k.py");
    UT_CHECK(mask->line == 7 && mask->val.rank == 1);
    UT_CHECK_STR(mask->val.shape[0].sym, "u0");
  }
  hm_spec_destroy(spec);
  hm_diag_clear(&diag);
}

static void expect_error(const char *from, const char *to, const char *message) {
  HmDiag diag = {0};
  HmSpec *spec = parse_with(from, to, &diag);
  UT_CHECK(spec == NULL);
  UT_CHECK_STR(diag.message, message);
  hm_spec_destroy(spec);
  hm_diag_clear(&diag);
}

static void names_json_paths(void) {
  expect_error("{\"node\": \"x\"}", "{\"node\": \"y\"}",
               "t.json: $.graphs[0].nodes[1].args[0].node: reference to undefined node y");
  expect_error("\"float16\"}}", "\"float8\"}}", "t.json: $.graphs[0].nodes[0].val.dtype: unknown dtype 'float8'");
  expect_error("\"kind\": \"root\"", "\"kind\": \"branch\"", "t.json: $.graphs[0].kind: unknown graph kind 'branch'");
  expect_error("\"tile_size\": 8", "\"tile_size\": 8, \"block_id\": 3",
               "t.json:1:399: invalid JSON: duplicate object key near '\"block_id\"'");
  expect_error("\"root_graph\": 0", "\"root_graph\": 5", "t.json: $.grid[0].root_graph: not the id of a root graph");
  expect_error("\"outputs\": [\"out\"]", "\"outputs\": [\"y\"]", "t.json: $.outputs[0]: not the name of a host tensor");
  expect_error("\"source\": \"argument\", \"arg_index\": 0", "\"source\": \"allocated\", \"arg_index\": null",
               "t.json: $.host_tensors: the kernel has no tensor arguments");
  expect_error("\"stride\": [1], \"dtype\": \"float16\"},", "\"stride\": [1, 1], \"dtype\": \"float16\"},",
               "t.json: $.host_tensors[0].stride: stride and shape differ in rank");
  expect_error("{\"version\": 1", "{\"version\": \"1\"", "t.json: $.version: expected integer, got string");
}

/* A grid_index symbol, and an outer tile's end, id or count, name the block whose tile they are a
 * position of; an `if` graph says where its branches keep the merged variables. */
static void reads_control_flow_fields(void) {
  HmDiag diag = {0};
  const char *positions = "\"symbols\": [{\"name\": \"u1\", \"kind\": \"grid_index\", \"block_id\": 0, \"value\": null}, "
                          "{\"name\": \"u2\", \"kind\": \"tile_end\", \"block_id\": 0, \"value\": null}, "
                          "{\"name\": \"u3\", \"kind\": \"tile_id\", \"block_id\": 0, \"value\": null}, "
                          "{\"name\": \"u4\", \"kind\": \"tile_count\", \"block_id\": 0, \"value\": null}, ";
  HmSpec *spec = parse_with("\"symbols\": [", positions, &diag);
  if (UT_CHECK(spec != NULL)) {
    static const struct { const char *name; HmTilePosition tile; } expected[] = {
        {"u0", HM_TILE_NONE}, {"u1", HM_TILE_BEGIN}, {"u2", HM_TILE_END}, {"u3", HM_TILE_ID}, {"u4", HM_TILE_COUNT}};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
      const HmSymbol *sym = hm_spec_find_symbol(spec, expected[i].name);
      UT_CHECK(sym && sym->tile == expected[i].tile && sym->block_id == 0);
    }
  }
  hm_spec_destroy(spec);
  hm_diag_clear(&diag);
  expect_error("\"symbols\": [", "\"symbols\": [{\"name\": \"u1\", \"kind\": \"tile_id\", \"value\": null}, ",
               "t.json: $.symbols[0]: missing field 'block_id'");
  expect_error("\"kind\": \"root\"", "\"kind\": \"if\"", "t.json: $.graphs[0]: missing field 'branch_outputs'");
  expect_error("\"kind\": \"root\"", "\"kind\": \"if\", \"branch_outputs\": [[0, null]]",
               "t.json: $.graphs[0].branch_outputs[0][1]: expected an output index or a node name, got null");
}

/* Scalar arguments, in order, with their types and symbols. */
static void reads_scalars(void) {
  HmDiag diag = {0};
  const char *scalars = "\"scalars\": [{\"name\": \"alpha\", \"arg_index\": 1, \"type\": \"float\", \"value\": 0.5, "
                        "\"symbol\": \"zuf0\"}, {\"name\": \"n\", \"arg_index\": 2, \"type\": \"int\", \"value\": 3, "
                        "\"symbol\": null}], \"outputs\"";
  HmSpec *spec = parse_with("\"scalars\": [], \"outputs\"", scalars, &diag);
  if (UT_CHECK(spec != NULL) && UT_CHECK(hm_spec_num_scalars(spec) == 2)) {
    const HmScalarArg *alpha = hm_spec_scalar(spec, 0), *n = hm_spec_scalar(spec, 1);
    UT_CHECK(alpha->dtype == HM_DTYPE_F64 && alpha->arg_index == 1 && n->dtype == HM_DTYPE_I64 && !n->symbol);
    size_t index = 9;
    UT_CHECK(hm_spec_scalar_for_symbol(spec, "zuf0", &index) == alpha && index == 0);
    UT_CHECK(!hm_spec_scalar_for_symbol(spec, "u0", NULL));
  }
  hm_spec_destroy(spec);
  hm_diag_clear(&diag);
  spec = hm_spec_parse(kSpec, sizeof kSpec - 1, "t.json", &diag);
  if (UT_CHECK(spec != NULL))
    UT_CHECK(hm_spec_num_scalars(spec) == 0);
  hm_spec_destroy(spec);
  hm_diag_clear(&diag);
  expect_error("\"scalars\": []", "\"scalars\": [{\"name\": \"s\", \"arg_index\": 1, \"type\": \"str\", \"value\": 1, "
               "\"symbol\": null}]", "t.json: $.scalars[0].type: unknown scalar type 'str'");
  expect_error("\"scalars\": []", "\"scalars\": [{\"name\": \"s\", \"arg_index\": 1, \"type\": \"int\", \"value\": true, "
               "\"symbol\": null}]", "t.json: $.scalars[0].value: expected integer, got bool");
  expect_error("\"scalars\": []", "\"scalars\": [{\"name\": \"s\", \"arg_index\": 0, \"type\": \"int\", \"value\": 1, "
               "\"symbol\": null}]", "t.json: $.scalars[0].arg_index: argument position 0 listed twice");
}

/* The structure the reader checks beyond what it keeps, and the cross-reference checks
 * (References.c): each violation named by its JSON path, in one line. */
static void checks_the_schema_rules(void) {
  expect_error("\"block_ids\": [], \"node_args\"", "\"block_ids\": [4294967296], \"node_args\"",
               "t.json: $.graphs[0].block_ids[0]: 4294967296 is not a block id");
  expect_error("\"block_id\": 0, \"value\": 8", "\"block_id\": 7, \"value\": 8",
               "t.json: $.symbols[0].block_id: 7 is not a block id");
  expect_error("\"shape\": [\"s0\"]", "\"shape\": [\"Max(1, 2*s9)\"]",
               "t.json: $.host_tensors[1].shape[0]: symbol 's9' is not in $.symbols");
  expect_error("{\"name\": \"s0\"", "{\"name\": \"u0\"", "t.json: $.symbols[1].name: symbol 'u0' listed twice");
  expect_error("\"value\": 10}", "\"value\": \"10\"}", "t.json: $.symbols[1].value: expected number, got string");
  expect_error("\"arg_index\": null", "\"arg_index\": 99",
               "t.json: $.host_tensors[1].arg_index: an argument has an arg_index; an allocated tensor has null");
  expect_error("\"grid\": true, \"loops\": []", "\"grid\": true, \"loops\": [0]",
               "t.json: $.block_sizes[0].loops[0]: 0 is not the id of a loop graph");
  expect_error("\"name\": \"t\"", "\"name\": \"t\\nhelion-mlir: error: forged\"",
               "t.json: $.graphs[0].nodes[1].name: control character in a name");
  expect_error("\"kwargs\": {\"k\"", "\"kwargs\": {\"k\\t\"", "t.json: $.graphs[0].nodes[1].kwargs: control character in a name");
  expect_error("_tracing_ops._mask_to", "_tracing_ops._mask_too",
               "t.json: $.graphs[0].nodes[1].target: op not known to the schema: helion.language._tracing_ops._mask_too");
  expect_error("\"node_args\": [], \"nodes\": [", "\"node_args\": [], \"unused\": [",
               "t.json: $.graphs[0]: missing field 'nodes'");
  expect_error("\"config\": {},", "", "t.json: $: missing field 'config'");
}

/* A loop graph that runs itself would lower without end: the reader refuses every call cycle. */
static void refuses_graphs_that_call_themselves(void) {
  const char *loop =
      "\"args\": [null], \"kwargs\": {}}]},"
      " {\"id\": 1, \"kind\": \"for_loop\", \"block_ids\": [0], \"node_args\": [], \"nodes\": ["
      "   {\"name\": \"l\", \"op\": \"call_function\", \"target\": \"helion.language._tracing_ops._for_loop\","
      "    \"args\": [1, [0], [10], []], \"kwargs\": {}, \"val\": {\"type\": \"list\", \"items\": []}},"
      "   {\"name\": \"output\", \"op\": \"output\", \"target\": \"output\", \"args\": [[]], \"kwargs\": {}}]}]}";
  expect_error("\"args\": [null], \"kwargs\": {}}]}]}", loop, "t.json: $.graphs[1].nodes[0].args[0]: graph 1 calls itself");
}

static void knows_names_targets_and_symbols(void) {
  UT_CHECK(hm_spec_known_target("aten.add.Tensor") && hm_spec_known_target("prims.convert_element_type.default"));
  UT_CHECK(hm_spec_known_target("operator.getitem") && hm_spec_known_target("helion.language.memory_ops.load"));
  UT_CHECK(!hm_spec_known_target("aten_v2.add") && !hm_spec_known_target("aten.add") &&
           !hm_spec_known_target("aten..default") && !hm_spec_known_target("aten.add.Tensor."));
  UT_CHECK(!hm_spec_known_target("operator.a.b") && !hm_spec_known_target("helion.language.memory_ops.loads"));
  UT_CHECK(hm_spec_has_control("a\nb") && hm_spec_has_control("\x7f") && !hm_spec_has_control("Max(1, u0)"));
  const char *expr = "Max(1, u0) + 2*s77 - FloorDiv (u1, 3) + 1e5*_z";
  const char *expected[] = {"u0", "s77", "u1", "_z"};
  size_t pos = 0, start, len, found = 0;
  while (hm_spec_next_symbol(expr, &pos, &start, &len) && found < 4) {
    UT_CHECK(len == strlen(expected[found]) && strncmp(expr + start, expected[found], len) == 0);
    ++found;
  }
  UT_CHECK(found == 4 && !hm_spec_next_symbol(expr, &pos, &start, &len));
}

static void dtypes_round_trip(void) {
  for (int d = HM_DTYPE_F64; d <= HM_DTYPE_F8E5M2; ++d)
    UT_CHECK(hm_dtype_from_name(hm_dtype_name((HmDtype)d)) == (HmDtype)d);
  UT_CHECK(hm_dtype_from_name("complex64") == HM_DTYPE_INVALID);
  UT_CHECK(hm_dtype_size(HM_DTYPE_BF16) == 2 && hm_dtype_is_float(HM_DTYPE_BF16) && !hm_dtype_is_float(HM_DTYPE_I32));
  UT_CHECK(hm_dtype_from_name("float8_e4m3fn") == HM_DTYPE_F8E4M3FN && hm_dtype_size(HM_DTYPE_F8E4M3FN) == 1 &&
           hm_dtype_is_float(HM_DTYPE_F8E4M3FN) && hm_dtype_size(HM_DTYPE_F8E5M2) == 1 && hm_dtype_is_float(HM_DTYPE_F8E5M2));
}

static void arena_allocations_are_zeroed_and_aligned(void) {
  HmArena arena = {0};
  for (int i = 0; i < 1000; ++i) {
    double *p = hm_arena_new(&arena, double, (size_t)i % 37 + 1);
    UT_CHECK(p && ((uintptr_t)p % _Alignof(double)) == 0 && p[0] == 0.0);
  }
  char *big = hm_arena_alloc(&arena, 1 << 20);
  UT_CHECK(big && big[(1 << 20) - 1] == 0);
  UT_CHECK_STR(hm_arena_strdup(&arena, "tile"), "tile");
  hm_arena_destroy(&arena);
  UT_CHECK(arena.head == NULL);
}

static const UtCase kCases[] = {
    {"reads_tables", reads_tables},
    {"reads_arguments", reads_arguments},
    {"names_json_paths", names_json_paths},
    {"reads_control_flow_fields", reads_control_flow_fields},
    {"reads_scalars", reads_scalars},
    {"checks_the_schema_rules", checks_the_schema_rules},
    {"refuses_graphs_that_call_themselves", refuses_graphs_that_call_themselves},
    {"knows_names_targets_and_symbols", knows_names_targets_and_symbols},
    {"dtypes_round_trip", dtypes_round_trip},
    {"arena_allocations_are_zeroed_and_aligned", arena_allocations_are_zeroed_and_aligned},
};
UT_SUITE(spec_tests, kCases);
