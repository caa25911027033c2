/*
 * fuzz_jscan.c — the SIMD scanners against the portable one on any bytes:
 * the string scan and the string-body check give the same stop, error and
 * escape flag at every level the CPU runs (portable, SSE2, AVX2), from
 * every start offset of the input; the stop bitmap is the same at every
 * level and agrees with the portable scan; and the event reader hands out the same
 * records and warnings at each level.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hg/events.h"
#include "hg/jscan.h"
#include "hg/util.h"

static int levels[4], nlevels;
static char path[64];

static void setup(void)
{
  for (int l = HG_JSCAN_PORTABLE; l <= HG_JSCAN_TOP; l++)
    if (hg_jscan_set_level(l) == l)
      levels[nlevels++] = l;
  snprintf(path, sizeof path, "/tmp/hg-fuzz-jscan-%d", (int)getpid());
}

static int collect(void *ud, const hg_event *ev)
{
  hg_buf *b = ud;
  hg_buf_printf(b, "%zu:", ev->line);
  hg_buf_append(b, ev->raw, ev->len);
  hg_buf_putc(b, '\n');
  return 0;
}

/* Records and warnings of the reader over the input file, as text. */
static void read_all(hg_buf *b)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_events_stats st;
  const char *paths[] = {path};
  hg_events_read(paths, 1, collect, b, false, &st, &sink);
  for (size_t i = 0; i < sink.n; i++)
    hg_buf_printf(b, "W %d %s\n", sink.v[i].line, sink.v[i].message);
  hg_buf_printf(b, "%zu %zu %zu\n", st.events, st.skipped_files, st.skipped_records);
  hg_diag_free(&sink);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!nlevels)
    setup();
  /* Every start offset up to 64 over at most 16 KB: block edges at all
   * alignments without making big inputs slow. */
  const unsigned char *end = data + (size < 16384 ? size : 16384);
  for (size_t a = 0; data + a < end && a < 64; a++) {
    hg_jscan_set_level(HG_JSCAN_PORTABLE);
    const unsigned char *want = hg_jscan_string(data + a, end);
    hg_jscan_str wr;
    hg_jscan_err we = hg_jscan_string_body(data + a, end, &wr);
    for (int k = 1; k < nlevels; k++) {
      hg_jscan_set_level(levels[k]);
      if (hg_jscan_string(data + a, end) != want)
        __builtin_trap();
      hg_jscan_str gr;
      hg_jscan_err ge = hg_jscan_string_body(data + a, end, &gr);
      if (ge != we || gr.at != wr.at || gr.escaped != wr.escaped ||
          ((we == HG_JSCAN_BAD_ESCAPE || we == HG_JSCAN_BAD_HEX) && gr.esc != wr.esc))
        __builtin_trap();
    }
  }
  /* The copy of the first 1 KB with its stop bitmap, at every level: bit
   * i set for the stop bytes below n and from n on, the text then NULs,
   * and from every offset the first set bit where the portable scan
   * stops. */
  {
    static unsigned long long got[20];
    static unsigned char copy[64 * 20];
    size_t n = size < 1024 ? size : 1024, words = hg_jscan_stopbits_words(n);
    for (int k = 0; k < nlevels; k++) {
      hg_jscan_set_level(levels[k]);
      hg_jscan_copy_stopbits(copy, data, n, got);
      for (size_t i = 0; i < 64 * words; i++)
        if ((got[i / 64] >> (i % 64) & 1) != (i >= n || hg_jscan_stop[data[i]]) ||
            (i >= n && copy[i]))
          __builtin_trap();
      if (memcmp(copy, data, n) != 0)
        __builtin_trap();
    }
    size_t next = n;
    for (size_t o = n + 1; o-- > 0;) {
      if (got[o / 64] >> (o % 64) & 1)
        next = o;
      if (next != (size_t)(hg_jscan_string_portable(data + o, data + n) - data))
        __builtin_trap();
    }
  }
  /* The whole reader, portable against the best level. */
  FILE *f = fopen(path, "wb");
  if (!f)
    return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  hg_buf a, b;
  hg_buf_init(&a);
  hg_buf_init(&b);
  hg_jscan_set_level(HG_JSCAN_PORTABLE);
  read_all(&a);
  hg_jscan_set_level(levels[nlevels - 1]);
  read_all(&b);
  if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
    __builtin_trap();
  hg_buf_free(&a);
  hg_buf_free(&b);
  unlink(path);
  return 0;
}
