/*
 * backtest.h — replay events through every filter, and run the filters'
 * examples (the engine of `hardengen test`).
 *
 * Throughput design: the selectors of every JSON pattern are merged into one
 * hg_jpaths trie at setup (plus eventTime and eventID, always read), so each
 * event is parsed once, pruned to the members some filter reads, into an
 * arena reset per event; then every filter is evaluated in one pass. Raw
 * text is handed only to patterns that read it (term, regex,
 * space-delimited). Per-filter state is fixed size (counts, first and last
 * eventTime, three sample eventIDs): nothing grows with the corpus.
 *
 * With jobs > 1 files are read in parallel (events.h): each input file's
 * per-filter results are gathered apart and folded into the run's in input
 * order by one merge function (bt_result_merge in backtest.c), so results
 * do not depend on the number of jobs. Per-filter state added to
 * hg_bt_result must be combined there.
 *
 * Text taken from events into results (eventTime, eventID) is made valid
 * UTF-8 without control characters (each offending byte becomes U+FFFD), so
 * it is safe in text, JSON and on a terminal.
 */
#ifndef HG_BACKTEST_H
#define HG_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/alarm.h"
#include "hg/diag.h"
#include "hg/events.h"
#include "hg/filter.h"
#include "hg/fp.h"

#define HG_BT_SAMPLES 3
#define HG_BT_TEXT 64 /* longest eventTime / eventID kept (longer ones are cut) */

/* What one filter saw. Strings are NUL-terminated; empty when unknown. */
typedef struct hg_bt_result {
  unsigned long long matches;
  char first[HG_BT_TEXT];   /* smallest matching eventTime (ISO 8601 sorts as text) */
  char last[HG_BT_TEXT];    /* largest matching eventTime */
  char samples[HG_BT_SAMPLES][HG_BT_TEXT]; /* eventIDs of the first matches, in read order */
  size_t n_samples;
} hg_bt_result;

typedef struct hg_bt hg_bt;

/*
 * Set up a run over n patterns (borrowed: they must outlive the run; a NULL
 * pattern never matches). Never fails.
 */
hg_bt *hg_bt_new(hg_fp *const *patterns, size_t n);
void hg_bt_free(hg_bt *bt);

/*
 * Evaluate one event (compact JSON text of one record; what the reader in
 * events.h hands out). Returns false when the text is not a JSON object (only
 * raw-text patterns then see it), true otherwise.
 */
bool hg_bt_event(hg_bt *bt, const char *raw, size_t len);

/* Threads for hg_bt_run (default 1; 0 means 1). Patterns holding a regex
 * are copied per thread (their DFA cache is not shared). */
void hg_bt_jobs(hg_bt *bt, unsigned jobs);

/* Let the reader check every record itself (no fast path for JSON lines
 * or documents, events.h hg_events_opts): the same results, more slowly;
 * the reference the fast paths are compared with. Default false. */
void hg_bt_checked(hg_bt *bt, bool checked);

/* Stream paths through hg_events_run into the filters. Same return and
 * diagnostics as hg_events_read. */
int hg_bt_run(hg_bt *bt, const char *const *paths, size_t n, bool progress, hg_events_stats *st,
              hg_diag_sink *sink);

/* Result of pattern i (valid until hg_bt_free). */
const hg_bt_result *hg_bt_result_of(const hg_bt *bt, size_t i);

/*
 * Also count each pattern's matches per alarm period (alarm.h), keyed by
 * the event's eventTime: periods[i] is pattern i's alarm period in seconds
 * (copied). Call before the first event. The counts grow with the number of
 * distinct busy periods, not with the number of events.
 */
void hg_bt_track_periods(hg_bt *bt, const int *periods);

/* Per-period counts of pattern i, or NULL when periods are not tracked
 * (valid until hg_bt_free; merge workers' counts with hg_alarm_counts_merge). */
const hg_alarm_counts *hg_bt_counts_of(const hg_bt *bt, size_t i);

/*
 * Who and what is behind the matches: fn is called for every match of
 * pattern i with the event's eventName and its principal
 * (userIdentity.arn, else userIdentity.type), each cleaned like eventTime
 * and cut to HG_BT_TEXT - 1 bytes, "" when absent. Call before the first
 * event. A run with a callback reads in one thread (hg_bt_run ignores
 * hg_bt_jobs), so fn sees the matches in read order and needs no lock.
 */
typedef void (*hg_bt_match_fn)(void *ud, size_t i, const char *event_name, const char *principal);
void hg_bt_on_match(hg_bt *bt, hg_bt_match_fn fn, void *ud);

/*
 * Run filter f's examples against its parsed pattern fp: every `match`
 * example must match, every `nomatch` one must not. Each failure is an error
 * in sink at f->file:example line ("example N of 'ID' should match" …,
 * code test-example-failed). JSON examples are parsed with hg_json_parse;
 * the others are raw messages. Adds the counts to *passed and *failed.
 */
void hg_bt_examples(const hg_filter *f, const hg_fp *fp, size_t *passed, size_t *failed,
                    hg_diag_sink *sink);

#endif
