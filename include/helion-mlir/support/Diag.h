/* Error reporting for the library: the first error wins and is kept as one line.
 *
 * Every fallible entry point takes an HmDiag*. The caller owns the HmDiag, and frees its message with
 * hm_diag_clear. Messages name where the problem is: a JSON path ("$.graphs[1].nodes[3].args[0]"),
 * or a kernel source location ("examples/matmul.py:12"), or an MLIR file:line:col.
 */
#ifndef HELION_MLIR_DIAG_H
#define HELION_MLIR_DIAG_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct HmDiag {
  char *message; /* NULL while no error was reported; owned (malloc'd). */
} HmDiag;

/* Records a printf-style message unless one is already recorded, with its control characters
 * escaped (a newline as `\n`, others as `\xNN`): the message stays one line whatever the input put
 * into it. Always returns false, so that `return hm_diag_error(d, ...);` reads as "fail with this
 * message". */
bool hm_diag_error(HmDiag *diag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

bool hm_diag_failed(const HmDiag *diag);
void hm_diag_clear(HmDiag *diag);

#ifdef __cplusplus
}
#endif

#endif
