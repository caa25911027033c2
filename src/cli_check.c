/*
 * cli_check.c — `hardengen check`: the whole build (profile, filters,
 * patterns, CIS selection, quotas, IAM lint) without writing anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_envs.h"
#include "cli_opts.h"
#include "hg/backtest.h"
#include "hg/cis.h"
#include "cli.h"
#include "hg/compile.h"
#include "hg/plan.h"
#include "hg/profile.h"
#include "hg/util.h"

const char hg_help_check[] =
    "hardengen check [--env ENV | --all] [--root DIR] [--format text|json|sarif] [--cis]\n"
    "\n"
    "Run every stage of `hardengen build` for one env, or for every profile when\n"
    "no --env is given, and report the problems without writing anything: profile\n"
    "schema, Lua filter maps, filter patterns, CIS selection, CloudFormation\n"
    "quotas, the IAM policies of the generated templates, and every filter's\n"
    "examples (as `hardengen test` runs them). Use it in CI.\n"
    "\n"
    "Text output has one status line per env on stdout (\"prod: ok (31 filters,\n"
    "4 templates)\" or \"prod: failed (2 errors, 0 warnings)\"), each followed by\n"
    "its diagnostics on stderr; a problem several envs share (a filter file\n"
    "they all read) is shown once. JSON and SARIF list every diagnostic once\n"
    "with the envs it concerns.\n"
    "\n"
    "options:\n"
    "  --env ENV       check one environment (profiles/ENV.yaml)\n"
    "  --all           check every profile (the default)\n"
    "  --root DIR      the folder holding profiles/, filters/, templates/ (default:\n"
    "                  the nearest folder upward that has profiles/)\n"
    "  --format FMT    text (stderr, default), json or sarif (stdout) diagnostics\n"
    "  --cis           print the CIS compliance preview to stdout (JSON with\n"
    "                  --format json): for each control and each checker of\n"
    "                  cis.targets, pass or fail and why; diagnostics then go to\n"
    "                  stderr as text\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 clean, 1 problems found, 2 usage, 3 internal error.\n"
    "\n"
    "example:\n"
    "  hardengen check --env prod --format sarif > hardengen.sarif\n";

/* "N errors, M warnings" (singular where it is one). */
static void counts(char *buf, size_t cap, size_t errors, size_t warnings)
{
  snprintf(buf, cap, "%zu error%s, %zu warning%s", errors, errors == 1 ? "" : "s", warnings,
           warnings == 1 ? "" : "s");
}

int hg_cli_check(int argc, char **argv)
{
  static const char *const formats[] = {"text", "json", "sarif", NULL};
  const char *env = NULL;
  bool every = false, cis = false;
  const hg_opt opts[] = {
      {"env", 0, HG_OPT_STR, &env, "ENV"},
      {"all", 0, HG_OPT_BOOL, &every, NULL},
      {"cis", 0, HG_OPT_BOOL, &cis, NULL},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_check, opts, formats, 0};
  hg_cli_args o;
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &o);
  if (rc == 0)
    rc = hg_cli_env_or_all(hg_help_check, env, every, false);
  char **envs = rc == 0 ? hg_cli_envs(o.root, o.root_given, env) : NULL;
  if (!envs) {
    hg_cli_args_free(&o);
    return rc ? hg_cli_opts_exit(rc) : HG_EXIT_INPUT;
  }
  bool text = strcmp(o.format, "text") == 0 || cis;
  /* all: every env's diagnostics, a problem several envs share once with
   * its envs listed (hg_diag_merge). */
  hg_diag_sink all;
  hg_diag_init(&all);
  bool failed = false;
  int cis_failures = 0;
  for (size_t i = 0; envs[i]; i++) {
    hg_diag_sink es;
    hg_diag_init(&es);
    hg_compiled c;
    size_t n_filters = 0, n_templates = 0;
    if (hg_compile_filters(o.root, envs[i], &c, &es) == 0) {
      hg_plan p;
      hg_plan_build(&c, o.root, NULL, &p, &es);
      n_filters = p.n_filters;
      n_templates = p.n;
      /* A broken example fails check as it fails test. */
      size_t passed = 0, ex_failed = 0;
      for (size_t k = 0; k < c.filters.n; k++)
        hg_bt_examples(&c.filters.v[k], c.patterns[k], &passed, &ex_failed, &es);
      if (cis)
        cis_failures += hg_cis_report(c.profile, &c.filters,
                                      strcmp(o.format, "json") == 0 ? "json" : "text", stdout);
      hg_plan_free(&p);
      hg_compiled_free(&c);
    }
    size_t errors = es.errors, warnings = es.warnings;
    failed = failed || errors > 0;
    hg_diag_tag_env(&es, 0, envs[i]);
    size_t before = all.n;
    size_t shared = hg_diag_merge(&all, &es);
    hg_diag_free(&es);
    if (!text)
      continue;
    char cnt[96], also[96] = "";
    counts(cnt, sizeof cnt, errors, warnings);
    if (shared)
      snprintf(also, sizeof also, "; %zu shown above", shared);
    if (!cis) {
      if (errors == 0 && warnings == 0)
        printf("%s: ok (%zu filters, %zu templates)\n", envs[i], n_filters, n_templates);
      else if (errors == 0)
        printf("%s: ok (%zu filters, %zu templates; %s%s)\n", envs[i], n_filters, n_templates, cnt,
               also);
      else
        printf("%s: failed (%s%s)\n", envs[i], cnt, also);
      fflush(stdout);
    }
    hg_diag_render_text_from(&all, before, stderr);
    fflush(stderr);
  }
  if (!text)
    hg_cli_print_diags_root(&all, o.format, o.root);
  hg_diag_free(&all);
  hg_profile_list_free(envs);
  hg_cli_args_free(&o);
  return failed || cis_failures > 0 ? HG_EXIT_INPUT : HG_EXIT_OK;
}
