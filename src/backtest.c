/*
 * backtest.c — one pruned parse per event, every filter in one pass (see
 * backtest.h).
 *
 * A run over files goes through hg_events_run: each worker thread has its
 * own arena, hit flags and copies of the patterns whose regex keeps a lazy
 * DFA cache (the others are read-only and shared); what one input file
 * produced per filter is a part, folded into the run's results in input
 * order by bt_result_merge, the one place that combines per-filter state
 * (the counts, first/last and samples of hg_bt_result, and the per-period
 * counts of the alarm replay when they are tracked).
 */
#include "hg/backtest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/alarm.h"
#include "hg/jscan.h"
#include "hg/json.h"
#include "hg/util.h"

/* What one thread needs to evaluate events. */
typedef struct bt_worker {
  const struct hg_bt *bt;
  hg_fp **patterns;     /* the run's, or this worker's copies (own[i]) */
  bool *own;
  bool *hit;            /* per pattern: matched the current event */
  hg_arena *arena;      /* reset per event */
  /* The eventTime of the last event that matched something (see
   * read_when): its bytes as read (when_raw_len SIZE_MAX: none kept), the
   * cleaned text, and the time once parsed (when_parsed 0: not yet, 1:
   * when_t holds it, -1: unreadable). */
  char when_raw[HG_BT_TEXT];
  size_t when_raw_len;
  char when[HG_BT_TEXT];
  size_t when_len;
  int when_parsed;
  long long when_t;
} bt_worker;

/*
 * The prefilter: per guard key, a hash table from an exact member value to
 * the set of filters that can match an event holding it (hg_fp_guard). A
 * filter with a guard is evaluated only when the event's value is in its
 * set; the others always are.
 */
#define GUARD_KEYS 2
/* At most this many members are checked per event for hg_fp_required
 * (each check is one lookup; further members are not used). */
#define NEED_MAX 8
static const char *const guard_keys[GUARD_KEYS] = {"eventName", "eventSource"};

typedef struct gslot {
  const char *v;        /* NULL: empty slot */
  size_t n;
  uint64_t h;           /* ghash(v, n): most probes compare only this */
  uint64_t *bits;       /* filters allowed (words of the table) */
} gslot;

typedef struct gtable {
  gslot *slots;
  size_t cap;           /* power of two */
  size_t count;
  size_t words;
} gtable;

struct hg_bt {
  hg_fp *const *patterns;
  size_t n;
  int *guard;           /* per pattern: index into guard_keys, or -1 */
  gtable gt[GUARD_KEYS];
  bool *raw;            /* per pattern: reads the raw text */
  size_t *same;         /* per pattern: index of the first equal pattern (itself if none) */
  hg_bt_result *res;
  hg_jpaths *paths;     /* read-only once built: shared by the workers */
  bt_worker main;       /* hg_bt_event's */
  unsigned jobs;
  bool checked;         /* hg_bt_checked */
  hg_alarm_counts *counts; /* per pattern, or NULL (hg_bt_track_periods) */
  hg_bt_match_fn on_match;  /* or NULL (hg_bt_on_match); forces one job */
  void *on_match_ud;
  /* Bit sets over the filters (words 64-bit words each): look, evaluated
   * on every event (no guard, or a copy of an earlier filter); guarded[k],
   * the first of their kind guarded by key k, evaluated when the event's
   * value allows them. Filters without a pattern are in none. */
  size_t words;
  uint64_t *look;
  uint64_t *guarded[GUARD_KEYS];
  bool any_guard[GUARD_KEYS];
  /* $.eventName, $.eventSource as steps resolved in paths (json.h, "Member
   * slots"): the guards' lookups compare no names */
  hg_jstep guard_step[GUARD_KEYS];
  /* $.eventTime, $.eventID, resolved in paths the same way */
  hg_jstep time_step, id_step;
  /* The members some filters of look cannot match without
   * (hg_fp_required): need[r] holds those filters (first of their kind
   * only: copies take their answer), need_step[r] the member's step. An
   * event without member r skips them. */
  size_t nneed;
  hg_jstep need_step[NEED_MAX];
  uint64_t *need[NEED_MAX];
};

