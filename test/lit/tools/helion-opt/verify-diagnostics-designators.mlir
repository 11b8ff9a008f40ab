// The designators mlir-opt accepts, read the same way: a blank before `@` or after it, `@above` (the
// closest line before without an expectation), `@below` (the closest after), `@unknown` (a
// diagnostic with no position). mlir-opt passes the same file.
// RUN: cat %dialects/helion.irdl.mlir %dialects/loom.irdl.mlir > %t.irdl.mlir
// RUN: %mlir-opt --irdl-file=%t.irdl.mlir --verify-diagnostics --split-input-file %s
// RUN: %helion-opt --verify-diagnostics --split-input-file %s

func.func @blank_before_at() -> i32 {
  // expected-error @+1 {{expected 'index' but got 'i32'}}
  %0 = "loom.get_symbol"() {name = "x"} : () -> i32
  return %0 : i32
}

// -----

func.func @blanks_around() -> i32 {
  // expected-error   @+1   {{expected 'index' but got 'i32'}}
  %0 = "loom.get_symbol"() {name = "x"} : () -> i32
  return %0 : i32
}

// -----

func.func @above() -> i32 {
  %0 = "loom.get_symbol"() {name = "x"} : () -> i32
  // expected-error@above {{expected 'index' but got 'i32'}}
  return %0 : i32
}

// -----

func.func @below() -> i32 {
  // expected-error@below {{expected 'index' but got 'i32'}}
  %0 = "loom.get_symbol"() {name = "x"} : () -> i32
  return %0 : i32
}

// -----

func.func @unknown() -> i32 {
  // expected-error@unknown {{expected 'index' but got 'i32'}}
  %0 = "loom.get_symbol"() {name = "x"} : () -> i32 loc(unknown)
  return %0 : i32
}
