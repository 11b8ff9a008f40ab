/* helion-mlir: lower one kernel's interchange JSON to a verified MLIR module and print it.
 *
 *   helion-mlir KERNEL.json [-o OUT.mlir] [--tiles=concrete|symbolic]
 *               [--aten=linalg|torch|tosa|stablehlo] [--emit=mlir|llvm]
 *   helion-mlir KERNEL.json --check-spec
 *
 * Exit 0 on success; 1 with one diagnostic line on stderr otherwise, and then no output file.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ToolIO.h"
#include "common/TorchMlirBridge.h"
#include "helion-mlir/support/Context.h"
#include "helion-mlir/lower/Lower.h"
#include "helion-mlir/run/Pipeline.h"
#include "helion-mlir/spec/Spec.h"

static const char kProgram[] = "helion-mlir";

/* --aten: the library's two output types, and the two torch-mlir makes of the torch one. */
typedef enum OutputType { OUT_LINALG, OUT_TORCH, OUT_TOSA, OUT_STABLEHLO } OutputType;

static const char *const kConverted[] = {[OUT_TOSA] = "tosa", [OUT_STABLEHLO] = "stablehlo"};

typedef struct Options {
  const char *input;
  const char *output;
  HmLowerOptions lower;
  OutputType aten;
  bool emit_llvm;
  bool check_spec; /* read and check the spec, lower nothing */
} Options;

typedef struct Choice {
  const char *prefix;
  const char *value;
  int *field;
  int setting;
} Choice;

static void usage(FILE *out) {
  fprintf(out,
          "usage: %s KERNEL.json [-o OUT.mlir] [--tiles=concrete|symbolic]\n"
          "                   [--aten=linalg|torch|tosa|stablehlo] [--emit=mlir|llvm]\n"
          "       %s KERNEL.json --check-spec\n"
          "Lowers a kernel captured by `python -m helion2json` to MLIR.\n"
          "  -o OUT            write the module to OUT (default: stdout)\n"
          "  --tiles=concrete  tile sizes are constants from the captured config (default)\n"
          "  --tiles=symbolic  tile sizes are loom.get_symbol values\n"
          "  --aten=linalg     ATen compute as linalg-on-tensors (default)\n"
          "  --aten=torch      ATen compute as torch-mlir's torch.aten.* ops\n"
          "  --aten=tosa       the torch ops converted to TOSA by torch-mlir (through Python:\n"
          "  --aten=stablehlo  $HELION_MLIR_PYTHON, or the python3 beside this program, or on PATH)\n"
          "  --emit=mlir       print the kernel module (default)\n"
          "  --emit=llvm       print it lowered to the LLVM dialect (concrete tiles, linalg only)\n"
          "  --check-spec      only read and check the spec (docs/interchange.md); write nothing\n",
          kProgram, kProgram);
}

static bool parse_choice(Options *o, const char *arg) {
  int emit_llvm = 0;
  const Choice choices[] = {
      {"--tiles=", "concrete", (int *)&o->lower.tiles, HM_TILES_CONCRETE},
      {"--tiles=", "symbolic", (int *)&o->lower.tiles, HM_TILES_SYMBOLIC},
      {"--aten=", "linalg", (int *)&o->aten, OUT_LINALG},
      {"--aten=", "torch", (int *)&o->aten, OUT_TORCH},
      {"--aten=", "tosa", (int *)&o->aten, OUT_TOSA},
      {"--aten=", "stablehlo", (int *)&o->aten, OUT_STABLEHLO},
      {"--emit=", "mlir", &emit_llvm, 0},
      {"--emit=", "llvm", &emit_llvm, 1},
  };
  bool known_prefix = false;
  for (size_t i = 0; i < sizeof choices / sizeof *choices; ++i) {
    size_t n = strlen(choices[i].prefix);
    if (strncmp(arg, choices[i].prefix, n) != 0)
      continue;
    known_prefix = true;
    if (strcmp(arg + n, choices[i].value) == 0) {
      *choices[i].field = choices[i].setting;
      if (choices[i].field == &emit_llvm)
        o->emit_llvm = emit_llvm;
      return true;
    }
  }
  fprintf(stderr, "%s: error: %s option '%s'\n", kProgram, known_prefix ? "bad value in" : "unknown", arg);
  return false;
}

