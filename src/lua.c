/*
 * lua.c — stage 2: find the filter files, run each in its own sandbox
 * (lua_sandbox.c), apply the override rules and keep the env's filters.
 *
 * Resolution (SPEC §2, §4):
 * - files are ROOT/filters/NAME.lua and SHARE/filters/NAME.lua (the installed
 *   library; the resolver may have no share folder); a ROOT file with the
 *   same name as a shipped one replaces that file;
 * - files run in name order (bytewise), filters keep declaration order;
 * - a filter id declared in a ROOT file replaces the shipped filter with the
 *   same id; any other repeated id is an error naming both places;
 * - a filter is kept when its envs is "all" or names p->env.
 * Nothing depends on the order of readdir or of Lua tables.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hg/lua.h"
#include "hg/util.h"
#include "lua_int.h"

#define MAX_FILTER_FILE ((size_t)8 << 20)

/* Run one chunk; its filters are appended to out. */
static int run_chunk(const hg_profile *p, const char *file, const char *chunk, const char *text, size_t len,
                     const hg_lua_limits *limits, hg_filterset *out, hg_diag_sink *sink)
{
  hg_lua_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.p = p;
  ctx.file = file;
  ctx.chunk = xstrdup(chunk);
  ctx.text = text;
  ctx.len = len;
  ctx.out = out;
  ctx.sink = sink;
  ctx.mem_cap = limits && limits->mem_bytes ? limits->mem_bytes : HG_LUA_DEFAULT_MEM;
  ctx.budget = limits && limits->instructions > 0 ? limits->instructions : HG_LUA_DEFAULT_INSNS;
  ctx.budget_left = ctx.budget;
  ctx.cpu_limit = limits && limits->cpu_seconds > 0 ? limits->cpu_seconds : HG_LUA_CPU_SECONDS;
  ctx.tmp = hg_arena_new();
  hg_buf_init(&ctx.buf);
  hg_diag_source(sink, file, text, len);

  size_t errors = sink->errors;
  int rc = -1;
  if (hg_lua_sandbox_open(&ctx)) {
    rc = hg_lua_sandbox_run(&ctx);
    hg_lua_sandbox_close(&ctx);
  }
  if (sink->errors > errors)
    rc = -1;
  free(ctx.chunk);
  free(ctx.lines);
  hg_arena_free(ctx.tmp);
  hg_buf_free(&ctx.buf);
  return rc;
}

/* Move every filter of src to the end of dst (src is left empty). */
static void move_all(hg_filterset *dst, hg_filterset *src)
{
  for (size_t i = 0; i < src->n; i++)
    *hg_filterset_add(dst) = src->v[i];
  free(src->v);
  hg_filterset_init(src);
}

static bool applies(const hg_filter *f, const char *env)
{
  if (!f->envs)
    return true;
  for (size_t i = 0; i < f->n_envs; i++)
    if (env && strcmp(f->envs[i], env) == 0)
      return true;
  return false;
}

/*
 * One declared filter with where it came from, for the override rules.
 */
typedef struct decl {
  hg_filter f;
  bool shipped;
  bool dropped;
} decl;

typedef struct decls {
  decl *v;
  size_t n, cap;
} decls;

static void decls_add(decls *d, hg_filterset *fs, bool shipped)
{
  for (size_t i = 0; i < fs->n; i++) {
    if (d->n == d->cap) {
      d->cap = d->cap ? d->cap * 2 : 64;
      d->v = xrealloc(d->v, d->cap * sizeof *d->v);
    }
    d->v[d->n++] = (decl){fs->v[i], shipped, false};
  }
  free(fs->v);
  hg_filterset_init(fs);
}

static int cmp_id_pos(const void *a, const void *b)
{
  const decl *const *x = a, *const *y = b;
  int c = strcmp((*x)->f.id, (*y)->f.id);
  if (c)
    return c;
  return *x < *y ? -1 : *x > *y;
}

/*
 * Apply the id rules (root replaces shipped; other repeats are errors),
 * keep the env's filters and move them to out in declaration order.
 */
static int resolve(decls *d, const hg_profile *p, hg_filterset *out, hg_diag_sink *sink)
{
  int rc = 0;
  decl **by_id = xcalloc(d->n ? d->n : 1, sizeof *by_id);
  for (size_t i = 0; i < d->n; i++)
    by_id[i] = &d->v[i];
  qsort(by_id, d->n, sizeof *by_id, cmp_id_pos);
  for (size_t i = 0; i < d->n;) {
    size_t j = i;
    while (j < d->n && strcmp(by_id[j]->f.id, by_id[i]->f.id) == 0)
      j++;
    /* by_id[i..j) share an id, in declaration order. */
    bool any_root = false;
    for (size_t k = i; k < j; k++)
      any_root = any_root || !by_id[k]->shipped;
    decl *first = NULL;
    for (size_t k = i; k < j; k++) {
      decl *x = by_id[k];
      if (any_root && x->shipped) {
        x->dropped = true; /* replaced by the repo's own filter */
        continue;
      }
      if (!first) {
        first = x;
        continue;
      }
      x->dropped = true;
      hg_diag *g = hg_diag_add(sink, HG_SEV_ERROR, x->f.file, x->f.line, 0, "lua-filter-duplicate-id",
                               "duplicate filter id '%s'", x->f.id);
      hg_diag_note(g, "'%s' is first declared at %s:%d", x->f.id, first->f.file, first->f.line);
      rc = -1;
    }
    i = j;
  }
  free(by_id);
  for (size_t i = 0; i < d->n; i++) {
    decl *x = &d->v[i];
    if (rc == 0 && !x->dropped && applies(&x->f, p ? p->env : NULL))
      *hg_filterset_add(out) = x->f;
    else
      hg_filter_clear(&x->f);
  }
  free(d->v);
  memset(d, 0, sizeof *d);
  return rc;
}

