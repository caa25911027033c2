/*
 * cli_envs.h — option parsing the build, check and list commands share
 * (internal to src/cli_*.c).
 */
#ifndef HG_CLI_ENVS_H
#define HG_CLI_ENVS_H

#include <stdbool.h>

typedef struct hg_cli_opts {
  const char *env;     /* --env */
  bool all;            /* --all */
  const char *root;    /* --root, default "." */
  const char *out;     /* --out, default NULL (ROOT/out) */
  const char *format;  /* --format */
  bool cis;            /* --cis (check) */
} hg_cli_opts;

/*
 * Parse argv[1..] against the flags a command allows (allowed: a string of
 * letters, e = --env, a = --all, r = --root, o = --out, f = --format, c =
 * --cis) and the values --format takes (formats: NULL-terminated). Both
 * "--flag VALUE" and "--flag=VALUE" work. Returns 0, a usage error's exit
 * code (2) after printing it, or -1 when help was asked (printed, exit 0).
 */
int hg_cli_parse(int argc, char **argv, const char *allowed, const char *const *formats,
                 const char *help, hg_cli_opts *o);

/*
 * The env names to work on: --env, or every profile under ROOT with --all.
 * Returns a malloc'd NULL-terminated list (free with hg_profile_list_free),
 * or NULL after printing why (no profiles/ folder).
 */
char **hg_cli_envs(const hg_cli_opts *o);

#endif
