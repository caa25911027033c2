/*
 * json_pruned.c — the backtest's JSON parser: build only the members a set
 * of selectors can reach, skip the rest at scanning speed.
 *
 * The selectors form a trie (hg_jpaths). Parsing walks the text with a trie
 * node in hand:
 *   - no node: the value is skipped. It is still validated in full (string
 *     escapes, numbers, literals, nesting) but nothing is allocated;
 *   - a node marked whole (a selector ends here, or a wildcard step starts
 *     here): the value is built completely;
 *   - otherwise: objects keep the members named by child nodes, arrays keep
 *     the elements named by index children. Array elements also see the
 *     node's name children, so a reader that steps through arrays
 *     implicitly still finds its members (the tree kept is a superset of
 *     what the selectors reach, never a subset).
 *
 * The text is first copied into the arena, followed by NUL bytes, and in
 * the same pass its stop bitmap is built (quotes, backslashes, control
 * bytes; hg_jscan_copy_stopbits, 64 bytes per step with SIMD). The parser
 * meets the stops in text order, so it takes them from a cursor over the
 * bitmap (stop_take): a string's end is the cursor's next bit, found with
 * no branch on the string's length and no load between one string and
 * the next. The NUL after the text spares the common paths a test for its
 * end. Member names are looked up in a small hash index per trie node
 * (one probe, whatever the number of wanted names; collision-free for up
 * to 64 names).
 *
 * Each trie node has a process-unique id; an object built under a node
 * (not a whole one) records it and where the first member of each of the
 * node's names is (hg_jv.trie/slots), and hg_jpaths_add gives each KEY
 * step the id and name number it resolved to, so evaluation finds members
 * without comparing names (json.h, "Member slots").
 *
 * Strings without escapes and every number point into the arena's copy of
 * the text; escaped strings are decoded into the arena. The tree lives as
 * long as the arena (the text may go at once).
 * Nesting deeper than 512 is an error, never a crash.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/jscan.h"
#include "hg/json.h"
#include "hg/util.h"

#define JP_MAX_DEPTH 512

typedef struct jp_node jp_node;
typedef struct jp_key {
  char *key;
  size_t len;
  jp_node *child;
} jp_key;
typedef struct jp_slot {
  const char *key;
  size_t len;          /* SIZE_MAX: empty */
  size_t k;            /* the key's number */
} jp_slot;
typedef struct jp_idx {
  size_t index;
  jp_node *child;
} jp_idx;

struct jp_node {
  bool whole;          /* keep the whole subtree */
  uint32_t id;         /* unique in the process, never 0 (hg_jv.trie) */
  jp_key *keys;
  size_t n_keys;
  /* Index of keys (slot: key index + 1, 0 empty), built by hg_jpaths_add.
   * When perfect, no two keys share a slot (a seed of the hash was found
   * for that): the slot of a name holds its key or no key, and one probe
   * with no loop decides, where a scan of keys, or a probe sequence,
   * costs mispredicted branches. Otherwise keys probe linearly. */
  uint16_t *hash;
  unsigned hmask;      /* slots - 1 (0: no index yet) */
  unsigned seed;
  bool perfect;
  /* perfect: the table again, each slot holding its key's name, length
   * and number (an empty one a length no name has), so a lookup reads
   * one slot and decides with one comparison of lengths */
  jp_slot *ptab;
  jp_idx *idx;
  size_t n_idx;
};

struct hg_jpaths {
  jp_node *root;
};

/* Node ids: one counter for every trie of the process, so a step resolved
 * in one trie never matches a value built under another (ids are not
 * reused while fewer than 2^32 nodes have been made; 0 is skipped). */
static _Atomic uint32_t next_node_id;

static jp_node *node_new(void)
{
  jp_node *n = xcalloc(1, sizeof(jp_node));
  do
    n->id = atomic_fetch_add(&next_node_id, 1) + 1;
  while (n->id == 0);
  return n;
}

static void node_free(jp_node *n)
{
  if (!n)
    return;
  for (size_t i = 0; i < n->n_keys; i++) {
    free(n->keys[i].key);
    node_free(n->keys[i].child);
  }
  for (size_t i = 0; i < n->n_idx; i++)
    node_free(n->idx[i].child);
  free(n->keys);
  free(n->idx);
  free(n->hash);
  free(n->ptab);
  free(n);
}

