/*
 * jscan.c — the out-of-line JSON lexical pieces (see jscan.h): the scan
 * level chosen at load time, the AVX2 string scan, UTF-8 encoding and
 * string unescaping (used only for strings with escapes).
 */
#include "hg/jscan.h"

#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HG_JSCAN_X86 1
#endif

int hg_jscan_level_ = HG_JSCAN_PORTABLE;

/* The best level this machine runs. */
static int best_level(void)
{
#if defined(HG_JSCAN_X86) && defined(__SSE2__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512bw"))
    return HG_JSCAN_AVX512;
  if (__builtin_cpu_supports("avx2"))
    return HG_JSCAN_AVX2;
  return HG_JSCAN_SSE2;
#else
  return HG_JSCAN_PORTABLE;
#endif
}

__attribute__((constructor)) static void jscan_init(void)
{
  hg_jscan_level_ = best_level();
}

int hg_jscan_set_level(int level)
{
  int best = best_level();
  hg_jscan_level_ = level < HG_JSCAN_PORTABLE ? HG_JSCAN_PORTABLE : level > best ? best : level;
  return hg_jscan_level_;
}

int hg_jscan_set_level_name(const char *name)
{
  if (!name || !*name)
    return hg_jscan_set_level(HG_JSCAN_TOP);
  if (strcmp(name, "portable") == 0)
    return hg_jscan_set_level(HG_JSCAN_PORTABLE);
  if (strcmp(name, "sse2") == 0)
    return hg_jscan_set_level(HG_JSCAN_SSE2);
  if (strcmp(name, "avx2") == 0)
    return hg_jscan_set_level(HG_JSCAN_AVX2);
  if (strcmp(name, "avx512") == 0)
    return hg_jscan_set_level(HG_JSCAN_AVX512);
  return -1;
}

#ifdef HG_JSCAN_X86
__attribute__((target("avx2"))) const unsigned char *hg_jscan_string_avx2(const unsigned char *p,
                                                                          const unsigned char *end)
{
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i bslash = _mm256_set1_epi8('\\');
  const __m256i ctl = _mm256_set1_epi8(0x1f);
  while (end - p >= 32) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i hit = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, bslash)),
        _mm256_cmpeq_epi8(_mm256_max_epu8(v, ctl), ctl));
    unsigned m = (unsigned)_mm256_movemask_epi8(hit);
    if (m)
      return p + __builtin_ctz(m);
    p += 32;
  }
  return hg_jscan_string_portable(p, end);
}
#else
const unsigned char *hg_jscan_string_avx2(const unsigned char *p, const unsigned char *end)
{
  return hg_jscan_string_portable(p, end);
}
#endif

/* The stop mask of the 64 bytes at p, portable. */
static unsigned long long stop64_portable(const unsigned char *p)
{
  unsigned long long m = 0;
  for (unsigned i = 0; i < 64; i++)
    m |= (unsigned long long)hg_jscan_stop[p[i]] << i;
  return m;
}

#ifdef __SSE2__
static unsigned long long stop64_sse2(const unsigned char *p)
{
  return (unsigned long long)(unsigned)hg_jscan_stop16(p) |
         (unsigned long long)(unsigned)hg_jscan_stop16(p + 16) << 16 |
         (unsigned long long)(unsigned)hg_jscan_stop16(p + 32) << 32 |
         (unsigned long long)(unsigned)hg_jscan_stop16(p + 48) << 48;
}
#endif

/* The block loops of each level: out[b] for the blocks 64-byte blocks at
 * p, each block also copied to dst. */
#ifdef HG_JSCAN_X86
__attribute__((target("avx512bw"))) static void stopbits_avx512(const unsigned char *p,
                                                                size_t blocks,
                                                                unsigned long long *out,
                                                                unsigned char *dst)
{
  const __m512i quote = _mm512_set1_epi8('"');
  const __m512i bslash = _mm512_set1_epi8('\\');
  const __m512i ctl = _mm512_set1_epi8(0x1f);
  for (size_t b = 0; b < blocks; b++, p += 64) {
    __m512i v = _mm512_loadu_si512((const void *)p);
    _mm512_storeu_si512((void *)(dst + 64 * b), v);
    out[b] = _mm512_cmpeq_epi8_mask(v, quote) | _mm512_cmpeq_epi8_mask(v, bslash) |
             _mm512_cmple_epu8_mask(v, ctl);
  }
}

