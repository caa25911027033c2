/*
 * cli_lint_iam.c — `hardengen lint-iam`: check the IAM action names of every
 * policy in CloudFormation templates and policy documents.
 *
 * Exit status: 0 when no finding is an error (warnings are printed but do not
 * fail the run, so a template whose only findings are Allow typos or casing
 * still passes; --strict makes warnings fail too), 1 when any finding is an
 * error, 2 for a usage error, 3 when a file or the action list cannot be read.
 */
#include <stdio.h>
#include <string.h>

#include "cli_opts.h"
#include "cli.h"
#include "hg/iam.h"

const char hg_help_lint_iam[] =
    "hardengen lint-iam FILE ... [--root DIR] [--format text|json|sarif] [--scp] [--strict]\n"
    "\n"
    "Check every IAM action name (Action and NotAction) in CloudFormation templates\n"
    "(YAML with short-form tags such as !Sub, or JSON) and in JSON/YAML policy\n"
    "documents against the list of all IAM actions shipped with hardengen.\n"
    "In a template every policy is checked: IAM policies, managed policies, inline\n"
    "policies and AssumeRolePolicyDocument of roles, users and groups; S3 bucket,\n"
    "SNS topic and SQS queue policies; KMS key policies; Organizations SCPs\n"
    "(Content as an object or a JSON string); any other property named\n"
    "PolicyDocument. FILE '-' reads standard input.\n"
    "\n"
    "Findings: unknown service prefix, unknown action, a wildcard that matches no\n"
    "action, a malformed policy (errors or warnings), and non-canonical casing\n"
    "(warning). A bad name is an error where it fails open: in a Deny statement, in\n"
    "an SCP, or in NotAction under Allow; in an Allow it is a warning. Each finding\n"
    "has a did-you-mean in AWS casing.\n"
    "\n"
    "options:\n"
    "  --format FMT   text (default; to stderr, with the source line and a caret),\n"
    "                 json or sarif (to stdout)\n"
    "  --scp          treat bare policy documents as service control policies\n"
    "  --strict       exit 1 on warnings too\n"
    "  --root DIR     read relative FILEs (and a relative HARDENGEN_IAM_ACTIONS)\n"
    "                 from DIR, and make SARIF locations relative to it, as when\n"
    "                 run there (`git -C DIR`); default: the current folder\n"
    "  -h, --help     show this help\n"
    "\n"
    "exit status: 0 no error finding, 1 an error finding (or a warning with\n"
    "--strict), 2 usage error, 3 a file or the action list cannot be read.\n"
    "The action list is share/hardengen/iam-actions.txt; the environment variable\n"
    "HARDENGEN_IAM_ACTIONS names another file.\n"
    "\n"
    "example:\n"
    "  $ hardengen lint-iam stack.yaml\n"
    "  stack.yaml:12:17: error: unknown IAM action 's3:GetObjet' in Action [iam-unknown-action]\n"
    "              - s3:GetObjet\n"
    "                ^~~~~~~~~~~\n"
    "    note: did you mean 's3:GetObject'?\n"
    "    note: in a Deny statement a name that matches no action denies nothing (fails open)\n"
    "  $ hardengen lint-iam --scp --format sarif scp.json > findings.sarif\n";

int hg_cli_lint_iam(int argc, char **argv)
{
  static const char *const formats[] = {"text", "json", "sarif", NULL};
  hg_iam_opts opts = {0};
  bool strict = false;
  const hg_opt table[] = {
      {"scp", 0, HG_OPT_BOOL, &opts.scp, NULL},
      {"strict", 0, HG_OPT_BOOL, &strict, NULL},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_lint_iam, table, formats, -1};
  hg_cli_args a;
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &a);
  for (size_t i = 0; rc == 0 && i < a.n_operands; i++)
    if (!*a.operands[i])
      rc = hg_cli_usage_error(hg_help_lint_iam, "an empty path is not a file (use - for stdin)");
  if (rc == 0 && a.n_operands == 0)
    rc = hg_cli_usage_error(hg_help_lint_iam, "no file to lint");
  /* --root DIR: relative FILEs and a relative HARDENGEN_IAM_ACTIONS are
   * read from DIR, and SARIF locations are relative to it, as when run
   * there (`git -C DIR`). */
  if (rc == 0)
    rc = hg_cli_enter_root(&a);
  if (rc != 0) {
    hg_cli_args_free(&a);
    return hg_cli_opts_exit(rc);
  }
  const char *format = a.format;
  char **files = a.operands;
  size_t nfiles = a.n_operands;

  hg_diag_sink sink;
  hg_diag_init(&sink);
  const hg_iam_db *db = hg_iam_db_default(&sink);
  if (!db) {
    hg_cli_print_diags(&sink, format);
    hg_diag_free(&sink);
    hg_cli_args_free(&a);
    return HG_EXIT_IO;
  }
  bool io = false;
  for (size_t i = 0; i < nfiles; i++)
    if (hg_iam_lint_file(db, files[i], &opts, &sink) < 0)
      io = true;
  /* stderr is unbuffered and the text renderer writes carets a byte at a
   * time: buffer it (nothing has been written to it yet on this path). */
  static char errbuf[1 << 16];
  setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
  hg_cli_print_diags(&sink, format);
  fflush(stderr);
  rc = io                                        ? HG_EXIT_IO
           : sink.errors || (strict && sink.warnings) ? HG_EXIT_INPUT
                                                      : HG_EXIT_OK;
  hg_diag_free(&sink);
  hg_cli_args_free(&a);
  return rc;
}