hg_jpaths *hg_jpaths_new(void)
{
  hg_jpaths *p = xcalloc(1, sizeof *p);
  p->root = node_new();
  return p;
}

void hg_jpaths_free(hg_jpaths *p)
{
  if (!p)
    return;
  node_free(p->root);
  free(p);
}

/* The hash of a member name under seed: its length and up to eight of its
 * bytes (the first four and the last four), 24 bits. */
static inline unsigned key_hash(const char *k, size_t n, unsigned seed)
{
  uint32_t a = 0, b = 0;
  if (n >= 4) {
    memcpy(&a, k, 4);
    memcpy(&b, k + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; i++)
      a = a << 8 | (unsigned char)k[i];
  }
  /* One multiplication, by an odd number that the seed varies: the top
   * bits depend on every bit of the key. */
  uint64_t h = ((uint64_t)a << 32 | b) ^ n;
  h *= 0x9E3779B97F4A7C15ull + 2ull * seed;
  return (unsigned)(h >> 40);
}

/* Put key i into n's table by linear probing. */
static void index_put(jp_node *n, size_t i)
{
  unsigned h = key_hash(n->keys[i].key, n->keys[i].len, n->seed) & n->hmask;
  while (n->hash[h])
    h = (h + 1) & n->hmask;
  n->hash[h] = (uint16_t)(i + 1);
}

/* Fill n's table (hmask set, zeroed) with every key under seed; false at
 * the first two keys that share a slot. */
static bool index_perfect(jp_node *n, unsigned seed)
{
  for (size_t i = 0; i < n->n_keys; i++) {
    unsigned h = key_hash(n->keys[i].key, n->keys[i].len, seed) & n->hmask;
    if (n->hash[h])
      return false;
    n->hash[h] = (uint16_t)(i + 1);
  }
  return true;
}

/* Seeds tried for a perfect table. With at least k*k slots for k keys, a
 * seed succeeds with probability about e^-0.5; keys alike in their length
 * and hashed bytes never separate, and fall back to probing. */
#define JP_SEEDS 32
/* Keys beyond this are indexed by probing only (k*k slots would be too
 * many). */
#define JP_PERFECT_MAX 64

/* Index n's keys after its newest was added: a perfect table for up to
 * JP_PERFECT_MAX keys when a seed is found, else probing in a table kept
 * at most a quarter full. A node with too many keys for 16-bit slots is
 * scanned instead. */
static void node_index(jp_node *n)
{
  size_t k = n->n_keys;
  if (k >= 65535) {
    free(n->hash);
    free(n->ptab);
    n->hash = NULL;
    n->ptab = NULL;
    n->hmask = 0;
    n->perfect = false;
    return;
  }
  if (!n->perfect && n->hmask && 4 * k <= (size_t)n->hmask + 1 && k > JP_PERFECT_MAX) {
    index_put(n, k - 1);
    return;
  }
  size_t slots = 16;
  while (slots < 4 * k || (k <= JP_PERFECT_MAX && slots < k * k))
    slots *= 2;
  free(n->hash);
  n->hash = xcalloc(slots, sizeof *n->hash);
  n->hmask = (unsigned)(slots - 1);
  for (unsigned seed = 0; k <= JP_PERFECT_MAX && seed < JP_SEEDS; seed++) {
    if (index_perfect(n, seed)) {
      n->seed = seed;
      n->perfect = true;
      free(n->ptab);
      n->ptab = xcalloc(slots, sizeof *n->ptab);
      for (size_t h = 0; h < slots; h++) {
        size_t i = n->hash[h];
        jp_slot *t = &n->ptab[h];
        t->len = i ? n->keys[i - 1].len : SIZE_MAX;
        t->key = i ? n->keys[i - 1].key : NULL;
        t->k = i ? i - 1 : 0;
      }
      return;
    }
    memset(n->hash, 0, slots * sizeof *n->hash);
  }
  n->seed = 0;
  n->perfect = false;
  free(n->ptab);
  n->ptab = NULL;
  for (size_t i = 0; i < k; i++)
    index_put(n, i);
}

