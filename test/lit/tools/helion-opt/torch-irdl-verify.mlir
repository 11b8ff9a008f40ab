// The IRDL torch dialect's constraints: an operand of the wrong torch type is an error at the op.
// RUN: %helion-opt %s -split-input-file -verify-diagnostics -o /dev/null

func.func @exp_of_an_int(%x: i64) {
  %i = "torch_c.from_i64"(%x) : (i64) -> !torch.int
  // expected-error@+1 {{expected base type 'torch.vtensor' but got 'torch.int'}}
  %e = "torch.aten.exp"(%i) : (!torch.int) -> !torch.vtensor<[4], f32>
  return
}

// -----

func.func @list_of_floats(%x: f64) {
  %f = "torch_c.from_f64"(%x) : (f64) -> !torch.float
  // expected-error@+1 {{expected base type 'torch.int' but got 'torch.float'}}
  %l = "torch.prim.ListConstruct"(%f) : (!torch.float) -> !torch.list<!torch.int>
  return
}
