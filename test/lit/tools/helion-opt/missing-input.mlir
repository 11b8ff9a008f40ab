// An input file that does not exist is reported by name, with exit status 1.
// RUN: not %helion-opt %t.does-not-exist.mlir 2>&1 | FileCheck %s
// CHECK: helion-opt: cannot open input file '{{.*}}does-not-exist.mlir': No such file or directory
