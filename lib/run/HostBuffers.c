#include "run/HostBuffers.h"

#include <string.h>

bool hm_op_named(MlirOperation op, const char *name) {
  MlirStringRef s = mlirIdentifierStr(mlirOperationGetName(op));
  return s.length == strlen(name) && memcmp(s.data, name, s.length) == 0;
}

bool hm_op_name_starts(MlirOperation op, const char *prefix) {
  MlirStringRef s = mlirIdentifierStr(mlirOperationGetName(op));
  size_t n = strlen(prefix);
  return s.length >= n && memcmp(s.data, prefix, n) == 0;
}

bool hm_is_view(MlirOperation op) {
  static const char *const views[] = {"memref.subview",         "memref.expand_shape", "memref.collapse_shape",
                                      "memref.reinterpret_cast", "memref.cast",         "memref.transpose"};
  for (size_t i = 0; i < sizeof views / sizeof views[0]; ++i)
    if (hm_op_named(op, views[i]))
      return true;
  return false;
}

MlirValue hm_buffer_of(MlirValue view) {
  while (mlirValueIsAOpResult(view)) {
    MlirOperation op = mlirOpResultGetOwner(view);
    if (!hm_is_view(op))
      break;
    view = mlirOperationGetOperand(op, 0);
  }
  return view;
}
