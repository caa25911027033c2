/*
 * cli_report.c — `hardengen report`: compile and plan one env (or every
 * env), optionally replay events through their filters, and write the HTML
 * page of report.h to a file (atomically) or standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>

#include "hg/backtest.h"
#include "cli_opts.h"
#include "cli.h"
#include "hg/compile.h"
#include "hg/plan.h"
#include "hg/report.h"
#include "hg/util.h"

const char hg_help_report[] =
    "hardengen report --env ENV | --all [--root DIR] [--events PATH ...] [-o FILE.html] [--no-timestamp] [--format html]\n"
    "\n"
    "Write one self-contained HTML page (inline CSS and SVG, no script, nothing\n"
    "fetched from the network; light and dark, printable) showing what an env\n"
    "deploys: the summary (account, stacks, resources, digest, build time), the\n"
    "CIS coverage matrix (every monitoring control of the profile's CIS version\n"
    "against Security Hub, prowler and steampipe, with the reason of each\n"
    "result), every metric filter (title, highlighted pattern, topic,\n"
    "threshold, period), the AWS Config rules (severity, title, frameworks,\n"
    "where their findings go), the preflight checks and their modes, and the\n"
    "detective routing. With --events the CloudTrail files are replayed as\n"
    "`test --events` does: per filter the matches, every alarm firing, and a bar\n"
    "chart of matches per UTC day on one time axis shared by every chart, with\n"
    "each day holding an alarm firing marked, and the top event names and\n"
    "principals behind the matches. With --all every env is shown, a table\n"
    "at the top setting them side by side.\n"
    "\n"
    "options:\n"
    "  --env ENV          profile to report (profiles/ENV.yaml)\n"
    "  --all              every profile under ROOT/profiles\n"
    "  --root DIR         folder holding profiles/ and filters/ (default: the\n"
    "                     nearest folder upward that holds profiles/)\n"
    "  --events PATH ...  files or folders of CloudTrail events; repeatable\n"
    "  -o, --output FILE  write there (atomically) instead of standard output\n"
    "  --no-timestamp     leave out the build time: the same inputs then give\n"
    "                     the same bytes\n"
    "  --format html      the only format\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 ok, 1 the profile has errors, 2 usage error, 3 an --events\n"
    "path or the output cannot be read or written.\n"
    "\n"
    "example:\n"
    "  hardengen report --env prod --events ./ct/ -o prod.html\n";

typedef struct opts {
  const char *env, *root, *output;
  bool all, no_timestamp;
  hg_cli_strs events;
  hg_cli_args args;
} opts;

static int parse_args(int argc, char **argv, opts *o)
{
  static const char *const formats[] = {"html", NULL};
  memset(o, 0, sizeof *o);
  const hg_opt table[] = {
      {"env", 0, HG_OPT_STR, &o->env, "ENV"},
      {"all", 0, HG_OPT_BOOL, &o->all, NULL},
      {"events", 0, HG_OPT_PATHS, &o->events, "PATH"},
      {"output", 'o', HG_OPT_STR, &o->output, "FILE"},
      {"no-timestamp", 0, HG_OPT_BOOL, &o->no_timestamp, NULL},
      {NULL, 0, HG_OPT_BOOL, NULL, NULL},
  };
  const hg_cli_cmd cmd = {hg_help_report, table, formats, 0};
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &o->args);
  o->root = o->args.root;
  if (rc)
    return rc;
  if (!o->env == !o->all)
    return hg_cli_usage_error(hg_help_report, "report: give --env ENV or --all");
  if (!hg_cli_env_ok(hg_help_report, o->env))
    return HG_EXIT_USAGE;
  return 0;
}

static void free_opts(opts *o)
{
  hg_cli_strs_free(&o->events);
  hg_cli_args_free(&o->args);
}

/* Per env: what is compiled, planned and replayed (owned). */
typedef struct env_run {
  hg_compiled c;
  hg_plan plan;
  bool compiled, planned;
  hg_bt *alarm, *daily;
  hg_report_tally *tally;
  hg_events_stats st;
} env_run;

/* Replay the events twice for env r: once counting per alarm period,
 * once per day. Standard input can be read only once, so - is refused for
 * more than that (see the usage check). */
