/* A whole file's bytes, for the object file the ExecutionEngine writes and the cache's entries. */
#ifndef HELION_MLIR_RUN_FILEBYTES_H
#define HELION_MLIR_RUN_FILEBYTES_H

#include <stddef.h>
#include <stdint.h>

/* The contents of the regular file at `path` (malloc'd, `*size` bytes), or NULL when it cannot be
 * read whole or is empty. */
uint8_t *hm_file_read(const char *path, size_t *size);

#endif
