// The whole K steps of a matmul's whole tiles run without padding (helion-full-tiles,
// lib/run/FullTiles.c): a copy of the K loop over the steps inside the tensor, for the tiles inside
// it, with every extent the step, whose tiles the canonicalizer then reads unpadded; the K loop as
// it was runs the rest, from where the copy ended for a whole tile and from the start for an edge
// tile. The numerics run on the JIT in test/python/test_run.py.
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all %S/Inputs/matmul_f32.mlir -o %t 2>&1 | FileCheck %s --check-prefix=EDGES
// RUN: %helion-opt --helion-lower-to-llvm --mlir-print-ir-after-all --split-input-file %s -o %t 2>&1 | FileCheck %s

// 100x70 @ 70x50 in 32x32x16 tiles: a tile is whole when it ends inside both output dimensions, and
// the whole K steps end at 64 of 70.
// EDGES-LABEL: IR Dump After HelionFullTiles
// EDGES-LABEL: IR Dump After Canonicalizer
// EDGES: scf.parallel (%[[I:[^,]*]], %[[J:[^)]*]]) = {{.*}} to (%[[M:[^,]*]], %[[N:[^)]*]]) step (%[[C32:[^,]*]], %[[C32]])
// EDGES: %[[IEND:[^ ]*]] = arith.addi %[[I]], %[[C32]]
// EDGES: %[[IFITS:[^ ]*]] = arith.cmpi sle, %[[IEND]], %[[M]]
// EDGES: %[[JEND:[^ ]*]] = arith.addi %[[J]], %[[C32]]
// EDGES: %[[JFITS:[^ ]*]] = arith.cmpi sle, %[[JEND]], %[[N]]
// EDGES: %[[WHOLE:[^ ]*]] = arith.andi %[[IFITS]], %[[JFITS]]
// EDGES: %[[START:[^ ]*]] = arith.select %[[WHOLE]], %[[C64:[^,]*]], %[[C0:[^ ]*]] : index
// EDGES: %[[ACC:[^ ]*]] = scf.if %[[WHOLE]]
// EDGES-NEXT: scf.for %{{.*}} = %[[C0]] to %[[C64]] step %[[C16:[^ ]*]]
// EDGES-NOT: tensor.pad
// EDGES: %[[LHS:[^ ]*]] = tensor.cast {{.*}} to tensor<32x16xf32>
// EDGES-NOT: tensor.pad
// EDGES: %[[RHS:[^ ]*]] = tensor.cast {{.*}} to tensor<16x32xf32>
// EDGES-NEXT: linalg.matmul ins(%[[LHS]], %[[RHS]]
// EDGES: } else {
// EDGES: scf.for %{{.*}} = %[[START]] to %[[C70:[^ ]*]] step %[[C16]] iter_args(%{{.*}} = %[[ACC]])
// EDGES: tensor.pad
// EDGES: tensor.pad
// EDGES: linalg.matmul
// EDGES-LABEL: IR Dump After HelionMatmul

