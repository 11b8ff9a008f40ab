/* Input and output for the command-line tools: reading a whole stream, and writing the output so
 * that it appears complete or not at all.
 *
 * `who` starts each error line the tools print ("helion-mlir: error", "helion-opt").
 */
#ifndef HELION_MLIR_TOOLS_TOOL_IO_H
#define HELION_MLIR_TOOLS_TOOL_IO_H

#include <stdbool.h>
#include <stdio.h>

#include "helion-mlir/support/Context.h"

/* Appends all of `in` to `text`. False on a read error or when out of memory; `text` is then freed. */
bool hm_tool_read_stream(FILE *in, HmBuffer *text);

/* Writes `text` to `path`, or to stdout when `path` is NULL or "-". A file is written beside its
 * destination and renamed into place, so a failed run never leaves a partial file; a device or pipe
 * (/dev/null) is written directly. Prints the error and returns false on failure. */
bool hm_tool_write_output(const char *who, const char *path, const HmBuffer *text);

#endif
