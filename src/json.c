/*
 * json.c — the whole-document JSON parser, member lookup and compact writer
 * (see json.h). The pruned parser and the selector trie live elsewhere.
 *
 * The parser is recursive descent over RFC 8259 with a depth limit. Values
 * are built in the caller's arena: children are collected on a scratch stack
 * and copied into one contiguous arena block when their container closes, so
 * hg_jv.items is an array, not a list. Strings are unescaped (\uXXXX becomes
 * UTF-8, surrogate pairs joined, a lone surrogate becomes U+FFFD); bytes are
 * otherwise kept as given, so invalid UTF-8 passes through unchanged.
 */
#include "hg/json.h"
#include "hg/jscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 512

typedef struct jp {
  hg_arena *a;
  const char *s, *p, *end;
  const char *err;
  const char *err_at;
  /* scratch stack of finished children (and their keys) */
  hg_jv *stk;
  const char **kstk;
  size_t *klstk;
  size_t n, cap;
} jp;

static bool jp_fail(jp *j, const char *at, const char *msg)
{
  if (!j->err) {
    j->err = msg;
    j->err_at = at;
  }
  return false;
}

static void jp_ws(jp *j)
{
  j->p = (const char *)hg_jscan_ws((const unsigned char *)j->p, (const unsigned char *)j->end);
}

static void jp_push(jp *j, const hg_jv *v, const char *key, size_t klen)
{
  if (j->n == j->cap) {
    j->cap = j->cap ? j->cap * 2 : 64;
    j->stk = xrealloc(j->stk, j->cap * sizeof *j->stk);
    j->kstk = xrealloc(j->kstk, j->cap * sizeof *j->kstk);
    j->klstk = xrealloc(j->klstk, j->cap * sizeof *j->klstk);
  }
  j->stk[j->n] = *v;
  j->kstk[j->n] = key;
  j->klstk[j->n] = klen;
  j->n++;
}

/* j->p at the opening quote. On success s and len hold the unescaped bytes. */
static bool jp_string(jp *j, const char **s, size_t *len)
{
  const char *start = ++j->p;
  const unsigned char *q = (const unsigned char *)start, *end = (const unsigned char *)j->end;
  bool esc = false;
  for (;;) {
    q = hg_jscan_string(q, end);
    if (q >= end || *q == '"')
      break;
    if (*q < 0x20)
      return jp_fail(j, (const char *)q, "control character in string");
    esc = true; /* a backslash: the escaped byte is checked when decoding */
    q += q + 1 < end ? 2 : 1;
  }
  if (q >= end)
    return jp_fail(j, start - 1, "unterminated string");
  size_t blen = (size_t)((const char *)q - start);
  if (!esc) {
    *s = hg_arena_strndup(j->a, start, blen);
    *len = blen;
    j->p = (const char *)q + 1;
    return true;
  }
  /* Unescaped text is never longer than the escaped text. */
  char *out = hg_arena_alloc(j->a, blen + 1);
  hg_jscan_str r;
  switch (hg_jscan_unescape((const unsigned char *)start, blen, out, len, &r)) {
  case HG_JSCAN_OK:
    break;
  case HG_JSCAN_BAD_HEX:
    if (end - (r.esc + 2) < 4)
      return jp_fail(j, (const char *)r.esc + 2, "truncated \\u escape");
    return jp_fail(j, (const char *)r.at, "bad hex digit in \\u escape");
  default:
    return jp_fail(j, (const char *)r.esc, "invalid escape in string");
  }
  *s = out;
  j->p = (const char *)q + 1;
  return true;
}

