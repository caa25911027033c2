/*
 * cli_build.c — `hardengen build`: compile one env or all of them and write
 * out/ENV/ atomically. Every env is compiled and checked first; nothing is
 * written unless all of them succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_envs.h"
#include "cli_opts.h"
#include "cli.h"
#include "hg/compile.h"
#include "hg/plan.h"
#include "hg/profile.h"
#include "hg/util.h"

const char hg_help_build[] =
    "hardengen build --env ENV | --all [--root DIR] [--out DIR] [--format yaml|json] [--check]\n"
    "\n"
    "Compile profiles/ENV.yaml and the filter maps into the CloudFormation stack\n"
    "set of OUT/ENV/: security.global.yaml (the parent), cloudtrail.global.yaml,\n"
    "config.global.yaml, cloudwatch.global.yaml (plus cloudwatch.global.2.yaml, ...\n"
    "when a CloudFormation quota would be exceeded) and manifest.json.\n"
    "\n"
    "Everything is checked before anything is written: profile, Lua filters,\n"
    "patterns, CloudFormation quotas and IAM policies. The files go to a temporary\n"
    "folder that replaces OUT/ENV/ only when the whole env compiled, so a failed\n"
    "build leaves OUT/ENV/ as it was. The same inputs give byte-identical files.\n"
    "\n"
    "options:\n"
    "  --env ENV       the environment (profiles/ENV.yaml)\n"
    "  --all           every profile under ROOT/profiles\n"
    "  --root DIR      the folder holding profiles/, filters/, templates/ (default:\n"
    "                  the nearest folder upward that has profiles/)\n"
    "  --out DIR       where ENV/ folders go (default ROOT/out)\n"
    "  --format FMT    yaml (default) or json templates; same content\n"
    "  --check         write nothing; exit 1 when OUT/ENV differs from what the\n"
    "                  build would write (see `hardengen diff` for the changes)\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 written (--check: up to date), 1 input is wrong (diagnostics\n"
    "on stderr; --check: OUT/ENV is stale), 2 usage, 3 I/O error.\n"
    "\n"
    "example:\n"
    "  hardengen build --env prod && ls out/prod\n";

/* build --check: like `terraform fmt -check`, say which envs a build would
 * change and write nothing. */
static int check_only(const hg_cli_args *a, const char *env, const char *out_flag)
{
  char **envs = hg_cli_envs(a->root, a->root_given, env);
  if (!envs)
    return HG_EXIT_INPUT;
  char *out = hg_cli_out_dir(a->root, out_flag);
  int status = HG_EXIT_OK;
  for (size_t i = 0; envs[i]; i++) {
    hg_diag_sink sink;
    hg_diag_init(&sink);
    char *names = NULL;
    int r = hg_cli_fresh_diff(a->root, out, envs[i], a->format, false, &names, &sink);
    hg_diag_render_text(&sink, stderr);
    hg_diag_free(&sink);
    if (r == 0) {
      printf("%s/%s: up to date\n", out, envs[i]);
    } else if (r == 1) {
      printf("%s/%s: stale (%s); run 'hardengen build --env %s'\n", out, envs[i], names, envs[i]);
      if (status == HG_EXIT_OK)
        status = HG_EXIT_INPUT;
    } else if (-r > status) {
      status = -r;
    }
    free(names);
  }
  free(out);
  hg_profile_list_free(envs);
  return status;
}

int hg_cli_build(int argc, char **argv)
{
  static const char *const formats[] = {"yaml", "json", NULL};
  const char *env = NULL, *out_flag = NULL;
  bool all = false, check = false;
  const hg_opt opts[] = {
      {"env", 0, HG_OPT_STR, &env, "ENV"},      {"all", 0, HG_OPT_BOOL, &all, NULL},
      {"out", 0, HG_OPT_STR, &out_flag, "DIR"}, {"check", 0, HG_OPT_BOOL, &check, NULL},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_build, opts, formats, 0};
  hg_cli_args o;
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &o);
  if (rc == 0)
    rc = hg_cli_env_or_all(hg_help_build, env, all, true);
  if (rc != 0 || check) {
    if (rc == 0)
      rc = check_only(&o, env, out_flag);
    else
      rc = hg_cli_opts_exit(rc);
    hg_cli_args_free(&o);
    return rc;
  }
  char **envs = hg_cli_envs(o.root, o.root_given, env);
  if (!envs) {
    hg_cli_args_free(&o);
    return HG_EXIT_INPUT;
  }
  if (!envs[0]) {
    fprintf(stderr, "hardengen: no profiles under %s/profiles\n", o.root);
    hg_cli_args_free(&o);
    hg_profile_list_free(envs);
    return HG_EXIT_INPUT;
  }
  size_t n = 0;
  while (envs[n])
    n++;
  hg_plan_options po = {strcmp(o.format, "json") == 0 ? HG_PLAN_JSON : HG_PLAN_YAML, 0, 0};
  hg_plan *plans = xcalloc(n, sizeof *plans);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  bool failed = false;
  char *out = hg_cli_out_dir(o.root, out_flag);
  for (size_t i = 0; i < n; i++) {
    hg_compiled c;
    if (hg_compile_filters(o.root, envs[i], &c, &sink) != 0) {
      failed = true;
      continue;
    }
    if (hg_plan_build(&c, o.root, &po, &plans[i], &sink) != 0)
      failed = true;
    else
      hg_plan_check_previous(&c, out, &sink);
    hg_compiled_free(&c);
  }
  int status = HG_EXIT_OK;
  if (failed) {
    status = HG_EXIT_INPUT;
  } else {
    /* All or nothing: stage every env, then swap them all in. */
    hg_plan_staged *staged = xcalloc(n, sizeof *staged);
    for (size_t i = 0; i < n && status == HG_EXIT_OK; i++)
      if (hg_plan_stage(&plans[i], out, &staged[i], &sink) != 0)
        status = HG_EXIT_IO;
    if (status == HG_EXIT_OK && hg_plan_commit(staged, n, &sink) != 0)
      status = HG_EXIT_IO;
    for (size_t i = 0; i < n; i++)
      hg_plan_staged_free(&staged[i]);
    free(staged);
    for (size_t i = 0; i < n && status == HG_EXIT_OK; i++) {
      size_t bytes = 0;
      for (size_t k = 0; k < plans[i].n; k++)
        bytes += plans[i].t[k].len;
      printf("%s/%s: %zu templates, %zu alarms, %zu bytes, digest %.12s\n", out, plans[i].env,
             plans[i].n, plans[i].n_filters, bytes, plans[i].digest);
    }
  }
  free(out);
  hg_diag_render_text(&sink, stderr);
  hg_diag_free(&sink);
  for (size_t i = 0; i < n; i++)
    hg_plan_free(&plans[i]);
  free(plans);
  hg_profile_list_free(envs);
  hg_cli_args_free(&o);
  return status;
}
