// Fails verification: the operands of helion.phi differ in type.
func.func @bad(%a: f32, %b: f64) -> f32 {
  %0 = "helion.phi"(%a, %b) : (f32, f64) -> f32
  return %0 : f32
}
