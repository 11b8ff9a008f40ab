// The matmul kernels the JIT's pipeline makes of a kernel's f32 and f64 linalg.matmul and
// linalg.batch_matmul tiles, before the rest of the vectorization (lib/run/vectorize.mlir): lib/run/
// Vectorize.c parses this file (embedded in the library at build time) and runs one of its entry
// points (@matmul_128, @matmul_256, @matmul_512) through MLIR's transform interpreter, as the pass
// helion-matmul.
//
// Operands. A Helion load of an edge tile is a tensor.pad of the part inside the tensor, and the
// matmul takes the padded tile. The pad becomes a packed copy: a fill of the static tile, then a
// loop over the rows the tensor has, each row one masked vector read of the host tensor and one
// masked write into the tile (rows of more than 64 lanes in pieces of 64; lib/run/Vectorize.c then
// makes a whole row's write an unmasked one, lib/run/UnmaskPackedRows.c). That is the copy the
// bufferization would make with memrefCopy, as vector code: memrefCopy is a memcpy call per row, 16
// floats each for a K tile of 16, and took nearly half of a 1000^3 matmul's time (perf). The matmul
// then reads its operands contiguously, whatever the host's row stride, and never sees a partial
// tile.
//
// Register blocks. The accumulator is tiled into blocks of a few rows and two vector registers of
// columns (the entry points at the end size them for 128-, 256- and 512-bit registers, and
// lib/run/Vectorize.c runs the host's), whose vector.contract becomes outer products: one FMA per
// block row, register and element of K, whatever K tile the kernel has (f32 and f64 operands; the
// contraction lowering takes no mixed types, so lib/run/Vectorize.c first gives a matmul of static
// f16 or bf16 tiles accumulating in f32 widened f32 copies of its tiles, lib/run/WidenMatmul.c, and
// such a matmul is an f32 one here). A tiling or vectorization that fails leaves its op as it was
// (failures(suppress)), for vectorize.mlir or the loops later.
module attributes {transform.with_named_sequence} {
  // The static sizes of a matmul with operands of 32 bits or more (m, n, k) and their width, as params.
  transform.named_sequence @wide_matmul(%op: !transform.any_op {transform.readonly}) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) {
    transform.match.operation_name %op ["linalg.matmul"] : !transform.any_op
    %m, %n, %k, %width = transform.match.structured %op : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) {
    ^bb0(%s: !transform.any_op):
      %dm = transform.match.structured.dim %s[0] : (!transform.any_op) -> !transform.param<i64>
      %dn = transform.match.structured.dim %s[1] : (!transform.any_op) -> !transform.param<i64>
      %dk = transform.match.structured.dim %s[2] : (!transform.any_op) -> !transform.param<i64>
      %a = transform.match.structured.input %s[0] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %a : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %dm, %dn, %dk, %w : !transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>
    }
    %single = transform.param.constant 32 : i64 -> !transform.param<i64>
    transform.match.param.cmpi ge %width, %single : !transform.param<i64>
    transform.yield %m, %n, %k, %width : !transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>
  }
  // The same for a batch matmul (its batch dimension is the first).
  transform.named_sequence @wide_batch_matmul(%op: !transform.any_op {transform.readonly}) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) {
    transform.match.operation_name %op ["linalg.batch_matmul"] : !transform.any_op
    %m, %n, %k, %width = transform.match.structured %op : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) {
    ^bb0(%s: !transform.any_op):
      %dm = transform.match.structured.dim %s[1] : (!transform.any_op) -> !transform.param<i64>
      %dn = transform.match.structured.dim %s[2] : (!transform.any_op) -> !transform.param<i64>
      %dk = transform.match.structured.dim %s[3] : (!transform.any_op) -> !transform.param<i64>
      %a = transform.match.structured.input %s[0] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %a : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %dm, %dn, %dk, %w : !transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>
    }
    %single = transform.param.constant 32 : i64 -> !transform.param<i64>
    transform.match.param.cmpi ge %width, %single : !transform.param<i64>
    transform.yield %m, %n, %k, %width : !transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>
  }

  // ---- Operands: padded tiles become packed copies ----
  //
  // Each matcher yields the pad and the length of its rows (the lhs's are K long, the rhs's N).
  transform.named_sequence @lhs_pad(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %pad = transform.get_producer_of_operand %op[0] : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %pad ["tensor.pad"] : !transform.any_op
    transform.yield %pad, %k : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @rhs_pad(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %pad = transform.get_producer_of_operand %op[1] : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %pad ["tensor.pad"] : !transform.any_op
    transform.yield %pad, %n : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_lhs_pad(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_batch_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %pad = transform.get_producer_of_operand %op[0] : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %pad ["tensor.pad"] : !transform.any_op
    transform.yield %pad, %k : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_rhs_pad(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_batch_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %pad = transform.get_producer_of_operand %op[1] : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %pad ["tensor.pad"] : !transform.any_op
    transform.yield %pad, %n : !transform.any_op, !transform.param<i64>
  }
  // The same behind a widened 16-bit operand (lib/run/WidenMatmul.c): the pad is the input of the
  // linalg.copy that widens it, and is packed as an f32 one is (then widened row by row by
  // vectorize.mlir), not left to a memrefCopy.
  transform.named_sequence @widened_pad(%widen: !transform.any_op {transform.readonly}) -> !transform.any_op {
    transform.match.operation_name %widen ["linalg.copy"] : !transform.any_op
    %pad = transform.get_producer_of_operand %widen[0] : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %pad ["tensor.pad"] : !transform.any_op
    transform.yield %pad : !transform.any_op
  }
  transform.named_sequence @lhs_widened_pad(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %widen = transform.get_producer_of_operand %op[0] : (!transform.any_op) -> !transform.any_op
    %pad = transform.include @widened_pad failures(propagate) (%widen) : (!transform.any_op) -> !transform.any_op
    transform.yield %pad, %k : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @rhs_widened_pad(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %widen = transform.get_producer_of_operand %op[1] : (!transform.any_op) -> !transform.any_op
    %pad = transform.include @widened_pad failures(propagate) (%widen) : (!transform.any_op) -> !transform.any_op
    transform.yield %pad, %n : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_lhs_widened_pad(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_batch_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %widen = transform.get_producer_of_operand %op[0] : (!transform.any_op) -> !transform.any_op
    %pad = transform.include @widened_pad failures(propagate) (%widen) : (!transform.any_op) -> !transform.any_op
    transform.yield %pad, %k : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_rhs_widened_pad(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_batch_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %widen = transform.get_producer_of_operand %op[1] : (!transform.any_op) -> !transform.any_op
    %pad = transform.include @widened_pad failures(propagate) (%widen) : (!transform.any_op) -> !transform.any_op
    transform.yield %pad, %n : !transform.any_op, !transform.param<i64>
  }
  // The pad as a fill and a copy of the host's part into it (the copy's sizes are the part's). The
  // fill's tile is an alloc_tensor, not a tensor.empty: CSE would merge the fill with another one of
  // the same shape (the accumulator's zeros, when the operand tile has its shape), and the
  // bufferization would then copy the shared zeros into a fresh buffer at every K step.
  transform.named_sequence @pad_as_copy(%pad: !transform.any_op {transform.consumed}) -> !transform.any_op {
    %insert = transform.structured.rewrite_in_destination_passing_style %pad : (!transform.any_op) -> !transform.any_op
    %fill = transform.get_producer_of_operand %insert[1] : (!transform.any_op) -> !transform.any_op
    %empty = transform.get_producer_of_operand %fill[1] : (!transform.any_op) -> !transform.any_op
    %typed = transform.cast %empty : !transform.any_op to !transform.op<"tensor.empty">
    %tile = transform.bufferization.empty_tensor_to_alloc_tensor %typed : (!transform.op<"tensor.empty">) -> !transform.op<"bufferization.alloc_tensor">
    %copy = transform.structured.insert_slice_to_copy %insert : (!transform.any_op) -> !transform.any_op
    transform.yield %copy : !transform.any_op
  }
  // A row of at most 64 lanes is one masked vector of the tile's row length; a longer one is
  // copied in pieces of 64 (a whole row of 1024 lanes would be 64 registers).
  transform.named_sequence @short_rows(%lanes: !transform.param<i64> {transform.readonly}) {
    %piece = transform.param.constant 64 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %lanes, %piece : !transform.param<i64>
    transform.yield
  }
  transform.named_sequence @long_rows(%lanes: !transform.param<i64> {transform.readonly}) {
    %piece = transform.param.constant 64 : i64 -> !transform.param<i64>
    transform.match.param.cmpi gt %lanes, %piece : !transform.param<i64>
    transform.yield
  }
  transform.named_sequence @lhs_pad_short(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @lhs_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @short_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @lhs_pad_long(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @lhs_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @long_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @rhs_pad_short(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @rhs_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @short_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @rhs_pad_long(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @rhs_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @long_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_lhs_pad_short(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @batch_lhs_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @short_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_lhs_pad_long(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @batch_lhs_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @long_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_rhs_pad_short(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @batch_rhs_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @short_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_rhs_pad_long(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @batch_rhs_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @long_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @lhs_widened_pad_short(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @lhs_widened_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @short_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @lhs_widened_pad_long(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @lhs_widened_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @long_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @rhs_widened_pad_short(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @rhs_widened_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @short_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @rhs_widened_pad_long(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @rhs_widened_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @long_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_lhs_widened_pad_short(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @batch_lhs_widened_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @short_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_lhs_widened_pad_long(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @batch_lhs_widened_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @long_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_rhs_widened_pad_short(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @batch_rhs_widened_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @short_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @batch_rhs_widened_pad_long(%op: !transform.any_op {transform.readonly}) -> (!transform.any_op, !transform.param<i64>) {
    %pad, %lanes = transform.include @batch_rhs_widened_pad failures(propagate) (%op) : (!transform.any_op) -> (!transform.any_op, !transform.param<i64>)
    transform.include @long_rows failures(propagate) (%lanes) : (!transform.param<i64>) -> ()
    transform.yield %pad, %lanes : !transform.any_op, !transform.param<i64>
  }
  transform.named_sequence @pack_rows_2d(%pad: !transform.any_op {transform.consumed}, %lanes: !transform.param<i64> {transform.readonly}) {
    %copy = transform.include @pad_as_copy failures(propagate) (%pad) : (!transform.any_op) -> !transform.any_op
    %row, %loop = transform.structured.tile_using_for %copy tile_sizes [1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.structured.vectorize %row vector_sizes [1, %lanes] : !transform.any_op, !transform.param<i64>
    transform.yield
  }
  transform.named_sequence @pack_pieces_2d(%pad: !transform.any_op {transform.consumed}, %lanes: !transform.param<i64> {transform.readonly}) {
    %copy = transform.include @pad_as_copy failures(propagate) (%pad) : (!transform.any_op) -> !transform.any_op
    %row, %loops:2 = transform.structured.tile_using_for %copy tile_sizes [1, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.structured.vectorize %row vector_sizes [1, 64] : !transform.any_op
    transform.yield
  }
  transform.named_sequence @pack_rows_3d(%pad: !transform.any_op {transform.consumed}, %lanes: !transform.param<i64> {transform.readonly}) {
    %copy = transform.include @pad_as_copy failures(propagate) (%pad) : (!transform.any_op) -> !transform.any_op
    %row, %loops:2 = transform.structured.tile_using_for %copy tile_sizes [1, 1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.structured.vectorize %row vector_sizes [1, 1, %lanes] : !transform.any_op, !transform.param<i64>
    transform.yield
  }
  transform.named_sequence @pack_pieces_3d(%pad: !transform.any_op {transform.consumed}, %lanes: !transform.param<i64> {transform.readonly}) {
    %copy = transform.include @pad_as_copy failures(propagate) (%pad) : (!transform.any_op) -> !transform.any_op
    %row, %loops:3 = transform.structured.tile_using_for %copy tile_sizes [1, 1, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.structured.vectorize %row vector_sizes [1, 1, 64] : !transform.any_op
    transform.yield
  }

  // ---- Register blocks ----
  //
  // A block is %rows x %cols of the accumulator, for the matmuls whose operands are %bits wide: the
  // entry point gives the sizes for the host's vector registers. A matcher yields the op and the
  // block's sizes for its action; a matmul smaller than the block in M or N is not tiled along it.
  transform.named_sequence @matmul_of(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}) -> (!transform.param<i64>, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    transform.match.param.cmpi eq %w, %bits : !transform.param<i64>
    transform.yield %m, %n : !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @batch_matmul_of(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}) -> (!transform.param<i64>, !transform.param<i64>) {
    %m, %n, %k, %w = transform.include @wide_batch_matmul failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    transform.match.param.cmpi eq %w, %bits : !transform.param<i64>
    transform.yield %m, %n : !transform.param<i64>, !transform.param<i64>
  }
  // Whether M holds the block's rows and N its columns.
  transform.named_sequence @rows_cols(%m: !transform.param<i64> {transform.readonly}, %n: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.match.param.cmpi ge %m, %rows : !transform.param<i64>
    transform.match.param.cmpi ge %n, %cols : !transform.param<i64>
    transform.yield
  }
  transform.named_sequence @rows_only(%m: !transform.param<i64> {transform.readonly}, %n: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.match.param.cmpi ge %m, %rows : !transform.param<i64>
    transform.match.param.cmpi lt %n, %cols : !transform.param<i64>
    transform.yield
  }
  transform.named_sequence @cols_only(%m: !transform.param<i64> {transform.readonly}, %n: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.match.param.cmpi lt %m, %rows : !transform.param<i64>
    transform.match.param.cmpi ge %n, %cols : !transform.param<i64>
    transform.yield
  }
  transform.named_sequence @neither(%m: !transform.param<i64> {transform.readonly}, %n: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.match.param.cmpi lt %m, %rows : !transform.param<i64>
    transform.match.param.cmpi lt %n, %cols : !transform.param<i64>
    transform.yield
  }
  transform.named_sequence @is_matmul_rows_cols(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> (!transform.any_op, !transform.param<i64>, !transform.param<i64>) {
    %m, %n = transform.include @matmul_of failures(propagate) (%op, %bits) : (!transform.any_op, !transform.param<i64>) -> (!transform.param<i64>, !transform.param<i64>)
    transform.include @rows_cols failures(propagate) (%m, %n, %rows, %cols) : (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield %op, %rows, %cols : !transform.any_op, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_matmul_rows(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> (!transform.any_op, !transform.param<i64>, !transform.param<i64>) {
    %m, %n = transform.include @matmul_of failures(propagate) (%op, %bits) : (!transform.any_op, !transform.param<i64>) -> (!transform.param<i64>, !transform.param<i64>)
    transform.include @rows_only failures(propagate) (%m, %n, %rows, %cols) : (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield %op, %rows, %cols : !transform.any_op, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_matmul_cols(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> (!transform.any_op, !transform.param<i64>, !transform.param<i64>) {
    %m, %n = transform.include @matmul_of failures(propagate) (%op, %bits) : (!transform.any_op, !transform.param<i64>) -> (!transform.param<i64>, !transform.param<i64>)
    transform.include @cols_only failures(propagate) (%m, %n, %rows, %cols) : (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield %op, %rows, %cols : !transform.any_op, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_matmul_small(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> (!transform.any_op, !transform.param<i64>, !transform.param<i64>) {
    %m, %n = transform.include @matmul_of failures(propagate) (%op, %bits) : (!transform.any_op, !transform.param<i64>) -> (!transform.param<i64>, !transform.param<i64>)
    transform.include @neither failures(propagate) (%m, %n, %rows, %cols) : (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield %op, %rows, %cols : !transform.any_op, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_batch_matmul_rows_cols(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> (!transform.any_op, !transform.param<i64>, !transform.param<i64>) {
    %m, %n = transform.include @batch_matmul_of failures(propagate) (%op, %bits) : (!transform.any_op, !transform.param<i64>) -> (!transform.param<i64>, !transform.param<i64>)
    transform.include @rows_cols failures(propagate) (%m, %n, %rows, %cols) : (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield %op, %rows, %cols : !transform.any_op, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_batch_matmul_rows(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> (!transform.any_op, !transform.param<i64>, !transform.param<i64>) {
    %m, %n = transform.include @batch_matmul_of failures(propagate) (%op, %bits) : (!transform.any_op, !transform.param<i64>) -> (!transform.param<i64>, !transform.param<i64>)
    transform.include @rows_only failures(propagate) (%m, %n, %rows, %cols) : (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield %op, %rows, %cols : !transform.any_op, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_batch_matmul_cols(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> (!transform.any_op, !transform.param<i64>, !transform.param<i64>) {
    %m, %n = transform.include @batch_matmul_of failures(propagate) (%op, %bits) : (!transform.any_op, !transform.param<i64>) -> (!transform.param<i64>, !transform.param<i64>)
    transform.include @cols_only failures(propagate) (%m, %n, %rows, %cols) : (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield %op, %rows, %cols : !transform.any_op, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_batch_matmul_small(%op: !transform.any_op {transform.readonly}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> (!transform.any_op, !transform.param<i64>, !transform.param<i64>) {
    %m, %n = transform.include @batch_matmul_of failures(propagate) (%op, %bits) : (!transform.any_op, !transform.param<i64>) -> (!transform.param<i64>, !transform.param<i64>)
    transform.include @neither failures(propagate) (%m, %n, %rows, %cols) : (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield %op, %rows, %cols : !transform.any_op, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @tile_matmul_rows_cols(%op: !transform.any_op {transform.consumed}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:2 = transform.structured.tile_using_for %target tile_sizes [%rows, %cols, 0] : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @tile_matmul_rows(%op: !transform.any_op {transform.consumed}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loop = transform.structured.tile_using_for %target tile_sizes [%rows, 0, 0] : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @tile_matmul_cols(%op: !transform.any_op {transform.consumed}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loop = transform.structured.tile_using_for %target tile_sizes [0, %cols, 0] : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @tile_batch_matmul_rows_cols(%op: !transform.any_op {transform.consumed}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:3 = transform.structured.tile_using_for %target tile_sizes [1, %rows, %cols, 0] : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @tile_batch_matmul_rows(%op: !transform.any_op {transform.consumed}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:2 = transform.structured.tile_using_for %target tile_sizes [1, %rows, 0, 0] : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @tile_batch_matmul_cols(%op: !transform.any_op {transform.consumed}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:2 = transform.structured.tile_using_for %target tile_sizes [1, 0, %cols, 0] : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @vectorize(%op: !transform.any_op {transform.consumed}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      transform.structured.vectorize %target : !transform.any_op
    }
    transform.yield
  }
  // The register blocks of the matmuls whose operands are %bits wide.
  transform.named_sequence @blocks(%funcs: !transform.any_op {transform.consumed}, %bits: !transform.param<i64> {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %cols: !transform.param<i64> {transform.readonly}) -> !transform.any_op {
    %blocks = transform.foreach_match in %funcs, %bits, %rows, %cols
        @is_matmul_rows_cols -> @tile_matmul_rows_cols,
        @is_matmul_rows -> @tile_matmul_rows,
        @is_matmul_cols -> @tile_matmul_cols,
        @is_batch_matmul_rows_cols -> @tile_batch_matmul_rows_cols,
        @is_batch_matmul_rows -> @tile_batch_matmul_rows,
        @is_batch_matmul_cols -> @tile_batch_matmul_cols,
        @is_matmul_small -> @vectorize,
        @is_batch_matmul_small -> @vectorize : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> !transform.any_op
    transform.yield %blocks : !transform.any_op
  }

  // The whole script for register blocks of f32 (%rows x %f32) and f64 (%rows x %f64).
  transform.named_sequence @matmul(%root: !transform.any_op {transform.readonly}, %rows: !transform.param<i64> {transform.readonly}, %f32: !transform.param<i64> {transform.readonly}, %f64: !transform.param<i64> {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    // One operand at a time: a pad both operands share is packed once.
    %lhs = transform.foreach_match in %funcs
        @lhs_pad_short -> @pack_rows_2d,
        @lhs_pad_long -> @pack_pieces_2d,
        @batch_lhs_pad_short -> @pack_rows_3d,
        @batch_lhs_pad_long -> @pack_pieces_3d,
        @lhs_widened_pad_short -> @pack_rows_2d,
        @lhs_widened_pad_long -> @pack_pieces_2d,
        @batch_lhs_widened_pad_short -> @pack_rows_3d,
        @batch_lhs_widened_pad_long -> @pack_pieces_3d : (!transform.any_op) -> !transform.any_op
    %rhs = transform.foreach_match in %lhs
        @rhs_pad_short -> @pack_rows_2d,
        @rhs_pad_long -> @pack_pieces_2d,
        @batch_rhs_pad_short -> @pack_rows_3d,
        @batch_rhs_pad_long -> @pack_pieces_3d,
        @rhs_widened_pad_short -> @pack_rows_2d,
        @rhs_widened_pad_long -> @pack_pieces_2d,
        @batch_rhs_widened_pad_short -> @pack_rows_3d,
        @batch_rhs_widened_pad_long -> @pack_pieces_3d : (!transform.any_op) -> !transform.any_op
    %single = transform.param.constant 32 : i64 -> !transform.param<i64>
    %singles = transform.include @blocks failures(propagate) (%rhs, %single, %rows, %f32) : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> !transform.any_op
    %double = transform.param.constant 64 : i64 -> !transform.param<i64>
    %blocks = transform.include @blocks failures(propagate) (%singles, %double, %rows, %f64) : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> !transform.any_op
    // The packed rows' vector.mask ops become masked transfers: the bufferization put a constant
    // into a vector.mask's region, which then held two ops ('vector.mask' op expects only one
    // operation to mask). The register blocks' vector.contract ops are lowered to outer products
    // by vectorize.mlir, with the rest of the kernel's vector ops: applying its pattern sets here
    // as well doubled the compile of attention's two unrolled batch matmuls.
    transform.apply_patterns to %blocks {
      transform.apply_patterns.vector.lower_masked_transfers
    } : !transform.any_op
    transform.yield
  }

  // ---- Entry points, one per vector register width (lib/run/Vectorize.c picks the host's) ----
  //
  // A block row is two vector registers of accumulators, so each FMA's operand from the rhs serves
  // as many rows as the registers leave room for. 512 bits (AVX-512, 32 registers): 8 x 32 f32,
  // 16 accumulators. 256 bits (AVX2, 16 registers): 4 x 16, 8 accumulators, two rhs vectors and a
  // broadcast lhs element; 8 x 16 (16 accumulators) and 8 x 32 spill, and blocks must divide the
  // tiles, whose sizes are powers of two (6 x 16 does not). 128 bits (SSE, 16 registers): 4 x 8.
  transform.named_sequence @matmul_512(%root: !transform.any_op {transform.readonly}) {
    %rows = transform.param.constant 8 : i64 -> !transform.param<i64>
    %f32 = transform.param.constant 32 : i64 -> !transform.param<i64>
    %f64 = transform.param.constant 16 : i64 -> !transform.param<i64>
    transform.include @matmul failures(propagate) (%root, %rows, %f32, %f64) : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield
  }
  transform.named_sequence @matmul_256(%root: !transform.any_op {transform.readonly}) {
    %rows = transform.param.constant 4 : i64 -> !transform.param<i64>
    %f32 = transform.param.constant 16 : i64 -> !transform.param<i64>
    %f64 = transform.param.constant 8 : i64 -> !transform.param<i64>
    transform.include @matmul failures(propagate) (%root, %rows, %f32, %f64) : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield
  }
  transform.named_sequence @matmul_128(%root: !transform.any_op {transform.readonly}) {
    %rows = transform.param.constant 4 : i64 -> !transform.param<i64>
    %f32 = transform.param.constant 8 : i64 -> !transform.param<i64>
    %f64 = transform.param.constant 4 : i64 -> !transform.param<i64>
    transform.include @matmul failures(propagate) (%root, %rows, %f32, %f64) : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield
  }
}
