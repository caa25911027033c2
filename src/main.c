/*
 * main.c — argument dispatch. Every command lives in src/cli_COMMAND.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
} command;

static const char help_version[] =
    "hardengen version | --version | -V\n"
    "\n"
    "Print hardengen's version (\"hardengen 0.1.0\") on stdout. The same version\n"
    "is in every manifest.json, JSON output and SARIF log it writes.\n";

static const char help_help[] =
    "hardengen help [COMMAND]\n"
    "\n"
    "Without COMMAND, list the commands; with one, print its options and an\n"
    "example (also: hardengen COMMAND --help). The manual pages hardengen(1) and\n"
    "hardengen-profile(5) say the same at length.\n";

static int run_version(int argc, char **argv)
{
  (void)argv;
  if (argc > 1) {
    fputs("hardengen: version takes no arguments\n", stderr);
    return HG_EXIT_USAGE;
  }
  puts("hardengen " HG_VERSION);
  return HG_EXIT_OK;
}

static int run_help(int argc, char **argv);

static const command commands[] = {
    {"build", hg_cli_build, hg_help_build},
    {"check", hg_cli_check, hg_help_check},
    {"list", hg_cli_list, hg_help_list},
    {"test", hg_cli_test, hg_help_test},
    {"match", hg_cli_match, hg_help_match},
    {"lint-iam", hg_cli_lint_iam, hg_help_lint_iam},
    {"publish", hg_cli_publish, hg_help_publish},
    {"sync", hg_cli_sync, hg_help_sync},
    {"sql", hg_cli_sql, hg_help_sql},
    {"diff", hg_cli_diff, hg_help_diff},
    {"init", hg_cli_init, hg_help_init},
    {"version", run_version, help_version},
    {"help", run_help, help_help},
    {"deploy", hg_cli_deploy, hg_help_deploy},
    {"report", hg_cli_report, hg_help_report},
};

static const command *find(const char *name)
{
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static void overview(FILE *out)
{
  fputs("hardengen " HG_VERSION " — compile AWS account-hardening CloudFormation stacks\n\n"
        "usage: hardengen COMMAND [OPTIONS]\n\ncommands:\n",
        out);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    const char *h = commands[i].help;
    fprintf(out, "  %.*s\n", (int)strcspn(h, "\n"), h);
  }
  fputs("\nRun 'hardengen help COMMAND' for a command's options and an example.\n", out);
}

static int run_help(int argc, char **argv)
{
  if (argc > 1) {
    const command *c = find(argv[1]);
    if (!c) {
      fprintf(stderr, "hardengen: unknown command '%s'\n", argv[1]);
      return HG_EXIT_USAGE;
    }
    fputs(c->help, stdout);
    return HG_EXIT_OK;
  }
  overview(stdout);
  return HG_EXIT_OK;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    overview(stderr);
    return HG_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
    cmd = "version";
  else if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
    cmd = "help";
  const command *c = find(cmd);
  if (!c) {
    fprintf(stderr, "hardengen: unknown command '%s'\n", cmd);
    overview(stderr);
    return HG_EXIT_USAGE;
  }
  argv[1] = (char *)c->name;
  return c->run(argc - 1, argv + 1);
}