// Every output tile is whole (64 x 64 in 32 x 32 tiles): no test; the whole K steps end at 32 of 40,
// and the one step left, folded out of its loop, pads its K.
// CHECK-LABEL: IR Dump After HelionFullTiles
// CHECK-LABEL: IR Dump After Canonicalizer
// CHECK: func.func @whole_grid(
// CHECK-NOT: scf.if
// CHECK: %[[ACC:[^ ]*]] = scf.for %{{.*}} = %{{.*}} to %c32 step
// CHECK-NOT: tensor.pad
// CHECK: linalg.matmul
// CHECK-NEXT: scf.yield
// CHECK: memref.subview %{{.*}}[%{{.*}}, 32] [32, 8]
// CHECK: tensor.pad {{.*}} high[0, %c8]
// CHECK: tensor.pad {{.*}} high[%c8, 0]
// CHECK: linalg.matmul {{.*}} outs(%[[ACC]] :
// CHECK-LABEL: IR Dump After HelionMatmul
func.func @whole_grid(%x: memref<64x40xf32>, %y: memref<40x64xf32>, %out: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.parallel (%i, %j) = (0, 0) to (64, 64) step (32, 32) {
    %e = tensor.empty() : tensor<32x32xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
    %acc = affine.for %k = 0 to 40 step 16 iter_args(%a = %init) -> (tensor<32x32xf32>) {
      %kk = affine.min affine_map<(d0) -> (16, -d0 + 40)>(%k)
      %xv = memref.subview %x[%i, %k] [32, %kk] [1, 1] : memref<64x40xf32> to memref<32x?xf32, strided<[40, 1], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<32x?xf32, strided<[40, 1], offset: ?>> to tensor<32x?xf32>
      %kpad = affine.apply affine_map<(d0) -> (-d0 + 16)>(%kk)
      %xp = tensor.pad %xt low[0, 0] high[0, %kpad] {
      ^bb0(%p: index, %q: index):
        tensor.yield %zero : f32
      } : tensor<32x?xf32> to tensor<32x16xf32>
      %yv = memref.subview %y[%k, %j] [%kk, 32] [1, 1] : memref<40x64xf32> to memref<?x32xf32, strided<[64, 1], offset: ?>>
      %yt = bufferization.to_tensor %yv restrict : memref<?x32xf32, strided<[64, 1], offset: ?>> to tensor<?x32xf32>
      %yp = tensor.pad %yt low[0, 0] high[%kpad, 0] {
      ^bb0(%p: index, %q: index):
        tensor.yield %zero : f32
      } : tensor<?x32xf32> to tensor<16x32xf32>
      %m = linalg.matmul ins(%xp, %yp : tensor<32x16xf32>, tensor<16x32xf32>) outs(%a : tensor<32x32xf32>) -> tensor<32x32xf32>
      affine.yield %m : tensor<32x32xf32>
    }
    %ov = memref.subview %out[%i, %j] [32, 32] [1, 1] : memref<64x64xf32> to memref<32x32xf32, strided<[64, 1], offset: ?>>
    bufferization.materialize_in_destination %acc in restrict writable %ov : (tensor<32x32xf32>, memref<32x32xf32, strided<[64, 1], offset: ?>>) -> ()
  }
  return
}

// -----

