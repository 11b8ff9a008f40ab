#include <string.h>

#include "UnitTest.h"
#include "helion-mlir/support/Context.h"

static MlirStringRef str(const char *s) { return mlirStringRefCreateFromCString(s); }

static bool registered(MlirContext ctx, const char *op) {
  return mlirContextIsRegisteredOperation(ctx, str(op));
}

static MlirLocation file_loc(MlirContext ctx, const char *file, unsigned line, unsigned col) {
  return mlirLocationFileLineColGet(ctx, str(file), line, col);
}

static const char kPhiModule[] =
    "func.func @f(%a: f32, %b: f32) -> (f32, index) {\n"
    "  %0 = \"helion.phi\"(%a, %b) : (f32, f32) -> f32\n"
    "  %1 = \"loom.get_symbol\"() {name = \"block_size_0\"} : () -> index\n"
    "  return %0, %1 : f32, index\n"
    "}\n";

static void create_registers_everything(void) {
  HmDiag diag = {0};
  MlirContext ctx = hm_context_create(&diag);
  if (UT_CHECK(!mlirContextIsNull(ctx))) {
    UT_CHECK(registered(ctx, "helion.phi"));
    UT_CHECK(registered(ctx, "loom.get_symbol"));
    UT_CHECK(registered(ctx, "scf.for"));
    UT_CHECK(registered(ctx, "llvm.func"));
    UT_CHECK(!mlirContextGetAllowUnregisteredDialects(ctx));
    mlirContextDestroy(ctx);
  }
  UT_CHECK(!hm_diag_failed(&diag));
}

static void create_twice_in_one_process(void) {
  HmDiag diag = {0};
  MlirContext a = hm_context_create(&diag);
  MlirContext b = hm_context_create(&diag);
  UT_CHECK(!mlirContextIsNull(a) && !mlirContextIsNull(b));
  UT_CHECK(!hm_diag_failed(&diag));
  mlirContextDestroy(b);
  mlirContextDestroy(a);
}

static void load_dialects_into_bare_context(void) {
  HmDiag diag = {0};
  MlirContext ctx = mlirContextCreate();
  UT_CHECK(!registered(ctx, "helion.phi"));
  UT_CHECK(hm_context_load_dialects(ctx, &diag));
  UT_CHECK(registered(ctx, "helion.phi"));
  UT_CHECK(registered(ctx, "loom.get_symbol"));
  UT_CHECK(hm_context_load_dialects(ctx, &diag));
  UT_CHECK(!hm_diag_failed(&diag));
  mlirContextDestroy(ctx);
}

static void our_ops_parse_and_print_generic(void) {
  HmDiag diag = {0};
  MlirContext ctx = hm_context_create(&diag);
  MlirModule module = mlirModuleCreateParse(ctx, str(kPhiModule));
  if (UT_CHECK(!mlirModuleIsNull(module))) {
    MlirOperation op = mlirModuleGetOperation(module);
    UT_CHECK(mlirOperationVerify(op));
    HmBuffer text = {0};
    mlirOperationPrint(op, hm_buffer_append, &text);
    UT_CHECK(text.data && strstr(text.data, "\"helion.phi\"(%arg0, %arg1) : (f32, f32) -> f32"));
    UT_CHECK(text.data && strstr(text.data, "\"loom.get_symbol\"() {name = \"block_size_0\"}"));
    hm_buffer_free(&text);
    mlirModuleDestroy(module);
  }
  mlirContextDestroy(ctx);
}

/* The parser verifies, so a bad phi fails to parse; the capture keeps MLIR's error off stderr. */
static void capture_records_verifier_error_with_position(void) {
  HmDiag diag = {0};
  MlirContext ctx = hm_context_create(&diag);
  HmDiagCapture capture = hm_diag_capture_begin(ctx, &diag);
  MlirOperation op = mlirOperationCreateParse(
      ctx, str("func.func @f(%a: f32, %b: f64) {\n  %0 = \"helion.phi\"(%a, %b) : (f32, f64) -> f32\n"
               "  return\n}\n"),
      str("bad.mlir"));
  hm_diag_capture_end(capture);
  UT_CHECK(mlirOperationIsNull(op));
  UT_CHECK_STR(diag.message, "bad.mlir:2:8: expected 'f32' but got 'f64'");
  hm_diag_clear(&diag);
  mlirContextDestroy(ctx);
}