void hg_jpaths_add(hg_jpaths *p, const hg_jsel *sel)
{
  jp_node *n = p->root;
  for (size_t i = 0; i < sel->n && !n->whole; i++) {
    hg_jstep *st = &sel->steps[i];
    jp_node *next = NULL;
    if (st->kind == HG_JSTEP_WILD) {
      /* Any member or element may be read from here down. */
      n->whole = true;
      return;
    }
    if (st->kind == HG_JSTEP_KEY) {
      size_t k = 0;
      while (k < n->n_keys &&
             !(n->keys[k].len == st->keylen && memcmp(n->keys[k].key, st->key, st->keylen) == 0))
        k++;
      if (k < n->n_keys) {
        next = n->keys[k].child;
      } else {
        n->keys = xrealloc(n->keys, (n->n_keys + 1) * sizeof *n->keys);
        n->keys[n->n_keys].key = xstrndup(st->key, st->keylen);
        n->keys[n->n_keys].len = st->keylen;
        next = n->keys[n->n_keys].child = node_new();
        n->n_keys++;
        node_index(n);
      }
      /* Name numbers never change: keys are only appended. */
      st->trie = n->id;
      st->slot = (uint32_t)k;
    } else {
      for (size_t k = 0; k < n->n_idx; k++)
        if (n->idx[k].index == st->index)
          next = n->idx[k].child;
      if (!next) {
        n->idx = xrealloc(n->idx, (n->n_idx + 1) * sizeof *n->idx);
        n->idx[n->n_idx].index = st->index;
        next = n->idx[n->n_idx].child = node_new();
        n->n_idx++;
      }
    }
    n = next;
  }
  n->whole = true;
}

/* ---- parser ---- */

/* A node standing for "keep everything" (paths == NULL, or a whole node). */
static const jp_node keep_all = {.whole = true};

/*
 * The parser reads a copy of the text followed by at least 64 NUL bytes. A NUL
 * is never what the parser looks for next (a quote, a colon, a comma, a
 * bracket, a value's first byte), so the common paths need no test for
 * the end of the text: they find the NUL there and the error paths tell
 * the end from a NUL inside the text. The stop bitmap is built over whole
 * blocks of the copy: the padding's bits are stops, as the bitmap's
 * contract wants from the end on.
 */

/* A cursor over the stop bitmap of the copy (stop_take): cur holds the
 * stops of the word at word not taken yet, whose bit 0 stands for the
 * byte at base. The functions of the recursion read it into a local on
 * entry, so it stays in registers: stores through the scratch stacks
 * and calls would otherwise make the compiler keep it in memory. It goes
 * back to j->c around each call. */
typedef struct jcur {
  unsigned long long cur;
  const unsigned char *base;
  const unsigned long long *word;
} jcur;

typedef struct jp {
  hg_arena *a;
  const unsigned char *p, *end, *start; /* the copy, NUL after end */
  const char *err;
  const unsigned char *errp;
  jcur c;
  /* scratch stacks for members of objects and arrays being built */
  hg_jv *items;
  const char **keys;
  size_t *klens;
  size_t n, cap;
} jp;

static bool jp_fail(jp *j, const char *msg)
{
  if (!j->err) {
    j->err = msg;
    j->errp = j->p;
  }
  return false;
}

/* Whitespace from p on (the NUL after the text ends it). */
static inline const unsigned char *ws_from(const unsigned char *p)
{
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
    p++;
  return p;
}

static inline void skip_ws(jp *j)
{
  if (*j->p <= ' ') /* compact input: rarely taken */
    j->p = ws_from(j->p);
}

/* The first stop at or after o, taken with every stop before it
 * (the parser meets stops in text order). */
static inline const unsigned char *stop_take(jcur *c, const unsigned char *o)
{
  for (;;) {
    if (__builtin_expect(!c->cur, 0)) {
      /* the next word with a stop (the bitmap ends with one) */
      do {
        c->cur = *++c->word;
        c->base += 64;
      } while (!c->cur);
    }
    const unsigned char *at = c->base + __builtin_ctzll(c->cur);
    c->cur &= c->cur - 1;
    if (at >= o)
      return at;
  }
}

