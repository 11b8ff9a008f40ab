/* helion-opt: mlir-opt for helion-mlir's IR, through the MLIR C API.
 *
 * Parses MLIR (a file or stdin), runs pass pipelines, verifies and prints the result. The helion and
 * loom IRDL dialects are loaded, so our lowering's output needs no --allow-unregistered-dialect.
 * Diagnostics go to stderr as FILE:LINE:COL: SEVERITY: MESSAGE; the exit status is 1 on any failure,
 * and nothing is written to the output file then. With --verify-diagnostics, diagnostics are
 * matched against `expected-error {{...}}` comments in the input instead, as mlir-opt does.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ToolIO.h"
#include "helion-opt/Diagnostics.h"
#include "helion-mlir/support/Context.h"
#include "helion-mlir/run/Pipeline.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

static const char kProgram[] = "helion-opt";
static const char kSplitMarker[] = "// -----";

/* ---- Command line ---- */

enum { kMaxPipelines = 16 };

typedef struct Options {
  const char *input; /* "-" is stdin */
  const char *output; /* NULL is stdout */
  /* Run in command-line order: a textual pipeline, or a named one's builder. */
  const char *pipelines[kMaxPipelines];
  bool (*builders[kMaxPipelines])(MlirOpPassManager pm, HmVectorBits bits, HmDiag *diag);
  size_t num_pipelines;
  HmVectorBits vector_bits; /* for every named pipeline; HM_VECTOR_BITS_HOST unless given */
  bool verify_diagnostics;
  bool split_input_file;
  bool allow_unregistered;
  bool print_ir_before_all;
  bool print_ir_after_all;
  bool timing;
  bool print_irdl;
  bool help;
} Options;

typedef struct OptionSpec OptionSpec;
struct OptionSpec {
  const char *name;    /* without leading dashes; "-name" and "--name" are both accepted */
  const char *metavar; /* NULL for a flag; else the option takes a value: "--name=V" or "--name V" */
  bool (*apply)(Options *opts, const OptionSpec *spec, const char *value);
  size_t flag;                   /* FLAG: offsetof the bool it sets */
  bool (*build)(MlirOpPassManager pm, HmVectorBits bits, HmDiag *diag); /* PIPELINE: adds its passes */
  const char *help;
};

static bool set_flag(Options *opts, const OptionSpec *spec, const char *value) {
  *(bool *)((char *)opts + spec->flag) = true;
  return true;
}

static bool set_output(Options *opts, const OptionSpec *spec, const char *value) {
  opts->output = value;
  return true;
}

static bool set_vector_bits(Options *opts, const OptionSpec *spec, const char *value) {
  static const HmVectorBits widths[] = {HM_VECTOR_BITS_128, HM_VECTOR_BITS_256, HM_VECTOR_BITS_512};
  for (size_t i = 0; i < sizeof widths / sizeof widths[0]; ++i) {
    char text[8];
    snprintf(text, sizeof text, "%d", (int)widths[i]);
    if (strcmp(value, text) == 0) {
      opts->vector_bits = widths[i];
      return true;
    }
  }
  fprintf(stderr, "%s: --%s takes 128, 256 or 512, not '%s'\n", kProgram, spec->name, value);
  return false;
}

static bool add_pipeline_entry(Options *opts, const char *text,
                               bool (*build)(MlirOpPassManager, HmVectorBits, HmDiag *)) {
  if (opts->num_pipelines == kMaxPipelines) {
    fprintf(stderr, "%s: at most %d pass pipelines may be given\n", kProgram, kMaxPipelines);
    return false;
  }
  opts->pipelines[opts->num_pipelines] = text;
  opts->builders[opts->num_pipelines++] = build;
  return true;
}

static bool add_pipeline(Options *opts, const OptionSpec *spec, const char *value) {
  return add_pipeline_entry(opts, value, NULL);
}

static bool add_named_pipeline(Options *opts, const OptionSpec *spec, const char *value) {
  return add_pipeline_entry(opts, NULL, spec->build);
}

#define FLAG(name, field, help) {name, NULL, set_flag, offsetof(Options, field), NULL, help}
#define PIPELINE(name, pipeline, help) {name, NULL, add_named_pipeline, 0, pipeline, help}

/* One line per option; a named pipeline is one PIPELINE line, naming the function that adds its
 * passes to a pass manager. */
