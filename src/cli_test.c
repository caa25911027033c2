/*
 * cli_test.c — `hardengen test` (not yet implemented).
 */
#include <stdio.h>

#include "hg/cli.h"

const char hg_help_test[] = "hardengen test\n";

int hg_cli_test(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  fputs("hardengen: 'test' is not implemented yet\n", stderr);
  return HG_EXIT_IO;
}
