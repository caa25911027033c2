/*
 * cli_opts.h — the one option parser of every command (internal to
 * src/cli_*.c), built on getopt_long.
 *
 * A command declares a table of its own options and calls
 * hg_cli_opts_parse once. Every command also takes the common flags:
 *
 *   --root DIR      the repository (default: hg_cli_default_root)
 *   --format FMT    one of the command's formats (default: the first)
 *   -h, --help      print the command's help text and stop (exit 0)
 *
 * Both "--flag VALUE" and "--flag=VALUE" work (and "-x VALUE", "-xVALUE"
 * for an option with a letter); "--" ends the options. Options and
 * operands mix in any order (`match PATTERN FILE -c`), and operands keep
 * their order. A long option may be abbreviated to any unambiguous prefix,
 * as in every getopt_long program. Usage errors are printed in the one
 * style of hg_cli_usage_error: "hardengen: WHAT" then "usage: SYNOPSIS".
 */
#ifndef HG_CLI_OPTS_H
#define HG_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum hg_opt_kind {
  HG_OPT_BOOL,  /* --NAME: *(bool *)dst = true; a value is refused */
  HG_OPT_STR,   /* --NAME VALUE: *(const char **)dst (the last one wins) */
  HG_OPT_LIST,  /* --NAME VALUE, repeatable: appended to *(hg_cli_strs *)dst */
  HG_OPT_PATHS, /* --NAME PATH ...: this and every following argument up to
                   the next option, appended to *(hg_cli_strs *)dst;
                   repeatable; at least one path; none may be empty */
  HG_OPT_JOBS,  /* -j N: a number from 1 to HG_CLI_JOBS_MAX, *(unsigned *)dst */
} hg_opt_kind;

#define HG_CLI_JOBS_MAX 256

/* The values of an HG_OPT_LIST or HG_OPT_PATHS option: pointers into argv
 * (v is malloc'd; free with hg_cli_strs_free). given: the option was used. */
typedef struct hg_cli_strs {
  const char **v;
  size_t n;
  bool given;
} hg_cli_strs;

void hg_cli_strs_free(hg_cli_strs *l);

/*
 * One option. name: the long name without "--"; letter: its short form, or
 * 0; arg: the value's name in messages and help ("DIR", "ENV", "N", ...;
 * NULL for HG_OPT_BOOL). An empty value is a usage error when arg is
 * "DIR", "FILE" or "ENV" ("--out needs a folder"). A table ends with an
 * entry whose name is NULL.
 */
typedef struct hg_opt {
  const char *name;
  char letter;
  hg_opt_kind kind;
  void *dst;
  const char *arg;
} hg_opt;

/* What a command is: its help text (the synopsis is its first line), its
 * own options, the values --format takes (NULL-terminated; the first is
 * the default), and how many operands it takes (-1: any number; past it,
 * "unexpected argument" is a usage error). */
typedef struct hg_cli_cmd {
  const char *help;
  const hg_opt *opts;
  const char *const *formats;
  int max_operands;
} hg_cli_cmd;

/* The common flags and the operands, after parsing. */
typedef struct hg_cli_args {
  const char *root;   /* --root, else hg_cli_default_root() */
  bool root_given;    /* --root was on the command line */
  const char *format; /* --format (one of the command's), else its first */
  char **operands;    /* the arguments that are not options, in order
                         (pointers into argv; the array is malloc'd) */
  size_t n_operands;
} hg_cli_args;

/* Returned by hg_cli_opts_parse when help was asked (and printed). */
#define HG_CLI_HELP (-1)

/*
 * Parse argv[1..argc) (argv[0] is the command's name) against cmd. The
 * option tables' destinations are written; the caller initialises them to
 * their defaults first. Returns 0; HG_CLI_HELP after printing the help
 * text to stdout (the command then exits 0); or HG_EXIT_USAGE after
 * printing a usage error (unknown option, a value missing, given to a flag
 * or out of range, an unknown format, an empty --root, an operand too
 * many). *a is always
 * initialised; free it with hg_cli_args_free.
 */
int hg_cli_opts_parse(int argc, char **argv, const hg_cli_cmd *cmd, hg_cli_args *a);

/* The exit status of a command whose parse returned rc (nonzero): 0 for
 * help, else rc. */
int hg_cli_opts_exit(int rc);

void hg_cli_args_free(hg_cli_args *a);

/* True when env is a valid environment name (letters, digits, '_' and
 * '-'); else prints the usage error. Commands check --env with it. */
bool hg_cli_env_ok(const char *help, const char *env);
/* For commands whose --env is required: 0 when env is given and valid,
 * else the usage error's exit status (printed). */
int hg_cli_need_env(const char *help, const char *env);
/* For commands that read paths as given (match, lint-iam): with --root,
 * enter DIR, as `git -C DIR` does. 0, or HG_EXIT_IO after printing why. */
int hg_cli_enter_root(const hg_cli_args *a);

#endif
