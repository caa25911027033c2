/*
 * fuzz_json_pruned.c — the pruned parser on any bytes: no crash, and it
 * accepts exactly what the full parser accepts, whatever it keeps (three
 * selector sets: nothing, a few keys and indexes, a wildcard).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hg/json.h"
#include "hg/util.h"

static hg_jpaths *sets[3];
static hg_arena *arena;

static void add(hg_jpaths *p, hg_jstep *st, size_t n)
{
  hg_jsel sel = {st, n};
  hg_jpaths_add(p, &sel);
}

static void setup(void)
{
  arena = hg_arena_new();
  sets[0] = hg_jpaths_new();
  sets[1] = hg_jpaths_new();
  hg_jstep a[3] = {{HG_JSTEP_KEY, "a", 1, 0, 0, 0},
                   {HG_JSTEP_INDEX, NULL, 0, 1, 0, 0},
                   {HG_JSTEP_KEY, "b", 1, 0, 0, 0}};
  add(sets[1], a, 3);
  add(sets[1], a, 1);
  hg_jstep e[1] = {{HG_JSTEP_KEY, "eventName", 9, 0, 0, 0}};
  add(sets[1], e, 1);
  sets[2] = hg_jpaths_new();
  hg_jstep w[2] = {{HG_JSTEP_KEY, "r", 1, 0, 0, 0}, {HG_JSTEP_WILD, NULL, 0, 0, 0, 0}};
  add(sets[2], w, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!arena)
    setup();
  const char *t = (const char *)data;
  hg_arena_reset(arena);
  bool full = hg_json_parse(arena, t, size, NULL, NULL) != NULL;
  for (int i = 0; i < 3; i++) {
    hg_arena_reset(arena);
    size_t off = 0;
    const char *msg = NULL;
    bool got = hg_json_parse_pruned(arena, t, size, sets[i], &off, &msg) != NULL;
    if (got != full)
      __builtin_trap();
    if (!got && (!msg || off > size))
      __builtin_trap();
  }
  hg_arena_reset(arena);
  if ((hg_json_parse_pruned(arena, t, size, NULL, NULL, NULL) != NULL) != full)
    __builtin_trap();
  return 0;
}