/* What one input file produced: per filter, its result and (when periods
 * are tracked) its per-period counts; and the same for the tentative
 * records of the document being read (events.h unchecked_docs), folded
 * into the part when the reader confirms them, cleared when it drops
 * them. */
typedef struct bt_part {
  hg_bt_result *res;
  hg_alarm_counts *counts; /* NULL when periods are not tracked */
  hg_bt_result *tres;
  hg_alarm_counts *tcounts;
  bool tany;               /* tres or tcounts may hold something */
} bt_part;

static void add_sel(void *ud, const hg_jsel *sel)
{
  hg_jpaths_add(ud, sel);
}

/* Keep $.key in the pruned trees. st (when not NULL) receives the step,
 * resolved to its member slot (json.h); it must outlive its use. */
static void add_key(hg_jpaths *p, const char *key, hg_jstep *st)
{
  hg_jstep local;
  if (!st)
    st = &local;
  *st = (hg_jstep){HG_JSTEP_KEY, key, strlen(key), 0, 0, 0};
  hg_jsel sel = {st, 1};
  hg_jpaths_add(p, &sel);
}

/* A private copy of pattern p for one thread (malloc'd), or NULL when p
 * holds no regex (nothing in it changes while matching) or cannot be
 * copied. */
static hg_fp *fp_copy(const hg_fp *p, bool *failed)
{
  if (!p || hg_fp_regex_count(p) == 0)
    return NULL;
  char *text = hg_fp_print(p);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_fp *c = text ? hg_fp_parse(text, strlen(text), NULL, &sink) : NULL;
  hg_diag_free(&sink);
  free(text);
  if (!c || !hg_fp_equal(c, p)) {
    hg_fp_free(c);
    *failed = true;
    return NULL;
  }
  hg_fp_copy_slots(c, p);
  return c;
}

static void worker_init(const hg_bt *bt, bt_worker *w, bool copies, bool *failed)
{
  size_t n = bt->n ? bt->n : 1;
  w->bt = bt;
  w->patterns = xcalloc(n, sizeof *w->patterns);
  w->own = xcalloc(n, sizeof *w->own);
  w->hit = xcalloc(n, sizeof *w->hit);
  w->arena = hg_arena_new();
  w->when_raw_len = SIZE_MAX;
  w->when_parsed = 0;
  for (size_t i = 0; i < bt->n; i++) {
    hg_fp *c = copies ? fp_copy(bt->patterns[i], failed) : NULL;
    w->own[i] = c != NULL;
    w->patterns[i] = c ? c : bt->patterns[i];
  }
}

static void worker_fini(const hg_bt *bt, bt_worker *w)
{
  for (size_t i = 0; i < bt->n; i++)
    if (w->own[i])
      hg_fp_free(w->patterns[i]);
  free(w->patterns);
  free(w->own);
  free(w->hit);
  hg_arena_free(w->arena);
}

/*
 * The table's hash of a value (eventName, eventSource: 5 to 40 bytes),
 * looked up once per event and key. It takes eight bytes per step: each
 * word is mixed in with a multiply, the last one being the value's last
 * eight bytes (overlapping the previous word when the length is not a
 * multiple of eight; the length is hashed too). Values shorter than eight
 * bytes are read byte by byte. The final fold brings the product's high
 * bits, which depend on every input bit, down to the bits the table
 * indexes with.
 */
static uint64_t ghash(const char *v, size_t n)
{
  const uint64_t k = 0x9E3779B97F4A7C15ull;
  uint64_t h = (n + 1) * k, w;
  if (n < 8) {
    w = 0;
    for (size_t i = 0; i < n; i++)
      w = w << 8 | (unsigned char)v[i];
    h = (h ^ w) * k;
  } else {
    for (size_t i = 0; i + 8 < n; i += 8) {
      memcpy(&w, v + i, 8);
      h = (h ^ w) * k;
    }
    memcpy(&w, v + n - 8, 8);
    h = (h ^ w) * k;
  }
  return h ^ h >> 32;
}

