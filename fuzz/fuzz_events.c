/*
 * fuzz_events.c — the event reader on any file content (plain, or gzip when
 * the input starts with the magic bytes): no crash, every record handed out
 * is a JSON object the full parser accepts, and the counts add up. The same
 * content read twice under a name ending in .gz (with more than one CPU the
 * sequential read then inflates each file ahead on a second thread) gives
 * the same counts and warnings as read twice under a plain name (never
 * inflated ahead).
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