int hg_lua_run_text(const hg_profile *p, const char *chunkname, const char *text, size_t len,
                    const hg_lua_limits *limits, hg_filterset *out, hg_diag_sink *sink)
{
  hg_filterset fs;
  hg_filterset_init(&fs);
  int rc = run_chunk(p, chunkname, chunkname, text, len, limits, &fs, sink);
  if (rc != 0) {
    hg_filterset_free(&fs);
    return -1;
  }
  decls d = {0};
  decls_add(&d, &fs, false);
  return resolve(&d, p, out, sink);
}

/* ---- files -------------------------------------------------------------- */

typedef struct ffile {
  char *name;      /* "x.lua" */
  char *path;      /* display path */
  bool shipped;
} ffile;

static int cmp_ffile(const void *a, const void *b)
{
  const ffile *x = a, *y = b;
  return strcmp(x->name, y->name);
}

static char *join_path(const char *dir, const char *name)
{
  if (!dir || !*dir || strcmp(dir, ".") == 0 || strcmp(dir, "./") == 0)
    return xstrdup(name);
  size_t n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  return xasprintf("%.*s/%s", (int)n, dir, name);
}

/* Append the *.lua files of dir to *v; returns -1 when dir exists but
 * cannot be read. */
static int list_dir(const char *dir, bool shipped, ffile **v, size_t *n, size_t *cap)
{
  DIR *d = opendir(dir);
  if (!d)
    return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
  struct dirent *e;
  while ((e = readdir(d))) {
    const char *nm = e->d_name;
    if (nm[0] == '.' || !hg_ends_with(nm, ".lua") || strlen(nm) <= 4)
      continue;
    char *full = join_path(dir, nm);
    struct stat st;
    if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
      free(full);
      continue;
    }
    if (*n == *cap) {
      *cap = *cap ? *cap * 2 : 16;
      *v = xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[(*n)++] = (ffile){xstrdup(nm), full, shipped};
  }
  closedir(d);
  return 0;
}

static bool same_dir(const char *a, const char *b)
{
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int hg_lua_run(const hg_profile *p, hg_res *res, const hg_lua_limits *limits, hg_filterset *out,
               hg_diag_sink *sink)
{
  char *root_dir = join_path(hg_res_root(res), "filters");
  char *share = hg_res_share(res) ? join_path(hg_res_share(res), "filters") : NULL;
  ffile *files = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  if (list_dir(root_dir, false, &files, &n, &cap) != 0) {
    hg_diag_add(sink, HG_SEV_ERROR, root_dir, 0, 0, "lua-file", "cannot read the folder: %s", strerror(errno));
    rc = -1;
  }
  size_t n_root = n;
  if (share && !same_dir(root_dir, share) && list_dir(share, true, &files, &n, &cap) != 0) {
    hg_diag_add(sink, HG_SEV_ERROR, share, 0, 0, "lua-file", "cannot read the folder: %s", strerror(errno));
    rc = -1;
  }
  /* A repo file replaces the shipped file of the same name. */
  for (size_t i = n_root; i < n; i++)
    for (size_t j = 0; j < n_root; j++)
      if (files[i].name && strcmp(files[i].name, files[j].name) == 0) {
        free(files[i].name);
        free(files[i].path);
        files[i].name = NULL;
      }
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (files[i].name)
      files[m++] = files[i];
  n = m;
  if (n > 1)
    qsort(files, n, sizeof *files, cmp_ffile);

  decls d = {0};
  for (size_t i = 0; i < n; i++) {
    size_t len = 0;
    char *text = hg_res_read(res, files[i].path, MAX_FILTER_FILE, &len);
    if (!text) {
      hg_diag_add(sink, HG_SEV_ERROR, files[i].path, 0, 0, "lua-file", "cannot read the filter file: %s",
                  errno == EFBIG ? "larger than 8 MiB" : hg_read_error(errno));
      rc = -1;
      continue;
    }
    char *chunk = xasprintf("filters/%s", files[i].name);
    hg_filterset fs;
    hg_filterset_init(&fs);
    if (run_chunk(p, files[i].path, chunk, text, len, limits, &fs, sink) != 0) {
      rc = -1;
      hg_filterset_free(&fs); /* may hold a half-checked filter */
    }
    decls_add(&d, &fs, files[i].shipped);
    free(chunk);
    free(text);
  }
  for (size_t i = 0; i < n; i++) {
    free(files[i].name);
    free(files[i].path);
  }
  free(files);
  free(root_dir);
  free(share);
  hg_filterset tmp;
  hg_filterset_init(&tmp);
  if (resolve(&d, p, &tmp, sink) != 0)
    rc = -1;
  if (rc == 0)
    move_all(out, &tmp);
  else
    hg_filterset_free(&tmp);
  return rc;
}