static bool jp_number(jp *j, hg_jv *v)
{
  const char *start = j->p;
  const unsigned char *q;
  switch (hg_jscan_number((const unsigned char *)start, (const unsigned char *)j->end, &q)) {
  case HG_JSCAN_OK:
    break;
  case HG_JSCAN_NUM_FRAC:
    return jp_fail(j, (const char *)q, "digit expected after '.'");
  case HG_JSCAN_NUM_EXP:
    return jp_fail(j, (const char *)q, "digit expected in exponent");
  default:
    return jp_fail(j, start, "invalid number");
  }
  v->kind = HG_JV_NUMBER;
  v->len = (size_t)((const char *)q - start);
  v->s = hg_arena_strndup(j->a, start, v->len);
  j->p = (const char *)q;
  return true;
}

static bool jp_lit(jp *j, const char *word, hg_jv_kind kind, hg_jv *v)
{
  size_t n = strlen(word);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
    return jp_fail(j, j->p, "unexpected character");
  j->p += n;
  v->kind = kind;
  return true;
}

static bool jp_value(jp *j, hg_jv *v, int depth);

/* Move the top `count` scratch entries into the arena as v's children. */
static void jp_collect(jp *j, hg_jv *v, size_t base, bool keys)
{
  size_t count = j->n - base;
  v->n = count;
  if (count) {
    v->items = hg_arena_alloc(j->a, count * sizeof *v->items);
    memcpy(v->items, j->stk + base, count * sizeof *v->items);
    if (keys) {
      v->keys = hg_arena_alloc(j->a, count * sizeof *v->keys);
      v->klens = hg_arena_alloc(j->a, count * sizeof *v->klens);
      memcpy(v->keys, j->kstk + base, count * sizeof *v->keys);
      memcpy(v->klens, j->klstk + base, count * sizeof *v->klens);
    }
  }
  j->n = base;
}

static bool jp_container(jp *j, hg_jv *v, int depth, bool obj)
{
  if (depth >= JSON_MAX_DEPTH)
    return jp_fail(j, j->p, "nesting too deep");
  char close = obj ? '}' : ']';
  v->kind = obj ? HG_JV_OBJECT : HG_JV_ARRAY;
  size_t base = j->n;
  j->p++;
  jp_ws(j);
  if (j->p < j->end && *j->p == close) {
    j->p++;
    return true;
  }
  for (;;) {
    const char *key = NULL;
    size_t klen = 0;
    jp_ws(j);
    if (obj) {
      if (j->p >= j->end || *j->p != '"')
        return jp_fail(j, j->p, "object key expected");
      if (!jp_string(j, &key, &klen))
        return false;
      jp_ws(j);
      if (j->p >= j->end || *j->p != ':')
        return jp_fail(j, j->p, "':' expected");
      j->p++;
      jp_ws(j);
    }
    hg_jv child;
    memset(&child, 0, sizeof child);
    if (!jp_value(j, &child, depth + 1))
      return false;
    jp_push(j, &child, key, klen);
    jp_ws(j);
    if (j->p < j->end && *j->p == ',') {
      j->p++;
      continue;
    }
    if (j->p < j->end && *j->p == close) {
      j->p++;
      break;
    }
    return jp_fail(j, j->p, obj ? "',' or '}' expected" : "',' or ']' expected");
  }
  jp_collect(j, v, base, obj);
  return true;
}

static bool jp_value(jp *j, hg_jv *v, int depth)
{
  jp_ws(j);
  if (j->p >= j->end)
    return jp_fail(j, j->p, "value expected");
  switch (*j->p) {
  case '{': return jp_container(j, v, depth, true);
  case '[': return jp_container(j, v, depth, false);
  case '"':
    v->kind = HG_JV_STRING;
    return jp_string(j, &v->s, &v->len);
  case 't': return jp_lit(j, "true", HG_JV_TRUE, v);
  case 'f': return jp_lit(j, "false", HG_JV_FALSE, v);
  case 'n': return jp_lit(j, "null", HG_JV_NULL, v);
  default:
    if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
      return jp_number(j, v);
    return jp_fail(j, j->p, "unexpected character");
  }
}

