/*
 * profile.c — load a profile: read ROOT/profiles/ENV.yaml, follow `extends`
 * (profile_merge.c), check the merged tree against the schema
 * (profile_check.c, tables in profile_schema.c) and fill the typed
 * hg_profile from the same tables.
 *
 * Every problem is reported; the typed fill runs only when the sink holds
 * no error.
 */
#include "profile_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_EXTENDS_DEPTH 16

/* ---- small helpers ------------------------------------------------------ */

const hg_yval *hg_yval_get(const hg_yval *m, const char *key)
{
  if (!m || m->kind != HG_Y_MAP)
    return NULL;
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->keys[i], key) == 0)
      return m->items[i];
  return NULL;
}

const hg_yval *hg_yval_path(const hg_yval *tree, const char *dotted)
{
  const hg_yval *v = tree;
  const char *p = dotted;
  char part[256];
  while (v && *p) {
    size_t n = strcspn(p, ".");
    if (n >= sizeof part)
      return NULL;
    memcpy(part, p, n);
    part[n] = '\0';
    v = hg_yval_get(v, part);
    p += n;
    if (*p == '.')
      p++;
  }
  return v;
}

/* ---- loading ------------------------------------------------------------ */

/* ROOT/profiles/ENV.yaml, or profiles/ENV.yaml when root is "." (malloc'd). */
static char *profile_path(const char *root, const char *env)
{
  if (!root || !*root || strcmp(root, ".") == 0 || strcmp(root, "./") == 0)
    return xasprintf("profiles/%s.yaml", env);
  size_t n = strlen(root);
  while (n > 1 && root[n - 1] == '/')
    n--;
  return xasprintf("%.*s/profiles/%s.yaml", (int)n, root, env);
}

static char **list_profiles(const char *root, bool with_abstract);

/*
 * A profile may be a symbolic link, but only to a file inside the profiles
 * folder: a link to another file (a key, a password file) would have its
 * first line echoed in a diagnostic. True when path is no link or stays in.
 */
static bool link_stays_inside(const char *path)
{
  struct stat st;
  if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
    return true;
  char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  *slash = '\0'; /* path always holds "profiles/" */
  char *real_dir = realpath(dir, NULL), *real = realpath(path, NULL);
  size_t n = real_dir ? strlen(real_dir) : 0;
  bool ok = !real || (real_dir && strncmp(real, real_dir, n) == 0 && real[n] == '/');
  free(real_dir);
  free(real);
  free(dir);
  return ok;
}

static void note_known_profiles(hg_diag *d, const char *root, const char *name)
{
  char **names = list_profiles(root, true);
  if (!names)
    return;
  const char *near = hg_did_you_mean(name, (const char *const *)names, false);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
  hg_profile_list_free(names);
}

typedef struct chain {
  const char *names[MAX_EXTENDS_DEPTH + 1];
  size_t n;
} chain;

/*
 * Read, parse and merge ENV with its ancestors. from is the `extends` node
 * that named env (NULL for the profile asked for). Returns the merged tree or
 * NULL after an error.
 */
