#include "helion-mlir/run/Pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helion-mlir/support/Context.h"
#include "run/Atomics.h"
#include "run/CarriedReductions.h"
#include "run/CarryVectors.h"
#include "run/ChunkedReductions.h"
#include "run/ExclusiveStores.h"
#include "run/FastMath.h"
#include "run/FullTiles.h"
#include "run/Fp8.h"
#include "run/GridRows.h"
#include "run/HostVectors.h"
#include "run/InPlaceElementwise.h"
#include "run/InvariantTileReads.h"
#include "run/MathApproximation.h"
#include "run/ModulePass.h"
#include "run/ScalarTransfers.h"
#include "run/TreeReductions.h"
#include "run/SnapshotReads.h"
#include "run/SplitRows.h"
#include "run/VectorWidth.h"
#include "run/ThreadBuffers.h"
#include "run/Vectorize.h"
#include "mlir-c/Support.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/Pass.h"

/* The textual pipeline in eight parts, a tile of rows split into rows (SplitRows.h) and
 * the reductions made generic for the first
 * (Vectorize.h: generalize.mlir): the looped reductions into their accumulators
 * (CarriedReductions.h), the element-wise ops writing over their temporaries
 * (InPlaceElementwise.h), the whole K steps of whole matmul tiles unpadded (FullTiles.h), the
 * matmul kernels and the vectorization (Vectorize.h) run after the first, the loop-carried vectors
 * (CarryVectors.h) and the exclusive stores (ExclusiveStores.h) after the second,
 * HELION_MLIR_CHECKS=1 adds MLIR's runtime verification after the third, reductions of whole rows
 * become loops over chunks (ChunkedReductions.h), max and min reductions trees (TreeReductions.h),
 * the 0-d transfers loads and stores (ScalarTransfers.h), a grid of row loops runs row by row
 * (GridRows.h) and reads repeated by every iteration of a loop move before it
 * (InvariantTileReads.h) after the fourth, a grid iteration's buffers one per thread
 * (ThreadBuffers.h) after the fifth, the polynomial approximations of f32 math
 * (MathApproximation.h) before the seventh, and the fp8 conversions (Fp8.h) before the last. */
#define FUSE \
    /* affine.for with tensor iter_args does not bufferize, scf.for does: affine goes first. */ \
    "lower-affine," \
    /* One linalg.generic per chain of elementwise ops (and reductions fed by them): a tile's \
     * intermediate results then never become buffers of their own. */ \
    "linalg-fuse-elementwise-ops," \
    "canonicalize," \
    "cse"
/* The transform script leaves constants and index arithmetic to fold; helion-carry-vectors runs
 * after this part. */
#define FOLD \
    "canonicalize," \
    "cse"
#define TO_BUFFERS \
    /* Function arguments are memrefs already, so the boundaries need no bufferization. A loop may \
     * yield a fresh tensor (`acc = acc + x` computes into a new one), which becomes a new buffer \
     * per iteration that the deallocation pipeline frees. */ \
    /* A tile stored whole into the host tensor is computed in its view there (no tile buffer, no \
     * copy), where helion-exclusive-stores left the store `restrict`. */ \
    "eliminate-empty-tensors," \
    "one-shot-bufferize{allow-return-allocs-from-loops}," \
    /* A tile temporary of a loop body (a looped reduction's chunk) is allocated once, before the \
     * loop, where it is not carried from one iteration to the next; never out of the tile grid's \
     * parallel loop, whose iterations run on several threads at once. */ \
    "func.func(buffer-loop-hoisting)," \
    /* Frees the tile temporaries (padded loads, accumulators) so that a kernel run does not leak. \
     * It has to see the structured loops, so it runs before they become branches. */ \
    "buffer-deallocation-pipeline"
#define TO_LOOPS \
    "func.func(convert-linalg-to-loops)," \
    /* The vectors of a row are 1-D; what is n-D (a padded load's masked read, a matmul's register \
     * block) becomes 1-D transfers, unrolled, and the masks and reductions vector ops LLVM has. */ \
    "func.func(convert-vector-to-scf{full-unroll=true},lower-vector-mask,lower-vector-multi-reduction{lowering-strategy=inner-reduction})"
