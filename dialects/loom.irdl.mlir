// The loom dialect: values the launcher supplies when the kernel runs.
// Loaded at run time through IRDL (see docs/dialects.md), so ops print in generic form only.
irdl.dialect @loom {
  // A launch-time symbol such as a block size:
  // `%s = "loom.get_symbol"() {name = "block_size_0"} : () -> index`.
  irdl.operation @get_symbol {
    %name = irdl.base "#builtin.string"
    %index = irdl.is index
    irdl.attributes {"name" = %name}
    irdl.results(result: %index)
  }
}