hg_jv *hg_json_parse(hg_arena *a, const char *text, size_t len, size_t *err_off,
                     const char **err_msg)
{
  jp j;
  memset(&j, 0, sizeof j);
  j.a = a;
  j.s = j.p = text;
  j.end = text + len;
  hg_jv *v = hg_arena_alloc(a, sizeof *v);
  bool ok = jp_value(&j, v, 0);
  if (ok) {
    jp_ws(&j);
    if (j.p < j.end)
      ok = jp_fail(&j, j.p, "unexpected text after the value");
  }
  free(j.stk);
  free(j.kstk);
  free(j.klstk);
  if (!ok) {
    if (err_off)
      *err_off = (size_t)(j.err_at - text);
    if (err_msg)
      *err_msg = j.err;
    return NULL;
  }
  return v;
}

/* Equal keys of length n. Member lookup is the backtest's innermost loop
 * and CloudTrail keys are short and share prefixes (eventName, eventTime,
 * eventType), so compare 4..16 bytes with two overlapping word loads
 * instead of a libc call. */
static inline bool key_eq(const char *a, const char *b, size_t n)
{
  if (n >= 8 && n <= 16) {
    uint64_t x, y, z, w;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    memcpy(&z, a + n - 8, 8);
    memcpy(&w, b + n - 8, 8);
    return x == y && z == w;
  }
  if (n >= 4 && n < 8) {
    uint32_t x, y, z, w;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    memcpy(&z, a + n - 4, 4);
    memcpy(&w, b + n - 4, 4);
    return x == y && z == w;
  }
  return memcmp(a, b, n) == 0;
}

const hg_jv *hg_jv_get(const hg_jv *v, const char *key, size_t keylen)
{
  if (!v || v->kind != HG_JV_OBJECT)
    return NULL;
  for (size_t i = 0; i < v->n; i++)
    if (v->klens[i] == keylen && key_eq(v->keys[i], key, keylen))
      return &v->items[i];
  return NULL;
}

static void write_str(hg_buf *out, const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  hg_buf_putc(out, '"');
  size_t run = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    hg_buf_append(out, s + run, i - run);
    run = i + 1;
    switch (c) {
    case '"': hg_buf_puts(out, "\\\""); break;
    case '\\': hg_buf_puts(out, "\\\\"); break;
    case '\n': hg_buf_puts(out, "\\n"); break;
    case '\r': hg_buf_puts(out, "\\r"); break;
    case '\t': hg_buf_puts(out, "\\t"); break;
    case '\b': hg_buf_puts(out, "\\b"); break;
    case '\f': hg_buf_puts(out, "\\f"); break;
    default: {
      char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
      hg_buf_puts(out, e);
    }
    }
  }
  hg_buf_append(out, s + run, len - run);
  hg_buf_putc(out, '"');
}

void hg_jv_write(const hg_jv *v, hg_buf *out)
{
  switch (v->kind) {
  case HG_JV_NULL: hg_buf_puts(out, "null"); break;
  case HG_JV_FALSE: hg_buf_puts(out, "false"); break;
  case HG_JV_TRUE: hg_buf_puts(out, "true"); break;
  case HG_JV_NUMBER: hg_buf_append(out, v->s, v->len); break;
  case HG_JV_STRING: write_str(out, v->s, v->len); break;
  case HG_JV_ARRAY:
    hg_buf_putc(out, '[');
    for (size_t i = 0; i < v->n; i++) {
      if (i)
        hg_buf_putc(out, ',');
      hg_jv_write(&v->items[i], out);
    }
    hg_buf_putc(out, ']');
    break;
  case HG_JV_OBJECT:
    hg_buf_putc(out, '{');
    for (size_t i = 0; i < v->n; i++) {
      if (i)
        hg_buf_putc(out, ',');
      write_str(out, v->keys[i], v->klens[i]);
      hg_buf_putc(out, ':');
      hg_jv_write(&v->items[i], out);
    }
    hg_buf_putc(out, '}');
    break;
  }
}
