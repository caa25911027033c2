/*
 * cli_envs.c — flag parsing shared by build, check and list (cli_envs.h).
 */
#include "cli_envs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/cli.h"
#include "hg/profile.h"
#include "hg/util.h"

typedef struct flag {
  char letter;
  const char *name;
  bool takes_value;
} flag;

static const flag flags[] = {
    {'e', "--env", true},   {'a', "--all", false}, {'r', "--root", true},
    {'o', "--out", true},   {'f', "--format", true}, {'c', "--cis", false},
    {'k', "--check", false},
};

int hg_cli_parse(int argc, char **argv, const char *allowed, const char *const *formats,
                 const char *help, hg_cli_opts *o)
{
  memset(o, 0, sizeof *o);
  o->root = ".";
  o->format = formats ? formats[0] : NULL;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      fputs(help, stdout);
      return -1;
    }
    const flag *f = NULL;
    const char *value = NULL;
    for (size_t k = 0; k < HG_COUNTOF(flags); k++) {
      size_t n = strlen(flags[k].name);
      if (strncmp(arg, flags[k].name, n) == 0 && (arg[n] == '\0' || arg[n] == '=') &&
          strchr(allowed, flags[k].letter)) {
        f = &flags[k];
        if (arg[n] == '=')
          value = arg + n + 1;
      }
    }
    if (!f)
      return hg_cli_usage_error(help, "unknown option '%s'", arg);
    if (f->takes_value && !value) {
      if (i + 1 >= argc)
        return hg_cli_usage_error(help, "%s needs a value", f->name);
      value = argv[++i];
    } else if (!f->takes_value && value) {
      return hg_cli_usage_error(help, "%s takes no value", f->name);
    }
    switch (f->letter) {
    case 'e': o->env = value; break;
    case 'a': o->all = true; break;
    case 'r': o->root = value; o->root_given = true; break;
    case 'o': o->out = value; break;
    case 'c': o->cis = true; break;
    case 'k': o->check = true; break;
    case 'f': {
      bool ok = false;
      for (size_t k = 0; formats && formats[k]; k++)
        ok = ok || strcmp(formats[k], value) == 0;
      if (!ok)
        return hg_cli_usage_error(help, "unknown format '%s'", value);
      o->format = value;
      break;
    }
    default: break;
    }
  }
  if (o->env && o->all)
    return hg_cli_usage_error(help, "give either --env or --all, not both");
  if (o->env && (!*o->env || strspn(o->env, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_-") != strlen(o->env)))
    return hg_cli_usage_error(help, "invalid env name '%s' (letters, digits, '_' and '-')", o->env);
  if (!*o->root)
    return hg_cli_usage_error(help, "--root needs a folder");
  if (o->out && !*o->out)
    return hg_cli_usage_error(help, "--out needs a folder");
  if (!o->root_given)
    o->root = hg_cli_default_root();
  return 0;
}

char **hg_cli_envs(const hg_cli_opts *o)
{
  if (o->env) {
    char **v = xcalloc(2, sizeof *v);
    v[0] = xstrdup(o->env);
    return v;
  }
  char **v = hg_profile_list(o->root);
  if (!v) {
    fprintf(stderr, "hardengen: cannot read %s/profiles: no profiles to work on\n", o->root);
    if (!o->root_given)
      fputs("  note: no profiles/ folder here or in any folder above; give the repository with "
            "--root DIR\n",
            stderr);
  }
  return v;
}

