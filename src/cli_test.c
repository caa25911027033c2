/*
 * cli_test.c — `hardengen test`: run every filter's examples, and with
 * --events replay CloudTrail files through every filter (backtest.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_opts.h"
#include "hg/alarm.h"
#include "hg/backtest.h"
#include "cli.h"
#include "hg/jscan.h"
#include "hg/compile.h"
#include "hg/emit.h"
#include "hg/util.h"

const char hg_help_test[] =
    "hardengen test --env ENV [--root DIR] [--events PATH ...] [-j N] [--format text|json]\n"
    "\n"
    "Run every filter's examples (the `examples = { match = ..., nomatch = ... }`\n"
    "of its Lua declaration) and report each failure at its Lua file and line.\n"
    "\n"
    "With --events, also replay CloudTrail files through every filter the\n"
    "environment would deploy, and report per filter how many events matched,\n"
    "the first and last matching eventTime and up to 3 sample eventIDs, and\n"
    "replay each filter's alarm as CloudWatch evaluates it (matches summed per\n"
    "period, aligned to the epoch; threshold compared over evaluation_periods;\n"
    "missing data not breaching): how many times it would have gone to ALARM,\n"
    "and the first and last period it did (doc/alarms.md).\n"
    "Metric filters only count events logged after they exist; this shows what\n"
    "a profile would have caught in logs you already have.\n"
    "\n"
    "Inputs: {\"Records\":[...]} files as CloudTrail delivers them to S3, bare\n"
    "JSON arrays and JSON lines, each optionally gzip-compressed (detected by\n"
    "content), folders (read recursively in sorted order, e.g. a synced\n"
    "AWSLogs/ACCOUNT/CloudTrail/ tree), and - for standard input. Unreadable\n"
    "files, bad gzip, malformed JSON and non-object records are reported as\n"
    "warnings and skipped; the summary counts them.\n"
    "\n"
    "options:\n"
    "  --env ENV          profile to test (profiles/ENV.yaml)\n"
    "  --root DIR         folder holding profiles/ and filters/ (default: the\n"
    "                     nearest folder upward that holds profiles/)\n"
    "  --events PATH ...  files or folders of CloudTrail events; repeatable\n"
    "  -j, --jobs N       read that many files at once (default: the number of\n"
    "                     CPUs); results and their order do not depend on it\n"
    "  --format text|json output format (default: text)\n"
    "  -h, --help         show this help\n"
    "\n"
    "Progress (files, events, MB/s) is shown on stderr when it is a terminal.\n"
    "Exit status: 0 ok, 1 an example failed (or the profile has errors),\n"
    "2 usage error, 3 an --events path cannot be read.\n"
    "\n"
    "example:\n"
    "  aws s3 sync s3://acme-logs/AWSLogs/123456789012/CloudTrail/ ./ct/\n"
    "  hardengen test --env prod --events ./ct/\n";

typedef struct opts {
  const char *env, *root, *format;
  hg_cli_strs events;
  unsigned jobs;
  bool checked;          /* HARDENGEN_READ=checked */
  hg_cli_args args;
} opts;

static int parse_args(int argc, char **argv, opts *o)
{
  static const char *const formats[] = {"text", "json", NULL};
  memset(o, 0, sizeof *o);
  o->jobs = hg_events_cpus();
  const hg_opt table[] = {
      {"env", 0, HG_OPT_STR, &o->env, "ENV"},
      {"events", 0, HG_OPT_PATHS, &o->events, "PATH"},
      {"jobs", 'j', HG_OPT_JOBS, &o->jobs, "N"},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_test, table, formats, 0};
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &o->args);
  o->root = o->args.root;
  o->format = o->args.format;
  if (rc)
    return rc;
  if (!o->env)
    return hg_cli_usage_error(hg_help_test, "test: --env is required");
  if (!hg_cli_env_ok(hg_help_test, o->env))
    return HG_EXIT_USAGE;
  /* The event scanner's SIMD level, for comparing against the portable
   * scanner (doc/backtest-performance.md). */
  if (hg_jscan_set_level_name(getenv("HARDENGEN_SCAN")) < 0)
    return hg_cli_usage_error(hg_help_test, "HARDENGEN_SCAN must be portable, sse2, avx2 or avx512");
  /* The reader's fast paths, for comparing against the checked reader
   * (doc/backtest-performance.md). */
  const char *rd = getenv("HARDENGEN_READ");
  if (rd && *rd && strcmp(rd, "checked") != 0 && strcmp(rd, "fast") != 0)
    return hg_cli_usage_error(hg_help_test, "HARDENGEN_READ must be checked or fast");
  o->checked = rd && strcmp(rd, "checked") == 0;
  return 0;
}

static void free_opts(opts *o)
{
  hg_cli_strs_free(&o->events);
  hg_cli_args_free(&o->args);
}

