// A compare-and-swap of f32 elements, as hl.atomic_cas lowers (memref.generic_atomic_rmw).
func.func @cas(%m: memref<4x?xf32, strided<[?, 1], offset: ?>>, %i: index, %j: index, %expected: f32,
               %value: f32) -> f32 attributes {llvm.emit_c_interface} {
  %old = memref.generic_atomic_rmw %m[%i, %j] : memref<4x?xf32, strided<[?, 1], offset: ?>> {
  ^bb0(%current: f32):
    %equal = arith.cmpf oeq, %current, %expected : f32
    %next = arith.select %equal, %value, %current : f32
    memref.atomic_yield %next : f32
  }
  return %old : f32
}
