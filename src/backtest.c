/*
 * backtest.c — one pruned parse per event, every filter in one pass (see
 * backtest.h).
 */
#include "hg/backtest.h"

#include <stdlib.h>
#include <string.h>

#include "hg/json.h"
#include "hg/util.h"

struct hg_bt {
  hg_fp *const *patterns;
  size_t n;
  bool *raw;            /* per pattern: reads the raw text */
  size_t *same;         /* per pattern: index of the first equal pattern (itself if none) */
  bool *hit;            /* per pattern: matched the current event */
  hg_bt_result *res;
  hg_alarm_counts *counts; /* per pattern, or NULL (hg_bt_track_periods) */
  hg_jpaths *paths;
  hg_arena *arena;
};

static void add_sel(void *ud, const hg_jsel *sel)
{
  hg_jpaths_add(ud, sel);
}

static void add_key(hg_jpaths *p, const char *key)
{
  hg_jstep st = {HG_JSTEP_KEY, key, strlen(key), 0};
  hg_jsel sel = {&st, 1};
  hg_jpaths_add(p, &sel);
}

hg_bt *hg_bt_new(hg_fp *const *patterns, size_t n)
{
  hg_bt *bt = xcalloc(1, sizeof *bt);
  bt->patterns = patterns;
  bt->n = n;
  bt->raw = xcalloc(n ? n : 1, sizeof *bt->raw);
  bt->same = xcalloc(n ? n : 1, sizeof *bt->same);
  bt->hit = xcalloc(n ? n : 1, sizeof *bt->hit);
  bt->res = xcalloc(n ? n : 1, sizeof *bt->res);
  bt->paths = hg_jpaths_new();
  bt->arena = hg_arena_new();
  add_key(bt->paths, "eventTime");
  add_key(bt->paths, "eventID");
  for (size_t i = 0; i < n; i++) {
    if (!patterns[i])
      continue;
    bt->raw[i] = hg_fp_needs_raw(patterns[i]);
    hg_fp_selectors(patterns[i], add_sel, bt->paths);
    /* Variants of one control often differ only in spacing: evaluate each
     * distinct AST once per event. */
    bt->same[i] = i;
    for (size_t j = 0; j < i; j++)
      if (patterns[j] && bt->same[j] == j && hg_fp_equal(patterns[j], patterns[i])) {
        bt->same[i] = j;
        break;
      }
  }
  return bt;
}

void hg_bt_free(hg_bt *bt)
{
  if (!bt)
    return;
  free(bt->raw);
  free(bt->same);
  free(bt->hit);
  free(bt->res);
  for (size_t i = 0; bt->counts && i < bt->n; i++)
    hg_alarm_counts_free(&bt->counts[i]);
  free(bt->counts);
  hg_jpaths_free(bt->paths);
  hg_arena_free(bt->arena);
  free(bt);
}

const hg_bt_result *hg_bt_result_of(const hg_bt *bt, size_t i)
{
  return &bt->res[i];
}

void hg_bt_track_periods(hg_bt *bt, const int *periods)
{
  if (bt->counts)
    return;
  bt->counts = xcalloc(bt->n ? bt->n : 1, sizeof *bt->counts);
  for (size_t i = 0; i < bt->n; i++)
    hg_alarm_counts_init(&bt->counts[i], periods[i]);
}

const hg_alarm_counts *hg_bt_counts_of(const hg_bt *bt, size_t i)
{
  return bt->counts ? &bt->counts[i] : NULL;
}

/* Copy a string member of ev into a fixed buffer; "" when absent. */
static size_t get_text(const hg_jv *ev, const char *key, char out[HG_BT_TEXT])
{
  const hg_jv *v = ev ? hg_jv_get(ev, key, strlen(key)) : NULL;
  size_t n = 0;
  if (v && (v->kind == HG_JV_STRING || v->kind == HG_JV_NUMBER)) {
    n = v->len < HG_BT_TEXT - 1 ? v->len : HG_BT_TEXT - 1;
    memcpy(out, v->s, n);
  }
  out[n] = '\0';
  return n;
}

/* Evaluate every filter on one event. unchecked: the text comes from the
 * reader's fast path; when it does not parse, nothing is counted and -1 is
 * returned so the reader can take it back. Else 1 for a JSON object, 0 for
 * anything else. */