/* helion-chunked-reductions, helion-tree-reductions, helion-scalar-transfers and helion-grid-rows
 * run between TO_LOOPS and TO_OPENMP. */
#define TO_OPENMP \
    /* What helion-invariant-tile-reads left computed from reads before their loops. */ \
    "loop-invariant-code-motion," \
    /* The tile grid (affine.parallel, scf.parallel by now) runs on all cores: an omp.parallel with a \
     * static omp.wsloop over the grid, on the thread count the runner sets. The loops inside stay \
     * sequential. The conversion wraps each body in a memref.alloca_scope, which must not hold \
     * several blocks once scf becomes cf; the bodies allocate on the heap, so the canonicalizer \
     * inlines the scopes away, once the deallocation's helper function is inlined (a call might \
     * allocate on the stack, for all the canonicalizer knows). */ \
    "inline," \
    "convert-scf-to-openmp," \
    "canonicalize"
/* helion-thread-buffers runs between TO_OPENMP and TO_VIEWS. */
#define TO_VIEWS \
    /* Subviews become reinterpret_casts the LLVM conversion understands; the affine.apply ops this \
     * leaves behind need a second lower-affine. */ \
    "expand-strided-metadata," \
    "lower-affine"
#define TO_F32 \
    /* libm and LLVM's intrinsics have no half or bfloat math: compute it in f32 and round, as torch \
     * does on the CPU. */ \
    "math-extend-to-supported-types," \
    /* LLVM legalizes bf16 arithmetic through __truncsfbf2, which Debian 12's libgcc lacks, so the \
     * JIT could not resolve it, and it has no 8-bit float type at all. Computing in f32 and \
     * rounding after each op is what torch does; helion-expand-fp8 (Fp8.h), then arith-expand, \
     * turn the fp8 and bf16 conversions into integer bit operations. */ \
    "arith-emulate-unsupported-floats{source-types=bf16,f8E4M3FN,f8E5M2 target-type=f32}"
#define TO_LLVM \
    "arith-expand{include-bf16=true}," \
    "convert-scf-to-cf," \
    "convert-openmp-to-llvm," \
    /* Intrinsics first; what has no intrinsic (erf, cbrt, ...) becomes a libm call. */ \
    "convert-math-to-llvm," \
    "convert-math-to-libm," \
    /* After the libm calls, which take vector math apart into vector.extract and scalar calls. A \
     * vector reduction comes from a linalg reduction, whose order Helion leaves open (as \
     * helion-fastmath's reassoc says), so LLVM may sum it as a tree. */ \
    "convert-vector-to-llvm{reassociate-fp-reductions=true}," \
    "finalize-memref-to-llvm," \
    "convert-index-to-llvm," \
    "convert-arith-to-llvm," \
    "convert-func-to-llvm," \
    "convert-cf-to-llvm," \
    /* Vector reads whose padding is never used carry ub.poison. */ \
    "convert-ub-to-llvm," \
    "reconcile-unrealized-casts"

/* Every memref access and view the bufferized kernel makes (loads, stores, subviews of the host
 * tensors) checked at run time, where the ops still say what they touch: a failed check prints the
 * op and its location and aborts instead of reading or writing outside a buffer. */
#define RUNTIME_CHECKS "generate-runtime-verification"

static const char kPipeline[] =
    "builtin.module(" FUSE "," FOLD "," TO_BUFFERS "," TO_LOOPS "," TO_OPENMP "," TO_VIEWS "," TO_F32 "," TO_LLVM ")";
static const char kCheckedPipeline[] =
    "builtin.module(" FUSE "," FOLD "," TO_BUFFERS "," RUNTIME_CHECKS "," TO_LOOPS "," TO_OPENMP "," TO_VIEWS "," TO_F32 ","
    TO_LLVM ")";

static bool checks_enabled(void) {
  const char *checks = getenv("HELION_MLIR_CHECKS");
  return checks && strcmp(checks, "1") == 0;
}