/*
 * At '"': validate the string, leave p after the closing quote. When
 * escaped is given, set it to whether a backslash occurred; body/blen give
 * the raw body.
 */
static bool scan_string_slow(jp *j, const unsigned char *p, const unsigned char **body,
                             size_t *blen, bool *escaped);

static inline __attribute__((always_inline)) bool scan_string(jp *j, jcur *c,
                                                              const unsigned char **body,
                                                              size_t *blen, bool *escaped)
{
  /* Most strings hold no escape: their end is the next stop, a quote.
   * That case stays inline; the rest is scan_string_slow. The end of the
   * text is a stop too, and a NUL. */
  const unsigned char *b = j->p + 1;
  const unsigned char *p = stop_take(c, b);
  if (__builtin_expect(*p == '"', 1)) {
    if (body) {
      *body = b;
      *blen = (size_t)(p - b);
    }
    if (escaped)
      *escaped = false;
    j->p = p + 1;
    return true;
  }
  /* The slow path writes locals of its own: the caller's would have to
   * live in memory otherwise. */
  const unsigned char *sb;
  size_t sn;
  bool se;
  j->c = *c;
  bool ok = scan_string_slow(j, p, &sb, &sn, &se);
  *c = j->c;
  if (!ok)
    return false;
  if (body) {
    *body = sb;
    *blen = sn;
  }
  if (escaped)
    *escaped = se;
  return true;
}

/* scan_string past its first stop p (not a closing quote). */
static bool scan_string_slow(jp *j, const unsigned char *p, const unsigned char **body,
                             size_t *blen, bool *escaped)
{
  const unsigned char *b = j->p + 1;
  bool esc = false;
  for (bool first = true;; first = false) {
    /* The next quote, backslash or control byte (or the end). */
    if (!first)
      p = stop_take(&j->c, p);
    if (p >= j->end) {
      j->p = j->end;
      return jp_fail(j, "unterminated string");
    }
    if (*p == '"')
      break;
    if (*p != '\\') {
      j->p = p;
      return jp_fail(j, "control character in string");
    }
    /* An escape: checked as hg_jscan_string_body does. */
    esc = true;
    if (p + 1 >= j->end) {
      j->p = j->end;
      return jp_fail(j, "unterminated string");
    }
    unsigned char e = p[1];
    if (e == 'u') {
      unsigned v;
      if (hg_jscan_hex4(p + 2, j->end, &v) < 4) {
        j->p = p;
        return jp_fail(j, "bad \\u escape");
      }
      p += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
               e == 'r' || e == 't') {
      p += 2;
    } else {
      j->p = p;
      return jp_fail(j, "bad escape in string");
    }
    if (p > j->end)
      p = j->end;
  }
  if (body) {
    *body = b;
    *blen = (size_t)(p - b);
  }
  if (escaped)
    *escaped = esc;
  j->p = p + 1;
  return true;
}

/* Decode a validated string body with escapes into the arena. A lone
 * surrogate becomes U+FFFD. */
static const char *unescape(jp *j, const unsigned char *b, size_t n, size_t *outlen)
{
  char *o = hg_arena_alloc_raw(j->a, n + 1); /* written whole by the decoder */
  hg_jscan_str r;
  (void)hg_jscan_unescape(b, n, o, outlen, &r); /* validated by scan_string */
  return o;
}

static bool scan_number(jp *j)
{
  const unsigned char *p;
  hg_jscan_err e = hg_jscan_number(j->p, j->end, &p);
  j->p = p;
  return e == HG_JSCAN_OK || jp_fail(j, "bad number");
}

/* At 't', 'f' or 'n': the literal lit of n bytes (the padding makes the
 * comparison safe near the end, where it fails as it must). */
static bool scan_lit(jp *j, const char *lit, size_t n)
{
  if (memcmp(j->p, lit, n) != 0)
    return jp_fail(j, "unexpected character");
  j->p += n;
  return true;
}

