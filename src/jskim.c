/*
 * jskim.c — the end of a compact JSON object, skimmed 64 bytes at a time
 * (see jskim.h).
 *
 * Each block of 64 bytes becomes five bit masks (quotes, backslashes,
 * opening and closing brackets, bytes below 0x21). Escaped bytes are found
 * from the backslashes (rare in CloudTrail: a short loop over them), the
 * quotes that remain toggle "inside a string" (a prefix XOR over the mask,
 * carried from block to block), and the brackets outside strings are
 * walked in order until the depth comes back to zero; a block where the
 * depth can neither come back to zero nor pass the bound (more open
 * brackets before it than it closes, few opened) is only counted. Only the
 * classification differs between levels; it is one inline function per
 * level, and the walk is instantiated once per level around it.
 */
#include "hg/jskim.h"

#include <stdint.h>
#include <string.h>

#include "hg/jscan.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HG_JSKIM_X86 1
#endif

typedef struct masks {
  uint64_t quote, bslash, open, close, low;
} masks;

/* Class bits of a byte for the portable loop. */
enum { C_QUOTE = 1, C_BSLASH = 2, C_OPEN = 4, C_CLOSE = 8, C_LOW = 16 };

static unsigned char byte_class(unsigned char c)
{
  if (c < 0x21)
    return C_LOW;
  switch (c) {
  case '"':
    return C_QUOTE;
  case '\\':
    return C_BSLASH;
  case '{':
  case '[':
    return C_OPEN;
  case '}':
  case ']':
    return C_CLOSE;
  default:
    return 0;
  }
}

static inline void classify_portable(const unsigned char *p, masks *m)
{
  memset(m, 0, sizeof *m);
  for (unsigned i = 0; i < 64; i++) {
    unsigned c = byte_class(p[i]);
    if (!c)
      continue;
    uint64_t bit = 1ull << i;
    if (c & C_QUOTE)
      m->quote |= bit;
    if (c & C_BSLASH)
      m->bslash |= bit;
    if (c & C_OPEN)
      m->open |= bit;
    if (c & C_CLOSE)
      m->close |= bit;
    if (c & C_LOW)
      m->low |= bit;
  }
}

#ifdef __SSE2__
/* The five masks of the sixteen bytes at p, shifted to bit sh. '[' and '{'
 * differ only in bit 0x20, as do ']' and '}'. */
static inline void classify16(const unsigned char *p, unsigned sh, masks *m)
{
  const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
  m->quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))) << sh;
  m->bslash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))) << sh;
  m->open |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(folded, _mm_set1_epi8('{')))
             << sh;
  m->close |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(folded, _mm_set1_epi8('}')))
              << sh;
  m->low |= (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(0x20)))
            << sh;
}

static inline void classify_sse2(const unsigned char *p, masks *m)
{
  memset(m, 0, sizeof *m);
  classify16(p, 0, m);
  classify16(p + 16, 16, m);
  classify16(p + 32, 32, m);
  classify16(p + 48, 48, m);
}
#endif

#ifdef HG_JSKIM_X86
__attribute__((target("avx2"))) static inline uint64_t mask32x2(__m256i a, __m256i b)
{
  return (uint64_t)(unsigned)_mm256_movemask_epi8(a) |
         (uint64_t)(unsigned)_mm256_movemask_epi8(b) << 32;
}

__attribute__((target("avx2"))) static inline void classify_avx2(const unsigned char *p, masks *m)
{
  const __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
  const __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
  const __m256i bit5 = _mm256_set1_epi8(0x20);
  const __m256i f0 = _mm256_or_si256(v0, bit5), f1 = _mm256_or_si256(v1, bit5);
  const __m256i quote = _mm256_set1_epi8('"'), bslash = _mm256_set1_epi8('\\');
  const __m256i open = _mm256_set1_epi8('{'), close = _mm256_set1_epi8('}');
  m->quote = mask32x2(_mm256_cmpeq_epi8(v0, quote), _mm256_cmpeq_epi8(v1, quote));
  m->bslash = mask32x2(_mm256_cmpeq_epi8(v0, bslash), _mm256_cmpeq_epi8(v1, bslash));
  m->open = mask32x2(_mm256_cmpeq_epi8(f0, open), _mm256_cmpeq_epi8(f1, open));
  m->close = mask32x2(_mm256_cmpeq_epi8(f0, close), _mm256_cmpeq_epi8(f1, close));
  m->low = mask32x2(_mm256_cmpeq_epi8(_mm256_max_epu8(v0, bit5), bit5),
                    _mm256_cmpeq_epi8(_mm256_max_epu8(v1, bit5), bit5));
}
#endif

