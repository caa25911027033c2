/*
 * cli_check.c — `hardengen check`: the whole build (profile, filters,
 * patterns, CIS selection, quotas, IAM lint) without writing anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_envs.h"
#include "hg/cis.h"
#include "hg/cli.h"
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
    "quotas and the IAM policies of the generated templates. Use it in CI.\n"
    "\n"
    "options:\n"
    "  --env ENV       check one environment (profiles/ENV.yaml)\n"
    "  --all           check every profile (the default)\n"
    "  --root DIR      the folder holding profiles/, filters/, templates/ (default .)\n"
    "  --format FMT    text (stderr, default), json or sarif (stdout) diagnostics\n"
    "  --cis           print the CIS compliance preview to stdout (JSON with\n"
    "                  --format json): for each control and each checker of\n"
    "                  cis.targets, pass or fail and why; diagnostics then go to\n"
    "                  stderr as text\n"
    "\n"
    "exit status: 0 clean, 1 problems found, 2 usage, 3 internal error.\n"
    "\n"
    "example:\n"
    "  hardengen check --env prod --format sarif > hardengen.sarif\n";

int hg_cli_check(int argc, char **argv)
{
  static const char *const formats[] = {"text", "json", "sarif", NULL};
  hg_cli_opts o;
  int rc = hg_cli_parse(argc, argv, "earfc", formats, hg_help_check, &o);
  if (rc != 0)
    return rc < 0 ? HG_EXIT_OK : rc;
  char **envs = hg_cli_envs(&o);
  if (!envs)
    return HG_EXIT_INPUT;
  bool text = strcmp(o.format, "text") == 0;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  bool failed = false;
  int cis_failures = 0;
  for (size_t i = 0; envs[i]; i++) {
    hg_compiled c;
    size_t before = sink.errors;
    if (hg_compile_filters(o.root, envs[i], &c, &sink) != 0) {
      failed = true;
      continue;
    }
    hg_plan p;
    if (hg_plan_build(&c, o.root, NULL, &p, &sink) != 0)
      failed = true;
    if (o.cis)
      cis_failures += hg_cis_report(c.profile, &c.filters,
                                    strcmp(o.format, "json") == 0 ? "json" : "text", stdout);
    if (text && !o.cis && sink.errors == before)
      printf("%s: ok (%zu filters, %zu templates)\n", envs[i], p.n_filters, p.n);
    hg_plan_free(&p);
    hg_compiled_free(&c);
  }
  /* With --cis, stdout holds the preview, so diagnostics go to stderr. */
  hg_cli_print_diags(&sink, o.cis ? "text" : o.format);
  hg_diag_free(&sink);
  hg_profile_list_free(envs);
  return failed || cis_failures > 0 ? HG_EXIT_INPUT : HG_EXIT_OK;
}
