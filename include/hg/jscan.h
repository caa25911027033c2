/*
 * jscan.h — the JSON lexical pieces shared by the three JSON readers: the
 * full parser (json.c), the pruned parser (json_pruned.c) and the record
 * splitter (events.c). Internal to the library; not a public interface.
 *
 * Every scanner works on a byte range [p, end) and never reads at or past
 * end. None of them allocates, prints or keeps state: a scanner answers
 * where a token ends, or where and why it is malformed, and the caller
 * words its own diagnostic. The hot ones (string bodies, whitespace,
 * numbers, hex digits) are static inline so the backtest's inner loops
 * stay free of calls; the rare ones (unescaping, UTF-8 encoding) live in
 * jscan.c.
 *
 * String bodies — most of the bytes of an event — are crossed with SIMD:
 * the first sixteen bytes with SSE2 inline (most strings end there), the
 * rest thirty-two bytes at a time with AVX2 when the CPU has it (checked at
 * run time), else sixteen at a time with SSE2. A portable table loop gives
 * the same answers on any machine; hg_jscan_set_level selects a level so
 * tests and fuzzers can compare them.
 */
#ifndef HG_JSCAN_H
#define HG_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* 1 for '"', '\\' and bytes below 0x20. */
static const unsigned char hg_jscan_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* Scanning levels: what hg_jscan_string and the stop bitmaps may use
 * (AVX-512BW: the bitmaps only; strings scan as with AVX2). HG_JSCAN_TOP
 * is the highest. */
enum { HG_JSCAN_PORTABLE = 0, HG_JSCAN_SSE2 = 1, HG_JSCAN_AVX2 = 2, HG_JSCAN_AVX512 = 3 };
#define HG_JSCAN_TOP HG_JSCAN_AVX512

/* The level in effect (set at load time to the best the CPU supports).
 * Read-only for callers: change it with hg_jscan_set_level. */
extern int hg_jscan_level_;

/* Use at most level (never more than the CPU supports); returns the level
 * now in effect. Not thread safe: call before any reading starts. */
int hg_jscan_set_level(int level);

/* The level named by name ("portable", "sse2", "avx2"; NULL or "" keeps
 * the best), via hg_jscan_set_level. Returns the level in effect, or -1
 * for an unknown name (nothing changed). */
int hg_jscan_set_level_name(const char *name);

/* The portable scan (the reference the SIMD ones are tested against). */
static inline const unsigned char *hg_jscan_string_portable(const unsigned char *p,
                                                            const unsigned char *end)
{
  while (p < end && !hg_jscan_stop[*p])
    p++;
  return p;
}

/* AVX2 scan of [p, end) (jscan.c; only when hg_jscan_level_ is AVX2). */
const unsigned char *hg_jscan_string_avx2(const unsigned char *p, const unsigned char *end);

#ifdef __SSE2__
/* Mask of the stop bytes among the sixteen at p. */
static inline int hg_jscan_stop16(const unsigned char *p)
{
  const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  const __m128i hit =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                   _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f)));
  return _mm_movemask_epi8(hit);
}
#endif

/* First p in [p, end) with hg_jscan_stop[*p], or end. */
static inline const unsigned char *hg_jscan_string(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
  if (hg_jscan_level_ >= HG_JSCAN_SSE2) {
    if (end - p >= 16) {
      int m = hg_jscan_stop16(p);
      if (m)
        return p + __builtin_ctz((unsigned)m);
      p += 16;
      if (hg_jscan_level_ >= HG_JSCAN_AVX2 && end - p >= 32)
        return hg_jscan_string_avx2(p, end);
      while (end - p >= 16) {
        m = hg_jscan_stop16(p);
        if (m)
          return p + __builtin_ctz((unsigned)m);
        p += 16;
      }
    }
  }
#endif
  return hg_jscan_string_portable(p, end);
}

/*
 * The number of words of the stop bitmap of an n-byte text (below), and
 * of 64-byte blocks of its padded copy.
 */
static inline size_t hg_jscan_stopbits_words(size_t n)
{
  return n / 64 + 2;
}

/*
 * Copy the n bytes at src to dst followed by NUL bytes up to
 * 64 * hg_jscan_stopbits_words(n) bytes (at least 65 of them), and fill
 * out (hg_jscan_stopbits_words(n) words) with the stop bitmap of that
 * copy: bit i of out[i / 64] is set when hg_jscan_stop[src[i]] (i < n),
 * and every bit from n on is set too (a NUL is a stop), so a search for
 * the next stop always ends, at the latest at n. One pass over the text,
 * 64 bytes at a time at the level in effect (AVX-512, AVX2, SSE2 or the
 * portable table), with the same bits at every level. A parser that
 * builds it once per record takes every string's end from the bitmap,
 * without a branch on the string's length, and has a NUL after the text
 * as a sentinel for the price of the copy's stores.
 */
void hg_jscan_copy_stopbits(unsigned char *dst, const unsigned char *src, size_t n,
                            unsigned long long *out);

/* The value 0-15 of hex digit c (either case), or -1. Any int is accepted,
 * including a negative char. */