/* Returns 0 to go on, 1 on a command-line error, 2 after --help. */
static int parse_args(int argc, char **argv, Options *o) {
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 2;
    }
    if (strcmp(a, "-o") == 0) {
      if (++i == argc) {
        fprintf(stderr, "%s: error: -o needs a file name\n", kProgram);
        return 1;
      }
      o->output = argv[i];
    } else if (strncmp(a, "-o", 2) == 0 && a[2]) {
      o->output = a + 2;
    } else if (strcmp(a, "--check-spec") == 0) {
      o->check_spec = true;
    } else if (a[0] == '-' && a[1]) {
      if (!parse_choice(o, a))
        return 1;
    } else if (!o->input) {
      o->input = a;
    } else {
      fprintf(stderr, "%s: error: more than one input file ('%s' and '%s')\n", kProgram, o->input, a);
      return 1;
    }
  }
  if (!o->input) {
    usage(stderr);
    return 1;
  }
  if (o->check_spec && o->output) {
    fprintf(stderr, "%s: error: --check-spec writes no output (drop -o)\n", kProgram);
    return 1;
  }
  o->lower.aten = o->aten == OUT_LINALG ? HM_ATEN_LINALG : HM_ATEN_TORCH;
  if (o->emit_llvm && (o->lower.tiles != HM_TILES_CONCRETE || o->lower.aten != HM_ATEN_LINALG)) {
    fprintf(stderr, "%s: error: --emit=llvm needs --tiles=concrete and --aten=linalg\n", kProgram);
    return 1;
  }
  return 0;
}

static HmSpec *read_spec(const char *input, HmDiag *diag) {
  if (strcmp(input, "-") != 0)
    return hm_spec_load(input, diag);
  HmBuffer text = {0};
  if (!hm_tool_read_stream(stdin, &text)) {
    hm_diag_error(diag, "<stdin>: cannot read");
    return NULL;
  }
  HmSpec *spec = hm_spec_parse(text.data ? text.data : "", text.len, "<stdin>", diag);
  hm_buffer_free(&text);
  return spec;
}

/* The torch-mode module, printed with its locations so that torch-mlir's errors name the kernel
 * source line, converted by torch-mlir to `target`. */
static bool convert(MlirModule module, const char *target, HmDiag *diag, HmBuffer *text) {
  HmBuffer torch = {0};
  MlirOpPrintingFlags flags = mlirOpPrintingFlagsCreate();
  mlirOpPrintingFlagsEnableDebugInfo(flags, true, false);
  mlirOperationPrintWithFlags(mlirModuleGetOperation(module), flags, hm_buffer_append, &torch);
  mlirOpPrintingFlagsDestroy(flags);
  bool ok = torch.oom ? hm_diag_error(diag, "out of memory") : hm_bridge_convert(target, &torch, text, diag);
  hm_buffer_free(&torch);
  return ok;
}

static bool run(const Options *o, HmDiag *diag, HmBuffer *text) {
  HmSpec *spec = read_spec(o->input, diag);
  if (!spec || o->check_spec) {
    bool read = spec != NULL;
    hm_spec_destroy(spec);
    return read;
  }
  MlirContext ctx = hm_context_create(diag);
  bool ok = false;
  if (!mlirContextIsNull(ctx)) {
    MlirModule module = hm_lower(ctx, spec, o->lower, diag);
    if (!mlirModuleIsNull(module)) {
      ok = !o->emit_llvm || hm_pipeline_run(module, diag);
      if (ok && o->aten >= OUT_TOSA)
        ok = convert(module, kConverted[o->aten], diag, text);
      else if (ok)
        mlirOperationPrint(mlirModuleGetOperation(module), hm_buffer_append, text);
      ok = ok && !text->oom;
      mlirModuleDestroy(module);
    }
    mlirContextDestroy(ctx);
  }
  hm_spec_destroy(spec);
  return ok;
}

int main(int argc, char **argv) {
  Options o = {0};
  int status = parse_args(argc, argv, &o);
  if (status)
    return status == 2 ? 0 : 1;
  HmDiag diag = {0};
  HmBuffer text = {0};
  bool ok = run(&o, &diag, &text);
  if (ok && !o.check_spec) {
    if (!text.len || text.data[text.len - 1] != '\n')
      hm_buffer_append(mlirStringRefCreateFromCString("\n"), &text);
    ok = hm_tool_write_output("helion-mlir: error", o.output, &text);
  }
  if (hm_diag_failed(&diag))
    fprintf(stderr, "%s: error: %s\n", kProgram, diag.message);
  hm_diag_clear(&diag);
  hm_buffer_free(&text);
  return ok ? 0 : 1;
}
