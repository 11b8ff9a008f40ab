#define _GNU_SOURCE
#include "helion-mlir/run/Cache.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <threads.h>
#include <unistd.h>

#include "helion-mlir/run/Pipeline.h"
#include "run/FileBytes.h"
#include "llvm-c/Core.h"
#include "llvm-c/TargetMachine.h"
#include "llvm-c/blake3.h"

/* An entry: kMagic, the key's digest, the payload's size (8 bytes, little-endian), the payload, and
 * the BLAKE3 digest of everything before it. */
static const char kMagic[8] = {'H', 'M', 'K', 'C', 'A', 'C', 'H', '1'};
enum { HEADER_SIZE = sizeof kMagic + HM_CACHE_DIGEST_SIZE + 8 };

/* ---- The directory ---- */

static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *path = malloc(n);
  if (path)
    snprintf(path, n, "%s/%s", a, b);
  return path;
}

/* mkdir -p; an existing directory is fine. */
static bool make_dirs(char *path) {
  for (char *p = path + 1; *p; ++p) {
    if (*p != '/')
      continue;
    *p = '\0';
    bool ok = mkdir(path, 0777) == 0 || errno == EEXIST;
    *p = '/';
    if (!ok)
      return false;
  }
  return mkdir(path, 0777) == 0 || errno == EEXIST;
}

static const char *nonempty_env(const char *name) {
  const char *value = getenv(name);
  return value && *value ? value : NULL;
}

char *hm_cache_dir(void) {
  const char *off = getenv("HELION_MLIR_CACHE");
  if (off && strcmp(off, "0") == 0)
    return NULL;
  const char *dir = nonempty_env("HELION_MLIR_CACHE_DIR");
  char *path = NULL;
  if (dir)
    path = strdup(dir);
  else if ((dir = nonempty_env("XDG_CACHE_HOME")) && dir[0] == '/')
    path = join(dir, "helion-mlir");
  else if ((dir = nonempty_env("HOME")))
    path = join(dir, ".cache/helion-mlir");
  if (path && !make_dirs(path)) {
    free(path);
    path = NULL;
  }
  return path;
}

/* ---- The key ---- */

/* This library's GNU build id: the note of the loaded object that holds this function. */
typedef struct BuildId {
  const void *code;
  uint8_t bytes[64];
  size_t size;
} BuildId;

static bool note_build_id(const struct dl_phdr_info *info, const ElfW(Phdr) *note, BuildId *id) {
  const uint8_t *at = (const uint8_t *)(info->dlpi_addr + note->p_vaddr);
  const uint8_t *end = at + note->p_memsz;
  while ((size_t)(end - at) >= sizeof(ElfW(Nhdr))) {
    const ElfW(Nhdr) *header = (const ElfW(Nhdr) *)at;
    size_t name = (header->n_namesz + 3) & ~(size_t)3, desc = (header->n_descsz + 3) & ~(size_t)3;
    const uint8_t *data = at + sizeof *header;
    if ((size_t)(end - data) < name + desc)
      return false;
    if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 && memcmp(data, "GNU", 4) == 0 &&
        header->n_descsz <= sizeof id->bytes) {
      memcpy(id->bytes, data + name, header->n_descsz);
      id->size = header->n_descsz;
      return true;
    }
    at = data + name + desc;
  }
  return false;
}

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data) {
  BuildId *id = data;
  bool mine = false;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum && !mine; ++i) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph->p_vaddr, code = (uintptr_t)id->code;
    mine = ph->p_type == PT_LOAD && code >= start && code < start + ph->p_memsz;
  }
  if (!mine)
    return 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i)
    if (info->dlpi_phdr[i].p_type == PT_NOTE && note_build_id(info, &info->dlpi_phdr[i], id))
      break;
  return 1;
}

/* What every key shares: the build, LLVM, the host. Without a build id (a linker that writes none)
 * the cache stays off, since nothing would tell this build's entries from another's. */
static once_flag host_once = ONCE_FLAG_INIT;
static uint8_t host_digest[HM_CACHE_DIGEST_SIZE];
static bool host_known;

static void hash_string(llvm_blake3_hasher *hasher, const char *text) {
  /* With its terminator, so that consecutive strings cannot run into each other. */
  llvm_blake3_hasher_update(hasher, text, strlen(text) + 1);
}

static void compute_host(void) {
  BuildId id = {.code = (const void *)compute_host};
  dl_iterate_phdr(find_build_id, &id);
  if (!id.size)
    return;
  unsigned version[3];
  LLVMGetVersion(&version[0], &version[1], &version[2]);
  char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
  llvm_blake3_hasher hasher;
  llvm_blake3_hasher_init(&hasher);
  llvm_blake3_hasher_update(&hasher, id.bytes, id.size);
  llvm_blake3_hasher_update(&hasher, version, sizeof version);
  hash_string(&hasher, cpu ? cpu : "");
  hash_string(&hasher, features ? features : "");
  llvm_blake3_hasher_finalize(&hasher, host_digest, sizeof host_digest);
  LLVMDisposeMessage(cpu);
  LLVMDisposeMessage(features);
  host_known = true;
}

