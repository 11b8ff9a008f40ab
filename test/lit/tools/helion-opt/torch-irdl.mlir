// The torch and torch_c ops that --aten=torch emits are registered (dialects/torch.irdl.mlir): they
// round-trip (torch-irdl-verify.mlir: the IRDL constraints reject wrong operand kinds). torch-mlir is the authority for
// their semantics (test/python/test_torch_mlir.py verifies our output with it).
// RUN: %helion-opt %s | FileCheck %s
// RUN: %helion-opt %s | %helion-opt -o /dev/null

// CHECK-LABEL: func.func @amax
// CHECK: "torch.aten.amax"(%{{.+}}, %{{.+}}, %{{.+}}) : (!torch.vtensor<[-1, 8], f32>, !torch.list<!torch.int>, !torch.bool) -> !torch.vtensor<[-1, 1], f32>
func.func @amax(%a: tensor<?x8xf32>) -> tensor<?x1xf32> {
  %t = "torch_c.from_builtin_tensor"(%a) : (tensor<?x8xf32>) -> !torch.vtensor<[-1, 8], f32>
  %one = "torch.constant.int"() {value = 1 : i64} : () -> !torch.int
  %dims = "torch.prim.ListConstruct"(%one) : (!torch.int) -> !torch.list<!torch.int>
  %keep = "torch.constant.bool"() {value = true} : () -> !torch.bool
  %m = "torch.aten.amax"(%t, %dims, %keep) : (!torch.vtensor<[-1, 8], f32>, !torch.list<!torch.int>, !torch.bool) -> !torch.vtensor<[-1, 1], f32>
  %r = "torch_c.to_builtin_tensor"(%m) : (!torch.vtensor<[-1, 1], f32>) -> tensor<?x1xf32>
  return %r : tensor<?x1xf32>
}