static const hg_yval *load_tree(hg_pctx *c, const char *root, const char *env, const hg_yval *from,
                                const char *from_env, chain *ch)
{
  char *path = profile_path(root, env);
  size_t len = 0;
  if (!link_stays_inside(path)) {
    hg_diag *d = hg_diag_add(c->sink, HG_SEV_ERROR, path, 0, 0, "profile-unreadable",
                             "profile is a symbolic link to a file outside its profiles folder");
    hg_diag_note(d, "link only to profiles in the same folder, or copy the file");
    free(path);
    return NULL;
  }
  char *text = hg_res_read(c->res, path, HG_PROFILE_MAX_BYTES, &len);
  if (!text) {
    int e = errno;
    hg_diag *d;
    if (e == ENOENT && from) {
      d = hg_pctx_at(c, HG_SEV_ERROR, from, "profile-missing-parent", "profile '%s' extends '%s', but %s does not exist",
             from_env, env, path);
      note_known_profiles(d, root, env);
    } else if (e == ENOENT) {
      d = hg_diag_add(c->sink, HG_SEV_ERROR, path, 0, 0, "profile-not-found", "no profile '%s': %s does not exist",
                      env, path);
      note_known_profiles(d, root, env);
    } else if (e == EFBIG) {
      hg_diag_add(c->sink, HG_SEV_ERROR, path, 0, 0, "profile-too-large", "profile is larger than %u bytes",
                  HG_PROFILE_MAX_BYTES);
    } else {
      hg_diag_add(c->sink, HG_SEV_ERROR, path, 0, 0, "profile-unreadable", "cannot read profile: %s",
                  hg_read_error(e));
    }
    free(path);
    return NULL;
  }
  hg_diag_source(c->sink, path, text, len);
  hg_yval *tree = hg_yval_parse(c->a, path, text, len, c->sink);
  free(text);
  free(path);
  if (!tree)
    return NULL;
  ch->names[ch->n++] = hg_arena_strdup(c->a, env);
  const hg_yval *ext = hg_yval_get(tree, "extends");
  if (!ext || ext->kind != HG_Y_STR || !hg_profile_env_name_ok(ext->text))
    return tree; /* a bad `extends` is reported by the schema check */
  for (size_t i = 0; i < ch->n; i++)
    if (strcmp(ch->names[i], ext->text) == 0) {
      hg_buf b;
      hg_buf_init(&b);
      for (size_t j = i; j < ch->n; j++)
        hg_buf_printf(&b, "%s -> ", ch->names[j]);
      hg_buf_puts(&b, ext->text);
      hg_pctx_at(c, HG_SEV_ERROR, ext, "profile-extends-cycle", "extends cycle: %s", b.data);
      hg_buf_free(&b);
      return NULL;
    }
  if (ch->n > MAX_EXTENDS_DEPTH) {
    hg_pctx_at(c, HG_SEV_ERROR, ext, "profile-extends-depth", "extends chain is longer than %d profiles", MAX_EXTENDS_DEPTH);
    return NULL;
  }
  const hg_yval *parent = load_tree(c, root, ext->text, ext, env, ch);
  if (!parent)
    return NULL;
  return hg_profile_merge(c->a, parent, tree, true);
}

static hg_profile *new_profile(hg_arena *a, const char *root, const char *env, const char *path)
{
  hg_profile *p = hg_arena_alloc(a, sizeof *p);
  p->arena = a;
  p->env = hg_arena_strdup(a, env);
  p->path = hg_arena_strdup(a, path);
  p->root = hg_arena_strdup(a, root ? root : ".");
  return p;
}

hg_profile *hg_profile_load(const char *root, const char *env, hg_diag_sink *sink)
{
  hg_res *res = hg_res_new(root);
  hg_profile *p = hg_profile_load_res(res, env, sink);
  hg_res_free(res);
  return p;
}

hg_profile *hg_profile_load_res(hg_res *res, const char *env, hg_diag_sink *sink)
{
  const char *root = hg_res_root(res);
  if (!hg_profile_env_name_ok(env)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "profile-bad-env",
                "'%s' is not an environment name (letters, digits, '_' and '-')", env);
    return NULL;
  }
  size_t errors = sink->errors;
  hg_arena *a = hg_arena_new();
  hg_pctx c;
  hg_pctx_init(&c, a, sink);
  c.res = res;
  chain ch = {{NULL}, 0};
  const hg_yval *tree = load_tree(&c, root, env, NULL, NULL, &ch);
  char *path = profile_path(root, env);
  if (tree) {
    const hg_yval *abs = hg_yval_get(tree, "abstract");
    if (abs && abs->kind == HG_Y_BOOL && abs->b) {
      hg_diag *d = hg_pctx_at(&c, HG_SEV_ERROR, abs, "profile-abstract",
                      "profile '%s' is abstract: it is only a parent for other profiles", env);
      hg_diag_note(d, "build a profile that extends it instead");
    } else {
      hg_pctx_check_tree(&c, tree, path);
    }
  }
  hg_pctx_finish(&c, path);
  if (!tree || sink->errors > errors) {
    free(path);
    hg_arena_free(a);
    return NULL;
  }
  hg_profile *p = new_profile(a, root, env, path);
  free(path);
  p->tree = (hg_yval *)tree;
  p->files = hg_arena_alloc(a, ch.n * sizeof *p->files);
  for (size_t i = 0; i < ch.n; i++) {
    char *file = profile_path(root, ch.names[i]);
    p->files[p->n_files++] = hg_arena_strdup(a, file);
    free(file);
  }
  hg_profile_fill(p);
  return p;
}

