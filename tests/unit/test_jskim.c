/*
 * test_jskim.c — the object skim (jskim.h): the exact length of random
 * compact objects (strings with escapes and brackets, numbers, literals,
 * nesting) followed by anything, 0 when whitespace sits outside strings or
 * the nesting is too deep or the end is missing, and the same answer at
 * every SIMD level on valid and arbitrary bytes, at every offset of the
 * 64-byte blocks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "hg/jscan.h"
#include "hg/jskim.h"
#include "hg/util.h"

static uint32_t rng = 88172645u;

static uint32_t next(void)
{
  return xorshift32(&rng);
}

static int levels[HG_JSCAN_TOP + 1];
static int nlevels;

static void setup_levels(void)
{
  nlevels = scan_levels(levels);
}

static void gen_value(hg_buf *b, int depth);

static void gen_string(hg_buf *b)
{
  static const char *const bits[] = {"a", "xyz", "\\\"", "\\\\", "\\n", "\\u00e9", "{", "]",
                                     "}", "[", ",", ":", "\xc3\xa9", "\\/", "0123456789abcdef"};
  hg_buf_putc(b, '"');
  int n = (int)(next() % 12);
  for (int i = 0; i < n; i++)
    hg_buf_puts(b, bits[next() % HG_COUNTOF(bits)]);
  hg_buf_putc(b, '"');
}

static void gen_object(hg_buf *b, int depth)
{
  hg_buf_putc(b, '{');
  int n = depth > 6 ? 0 : (int)(next() % 5);
  for (int i = 0; i < n; i++) {
    if (i)
      hg_buf_putc(b, ',');
    gen_string(b);
    hg_buf_putc(b, ':');
    gen_value(b, depth + 1);
  }
  hg_buf_putc(b, '}');
}

static void gen_value(hg_buf *b, int depth)
{
  switch (next() % 7) {
  case 0:
    gen_object(b, depth);
    break;
  case 1: {
    hg_buf_putc(b, '[');
    int n = depth > 6 ? 0 : (int)(next() % 4);
    for (int i = 0; i < n; i++) {
      if (i)
        hg_buf_putc(b, ',');
      gen_value(b, depth + 1);
    }
    hg_buf_putc(b, ']');
    break;
  }
  case 2:
    hg_buf_puts(b, next() % 2 ? "-12.5e+3" : "0");
    break;
  case 3:
    hg_buf_puts(b, next() % 2 ? "true" : "null");
    break;
  default:
    gen_string(b);
    break;
  }
}

/* The nesting depth of the compact valid object t (strings skipped). */
static int depth_of(const char *t, size_t n)
{
  int d = 0, max = 0;
  bool in = false;
  for (size_t i = 0; i < n; i++) {
    char c = t[i];
    if (in) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in = false;
    } else if (c == '"') {
      in = true;
    } else if (c == '{' || c == '[') {
      if (++d > max)
        max = d;
    } else if (c == '}' || c == ']') {
      d--;
    }
  }
  return max;
}

static size_t skim_at(int level, const char *p, size_t n, int maxd)
{
  hg_jscan_set_level(level);
  size_t k = hg_jskim_object((const unsigned char *)p, n, maxd);
  hg_jscan_set_level(HG_JSCAN_TOP);
  return k;
}

TEST(valid_objects_end_where_they_end)
{
  setup_levels();
  size_t failures = 0;
  for (int round = 0; round < 3000 && failures < 3; round++) {
    hg_buf b;
    hg_buf_init(&b);
    /* a prefix puts the object at every offset of a block */
    int pad = round % 64;
    for (int i = 0; i < pad; i++)
      hg_buf_putc(&b, '"');
    size_t start = b.len;
    gen_object(&b, 0);
    size_t len = b.len - start;
    int depth = depth_of(b.data + start, len);
    /* what follows does not matter */
    static const char *const after[] = {"", ",{\"a\":1}", "]}", " \n", "\"", "\\"};
    hg_buf_puts(&b, after[round % HG_COUNTOF(after)]);
    size_t n = b.len - start;
    for (int k = 0; k < nlevels; k++) {
      const char *t = b.data + start;
      size_t got = skim_at(levels[k], t, n, 64);
      if (got != len && failures++ < 3)
        FAIL_AT("level %d: %zu != %zu for %.*s", levels[k], got, len, (int)len, t);
      /* cut before the end: not found */
      if (skim_at(levels[k], t, len - 1, 64) != 0 && failures++ < 3)
        FAIL_AT("level %d: an end found in a cut object", levels[k]);
      /* too deep */
      if (skim_at(levels[k], t, n, depth - 1) != 0 && failures++ < 3)
        FAIL_AT("level %d: depth %d passed a bound of %d", levels[k], depth, depth - 1);
      if (skim_at(levels[k], t, n, depth) != len && failures++ < 3)
        FAIL_AT("level %d: depth %d refused at its own bound", levels[k], depth);
    }
    hg_buf_free(&b);
  }
}

TEST(whitespace_outside_strings_is_refused)
{
  setup_levels();
  static const char *const spaced[] = {"{\"a\": 1}",       "{ \"a\":1}",        "{\"a\":1 }",
                                       "{\"a\":[1,\n2]}", "{\"a\":{}\t}",      "{\"a\":\"x\"\r}",
                                       "{\"a\":\x01}",     "{\"a\":\"\\\" \" }"};
  static const char *const fine[] = {"{\"a\":\" \\n\t\"}", "{\"a b\":\"\\\\\"}", "{\"a\":\"\x01\"}"};
  for (int k = 0; k < nlevels; k++) {
    for (size_t i = 0; i < HG_COUNTOF(spaced); i++)
      if (skim_at(levels[k], spaced[i], strlen(spaced[i]), 64) != 0)
        FAIL_AT("level %d took %s", levels[k], spaced[i]);
    for (size_t i = 0; i < HG_COUNTOF(fine); i++)
      if (skim_at(levels[k], fine[i], strlen(fine[i]), 64) != strlen(fine[i]))
        FAIL_AT("level %d refused %s", levels[k], fine[i]);
  }
  /* whitespace after the end is not looked at */
  CHECK_INTEQ(hg_jskim_object((const unsigned char *)"{\"a\":1} , ", 10, 64), 7);
}

TEST(levels_agree_on_any_bytes)
{
  setup_levels();
  static const char pool[] = "{}[]\"\\ \n\t:,a0\x01\xff";
  char buf[300];
  size_t failures = 0;
  for (int round = 0; round < 20000 && failures < 3; round++) {
    size_t n = 1 + next() % sizeof buf;
    for (size_t i = 0; i < n; i++)
      buf[i] = next() % 4 ? 'a' : pool[next() % (sizeof pool - 1)];
    buf[0] = '{';
    int maxd = 1 + (int)(next() % 8);
    size_t want = skim_at(levels[0], buf, n, maxd);
    for (int k = 1; k < nlevels; k++)
      if (skim_at(levels[k], buf, n, maxd) != want && failures++ < 3)
        FAIL_AT("level %d differs from the portable skim on round %d", levels[k], round);
  }
}
