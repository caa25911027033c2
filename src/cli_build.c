/*
 * cli_build.c — `hardengen build` (not yet implemented).
 */
#include <stdio.h>

#include "hg/cli.h"

const char hg_help_build[] = "hardengen build\n";

int hg_cli_build(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  fputs("hardengen: 'build' is not implemented yet\n", stderr);
  return HG_EXIT_IO;
}
