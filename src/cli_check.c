/*
 * cli_check.c — `hardengen check` (not yet implemented).
 */
#include <stdio.h>

#include "hg/cli.h"

const char hg_help_check[] = "hardengen check\n";

int hg_cli_check(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  fputs("hardengen: 'check' is not implemented yet\n", stderr);
  return HG_EXIT_IO;
}