// Dynamic sizes: the whole K steps end at K - K % 16, computed; the offsets the lowering clamps into
// the tensor (min(k, K)) are k there, so the lhs, whose K bounds the loop, reads unpadded. The rhs's
// K is another size (its own memref.dim, equal only by Helion's host assert), so it keeps its pad.
// CHECK-LABEL: IR Dump After HelionFullTiles
// CHECK-LABEL: IR Dump After Canonicalizer
// CHECK: func.func @dynamic(
// CHECK: %[[K:[^ ]*]] = memref.dim %arg0, %c1
// CHECK: scf.parallel
// CHECK: %[[REST:[^ ]*]] = arith.remsi %[[K]], %[[C16:[^ ]*]] : index
// CHECK: %[[END:[^ ]*]] = arith.subi %[[K]], %[[REST]] : index
// CHECK: scf.if
// CHECK-NEXT: scf.for %[[KK:[^ ]*]] = %{{.*}} to %[[END]] step %[[C16]]
// CHECK-NEXT: memref.subview %arg0[%{{.*}}, %[[KK]]] [32, 16]
// CHECK-NOT: tensor.pad
// CHECK: %[[LHS:[^ ]*]] = tensor.cast {{.*}} to tensor<32x16xf32>
// CHECK: %[[RHS:[^ ]*]] = tensor.pad
// CHECK: linalg.matmul ins(%[[LHS]], %[[RHS]]
// CHECK: scf.for %{{.*}} to %[[K]] step %[[C16]]
// CHECK-LABEL: IR Dump After HelionMatmul
func.func @dynamic(%arg0: memref<?x?xf32, strided<[?, ?]>>, %arg1: memref<?x?xf32, strided<[?, ?]>>, %arg2: memref<?x?xf32, strided<[?, 1]>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %arg0, %c0 : memref<?x?xf32, strided<[?, ?]>>
  %k = memref.dim %arg0, %c1 : memref<?x?xf32, strided<[?, ?]>>
  %k2 = memref.dim %arg1, %c0 : memref<?x?xf32, strided<[?, ?]>>
  %n = memref.dim %arg1, %c1 : memref<?x?xf32, strided<[?, ?]>>
  affine.parallel (%i, %j) = (0, 0) to (symbol(%m), symbol(%n)) step (32, 32) {
    %tm = affine.min affine_map<(d0, d1) -> (32, d1 - d0)>(%i, %m)
    %tn = affine.min affine_map<(d0, d1) -> (32, d1 - d0)>(%j, %n)
    %e = tensor.empty() : tensor<32x32xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
    %acc = affine.for %kk = 0 to %k step 16 iter_args(%a = %init) -> (tensor<32x32xf32>) {
      %tk = affine.min affine_map<(d0, d1) -> (16, d1 - d0)>(%kk, %k)
      %xo = arith.minsi %kk, %k : index
      %xr = arith.subi %k, %xo : index
      %xk = arith.minsi %tk, %xr : index
      %xv = memref.subview %arg0[%i, %xo] [%tm, %xk] [1, 1] : memref<?x?xf32, strided<[?, ?]>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
      %xt = bufferization.to_tensor %xv restrict : memref<?x?xf32, strided<[?, ?], offset: ?>> to tensor<?x?xf32>
      %xmp = affine.apply affine_map<(d0) -> (-d0 + 32)>(%tm)
      %xkp = affine.apply affine_map<(d0) -> (-d0 + 16)>(%xk)
      %xp = tensor.pad %xt low[0, 0] high[%xmp, %xkp] {
      ^bb0(%p: index, %q: index):
        tensor.yield %zero : f32
      } : tensor<?x?xf32> to tensor<32x16xf32>
      %yo = arith.minsi %kk, %k2 : index
      %yr = arith.subi %k2, %yo : index
      %yk = arith.minsi %tk, %yr : index
      %yv = memref.subview %arg1[%yo, %j] [%yk, %tn] [1, 1] : memref<?x?xf32, strided<[?, ?]>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
      %yt = bufferization.to_tensor %yv restrict : memref<?x?xf32, strided<[?, ?], offset: ?>> to tensor<?x?xf32>
      %ykp = affine.apply affine_map<(d0) -> (-d0 + 16)>(%yk)
      %ynp = affine.apply affine_map<(d0) -> (-d0 + 32)>(%tn)
      %yp = tensor.pad %yt low[0, 0] high[%ykp, %ynp] {
      ^bb0(%p: index, %q: index):
        tensor.yield %zero : f32
      } : tensor<?x?xf32> to tensor<16x32xf32>
      %r = linalg.matmul ins(%xp, %yp : tensor<32x16xf32>, tensor<16x32xf32>) outs(%a : tensor<32x32xf32>) -> tensor<32x32xf32>
      affine.yield %r : tensor<32x32xf32>
    }
    %ov = memref.subview %arg2[%i, %j] [%tm, %tn] [1, 1] : memref<?x?xf32, strided<[?, 1]>> to memref<?x?xf32, strided<[?, 1], offset: ?>>
    %os = tensor.extract_slice %acc[0, 0] [%tm, %tn] [1, 1] : tensor<32x32xf32> to tensor<?x?xf32>
    bufferization.materialize_in_destination %os in restrict writable %ov : (tensor<?x?xf32>, memref<?x?xf32, strided<[?, 1], offset: ?>>) -> ()
  }
  return
}
