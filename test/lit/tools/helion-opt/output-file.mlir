// -o writes the output to a file, which appears complete or not at all.
// RUN: rm -f %t.out
// RUN: %helion-opt %s -o %t.out | count 0
// RUN: FileCheck %s < %t.out
// RUN: %helion-opt %s -o=%t.out2
// RUN: FileCheck %s < %t.out2

// A failure writes nothing: a new file is not created, an existing one is left as it was.
// RUN: rm -f %t.none
// RUN: not %helion-opt %S/Inputs/bad-phi.mlir -o %t.none
// RUN: not ls %t.none
// RUN: echo "previous contents" > %t.keep
// RUN: not %helion-opt %S/Inputs/bad-phi.mlir -o %t.keep
// RUN: FileCheck %s --check-prefix=KEEP < %t.keep
// No temporary file is left behind either.
// RUN: ls %t.keep* | count 1

// An output path that cannot be written is an error, not a crash.
// RUN: not %helion-opt %s -o %t.missing-dir/out.mlir 2>&1 | FileCheck %s --check-prefix=NODIR

// CHECK-LABEL: func.func @written
// CHECK: "loom.get_symbol"() {name = "block_size_0"}
func.func @written() -> index {
  %0 = "loom.get_symbol"() {name = "block_size_0"} : () -> index
  return %0 : index
}

// KEEP: previous contents
// NODIR: helion-opt: cannot write '{{.*}}missing-dir/out.mlir'

// A device or a pipe is written as it is, not replaced by a renamed file (-o /dev/null once made
// /dev/null a regular file): a FIFO stays a FIFO and its reader gets the module.
// RUN: %python %S/Inputs/write-to-fifo.py %helion-opt %s | FileCheck %s --check-prefix=FIFO
// FIFO: written through the fifo
