#include "helion-mlir/Pipeline.h"

#include "helion-mlir/Context.h"
#include "mlir-c/Pass.h"

static const char kPipeline[] =
    "builtin.module("
    /* affine.for with tensor iter_args does not bufferize, scf.for does: the affine loops go first. */
    "lower-affine,"
    /* Function arguments are memrefs already, so the boundaries need no bufferization. */
    "one-shot-bufferize,"
    /* Frees the tile temporaries (padded loads, accumulators) so that a kernel run does not leak. It
     * has to see the structured loops, so it runs before they become branches. */
    "buffer-deallocation-pipeline,"
    "func.func(convert-linalg-to-loops),"
    /* Subviews become reinterpret_casts the LLVM conversion understands; the affine.apply ops this
     * leaves behind need a second lower-affine. */
    "expand-strided-metadata,"
    "lower-affine,"
    /* libm and LLVM's intrinsics have no half or bfloat math: compute it in f32 and round, as torch
     * does on the CPU. */
    "math-extend-to-supported-types,"
    /* LLVM legalizes bf16 arithmetic through __truncsfbf2, which Debian 12's libgcc lacks, so the
     * JIT could not resolve it. Computing in f32 and rounding after each op is what torch does;
     * arith-expand then turns the bf16 conversions into integer bit operations. */
    "arith-emulate-unsupported-floats{source-types=bf16 target-type=f32},"
    "arith-expand{include-bf16=true},"
    "convert-scf-to-cf,"
    /* Intrinsics first; what has no intrinsic (tanh, erf, ...) becomes a libm call. */
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "finalize-memref-to-llvm,"
    "convert-index-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "reconcile-unrealized-casts)";

const char *hm_llvm_pipeline(void) { return kPipeline; }

/* The pipeline text is ours, so a parse error is a bug here; the message still says what broke. */
static bool parse_pipeline(MlirPassManager pm, HmDiag *diag) {
  HmBuffer errors = {0};
  MlirLogicalResult parsed =
      mlirParsePassPipeline(mlirPassManagerGetAsOpPassManager(pm),
                            mlirStringRefCreateFromCString(kPipeline), hm_buffer_append, &errors);
  bool ok = mlirLogicalResultIsSuccess(parsed);
  if (!ok)
    hm_diag_error(diag, "cannot build the LLVM lowering pipeline: %s",
                  errors.data ? errors.data : "(no message)");
  hm_buffer_free(&errors);
  return ok;
}

bool hm_lower_to_llvm(MlirModule module, HmDiag *diag) {
  MlirOperation op = mlirModuleGetOperation(module);
  MlirContext ctx = mlirOperationGetContext(op);
  MlirPassManager pm =
      mlirPassManagerCreateOnOperation(ctx, mlirStringRefCreateFromCString("builtin.module"));
  HmDiagCapture capture = hm_diag_capture_begin(ctx, diag);
  bool ok = parse_pipeline(pm, diag) && mlirLogicalResultIsSuccess(mlirPassManagerRunOnOp(pm, op));
  hm_diag_capture_end(capture);
  mlirPassManagerDestroy(pm);
  if (!ok && !hm_diag_failed(diag))
    return hm_diag_error(diag, "lowering to the LLVM dialect failed");
  return ok;
}
