/*
 * cli_match.c — `hardengen match` (not yet implemented).
 */
#include <stdio.h>

#include "hg/cli.h"

const char hg_help_match[] = "hardengen match\n";

int hg_cli_match(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  fputs("hardengen: 'match' is not implemented yet\n", stderr);
  return HG_EXIT_IO;
}
