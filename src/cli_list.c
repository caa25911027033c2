/*
 * cli_list.c — `hardengen list` (not yet implemented).
 */
#include <stdio.h>

#include "hg/cli.h"

const char hg_help_list[] = "hardengen list\n";

int hg_cli_list(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  fputs("hardengen: 'list' is not implemented yet\n", stderr);
  return HG_EXIT_IO;
}