static const OptionSpec kOptions[] = {
    {"o", "FILE", set_output, 0, NULL, "write the output to FILE (default: stdout)"},
    {"pass-pipeline", "PIPELINE", add_pipeline, 0, NULL,
     "run a textual pass pipeline, e.g. 'builtin.module(canonicalize,cse)'"},
    PIPELINE("helion-lower-to-llvm", hm_pipeline_build,
             "lower a kernel module to the LLVM dialect, as the JIT runs it"),
    {"vector-bits", "BITS", set_vector_bits, 0, NULL,
     "size helion-lower-to-llvm's matmul register blocks for 128-, 256- or 512-bit vectors "
     "(default: the host's, and on an AVX-512 host kernels of cheap arithmetic at 256 bits)"},
    FLAG("verify-diagnostics", verify_diagnostics,
         "check diagnostics against expected-error/-warning/-remark/-note {{...}} comments"),
    FLAG("split-input-file", split_input_file,
         "process each '// -----'-separated chunk of the input on its own"),
    FLAG("allow-unregistered-dialect", allow_unregistered, "accept ops of unknown dialects"),
    FLAG("mlir-print-ir-before-all", print_ir_before_all,
         "print the IR before each pass to stderr, as mlir-opt does (helion-lower-to-llvm's own too)"),
    FLAG("mlir-print-ir-after-all", print_ir_after_all, "print the IR after each pass to stderr"),
    FLAG("mlir-timing", timing, "print each pass's execution time to stderr once the pipelines ran, as mlir-opt does"),
    FLAG("print-irdl", print_irdl,
         "print the IRDL of the helion and loom dialects (for mlir-opt --irdl-file) and exit"),
    FLAG("help", help, "print this help and exit"),
};

static void print_usage(FILE *out) {
  fprintf(out, "usage: %s [options] [INPUT.mlir | -]\n\n", kProgram);
  fprintf(out, "Pipelines run in command-line order. Options:\n");
  for (size_t i = 0; i < sizeof kOptions / sizeof kOptions[0]; ++i) {
    const OptionSpec *spec = &kOptions[i];
    char usage[64];
    snprintf(usage, sizeof usage, "%s%s%s%s", spec->name[1] ? "--" : "-", spec->name,
             spec->metavar ? (spec->name[1] ? "=" : " ") : "", spec->metavar ? spec->metavar : "");
    fprintf(out, "  %-28s %s\n", usage, spec->help);
  }
}

static const OptionSpec *find_option(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof kOptions / sizeof kOptions[0]; ++i)
    if (strlen(kOptions[i].name) == len && strncmp(kOptions[i].name, name, len) == 0)
      return &kOptions[i];
  return NULL;
}

/* Applies the option at argv[*i], consuming the next argument when it is the option's value. */
static bool parse_option(Options *opts, int argc, char **argv, int *i) {
  const char *arg = argv[*i];
  const char *name = arg + (arg[1] == '-' ? 2 : 1);
  const char *equals = strchr(name, '=');
  size_t len = equals ? (size_t)(equals - name) : strlen(name);
  const OptionSpec *spec = find_option(name, len);
  if (!spec) {
    fprintf(stderr, "%s: unknown option '%s' (see --help)\n", kProgram, arg);
    return false;
  }
  const char *value = NULL;
  if (spec->metavar) {
    if (equals)
      value = equals + 1;
    else if (*i + 1 < argc)
      value = argv[++*i];
    else {
      fprintf(stderr, "%s: option '%s' needs a value\n", kProgram, arg);
      return false;
    }
  } else if (equals) {
    fprintf(stderr, "%s: option '%.*s' takes no value\n", kProgram, (int)(equals - arg), arg);
    return false;
  }
  return spec->apply(opts, spec, value);
}

static bool parse_args(int argc, char **argv, Options *opts) {
  *opts = (Options){.input = "-"};
  bool have_input = false;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (arg[0] == '-' && arg[1] != '\0') {
      if (!parse_option(opts, argc, argv, &i))
        return false;
    } else if (have_input) {
      fprintf(stderr, "%s: more than one input file: '%s' and '%s'\n", kProgram, opts->input, arg);
      return false;
    } else {
      opts->input = arg;
      have_input = true;
    }
  }
  return true;
}

/* ---- Input and output ---- */

static bool read_stream(FILE *in, Source *src) {
  HmBuffer text = {0};
  if (!hm_tool_read_stream(in, &text))
    return false;
  /* An empty input is an empty module, still owned like any other text. */
  src->text = text.data ? text.data : calloc(1, 1);
  src->len = text.len;
  return src->text != NULL;
}

