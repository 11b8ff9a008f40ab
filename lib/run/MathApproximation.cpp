// MLIR offers its polynomial approximations only as C++ rewrite patterns (the pass that applies them
// is a test pass, not in the C API's registry), so this one file uses MLIR's C++ API; everything
// else in the core stays on the C API.
#include "run/MathApproximation.h"

#include "mlir/CAPI/Pass.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace {

bool approximated(llvm::StringRef name) {
  return llvm::StringSwitch<bool>(name)
      .Cases({"math.erf", "math.exp", "math.expm1", "math.log", "math.log1p", "math.tanh"}, true)
      .Default(false);
}

bool is_f32(mlir::Type type) {
  return mlir::getElementTypeOrSelf(type).isF32();
}

struct MathApproximationPass
    : mlir::PassWrapper<MathApproximationPass, mlir::OperationPass<mlir::ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MathApproximationPass)

  llvm::StringRef getArgument() const final { return "helion-math-approximation"; }
  llvm::StringRef getDescription() const final {
    return "f32 erf, exp, exp2, expm1, log, log1p, tanh as polynomials";
  }
  void getDependentDialects(mlir::DialectRegistry &registry) const final {
    registry.insert<mlir::arith::ArithDialect, mlir::math::MathDialect>();
  }

  // Only f32 ops: this runs before half and bfloat math is extended to f32, and those keep their
  // libm calls, whose results torch's rounding to 16 bits reproduces. exp2 becomes exp(x * ln 2)
  // first (attention computes in base 2), which is approximated in turn.
  void runOnOperation() final {
    llvm::SmallVector<mlir::Operation *> ops;
    getOperation()->walk([&](mlir::Operation *op) {
      llvm::StringRef name = op->getName().getStringRef();
      if ((approximated(name) || name == "math.exp2") && op->getNumResults() == 1 &&
          is_f32(op->getResult(0).getType()))
        ops.push_back(op);
    });
    mlir::RewritePatternSet patterns(&getContext());
    mlir::math::populateExpansionPatterns(patterns, {"exp2"});
    mlir::populateMathPolynomialApproximationPatterns(patterns, approximated);
    mlir::GreedyRewriteConfig config;
    config.setStrictness(mlir::GreedyRewriteStrictness::ExistingAndNewOps);
    if (mlir::failed(mlir::applyOpPatternsGreedily(ops, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

extern "C" MlirPass hm_math_approximation_pass(void) {
  return wrap(static_cast<mlir::Pass *>(new MathApproximationPass()));
}
