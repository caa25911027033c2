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

#include "hg/cli.h"
#include "hg/iam.h"

const char hg_help_lint_iam[] =
    "hardengen lint-iam FILE ... [--format text|json|sarif] [--scp] [--strict]\n"
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
  const char *format = "text";
  hg_iam_opts opts = {0};
  bool strict = false, opts_done = false;
  const char **files = argc > 1 ? (const char **)&argv[1] : NULL;
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (opts_done || a[0] != '-' || strcmp(a, "-") == 0) {
      if (!*a)
        return hg_cli_usage_error(hg_help_lint_iam,
                                  "an empty path is not a file (use - for stdin)");
      files[nfiles++] = a;
    } else if (strcmp(a, "--") == 0) {
      opts_done = true;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(hg_help_lint_iam, stdout);
      return HG_EXIT_OK;
    } else if (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0) {
      if (a[8] == '=') {
        format = a + 9;
      } else {
        if (i + 1 >= argc)
          return hg_cli_usage_error(hg_help_lint_iam, "--format needs a value");
        format = argv[++i];
      }
      if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "sarif") != 0)
        return hg_cli_usage_error(hg_help_lint_iam, "unknown format '%s' (text, json or sarif)",
                                  format);
    } else if (strcmp(a, "--scp") == 0) {
      opts.scp = true;
    } else if (strcmp(a, "--strict") == 0) {
      strict = true;
    } else {
      return hg_cli_usage_error(hg_help_lint_iam, "unknown option '%s'", a);
    }
  }
  if (nfiles == 0)
    return hg_cli_usage_error(hg_help_lint_iam, "no file to lint");

  hg_diag_sink sink;
  hg_diag_init(&sink);
  const hg_iam_db *db = hg_iam_db_default(&sink);
  if (!db) {
    hg_cli_print_diags(&sink, format);
    hg_diag_free(&sink);
    return HG_EXIT_IO;
  }
  bool io = false;
  for (int i = 0; i < nfiles; i++)
    if (hg_iam_lint_file(db, files[i], &opts, &sink) < 0)
      io = true;
  /* stderr is unbuffered and the text renderer writes carets a byte at a
   * time: buffer it (nothing has been written to it yet on this path). */
  static char errbuf[1 << 16];
  setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
  hg_cli_print_diags(&sink, format);
  fflush(stderr);
  int rc = io                                        ? HG_EXIT_IO
           : sink.errors || (strict && sink.warnings) ? HG_EXIT_INPUT
                                                      : HG_EXIT_OK;
  hg_diag_free(&sink);
  return rc;
}
