/*
 * jscan.h — private to the JSON readers (events.c, json_pruned.c): find the
 * next byte inside a JSON string that ends the plain run, i.e. a quote, a
 * backslash or a control character (which JSON forbids unescaped).
 *
 * Sixteen bytes at a time with SSE2 where the compiler targets it (every
 * x86-64), a table loop otherwise. Both give the same answer.
 */
#ifndef HG_JSCAN_H
#define HG_JSCAN_H

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

/* First p in [p, end) with hg_jscan_stop[*p], or end. */
static inline const unsigned char *hg_jscan_string(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i bslash = _mm_set1_epi8('\\');
  const __m128i ctl = _mm_set1_epi8(0x1f);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                               _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
    int m = _mm_movemask_epi8(hit);
    if (m)
      return p + __builtin_ctz((unsigned)m);
    p += 16;
  }
#endif
  while (p < end && !hg_jscan_stop[*p])
    p++;
  return p;
}

#endif
