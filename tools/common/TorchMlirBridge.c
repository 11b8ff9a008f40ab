#define _POSIX_C_SOURCE 200809L

#include "common/TorchMlirBridge.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Finds helion_mlir without importing it (its __init__ imports torch and Helion, seconds of start-up)
 * and runs its torch_mlir_bridge.py as a program, which imports torch-mlir only. */
static const char kLoader[] =
    "import importlib.util, os, runpy, sys\n"
    "spec = importlib.util.find_spec('helion_mlir')\n"
    "paths = [os.path.join(d, 'torch_mlir_bridge.py') for d in (spec and spec.submodule_search_locations or [])]\n"
    "paths = [p for p in paths if os.path.isfile(p)]\n"
    "if not paths:\n"
    "    sys.exit(sys.executable + ' cannot import helion_mlir (pip install -e . or PYTHONPATH=python)')\n"
    "runpy.run_path(paths[0], run_name='__main__')\n";

/* An unnamed temporary file: the child's stdin, stdout or stderr. */
static int temp_file(HmDiag *diag) {
  const char *dir = getenv("TMPDIR");
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%s/helion-mlir-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = n > 0 && (size_t)n < sizeof path ? mkstemp(path) : -1;
  if (fd < 0) {
    hm_diag_error(diag, "cannot create a temporary file for the torch-mlir bridge: %s", strerror(errno));
    return -1;
  }
  unlink(path);
  return fd;
}

static bool write_all(int fd, const HmBuffer *text) {
  for (size_t done = 0; text->data && done < text->len;) {
    ssize_t n = write(fd, text->data + done, text->len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += (size_t)n;
  }
  return lseek(fd, 0, SEEK_SET) == 0;
}

static bool read_all(int fd, HmBuffer *text) {
  char chunk[65536];
  if (lseek(fd, 0, SEEK_SET) != 0)
    return false;
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return false;
    if (n == 0)
      return !text->oom;
    hm_buffer_append(mlirStringRefCreate(chunk, (size_t)n), text);
  }
}

/* `dir` + `tail` into `path` when that is an executable. */
static bool executable_at(char *path, size_t size, const char *dir, size_t dirlen, const char *tail) {
  int n = snprintf(path, size, "%.*s%s", (int)dirlen, dir, tail);
  return n > 0 && (size_t)n < size && access(path, X_OK) == 0;
}

/* $HELION_MLIR_PYTHON; else the python3 beside this program (an installed .venv/bin); else the active
 * virtual environment's; else, for a program in a build tree of the checkout (build/bin), the
 * checkout's .venv that `make setup` creates; else python3 from the PATH. */
static const char *python(char *path, size_t size) {
  const char *chosen = getenv("HELION_MLIR_PYTHON");
  if (chosen && *chosen)
    return chosen;
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  const char *slash = NULL;
  if (n > 0) {
    self[n] = '\0';
    slash = strrchr(self, '/');
  }
  if (slash && executable_at(path, size, self, (size_t)(slash - self), "/python3"))
    return path;
  const char *venv = getenv("VIRTUAL_ENV");
  if (venv && *venv && executable_at(path, size, venv, strlen(venv), "/bin/python3"))
    return path;
  if (slash && executable_at(path, size, self, (size_t)(slash - self), "/../../.venv/bin/python3"))
    return path;
  return "python3";
}

/* The last non-empty line the bridge printed on stderr: its one error line, after any warnings. */
static void report_child_error(const char *interpreter, int status, const HmBuffer *err, HmDiag *diag) {
  size_t end = err->data ? err->len : 0;
  while (end > 0 && (err->data[end - 1] == '\n' || err->data[end - 1] == '\r' || err->data[end - 1] == ' '))
    --end;
  size_t start = end;
  while (start > 0 && err->data[start - 1] != '\n')
    --start;
  if (end > start)
    hm_diag_error(diag, "%.*s", (int)(end - start), err->data + start);
  else if (WIFSIGNALED(status))
    hm_diag_error(diag, "the torch-mlir bridge (%s) was killed by signal %d", interpreter, WTERMSIG(status));
  else
    hm_diag_error(diag, "the torch-mlir bridge (%s) exited with status %d", interpreter, WEXITSTATUS(status));
}

static bool run_child(const char *interpreter, const char *target, const int fds[3], int *status, HmDiag *diag) {
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0)
    return hm_diag_error(diag, "out of memory");
  for (int i = 0; i < 3; ++i)
    posix_spawn_file_actions_adddup2(&actions, fds[i], i);
  char *const argv[] = {(char *)interpreter, "-c", (char *)kLoader, "--target", (char *)target, NULL};
  pid_t pid;
  int err = posix_spawnp(&pid, interpreter, &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0)
    return hm_diag_error(diag, "--aten=%s runs torch-mlir in Python: cannot run '%s' (%s); set HELION_MLIR_PYTHON to "
                         "a Python with torch-mlir and helion_mlir", target, interpreter, strerror(err));
  while (waitpid(pid, status, 0) < 0)
    if (errno != EINTR)
      return hm_diag_error(diag, "waiting for the torch-mlir bridge: %s", strerror(errno));
  return true;
}

bool hm_bridge_convert(const char *target, const HmBuffer *module, HmBuffer *out, HmDiag *diag) {
  char found[PATH_MAX];
  const char *interpreter = python(found, sizeof found);
  int fds[3] = {-1, -1, -1};
  bool ok = true;
  for (int i = 0; i < 3 && ok; ++i)
    ok = (fds[i] = temp_file(diag)) >= 0;
  if (ok && !write_all(fds[0], module))
    ok = hm_diag_error(diag, "cannot write the module for the torch-mlir bridge: %s", strerror(errno));
  int status = 0;
  ok = ok && run_child(interpreter, target, fds, &status, diag);
  if (ok && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (!read_all(fds[1], out))
      ok = hm_diag_error(diag, "cannot read the torch-mlir bridge's output");
  } else if (ok) {
    HmBuffer err = {0};
    if (read_all(fds[2], &err))
      report_child_error(interpreter, status, &err, diag);
    else
      hm_diag_error(diag, "the torch-mlir bridge (%s) failed", interpreter);
    hm_buffer_free(&err);
    ok = false;
  }
  for (int i = 0; i < 3; ++i)
    if (fds[i] >= 0)
      close(fds[i]);
  return ok;
}
