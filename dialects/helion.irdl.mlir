// The helion dialect: Helion's device-IR constructs that have no upstream equivalent.
// Loaded at run time through IRDL (see docs/dialects.md), so ops print in generic form only.
irdl.dialect @helion {
  // The merge of a loop-carried value: `%r = "helion.phi"(%before, %after) : (T, T) -> T`.
  // Binding both operands and the result to one constraint variable makes the verifier demand
  // that all three have the same type.
  irdl.operation @phi {
    %type = irdl.any
    irdl.operands(lhs: %type, rhs: %type)
    irdl.results(result: %type)
  }
}
