// The vectorization the JIT's pipeline applies to a kernel before bufferization: lib/run/Vectorize.c
// parses this file (embedded in the library at build time) and runs @__transform_main through MLIR's
// transform interpreter.
//
// A kernel's tiles are static tensors (Helion's block sizes, powers of two). Whole-tile n-D vectors
// would be unrolled into thousands of LLVM values, so every linalg op is first tiled into rows of its
// innermost dimension (1 x ... x 1 x N, N at most 1024) and then vectorized: a row is 1-D vector
// arithmetic, a reduction along it one vector.reduction. The f32 and f64 matmuls are register
// blocks by then (lib/run/matmul.mlir, the pass before this one); a 16-bit matmul accumulating in f32
// is tiled here like any op, into dot products, since the contraction lowering takes no mixed
// types. An op the vectorizer cannot take (dynamic sizes, a combiner with several results) stays
// linalg and becomes loops later in the pipeline: a tiling or vectorization that fails leaves its op
// as it was (failures(suppress)).
module attributes {transform.with_named_sequence} {
  // A padded load: tensor.pad becomes a fill and an insert_slice of the loaded part, and the
  // insert_slice of a static tile a linalg.copy (@is_static_pad_copy below); that of a dynamic 1-D
  // tile, or of a 2-D one of at most 8 rows, one masked vector read of the source (the fill value
  // where it has no element). The read of a 2-D tile becomes a branch per row, unrolled, each
  // carrying the rows read so far (LLVM's register coalescer took seconds on 64 rows of 128), so
  // larger tiles keep the copy (memrefCopy), and so do 16-bit ones: LLVM cannot legalize those
  // branches for half or bfloat vectors (LLVM ERROR: Do not know how to soft promote this operator's
  // operand). Rows past 4096 lanes keep the copy too: a reduction over a whole long row (4 x 130000
  // in tiles of 131072) made a 130000-lane read that LLVM compiled for minutes. Vectorizing the pad
  // itself would let the row reads below fold into reads of the unpadded source and read its rows
  // past the end.
  //
  // @pad_copy: the fill under a pad copy, its element width, rank and leading size.
  transform.named_sequence @pad_copy(%op: !transform.any_op {transform.readonly}) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>) {
    transform.match.operation_name %op ["tensor.insert_slice"] : !transform.any_op
    %dest = transform.get_producer_of_operand %op[1] : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %dest ["linalg.fill"] : !transform.any_op
    %width, %rank, %rows, %lanes_in_row = transform.match.structured %dest : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.init %s[0] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      %r = transform.match.structured.rank %s : (!transform.any_op) -> !transform.param<i64>
      %d = transform.match.structured.dim %s[0] : (!transform.any_op) -> !transform.param<i64>
      %l = transform.match.structured.dim %s[-1] : (!transform.any_op) -> !transform.param<i64>
      transform.match.structured.yield %w, %r, %d, %l : !transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>
    }
    %half = transform.param.constant 16 : i64 -> !transform.param<i64>
    transform.match.param.cmpi ne %width, %half : !transform.param<i64>
    %lanes = transform.param.constant 4096 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %lanes_in_row, %lanes : !transform.param<i64>
    transform.yield %width, %rank, %rows : !transform.param<i64>, !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_row_pad_copy(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width, %rank, %rows = transform.include @pad_copy failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_tile_pad_copy(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width, %rank, %rows = transform.include @pad_copy failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %two = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %two : !transform.param<i64>
    %limit = transform.param.constant 8 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %rows, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  // A pad of a static tile (a row of 1000 in a 1024-lane tile) becomes a linalg.copy of the loaded
  // part into the fill, which the rules below tile into rows and pieces like any element-wise op:
  // read as one 4 x 1000 vector, the part went through the stack, 62 registers a row. Its sizes are
  // the insert_slice's operands after the source and the destination: a static one has none.
  transform.named_sequence @is_static_pad_copy(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width, %rank, %rows = transform.include @pad_copy failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
    %operands = transform.get_operand %op[all] : (!transform.any_op) -> !transform.any_value
    %count = transform.num_associations %operands : (!transform.any_value) -> !transform.param<i64>
    %two = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %count, %two : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @copy_rows(%op: !transform.any_op {transform.consumed}) {
    %copy = transform.structured.insert_slice_to_copy %op : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
  transform.named_sequence @vectorize(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%load: !transform.any_op):
      transform.structured.vectorize %load : !transform.any_op
    }
    transform.yield
  }

  // The rank of a linalg op and the static size of its innermost dimension (-1: dynamic).
  transform.named_sequence @shape(%op: !transform.any_op {transform.readonly}) -> (!transform.param<i64>, !transform.param<i64>) {
    %rank, %inner = transform.match.structured %op : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>) {
    ^bb0(%s: !transform.any_op):
      %r = transform.match.structured.rank %s : (!transform.any_op) -> !transform.param<i64>
      %d = transform.match.structured.dim %s[-1] : (!transform.any_op) -> !transform.param<i64>
      transform.match.structured.yield %r, %d : !transform.param<i64>, !transform.param<i64>
    }
    transform.yield %rank, %inner : !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_rank1_rows(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank1_chunks(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi gt %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank1_chunks(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loop = transform.structured.tile_using_for %target tile_sizes [1024] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  // An element-wise op (every dimension parallel) on rows of 128 to 1024 lanes is tiled into pieces
  // of 32 f32 lanes (four AVX2 registers, two AVX-512 ones): whole rows of 1024 lanes were vectors of
  // 64 AVX-512 registers, which LLVM's register allocator, instruction selection and scheduler spent
  // most of a kernel's compile time on (0.5 s of softmax's), spilling them at run time too. Pieces
  // of 64 lanes were eight of AVX2's sixteen registers a value: softmax's exp polynomial spilled its
  // pieces and constants to the stack (172 stack accesses in its code, 109 now) and ran at 0.85 of
  // torch on one Zen 3 core, 1.0 now; the pointwise chain went from 4.9 to 6.9 times torch's speed.
  // Only rows of a power of two, as Helion's tiles are: the pieces of other rows would need masks (a
  // row of 70: vector.mask on the unit-row transfers breaks the later patterns), and those keep the
  // whole row. Reductions keep their whole row too (one vector.reduction).
  transform.named_sequence @parallel_row(%op: !transform.any_op {transform.readonly}) -> (!transform.param<i64>, !transform.param<i64>) {
    %rank, %inner = transform.match.structured %op : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>) {
    ^bb0(%s: !transform.any_op):
      transform.match.structured.dim %s[all] {parallel} : !transform.any_op
      %r = transform.match.structured.rank %s : (!transform.any_op) -> !transform.param<i64>
      %d = transform.match.structured.dim %s[-1] : (!transform.any_op) -> !transform.param<i64>
      transform.match.structured.yield %r, %d : !transform.param<i64>, !transform.param<i64>
    }
    transform.yield %rank, %inner : !transform.param<i64>, !transform.param<i64>
  }
  transform.named_sequence @is_rank1_lanes_128(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 128 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank1_lanes_256(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 256 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank1_lanes_512(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 512 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank1_lanes_1024(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank1_lanes(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:1 = transform.structured.tile_using_for %target tile_sizes [32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank2_lanes_128(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 128 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank2_lanes_256(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 256 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank2_lanes_512(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 512 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank2_lanes_1024(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank2_lanes(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:2 = transform.structured.tile_using_for %target tile_sizes [1, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank3_lanes_128(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 3 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 128 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank3_lanes_256(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 3 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 256 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank3_lanes_512(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 3 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 512 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @is_rank3_lanes_1024(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 3 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %width = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %width : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank3_lanes(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:3 = transform.structured.tile_using_for %target tile_sizes [1, 1, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  // A column of a tile (4 x 1: a scan's or a reduction's step over the tile's rows) is one vector
  // of its rows, not rows of one lane each: with the carried value in registers (helion-carry-vectors)
  // a step is one vector op. Up to 64 rows: the vector's rows are unrolled.
  transform.named_sequence @is_rank2_column(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %rows, %inner = transform.match.structured %op : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>, !transform.param<i64>) {
    ^bb0(%s: !transform.any_op):
      %r = transform.match.structured.rank %s : (!transform.any_op) -> !transform.param<i64>
      %m = transform.match.structured.dim %s[0] : (!transform.any_op) -> !transform.param<i64>
      %d = transform.match.structured.dim %s[-1] : (!transform.any_op) -> !transform.param<i64>
      transform.match.structured.yield %r, %m, %d : !transform.param<i64>, !transform.param<i64>, !transform.param<i64>
    }
    %two = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %two : !transform.param<i64>
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %inner, %one : !transform.param<i64>
    %limit = transform.param.constant 64 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %rows, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  // An element-wise row of another length past 128 (a tile's real part, 1000 of 1024 lanes) works
  // in pieces of 32 too (a shorter row stays one vector of at most eight AVX-512 registers, sixteen
  // AVX2 ones): the loop over the pieces is peeled, so the last, shorter piece is a vector of its
  // own static length (no masks, which vector.mask on the unit-row transfers would need), and the
  // pieces before it are full. A length that 32 divides needs no peel.
  transform.named_sequence @is_rank2_lanes_any(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @parallel_row failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %short = transform.param.constant 128 : i64 -> !transform.param<i64>
    transform.match.param.cmpi gt %inner, %short : !transform.param<i64>
    %limit = transform.param.constant 4096 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank2_lanes_peeled(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %rows, %cols = transform.structured.tile_using_for %target tile_sizes [1, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      %loop = transform.cast %cols : !transform.any_op to !transform.op<"scf.for">
      transform.sequence %loop : !transform.op<"scf.for"> failures(suppress) {
      ^bb1(%l: !transform.op<"scf.for">):
        %main, %rest = transform.loop.peel %l : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
      }
      // The pieces' sizes fold to constants, and their ops to static shapes the vectorizer takes.
      transform.apply_patterns to %rows {
        transform.apply_patterns.canonicalization
      } : !transform.any_op
      %pieces = transform.structured.match interface{LinalgOp} in %rows : (!transform.any_op) -> !transform.any_op
      transform.structured.vectorize %pieces : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank2_rows(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank2_rows(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loop = transform.structured.tile_using_for %target tile_sizes [1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank2_chunks(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 2 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi gt %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank2_chunks(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:2 = transform.structured.tile_using_for %target tile_sizes [1, 1024] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank3_rows(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 3 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank3_rows(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:2 = transform.structured.tile_using_for %target tile_sizes [1, 1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank3_chunks(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 3 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi gt %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank3_chunks(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:3 = transform.structured.tile_using_for %target tile_sizes [1, 1, 1024] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank4_rows(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 4 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank4_rows(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:3 = transform.structured.tile_using_for %target tile_sizes [1, 1, 1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank4_chunks(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 4 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi gt %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank4_chunks(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:4 = transform.structured.tile_using_for %target tile_sizes [1, 1, 1, 1024] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank5_rows(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 5 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi le %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank5_rows(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:4 = transform.structured.tile_using_for %target tile_sizes [1, 1, 1, 1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  transform.named_sequence @is_rank5_chunks(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %rank, %inner = transform.include @shape failures(propagate) (%op) : (!transform.any_op) -> (!transform.param<i64>, !transform.param<i64>)
    %want = transform.param.constant 5 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %rank, %want : !transform.param<i64>
    %limit = transform.param.constant 1024 : i64 -> !transform.param<i64>
    transform.match.param.cmpi gt %inner, %limit : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @tile_rank5_chunks(%op: !transform.any_op {transform.consumed}) {
    transform.sequence %op : !transform.any_op failures(suppress) {
    ^bb0(%target: !transform.any_op):
      %tiled, %loops:5 = transform.structured.tile_using_for %target tile_sizes [1, 1, 1, 1, 1024] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
      transform.structured.vectorize %tiled : !transform.any_op
    }
    transform.yield
  }
  // Ops reading or writing i1 tensors stay scalar: LLVM stores a vector of i1 as packed bits, while
  // a memref of i1 (and a bool tensor) holds one byte per element.
  transform.named_sequence @leave(%op: !transform.any_op {transform.readonly}) {
    transform.yield
  }
  transform.named_sequence @has_i1_input0(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.input %s[0] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_input1(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.input %s[1] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_input2(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.input %s[2] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_input3(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.input %s[3] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_input4(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.input %s[4] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_input5(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.input %s[5] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_input6(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.input %s[6] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_input7(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.input %s[7] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_init0(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.init %s[0] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_init1(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.init %s[1] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_init2(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.init %s[2] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  transform.named_sequence @has_i1_init3(%op: !transform.any_op {transform.readonly}) -> !transform.any_op {
    %width = transform.match.structured %op : (!transform.any_op) -> !transform.param<i64> {
    ^bb0(%s: !transform.any_op):
      %v = transform.match.structured.init %s[3] : (!transform.any_op) -> !transform.any_value
      %w = transform.match.structured.elemental_bitwidth %v : (!transform.any_value) -> !transform.param<i64>
      transform.match.structured.yield %w : !transform.param<i64>
    }
    %one = transform.param.constant 1 : i64 -> !transform.param<i64>
    transform.match.param.cmpi eq %width, %one : !transform.param<i64>
    transform.yield %op : !transform.any_op
  }
  // A tile stored through its real part (tensor.extract_slice of a padded tile: 1000 of 1024 lanes)
  // whose last op is element-wise and used only there: that op computes just the real part, in the
  // loop around the store (tiled at the slice, TilingInterface's tile-and-fuse), and the store then
  // writes it in place (eliminate-empty-tensors) instead of copying it out of a padded buffer.
  transform.named_sequence @is_sliced_store(%slice: !transform.any_op {transform.readonly}) -> !transform.any_op {
    transform.match.operation_name %slice ["tensor.extract_slice"] : !transform.any_op
    %producer = transform.get_producer_of_operand %slice[0] : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %producer ["linalg.generic"] : !transform.any_op
    transform.match.structured %producer : !transform.any_op {
    ^bb0(%s: !transform.any_op):
      transform.match.structured.dim %s[all] {parallel} : !transform.any_op
      transform.match.structured.yield
    }
    transform.yield %slice : !transform.any_op
  }
  // A slice of a dynamic size (an edge tile's real part, where the tile size does not divide the
  // extent) is left alone: fused there, the op would have dynamic sizes, which the vectorizer does
  // not take. Its sizes are its operands after the source.
  transform.named_sequence @is_dynamic_slice(%slice: !transform.any_op {transform.readonly}) -> !transform.any_op {
    transform.match.operation_name %slice ["tensor.extract_slice"] : !transform.any_op
    %size = transform.get_operand %slice[1] : (!transform.any_op) -> !transform.any_value
    transform.yield %slice : !transform.any_op
  }
  // The use counts are no match ops: the action checks them. A suppressing sequence goes on after
  // a failed op, so the checks and the fusion sit in a propagating one, which a failed check ends.
  transform.named_sequence @fuse_into_store(%slice: !transform.any_op {transform.readonly}) {
    transform.sequence %slice : !transform.any_op failures(suppress) {
    ^bb0(%s: !transform.any_op):
      transform.sequence %s : !transform.any_op failures(propagate) {
      ^bb1(%t: !transform.any_op):
        %producer = transform.get_producer_of_operand %t[0] : (!transform.any_op) -> !transform.any_op
        %users = transform.get_consumers_of_result %producer[0] : (!transform.any_op) -> !transform.any_op
        %count = transform.num_associations %users : (!transform.any_op) -> !transform.param<i64>
        %one = transform.param.constant 1 : i64 -> !transform.param<i64>
        transform.match.param.cmpi eq %count, %one : !transform.param<i64>
        %store = transform.get_consumers_of_result %t[0] : (!transform.any_op) -> !transform.any_op
        %stores = transform.num_associations %store : (!transform.any_op) -> !transform.param<i64>
        transform.match.param.cmpi eq %stores, %one : !transform.param<i64>
        transform.match.operation_name %store ["bufferization.materialize_in_destination"] : !transform.any_op
        %around = transform.get_parent_op %t : (!transform.any_op) -> !transform.any_op
        %fused, %new = transform.structured.fuse_into_containing_op %producer into %around : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
      }
    }
    transform.yield
  }
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %funcs {
      transform.apply_patterns.linalg.decompose_pad
    } : !transform.any_op
    %stored = transform.foreach_match in %funcs
        @is_dynamic_slice -> @leave,
        @is_sliced_store -> @fuse_into_store : (!transform.any_op) -> !transform.any_op
    // The fused op's destination, a slice of the padded tile's tensor.empty, becomes an empty tensor
    // of its own, which eliminate-empty-tensors can replace with the host tensor's view; its slices
    // of padded loads (a layer norm's weight, padded to 1024 and viewed as 1 x 1024) move above
    // the views and fold into the loaded tensor itself, so the pad is no longer read there.
    transform.apply_patterns to %stored {
      transform.apply_patterns.tensor.bubble_up_extract_slice
      transform.apply_patterns.tensor.fold_tensor_empty
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    %loaded = transform.foreach_match in %stored
        @is_static_pad_copy -> @copy_rows,
        @is_row_pad_copy -> @vectorize,
        @is_tile_pad_copy -> @vectorize : (!transform.any_op) -> !transform.any_op
    %tiled = transform.foreach_match in %loaded
        @has_i1_input0 -> @leave,
        @has_i1_input1 -> @leave,
        @has_i1_input2 -> @leave,
        @has_i1_input3 -> @leave,
        @has_i1_input4 -> @leave,
        @has_i1_input5 -> @leave,
        @has_i1_input6 -> @leave,
        @has_i1_input7 -> @leave,
        @has_i1_init0 -> @leave,
        @has_i1_init1 -> @leave,
        @has_i1_init2 -> @leave,
        @has_i1_init3 -> @leave,
        @is_rank1_lanes_128 -> @tile_rank1_lanes,
        @is_rank1_lanes_256 -> @tile_rank1_lanes,
        @is_rank1_lanes_512 -> @tile_rank1_lanes,
        @is_rank1_lanes_1024 -> @tile_rank1_lanes,
        @is_rank2_lanes_128 -> @tile_rank2_lanes,
        @is_rank2_lanes_256 -> @tile_rank2_lanes,
        @is_rank2_lanes_512 -> @tile_rank2_lanes,
        @is_rank2_lanes_1024 -> @tile_rank2_lanes,
        @is_rank3_lanes_128 -> @tile_rank3_lanes,
        @is_rank3_lanes_256 -> @tile_rank3_lanes,
        @is_rank3_lanes_512 -> @tile_rank3_lanes,
        @is_rank3_lanes_1024 -> @tile_rank3_lanes,
        @is_rank1_rows -> @vectorize,
        @is_rank1_chunks -> @tile_rank1_chunks,
        @is_rank2_column -> @vectorize,
        @is_rank2_lanes_any -> @tile_rank2_lanes_peeled,
        @is_rank2_rows -> @tile_rank2_rows,
        @is_rank2_chunks -> @tile_rank2_chunks,
        @is_rank3_rows -> @tile_rank3_rows,
        @is_rank3_chunks -> @tile_rank3_chunks,
        @is_rank4_rows -> @tile_rank4_rows,
        @is_rank4_chunks -> @tile_rank4_chunks,
        @is_rank5_rows -> @tile_rank5_rows,
        @is_rank5_chunks -> @tile_rank5_chunks : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %tiled {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %tiled {
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.vector.lower_transpose lowering_strategy = "eltwise"
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.yield
  }
}