/* Bit i of the result: XOR of bits 0..i of x. */
static inline uint64_t prefix_xor(uint64_t x)
{
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

/* The bytes escaped by a backslash in a block (bs: its backslashes; *carry:
 * in, the first byte is escaped; out, the block's last byte escapes the
 * next block's first). A backslash that is itself escaped escapes nothing. */
static inline uint64_t escaped_bytes(uint64_t bs, uint64_t *carry)
{
  uint64_t esc = *carry;
  bs &= ~esc;
  *carry = 0;
  while (bs) {
    unsigned i = (unsigned)__builtin_ctzll(bs);
    bs &= bs - 1;
    if (i == 63) {
      *carry = 1;
      break;
    }
    esc |= 2ull << i;
    bs &= ~(2ull << i);
  }
  return esc;
}

/* The walk, around one level's classify (inlined into each level's entry
 * point, so the classification is inlined too). */
#define SKIM_WALK(classify)                                                                        \
  do {                                                                                             \
    uint64_t in_str = 0; /* all ones: the previous block ended inside a string */                  \
    uint64_t carry = 0;  /* the previous block's last byte escapes this one's first */             \
    int depth = 0;                                                                                 \
    unsigned char tail[64];                                                                        \
    for (size_t off = 0; off < n; off += 64) {                                                     \
      masks m;                                                                                     \
      size_t rest = n - off;                                                                       \
      uint64_t valid = ~0ull;                                                                      \
      if (rest >= 64) {                                                                            \
        classify(p + off, &m);                                                                     \
      } else {                                                                                     \
        /* The last, partial block: padded with a byte of no class. */                             \
        memset(tail, 'a', sizeof tail);                                                            \
        memcpy(tail, p + off, rest);                                                               \
        classify(tail, &m);                                                                        \
        valid = (1ull << rest) - 1;                                                                \
        m.low &= valid;                                                                            \
      }                                                                                            \
      uint64_t esc = (m.bslash | carry) ? escaped_bytes(m.bslash, &carry) : 0;                     \
      uint64_t quote = m.quote & ~esc;                                                             \
      uint64_t inside = prefix_xor(quote) ^ in_str; /* opening quotes in, closing ones out */      \
      in_str = (uint64_t)0 - (inside >> 63);                                                       \
      uint64_t low = m.low & ~inside;                                                              \
      uint64_t open = m.open & ~inside & valid, close = m.close & ~inside & valid;                 \
      int nopen = __builtin_popcountll(open), nclose = __builtin_popcountll(close);                \
      if (depth > nclose && depth + nopen <= max_depth) {                                          \
        /* Neither the end nor too deep can be in this block: no walk */                          \
        if (low)                                                                                   \
          return 0;                                                                                \
        depth += nopen - nclose;                                                                   \
        continue;                                                                                  \
      }                                                                                            \
      uint64_t br = open | close;                                                                  \
      while (br) {                                                                                 \
        unsigned i = (unsigned)__builtin_ctzll(br);                                                \
        br &= br - 1;                                                                              \
        if (open >> i & 1) {                                                                       \
          if (++depth > max_depth)                                                                 \
            return 0;                                                                              \
        } else if (--depth <= 0) {                                                                 \
          uint64_t upto = i == 63 ? ~0ull : (2ull << i) - 1;                                       \
          return low & upto ? 0 : off + i + 1;                                                     \
        }                                                                                          \
      }                                                                                            \
      if (low)                                                                                     \
        return 0;                                                                                  \
    }                                                                                              \
    return 0;                                                                                      \
  } while (0)

static size_t skim_portable(const unsigned char *p, size_t n, int max_depth)
{
  SKIM_WALK(classify_portable);
}

#ifdef __SSE2__
static size_t skim_sse2(const unsigned char *p, size_t n, int max_depth)
{
  SKIM_WALK(classify_sse2);
}
#endif

#ifdef HG_JSKIM_X86
/* Every CPU with AVX2 has POPCNT too. */
__attribute__((target("avx2,popcnt"))) static size_t skim_avx2(const unsigned char *p, size_t n,
                                                               int max_depth)
{
  SKIM_WALK(classify_avx2);
}
#endif

size_t hg_jskim_object(const unsigned char *p, size_t n, int max_depth)
{
#ifdef HG_JSKIM_X86
  if (hg_jscan_level_ >= HG_JSCAN_AVX2)
    return skim_avx2(p, n, max_depth);
#endif
#ifdef __SSE2__
  if (hg_jscan_level_ >= HG_JSCAN_SSE2)
    return skim_sse2(p, n, max_depth);
#endif
  return skim_portable(p, n, max_depth);
}