/* The error for a value expected at p, which starts none. */
static bool no_value(jp *j)
{
  return jp_fail(j, j->p >= j->end ? "unexpected end of input" : "unexpected character");
}

/* At '{' or '[': step in. True when the container is empty (its close
 * consumed). */
static inline bool open_empty(jp *j, unsigned char close)
{
  j->p++;
  skip_ws(j);
  if (*j->p == close) {
    j->p++;
    return true;
  }
  return false;
}

/* After a member or element: 1 at ',' (consumed, up to the next token), 0
 * at close (consumed), -1 otherwise (failed with msg). */
static inline int next_item(jp *j, unsigned char close, const char *msg)
{
  const unsigned char *p = j->p;
  if (__builtin_expect(p[0] == ',' && p[1] > ' ', 1)) { /* compact input */
    j->p = p + 1;
    return 1;
  }
  skip_ws(j);
  if (*j->p == ',') {
    j->p++;
    skip_ws(j);
    return 1;
  }
  if (*j->p == close) {
    j->p++;
    return 0;
  }
  jp_fail(j, msg);
  return -1;
}

/* At a member name: validate it and the ':' after it, leave p at the
 * value. kb/klen/kesc as for scan_string (may be NULL). */
static inline bool member_name(jp *j, jcur *c, const unsigned char **kb, size_t *klen,
                               bool *kesc)
{
  if (*j->p != '"')
    return jp_fail(j, "expected a member name");
  if (!scan_string(j, c, kb, klen, kesc))
    return false;
  /* Compact input: the ':' and then the value. */
  const unsigned char *p = j->p;
  if (__builtin_expect(p[0] == ':' && p[1] > ' ', 1)) {
    j->p = p + 1;
    return true;
  }
  skip_ws(j);
  if (*j->p != ':')
    return jp_fail(j, "expected ':' after a member name");
  j->p++;
  skip_ws(j);
  return true;
}

static bool skip_value(jp *j, int depth);

/* Skip the value at p, at depth: strings, the most common value, without
 * a call. */
static inline bool skip_item(jp *j, jcur *c, int depth)
{
  if (*j->p == '"' && depth < JP_MAX_DEPTH)
    return scan_string(j, c, NULL, NULL, NULL);
  j->c = *c;
  bool ok = skip_value(j, depth);
  *c = j->c;
  return ok;
}

/* Validate and skip one value, allocating nothing. */
static bool skip_value(jp *j, int depth)
{
  if (depth >= JP_MAX_DEPTH)
    return jp_fail(j, "nesting too deep");
  jcur c = j->c;
  int more = 0;
  switch (*j->p) {
  case '"':
    if (!scan_string(j, &c, NULL, NULL, NULL))
      return false;
    break;
  case '{':
    if (open_empty(j, '}'))
      return true;
    do {
      if (!member_name(j, &c, NULL, NULL, NULL) || !skip_item(j, &c, depth + 1))
        return false;
    } while ((more = next_item(j, '}', "expected ',' or '}' in object")) > 0);
    break;
  case '[':
    if (open_empty(j, ']'))
      return true;
    do {
      if (!skip_item(j, &c, depth + 1))
        return false;
    } while ((more = next_item(j, ']', "expected ',' or ']' in array")) > 0);
    break;
  case 't':
    return scan_lit(j, "true", 4);
  case 'f':
    return scan_lit(j, "false", 5);
  case 'n':
    return scan_lit(j, "null", 4);
  case '-':
  case '0': case '1': case '2': case '3': case '4':
  case '5': case '6': case '7': case '8': case '9':
    return scan_number(j);
  default:
    return no_value(j);
  }
  j->c = c;
  return more == 0;
}

/* Double the scratch stacks. Scratch lives in the arena too: reset with
 * the event, no malloc on the hot path. */
static __attribute__((noinline)) void grow(jp *j)
{
  size_t cap = j->cap ? j->cap * 2 : 32;
  hg_jv *items = hg_arena_alloc_raw(j->a, cap * sizeof *items);
  const char **keys = hg_arena_alloc_raw(j->a, cap * sizeof *keys);
  size_t *klens = hg_arena_alloc_raw(j->a, cap * sizeof *klens);
  if (j->n) {
    memcpy(items, j->items, j->n * sizeof *items);
    memcpy(keys, j->keys, j->n * sizeof *keys);
    memcpy(klens, j->klens, j->n * sizeof *klens);
  }
  j->items = items;
  j->keys = keys;
  j->klens = klens;
  j->cap = cap;
}

