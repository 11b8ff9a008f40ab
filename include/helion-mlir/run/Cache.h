/* An on-disk cache of compiled kernels, so that a second process running the same kernel does not
 * lower and compile it again.
 *
 * An entry is one file, `<dir>/<key>.hmk`, named by the BLAKE3 digest of everything that decides
 * the machine code: what the kernel was compiled from (an interchange spec's JSON, or a module's
 * text and function name), the LLVM optimization level, the pass pipeline, the host CPU and its
 * features, LLVM's version and this library's build (its GNU build id, so a rebuilt library never
 * reads what an older one wrote). The file holds the key's digest, the payload (Runner.h's saved
 * kernel) and the payload's digest; a file that is short, altered, or written for another key is a
 * miss, and the caller compiles and writes it again. Writes go to a temporary file in the same
 * directory and are renamed into place, so concurrent processes see a whole entry or none.
 *
 * The directory: $HELION_MLIR_CACHE_DIR, else $XDG_CACHE_HOME/helion-mlir, else
 * $HOME/.cache/helion-mlir. HELION_MLIR_CACHE=0 turns the cache off. A directory that cannot be
 * created or written only turns it off: the cache never makes a compile fail. Removing the
 * directory is always safe.
 */
#ifndef HELION_MLIR_CACHE_H
#define HELION_MLIR_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { HM_CACHE_DIGEST_SIZE = 32 };

typedef struct HmCacheKey {
  uint8_t digest[HM_CACHE_DIGEST_SIZE];
} HmCacheKey;

/* The cache directory, created if missing (malloc'd), or NULL when the cache is off. */
char *hm_cache_dir(void);

/* The key of a kernel compiled from `source` (`kind` says what it is: "json", "mlir"), its function
 * `func_name` ("" when the source names it) at `opt_level`, with the current pipeline on this host
 * and this build of the library. */
HmCacheKey hm_cache_key(const char *kind, const char *source, const char *func_name, int opt_level);

/* The payload of the entry for `key` (malloc'd, `*size` bytes), or NULL when there is no intact one. */
uint8_t *hm_cache_read(const char *dir, const HmCacheKey *key, size_t *size);

/* Stores `payload` as the entry for `key`, replacing any; false when it could not be written. */
bool hm_cache_write(const char *dir, const HmCacheKey *key, const void *payload, size_t size);

#ifdef __cplusplus
}
#endif

#endif