const char *hm_pipeline_text(void) { return checks_enabled() ? kCheckedPipeline : kPipeline; }

/* ---- The fast-math pass ----
 *
 * hm_fastmath_mark as a pass of its own, ahead of the textual pipeline: the C API can add an external
 * pass to a pass manager, though not to the textual pipeline syntax. The pipeline proper is the split
 * rows (SplitRows.h), the snapshot reads, helion-expand-atomics (run/Atomics.c), this pass, FUSE, the
 * whole tiles (FullTiles.h), the vectorization, FOLD, the carried vectors, the exclusive stores
 * (ExclusiveStores.h), TO_BUFFERS, (RUNTIME_CHECKS,) TO_LOOPS, the scalar transfers, the grid rows,
 * the invariant tile reads, TO_OPENMP, the thread buffers, TO_VIEWS, the math approximations, TO_F32,
 * the fp8 conversions, TO_LLVM. */

static void fastmath(MlirOperation module_op, MlirExternalPass pass) { hm_fastmath_mark(module_op); }

static MlirPass fastmath_pass(void) {
  static const HmModulePass pass = {"HelionFastMath", "helion-fastmath",
                                    "contract float ops, reassociate reduction combiners", fastmath};
  return hm_module_pass(&pass);
}

/* The pipeline text is ours, so a parse error is a bug here; the message still says what broke. */
static bool add_elements(MlirOpPassManager pm, const char *elements, HmDiag *diag) {
  HmBuffer errors = {0};
  bool ok = mlirLogicalResultIsSuccess(mlirOpPassManagerAddPipeline(
      pm, mlirStringRefCreateFromCString(elements), hm_buffer_append, &errors));
  if (!ok)
    hm_diag_error(diag, "cannot build the LLVM lowering pipeline: %s",
                  errors.data ? errors.data : "(no message)");
  hm_buffer_free(&errors);
  return ok;
}

bool hm_pipeline_build(MlirOpPassManager pm, HmVectorBits bits, HmDiag *diag) {
  /* Before any pass rewrites the kernel's math: what it computes decides its registers' width.
   * The mark names the host's features, so a width given explicitly, for output that does not
   * depend on the machine, goes without it. */
  if (bits == HM_VECTOR_BITS_HOST && hm_host_vector_bits() == HM_VECTOR_BITS_512)
    mlirOpPassManagerAddOwnedPass(pm, hm_vector_width_pass());
  /* On the tensors of the lowering as it made them: a tile of rows runs row by row. */
  mlirOpPassManagerAddOwnedPass(pm, hm_split_rows_pass());
  /* Every later pass may move a read of a tile past a store into its tensor. */
  mlirOpPassManagerAddOwnedPass(pm, hm_snapshot_reads_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_atomics_pass());
  mlirOpPassManagerAddOwnedPass(pm, fastmath_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_generalize_reductions_pass());
  if (!add_elements(pm, FUSE, diag))
    return false;
  mlirOpPassManagerAddOwnedPass(pm, hm_carried_reductions_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_in_place_elementwise_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_full_tiles_pass());
  /* The whole tiles' pads, of padding 0, fold away before the matmul kernels look for pads. */
  if (!add_elements(pm, "canonicalize", diag))
    return false;
  mlirOpPassManagerAddOwnedPass(pm, hm_matmul_pass(bits));
  mlirOpPassManagerAddOwnedPass(pm, hm_vectorize_pass());
  if (!add_elements(pm, FOLD, diag))
    return false;
  mlirOpPassManagerAddOwnedPass(pm, hm_carry_vectors_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_exclusive_stores_pass());
  if (!add_elements(pm, TO_BUFFERS, diag) || (checks_enabled() && !add_elements(pm, RUNTIME_CHECKS, diag)) ||
      !add_elements(pm, TO_LOOPS, diag))
    return false;
  mlirOpPassManagerAddOwnedPass(pm, hm_chunked_reductions_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_tree_reductions_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_scalar_transfers_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_grid_rows_pass());
  mlirOpPassManagerAddOwnedPass(pm, hm_invariant_tile_reads_pass());
  if (!add_elements(pm, TO_OPENMP, diag))
    return false;
  mlirOpPassManagerAddOwnedPass(pm, hm_thread_buffers_pass());
  if (!add_elements(pm, TO_VIEWS, diag))
    return false;
  mlirOpPassManagerAddOwnedPass(pm, hm_math_approximation_pass());
  if (!add_elements(pm, TO_F32, diag))
    return false;
  mlirOpPassManagerAddOwnedPass(pm, hm_fp8_pass());
  return add_elements(pm, TO_LLVM, diag);
}

