/*
 * fuzz_events.c — the event reader on any file content (plain, or gzip when
 * the input starts with the magic bytes): no crash, every record handed out
 * is a JSON object the full parser accepts, and the counts add up.
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

static char path[64];
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
  unlink(path);
  return 0;
}