static int bt_eval(hg_bt *bt, const char *raw, size_t len, bool unchecked)
{
  hg_arena_reset(bt->arena);
  hg_jv *ev = hg_json_parse_pruned(bt->arena, raw, len, bt->paths, NULL, NULL);
  if (!ev && unchecked)
    return -1;
  if (ev && ev->kind != HG_JV_OBJECT)
    ev = NULL;
  char when[HG_BT_TEXT];
  bool have_when = false;
  int have_t = 0; /* 0 not parsed yet, 1 t holds eventTime, -1 unreadable */
  long long t = 0;
  for (size_t i = 0; i < bt->n; i++) {
    const hg_fp *fp = bt->patterns[i];
    if (!fp)
      continue;
    if (bt->same[i] != i)
      bt->hit[i] = bt->hit[bt->same[i]];
    else
      bt->hit[i] = hg_fp_match(fp, ev, bt->raw[i] ? raw : NULL, bt->raw[i] ? len : 0);
    if (!bt->hit[i])
      continue;
    hg_bt_result *r = &bt->res[i];
    if (!have_when) {
      get_text(ev, "eventTime", when);
      have_when = true;
    }
    if (r->matches == 0 || strcmp(when, r->first) < 0)
      memcpy(r->first, when, sizeof when);
    if (r->matches == 0 || strcmp(when, r->last) > 0)
      memcpy(r->last, when, sizeof when);
    if (r->n_samples < HG_BT_SAMPLES)
      get_text(ev, "eventID", r->samples[r->n_samples++]);
    r->matches++;
    if (bt->counts) {
      if (!have_t)
        have_t = hg_alarm_parse_time(when, strlen(when), &t) ? 1 : -1;
      if (have_t > 0)
        hg_alarm_counts_add(&bt->counts[i], t);
      else
        bt->counts[i].untimed++;
    }
  }
  return ev != NULL;
}

bool hg_bt_event(hg_bt *bt, const char *raw, size_t len)
{
  return bt_eval(bt, raw, len, false) == 1;
}

static int on_event(void *ud, const hg_event *ev)
{
  if (bt_eval(ud, ev->raw, ev->len, !ev->checked) < 0)
    return HG_EVENT_RECHECK;
  return 0;
}

int hg_bt_run(hg_bt *bt, const char *const *paths, size_t n, bool progress, hg_events_stats *st,
              hg_diag_sink *sink)
{
  /* Every record is parsed (and so validated) by the pruned parser anyway:
   * let the reader skip its own check of JSON lines, unless some pattern
   * reads the raw text, which must then be the compact form. */
  hg_events_opts o = {progress, true};
  for (size_t i = 0; i < bt->n; i++)
    if (bt->patterns[i] && bt->raw[i])
      o.unchecked_lines = false;
  return hg_events_read_opts(paths, n, on_event, bt, &o, st, sink);
}

static void run_examples(const hg_filter *f, const hg_fp *fp, const hg_example *ex, size_t n,
                         bool want, hg_arena *a, size_t *passed, size_t *failed, hg_diag_sink *sink)
{
  for (size_t i = 0; i < n; i++) {
    hg_arena_reset(a);
    const char *text = ex[i].text ? ex[i].text : "";
    size_t len = strlen(text);
    const hg_jv *ev = NULL;
    if (ex[i].is_json) {
      size_t off = 0;
      const char *msg = NULL;
      ev = hg_json_parse(a, text, len, &off, &msg);
      if (!ev) {
        (*failed)++;
        hg_diag_add(sink, HG_SEV_ERROR, f->file, ex[i].line, 0, "test-example-invalid",
                    "%s example %zu of '%s' is not valid JSON: %s at byte %zu",
                    want ? "match" : "nomatch", i + 1, f->id, msg ? msg : "syntax error", off);
        continue;
      }
      if (ev->kind != HG_JV_OBJECT)
        ev = NULL;
    }
    bool got = fp && hg_fp_match(fp, ev, text, len);
    if (got == want) {
      (*passed)++;
      continue;
    }
    (*failed)++;
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, f->file, ex[i].line, 0, "test-example-failed",
                             "%s example %zu of '%s' %s", want ? "match" : "nomatch", i + 1,
                             f->id, want ? "does not match the pattern" : "matches the pattern");
    hg_diag_note(d, "pattern: %s", f->pattern);
    hg_diag_note(d, "event: %.300s%s", text, len > 300 ? "..." : "");
  }
}

void hg_bt_examples(const hg_filter *f, const hg_fp *fp, size_t *passed, size_t *failed,
                    hg_diag_sink *sink)
{
  hg_arena *a = hg_arena_new();
  run_examples(f, fp, f->match, f->n_match, true, a, passed, failed, sink);
  run_examples(f, fp, f->nomatch, f->n_nomatch, false, a, passed, failed, sink);
  hg_arena_free(a);
}