static bool has_prefix(MlirStringRef text, const char *prefix) {
  size_t n = strlen(prefix);
  return text.length >= n && memcmp(text.data, prefix, n) == 0;
}

/* A walk for the first op whose name matches (`wanted`) or does not match (`!wanted`) one of the
 * prefixes. */
typedef struct OpSearch {
  const char *const *prefixes;
  size_t count;
  bool wanted;
  MlirOperation found;
} OpSearch;

static MlirWalkResult search_op(MlirOperation op, void *data) {
  OpSearch *search = data;
  MlirStringRef name = mlirIdentifierStr(mlirOperationGetName(op));
  bool matches = false;
  for (size_t i = 0; i < search->count && !matches; ++i)
    matches = has_prefix(name, search->prefixes[i]);
  if (matches != search->wanted)
    return MlirWalkResultAdvance;
  search->found = op;
  return MlirWalkResultInterrupt;
}

/* Emits `why` (a format taking the op's name) at the op the search finds; false if it finds one. */
static bool reject_found(MlirOperation module_op, OpSearch search, const char *why) {
  mlirOperationWalk(module_op, search_op, &search, MlirWalkPreOrder);
  if (mlirOperationIsNull(search.found))
    return true;
  MlirStringRef name = mlirIdentifierStr(mlirOperationGetName(search.found));
  char message[256];
  snprintf(message, sizeof message, why, (int)name.length, name.data);
  mlirEmitError(mlirOperationGetLocation(search.found), message);
  return false;
}

/* loom ops are values the launcher supplies, such as symbolic tile sizes: nothing supplies them on
 * the CPU, and the bufferization would only say it cannot see their side effects. */
static bool check_no_loom(MlirOperation module_op) {
  static const char *const loom[] = {"loom."};
  return reject_found(module_op, (OpSearch){loom, 1, true, {NULL}},
                      "'%.*s' has no value on the CPU; lower the kernel with concrete tile sizes");
}

/* The conversions are partial: an op they have no pattern for (a func.func with tensor arguments)
 * stays as it is and the pipeline still succeeds. Reported here, rather than as a translation
 * failure later. */
static bool check_all_llvm(MlirOperation module_op) {
  /* omp ops on LLVM types are what the OpenMP translation to LLVM IR takes. */
  static const char *const llvm[] = {"llvm.", "omp.", "builtin.module"};
  return reject_found(module_op, (OpSearch){llvm, 3, false, {NULL}},
                      "'%.*s' is left after the LLVM lowering (kernel functions take memrefs, "
                      "not tensors)");
}

bool hm_pipeline_run(MlirModule module, HmDiag *diag) {
  MlirOperation op = mlirModuleGetOperation(module);
  MlirContext ctx = mlirOperationGetContext(op);
  MlirPassManager pm =
      mlirPassManagerCreateOnOperation(ctx, mlirStringRefCreateFromCString("builtin.module"));
  HmDiagCapture capture = hm_diag_capture_begin(ctx, diag);
  bool ok = hm_pipeline_build(mlirPassManagerGetAsOpPassManager(pm), HM_VECTOR_BITS_HOST, diag) && check_no_loom(op) &&
            mlirLogicalResultIsSuccess(mlirPassManagerRunOnOp(pm, op)) && check_all_llvm(op);
  hm_diag_capture_end(capture);
  mlirPassManagerDestroy(pm);
  if (!ok && !hm_diag_failed(diag))
    return hm_diag_error(diag, "lowering to the LLVM dialect failed");
  return ok;
}
