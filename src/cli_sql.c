/*
 * cli_sql.c — `hardengen sql`: the env's filters as one SQL query over
 * CloudTrail (sql.h), for Athena or DuckDB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_opts.h"
#include "cli.h"
#include "hg/compile.h"
#include "hg/sql.h"
#include "hg/util.h"

const char hg_help_sql[] =
    "hardengen sql --env ENV|--pattern PATTERN [--root DIR] [--dialect athena|duckdb] [--table NAME] [--where SQL] "
    "[--events PATH ...]\n"
    "\n"
    "Print one SQL query that replays CloudTrail through every filter the\n"
    "environment deploys: per filter the number of matching events, the first\n"
    "and last matching eventTime, and the count per alarm period (periods\n"
    "aligned to multiples of the filter's period since the epoch, UTC), the\n"
    "same counts as `hardengen test --events`. Result rows:\n"
    "  filter_id, period_start (NULL on the filter's total row), matches,\n"
    "  first_event_time, last_event_time\n"
    "\n"
    "A filter that cannot be translated exactly is an error naming the filter\n"
    "and the construct; no query is printed then. See doc/sql.md.\n"
    "\n"
    "options:\n"
    "  --env ENV          profile (profiles/ENV.yaml)\n"
    "  --pattern PATTERN  instead of --env: translate this pattern (repeatable;\n"
    "                     filters p1, p2, ... with a 300 s period)\n"
    "  --root DIR         folder holding profiles/ and filters/ (default: the\n"
    "                     nearest folder upward that holds profiles/)\n"
    "  --dialect D        athena (default): the CloudTrail table AWS documents\n"
    "                     for Athena; duckdb: local files read with read_json_objects\n"
    "  --table NAME       athena: [db.]table (default: cloudtrail_logs)\n"
    "  --where SQL        athena: one predicate added to the scan, e.g. a\n"
    "                     partition range on the projected `timestamp` column\n"
    "  --events PATH ...  duckdb: files, folders (read recursively) or globs\n"
    "                     (JSON lines, arrays, {\"Records\":[...]} files; gzip\n"
    "                     when named .gz)\n"
    "  --format text      the only format (the query as text)\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 query printed, 1 a filter cannot be translated (or the\n"
    "profile has errors), 2 usage error.\n"
    "\n"
    "example:\n"
    "  hardengen sql --env prod --table security.cloudtrail_logs \\\n"
    "    --where \"\\\"timestamp\\\" BETWEEN '2024/01/01' AND '2024/03/31'\" > backtest.sql\n"
    "  aws athena start-query-execution --query-string file://backtest.sql ...\n";

typedef struct opts {
  const char *env, *root, *dialect, *table, *where;
  hg_cli_strs events;
  hg_cli_strs patterns; /* --pattern: ad-hoc filters p1, p2, ... */
  hg_cli_args args;
} opts;

static int parse_args(int argc, char **argv, opts *o)
{
  static const char *const formats[] = {"text", NULL};
  memset(o, 0, sizeof *o);
  o->dialect = "athena";
  const hg_opt table[] = {
      {"env", 0, HG_OPT_STR, &o->env, "ENV"},
      {"pattern", 0, HG_OPT_LIST, &o->patterns, "PATTERN"},
      {"dialect", 0, HG_OPT_STR, &o->dialect, "D"},
      {"table", 0, HG_OPT_STR, &o->table, "NAME"},
      {"where", 0, HG_OPT_STR, &o->where, "SQL"},
      {"events", 0, HG_OPT_PATHS, &o->events, "PATH"},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_sql, table, formats, 0};
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &o->args);
  o->root = o->args.root;
  if (rc)
    return rc;
  if (!o->env == !o->patterns.n)
    return hg_cli_usage_error(hg_help_sql, "sql: give --env ENV or --pattern PATTERN (not both)");
  if (!hg_cli_env_ok(hg_help_sql, o->env))
    return HG_EXIT_USAGE;
  bool duck = strcmp(o->dialect, "duckdb") == 0;
  if (!duck && strcmp(o->dialect, "athena") != 0)
    return hg_cli_usage_error(hg_help_sql, "sql: --dialect must be athena or duckdb, not '%s'",
                              o->dialect);
  if (duck && (o->table || o->where))
    return hg_cli_usage_error(hg_help_sql, "sql: --table and --where belong to the athena dialect");
  if (!duck && o->events.given)
    return hg_cli_usage_error(hg_help_sql, "sql: --events belongs to the duckdb dialect");
  if (duck && o->events.n == 0)
    return hg_cli_usage_error(hg_help_sql, "sql: the duckdb dialect needs --events PATH ...");
  return 0;
}

