/*
 * json.c — the whole-document parse, member lookup and compact writer (see
 * json.h). There is one event JSON parser, json_pruned.c: the whole document
 * is its keep-everything mode (no selector trie).
 */
#include "hg/json.h"
#include "hg/jscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The whole document is the pruned parser with nothing pruned: one JSON
 * reader for events, whatever the caller keeps. */
hg_jv *hg_json_parse(hg_arena *a, const char *text, size_t len, size_t *err_off,
                     const char **err_msg)
{
  return hg_json_parse_pruned(a, text, len, NULL, err_off, err_msg);
}

const hg_jv *hg_jv_get(const hg_jv *v, const char *key, size_t keylen)
{
  if (!v || v->kind != HG_JV_OBJECT)
    return NULL;
  for (size_t i = 0; i < v->n; i++)
    if (v->klens[i] == keylen && hg_bytes_eq(v->keys[i], key, keylen))
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