/* The slot holding v, or the empty slot where it would go. h = ghash(v, n). */
static gslot *gfind(const gtable *t, const char *v, size_t n, uint64_t h)
{
  if (!t->cap)
    return NULL;
  for (size_t i = (size_t)h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
    gslot *s = &t->slots[i];
    if (!s->v || (s->h == h && s->n == n && hg_bytes_eq(s->v, v, n)))
      return s;
  }
}

static void gput(gtable *t, const char *v, size_t n, size_t filter)
{
  if (2 * (t->count + 1) > t->cap) {
    gtable o = *t;
    t->cap = t->cap ? t->cap * 2 : 64;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    t->count = 0;
    for (size_t i = 0; i < o.cap; i++)
      if (o.slots[i].v) {
        *gfind(t, o.slots[i].v, o.slots[i].n, o.slots[i].h) = o.slots[i];
        t->count++;
      }
    free(o.slots);
  }
  uint64_t h = ghash(v, n);
  gslot *s = gfind(t, v, n, h);
  if (!s->v) {
    s->v = v;
    s->n = n;
    s->h = h;
    s->bits = xcalloc(t->words, sizeof *s->bits);
    t->count++;
  }
  s->bits[filter / 64] |= 1ull << (filter % 64);
}

typedef struct gadd {
  gtable *t;
  size_t filter;
} gadd;

static void on_guard_value(void *ud, const char *v, size_t n)
{
  gadd *g = ud;
  gput(g->t, v, n, g->filter);
}

/* The members one pattern cannot match without (hg_fp_required). */
typedef struct gneed {
  const hg_jstep *v[NEED_MAX];
  size_t n;
} gneed;

static void on_required(void *ud, const hg_jstep *st)
{
  gneed *g = ud;
  if (g->n < NEED_MAX)
    g->v[g->n++] = st;
}

/* Index of member st in bt->need_step, or bt->nneed when absent. */
static size_t need_find(const hg_bt *bt, const hg_jstep *st)
{
  size_t r = 0;
  while (r < bt->nneed && !(bt->need_step[r].keylen == st->keylen &&
                            memcmp(bt->need_step[r].key, st->key, st->keylen) == 0))
    r++;
  return r;
}

/*
 * Skip filter i on events without one member it needs. One member per
 * filter, shared as much as possible (each costs a lookup per event): one
 * another filter already uses, else its first.
 */
static void need_add(hg_bt *bt, size_t i)
{
  gneed g;
  g.n = 0;
  hg_fp_required(bt->patterns[i], on_required, &g);
  if (!g.n)
    return;
  size_t r = bt->nneed;
  for (size_t j = 0; j < g.n && r == bt->nneed; j++)
    r = need_find(bt, g.v[j]);
  if (r == bt->nneed) {
    if (r == NEED_MAX)
      return;
    bt->need_step[r] = *g.v[0]; /* resolved: the selectors were added */
    bt->need[r] = xcalloc(bt->words + 1, sizeof *bt->need[r]);
    bt->nneed++;
  }
  bt->need[r][i / 64] |= 1ull << (i % 64);
}

static void noop_value(void *ud, const char *v, size_t n)
{
  (void)ud;
  (void)v;
  (void)n;
}

/* The filters an event may match by its value of guard key k: NULL for
 * none. */
static const uint64_t *guard_allowed(const hg_bt *bt, int k, const hg_jv *ev)
{
  const hg_jv *m = ev ? hg_jv_step(ev, &bt->guard_step[k]) : NULL;
  if (!m)
    return NULL;
  const char *v;
  size_t n;
  switch (m->kind) {
  case HG_JV_STRING:
  case HG_JV_NUMBER: v = m->s; n = m->len; break;
  case HG_JV_TRUE: v = "true"; n = 4; break;
  case HG_JV_FALSE: v = "false"; n = 5; break;
  default: return NULL;
  }
  const gslot *s = gfind(&bt->gt[k], v, n, ghash(v, n));
  return s && s->v ? s->bits : NULL;
}

