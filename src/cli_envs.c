/*
 * cli_envs.c — the envs of --env/--all, shared by build, check, list,
 * diff and report (cli_envs.h).
 */
#include "cli_envs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opts.h"
#include "cli.h"
#include "hg/profile.h"
#include "hg/util.h"

int hg_cli_env_or_all(const char *help, const char *env, bool all, bool required)
{
  if (env && all)
    return hg_cli_usage_error(help, "give either --env or --all, not both");
  if (required && !env && !all)
    return hg_cli_usage_error(help, "give --env ENV or --all");
  return hg_cli_env_ok(help, env) ? 0 : HG_EXIT_USAGE;
}

char **hg_cli_envs(const char *root, bool root_given, const char *env)
{
  if (env) {
    char **v = xcalloc(2, sizeof *v);
    v[0] = xstrdup(env);
    return v;
  }
  char **v = hg_profile_list(root);
  if (!v) {
    fprintf(stderr, "hardengen: cannot read %s/profiles: no profiles to work on\n", root);
    if (!root_given)
      fputs("  note: no profiles/ folder here or in any folder above; give the repository with "
            "--root DIR\n",
            stderr);
  }
  return v;
}
