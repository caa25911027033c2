/*
 * plan_write.c — write a plan into DIR/ENV atomically (SPEC §9).
 *
 * Every file goes into a fresh folder DIR/.ENV.XXXXXX beside the target,
 * each one synced. Only then does the new folder take the target's place:
 * with renameat2(RENAME_EXCHANGE) where the file system supports it (one
 * atomic swap), else by two renames. The old content is removed last. On
 * any failure before the swap, DIR/ENV is untouched.
 *
 * Several envs (`build --all`) are staged first, every one, and only then
 * swapped in; a swap that fails puts back the ones done before it, so
 * either every DIR/ENV is new or none is.
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

int hg_plan_stage(const hg_plan *p, const char *dir, hg_plan_staged *st, hg_diag_sink *sink)
{
  memset(st, 0, sizeof *st);
  if (hg_mkdirs(dir, 0755) != 0) {
    hg_diag_add(sink, HG_SEV_ERROR, dir, 0, 0, "write-failed", "cannot create the folder: %s",
                strerror(errno));
    return -1;
  }
  char *target = xasprintf("%s/%s", dir, p->env);
  struct stat ts;
  if (lstat(target, &ts) == 0 && !S_ISDIR(ts.st_mode)) {
    hg_diag_add(sink, HG_SEV_ERROR, target, 0, 0, "write-failed",
                "cannot replace it: it exists and is not a folder");
    free(target);
    return -1;
  }
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
  /* The templates, manifest.json, then the other files (detective-data.json,
   * stackset/...), a subfolder made before its first file. */
  size_t top = p->n + 1;
  size_t nfd = top + p->n_files;
  int *fds = xmalloc(nfd * sizeof *fds);
  const char **names = xmalloc(nfd * sizeof *names);
  for (size_t i = 0; i < nfd; i++) {
    fds[i] = -1;
    names[i] = i < p->n ? p->t[i].name : i < top ? "manifest.json" : p->files[i - top].name;
  }
  for (size_t i = 0; i < nfd && rc == 0; i++) {
    const char *name = names[i];
    const char *data = i < p->n ? p->t[i].text : i < top ? p->manifest : p->files[i - top].text;
    size_t len = i < p->n ? p->t[i].len : i < top ? p->manifest_len : p->files[i - top].len;
    const char *slash = strrchr(name, '/');
    if (slash) {
      char *sub = xasprintf("%s/%.*s", tmp, (int)(slash - name), name);
      if (hg_mkdirs(sub, 0755) != 0)
        rc = -1;
      free(sub);
    }
    if (rc != 0 || write_file(tmp, name, data, len, &fds[i]) != 0) {
      hg_diag_add(sink, HG_SEV_ERROR, target, 0, 0, "write-failed", "cannot write %s: %s", name,
                  strerror(errno));
      rc = -1;
    }
  }
  /* Every file is on disk before the folder takes the target's place. */
  for (size_t i = 0; i < nfd; i++) {
    if (fds[i] < 0)
      continue;
    if (rc == 0 && fdatasync(fds[i]) != 0) {
      hg_diag_add(sink, HG_SEV_ERROR, target, 0, 0, "write-failed", "cannot sync %s: %s", names[i],
                  strerror(errno));
      rc = -1;
    }
    close(fds[i]);
  }
  free(fds);
  free(names);
  if (rc != 0) {
    remove_dir(tmp);
    free(target);
    free(tmp);
    return -1;
  }
  sync_dir(tmp);
  st->dir = xstrdup(dir);
  st->env = xstrdup(p->env);
  st->target = target;
  st->tmp = tmp;
  st->state = HG_STAGED;
  return 0;
}

/* Put one staged folder in its target's place. Returns 0 or -1 (errno). */
static int swap_in(hg_plan_staged *st)
{
  struct stat ts;
  if (lstat(st->target, &ts) != 0) {
    if (rename(st->tmp, st->target) != 0)
      return -1;
    st->state = HG_SWAPPED_NEW;
    return 0;
  }
  if (!S_ISDIR(ts.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  if (renameat2(AT_FDCWD, st->tmp, AT_FDCWD, st->target, RENAME_EXCHANGE) == 0) {
    st->state = HG_SWAPPED; /* tmp now holds the previous content */
    return 0;
  }
  /* No atomic exchange here: move the old folder aside, then the new in. */
  st->old = xasprintf("%s/.%s.old.%ld", st->dir, st->env, (long)getpid());
  if (rename(st->target, st->old) != 0)
    return -1;
  if (rename(st->tmp, st->target) != 0) {
    int e = errno;
    rename(st->old, st->target);
    errno = e;
    return -1;
  }
  st->state = HG_MOVED_ASIDE;
  return 0;
}

/* Undo swap_in (best effort: these renames only undo ones that worked). */
static void swap_back(hg_plan_staged *st)
{
  switch (st->state) {
  case HG_SWAPPED: renameat2(AT_FDCWD, st->tmp, AT_FDCWD, st->target, RENAME_EXCHANGE); break;
  case HG_SWAPPED_NEW: rename(st->target, st->tmp); break;
  case HG_MOVED_ASIDE:
    if (rename(st->target, st->tmp) == 0)
      rename(st->old, st->target);
    break;
  default: return;
  }
  st->state = HG_STAGED;
}

int hg_plan_commit(hg_plan_staged *st, size_t n, hg_diag_sink *sink)
{
  for (size_t i = 0; i < n; i++) {
    if (swap_in(&st[i]) != 0) {
      hg_diag_add(sink, HG_SEV_ERROR, st[i].target, 0, 0, "write-failed",
                  "cannot move the new files into place: %s", strerror(errno));
      for (size_t k = i; k-- > 0;)
        swap_back(&st[k]);
      if (i > 0)
        hg_diag_note(&sink->v[sink->n - 1], "the %zu folder%s already replaced %s put back", i,
                     i == 1 ? "" : "s", i == 1 ? "was" : "were");
      return -1;
    }
  }
  for (size_t i = 0; i < n; i++)
    sync_dir(st[i].dir);
  return 0;
}

void hg_plan_staged_free(hg_plan_staged *st)
{
  if (!st->target)
    return;
  if (st->state == HG_STAGED || st->state == HG_SWAPPED)
    remove_dir(st->tmp); /* the unused new files, or the replaced old ones */
  else if (st->state == HG_MOVED_ASIDE)
    remove_dir(st->old);
  free(st->dir);
  free(st->env);
  free(st->target);
  free(st->tmp);
  free(st->old);
  memset(st, 0, sizeof *st);
}

int hg_plan_write(const hg_plan *p, const char *dir, hg_diag_sink *sink)
{
  hg_plan_staged st;
  if (hg_plan_stage(p, dir, &st, sink) != 0)
    return -1;
  int rc = hg_plan_commit(&st, 1, sink);
  hg_plan_staged_free(&st);
  return rc;
}
