/*
 * cli_lint_iam.c — `hardengen lint-iam` (not yet implemented).
 */
#include <stdio.h>

#include "hg/cli.h"

const char hg_help_lint_iam[] = "hardengen lint-iam\n";

int hg_cli_lint_iam(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  fputs("hardengen: 'lint-iam' is not implemented yet\n", stderr);
  return HG_EXIT_IO;
}
