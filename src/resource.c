/*
 * resource.c — the one place that knows where hardengen's inputs are (see
 * resource.h): the share folder, the share files, the IAM action list, the
 * default root; and the resolver that reads a run's files and records the
 * SHA-256 of the bytes it returned.
 */
#include "hg/resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hg/util.h"

#ifndef HG_SHAREDIR
#define HG_SHAREDIR "/usr/local/share/hardengen"
#endif

/* The executable's folder, then up to three folders above it: a binary at
 * the top of the tree, in build/, or a test program in build/tests/. */
static const char *const exe_up[] = {"", "/..", "/../..", "/../../.."};

static bool is_dir(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool readable(const char *p)
{
  return access(p, R_OK) == 0;
}

/* ---- process-wide lookups ---- */

const char *hg_res_share_dir(void)
{
  static char path[4096];
  static int done;
  if (done)
    return path[0] ? path : NULL;
  done = 1;
  path[0] = '\0';
  const char *env = getenv("HARDENGEN_SHARE");
  if (env && *env && is_dir(env)) {
    snprintf(path, sizeof path, "%s", env);
    return path;
  }
  char exe[4096];
  bool have_exe = hg_exe_dir(exe, sizeof exe);
  if (have_exe) {
    /* PREFIX/bin/hardengen beside PREFIX/share/hardengen: the install this
     * binary belongs to, wherever it was copied (a DESTDIR staging, a
     * relocated tree). */
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/../share/hardengen", exe);
    char *real = realpath(probe, NULL);
    bool ok = real && is_dir(real) && strlen(real) < sizeof path;
    if (ok)
      snprintf(path, sizeof path, "%s", real);
    free(real);
    if (ok)
      return path;
  }
  if (is_dir(HG_SHAREDIR)) {
    snprintf(path, sizeof path, "%s", HG_SHAREDIR);
    return path;
  }
  if (!have_exe)
    return NULL;
  for (size_t i = 0; i < HG_COUNTOF(exe_up); i++) {
    char probe[4200];
    snprintf(probe, sizeof probe, "%s%s/filters/cis.lua", exe, exe_up[i]);
    if (readable(probe)) {
      /* Spelled without "/..": diagnostics name the shipped files by it. */
      char *real = realpath(probe, NULL);
      if (real && strlen(real) < sizeof path) {
        real[strlen(real) - strlen("/filters/cis.lua")] = '\0';
        snprintf(path, sizeof path, "%s", real);
      } else {
        snprintf(path, sizeof path, "%s%s", exe, exe_up[i]);
      }
      free(real);
      return path;
    }
  }
  return NULL;
}

char *hg_res_share_file(const char *rel)
{
  const char *share = hg_res_share_dir();
  if (share) {
    static const char *const sub[] = {"", "share/"};
    for (size_t i = 0; i < HG_COUNTOF(sub); i++) {
      char *p = xasprintf("%s/%s%s", share, sub[i], rel);
      if (readable(p))
        return p;
      free(p);
    }
  }
  char exe[4096];
  if (hg_exe_dir(exe, sizeof exe))
    for (size_t i = 0; i < HG_COUNTOF(exe_up); i++) {
      char *p = xasprintf("%s%s/share/%s", exe, exe_up[i], rel);
      if (readable(p))
        return p;
      free(p);
    }
  return NULL;
}

const char *hg_res_iam_actions(void)
{
  static char path[4200];
  const char *env = getenv("HARDENGEN_IAM_ACTIONS");
  if (env && *env) {
    snprintf(path, sizeof path, "%s", env);
    return path;
  }
  char *p = hg_res_share_file("iam-actions.txt");
  if (!p || strlen(p) >= sizeof path) {
    free(p);
    return NULL;
  }
  snprintf(path, sizeof path, "%s", p);
  free(p);
  return path;
}

const char *hg_res_default_root(void)
{
  static char root[4096];
  strcpy(root, ".");
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return root;
  /* Walk up: cwd, cwd/.., ... to the file system's root. */
  size_t up = 0;
  for (;;) {
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/profiles", strcmp(cwd, "/") == 0 ? "" : cwd);
    if (is_dir(probe))
      break;
    char *slash = strrchr(cwd, '/');
    if (!slash || strcmp(cwd, "/") == 0 || up >= 200)
      return root;
    if (slash == cwd)
      slash[1] = '\0';
    else
      *slash = '\0';
    up++;
  }
  if (up == 0)
    return root;
  root[0] = '\0';
  for (size_t i = 0; i < up && strlen(root) + 3 < sizeof root; i++)
    strcat(root, i ? "/.." : "..");
  return root;
}

/* ---- the resolver ---- */

typedef struct res_read {
  char *path;       /* as read */
  char sha256[65];  /* of the bytes returned */
} res_read;

struct hg_res {
  char *root;
  char *share;      /* NULL: no share folder */
  res_read *v;      /* the reads, in first-read order */
  size_t n, cap;
  hg_res_read_fn on_read; /* or NULL */
  void *on_read_ctx;
};

hg_res *hg_res_new(const char *root)
{
  hg_res *r = xcalloc(1, sizeof *r);
  r->root = xstrdup(root ? root : ".");
  const char *share = hg_res_share_dir();
  r->share = share ? xstrdup(share) : NULL;
  return r;
}

void hg_res_set_share(hg_res *r, const char *share)
{
  free(r->share);
  r->share = share ? xstrdup(share) : NULL;
}

void hg_res_free(hg_res *r)
{
  if (!r)
    return;
  for (size_t i = 0; i < r->n; i++)
    free(r->v[i].path);
  free(r->v);
  free(r->root);
  free(r->share);
  free(r);
}

const char *hg_res_root(const hg_res *r)
{
  return r->root;
}

const char *hg_res_share(const hg_res *r)
{
  return r->share;
}

/* dir/rel without a leading "./" for dir ".", and without doubled slashes. */
static char *join(const char *dir, const char *rel)
{
  if (!*dir || strcmp(dir, ".") == 0 || strcmp(dir, "./") == 0)
    return xstrdup(rel);
  size_t n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  return xasprintf("%.*s/%s", (int)n, dir, rel);
}

char *hg_res_root_path(const hg_res *r, const char *rel)
{
  return join(r->root, rel);
}

char *hg_res_share_path(const hg_res *r, const char *rel)
{
  return r->share ? join(r->share, rel) : NULL;
}

static res_read *find(const hg_res *r, const char *path)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->v[i].path, path) == 0)
      return &r->v[i];
  return NULL;
}

char *hg_res_read(hg_res *r, const char *path, size_t max, size_t *len)
{
  size_t n = 0;
  char *text = hg_read_file(path, max, &n);
  if (!text)
    return NULL;
  if (len)
    *len = n;
  res_read *e = find(r, path);
  if (!e) {
    if (r->n == r->cap) {
      r->cap = r->cap ? r->cap * 2 : 16;
      r->v = xrealloc(r->v, r->cap * sizeof *r->v);
    }
    e = &r->v[r->n++];
    e->path = xstrdup(path);
  }
  hg_sha256_hex(text, n, e->sha256);
  if (r->on_read)
    r->on_read(r->on_read_ctx, path);
  return text;
}

const char *hg_res_sha256(const hg_res *r, const char *path)
{
  const res_read *e = r && path ? find(r, path) : NULL;
  return e ? e->sha256 : NULL;
}

size_t hg_res_count(const hg_res *r)
{
  return r->n;
}

void hg_res_on_read(hg_res *r, hg_res_read_fn fn, void *ctx)
{
  r->on_read = fn;
  r->on_read_ctx = ctx;
}