static int replay(env_run *r, const opts *o, hg_diag_sink *sink)
{
  size_t n = r->c.filters.n;
  int *periods = xcalloc(n ? n : 1, sizeof *periods);
  r->alarm = hg_bt_new(r->c.patterns, n);
  for (size_t i = 0; i < n; i++)
    periods[i] = r->c.filters.v[i].period > 0 ? r->c.filters.v[i].period : 300;
  hg_bt_track_periods(r->alarm, periods);
  r->daily = hg_bt_new(r->c.patterns, n);
  for (size_t i = 0; i < n; i++)
    periods[i] = HG_REPORT_DAY;
  hg_bt_track_periods(r->daily, periods);
  free(periods);
  unsigned jobs = hg_events_cpus();
  hg_bt_jobs(r->alarm, jobs);
  /* The daily run also tallies names and principals: its callback makes
   * it read in one thread (backtest.h); the alarm run stays parallel. */
  r->tally = hg_report_tally_new();
  hg_bt_on_match(r->daily, hg_report_tally_match, r->tally);
  hg_bt_jobs(r->daily, 1);
  int rc = 0;
  if (o->events.n) {
    rc = hg_bt_run(r->alarm, o->events.v, o->events.n, false, &r->st, sink);
    hg_events_stats again;
    memset(&again, 0, sizeof again);
    hg_diag_sink quiet; /* the same files: their warnings were reported once */
    hg_diag_init(&quiet);
    if (rc >= 0)
      rc = hg_bt_run(r->daily, o->events.v, o->events.n, false, &again, &quiet);
    hg_diag_free(&quiet);
  }
  return rc;
}

static void env_free(env_run *r)
{
  hg_bt_free(r->alarm);
  hg_bt_free(r->daily);
  hg_report_tally_free(r->tally);
  if (r->planned)
    hg_plan_free(&r->plan);
  if (r->compiled)
    hg_compiled_free(&r->c);
}

int hg_cli_report(int argc, char **argv)
{
  opts o;
  int rc = parse_args(argc, argv, &o);
  if (rc) {
    free_opts(&o);
    return hg_cli_opts_exit(rc);
  }
  int status = HG_EXIT_OK;
  for (size_t i = 0; i < o.events.n; i++)
    if (strcmp(o.events.v[i], "-") == 0) {
      free_opts(&o);
      return hg_cli_usage_error(hg_help_report, "report: events cannot come from standard input "
                                                "(they are read twice); give a file");
    }
  hg_diag_sink sink;
  hg_diag_init(&sink);
  /* A named input that does not exist is an error, as in `test`. */
  for (size_t i = 0; i < o.events.n; i++)
    if (access(o.events.v[i], R_OK) != 0) {
      hg_diag_add(&sink, HG_SEV_ERROR, o.events.v[i], 0, 0, "events-missing", "cannot read: %s",
                  strerror(errno));
      status = HG_EXIT_IO;
    }
  char *one[2] = {(char *)o.env, NULL};
  char **envs = o.all ? hg_profile_list(o.root) : one;
  size_t n = 0;
  while (envs && envs[n])
    n++;
  if (!envs || n == 0) {
    fprintf(stderr, "hardengen: no profiles under %s/profiles\n", o.root);
    if (o.all)
      hg_profile_list_free(envs);
    hg_diag_free(&sink);
    free_opts(&o);
    return HG_EXIT_INPUT;
  }
  env_run *runs = xcalloc(n, sizeof *runs);
  for (size_t i = 0; i < n && status == HG_EXIT_OK; i++) {
    env_run *r = &runs[i];
    if (hg_compile_filters(o.root, envs[i], &r->c, &sink) != 0) {
      status = HG_EXIT_INPUT;
      break;
    }
    r->compiled = true;
    r->planned = true;
    if (hg_plan_build(&r->c, o.root, NULL, &r->plan, &sink) != 0) {
      status = HG_EXIT_INPUT;
      break;
    }
    if (o.events.given && replay(r, &o, &sink) < 0)
      status = HG_EXIT_IO;
  }
  hg_diag_render_text(&sink, stderr);
  hg_diag_free(&sink);
  if (status == HG_EXIT_OK) {
    hg_report_env *re = xcalloc(n, sizeof *re);
    for (size_t i = 0; i < n; i++) {
      re[i].c = &runs[i].c;
      re[i].plan = &runs[i].plan;
      re[i].alarm = runs[i].alarm;
      re[i].daily = runs[i].daily;
      re[i].st = o.events.given ? &runs[i].st : NULL;
      re[i].tally = runs[i].tally;
    }
    char when[32] = "";
    if (!o.no_timestamp) {
      time_t now = time(NULL);
      struct tm tm;
      gmtime_r(&now, &tm);
      strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    hg_buf b;
    hg_buf_init(&b);
    hg_report_html(re, n, o.no_timestamp ? NULL : when, &b);
    free(re);
    if (o.output) {
      if (hg_write_atomic(o.output, b.data, b.len) != 0) {
        fprintf(stderr, "%s: error: cannot write: %s [report-write]\n", o.output, strerror(errno));
        status = HG_EXIT_IO;
      }
    } else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
      status = HG_EXIT_IO;
    }
    hg_buf_free(&b);
  }
  for (size_t i = 0; i < n; i++)
    env_free(&runs[i]);
  free(runs);
  if (o.all)
    hg_profile_list_free(envs);
  free_opts(&o);
  return status;
}