hg_bt *hg_bt_new(hg_fp *const *patterns, size_t n)
{
  hg_bt *bt = xcalloc(1, sizeof *bt);
  bt->patterns = patterns;
  bt->n = n;
  bt->raw = xcalloc(n ? n : 1, sizeof *bt->raw);
  bt->same = xcalloc(n ? n : 1, sizeof *bt->same);
  bt->res = xcalloc(n ? n : 1, sizeof *bt->res);
  bt->paths = hg_jpaths_new();
  bt->jobs = 1;
  bt->guard = xcalloc(n ? n : 1, sizeof *bt->guard);
  for (int k = 0; k < GUARD_KEYS; k++)
    bt->gt[k].words = (n + 63) / 64 + 1;
  add_key(bt->paths, "eventTime", &bt->time_step);
  add_key(bt->paths, "eventID", &bt->id_step);
  for (size_t i = 0; i < n; i++) {
    bt->guard[i] = -1;
    if (!patterns[i])
      continue;
    for (int k = 0; k < GUARD_KEYS && bt->guard[i] < 0; k++) {
      const char *key = guard_keys[k];
      if (hg_fp_guard(patterns[i], key, strlen(key), noop_value, NULL)) {
        gadd g = {&bt->gt[k], i};
        hg_fp_guard(patterns[i], key, strlen(key), on_guard_value, &g);
        bt->guard[i] = k;
      }
    }
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
  bt->words = (n + 63) / 64;
  bt->look = xcalloc(bt->words + 1, sizeof *bt->look);
  for (int k = 0; k < GUARD_KEYS; k++)
    bt->guarded[k] = xcalloc(bt->words + 1, sizeof *bt->guarded[k]);
  for (size_t i = 0; i < n; i++) {
    if (!patterns[i])
      continue;
    uint64_t bit = 1ull << (i % 64);
    if (bt->same[i] != i || bt->guard[i] < 0) {
      bt->look[i / 64] |= bit;
    } else {
      bt->guarded[bt->guard[i]][i / 64] |= bit;
      bt->any_guard[bt->guard[i]] = true;
    }
  }
  /* Filters evaluated on every event: the members they need, checked
   * first. */
  for (size_t i = 0; i < n; i++)
    if (patterns[i] && bt->same[i] == i && bt->guard[i] < 0)
      need_add(bt, i);
  for (int k = 0; k < GUARD_KEYS; k++) {
    bt->guard_step[k] = (hg_jstep){HG_JSTEP_KEY, guard_keys[k], strlen(guard_keys[k]), 0, 0, 0};
    /* A guarded pattern reads $.key itself: the trie already keeps it
     * whole, adding it only resolves the step. */
    if (bt->any_guard[k]) {
      hg_jsel sel = {&bt->guard_step[k], 1};
      hg_jpaths_add(bt->paths, &sel);
    }
  }
  worker_init(bt, &bt->main, false, NULL);
  return bt;
}

void hg_bt_jobs(hg_bt *bt, unsigned jobs)
{
  bt->jobs = jobs ? jobs : 1;
}

void hg_bt_checked(hg_bt *bt, bool checked)
{
  bt->checked = checked;
}

void hg_bt_free(hg_bt *bt)
{
  if (!bt)
    return;
  worker_fini(bt, &bt->main);
  for (int k = 0; k < GUARD_KEYS; k++) {
    for (size_t i = 0; i < bt->gt[k].cap; i++)
      free(bt->gt[k].slots[i].bits);
    free(bt->gt[k].slots);
  }
  free(bt->look);
  for (size_t r = 0; r < bt->nneed; r++)
    free(bt->need[r]);
  for (int k = 0; k < GUARD_KEYS; k++)
    free(bt->guarded[k]);
  free(bt->guard);
  free(bt->raw);
  free(bt->same);
  free(bt->res);
  for (size_t i = 0; bt->counts && i < bt->n; i++)
    hg_alarm_counts_free(&bt->counts[i]);
  free(bt->counts);
  hg_jpaths_free(bt->paths);
  free(bt);
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

const hg_bt_result *hg_bt_result_of(const hg_bt *bt, size_t i)
{
  return &bt->res[i];
}

/* Append code point cp as UTF-8 to o if it fits before end. */
static bool put_cp(char **o, const char *end, unsigned cp)
{
  size_t need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  if ((size_t)(end - *o) < need)
    return false;
  *o += hg_jscan_put_utf8(*o, cp);
  return true;
}

/*
 * Copy text s[0, n) into out (cap bytes, NUL-terminated) as text that is
 * safe in every output format: valid UTF-8 without C0/C1 controls or DEL
 * (each invalid byte and each control becomes U+FFFD; a NUL can no longer
 * cut the text short, an ESC no longer reaches a terminal). Cut at a
 * character boundary when it does not fit. Returns the length.
 */
static size_t text_clean(char *out, size_t cap, const char *s, size_t n)
{
  char *o = out;
  const char *end = out + cap - 1;
  const unsigned char *p = (const unsigned char *)s, *e = p + n;
  while (p < e) {
    unsigned c = *p, cp = 0xFFFD;
    size_t len = 1;
    if (c >= 0x20 && c < 0x7f) {
      if (o >= end)
        break;
      *o++ = (char)c;
      p++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xF4) {
      size_t k = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      unsigned v = c & (k == 2 ? 0x1Fu : k == 3 ? 0x0Fu : 0x07u);
      size_t i = 1;
      for (; i < k && p + i < e && (p[i] & 0xC0) == 0x80; i++)
        v = v << 6 | (p[i] & 0x3Fu);
      static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
      if (i == k && v >= min[k] && v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF) &&
          !(v >= 0x80 && v < 0xA0)) {
        cp = v;
        len = k;
      }
    }
    if (!put_cp(&o, end, cp))
      break;
    p += len;
  }
  *o = '\0';
  return (size_t)(o - out);
}

/* Copy a string or number v into a fixed buffer (see text_clean); "" when
 * v is NULL or another kind. */
static size_t text_of(const hg_jv *v, char out[HG_BT_TEXT])
{
  if (v && (v->kind == HG_JV_STRING || v->kind == HG_JV_NUMBER))
    return text_clean(out, HG_BT_TEXT, v->s, v->len);
  out[0] = '\0';
  return 0;
}

/* text_of member key of ev (NULL: none). */
static size_t get_text(const hg_jv *ev, const char *key, char out[HG_BT_TEXT])
{
  return text_of(ev ? hg_jv_get(ev, key, strlen(key)) : NULL, out);
}

/*
 * Make w->when the cleaned eventTime of ev (NULL: none). Consecutive
 * events mostly share their second (a CloudTrail file covers a few
 * minutes), so when the bytes are those of the previous call the text and
 * the parsed time (w->when_parsed) are kept; else they are redone, the time
 * lazily (only alarms need it).
 */
static void read_when(const hg_bt *bt, bt_worker *w, const hg_jv *ev)
{
  const hg_jv *v = ev ? hg_jv_step(ev, &bt->time_step) : NULL;
  if (!v || (v->kind != HG_JV_STRING && v->kind != HG_JV_NUMBER)) {
    w->when_raw_len = SIZE_MAX;
    w->when[0] = '\0';
    w->when_len = 0;
    w->when_parsed = 0;
    return;
  }
  if (v->len == w->when_raw_len && hg_bytes_eq(v->s, w->when_raw, v->len))
    return;
  w->when_len = text_clean(w->when, HG_BT_TEXT, v->s, v->len);
  w->when_parsed = 0;
  w->when_raw_len = SIZE_MAX;
  if (v->len <= sizeof w->when_raw) {
    memcpy(w->when_raw, v->s, v->len);
    w->when_raw_len = v->len;
  }
}

/* The principal of an event: userIdentity.arn, else userIdentity.type. */
static void match_hook(const hg_bt *bt, const hg_jv *ev, size_t i)
{
  char name[HG_BT_TEXT], who[HG_BT_TEXT];
  get_text(ev, "eventName", name);
  const hg_jv *u = ev ? hg_jv_get(ev, "userIdentity", 12) : NULL;
  if (u && u->kind == HG_JV_OBJECT) {
    if (!get_text(u, "arn", who))
      get_text(u, "type", who);
  } else {
    who[0] = '\0';
  }
  bt->on_match(bt->on_match_ud, i, name, who);
}

void hg_bt_on_match(hg_bt *bt, hg_bt_match_fn fn, void *ud)
{
  bt->on_match = fn;
  bt->on_match_ud = ud;
  add_key(bt->paths, "eventName", NULL);
  hg_jstep st[2] = {{HG_JSTEP_KEY, "userIdentity", 12, 0, 0, 0}, {HG_JSTEP_KEY, "arn", 3, 0, 0, 0}};
  hg_jsel sel = {st, 2};
  hg_jpaths_add(bt->paths, &sel);
  st[1] = (hg_jstep){HG_JSTEP_KEY, "type", 4, 0, 0, 0};
  hg_jpaths_add(bt->paths, &sel);
}

/*
 * Fold what one input produced for a filter (from) into the run's result
 * (into), and leave from empty. Parts arrive in input order, so "first
 * matches in read order" stays true. Every piece of per-filter state a run
 * keeps is combined here and only here, whatever the number of workers.
 */
static void bt_counts_merge(hg_alarm_counts *into, hg_alarm_counts *from)
{
  hg_alarm_counts_merge(into, from);
  long long period = from->period;
  hg_alarm_counts_free(from);
  hg_alarm_counts_init(from, period);
}

static void bt_result_merge(hg_bt_result *into, hg_bt_result *from)
{
  if (from->matches) {
    if (into->matches == 0 || strcmp(from->first, into->first) < 0)
      memcpy(into->first, from->first, sizeof into->first);
    if (into->matches == 0 || strcmp(from->last, into->last) > 0)
      memcpy(into->last, from->last, sizeof into->last);
    for (size_t k = 0; k < from->n_samples && into->n_samples < HG_BT_SAMPLES; k++)
      memcpy(into->samples[into->n_samples++], from->samples[k], HG_BT_TEXT);
    into->matches += from->matches;
  }
  memset(from, 0, sizeof *from);
}

/* Evaluate every filter on one event into res (n results). unchecked: the
 * text comes from the reader's fast path; when it does not parse, nothing
 * is counted and -1 is returned so the reader can take it back. Else 1 for
 * a JSON object, 0 for anything else. */
static int bt_eval(const hg_bt *bt, bt_worker *w, hg_bt_result *res, hg_alarm_counts *counts,
                   const char *raw, size_t len, bool unchecked)
{
  hg_arena_reset(w->arena);
  hg_jv *ev = hg_json_parse_pruned(w->arena, raw, len, bt->paths, NULL, NULL);
  if (!ev && unchecked)
    return -1;
  if (ev && ev->kind != HG_JV_OBJECT)
    ev = NULL;
  bool have_when = false; /* w->when is this event's (read_when) */
  /* The filters to look at, as a bit set: those without a guard, those
   * whose guard allows the event's value, and the copies of an earlier
   * filter (which take its answer). The rest cannot match: no branch per
   * filter for them. */
  const uint64_t *allowed[GUARD_KEYS];
  for (int k = 0; k < GUARD_KEYS; k++)
    allowed[k] = bt->any_guard[k] ? guard_allowed(bt, k, ev) : NULL;
  unsigned absent = 0; /* bit r: the event lacks member need_step[r] */
  for (size_t r = 0; r < bt->nneed; r++)
    if (!ev || !hg_jv_step(ev, &bt->need_step[r]))
      absent |= 1u << r;
  memset(w->hit, 0, bt->n * sizeof *w->hit);
  for (size_t word = 0; word < bt->words; word++) {
    uint64_t look = bt->look[word];
    for (unsigned a = absent; a; a &= a - 1)
      look &= ~bt->need[__builtin_ctz(a)][word];
    for (int k = 0; k < GUARD_KEYS; k++)
      if (allowed[k])
        look |= allowed[k][word] & bt->guarded[k][word];
    for (; look; look &= look - 1) {
      size_t i = word * 64 + (size_t)__builtin_ctzll(look);
      const hg_fp *fp = w->patterns[i];
      if (bt->same[i] != i)
        w->hit[i] = w->hit[bt->same[i]];
      else
        w->hit[i] = hg_fp_match(fp, ev, bt->raw[i] ? raw : NULL, bt->raw[i] ? len : 0);
      if (!w->hit[i])
        continue;
      hg_bt_result *r = &res[i];
      if (!have_when) {
        read_when(bt, w, ev);
        have_when = true;
      }
      const char *when = w->when;
      if (r->matches == 0) {
        memcpy(r->first, when, w->when_len + 1);
        memcpy(r->last, when, w->when_len + 1);
      } else {
        /* first <= last: a time not before last (events mostly come in
         * time order) needs no comparison with first */
        int c = strcmp(when, r->last);
        if (c > 0)
          memcpy(r->last, when, w->when_len + 1);
        else if (c < 0 && strcmp(when, r->first) < 0)
          memcpy(r->first, when, w->when_len + 1);
      }
      if (r->n_samples < HG_BT_SAMPLES)
        text_of(ev ? hg_jv_step(ev, &bt->id_step) : NULL, r->samples[r->n_samples++]);
      r->matches++;
      if (bt->on_match)
        match_hook(bt, ev, i);
      if (counts) {
        if (!w->when_parsed)
          w->when_parsed = hg_alarm_parse_time(when, w->when_len, &w->when_t) ? 1 : -1;
        if (w->when_parsed > 0)
          hg_alarm_counts_add(&counts[i], w->when_t);
        else
          counts[i].untimed++;
      }
    }
  }
  return ev != NULL;
}

bool hg_bt_event(hg_bt *bt, const char *raw, size_t len)
{
  return bt_eval(bt, &bt->main, bt->res, bt->counts, raw, len, false) == 1;
}

/* ---- a run over files (events.h parts: one hg_bt_result per filter) ---- */

static void *run_worker_new(void *ud)
{
  hg_bt *bt = ud;
  bt_worker *w = xcalloc(1, sizeof *w);
  bool failed = false;
  worker_init(bt, w, true, &failed); /* copies checked by hg_bt_run */
  return w;
}

static void run_worker_free(void *ud, void *w)
{
  worker_fini(ud, w);
  free(w);
}

static hg_alarm_counts *part_counts_new(const hg_bt *bt)
{
  if (!bt->counts)
    return NULL;
  hg_alarm_counts *c = xcalloc(bt->n ? bt->n : 1, sizeof *c);
  for (size_t i = 0; i < bt->n; i++)
    hg_alarm_counts_init(&c[i], bt->counts[i].period);
  return c;
}

static void part_counts_free(const hg_bt *bt, hg_alarm_counts *c)
{
  for (size_t i = 0; c && i < bt->n; i++)
    hg_alarm_counts_free(&c[i]);
  free(c);
}

static void *run_part_new(void *ud)
{
  hg_bt *bt = ud;
  bt_part *p = xcalloc(1, sizeof *p);
  p->res = xcalloc(bt->n ? bt->n : 1, sizeof *p->res);
  p->tres = xcalloc(bt->n ? bt->n : 1, sizeof *p->tres);
  p->counts = part_counts_new(bt);
  p->tcounts = part_counts_new(bt);
  return p;
}

static void run_part_free(void *ud, void *part)
{
  hg_bt *bt = ud;
  bt_part *p = part;
  part_counts_free(bt, p->counts);
  part_counts_free(bt, p->tcounts);
  free(p->res);
  free(p->tres);
  free(p);
}

/* The tentative records are final (into the part, after what it holds:
 * the order of the samples is kept) or never were (cleared). */
static void part_settle(const hg_bt *bt, bt_part *p, bool confirm)
{
  if (!p->tany)
    return;
  for (size_t i = 0; i < bt->n; i++) {
    if (!p->tres[i].matches)
      continue;
    if (confirm) {
      bt_result_merge(&p->res[i], &p->tres[i]);
      if (p->counts)
        bt_counts_merge(&p->counts[i], &p->tcounts[i]);
    } else {
      memset(&p->tres[i], 0, sizeof p->tres[i]);
      if (p->tcounts) {
        long long period = p->tcounts[i].period;
        hg_alarm_counts_free(&p->tcounts[i]);
        hg_alarm_counts_init(&p->tcounts[i], period);
      }
    }
  }
  p->tany = false;
}

static int run_event(void *w, void *part, const hg_event *ev)
{
  bt_worker *bw = w;
  bt_part *p = part;
  const hg_bt *bt = bw->bt;
  switch (ev->kind) {
  case HG_EVENT_FINAL:
    if (bt_eval(bt, bw, p->res, p->counts, ev->raw, ev->len, !ev->checked) < 0)
      return HG_EVENT_RECHECK;
    return 0;
  case HG_EVENT_TENTATIVE:
    if (bt_eval(bt, bw, p->tres, p->tcounts, ev->raw, ev->len, !ev->checked) < 0)
      return HG_EVENT_RECHECK;
    p->tany = true;
    return 0;
  case HG_EVENT_CONFIRM:
    part_settle(bt, p, true);
    return 0;
  case HG_EVENT_DROP:
    part_settle(bt, p, false);
    return 0;
  }
  return 0;
}

static int run_commit(void *ud, void *part)
{
  hg_bt *bt = ud;
  bt_part *p = part;
  part_settle(bt, p, false); /* the reader settles every document: nothing is left */
  for (size_t i = 0; i < bt->n; i++) {
    bt_result_merge(&bt->res[i], &p->res[i]);
    if (p->counts)
      bt_counts_merge(&bt->counts[i], &p->counts[i]);
  }
  return 0;
}

int hg_bt_run(hg_bt *bt, const char *const *paths, size_t n, bool progress, hg_events_stats *st,
              hg_diag_sink *sink)
{
  /* Every record is parsed (and so validated) by the pruned parser anyway:
   * let the reader skip its own check of JSON lines, unless some pattern
   * reads the raw text, which must then be the compact form, and of the
   * records of documents (handed out compact), unless matches are shown
   * as they are found (a tentative match could not be taken back). */
  hg_events_opts o = {progress, !bt->checked, bt->on_match ? 1 : bt->jobs,
                      !bt->checked && !bt->on_match};
  for (size_t i = 0; i < bt->n; i++)
    if (bt->patterns[i] && bt->raw[i])
      o.unchecked_lines = false;
  /* Patterns with a regex get a copy per worker: check once that each can
   * be copied, else read in one thread. */
  if (o.jobs > 1) {
    bool failed = false;
    for (size_t i = 0; i < bt->n && !failed; i++)
      hg_fp_free(fp_copy(bt->patterns[i], &failed));
    if (failed)
      o.jobs = 1;
  }
  hg_events_ops ops = {run_worker_new, run_worker_free, run_part_new, run_part_free, run_event,
                       run_commit};
  return hg_events_run(paths, n, &ops, bt, &o, st, sink);
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