static void free_opts(opts *o)
{
  hg_cli_strs_free(&o->events);
  hg_cli_strs_free(&o->patterns);
  hg_cli_args_free(&o->args);
}

/* Translate f[0..n) and print the query; the exit status. A folder given
 * to --events is read recursively, as `test` does (a "**" glob in DuckDB). */
static int emit(const opts *o, const hg_sql_filter *f, size_t n, const char *title,
                hg_diag_sink *sink)
{
  char **paths = xcalloc(o->events.n + 1, sizeof *paths);
  for (size_t i = 0; i < o->events.n; i++) {
    struct stat st;
    const char *p = o->events.v[i];
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/')
      len--;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
      paths[i] = xasprintf("%.*s/**/*", (int)len, p);
    else
      paths[i] = xstrdup(p);
  }
  hg_sql_opts so = {strcmp(o->dialect, "duckdb") == 0 ? HG_SQL_DUCKDB : HG_SQL_ATHENA,
                    o->table, o->where, (const char *const *)paths, o->events.n, title};
  char *q = hg_sql_query(f, n, &so, sink);
  for (size_t i = 0; i < o->events.n; i++)
    free(paths[i]);
  free(paths);
  hg_diag_render_text(sink, stderr);
  if (q)
    fputs(q, stdout);
  fflush(stdout);
  int rc = q ? HG_EXIT_OK : HG_EXIT_INPUT;
  free(q);
  return rc;
}

static int run_patterns(const opts *o, hg_diag_sink *sink)
{
  size_t n = o->patterns.n;
  hg_sql_filter *f = xcalloc(n, sizeof *f);
  hg_fp **fps = xcalloc(n, sizeof *fps);
  char **ids = xcalloc(n, sizeof *ids);
  bool bad = false;
  for (size_t i = 0; i < n; i++) {
    fps[i] = hg_fp_parse(o->patterns.v[i], strlen(o->patterns.v[i]), NULL, sink);
    bad |= !fps[i];
    ids[i] = xasprintf("p%zu", i + 1);
    f[i] = (hg_sql_filter){ids[i], fps[i], 300, NULL, 0, 0};
  }
  int rc;
  if (bad) {
    hg_diag_render_text(sink, stderr);
    rc = HG_EXIT_USAGE;
  } else {
    rc = emit(o, f, n, "--pattern", sink);
  }
  for (size_t i = 0; i < n; i++) {
    hg_fp_free(fps[i]);
    free(ids[i]);
  }
  free(ids);
  free(fps);
  free(f);
  return rc;
}

int hg_cli_sql(int argc, char **argv)
{
  opts o;
  int rc = parse_args(argc, argv, &o);
  if (rc) {
    free_opts(&o);
    return hg_cli_opts_exit(rc);
  }
  hg_diag_sink sink;
  hg_diag_init(&sink);
  if (o.patterns.n) {
    rc = run_patterns(&o, &sink);
    hg_diag_free(&sink);
    free_opts(&o);
    return rc;
  }
  hg_compiled c;
  if (hg_compile_filters(o.root, o.env, &c, &sink) != 0) {
    hg_diag_render_text(&sink, stderr);
    hg_diag_free(&sink);
    free_opts(&o);
    return HG_EXIT_INPUT;
  }
  hg_sql_filter *f = xcalloc(c.filters.n ? c.filters.n : 1, sizeof *f);
  for (size_t i = 0; i < c.filters.n; i++) {
    const hg_filter *fl = &c.filters.v[i];
    f[i].id = fl->id;
    f[i].fp = c.patterns[i];
    f[i].period = fl->period;
    f[i].file = fl->file;
    f[i].line = fl->pattern_line ? fl->pattern_line : fl->line;
    f[i].col = fl->pattern_line ? fl->pattern_col : 0;
  }
  char *title = xasprintf("env %s", c.profile->env);
  rc = emit(&o, f, c.filters.n, title, &sink);
  free(title);
  free(f);
  hg_diag_free(&sink);
  hg_compiled_free(&c);
  free_opts(&o);
  return rc;
}
