/* test_plan_inputs.c — every input file of a build is read once, through
 * the resolver, and the build digest is of the bytes the stages read: a
 * template skeleton (from the repo and from the share folder), a Lambda
 * handler and an exceptions file, each edited right after it was read. */
#include "harness.h"
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hg/compile.h"
#include "hg/plan.h"
#include "hg/resource.h"
#include "hg/util.h"

static char *top, *root, *share;

static void sh(const char *cmd)
{
  if (system(cmd) != 0)
    printf("# command failed: %s\n", cmd);
}

/* A repo (the detective-central golden's inputs, with one skeleton of its
 * own) and an installed share folder, both copies this test may edit. The
 * share folder is the process's: set before anything asks for it. */
static bool setup(void)
{
  if (root)
    return true;
  char exe[4096];
  if (!hg_exe_dir(exe, sizeof exe))
    return false;
  char *up = xasprintf("%s/../..", exe);
  top = realpath(up, NULL);
  free(up);
  root = tmp_dir_named("inputs");
  share = tmp_dir_named("inputs");
  if (!top || !root || !share)
    return false;
  char *cmd = xasprintf("cp -R '%s/tests/golden/detective-root/.' '%s/' && mkdir '%s/templates' && "
                        "cp '%s/templates/detective.global.yaml' '%s/templates/' && "
                        "cp -R '%s/filters' '%s/templates' '%s/share/lambda' '%s/share/iam-actions.txt' '%s/'",
                        top, root, root, top, root, top, top, top, top, share);
  sh(cmd);
  free(cmd);
  setenv("HARDENGEN_SHARE", share, 1);
  setenv("SOURCE_DATE_EPOCH", "1767225600", 1); /* 2026-01-01: the exceptions' "today" */
  return hg_res_share_dir() && strcmp(hg_res_share_dir(), share) == 0;
}

/* What the hook does: append a comment to the file whose path ends with
 * `target` right after it is read, and count the reads of it. */
typedef struct edit {
  const char *target;
  int reads;
} edit;

static void edit_after_read(void *ctx, const char *path)
{
  edit *e = ctx;
  size_t n = strlen(path), m = strlen(e->target);
  if (n < m || strcmp(path + n - m, e->target) != 0)
    return;
  if (e->reads++ == 0) {
    FILE *f = fopen(path, "ab");
    if (f) {
      fputs("\n# edited after it was read\n", f);
      fclose(f);
    }
  }
}

/* Compile and plan the env; its digest into out, the detective function's
 * inline code into *code (when code is not NULL). e: the hook, or NULL. */
static int build(edit *e, char out[65], char **code)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_compiled c;
  int rc = hg_compile_filters(root, "security", &c, &s);
  if (rc == 0) {
    if (e)
      hg_res_on_read(c.res, edit_after_read, e);
    hg_plan p;
    rc = hg_plan_build(&c, root, NULL, &p, &s);
    if (rc == 0)
      memcpy(out, p.digest, 65);
    for (size_t i = 0; rc == 0 && code && i < p.n; i++)
      if (strcmp(p.t[i].name, "detective.global.yaml") == 0) {
        const hg_doc *fn = hg_doc_get(hg_doc_get(hg_doc_get(p.t[i].doc, "Resources"), "DetectiveFunction"),
                                      "Properties");
        const char *zip = hg_doc_get_str(hg_doc_get(fn, "Code"), "ZipFile");
        *code = zip ? xstrdup(zip) : NULL;
      }
    hg_plan_free(&p);
    hg_compiled_free(&c);
  }
  for (size_t i = 0; rc != 0 && i < s.n; i++)
    printf("# %s:%d: %s\n", s.v[i].file ? s.v[i].file : "-", s.v[i].line, s.v[i].message);
  hg_diag_free(&s);
  return rc;
}

/* For one input file: the build that read it before it was edited digests
 * like the build of the original, a build of the edited file differently,
 * and the original again like the first. */
static void edited_after_read(const char *dir, const char *rel)
{
  char *path = xasprintf("%s/%s", dir, rel);
  size_t len = 0;
  char *orig = hg_read_file(path, 1u << 20, &len);
  CHECK(orig != NULL);
  if (!orig) {
    free(path);
    return;
  }
  char d_orig[65] = "", d_read[65] = "", d_edited[65] = "", d_again[65] = "";
  CHECK_INTEQ(build(NULL, d_orig, NULL), 0);
  edit e = {rel, 0};
  CHECK_INTEQ(build(&e, d_read, NULL), 0);
  CHECK_INTEQ(e.reads, 1); /* read once, through the resolver */
  char *now = hg_read_file(path, 1u << 20, NULL);
  CHECK(now && strcmp(now, orig) != 0); /* the hook did edit it */
  free(now);
  CHECK_INTEQ(build(NULL, d_edited, NULL), 0);
  put(path, orig);
  CHECK_INTEQ(build(NULL, d_again, NULL), 0);
  CHECK(d_orig[0] != '\0');
  CHECK_STREQ(d_read, d_orig);
  CHECK(strcmp(d_edited, d_orig) != 0);
  CHECK_STREQ(d_again, d_orig);
  free(orig);
  free(path);
}

TEST(skeleton_of_the_repo_digested_as_read)
{
  CHECK(setup());
  if (root)
    edited_after_read(root, "templates/detective.global.yaml");
}

TEST(skeleton_of_the_share_folder_digested_as_read)
{
  CHECK(setup());
  if (share)
    edited_after_read(share, "templates/security.global.yaml");
}

TEST(lambda_handler_digested_as_read)
{
  CHECK(setup());
  if (share)
    edited_after_read(share, "lambda/detective.py");
}

TEST(preflight_handler_digested_as_read)
{
  CHECK(setup());
  if (share)
    edited_after_read(share, "lambda/preflight.py");
}

TEST(exceptions_file_digested_as_read)
{
  CHECK(setup());
  if (root)
    edited_after_read(root, "exceptions/network.yaml");
}

/* The inline code is the text the resolver recorded: the handler edited
 * after it was read is not what the template holds. */
TEST(inline_code_is_the_bytes_read)
{
  CHECK(setup());
  if (!share)
    return;
  char *path = xasprintf("%s/lambda/detective.py", share);
  size_t len = 0;
  char *orig = hg_read_file(path, 1u << 20, &len);
  CHECK(orig != NULL);
  edit e = {"lambda/detective.py", 0};
  char d[65] = "";
  char *code = NULL;
  CHECK_INTEQ(build(&e, d, &code), 0);
  CHECK(code && orig && strcmp(code, orig) == 0);
  if (orig)
    put(path, orig);
  free(code);
  free(orig);
  free(path);
}

/* Last: remove the copies. */
TEST(cleanup)
{
  char *cmd = xasprintf("rm -rf '%s' '%s'", root ? root : "/nonexistent", share ? share : "/nonexistent");
  sh(cmd);
  free(cmd);
  free(root);
  free(share);
  free(top);
  root = share = top = NULL;
}
