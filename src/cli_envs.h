/*
 * cli_envs.h — what the commands that work on envs share: the envs of
 * --env/--all, OUT, and a fresh build compared with OUT/ENV (internal to
 * src/cli_*.c).
 */
#ifndef HG_CLI_ENVS_H
#define HG_CLI_ENVS_H

#include <stdbool.h>

#include "hg/diag.h"

/*
 * The env names to work on: env (--env), else every profile under root.
 * root_given: root came from --root (the note on a missing profiles/
 * folder says so). Returns a malloc'd NULL-terminated list (free with
 * hg_profile_list_free), or NULL after printing why (no profiles/ folder).
 */
char **hg_cli_envs(const char *root, bool root_given, const char *env);

/* The usage check of --env ENV | --all: one of them (when required), not
 * both, and a valid name. Returns 0 or the usage error's exit status. */
int hg_cli_env_or_all(const char *help, const char *env, bool all, bool required);

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

/* OUT: out (--out), else ROOT/out ("out" when root is "."). malloc'd. */
char *hg_cli_out_dir(const char *root, const char *out);

#endif
