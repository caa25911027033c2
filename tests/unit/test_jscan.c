/*
 * test_jscan.c — the SIMD string scans (SSE2, AVX2 where the CPU has it)
 * against the portable loop: the same stop byte for every start and end
 * offset of buffers built to put quotes, backslashes, control bytes and
 * high bytes at and around the 16- and 32-byte block edges.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "hg/jscan.h"

static uint32_t rng = 12345;

static uint32_t next(void)
{
  return xorshift32(&rng);
}

/* A byte that is a stop byte about one time in `rare`. */
static unsigned char pick(unsigned rare)
{
  static const unsigned char stops[] = {'"', '\\', 0x00, 0x1f, 0x0a, 0x09};
  static const unsigned char plain[] = {'a', ' ', 0x20, 0x7f, 0x80, 0xff, 0xc3, '{', '}', 0x21, 0x5b};
  if (next() % rare == 0)
    return stops[next() % sizeof stops];
  return plain[next() % sizeof plain];
}

static int levels[HG_JSCAN_TOP + 1];
static int nlevels;

static void setup_levels(void)
{
  nlevels = scan_levels(levels);
}

TEST(simd_string_scan_equals_portable)
{
  setup_levels();
  CHECK(nlevels >= 1);
  unsigned char buf[200];
  size_t checked = 0;
  for (int round = 0; round < 400; round++) {
    unsigned rare = round % 4 == 0 ? 3 : round % 4 == 1 ? 40 : round % 4 == 2 ? 100 : 1000;
    for (size_t i = 0; i < sizeof buf; i++)
      buf[i] = pick(rare);
    for (size_t a = 0; a < 70; a++) {
      for (size_t b = a; b <= sizeof buf; b += 1 + (b - a) / 8) {
        const unsigned char *want = hg_jscan_string_portable(buf + a, buf + b);
        for (int k = 0; k < nlevels; k++) {
          hg_jscan_set_level(levels[k]);
          const unsigned char *got = hg_jscan_string(buf + a, buf + b);
          if (got != want) {
            FAIL_AT("level %d, [%zu, %zu): stop at %td, portable %td", levels[k], a, b, got - buf,
                    want - buf);
            hg_jscan_set_level(HG_JSCAN_TOP);
            return;
          }
          checked++;
        }
      }
    }
  }
  hg_jscan_set_level(HG_JSCAN_TOP);
  CHECK(checked > 100000);
}

TEST(string_body_same_at_every_level)
{
  setup_levels();
  static const char *const cases[] = {
      "plain text that runs past one sixteen byte block and the next\"",
      "0123456789abcdef0123456789abcdef0123456789abcde\\\"f\"",
      "esc \\u00e9 and \\ud83d\\ude00 past the block edge..........................\"",
      "control \x01 byte\"",
      "unterminated string that never closes and is longer than thirty-two bytes",
      "bad \\x escape\"",
      "high bytes \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 and more and more and more and more\"",
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const unsigned char *p = (const unsigned char *)cases[i], *e = p + strlen(cases[i]);
    hg_jscan_set_level(HG_JSCAN_PORTABLE);
    hg_jscan_str want;
    hg_jscan_err we = hg_jscan_string_body(p, e, &want);
    for (int k = 0; k < nlevels; k++) {
      hg_jscan_set_level(levels[k]);
      hg_jscan_str got;
      hg_jscan_err ge = hg_jscan_string_body(p, e, &got);
      CHECK_INTEQ(ge, we);
      CHECK(got.at == want.at);
      CHECK(got.escaped == want.escaped);
    }
  }
  hg_jscan_set_level(HG_JSCAN_TOP);
}

/* The copy with its stop bitmap, at every level: bit i set exactly for
 * the stop bytes below n and every bit from n on; the text, then NUL bytes
 * up to the end of the last block; and from every offset, the first set
 * bit at or after it where the portable string scan stops. */
TEST(copy_stopbits_equal_portable_scan)
{
  setup_levels();
  unsigned char buf[300], copy[64 * 16];
  unsigned long long got[16];
  for (int round = 0; round < 200; round++) {
    unsigned rare = round % 3 == 0 ? 3 : round % 3 == 1 ? 50 : 1000;
    for (size_t i = 0; i < sizeof buf; i++)
      buf[i] = pick(rare);
    for (size_t n = 0; n <= sizeof buf; n += 1 + (n % 7)) {
      size_t words = hg_jscan_stopbits_words(n);
      CHECK(words <= 16);
      for (int k = 0; k < nlevels; k++) {
        hg_jscan_set_level(levels[k]);
        memset(copy, 0x5a, sizeof copy);
        memset(got, 0x5a, sizeof got);
        hg_jscan_copy_stopbits(copy, buf, n, got);
        for (size_t i = 0; i < 64 * words; i++) {
          bool bit = got[i / 64] >> (i % 64) & 1;
          if (bit != (i >= n || hg_jscan_stop[buf[i]])) {
            FAIL_AT("level %d: bit %zu of %zu wrong", levels[k], i, n);
            return;
          }
          if (i >= n && copy[i] != 0) {
            FAIL_AT("level %d: byte %zu after %zu bytes is not NUL", levels[k], i, n);
            return;
          }
        }
        if (memcmp(copy, buf, n) != 0) {
          FAIL_AT("level %d: copy of %zu bytes differs", levels[k], n);
          return;
        }
        CHECK(copy[64 * words] == 0x5a);
      }
      /* The bits are the same at every level (above): the next stop from
       * each offset, found backwards in one pass. */
      size_t next = n;
      for (size_t o = n + 1; o-- > 0;) {
        if (got[o / 64] >> (o % 64) & 1)
          next = o;
        if (next != (size_t)(hg_jscan_string_portable(buf + o, buf + n) - buf)) {
          FAIL_AT("next stop from %zu of %zu differs", o, n);
          return;
        }
      }
    }
  }
  hg_jscan_set_level(HG_JSCAN_TOP);
}

TEST(level_names)
{
  CHECK_INTEQ(hg_jscan_set_level_name("portable"), HG_JSCAN_PORTABLE);
  CHECK(hg_jscan_set_level_name("sse2") <= HG_JSCAN_SSE2);
  CHECK_INTEQ(hg_jscan_set_level_name("nope"), -1);
  CHECK(hg_jscan_set_level_name("avx512") <= HG_JSCAN_AVX512);
  CHECK(hg_jscan_set_level_name("avx2") <= HG_JSCAN_AVX2);
  int best = hg_jscan_set_level_name(NULL);
  CHECK(best >= HG_JSCAN_PORTABLE && best <= HG_JSCAN_TOP);
}
