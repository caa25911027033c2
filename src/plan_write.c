/*
 * plan_write.c — write a plan into DIR/ENV atomically (SPEC §9).
 *
 * Every file goes into a fresh folder DIR/.ENV.XXXXXX beside the target,
 * each one synced. Only then does the new folder take the target's place:
 * with renameat2(RENAME_EXCHANGE) where the file system supports it (one
 * atomic swap), else by two renames. The old content is removed last. On
 * any failure before the swap, DIR/ENV is untouched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan_int.h"

/* Write one file; its descriptor stays open in *fd for the sync pass. */
static int write_file(const char *dir, const char *name, const char *data, size_t len, int *fd)
{
  char *path = xasprintf("%s/%s", dir, name);
  *fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  free(path);
  if (*fd < 0)
    return -1;
  while (len > 0) {
    ssize_t w = write(*fd, data, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    data += w;
    len -= (size_t)w;
  }
  /* Start writeback now, so the syncs below overlap instead of queueing. */
  sync_file_range(*fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  return 0;
}

/* Remove a folder this module made (flat: only regular files inside). */
static void remove_dir(const char *dir)
{
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      char *p = xasprintf("%s/%s", dir, e->d_name);
      if (unlink(p) != 0 && (errno == EISDIR || errno == EPERM))
        remove_dir(p);
      free(p);
    }
    closedir(d);
  }
  rmdir(dir);
}

static void sync_dir(const char *dir)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

int hg_plan_write(const hg_plan *p, const char *dir, hg_diag_sink *sink)
{
  if (hg_mkdirs(dir, 0755) != 0) {
    hg_diag_add(sink, HG_SEV_ERROR, dir, 0, 0, "write-failed", "cannot create the folder: %s",
                strerror(errno));
    return -1;
  }
  char *target = xasprintf("%s/%s", dir, p->env);
  char *tmp = xasprintf("%s/.%s.XXXXXX", dir, p->env);
  if (!mkdtemp(tmp)) {
    hg_diag_add(sink, HG_SEV_ERROR, dir, 0, 0, "write-failed",
                "cannot create a temporary folder: %s", strerror(errno));
    free(target);
    free(tmp);
    return -1;
  }
  chmod(tmp, 0755);
  int rc = 0;
  size_t nfd = p->n + 1 + p->n_files;
  int *fds = xmalloc(nfd * sizeof *fds);
  for (size_t i = 0; i < nfd; i++)
    fds[i] = -1;
  for (size_t i = 0; i <= p->n && rc == 0; i++) {
    const char *name = i < p->n ? p->t[i].name : "manifest.json";
    const char *data = i < p->n ? p->t[i].text : p->manifest;
    size_t len = i < p->n ? p->t[i].len : p->manifest_len;
    if (write_file(tmp, name, data, len, &fds[i]) != 0) {
      hg_diag_add(sink, HG_SEV_ERROR, target, 0, 0, "write-failed", "cannot write %s: %s", name,
                  strerror(errno));
      rc = -1;
    }
  }
  for (size_t i = 0; i < p->n_files && rc == 0; i++) {
    const char *slash = strrchr(p->files[i].name, '/');
    if (slash) {
      char *sub = xasprintf("%s/%.*s", tmp, (int)(slash - p->files[i].name), p->files[i].name);
      if (hg_mkdirs(sub, 0755) != 0)
        rc = -1;
      free(sub);
    }
    if (rc != 0 || write_file(tmp, p->files[i].name, p->files[i].text, p->files[i].len,
                              &fds[p->n + 1 + i]) != 0) {
      hg_diag_add(sink, HG_SEV_ERROR, target, 0, 0, "write-failed", "cannot write %s: %s",
                  p->files[i].name, strerror(errno));
      rc = -1;
    }
  }
  /* Every file is on disk before the folder takes the target's place. */
  for (size_t i = 0; i < nfd; i++) {
    if (fds[i] < 0)
      continue;
    if (rc == 0 && fdatasync(fds[i]) != 0) {
      hg_diag_add(sink, HG_SEV_ERROR, target, 0, 0, "write-failed", "cannot sync %s: %s",
                  i < p->n ? p->t[i].name : i == p->n ? "manifest.json" : p->files[i - p->n - 1].name,
                  strerror(errno));
      rc = -1;
    }
    close(fds[i]);
  }
  free(fds);
  if (rc == 0) {
    sync_dir(tmp);
    struct stat st;
    if (lstat(target, &st) != 0) {
      if (rename(tmp, target) != 0)
        rc = -1;
    } else if (!S_ISDIR(st.st_mode)) {
      errno = ENOTDIR;
      rc = -1;
    } else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) != 0) {
      /* No atomic exchange here: move the old folder aside, then the new in. */
      char *old = xasprintf("%s/.%s.old.%ld", dir, p->env, (long)getpid());
      if (rename(target, old) != 0) {
        rc = -1;
      } else if (rename(tmp, target) != 0) {
        int e = errno;
        rename(old, target);
        errno = e;
        rc = -1;
      } else {
        remove_dir(old);
      }
      free(old);
    } else {
      remove_dir(tmp); /* now holds the previous content */
    }
    if (rc != 0)
      hg_diag_add(sink, HG_SEV_ERROR, target, 0, 0, "write-failed",
                  "cannot move the new files into place: %s", strerror(errno));
    else
      sync_dir(dir);
  }
  if (rc != 0)
    remove_dir(tmp);
  free(target);
  free(tmp);
  return rc;
}