__attribute__((target("avx2"))) static void stopbits_avx2(const unsigned char *p, size_t blocks,
                                                          unsigned long long *out,
                                                          unsigned char *dst)
{
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i bslash = _mm256_set1_epi8('\\');
  const __m256i ctl = _mm256_set1_epi8(0x1f);
  for (size_t b = 0; b < blocks; b++, p += 64) {
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    _mm256_storeu_si256((__m256i *)(void *)(dst + 64 * b), v0);
    _mm256_storeu_si256((__m256i *)(void *)(dst + 64 * b + 32), v1);
    __m256i h0 = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi8(v0, quote), _mm256_cmpeq_epi8(v0, bslash)),
        _mm256_cmpeq_epi8(_mm256_max_epu8(v0, ctl), ctl));
    __m256i h1 = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi8(v1, quote), _mm256_cmpeq_epi8(v1, bslash)),
        _mm256_cmpeq_epi8(_mm256_max_epu8(v1, ctl), ctl));
    out[b] = (unsigned long long)(unsigned)_mm256_movemask_epi8(h0) |
             (unsigned long long)(unsigned)_mm256_movemask_epi8(h1) << 32;
  }
}
#endif

static void stopblocks(const unsigned char *p, size_t blocks, unsigned long long *out,
                       unsigned char *dst)
{
  size_t b = 0;
  bool copied = false; /* the SIMD loops copy as they go */
#ifdef HG_JSCAN_X86
  if (hg_jscan_level_ >= HG_JSCAN_AVX512) {
    stopbits_avx512(p, blocks, out, dst);
    b = blocks;
    copied = true;
  } else if (hg_jscan_level_ >= HG_JSCAN_AVX2) {
    stopbits_avx2(p, blocks, out, dst);
    b = blocks;
    copied = true;
  }
#endif
#ifdef __SSE2__
  if (hg_jscan_level_ >= HG_JSCAN_SSE2)
    for (; b < blocks; b++)
      out[b] = stop64_sse2(p + 64 * b);
#endif
  for (; b < blocks; b++)
    out[b] = stop64_portable(p + 64 * b);
  if (!copied && blocks)
    memcpy(dst, p, 64 * blocks);
}

/* The whole blocks of the text, then its tail in a block of its own
 * padded with NULs, then a last word of stops. */
void hg_jscan_copy_stopbits(unsigned char *dst, const unsigned char *src, size_t n,
                            unsigned long long *out)
{
  size_t blocks = n / 64;
  stopblocks(src, blocks, out, dst);
  /* At the level in effect too: the portable loop costs more than the
   * rest of a short record's bitmap. */
  unsigned char tail[64];
  size_t rest = n - 64 * blocks;
  memset(tail, 0, sizeof tail);
  if (rest)
    memcpy(tail, src + 64 * blocks, rest);
  stopblocks(tail, 1, out + blocks, dst + 64 * blocks);
  out[blocks + 1] = ~0ull;
  memset(dst + 64 * (blocks + 1), 0, 64);
}

size_t hg_jscan_put_utf8(char *o, unsigned cp)
{
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

hg_jscan_err hg_jscan_unescape(const unsigned char *b, size_t n, char *out, size_t *outlen,
                               hg_jscan_str *r)
{
  const unsigned char *p = b, *end = b + n;
  char *w = out;
  while (p < end) {
    if (*p != '\\') {
      *w++ = (char)*p++;
      continue;
    }
    const unsigned char *bs = p;
    if (p + 1 >= end) {
      r->esc = bs;
      r->at = end;
      return HG_JSCAN_BAD_ESCAPE;
    }
    unsigned char e = p[1];
    p += 2;
    switch (e) {
    case '"': *w++ = '"'; break;
    case '\\': *w++ = '\\'; break;
    case '/': *w++ = '/'; break;
    case 'b': *w++ = '\b'; break;
    case 'f': *w++ = '\f'; break;
    case 'n': *w++ = '\n'; break;
    case 'r': *w++ = '\r'; break;
    case 't': *w++ = '\t'; break;
    case 'u': {
      unsigned cp = 0, lo = 0;
      size_t k = hg_jscan_hex4(p, end, &cp);
      if (k < 4) {
        r->esc = bs;
        r->at = p + k;
        return HG_JSCAN_BAD_HEX;
      }
      p += 4;
      if (cp >= 0xD800 && cp < 0xDC00) {
        if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' && hg_jscan_hex4(p + 2, end, &lo) == 4 &&
            lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p += 6;
        } else {
          cp = 0xFFFD; /* the next escape is decoded on its own */
        }
      } else if (cp >= 0xDC00 && cp < 0xE000) {
        cp = 0xFFFD;
      }
      w += hg_jscan_put_utf8(w, cp); /* at most 4 bytes for 6 or 12 source bytes */
      break;
    }
    default:
      r->esc = bs;
      r->at = bs + 1;
      return HG_JSCAN_BAD_ESCAPE;
    }
  }
  *w = '\0';
  *outlen = (size_t)(w - out);
  return HG_JSCAN_OK;
}
