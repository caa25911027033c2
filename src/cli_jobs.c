/*
 * cli_jobs.c — the -j/--jobs option shared by `test --events` and `match`.
 */
#include <stdlib.h>
#include <string.h>

#include "hg/cli.h"

bool hg_cli_is_jobs(const char *arg)
{
  return strncmp(arg, "-j", 2) == 0 || strcmp(arg, "--jobs") == 0 ||
         strncmp(arg, "--jobs=", 7) == 0;
}

int hg_cli_jobs(int argc, char **argv, int *i, unsigned *jobs, const char *help)
{
  const char *a = argv[*i], *v;
  if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
    if (*i + 1 >= argc)
      return hg_cli_usage_error(help, "%s needs a number of jobs", a);
    v = argv[++*i];
  } else if (strncmp(a, "--jobs=", 7) == 0) {
    v = a + 7;
  } else if (strncmp(a, "-j", 2) == 0) {
    v = a + 2;
  } else {
    return 0;
  }
  char *end;
  long n = strtol(v, &end, 10);
  if (!*v || *end || n < 1 || n > HG_CLI_JOBS_MAX)
    return hg_cli_usage_error(help, "jobs must be a number from 1 to %d, not '%s'", HG_CLI_JOBS_MAX,
                              v);
  *jobs = (unsigned)n;
  return 1;
}
