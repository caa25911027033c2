/*
 * cli_opts.c — the one option parser of every command (cli_opts.h).
 *
 * getopt_long runs in its return-in-order mode ("-" first in the option
 * string): each operand comes back as the argument of option 1, where it
 * was on the command line. That keeps operands in order, lets options
 * follow operands, and lets a PATHS option (--events PATH ...) take the
 * operands that follow it up to the next option.
 */
#include "cli_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hg/util.h"

/* getopt_long's value of the common flags (the table's options get
 * OPT_BASE + their index). */
enum { OPT_OPERAND = 1, OPT_ROOT = 0x100, OPT_FORMAT, OPT_HELP, OPT_BASE = 0x200 };

void hg_cli_strs_free(hg_cli_strs *l)
{
  free(l->v);
  memset(l, 0, sizeof *l);
}

void hg_cli_args_free(hg_cli_args *a)
{
  free(a->operands);
  memset(a, 0, sizeof *a);
}

int hg_cli_opts_exit(int rc)
{
  return rc == HG_CLI_HELP ? HG_EXIT_OK : rc;
}

bool hg_cli_env_ok(const char *help, const char *env)
{
  static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
  if (!env || (*env && strspn(env, ok) == strlen(env)))
    return true;
  if (!*env)
    hg_cli_usage_error(help, "--env needs a name");
  else
    hg_cli_usage_error(help, "invalid env name '%s' (letters, digits, '_' and '-')", env);
  return false;
}

int hg_cli_need_env(const char *help, const char *env)
{
  if (!env)
    return hg_cli_usage_error(help, "--env ENV is required");
  return hg_cli_env_ok(help, env) ? 0 : HG_EXIT_USAGE;
}

int hg_cli_enter_root(const hg_cli_args *a)
{
  if (!a->root_given || chdir(a->root) == 0)
    return 0;
  fprintf(stderr, "hardengen: cannot enter --root %s: %s\n", a->root, strerror(errno));
  return HG_EXIT_IO;
}

/* "--out needs a folder": what an empty value of arg should have been, or
 * NULL when an empty value is allowed. */
static const char *empty_noun(const char *arg)
{
  if (!arg)
    return NULL;
  if (strcmp(arg, "DIR") == 0)
    return "a folder";
  if (strcmp(arg, "FILE") == 0)
    return "a file name";
  if (strcmp(arg, "ENV") == 0)
    return "a name";
  return NULL;
}

static void list_push(hg_cli_strs *l, const char *v, size_t cap)
{
  if (!l->v)
    l->v = xcalloc(cap + 1, sizeof *l->v);
  l->v[l->n++] = v;
}

/* The formats as "a, b or c". */
static void formats_text(const char *const *f, char *buf, size_t cap)
{
  buf[0] = '\0';
  size_t n = 0;
  while (f && f[n])
    n++;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(buf);
    snprintf(buf + len, cap - len, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", f[i]);
  }
}

/* The option an argument spelled (for "--all=x": --all), by its long name
 * before any '='; NULL when it names none exactly. */
static const hg_opt *named(const hg_opt *opts, const char *arg)
{
  if (strncmp(arg, "--", 2) != 0)
    return NULL;
  arg += 2;
  size_t len = strcspn(arg, "=");
  for (size_t i = 0; opts && opts[i].name; i++)
    if (strlen(opts[i].name) == len && strncmp(opts[i].name, arg, len) == 0)
      return &opts[i];
  return NULL;
}

static int set_jobs(const char *help, const char *v, unsigned *jobs)
{
  char *end;
  long n = strtol(v, &end, 10);
  if (!*v || *end || n < 1 || n > HG_CLI_JOBS_MAX)
    return hg_cli_usage_error(help, "jobs must be a number from 1 to %d, not '%s'", HG_CLI_JOBS_MAX,
                              v);
  *jobs = (unsigned)n;
  return 0;
}