static inline int hg_jscan_hexval(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Read up to four hex digits at p (never at or past end) into *out. Returns
 * how many were hex before the first non-hex byte or end: 4 is success
 * (*out set), fewer means p[result] is the offending byte (or end). */
static inline size_t hg_jscan_hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
  unsigned v = 0;
  size_t i = 0;
  for (; i < 4 && p + i < end; i++) {
    int h = hg_jscan_hexval(p[i]);
    if (h < 0)
      return i;
    v = v * 16 + (unsigned)h;
  }
  if (i == 4)
    *out = v;
  return i;
}

/* First p in [p, end) that is not JSON whitespace (space, tab, LF, CR). */
static inline const unsigned char *hg_jscan_ws(const unsigned char *p, const unsigned char *end)
{
  if (p < end && *p > ' ')
    return p; /* compact input: the common case */
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  return p;
}

/* Outcome of a string or number scan. */
typedef enum hg_jscan_err {
  HG_JSCAN_OK = 0,
  HG_JSCAN_UNTERMINATED, /* string: end reached before the closing quote */
  HG_JSCAN_BAD_ESCAPE,   /* string: a backslash not followed by " \ / b f n r t u */
  HG_JSCAN_BAD_HEX,      /* string: \u not followed by four hex digits */
  HG_JSCAN_CONTROL,      /* string: a raw byte below 0x20 */
  HG_JSCAN_NUM_INT,      /* number: no digit where the integer part starts */
  HG_JSCAN_NUM_FRAC,     /* number: no digit after '.' */
  HG_JSCAN_NUM_EXP,      /* number: no digit in the exponent */
} hg_jscan_err;

/* Where a string scan ended. */
typedef struct hg_jscan_str {
  const unsigned char *at;  /* OK: the closing quote. UNTERMINATED: end.
                               BAD_ESCAPE: the byte after the backslash.
                               BAD_HEX: the first non-hex byte, or end.
                               CONTROL: the control byte. */
  const unsigned char *esc; /* BAD_ESCAPE, BAD_HEX: the backslash */
  bool escaped;             /* a backslash occurred before at */
} hg_jscan_str;

/* Validate the string body starting at p (just after the opening quote)
 * up to its closing quote: escapes, \u hex digits, no control bytes. */
static inline hg_jscan_err hg_jscan_string_body(const unsigned char *p, const unsigned char *end,
                                                hg_jscan_str *r)
{
  r->escaped = false;
  for (;;) {
    p = hg_jscan_string(p, end);
    if (p >= end) {
      r->at = end;
      return HG_JSCAN_UNTERMINATED;
    }
    if (*p == '"') {
      r->at = p;
      return HG_JSCAN_OK;
    }
    if (*p != '\\') {
      r->at = p;
      return HG_JSCAN_CONTROL;
    }
    r->escaped = true;
    if (p + 1 >= end) {
      r->at = end;
      return HG_JSCAN_UNTERMINATED;
    }
    unsigned char e = p[1];
    if (e == 'u') {
      unsigned v;
      size_t k = hg_jscan_hex4(p + 2, end, &v);
      if (k < 4) {
        r->esc = p;
        r->at = p + 2 + k;
        return HG_JSCAN_BAD_HEX;
      }
      p += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
               e == 'r' || e == 't') {
      p += 2;
    } else {
      r->esc = p;
      r->at = p + 1;
      return HG_JSCAN_BAD_ESCAPE;
    }
  }
}

/* Scan the number at p (RFC 8259 grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)?). *stop is the byte after the number on success, or
 * the byte (or end) where a digit was missing. */
static inline hg_jscan_err hg_jscan_number(const unsigned char *p, const unsigned char *end,
                                           const unsigned char **stop)
{
  if (p < end && *p == '-')
    p++;
  if (p < end && *p == '0') {
    p++;
  } else if (p < end && *p >= '1' && *p <= '9') {
    while (p < end && *p >= '0' && *p <= '9')
      p++;
  } else {
    *stop = p;
    return HG_JSCAN_NUM_INT;
  }
  if (p < end && *p == '.') {
    p++;
    if (p >= end || *p < '0' || *p > '9') {
      *stop = p;
      return HG_JSCAN_NUM_FRAC;
    }
    while (p < end && *p >= '0' && *p <= '9')
      p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-'))
      p++;
    if (p >= end || *p < '0' || *p > '9') {
      *stop = p;
      return HG_JSCAN_NUM_EXP;
    }
    while (p < end && *p >= '0' && *p <= '9')
      p++;
  }
  *stop = p;
  return HG_JSCAN_OK;
}

/* Write code point cp (<= 0x10FFFF) as 1-4 UTF-8 bytes at o; returns the
 * count. */
size_t hg_jscan_put_utf8(char *o, unsigned cp);

/* Decode the string body b[0, n) (the bytes between the quotes) into out,
 * which has room for n + 1 bytes (decoded text is never longer), and
 * NUL-terminate it; *outlen is the decoded length. \uXXXX becomes UTF-8,
 * surrogate pairs are joined, a lone surrogate becomes U+FFFD; other bytes
 * are copied as they are. Returns HG_JSCAN_OK, or HG_JSCAN_BAD_ESCAPE /
 * HG_JSCAN_BAD_HEX with r->esc at the backslash and r->at as for
 * hg_jscan_string_body (b + n counts as end). A body that passed
 * hg_jscan_string_body always decodes. */
hg_jscan_err hg_jscan_unescape(const unsigned char *b, size_t n, char *out, size_t *outlen,
                               hg_jscan_str *r);

#endif
