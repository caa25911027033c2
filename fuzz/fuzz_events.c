/*
 * fuzz_events.c — the event reader on any file content (plain, or gzip when
 * the input starts with the magic bytes): no crash, every record handed out
 * is a JSON object the full parser accepts, and the counts add up. The same
 * content read twice under a name ending in .gz (with more than one CPU the
 * sequential read then inflates each file ahead on a second thread) gives
 * the same counts and warnings as read twice under a plain name (never
 * inflated ahead). Read with the fast paths (unchecked_lines and
 * unchecked_docs, a consumer validating with the pruned parser as the
 * backtest does, keeping tentative records apart until they are settled),
 * it gives the same records in the same order, counts and warnings as
 * checked reading.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hg/events.h"
#include "hg/json.h"
#include "hg/util.h"

static char path[64], gzpath[64];
static hg_arena *arena;
static hg_jpaths *jpaths;

/* What a read handed out: every record, one per line. */
typedef struct got {
  hg_buf final, scratch;
  size_t tentative;
} got;

/* A record as compared: a document's as handed out (compact either way),
 * a JSON line's as the full parser writes it back (an unchecked line is
 * handed out as it is, a checked one compacted). */
static void put_record(hg_buf *into, const hg_event *ev)
{
  if (ev->line) {
    hg_arena_reset(arena);
    const hg_jv *v = hg_json_parse(arena, ev->raw, ev->len, NULL, NULL);
    if (!v)
      __builtin_trap();
    hg_jv_write(v, into);
  } else {
    hg_buf_append(into, ev->raw, ev->len);
  }
  hg_buf_putc(into, '\n');
}

static int on_checked(void *ud, const hg_event *ev)
{
  got *g = ud;
  if (ev->kind != HG_EVENT_FINAL || !ev->checked)
    __builtin_trap();
  put_record(&g->final, ev);
  return 0;
}

static int on_fast(void *ud, const hg_event *ev)
{
  got *g = ud;
  switch (ev->kind) {
  case HG_EVENT_CONFIRM:
  case HG_EVENT_DROP:
    if (!g->tentative || ev->raw)
      __builtin_trap();
    if (ev->kind == HG_EVENT_CONFIRM && g->scratch.len)
      hg_buf_append(&g->final, g->scratch.data, g->scratch.len);
    hg_buf_reset(&g->scratch);
    g->tentative = 0;
    return 0;
  case HG_EVENT_FINAL:
  case HG_EVENT_TENTATIVE:
    break;
  }
  hg_arena_reset(arena);
  const hg_jv *v = hg_json_parse_pruned(arena, ev->raw, ev->len, jpaths, NULL, NULL);
  if (!v && !ev->checked)
    return HG_EVENT_RECHECK;
  if (ev->kind == HG_EVENT_FINAL && g->tentative)
    __builtin_trap();
  hg_buf *into = ev->kind == HG_EVENT_TENTATIVE ? &g->scratch : &g->final;
  if (ev->kind == HG_EVENT_TENTATIVE)
    g->tentative++;
  put_record(into, ev);
  return 0;
}

static bool same_read(const hg_events_stats *a, const hg_diag_sink *s1, const hg_events_stats *b,
                      const hg_diag_sink *s2)
{
  if (a->files != b->files || a->events != b->events || a->bytes != b->bytes ||
      a->skipped_files != b->skipped_files || a->skipped_records != b->skipped_records ||
      s1->n != s2->n)
    return false;
  for (size_t i = 0; i < s1->n; i++)
    if (s1->v[i].line != s2->v[i].line || strcmp(s1->v[i].code, s2->v[i].code) != 0 ||
        strcmp(s1->v[i].message, s2->v[i].message) != 0)
      return false;
  return true;
}

/* The file at p read checked and with the fast paths: the same. */
static void compare_fast(const char *p)
{
  const char *paths[] = {p};
  got c, f;
  memset(&c, 0, sizeof c);
  memset(&f, 0, sizeof f);
  hg_diag_sink s1, s2;
  hg_diag_init(&s1);
  hg_diag_init(&s2);
  hg_events_stats a, b;
  hg_events_opts oc = {false, false, 1, false}, of = {false, true, 1, true};
  hg_events_read_opts(paths, 1, on_checked, &c, &oc, &a, &s1);
  hg_events_read_opts(paths, 1, on_fast, &f, &of, &b, &s2);
  if (!same_read(&a, &s1, &b, &s2) || f.tentative || c.final.len != f.final.len ||
      (c.final.len && memcmp(c.final.data, f.final.data, c.final.len) != 0))
    __builtin_trap();
  hg_buf_free(&c.final);
  hg_buf_free(&f.final);
  hg_buf_free(&f.scratch);
  hg_diag_free(&s1);
  hg_diag_free(&s2);
}

static int on_event(void *ud, const hg_event *ev)
{
  (void)ud;
  hg_arena_reset(arena);
  const hg_jv *v = hg_json_parse(arena, ev->raw, ev->len, NULL, NULL);
  if (!v || v->kind != HG_JV_OBJECT)
    __builtin_trap();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!arena) {
    arena = hg_arena_new();
    jpaths = hg_jpaths_new();
    snprintf(path, sizeof path, "/tmp/hg-fuzz-events-%d", (int)getpid());
    snprintf(gzpath, sizeof gzpath, "/tmp/hg-fuzz-events-%d.json.gz", (int)getpid());
  }
  FILE *f = fopen(path, "wb");
  if (!f)
    return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_events_stats st;
  const char *paths[] = {path};
  hg_events_read(paths, 1, on_event, NULL, false, &st, &sink);
  if (st.files != 1 || st.skipped_files > 1)
    __builtin_trap();
  hg_diag_free(&sink);
  compare_fast(path);
  /* Twice under each name: with the inflater, the second file is prepared
   * while the first is read. */
  FILE *g = fopen(gzpath, "wb");
  if (g) {
    fwrite(data, 1, size, g);
    fclose(g);
    const char *plain[] = {path, path}, *gz[] = {gzpath, gzpath};
    hg_diag_sink s1, s2;
    hg_diag_init(&s1);
    hg_diag_init(&s2);
    hg_events_stats a, b;
    hg_events_read(plain, 2, on_event, NULL, false, &a, &s1);
    hg_events_read(gz, 2, on_event, NULL, false, &b, &s2);
    if (a.files != b.files || a.events != b.events || a.bytes != b.bytes ||
        a.skipped_files != b.skipped_files || a.skipped_records != b.skipped_records ||
        s1.n != s2.n)
      __builtin_trap();
    for (size_t i = 0; i < s1.n; i++)
      if (s1.v[i].line != s2.v[i].line || strcmp(s1.v[i].code, s2.v[i].code) != 0 ||
          strcmp(s1.v[i].message, s2.v[i].message) != 0)
        __builtin_trap();
    hg_diag_free(&s1);
    hg_diag_free(&s2);
    unlink(gzpath);
  }
  unlink(path);
  return 0;
}