/* Push one built item onto the scratch stack; returns its slot. */
static inline __attribute__((always_inline)) hg_jv *push(jp *j, const char *key, size_t klen)
{
  if (j->n == j->cap)
    grow(j);
  j->keys[j->n] = key;
  j->klens[j->n] = klen;
  hg_jv *v = &j->items[j->n++];
  memset(v, 0, sizeof *v);
  return v;
}

/* Give v the scratch items from mark up as its children, and pop them.
 * The root's stay where they are (nothing is pushed after it); others are
 * copied into the arena. */
static void pop_into(jp *j, size_t mark, hg_jv *v, bool object, bool root)
{
  size_t n = j->n - mark;
  v->n = n;
  if (root && n) {
    v->items = j->items + mark;
    if (object) {
      v->keys = j->keys + mark;
      v->klens = j->klens + mark;
    }
  } else if (n) {
    /* One allocation for the items and, for an object, its names and name
     * lengths (the arena aligns to 16, each part keeps its alignment: the
     * items come first, pointers and sizes are both 8 bytes). */
    size_t isz = n * sizeof *v->items;
    size_t ksz = object ? n * (sizeof *v->keys + sizeof *v->klens) : 0;
    char *mem = hg_arena_alloc_raw(j->a, isz + ksz); /* filled by the copies below */
    v->items = (hg_jv *)(void *)mem;
    memcpy(v->items, j->items + mark, isz);
    if (object) {
      v->keys = (const char **)(void *)(mem + isz);
      v->klens = (size_t *)(void *)(mem + isz + n * sizeof *v->keys);
      memcpy(v->keys, j->keys + mark, n * sizeof *v->keys);
      memcpy(v->klens, j->klens + mark, n * sizeof *v->klens);
    }
  }
  j->n = mark;
}

/* Make v the string of body b (n bytes, escaped: with escapes). */
static inline void set_string(jp *j, hg_jv *v, const unsigned char *b, size_t n, bool escaped)
{
  v->kind = HG_JV_STRING;
  if (escaped) {
    v->s = unescape(j, b, n, &v->len);
  } else {
    v->s = (const char *)b;
    v->len = n;
  }
}

/* The number of the wanted name k of node n (its index in n->keys), or
 * n->n_keys when k is not wanted. */
static inline size_t find_key(const jp_node *n, const char *k, size_t len)
{
  if (n->perfect) {
    /* The one slot k can be in: its key, another key or none. */
    const jp_slot *t = &n->ptab[key_hash(k, len, n->seed) & n->hmask];
    return t->len == len && hg_bytes_eq(t->key, k, len) ? t->k : n->n_keys;
  }
  if (n->hmask) {
    for (unsigned h = key_hash(k, len, n->seed) & n->hmask;; h = (h + 1) & n->hmask) {
      unsigned i = n->hash[h];
      if (!i)
        return n->n_keys;
      const jp_key *e = &n->keys[i - 1];
      if (e->len == len && hg_bytes_eq(e->key, k, len))
        return i - 1;
    }
  }
  for (size_t i = 0; i < n->n_keys; i++)
    if (n->keys[i].len == len && hg_bytes_eq(n->keys[i].key, k, len))
      return i;
  return n->n_keys;
}

static const jp_node *find_idx(const jp_node *n, size_t index)
{
  for (size_t i = 0; i < n->n_idx; i++)
    if (n->idx[i].index == index)
      return n->idx[i].child;
  return NULL;
}

/* Build the value at p into *out (a slot that may move: out is an index into
 * the scratch stack or a fixed pointer, see callers), keeping what node can
 * reach. */
static bool build_value(jp *j, const jp_node *node, int depth, size_t slot, hg_jv *fixed);

static hg_jv *slot_ptr(jp *j, size_t slot, hg_jv *fixed)
{
  return fixed ? fixed : &j->items[slot];
}

