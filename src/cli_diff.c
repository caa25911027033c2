/*
 * cli_diff.c — `hardengen diff`: a fresh build compared with OUT/ENV/, the
 * checked-in templates (SPEC §14), as a unified diff per file. The same
 * comparison serves `build --check` and the stale-output guard of
 * `publish` (hg_cli_fresh_diff).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_envs.h"
#include "cli_opts.h"
#include "cli.h"
#include "hg/compile.h"
#include "hg/diff.h"
#include "hg/plan.h"
#include "hg/profile.h"
#include "hg/util.h"

const char hg_help_diff[] =
    "hardengen diff --env ENV | --all [--root DIR] [--out DIR] [--format auto|yaml|json]\n"
    "\n"
    "Build the env in memory and compare the result with OUT/ENV/ (the templates\n"
    "checked into the repository): a unified diff per file that differs, from\n"
    "a/OUT/ENV/FILE (what is there) to b/OUT/ENV/FILE (what a build would\n"
    "write). A file only a build would write is diffed from /dev/null; a file\n"
    "a build would delete, to /dev/null. Nothing is written. Like\n"
    "`git diff --exit-code`, the exit status says whether they differ.\n"
    "\n"
    "options:\n"
    "  --env ENV       the environment (profiles/ENV.yaml)\n"
    "  --all           every profile under ROOT/profiles\n"
    "  --root DIR      the folder holding profiles/ (default: the nearest folder\n"
    "                  upward that has one)\n"
    "  --out DIR       where ENV/ folders are (default ROOT/out)\n"
    "  --format FMT    the templates' format: yaml, json, or auto (default: what\n"
    "                  OUT/ENV holds)\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 equal, 1 different (or the inputs have errors), 2 usage,\n"
    "3 I/O error.\n"
    "\n"
    "example:\n"
    "  hardengen diff --env prod | less\n";

char *hg_cli_out_dir(const char *root, const char *out)
{
  if (out)
    return xstrdup(out);
  return strcmp(root, ".") == 0 ? xstrdup("out") : xasprintf("%s/out", root);
}

static bool exists(const char *dir, const char *name)
{
  char *p = xasprintf("%s/%s", dir, name);
  struct stat st;
  bool ok = stat(p, &st) == 0;
  free(p);
  return ok;
}

/* The format OUT/ENV holds: json when it has the JSON parent and not the
 * YAML one, else yaml. */
static hg_plan_format detect_format(const char *dir)
{
  return exists(dir, "security.global.json") && !exists(dir, "security.global.yaml") ? HG_PLAN_JSON
                                                                                     : HG_PLAN_YAML;
}

static void print_file(const char *dir, const hg_diff_file *f)
{
  /* git's a/ and b/ prefixes for a path inside the repository. */
  const char *pa = dir[0] == '/' ? "" : "a/", *pb = dir[0] == '/' ? "" : "b/";
  char *a = xasprintf("%s%s/%s", pa, dir, f->name), *b = xasprintf("%s%s/%s", pb, dir, f->name);
  char *text = hg_diff_unified(f->state == HG_DIFF_ADDED ? "/dev/null" : a, f->old_text, f->old_len,
                               f->state == HG_DIFF_REMOVED ? "/dev/null" : b, f->new_text,
                               f->new_len);
  fputs(text, stdout);
  free(text);
  free(a);
  free(b);
}

int hg_cli_fresh_diff(const char *root, const char *out, const char *env, const char *format,
                      bool print, char **names, hg_diag_sink *sink)
{
  if (names)
    *names = NULL;
  char *dir = xasprintf("%s/%s", out, env);
  hg_plan_options po = {HG_PLAN_YAML, 0, 0};
  if (format && strcmp(format, "json") == 0)
    po.format = HG_PLAN_JSON;
  else if (!format || strcmp(format, "auto") == 0)
    po.format = detect_format(dir);
  hg_compiled c;
  if (hg_compile_filters(root, env, &c, sink) != 0) {
    free(dir);
    return -HG_EXIT_INPUT;
  }
  hg_plan p;
  int rc = 0;
  if (hg_plan_build(&c, root, &po, &p, sink) != 0) {
    rc = -HG_EXIT_INPUT;
  } else {
    hg_diff_set ds;
    int n = hg_diff_compare(&p, dir, &ds, sink);
    if (n < 0) {
      rc = -HG_EXIT_IO;
    } else if (n > 0) {
      rc = 1;
      hg_buf nb;
      hg_buf_init(&nb);
      for (size_t i = 0; i < ds.n; i++) {
        if (ds.v[i].state == HG_DIFF_SAME)
          continue;
        if (print)
          print_file(dir, &ds.v[i]);
        hg_buf_printf(&nb, "%s%s", nb.len ? ", " : "", ds.v[i].name);
      }
      if (names)
        *names = hg_buf_take(&nb, NULL);
      else
        hg_buf_free(&nb);
    }
    hg_diff_set_free(&ds);
  }
  hg_plan_free(&p);
  hg_compiled_free(&c);
  free(dir);
  return rc;
}

int hg_cli_diff(int argc, char **argv)
{
  static const char *const formats[] = {"auto", "yaml", "json", NULL};
  const char *env = NULL, *out_flag = NULL;
  bool all = false;
  const hg_opt opts[] = {
      {"env", 0, HG_OPT_STR, &env, "ENV"},
      {"all", 0, HG_OPT_BOOL, &all, NULL},
      {"out", 0, HG_OPT_STR, &out_flag, "DIR"},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_diff, opts, formats, 0};
  hg_cli_args o;
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &o);
  if (rc == 0)
    rc = hg_cli_env_or_all(hg_help_diff, env, all, true);
  char **envs = rc == 0 ? hg_cli_envs(o.root, o.root_given, env) : NULL;
  if (!envs) {
    hg_cli_args_free(&o);
    return rc ? hg_cli_opts_exit(rc) : HG_EXIT_INPUT;
  }
  char *out = hg_cli_out_dir(o.root, out_flag);
  int status = HG_EXIT_OK;
  for (size_t i = 0; envs[i]; i++) {
    hg_diag_sink sink;
    hg_diag_init(&sink);
    char *names = NULL;
    fflush(stdout);
    int r = hg_cli_fresh_diff(o.root, out, envs[i], o.format, true, &names, &sink);
    fflush(stdout);
    hg_diag_render_text(&sink, stderr);
    hg_diag_free(&sink);
    if (r == 0) {
      fprintf(stderr, "%s/%s: up to date\n", out, envs[i]);
    } else if (r == 1) {
      fprintf(stderr, "%s/%s: differs from a fresh build (%s)\n", out, envs[i], names);
      if (status == HG_EXIT_OK)
        status = HG_EXIT_INPUT;
    } else if (-r > status) {
      status = -r;
    }
    free(names);
  }
  free(out);
  hg_profile_list_free(envs);
  hg_cli_args_free(&o);
  return status;
}