static void capture_keeps_first_error(void) {
  HmDiag diag = {0};
  MlirContext ctx = mlirContextCreate();
  HmDiagCapture capture = hm_diag_capture_begin(ctx, &diag);
  mlirEmitError(file_loc(ctx, "k.py", 3, 4), "first");
  mlirEmitError(file_loc(ctx, "k.py", 5, 6), "second");
  hm_diag_capture_end(capture);
  UT_CHECK_STR(diag.message, "k.py:3:4: first");
  hm_diag_clear(&diag);
  mlirContextDestroy(ctx);
}

static void capture_without_position(void) {
  HmDiag diag = {0};
  MlirContext ctx = mlirContextCreate();
  HmDiagCapture capture = hm_diag_capture_begin(ctx, &diag);
  mlirEmitError(mlirLocationUnknownGet(ctx), "nowhere");
  hm_diag_capture_end(capture);
  UT_CHECK_STR(diag.message, "nowhere");
  hm_diag_clear(&diag);
  mlirContextDestroy(ctx);
}

static void captures_nest(void) {
  HmDiag outer = {0}, inner = {0};
  MlirContext ctx = mlirContextCreate();
  HmDiagCapture outer_capture = hm_diag_capture_begin(ctx, &outer);
  HmDiagCapture inner_capture = hm_diag_capture_begin(ctx, &inner);
  mlirEmitError(mlirLocationUnknownGet(ctx), "to inner");
  hm_diag_capture_end(inner_capture);
  mlirEmitError(mlirLocationUnknownGet(ctx), "to outer");
  hm_diag_capture_end(outer_capture);
  UT_CHECK_STR(inner.message, "to inner");
  UT_CHECK_STR(outer.message, "to outer");
  hm_diag_clear(&inner);
  hm_diag_clear(&outer);
  mlirContextDestroy(ctx);
}

static void file_pos_looks_through_wrappers(void) {
  MlirContext ctx = mlirContextCreate();
  MlirLocation file = file_loc(ctx, "k.py", 7, 2);
  MlirLocation unknown = mlirLocationUnknownGet(ctx);
  MlirLocation members[] = {unknown, file};
  MlirLocation wrapped[] = {
      file,
      mlirLocationNameGet(ctx, str("x"), file),
      mlirLocationCallSiteGet(file, unknown),
      mlirLocationFusedGet(ctx, 2, members, (MlirAttribute){NULL}),
  };
  for (size_t i = 0; i < sizeof wrapped / sizeof wrapped[0]; ++i) {
    HmFilePos pos = {0};
    if (UT_CHECK(hm_location_file_pos(wrapped[i], &pos))) {
      UT_CHECK(mlirStringRefEqual(pos.file, str("k.py")));
      UT_CHECK(pos.line == 7 && pos.col == 2);
    }
  }
  HmFilePos pos;
  UT_CHECK(!hm_location_file_pos(unknown, &pos));
  mlirContextDestroy(ctx);
}

static void buffer_grows(void) {
  HmBuffer buffer = {0};
  char piece[100];
  memset(piece, 'x', sizeof piece);
  for (int i = 0; i < 50; ++i)
    hm_buffer_append(mlirStringRefCreate(piece, sizeof piece), &buffer);
  UT_CHECK(!buffer.oom);
  UT_CHECK(buffer.len == 5000);
  UT_CHECK(buffer.data && strlen(buffer.data) == 5000);
  hm_buffer_free(&buffer);
  UT_CHECK(buffer.data == NULL && buffer.len == 0);
}

static void embedded_irdl_is_available(void) {
  UT_CHECK(strstr(hm_irdl_helion, "irdl.dialect @helion") != NULL);
  UT_CHECK(strstr(hm_irdl_loom, "irdl.dialect @loom") != NULL);
}

static const UtCase kCases[] = {
    {"create_registers_everything", create_registers_everything},
    {"create_twice_in_one_process", create_twice_in_one_process},
    {"load_dialects_into_bare_context", load_dialects_into_bare_context},
    {"our_ops_parse_and_print_generic", our_ops_parse_and_print_generic},
    {"capture_records_verifier_error_with_position", capture_records_verifier_error_with_position},
    {"capture_keeps_first_error", capture_keeps_first_error},
    {"capture_without_position", capture_without_position},
    {"captures_nest", captures_nest},
    {"file_pos_looks_through_wrappers", file_pos_looks_through_wrappers},
    {"buffer_grows", buffer_grows},
    {"embedded_irdl_is_available", embedded_irdl_is_available},
};
UT_SUITE(context_tests, kCases);