int hg_cli_opts_parse(int argc, char **argv, const hg_cli_cmd *cmd, hg_cli_args *a)
{
  memset(a, 0, sizeof *a);
  a->format = cmd->formats ? cmd->formats[0] : NULL;
  a->operands = xcalloc((size_t)argc + 1, sizeof *a->operands);
  const hg_opt *opts = cmd->opts;
  size_t n_opts = 0;
  while (opts && opts[n_opts].name)
    n_opts++;
  const char *help = cmd->help;

  /* getopt_long's tables: the command's options, then the common flags. */
  struct option *lo = xcalloc(n_opts + 4, sizeof *lo);
  hg_buf so;
  hg_buf_init(&so);
  hg_buf_puts(&so, "-:h");
  for (size_t i = 0; i < n_opts; i++) {
    const hg_opt *o = &opts[i];
    /* A PATHS option takes its first path as "--NAME=PATH" or as the next
     * operand: optional, so "--events --format json" is not a path. */
    int has = o->kind == HG_OPT_BOOL    ? no_argument
              : o->kind == HG_OPT_PATHS ? optional_argument
                                        : required_argument;
    lo[i] = (struct option){o->name, has, NULL, OPT_BASE + (int)i};
    if (o->letter)
      hg_buf_printf(&so, "%c%s", o->letter, has == required_argument ? ":" : "");
  }
  lo[n_opts] = (struct option){"root", required_argument, NULL, OPT_ROOT};
  lo[n_opts + 1] = (struct option){"format", required_argument, NULL, OPT_FORMAT};
  lo[n_opts + 2] = (struct option){"help", no_argument, NULL, OPT_HELP};

  int rc = 0;
  hg_cli_strs *paths = NULL; /* the PATHS option taking operands, if any */
  opterr = 0;
  optind = 0; /* a full restart: the command line is new */
  int c, index;
  while (rc == 0 && (c = getopt_long(argc, argv, so.data, lo, &index)) != -1) {
    if (c != OPT_OPERAND)
      paths = NULL;
    if (c == OPT_OPERAND) {
      if (paths) {
        if (!*optarg)
          rc = hg_cli_usage_error(help, "an empty path is not a file (use - for stdin)");
        else
          list_push(paths, optarg, (size_t)argc);
      } else {
        a->operands[a->n_operands++] = optarg;
      }
      continue;
    }
    /* A short option: its index in the table. */
    if (c > 0 && c < 0x100 && c != 'h' && c != ':' && c != '?') {
      for (size_t i = 0; i < n_opts; i++)
        if (opts[i].letter == c)
          c = OPT_BASE + (int)i;
    }
    if (c == 'h' || c == OPT_HELP) {
      fputs(help, stdout);
      rc = HG_CLI_HELP;
    } else if (c == ':') {
      /* A short option's letter is in optopt (argv[optind - 1] may be
       * the cluster it ended); a long one is the argument before optind. */
      if (optopt > 0 && optopt < 0x100)
        rc = hg_cli_usage_error(help, "-%c needs a value", optopt);
      else
        rc = hg_cli_usage_error(help, "%s needs a value", argv[optind - 1]);
    } else if (c == '?') {
      const char *arg = argv[optind - 1];
      const hg_opt *o = named(opts, arg);
      if (o && o->kind == HG_OPT_BOOL && strchr(arg, '='))
        rc = hg_cli_usage_error(help, "--%s takes no value", o->name);
      else if ((strncmp(arg, "--help=", 7) == 0))
        rc = hg_cli_usage_error(help, "--help takes no value");
      else if (optopt > 0 && optopt < 0x100)
        rc = hg_cli_usage_error(help, "unknown option '-%c'", optopt);
      else
        rc = hg_cli_usage_error(help, "unknown option '%s'", arg);
    } else if (c == OPT_ROOT) {
      if (!*optarg)
        rc = hg_cli_usage_error(help, "--root needs a folder");
      a->root = optarg;
      a->root_given = true;
    } else if (c == OPT_FORMAT) {
      bool ok = false;
      for (size_t k = 0; cmd->formats && cmd->formats[k]; k++)
        ok = ok || strcmp(cmd->formats[k], optarg) == 0;
      if (!ok) {
        char list[256];
        formats_text(cmd->formats, list, sizeof list);
        rc = hg_cli_usage_error(help, "unknown format '%s' (%s)", optarg, list);
      }
      a->format = optarg;
    } else if (c >= OPT_BASE && c < OPT_BASE + (int)n_opts) {
      const hg_opt *o = &opts[c - OPT_BASE];
      const char *noun = empty_noun(o->arg);
      if (optarg && !*optarg && noun && o->kind != HG_OPT_PATHS) {
        rc = hg_cli_usage_error(help, "--%s needs %s", o->name, noun);
        continue;
      }
      switch (o->kind) {
      case HG_OPT_BOOL: *(bool *)o->dst = true; break;
      case HG_OPT_STR: *(const char **)o->dst = optarg; break;
      case HG_OPT_LIST:
        ((hg_cli_strs *)o->dst)->given = true;
        list_push(o->dst, optarg, (size_t)argc);
        break;
      case HG_OPT_PATHS:
        paths = o->dst;
        paths->given = true;
        if (optarg && !*optarg)
          rc = hg_cli_usage_error(help, "an empty path is not a file (use - for stdin)");
        else if (optarg)
          list_push(paths, optarg, (size_t)argc);
        else if (!paths->v)
          paths->v = xcalloc((size_t)argc + 1, sizeof *paths->v);
        break;
      case HG_OPT_JOBS: rc = set_jobs(help, optarg, o->dst); break;
      }
    } else {
      rc = hg_cli_usage_error(help, "unknown option '%s'", argv[optind - 1]);
    }
  }
  /* After "--": the rest are operands (paths when a PATHS option is open). */
  for (int i = optind; rc == 0 && i < argc; i++) {
    if (paths) {
      if (!*argv[i])
        rc = hg_cli_usage_error(help, "an empty path is not a file (use - for stdin)");
      else
        list_push(paths, argv[i], (size_t)argc);
    } else {
      a->operands[a->n_operands++] = argv[i];
    }
  }
  if (rc == 0 && cmd->max_operands >= 0 && a->n_operands > (size_t)cmd->max_operands)
    rc = hg_cli_usage_error(help, "unexpected argument '%s'", a->operands[cmd->max_operands]);
  /* Every PATHS option that was given has a path. */
  for (size_t i = 0; rc == 0 && i < n_opts; i++) {
    const hg_cli_strs *l = opts[i].dst;
    if (opts[i].kind == HG_OPT_PATHS && l->given && l->n == 0)
      rc = hg_cli_usage_error(help, "--%s needs at least one path", opts[i].name);
  }
  if (rc == 0 && !a->root_given)
    a->root = hg_cli_default_root();
  free(lo);
  hg_buf_free(&so);
  optind = 0;
  return rc;
}
