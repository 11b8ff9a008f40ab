#define _POSIX_C_SOURCE 200809L

#include "common/ToolIO.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool hm_tool_read_stream(FILE *in, HmBuffer *text) {
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
    hm_buffer_append(mlirStringRefCreate(chunk, n), text);
  if (ferror(in) || text->oom) {
    hm_buffer_free(text);
    return false;
  }
  return true;
}

static bool write_all(FILE *out, const HmBuffer *text) {
  size_t len = text->data ? text->len : 0;
  return fwrite(text->data ? text->data : "", 1, len, out) == len && fflush(out) == 0;
}

static bool write_file_atomically(const char *who, const char *path, const HmBuffer *text) {
  size_t tmp_len = strlen(path) + sizeof ".tmp.XXXXXX";
  char *tmp = malloc(tmp_len);
  if (!tmp)
    return false;
  snprintf(tmp, tmp_len, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(tmp);
  /* mkstemp creates the file private (0600); the output gets the permissions a new file would. */
  mode_t mask = umask(0);
  umask(mask);
  if (fd >= 0)
    fchmod(fd, 0666 & ~mask);
  FILE *out = fd < 0 ? NULL : fdopen(fd, "wb");
  bool ok = out && write_all(out, text);
  if (out)
    ok = fclose(out) == 0 && ok;
  else if (fd >= 0)
    close(fd);
  ok = ok && rename(tmp, path) == 0;
  if (!ok) {
    fprintf(stderr, "%s: cannot write '%s': %s\n", who, path, strerror(errno));
    if (fd >= 0)
      unlink(tmp);
  }
  free(tmp);
  return ok;
}

/* A device or a pipe (-o /dev/null) is written as it is: renaming a file over it would replace
 * /dev/null itself with a regular file. */
static bool write_special_file(const char *who, const char *path, const HmBuffer *text) {
  FILE *out = fopen(path, "wb");
  bool ok = out && write_all(out, text);
  if (out)
    ok = fclose(out) == 0 && ok;
  if (!ok)
    fprintf(stderr, "%s: cannot write '%s': %s\n", who, path, strerror(errno));
  return ok;
}

bool hm_tool_write_output(const char *who, const char *path, const HmBuffer *text) {
  if (path && strcmp(path, "-") != 0) {
    struct stat st;
    bool special = stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
    return special ? write_special_file(who, path, text) : write_file_atomically(who, path, text);
  }
  if (write_all(stdout, text))
    return true;
  fprintf(stderr, "%s: cannot write to stdout: %s\n", who, strerror(errno));
  return false;
}
