/* Size limits of a spec, checked on the model once the reader has built it (Limits.h). */
#include "spec/Limits.h"

#include <stdint.h>

/* A size as the checks count it: the static value, or a symbolic one's example value (-1, unknown,
 * counts as 1: the launch checks the real size against the compiled layout). */
static int64_t counted(HmDim dim) { return dim.value >= 0 ? dim.value : 1; }

/* The bytes a tensor's elements and its strides reach, in 63 bits: its element count, and the last
 * element's offset + 1, each times the element size. A tensor with no elements reaches none. */
static bool tensor_fits(const HmHostTensor *t) {
  int64_t elements = 1, span = 1;
  for (size_t d = 0; d < t->rank; ++d) {
    int64_t size = counted(t->shape[d]), stride = counted(t->stride[d]), step;
    if (size == 0)
      return true;
    if (__builtin_mul_overflow(elements, size, &elements) ||
        __builtin_mul_overflow(size - 1, stride, &step) || __builtin_add_overflow(span, step, &span))
      return false;
  }
  int64_t bytes = (int64_t)hm_dtype_size(t->dtype);
  return !__builtin_mul_overflow(elements, bytes, &elements) && !__builtin_mul_overflow(span, bytes, &span);
}

bool hm_spec_check_limits(const HmSpec *spec, HmDiag *diag) {
  const char *source = hm_spec_source_name(spec);
  for (size_t i = 0; i < hm_spec_num_host_tensors(spec); ++i)
    if (!tensor_fits(hm_spec_host_tensor(spec, i)))
      return hm_diag_error(diag, "%s: $.host_tensors[%zu]: the tensor's size in bytes (its shape, or its "
                           "strides' reach) does not fit in 63 bits", source, i);
  for (size_t i = 0; i < hm_spec_num_block_sizes(spec); ++i) {
    int64_t tile = hm_spec_block_size(spec, i)->tile_size;
    if (tile != -1 && (tile < 1 || tile > HM_MAX_TILE_SIZE))
      return hm_diag_error(diag, "%s: $.block_sizes[%zu].tile_size: a tile size is between 1 and %d "
                           "(Helion's largest tensor), got %lld", source, i, HM_MAX_TILE_SIZE, (long long)tile);
  }
  return true;
}