static bool read_source(const char *path, Source *src) {
  bool from_stdin = strcmp(path, "-") == 0;
  src->name = from_stdin ? "<stdin>" : path;
  FILE *in = from_stdin ? stdin : fopen(path, "rb");
  if (!in) {
    fprintf(stderr, "%s: cannot open input file '%s': %s\n", kProgram, path, strerror(errno));
    return false;
  }
  bool ok = read_stream(in, src);
  if (!ok)
    fprintf(stderr, "%s: cannot read '%s'\n", kProgram, src->name);
  if (!from_stdin)
    fclose(in);
  return ok;
}

/* ---- Pass pipelines ---- */

typedef struct Pipelines {
  MlirPassManager *pms;
  size_t count;
} Pipelines;

static void destroy_pipelines(Pipelines *p) {
  for (size_t i = 0; i < p->count; ++i)
    mlirPassManagerDestroy(p->pms[i]);
  free(p->pms);
  *p = (Pipelines){0};
}

static bool parse_pipeline(MlirContext ctx, const char *text, MlirPassManager *out) {
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  HmBuffer error = {0};
  bool ok = mlirLogicalResultIsSuccess(mlirParsePassPipeline(
      mlirPassManagerGetAsOpPassManager(pm), mlirStringRefCreateFromCString(text), hm_buffer_append,
      &error));
  if (ok) {
    *out = pm;
  } else {
    /* MLIR's reason spans lines (it points a caret at the offending pass); keep its shape. */
    while (error.len > 0 && (error.data[error.len - 1] == '\n' || error.data[error.len - 1] == ' '))
      error.data[--error.len] = '\0';
    fprintf(stderr, "%s: invalid pass pipeline '%s':\n%s\n", kProgram, text,
            error.data ? error.data : "(no reason given)");
    mlirPassManagerDestroy(pm);
  }
  hm_buffer_free(&error);
  return ok;
}

static bool build_named_pipeline(MlirContext ctx,
                                 bool (*build)(MlirOpPassManager, HmVectorBits, HmDiag *),
                                 HmVectorBits bits, MlirPassManager *out) {
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  HmDiag diag = {0};
  if (!build(mlirPassManagerGetAsOpPassManager(pm), bits, &diag)) {
    fprintf(stderr, "%s: %s\n", kProgram, diag.message ? diag.message : "cannot build a pipeline");
    hm_diag_clear(&diag);
    mlirPassManagerDestroy(pm);
    return false;
  }
  *out = pm;
  return true;
}

/* All pipelines are parsed before the input is read, so that a typo fails fast. */
static bool build_pipelines(MlirContext ctx, const Options *opts, Pipelines *p) {
  *p = (Pipelines){0};
  if (opts->num_pipelines == 0)
    return true;
  p->pms = malloc(opts->num_pipelines * sizeof *p->pms);
  if (!p->pms)
    return false;
  for (size_t i = 0; i < opts->num_pipelines; ++i) {
    bool ok = opts->builders[i]
                  ? build_named_pipeline(ctx, opts->builders[i], opts->vector_bits, &p->pms[p->count])
                                : parse_pipeline(ctx, opts->pipelines[i], &p->pms[p->count]);
    if (!ok)
      return false;
    if (opts->print_ir_before_all || opts->print_ir_after_all) {
      MlirOpPrintingFlags flags = mlirOpPrintingFlagsCreate();
      mlirPassManagerEnableIRPrinting(p->pms[p->count], opts->print_ir_before_all, opts->print_ir_after_all,
                                      /*printModuleScope=*/false, /*printAfterOnlyOnChange=*/false,
                                      /*printAfterOnlyOnFailure=*/false, flags, mlirStringRefCreate(NULL, 0));
      mlirOpPrintingFlagsDestroy(flags);
    }
    if (opts->timing)
      mlirPassManagerEnableTiming(p->pms[p->count]);
    ++p->count;
  }
  return true;
}

/* ---- Processing ---- */

/* Parses, transforms and prints one chunk of the input; its diagnostics go to the session's
 * handler. The parser verifies what it parsed, and the pass managers verify after each pass. */
static bool process_chunk(MlirContext ctx, MlirStringRef text, const Pipelines *pipelines,
                          HmBuffer *out) {
  MlirModule module = mlirModuleCreateParse(ctx, text);
  if (mlirModuleIsNull(module))
    return false;
  MlirOperation op = mlirModuleGetOperation(module);
  bool ok = true;
  for (size_t i = 0; ok && i < pipelines->count; ++i)
    ok = mlirLogicalResultIsSuccess(mlirPassManagerRunOnOp(pipelines->pms[i], op));
  if (ok) {
    mlirOperationPrint(op, hm_buffer_append, out);
    hm_buffer_append(mlirStringRefCreateFromCString("\n"), out);
  }
  mlirModuleDestroy(module);
  return ok;
}