typedef struct ex_count {
  size_t passed, failed;
} ex_count;

static const char *or_dash(const char *s)
{
  return s && *s ? s : "-";
}

/* The alarm of filter f as emitted (plan_alarms.c): Sum over period,
 * GreaterThanOrEqualToThreshold, notBreaching. */
static hg_alarm_result alarm_of(const hg_filter *f, const hg_bt *bt, size_t i)
{
  hg_alarm_spec spec = {f->threshold, HG_ALARM_GE, f->period > 0 ? f->period : 300,
                        f->evaluation_periods > 0 ? f->evaluation_periods : 1};
  const hg_alarm_counts *cnt = hg_bt_counts_of(bt, i);
  hg_alarm_result none = {0, 0, 0};
  return cnt ? hg_alarm_evaluate_counts(cnt, &spec) : none;
}

static void print_text(const hg_compiled *c, const ex_count *ex, const hg_bt *bt,
                       const hg_events_stats *st)
{
  const char *ver = c->profile->cis_version;
  size_t wid = 2, wcis = 3;
  for (size_t i = 0; i < c->filters.n; i++) {
    size_t l = strlen(c->filters.v[i].id);
    wid = l > wid ? l : wid;
    const char *cis = hg_filter_cis(&c->filters.v[i], ver);
    l = cis ? strlen(cis) : 1;
    wcis = l > wcis ? l : wcis;
  }
  size_t tp = 0, tf = 0;
  for (size_t i = 0; i < c->filters.n; i++) {
    tp += ex[i].passed;
    tf += ex[i].failed;
  }
  if (!bt) {
    printf("%-*s  %-*s  %8s  %6s\n", (int)wid, "id", (int)wcis, "cis", "examples", "failed");
    for (size_t i = 0; i < c->filters.n; i++) {
      const hg_filter *f = &c->filters.v[i];
      printf("%-*s  %-*s  %8zu  %6zu\n", (int)wid, f->id, (int)wcis, or_dash(hg_filter_cis(f, ver)),
             ex[i].passed + ex[i].failed, ex[i].failed);
    }
    printf("%zu filters; examples: %zu passed, %zu failed\n", c->filters.n, tp, tf);
    return;
  }
  printf("%-*s  %-*s  %9s  %-20s  %-20s  %6s  %-20s  %s\n", (int)wid, "id", (int)wcis, "cis",
         "matches", "first", "last", "alarms", "first alarm", "samples");
  unsigned long long fired = 0;
  size_t firing_filters = 0;
  for (size_t i = 0; i < c->filters.n; i++) {
    const hg_filter *f = &c->filters.v[i];
    const hg_bt_result *r = hg_bt_result_of(bt, i);
    hg_alarm_result a = alarm_of(f, bt, i);
    char at[21] = "-";
    if (a.fired)
      hg_alarm_format_time(a.first, at);
    fired += a.fired;
    firing_filters += a.fired > 0;
    printf("%-*s  %-*s  %9llu  %-20s  %-20s  %6llu  %-20s  ", (int)wid, f->id, (int)wcis,
           or_dash(hg_filter_cis(f, ver)), r->matches, or_dash(r->matches ? r->first : NULL),
           or_dash(r->matches ? r->last : NULL), a.fired, at);
    if (!r->n_samples)
      fputs("-", stdout);
    for (size_t k = 0; k < r->n_samples; k++)
      printf("%s%s", k ? " " : "", or_dash(r->samples[k]));
    fputc('\n', stdout);
  }
  printf("%zu events in %zu files (%.1f MB); skipped %zu files, %zu records\n", st->events,
         st->files, (double)st->bytes / 1e6, st->skipped_files, st->skipped_records);
  printf("alarms: %llu firings of %zu alarms\n", fired, firing_filters);
  printf("%zu filters; examples: %zu passed, %zu failed\n", c->filters.n, tp, tf);
}

