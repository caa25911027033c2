/*
 * cli.h — the command-line front end: one entry point and one help text per
 * command (src/cli_COMMAND.c), plus the few helpers they share.
 *
 * Commands parse their own flags (argv[0] is the command name), call the
 * stages, render diagnostics and return an exit code:
 *   0 ok; 1 input is wrong (or: a `test` example failed, `match` found
 *   nothing); 2 usage error (and an invalid `match` pattern); 3 I/O, network
 *   or internal error.
 */
#ifndef HG_CLI_H
#define HG_CLI_H

#include "hg/diag.h"
#include "hg/version.h"

enum { HG_EXIT_OK = 0, HG_EXIT_INPUT = 1, HG_EXIT_USAGE = 2, HG_EXIT_IO = 3 };

int hg_cli_build(int argc, char **argv);
int hg_cli_check(int argc, char **argv);
int hg_cli_list(int argc, char **argv);
int hg_cli_test(int argc, char **argv);
int hg_cli_match(int argc, char **argv);
int hg_cli_lint_iam(int argc, char **argv);
int hg_cli_publish(int argc, char **argv);
int hg_cli_sync(int argc, char **argv);
int hg_cli_sql(int argc, char **argv);
int hg_cli_diff(int argc, char **argv);
int hg_cli_init(int argc, char **argv);
int hg_cli_deploy(int argc, char **argv);
int hg_cli_report(int argc, char **argv);

/* Help texts: synopsis line first, then a description and an example. */
extern const char hg_help_build[];
extern const char hg_help_check[];
extern const char hg_help_list[];
extern const char hg_help_test[];
extern const char hg_help_match[];
extern const char hg_help_lint_iam[];
extern const char hg_help_publish[];
extern const char hg_help_sync[];
extern const char hg_help_sql[];
extern const char hg_help_diff[];
extern const char hg_help_init[];
extern const char hg_help_deploy[];
extern const char hg_help_report[];

/* Print "hardengen: USAGE-ERROR" plus the command's synopsis to stderr; returns 2. */
int hg_cli_usage_error(const char *help, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The --root a command uses when none is given: hg_res_default_root(). */
const char *hg_cli_default_root(void);

/* Render a sink to stderr as text ("text"), or to stdout as "json"/"sarif".
 * root: the folder SARIF locations are relative to (NULL: the current one). */
void hg_cli_print_diags(hg_diag_sink *sink, const char *format);
void hg_cli_print_diags_root(hg_diag_sink *sink, const char *format, const char *root);

#endif
