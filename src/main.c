/*
 * main.c — argument dispatch. Every command lives in src/cli_COMMAND.c.
 */
#include <stdio.h>
#include <string.h>

#include "hg/cli.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
} command;

static const command commands[] = {
    {"build", hg_cli_build, hg_help_build},
    {"check", hg_cli_check, hg_help_check},
    {"list", hg_cli_list, hg_help_list},
    {"test", hg_cli_test, hg_help_test},
    {"match", hg_cli_match, hg_help_match},
    {"lint-iam", hg_cli_lint_iam, hg_help_lint_iam},
    {"publish", hg_cli_publish, hg_help_publish},
    {"deploy", hg_cli_deploy, hg_help_deploy},
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
  fputs("  hardengen version\n  hardengen help [COMMAND]\n\n"
        "Run 'hardengen help COMMAND' for a command's options and an example.\n",
        out);
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    overview(stderr);
    return HG_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    puts("hardengen " HG_VERSION);
    return HG_EXIT_OK;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    if (argc > 2) {
      const command *c = find(argv[2]);
      if (!c) {
        fprintf(stderr, "hardengen: unknown command '%s'\n", argv[2]);
        return HG_EXIT_USAGE;
      }
      fputs(c->help, stdout);
      return HG_EXIT_OK;
    }
    overview(stdout);
    return HG_EXIT_OK;
  }
  const command *c = find(cmd);
  if (!c) {
    fprintf(stderr, "hardengen: unknown command '%s'\n", cmd);
    overview(stderr);
    return HG_EXIT_USAGE;
  }
  return c->run(argc - 1, argv + 1);
}
