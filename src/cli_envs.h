/*
 * cli_envs.h — option parsing the build, check and list commands share
 * (internal to src/cli_*.c).
 */
#ifndef HG_CLI_ENVS_H
#define HG_CLI_ENVS_H

#include <stdbool.h>

#include "hg/diag.h"

typedef struct hg_cli_opts {
  const char *env;     /* --env */
  bool all;            /* --all */
  const char *root;    /* --root, default "." */
  const char *out;     /* --out, default NULL (ROOT/out) */
  const char *format;  /* --format */
  bool cis;            /* --cis (check) */
  bool check;          /* --check (build) */
  bool root_given;     /* --root was on the command line */
} hg_cli_opts;

/*
 * Parse argv[1..] against the flags a command allows (allowed: a string of
 * letters, e = --env, a = --all, r = --root, o = --out, f = --format, c =
 * --cis, k = --check) and the values --format takes (formats: NULL-terminated). Both
 * "--flag VALUE" and "--flag=VALUE" work. Returns 0, a usage error's exit
 * code (2) after printing it, or -1 when help was asked (printed, exit 0).
 * Without --root, root is found as git finds its repository
 * (hg_cli_default_root).
 */
int hg_cli_parse(int argc, char **argv, const char *allowed, const char *const *formats,
                 const char *help, hg_cli_opts *o);

/*
 * The env names to work on: --env, or every profile under ROOT with --all.
 * Returns a malloc'd NULL-terminated list (free with hg_profile_list_free),
 * or NULL after printing why (no profiles/ folder).
 */
char **hg_cli_envs(const hg_cli_opts *o);

/*
 * Build ENV from ROOT as `build` would (format: "yaml" or "json"; NULL or
 * "auto": the format OUT/ENV holds, yaml when it holds neither) and
 * compare it with OUT/ENV (diff.h). out is o->out or ROOT/out. With print,
 * the unified diff of every differing file goes to stdout. When names is
 * not NULL it receives the differing file names, comma separated
 * (malloc'd; NULL when equal). Problems go to sink. Returns 0 equal, 1
 * different, or -HG_EXIT_INPUT (the inputs do not compile) or
 * -HG_EXIT_IO (OUT/ENV cannot be read).
 */
int hg_cli_fresh_diff(const char *root, const char *out, const char *env, const char *format,
                      bool print, char **names, hg_diag_sink *sink);

/* OUT: o->out, else ROOT/out ("out" when root is "."). malloc'd. */
char *hg_cli_out_dir(const hg_cli_opts *o);

#endif