HmCacheKey hm_cache_key(const char *kind, const char *source, const char *func_name, int opt_level) {
  call_once(&host_once, compute_host);
  HmCacheKey key = {{0}};
  if (!host_known)
    return key;
  llvm_blake3_hasher hasher;
  llvm_blake3_hasher_init(&hasher);
  llvm_blake3_hasher_update(&hasher, host_digest, sizeof host_digest);
  /* The build id covers the pipeline's passes; the text also says whether HELION_MLIR_CHECKS
   * chose the checked one. */
  hash_string(&hasher, hm_pipeline_text());
  llvm_blake3_hasher_update(&hasher, &opt_level, sizeof opt_level);
  hash_string(&hasher, kind);
  hash_string(&hasher, func_name);
  hash_string(&hasher, source);
  llvm_blake3_hasher_finalize(&hasher, key.digest, sizeof key.digest);
  return key;
}

static bool key_known(const HmCacheKey *key) {
  for (size_t i = 0; i < sizeof key->digest; ++i)
    if (key->digest[i])
      return true;
  return false;
}

static char *entry_path(const char *dir, const HmCacheKey *key) {
  char name[2 * HM_CACHE_DIGEST_SIZE + sizeof ".hmk"];
  for (size_t i = 0; i < HM_CACHE_DIGEST_SIZE; ++i)
    snprintf(name + 2 * i, 3, "%02x", key->digest[i]);
  strcpy(name + 2 * HM_CACHE_DIGEST_SIZE, ".hmk");
  return join(dir, name);
}

/* ---- Entries ---- */

static void put_size(uint8_t *at, uint64_t size) {
  for (int i = 0; i < 8; ++i)
    at[i] = (uint8_t)(size >> (8 * i));
}

static uint64_t get_size(const uint8_t *at) {
  uint64_t size = 0;
  for (int i = 0; i < 8; ++i)
    size |= (uint64_t)at[i] << (8 * i);
  return size;
}

static void digest_of(const uint8_t *data, size_t size, uint8_t out[HM_CACHE_DIGEST_SIZE]) {
  llvm_blake3_hasher hasher;
  llvm_blake3_hasher_init(&hasher);
  llvm_blake3_hasher_update(&hasher, data, size);
  llvm_blake3_hasher_finalize(&hasher, out, HM_CACHE_DIGEST_SIZE);
}

uint8_t *hm_cache_read(const char *dir, const HmCacheKey *key, size_t *size) {
  if (!key_known(key))
    return NULL;
  char *path = entry_path(dir, key);
  size_t file_size = 0;
  uint8_t *file = path ? hm_file_read(path, &file_size) : NULL;
  free(path);
  if (!file)
    return NULL;
  uint8_t digest[HM_CACHE_DIGEST_SIZE];
  bool intact = file_size >= HEADER_SIZE + HM_CACHE_DIGEST_SIZE &&
                memcmp(file, kMagic, sizeof kMagic) == 0 &&
                memcmp(file + sizeof kMagic, key->digest, HM_CACHE_DIGEST_SIZE) == 0 &&
                get_size(file + HEADER_SIZE - 8) == file_size - HEADER_SIZE - HM_CACHE_DIGEST_SIZE;
  if (intact) {
    digest_of(file, file_size - HM_CACHE_DIGEST_SIZE, digest);
    intact = memcmp(digest, file + file_size - HM_CACHE_DIGEST_SIZE, sizeof digest) == 0;
  }
  uint8_t *payload = NULL;
  *size = intact ? file_size - HEADER_SIZE - HM_CACHE_DIGEST_SIZE : 0;
  if (intact && (payload = malloc(*size ? *size : 1)))
    memcpy(payload, file + HEADER_SIZE, *size);
  free(file);
  return payload;
}

static bool write_all(int fd, const uint8_t *data, size_t size) {
  while (size) {
    ssize_t n = write(fd, data, size);
    if (n <= 0)
      return false;
    data += n;
    size -= (size_t)n;
  }
  return true;
}

bool hm_cache_write(const char *dir, const HmCacheKey *key, const void *payload, size_t size) {
  if (!key_known(key) || size > SIZE_MAX - HEADER_SIZE - HM_CACHE_DIGEST_SIZE)
    return false;
  size_t file_size = HEADER_SIZE + size + HM_CACHE_DIGEST_SIZE;
  uint8_t *file = malloc(file_size);
  char *path = entry_path(dir, key), *temp = join(dir, ".entry-XXXXXX");
  bool ok = file && path && temp;
  if (ok) {
    memcpy(file, kMagic, sizeof kMagic);
    memcpy(file + sizeof kMagic, key->digest, HM_CACHE_DIGEST_SIZE);
    put_size(file + HEADER_SIZE - 8, size);
    memcpy(file + HEADER_SIZE, payload, size);
    digest_of(file, file_size - HM_CACHE_DIGEST_SIZE, file + file_size - HM_CACHE_DIGEST_SIZE);
    int fd = mkostemp(temp, O_CLOEXEC);
    ok = fd >= 0;
    if (ok) {
      ok = write_all(fd, file, file_size);
      ok = close(fd) == 0 && ok;
      /* rename replaces an entry atomically: a reader opens the old file or the new one. */
      ok = ok && rename(temp, path) == 0;
      if (!ok)
        unlink(temp);
    }
  }
  free(file);
  free(path);
  free(temp);
  return ok;
}
