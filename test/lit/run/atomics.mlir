// The JIT's pipeline (--helion-lower-to-llvm) on a memref.generic_atomic_rmw (hl.atomic_cas):
// helion-expand-atomics (lib/run/Atomics.c) makes it a call, with the element's address (the aligned
// pointer plus offset + i * stride + j elements of 4 bytes) and the values the body reads, of an
// internal, never inlined llvm.func: the element read atomically (an exchange of 0 for 0), the body
// on it, an llvm.cmpxchg of its bits for the new element's, retried with the element seen until it
// succeeds. The buffer deallocation, which refuses generic_atomic_rmw, takes the call.

// RUN: %helion-opt --helion-lower-to-llvm %S/Inputs/cas_f32.mlir | FileCheck %s
// CHECK:      llvm.func internal @[[HELPER:__helion_atomic_rmw_0]](%[[PTR:.+]]: !llvm.ptr, %[[EXPECTED:.+]]: f32, %[[VALUE:.+]]: f32) -> f32 attributes {no_inline} {
// CHECK:        %[[ZERO:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK:        %[[READ:.+]] = llvm.cmpxchg %[[PTR]], %[[ZERO]], %[[ZERO]] acq_rel monotonic : !llvm.ptr, i32
// CHECK:        %[[BITS:.+]] = llvm.extractvalue %[[READ]][0] : !llvm.struct<(i32, i1)>
// CHECK:        %[[FIRST:.+]] = llvm.bitcast %[[BITS]] : i32 to f32
// CHECK:        llvm.br ^[[LOOP:.+]](%[[FIRST]] : f32)
// CHECK:      ^[[LOOP]](%[[CUR:.+]]: f32):
// CHECK:        %[[EQ:.+]] = llvm.fcmp "oeq" %[[CUR]], %[[EXPECTED]] : f32
// CHECK:        %[[NEXT:.+]] = llvm.select %[[EQ]], %[[VALUE]], %[[CUR]] : i1, f32
// CHECK-DAG:    %[[OLDBITS:.+]] = llvm.bitcast %[[CUR]] : f32 to i32
// CHECK-DAG:    %[[NEWBITS:.+]] = llvm.bitcast %[[NEXT]] : f32 to i32
// CHECK:        %[[PAIR:.+]] = llvm.cmpxchg %[[PTR]], %[[OLDBITS]], %[[NEWBITS]] acq_rel monotonic : !llvm.ptr, i32
// CHECK:        %[[GOT:.+]] = llvm.extractvalue %[[PAIR]][0] : !llvm.struct<(i32, i1)>
// CHECK:        %[[OK:.+]] = llvm.extractvalue %[[PAIR]][1] : !llvm.struct<(i32, i1)>
// CHECK:        %[[SEEN:.+]] = llvm.bitcast %[[GOT]] : i32 to f32
// CHECK:        llvm.cond_br %[[OK]], ^[[DONE:.+]], ^[[LOOP]](%[[SEEN]] : f32)
// CHECK:      ^[[DONE]]:
// CHECK:        llvm.return %[[CUR]] : f32
// CHECK:      llvm.func @cas(
// CHECK:        %[[ADDR:.+]] = llvm.inttoptr %{{.+}} : i64 to !llvm.ptr
// CHECK:        llvm.call @[[HELPER]](%[[ADDR]], %{{.+}}, %{{.+}}) : (!llvm.ptr, f32, f32) -> f32
// CHECK-NOT:  generic_atomic_rmw

// A CAS as the only op of a parallel body (the lowering's scf.for of one element folded away): the
// call keeps the loop's blocks out of the memref.alloca_scope the OpenMP conversion puts there.
// RUN: %helion-mlir %fixtures/atomic_cas_one.json --emit=llvm -o /dev/null
