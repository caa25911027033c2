/*
 * emit_json.c — the JSON writer (see emit.h): two-space indent, keys in
 * insertion order, UTF-8 kept as is, control characters escaped.
 */
#include "hg/emit.h"

bool hg_emit_escape_common(hg_buf *out, unsigned char c)
{
  switch (c) {
  case '"': hg_buf_puts(out, "\\\""); return true;
  case '\\': hg_buf_puts(out, "\\\\"); return true;
  case '\n': hg_buf_puts(out, "\\n"); return true;
  case '\t': hg_buf_puts(out, "\\t"); return true;
  case '\r': hg_buf_puts(out, "\\r"); return true;
  default: return false;
  }
}

void hg_emit_json_string(hg_buf *out, const char *s)
{
  hg_buf_putc(out, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (hg_emit_escape_common(out, *p))
      continue;
    switch (*p) {
    case '\b': hg_buf_puts(out, "\\b"); break;
    case '\f': hg_buf_puts(out, "\\f"); break;
    default:
      if (*p < 0x20 || *p == 0x7f)
        hg_buf_printf(out, "\\u%04x", *p);
      else
        hg_buf_putc(out, (char)*p);
    }
  }
  hg_buf_putc(out, '"');
}

static void indent(hg_buf *out, int n)
{
  for (int i = 0; i < n; i++)
    hg_buf_putc(out, ' ');
}

/* ind < 0: compact (no blanks, no line breaks). */
static void put_value(hg_buf *out, const hg_doc *d, int ind)
{
  switch (d->kind) {
  case HG_DOC_STR: hg_emit_json_string(out, d->str); return;
  case HG_DOC_INT: hg_buf_printf(out, "%lld", d->num); return;
  case HG_DOC_FLOAT: {
    char buf[32];
    hg_buf_puts(out, hg_doc_float_text(d->f, buf));
    return;
  }
  case HG_DOC_BOOL: hg_buf_puts(out, d->b ? "true" : "false"); return;
  case HG_DOC_NULL: hg_buf_puts(out, "null"); return;
  case HG_DOC_MAP:
  case HG_DOC_SEQ: break;
  }
  bool map = d->kind == HG_DOC_MAP;
  if (d->n == 0) {
    hg_buf_puts(out, map ? "{}" : "[]");
    return;
  }
  bool compact = ind < 0;
  hg_buf_puts(out, map ? "{" : "[");
  for (size_t i = 0; i < d->n; i++) {
    if (!compact) {
      hg_buf_putc(out, '\n');
      indent(out, ind + 2);
    }
    if (map) {
      hg_emit_json_string(out, d->keys[i]);
      hg_buf_puts(out, compact ? ":" : ": ");
    }
    put_value(out, d->items[i], compact ? ind : ind + 2);
    if (i + 1 < d->n)
      hg_buf_putc(out, ',');
  }
  if (!compact) {
    hg_buf_putc(out, '\n');
    indent(out, ind);
  }
  hg_buf_putc(out, map ? '}' : ']');
}

void hg_emit_json(const hg_doc *d, hg_buf *out)
{
  put_value(out, d, 0);
  hg_buf_putc(out, '\n');
}

void hg_emit_json_compact(const hg_doc *d, hg_buf *out)
{
  put_value(out, d, -1);
  hg_buf_putc(out, '\n');
}