static bool is_split_marker(const char *line, const char *end) {
  while (line < end && (*line == ' ' || *line == '\t'))
    ++line;
  return (size_t)(end - line) >= sizeof kSplitMarker - 1 &&
         strncmp(line, kSplitMarker, sizeof kSplitMarker - 1) == 0;
}

/* Finds the end of the chunk starting at `start` (a marker line or the end of the text), counting
 * its lines into *lines. */
static const char *chunk_end(const Source *src, const char *start, unsigned *lines) {
  const char *text_end = src->text + src->len;
  for (const char *line = start; line < text_end;) {
    const char *eol = memchr(line, '\n', (size_t)(text_end - line));
    if (!eol)
      eol = text_end;
    if (is_split_marker(line, eol))
      return line;
    ++*lines;
    line = eol + (eol < text_end);
  }
  return text_end;
}

/* Each chunk is parsed as `lines_before` newlines followed by the chunk, so that diagnostics carry
 * the line numbers of the whole input, as mlir-opt's do. */
static bool process_split(MlirContext ctx, const Source *src, const Pipelines *pipelines,
                          HmBuffer *out) {
  bool ok = true;
  unsigned lines_before = 0;
  const char *text_end = src->text + src->len;
  for (const char *start = src->text;;) {
    unsigned lines = 0;
    const char *end = chunk_end(src, start, &lines);
    size_t len = lines_before + (size_t)(end - start);
    char *chunk = malloc(len + 1); /* never malloc(0), whose NULL would read as out of memory */
    if (!chunk)
      return false;
    memset(chunk, '\n', lines_before);
    memcpy(chunk + lines_before, start, (size_t)(end - start));
    if (start != src->text) {
      hm_buffer_append(mlirStringRefCreateFromCString(kSplitMarker), out);
      hm_buffer_append(mlirStringRefCreateFromCString("\n"), out);
    }
    ok = process_chunk(ctx, mlirStringRefCreate(chunk, len), pipelines, out) && ok;
    free(chunk);
    if (end == text_end)
      return ok;
    const char *eol = memchr(end, '\n', (size_t)(text_end - end));
    lines_before += lines + 1;
    start = eol ? eol + 1 : text_end;
  }
}

static bool process_source(MlirContext ctx, const Options *opts, const Source *src,
                           const Pipelines *pipelines, HmBuffer *out) {
  if (opts->split_input_file)
    return process_split(ctx, src, pipelines, out);
  return process_chunk(ctx, mlirStringRefCreate(src->text, src->len), pipelines, out);
}

/* Processes the source with the session's handler taking every diagnostic, and tells whether it
 * went as it should: without errors, or under --verify-diagnostics, with exactly those expected. */
static bool check_source(MlirContext ctx, const Options *opts, const Source *src,
                         const Pipelines *pipelines, HmBuffer *out) {
  DiagSession session;
  if (!diag_session_begin(ctx, src, opts->verify_diagnostics, &session))
    return false;
  bool processed = process_source(ctx, opts, src, pipelines, out);
  return diag_session_end(&session, processed);
}

static bool run(MlirContext ctx, const Options *opts) {
  Pipelines pipelines;
  Source src;
  bool ok = build_pipelines(ctx, opts, &pipelines) && read_source(opts->input, &src);
  if (ok) {
    HmBuffer out = {0};
    ok = check_source(ctx, opts, &src, &pipelines, &out) && !out.oom &&
         hm_tool_write_output(kProgram, opts->output, &out);
    hm_buffer_free(&out);
    free(src.text);
  }
  destroy_pipelines(&pipelines);
  return ok;
}

static bool print_irdl(void) {
  return printf("%s%s", hm_irdl_helion, hm_irdl_loom) >= 0 && fflush(stdout) == 0;
}

int main(int argc, char **argv) {
  Options opts;
  if (!parse_args(argc, argv, &opts))
    return 1;
  if (opts.help) {
    print_usage(stdout);
    return 0;
  }
  if (opts.print_irdl)
    return print_irdl() ? 0 : 1;
  HmDiag diag = {0};
  MlirContext ctx = hm_context_create(&diag);
  if (mlirContextIsNull(ctx)) {
    fprintf(stderr, "%s: %s\n", kProgram, diag.message ? diag.message : "cannot create a context");
    hm_diag_clear(&diag);
    return 1;
  }
  mlirContextSetAllowUnregisteredDialects(ctx, opts.allow_unregistered);
  bool ok = run(ctx, &opts);
  mlirContextDestroy(ctx);
  return ok ? 0 : 1;
}
