/* test_resource.c — the resource resolver: the share folder found from the
 * build tree, share files, the IAM action list, the default root, the
 * digests of the bytes read, and a build digest that never re-reads. */
#include "harness.h"
#include "fixtures.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hg/compile.h"
#include "hg/plan.h"
#include "hg/resource.h"
#include "hg/util.h"

#ifndef HG_SHAREDIR
#define HG_SHAREDIR "/usr/local/share/hardengen"
#endif

/* The source tree: two folders above this program (BUILD/tests/). */
static char *source_tree(void)
{
  char exe[4096];
  if (!hg_exe_dir(exe, sizeof exe))
    return NULL;
  char *up = xasprintf("%s/../..", exe);
  char *real = realpath(up, NULL);
  free(up);
  return real;
}

static bool is_dir(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void rm_tree(const char *dir)
{
  char *cmd = xasprintf("rm -rf '%s'", dir);
  if (system(cmd) != 0) {
  }
  free(cmd);
}

/* First: the share folder is computed once per process, from a clean
 * environment here. */
TEST(share_folder_from_the_build_tree)
{
  unsetenv("HARDENGEN_SHARE");
  char *top = source_tree();
  CHECK(top != NULL);
  const char *share = hg_res_share_dir();
  CHECK(share != NULL);
  /* The compiled SHAREDIR wins over the build tree when it is installed
   * on this machine; the test program's own folder has no
   * ../share/hardengen. */
  const char *want = is_dir(HG_SHAREDIR) ? HG_SHAREDIR : top;
  CHECK_STREQ(share, want);
  char *cis = share ? xasprintf("%s/filters/cis.lua", share) : NULL;
  CHECK(cis && access(cis, R_OK) == 0);
  /* Same answer on every call. */
  CHECK(hg_res_share_dir() == share);
  free(cis);
  free(top);
}

TEST(share_files_installed_and_source_layouts)
{
  /* In the source tree the handler is share/lambda/NAME.py; installed, it
   * is SHAREDIR/lambda/NAME.py. Either way one readable path. */
  char *p = hg_res_share_file("lambda/preflight.py");
  CHECK(p != NULL);
  CHECK(p && hg_ends_with(p, "/lambda/preflight.py") && access(p, R_OK) == 0);
  free(p);
  CHECK(hg_res_share_file("lambda/no-such-handler.py") == NULL);

  setenv("HARDENGEN_IAM_ACTIONS", "/nonexistent/actions.txt", 1);
  CHECK_STREQ(hg_res_iam_actions(), "/nonexistent/actions.txt");
  unsetenv("HARDENGEN_IAM_ACTIONS");
  const char *iam = hg_res_iam_actions();
  CHECK(iam && hg_ends_with(iam, "/iam-actions.txt") && access(iam, R_OK) == 0);
}

TEST(paths_of_a_resolver)
{
  hg_res *r = hg_res_new(NULL);
  CHECK_STREQ(hg_res_root(r), ".");
  char *p = hg_res_root_path(r, "profiles/prod.yaml");
  CHECK_STREQ(p, "profiles/prod.yaml");
  free(p);
  CHECK_STREQ(hg_res_share(r), hg_res_share_dir());
  hg_res_set_share(r, NULL);
  CHECK(hg_res_share(r) == NULL);
  CHECK(hg_res_share_path(r, "filters") == NULL);
  hg_res_set_share(r, "/opt/share//");
  p = hg_res_share_path(r, "filters");
  CHECK_STREQ(p, "/opt/share/filters");
  free(p);
  hg_res_free(r);

  r = hg_res_new("repo/");
  p = hg_res_root_path(r, "templates/x.yaml");
  CHECK_STREQ(p, "repo/templates/x.yaml");
  free(p);
  hg_res_free(r);
  hg_res_free(NULL);
}

TEST(reads_record_the_digest_of_the_bytes_returned)
{
  char *dir = tmp_dir_named("res");
  CHECK(dir != NULL);
  if (!dir)
    return;
  char *a = xasprintf("%s/a.txt", dir);
  put(a, "hello");
  hg_res *r = hg_res_new(dir);
  CHECK(hg_res_sha256(r, a) == NULL);
  size_t len = 0;
  char *text = hg_res_read(r, a, 1024, &len);
  CHECK(text && len == 5 && memcmp(text, "hello", 5) == 0);
  /* sha256("hello"), as sha256sum prints it. */
  CHECK_STREQ(hg_res_sha256(r, a), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  CHECK_INTEQ(hg_res_count(r), 1);
  free(text);

  /* A second read of the same path replaces the record. */
  put(a, "");
  text = hg_res_read(r, a, 1024, &len);
  CHECK(text && len == 0);
  CHECK_STREQ(hg_res_sha256(r, a), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK_INTEQ(hg_res_count(r), 1);
  free(text);

  /* A failed read records nothing and keeps hg_read_file's errno. */
  char *missing = xasprintf("%s/missing.txt", dir);
  errno = 0;
  CHECK(hg_res_read(r, missing, 1024, &len) == NULL);
  CHECK_INTEQ(errno, ENOENT);
  CHECK(hg_res_sha256(r, missing) == NULL);
  errno = 0;
  CHECK(hg_res_read(r, dir, 1024, &len) == NULL);
  CHECK_INTEQ(errno, EISDIR);
  put(missing, "0123456789");
  errno = 0;
  CHECK(hg_res_read(r, missing, 4, &len) == NULL);
  CHECK_INTEQ(errno, EFBIG);
  CHECK(hg_res_sha256(r, missing) == NULL);
  CHECK_INTEQ(hg_res_count(r), 1);
  /* Looked up as spelled when read. */
  char *other = xasprintf("%s//a.txt", dir);
  CHECK(hg_res_sha256(r, other) == NULL);
  CHECK(hg_res_sha256(NULL, a) == NULL);
  hg_res_free(r);
  free(other);
  free(missing);
  free(a);
  rm_tree(dir);
  free(dir);
}

TEST(default_root_is_found_as_git_finds_its_repository)
{
  char *dir = tmp_dir_named("res");
  CHECK(dir != NULL);
  if (!dir)
    return;
  char cwd[PATH_MAX];
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  char *deep = xasprintf("%s/a/b", dir);
  char *prof = xasprintf("%s/profiles", dir);
  CHECK(hg_mkdirs(deep, 0755) == 0 && hg_mkdirs(prof, 0755) == 0);
  CHECK(chdir(deep) == 0);
  CHECK_STREQ(hg_res_default_root(), "../..");
  CHECK(chdir(dir) == 0);
  CHECK_STREQ(hg_res_default_root(), ".");
  CHECK(chdir(cwd) == 0);
  free(deep);
  free(prof);
  rm_tree(dir);
  free(dir);
}

/* Compile ROOT/ENV and plan it; the digest into out. */
static int build_digest(const char *root, const char *env, char out[65], hg_compiled *keep)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_compiled c;
  int rc = hg_compile_filters(root, env, &c, &s);
  if (rc == 0 && !keep) {
    hg_plan p;
    rc = hg_plan_build(&c, root, NULL, &p, &s);
    if (rc == 0)
      memcpy(out, p.digest, 65);
    hg_plan_free(&p);
    hg_compiled_free(&c);
  } else if (rc == 0) {
    *keep = c;
  }
  for (size_t i = 0; rc != 0 && i < s.n; i++)
    fprintf(stderr, "  %s:%d: %s\n", s.v[i].file ? s.v[i].file : "-", s.v[i].line, s.v[i].message);
  hg_diag_free(&s);
  return rc;
}

TEST(build_digest_is_of_the_bytes_the_stages_read)
{
  char *top = source_tree();
  char *dir = tmp_dir_named("res");
  CHECK(top && dir);
  if (!top || !dir) {
    free(top);
    free(dir);
    return;
  }
  char *profiles = xasprintf("%s/profiles", dir);
  hg_mkdirs(profiles, 0755);
  char *src = xasprintf("%s/tests/golden/inputs/profiles/no-preflight.yaml", top);
  size_t len = 0;
  char *orig = hg_read_file(src, 1u << 20, &len);
  CHECK(orig != NULL);
  char *path = xasprintf("%s/nopf.yaml", profiles);
  put(path, orig ? orig : "");

  /* Compile, then edit the profile before planning: the digest is still
   * the one of the bytes the loader read. */
  hg_compiled c;
  char d_read[65] = "", d_edited[65] = "", d_again[65] = "";
  CHECK_INTEQ(build_digest(dir, "nopf", NULL, &c), 0);
  char want[65];
  hg_sha256_hex(orig ? orig : "", len, want);
  CHECK_STREQ(hg_res_sha256(c.res, path), want);
  char *edited = xasprintf("%s# edited after the profile was read\n", orig ? orig : "");
  put(path, edited);
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_plan p;
  CHECK_INTEQ(hg_plan_build(&c, dir, NULL, &p, &s), 0);
  memcpy(d_read, p.digest, 65);
  hg_plan_free(&p);
  hg_diag_free(&s);
  hg_compiled_free(&c);

  /* The edited bytes digest differently; the original ones alike. */
  CHECK_INTEQ(build_digest(dir, "nopf", d_edited, NULL), 0);
  put(path, orig ? orig : "");
  CHECK_INTEQ(build_digest(dir, "nopf", d_again, NULL), 0);
  CHECK(d_read[0] && strcmp(d_read, d_edited) != 0);
  CHECK_STREQ(d_read, d_again);

  free(edited);
  free(path);
  free(orig);
  free(src);
  free(profiles);
  rm_tree(dir);
  free(dir);
  free(top);
}