hg_profile *hg_profile_parse_text(const char *file, const char *text, size_t len, hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  hg_arena *a = hg_arena_new();
  hg_pctx c;
  hg_pctx_init(&c, a, sink);
  hg_diag_source(sink, file, text, len);
  hg_yval *tree = hg_yval_parse(a, file, text, len, sink);
  if (tree)
    hg_pctx_check_tree(&c, tree, file);
  hg_pctx_finish(&c, file);
  if (!tree || sink->errors > errors) {
    hg_arena_free(a);
    return NULL;
  }
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  size_t stem = strcspn(base, ".");
  char *env = xstrndup(base, stem);
  hg_profile *p = new_profile(a, ".", env, file);
  free(env);
  p->tree = tree;
  p->files = hg_arena_alloc(a, sizeof *p->files);
  p->files[p->n_files++] = p->path;
  hg_profile_fill(p);
  return p;
}

void hg_profile_free(hg_profile *p)
{
  if (p)
    hg_arena_free(p->arena);
}

/* ---- listing ------------------------------------------------------------ */

static int str_cmp(const void *x, const void *y)
{
  return strcmp(*(char *const *)x, *(char *const *)y);
}

/* True when the file parses and says `abstract: true` at the top. */
static bool is_abstract_file(const char *path)
{
  size_t len = 0;
  char *text = hg_read_file(path, HG_PROFILE_MAX_BYTES, &len);
  if (!text)
    return false;
  hg_arena *a = hg_arena_new();
  hg_diag_sink scratch;
  hg_diag_init(&scratch);
  hg_yval *tree = hg_yval_parse(a, path, text, len, &scratch);
  const hg_yval *abs = tree ? hg_yval_get(tree, "abstract") : NULL;
  bool r = abs && abs->kind == HG_Y_BOOL && abs->b;
  hg_diag_free(&scratch);
  hg_arena_free(a);
  free(text);
  return r;
}

char **hg_profile_list(const char *root)
{
  return list_profiles(root, false);
}

static char **list_profiles(const char *root, bool with_abstract)
{
  char *dir = profile_path(root, "x");
  dir[strlen(dir) - strlen("/x.yaml")] = '\0';
  DIR *d = opendir(dir);
  if (!d) {
    free(dir);
    return NULL;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len <= 5 || !hg_ends_with(e->d_name, ".yaml"))
      continue;
    char *name = xstrndup(e->d_name, len - 5);
    char *path = xasprintf("%s/%s", dir, e->d_name);
    if (!hg_profile_env_name_ok(name) || (!with_abstract && is_abstract_file(path))) {
      free(name);
      free(path);
      continue;
    }
    free(path);
    if (n + 1 >= cap) {
      cap = cap ? cap * 2 : 16;
      names = xrealloc(names, cap * sizeof *names);
    }
    names[n++] = name;
  }
  closedir(d);
  free(dir);
  if (!names)
    names = xmalloc(sizeof *names);
  qsort(names, n, sizeof *names, str_cmp);
  names[n] = NULL;
  return names;
}

void hg_profile_list_free(char **names)
{
  if (!names)
    return;
  for (size_t i = 0; names[i]; i++)
    free(names[i]);
  free(names);
}