static void print_json(const hg_compiled *c, const ex_count *ex, const hg_bt *bt,
                       const hg_events_stats *st)
{
  const char *ver = c->profile->cis_version;
  hg_doc *root = hg_doc_map();
  hg_doc_set_int(root, "schema", HG_JSON_SCHEMA);
  hg_doc_set_str(root, "env", c->profile->env);
  hg_doc_set_int(root, "events", (long long)st->events);
  hg_doc_set_int(root, "files", (long long)st->files);
  hg_doc *sk = hg_doc_set_map(root, "skipped");
  hg_doc_set_int(sk, "files", (long long)st->skipped_files);
  hg_doc_set_int(sk, "records", (long long)st->skipped_records);
  hg_doc *arr = hg_doc_set_seq(root, "filters");
  for (size_t i = 0; i < c->filters.n; i++) {
    const hg_filter *f = &c->filters.v[i];
    hg_doc *o = hg_doc_map();
    hg_doc_set_str(o, "id", f->id);
    const char *cis = hg_filter_cis(f, ver);
    if (cis)
      hg_doc_set_str(o, "cis", cis);
    else
      hg_doc_set_null(o, "cis");
    const hg_bt_result *r = bt ? hg_bt_result_of(bt, i) : NULL;
    hg_doc_set_int(o, "matches", r ? (long long)r->matches : 0);
    if (r && r->matches && r->first[0])
      hg_doc_set_str(o, "first", r->first);
    else
      hg_doc_set_null(o, "first");
    if (r && r->matches && r->last[0])
      hg_doc_set_str(o, "last", r->last);
    else
      hg_doc_set_null(o, "last");
    hg_doc *s = hg_doc_set_seq(o, "samples");
    for (size_t k = 0; r && k < r->n_samples; k++)
      hg_doc_push(s, hg_doc_str(r->samples[k]));
    hg_doc *al = hg_doc_set_map(o, "alarms");
    hg_alarm_result a = bt ? alarm_of(f, bt, i) : (hg_alarm_result){0, 0, 0};
    hg_doc_set_int(al, "fired", (long long)a.fired);
    char at[21];
    if (a.fired) {
      hg_alarm_format_time(a.first, at);
      hg_doc_set_str(al, "first", at);
      hg_alarm_format_time(a.last, at);
      hg_doc_set_str(al, "last", at);
    } else {
      hg_doc_set_null(al, "first");
      hg_doc_set_null(al, "last");
    }
    hg_doc *e = hg_doc_set_map(o, "examples");
    hg_doc_set_int(e, "passed", (long long)ex[i].passed);
    hg_doc_set_int(e, "failed", (long long)ex[i].failed);
    hg_doc_push(arr, o);
  }
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_json_compact(root, &b);
  fputs(b.data, stdout);
  hg_buf_free(&b);
  hg_doc_free(root);
}

int hg_cli_test(int argc, char **argv)
{
  opts o;
  int rc = parse_args(argc, argv, &o);
  if (rc) {
    free_opts(&o);
    return hg_cli_opts_exit(rc);
  }
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_compiled c;
  if (hg_compile_filters(o.root, o.env, &c, &sink) != 0) {
    hg_diag_render_text(&sink, stderr);
    hg_diag_free(&sink);
    free_opts(&o);
    return HG_EXIT_INPUT;
  }
  /* Warnings from compiling (patterns, profile) come first. */
  hg_diag_render_text(&sink, stderr);
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  ex_count *ex = xcalloc(c.filters.n ? c.filters.n : 1, sizeof *ex);
  size_t failed = 0;
  for (size_t i = 0; i < c.filters.n; i++) {
    hg_bt_examples(&c.filters.v[i], c.patterns[i], &ex[i].passed, &ex[i].failed, &sink);
    failed += ex[i].failed;
  }
  hg_diag_render_text(&sink, stderr);
  hg_diag_free(&sink);
  hg_diag_init(&sink);

  hg_events_stats st;
  memset(&st, 0, sizeof st);
  hg_bt *bt = NULL;
  int status_io = 0;
  if (o.events.given) {
    /* A named input that does not exist is an error (as in `match`), not a
     * skipped file: a typo in a CI job must not pass with 0 events. */
    size_t keep = 0;
    for (size_t i = 0; i < o.events.n; i++) {
      if (strcmp(o.events.v[i], "-") != 0 && access(o.events.v[i], R_OK) != 0) {
        hg_diag_add(&sink, HG_SEV_ERROR, o.events.v[i], 0, 0, "events-missing", "cannot read: %s",
                    strerror(errno));
        status_io = 1;
        continue;
      }
      o.events.v[keep++] = o.events.v[i];
    }
    o.events.n = keep;
    bt = hg_bt_new(c.patterns, c.filters.n);
    int *periods = xcalloc(c.filters.n ? c.filters.n : 1, sizeof *periods);
    for (size_t i = 0; i < c.filters.n; i++)
      periods[i] = c.filters.v[i].period > 0 ? c.filters.v[i].period : 300;
    hg_bt_track_periods(bt, periods);
    free(periods);
    hg_bt_jobs(bt, o.jobs);
    hg_bt_checked(bt, o.checked);
    if (o.events.n)
      hg_bt_run(bt, o.events.v, o.events.n, isatty(2) == 1, &st, &sink);
    hg_diag_render_text(&sink, stderr);
  }
  if (strcmp(o.format, "json") == 0)
    print_json(&c, ex, bt, &st);
  else
    print_text(&c, ex, bt, &st);
  fflush(stdout);
  hg_bt_free(bt);
  hg_diag_free(&sink);
  free(ex);
  hg_compiled_free(&c);
  free_opts(&o);
  if (status_io)
    return HG_EXIT_IO;
  return failed ? HG_EXIT_INPUT : HG_EXIT_OK;
}
