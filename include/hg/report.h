/*
 * report.h — the HTML report of `hardengen report` (SPEC §15): one
 * self-contained page (inline CSS and SVG, no script, no external URL) that
 * shows what each env deploys and, with events, what it would have caught.
 *
 * Pure rendering: the caller compiles, plans and replays; this module only
 * turns those results into bytes. The same inputs give the same bytes; the
 * build time is the only varying part and is left out when NULL. Every text
 * taken from inputs (titles, patterns, profile values, event fields) is
 * HTML-escaped, control characters become U+FFFD.
 */
#ifndef HG_REPORT_H
#define HG_REPORT_H

#include <stddef.h>

#include "hg/backtest.h"
#include "hg/compile.h"
#include "hg/events.h"
#include "hg/plan.h"
#include "hg/util.h"

/* Seconds per bar of the per-day chart (the period the daily counts use). */
#define HG_REPORT_DAY 86400

/*
 * The top event names and principals behind each filter's matches: an
 * hg_bt_match_fn target (hg_report_tally_match, ud = the tally). Distinct
 * (filter, value) pairs are kept up to HG_REPORT_TALLY_MAX; matches of
 * values seen after that are counted apart as "other".
 */
#define HG_REPORT_TALLY_MAX 65536
#define HG_REPORT_TOP 5
typedef struct hg_report_tally hg_report_tally;
hg_report_tally *hg_report_tally_new(void);
void hg_report_tally_free(hg_report_tally *t);
void hg_report_tally_match(void *ud, size_t i, const char *event_name, const char *principal);

/* One env of the report (everything borrowed). */
typedef struct hg_report_env {
  const hg_compiled *c;
  const hg_plan *plan;       /* the built plan (stacks, resources, digest) */
  /* With events (all NULL without): alarm tracks each filter's alarm period,
   * daily tracks HG_REPORT_DAY for every filter; both ran over the same
   * events. st: what was read. */
  const hg_bt *alarm;
  const hg_bt *daily;
  const hg_events_stats *st;
  const hg_report_tally *tally; /* or NULL */
} hg_report_env;

/*
 * Append the whole HTML document for envs (n >= 1, shown in that order,
 * and side by side in a table at the top when n > 1) to out. build_time:
 * text shown as the build time, or NULL to leave it out (--no-timestamp).
 * The plan's config templates give the Config rules shown; the alarm run
 * gives the firings (every one, up to a bound per filter, the rest
 * counted).
 */
void hg_report_html(const hg_report_env *envs, size_t n, const char *build_time, hg_buf *out);

/* Append s HTML-escaped (& < > " ' and control characters) to out. */
void hg_report_escape(hg_buf *out, const char *s);

#endif
