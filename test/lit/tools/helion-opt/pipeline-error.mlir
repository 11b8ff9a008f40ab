// A pass pipeline that does not parse is reported before any input is read, with exit status 1.
// RUN: not %helion-opt --pass-pipeline='builtin.module(no-such-pass)' %s 2>&1 | FileCheck %s
// RUN: not %helion-opt --pass-pipeline='builtin.module(no-such-pass)' %t.does-not-exist 2>&1 \
// RUN:   | FileCheck %s
// CHECK: helion-opt: invalid pass pipeline 'builtin.module(no-such-pass)':
// CHECK: 'no-such-pass' does not refer to a registered pass or pass pipeline

// A pipeline anchored on the wrong op fails when it runs, at the module's position.
// RUN: not %helion-opt --pass-pipeline='func.func(canonicalize)' %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ANCHOR
// ANCHOR: pipeline-error.mlir:{{[0-9]+}}:{{[0-9]+}}: error: can't run 'func.func' pass manager on 'builtin.module' op

func.func @f() {
  return
}
