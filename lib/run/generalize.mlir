// The reductions of a kernel as linalg.generic ops, before linalg-fuse-elementwise-ops, which fuses
// an element-wise producer into a generic consumer only: lib/run/Vectorize.c parses this file
// (embedded in the library at build time) and runs @__transform_main through MLIR's transform
// interpreter. A tile computed only to be reduced (a layer norm's squared deviations, an rms norm's
// squares) is then computed inside the reduction, a register at a time, instead of being written
// whole into a tile buffer and read back.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%module: !transform.any_op {transform.readonly}) {
    %reductions = transform.structured.match ops{["linalg.reduce"]} in %module
      : (!transform.any_op) -> !transform.any_op
    transform.structured.generalize %reductions : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
