/*
 * cli_publish.c — `hardengen publish` (not yet implemented).
 */
#include <stdio.h>

#include "hg/cli.h"

const char hg_help_publish[] = "hardengen publish\n";

int hg_cli_publish(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  fputs("hardengen: 'publish' is not implemented yet\n", stderr);
  return HG_EXIT_IO;
}
