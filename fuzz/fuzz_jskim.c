/*
 * fuzz_jskim.c — the object skim (jskim.h) on any bytes: never a read past
 * the input (the bytes are copied to a buffer of their exact size), the
 * same answer at every SIMD level the CPU runs, for every start offset and
 * several depth bounds; and when the input is a compact JSON object the
 * full parser accepts, the skim finds its exact end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/jscan.h"
#include "hg/jskim.h"
#include "hg/json.h"
#include "hg/util.h"

static int levels[4], nlevels;
static hg_arena *arena;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!arena) {
    arena = hg_arena_new();
    for (int l = HG_JSCAN_PORTABLE; l <= HG_JSCAN_TOP; l++)
      if (hg_jscan_set_level(l) == l)
        levels[nlevels++] = l;
  }
  if (size == 0 || size > 4096)
    return 0;
  unsigned char *buf = xmalloc(size);
  memcpy(buf, data, size);
  static const int depths[] = {1, 3, 64};
  for (size_t start = 0; start < size && start < 80; start++) {
    for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
      hg_jscan_set_level(levels[0]);
      size_t want = hg_jskim_object(buf + start, size - start, depths[d]);
      if (want > size - start)
        __builtin_trap();
      for (int k = 1; k < nlevels; k++) {
        hg_jscan_set_level(levels[k]);
        if (hg_jskim_object(buf + start, size - start, depths[d]) != want)
          __builtin_trap();
      }
    }
  }
  hg_jscan_set_level(HG_JSCAN_TOP);
  /* A compact object (no byte below 0x21 outside its strings, which the
   * parser's own output guarantees): its end is found exactly. */
  hg_arena_reset(arena);
  const hg_jv *v = hg_json_parse(arena, (const char *)buf, size, NULL, NULL);
  if (v && v->kind == HG_JV_OBJECT) {
    hg_buf c;
    hg_buf_init(&c);
    hg_jv_write(v, &c);
    hg_buf_puts(&c, ",]} x");
    size_t n = c.len - 5;
    if (hg_jskim_object((const unsigned char *)c.data, c.len, 600) != n)
      __builtin_trap();
    hg_buf_free(&c);
  }
  free(buf);
  return 0;
}