/* build_value for the scratch stack's top, with the cursor c. */
static inline bool build_top(jp *j, jcur *c, const jp_node *node, int depth)
{
  j->c = *c;
  bool ok = build_value(j, node, depth, j->n - 1, NULL);
  *c = j->c;
  return ok;
}

static bool build_object(jp *j, const jp_node *node, int depth, size_t slot, hg_jv *fixed)
{
  size_t mark = j->n;
  jcur c = j->c;
  /* Under a trie node with names: where each name's first member is
   * (hg_jv.slots; zeroed: none yet). */
  uint32_t *slots = NULL;
  if (!node->whole && node->n_keys)
    slots = hg_arena_alloc(j->a, node->n_keys * sizeof *slots);
  if (open_empty(j, '}')) {
    hg_jv *v = slot_ptr(j, slot, fixed);
    v->kind = HG_JV_OBJECT;
    if (slots) {
      v->trie = node->id;
      v->slots = slots;
    }
    return true;
  }
  int more;
  do {
    const unsigned char *kb;
    size_t klen;
    bool kesc;
    if (!member_name(j, &c, &kb, &klen, &kesc))
      return false;
    const char *key = (const char *)kb;
    if (kesc)
      key = unescape(j, kb, klen, &klen);
    const jp_node *child = &keep_all;
    if (!node->whole) {
      size_t k = find_key(node, key, klen);
      child = NULL;
      if (k < node->n_keys) {
        child = node->keys[k].child;
        if (!slots[k]) /* the first of duplicate names */
          slots[k] = (uint32_t)(j->n - mark + 1);
      }
    }
    if (child && *j->p == '"' && depth + 1 < JP_MAX_DEPTH) {
      /* A string, the most common value: built without a call. */
      const unsigned char *b;
      size_t n;
      bool esc;
      if (!scan_string(j, &c, &b, &n, &esc))
        return false;
      set_string(j, push(j, key, klen), b, n, esc);
    } else if (child) {
      push(j, key, klen);
      if (!build_top(j, &c, child, depth + 1))
        return false;
    } else if (!skip_item(j, &c, depth + 1)) {
      return false;
    }
  } while ((more = next_item(j, '}', "expected ',' or '}' in object")) > 0);
  if (more < 0)
    return false;
  /* The value is made aside and stored whole (its slot holds nothing yet:
   * it was zeroed when pushed). */
  hg_jv tmp = {.kind = HG_JV_OBJECT};
  if (slots) {
    tmp.trie = node->id;
    tmp.slots = slots;
  }
  pop_into(j, mark, &tmp, true, fixed != NULL);
  *slot_ptr(j, slot, fixed) = tmp;
  j->c = c;
  return true;
}

static bool build_array(jp *j, const jp_node *node, int depth, size_t slot, hg_jv *fixed)
{
  size_t mark = j->n;
  jcur c = j->c;
  if (open_empty(j, ']')) {
    slot_ptr(j, slot, fixed)->kind = HG_JV_ARRAY;
    return true;
  }
  size_t i = 0;
  int more;
  /* Index positions matter to selectors: an array keeps every element up
   * to the last one wanted, unwanted ones as null placeholders would
   * change the data, so a partially wanted array keeps all its elements
   * (each pruned by what reaches it). */
  do {
    const jp_node *child;
    if (node->whole) {
      child = &keep_all;
    } else {
      const jp_node *ic = find_idx(node, i);
      if (ic && node->n_keys)
        child = &keep_all;
      else if (ic)
        child = ic;
      else if (node->n_keys)
        child = node;
      else
        child = NULL;
    }
    push(j, NULL, 0);
    if (child) {
      if (!build_top(j, &c, child, depth + 1))
        return false;
    } else {
      /* Keep the position (so $[3] still means the fourth element) but not
       * the content: an unwanted element reads as null. */
      if (!skip_item(j, &c, depth + 1))
        return false;
      j->items[j->n - 1].kind = HG_JV_NULL;
    }
    i++;
  } while ((more = next_item(j, ']', "expected ',' or ']' in array")) > 0);
  if (more < 0)
    return false;
  hg_jv tmp = {.kind = HG_JV_ARRAY}; /* made aside, as for objects */
  pop_into(j, mark, &tmp, false, fixed != NULL);
  *slot_ptr(j, slot, fixed) = tmp;
  j->c = c;
  return true;
}

static bool build_value(jp *j, const jp_node *node, int depth, size_t slot, hg_jv *fixed)
{
  if (depth >= JP_MAX_DEPTH)
    return jp_fail(j, "nesting too deep");
  const unsigned char *b;
  size_t n;
  bool esc;
  hg_jv *v;
  jcur c;
  switch (*j->p) {
  case '{':
    return build_object(j, node, depth, slot, fixed);
  case '[':
    return build_array(j, node, depth, slot, fixed);
  case '"':
    c = j->c;
    if (!scan_string(j, &c, &b, &n, &esc))
      return false;
    j->c = c;
    set_string(j, slot_ptr(j, slot, fixed), b, n, esc);
    return true;
  case 't':
    if (!scan_lit(j, "true", 4))
      return false;
    slot_ptr(j, slot, fixed)->kind = HG_JV_TRUE;
    return true;
  case 'f':
    if (!scan_lit(j, "false", 5))
      return false;
    slot_ptr(j, slot, fixed)->kind = HG_JV_FALSE;
    return true;
  case 'n':
    if (!scan_lit(j, "null", 4))
      return false;
    slot_ptr(j, slot, fixed)->kind = HG_JV_NULL;
    return true;
  case '-':
  case '0': case '1': case '2': case '3': case '4':
  case '5': case '6': case '7': case '8': case '9':
    b = j->p;
    if (!scan_number(j))
      return false;
    v = slot_ptr(j, slot, fixed);
    v->kind = HG_JV_NUMBER;
    v->s = (const char *)b;
    v->len = (size_t)(j->p - b);
    return true;
  default:
    return no_value(j);
  }
}

hg_jv *hg_json_parse_pruned(hg_arena *a, const char *text, size_t len, const hg_jpaths *paths,
                            size_t *err_off, const char **err_msg)
{
  jp j;
  memset(&j, 0, sizeof j);
  j.a = a;
  /* One allocation for the copy with its padding (see above), the bitmap
   * (both filled in one pass), the root and the first scratch stacks:
   * every part a multiple of 16 bytes, as the arena aligns. */
  size_t words = hg_jscan_stopbits_words(len);
  size_t cap = 32;
  size_t csz = 64 * words, bsz = (words * sizeof(unsigned long long) + 15) & ~(size_t)15;
  size_t rsz = (sizeof(hg_jv) + 15) & ~(size_t)15, isz = cap * sizeof(hg_jv);
  char *mem = hg_arena_alloc_raw(a, csz + bsz + rsz + isz + 2 * cap * sizeof(size_t));
  unsigned char *copy = (unsigned char *)mem;
  unsigned long long *bits = (unsigned long long *)(void *)(mem + csz);
  hg_jscan_copy_stopbits(copy, (const unsigned char *)text, len, bits);
  j.start = j.p = copy;
  j.end = copy + len;
  j.c.word = bits;
  j.c.base = copy;
  j.c.cur = bits[0];
  hg_jv *root = (hg_jv *)(void *)(mem + csz + bsz);
  memset(root, 0, sizeof *root);
  j.items = (hg_jv *)(void *)(mem + csz + bsz + rsz);
  j.keys = (const char **)(void *)(mem + csz + bsz + rsz + isz);
  j.klens = (size_t *)(void *)(mem + csz + bsz + rsz + isz + cap * sizeof(size_t));
  j.cap = cap;
  const jp_node *node = paths ? paths->root : &keep_all;
  skip_ws(&j);
  bool ok = build_value(&j, node, 0, 0, root);
  if (ok) {
    skip_ws(&j);
    if (j.p != j.end)
      ok = jp_fail(&j, "unexpected text after the value");
  }
  if (!ok) {
    if (err_off)
      *err_off = (size_t)(j.errp - j.start);
    if (err_msg)
      *err_msg = j.err;
    return NULL;
  }
  return root;
}
