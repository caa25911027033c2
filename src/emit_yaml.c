/*
 * emit_yaml.c — the block-style YAML writer (see emit.h).
 *
 * Layout: a map prints "key: scalar" or "key:" followed by its child two
 * spaces deeper; a sequence prints "- item", with a map item's first key on
 * the dash line. Empty containers print as {} and []. Scalars never span
 * lines, so a long Fn::Sub or filter pattern stays greppable.
 */
#include "hg/emit.h"

#include <string.h>

static bool is_one_of(const char *s, const char *const *words)
{
  for (; *words; words++)
    if (strcmp(s, *words) == 0)
      return true;
  return false;
}

/* Words YAML 1.1 (PyYAML, libyaml users) or 1.2 resolve to bool or null. */
static const char *const special_words[] = {
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
    "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF",
    "null", "Null", "NULL", "~",
    ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF",
    ".nan", ".NaN", ".NAN", "<<", "=", NULL};

bool hg_emit_yaml_needs_quotes(const char *s)
{
  size_t len = strlen(s);
  if (len == 0 || is_one_of(s, special_words))
    return true;
  unsigned char c0 = (unsigned char)s[0];
  /* Anything that starts like a number, date or timestamp: 012, 1e3, 0x1f,
   * 2024-01-01, 1:20 (YAML 1.1 base 60), +1, -2, .5. Quoting every string
   * that starts with a digit is stricter than needed and always right. */
  if (c0 >= '0' && c0 <= '9')
    return true;
  if ((c0 == '+' || c0 == '-' || c0 == '.') && len > 1 &&
      ((s[1] >= '0' && s[1] <= '9') || s[1] == '.'))
    return true;
  /* Indicators that start another kind of node. */
  if (strchr("-?:,[]{}#&*!|>'\"%@`", (int)c0))
    return true;
  if (s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':')
    return true;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p < 0x20 || *p == 0x7f)
      return true;
    if (*p == ':' && p[1] == ' ')
      return true;
    if (*p == ' ' && p[1] == '#')
      return true;
  }
  /* A Unicode line or paragraph separator, BOM or NEL would end a plain
   * scalar for some readers. */
  if (strstr(s, "\xe2\x80\xa8") || strstr(s, "\xe2\x80\xa9") || strstr(s, "\xef\xbb\xbf") ||
      strstr(s, "\xc2\x85"))
    return true;
  return false;
}

static bool needs_double(const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return true;
  return strstr(s, "\xe2\x80\xa8") || strstr(s, "\xe2\x80\xa9") || strstr(s, "\xef\xbb\xbf") ||
         strstr(s, "\xc2\x85");
}

static void put_scalar_str(hg_buf *out, const char *s)
{
  if (!hg_emit_yaml_needs_quotes(s)) {
    hg_buf_puts(out, s);
    return;
  }
  if (!needs_double(s)) {
    hg_buf_putc(out, '\'');
    for (const char *p = s; *p; p++) {
      if (*p == '\'')
        hg_buf_putc(out, '\'');
      hg_buf_putc(out, *p);
    }
    hg_buf_putc(out, '\'');
    return;
  }
  hg_buf_putc(out, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (hg_emit_escape_common(out, *p))
      continue;
    if (*p < 0x20 || *p == 0x7f) {
      hg_buf_printf(out, "\\x%02x", *p);
    } else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
      hg_buf_puts(out, p[2] == 0xa8 ? "\\L" : "\\P");
      p += 2;
    } else if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
      hg_buf_puts(out, "\\ufeff");
      p += 2;
    } else if (p[0] == 0xc2 && p[1] == 0x85) {
      hg_buf_puts(out, "\\N");
      p += 1;
    } else {
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

/* Scalars and empty containers print on the current line. */
static bool is_inline(const hg_doc *d)
{
  return (d->kind != HG_DOC_MAP && d->kind != HG_DOC_SEQ) || d->n == 0;
}

static void put_inline(hg_buf *out, const hg_doc *d)
{
  switch (d->kind) {
  case HG_DOC_STR: put_scalar_str(out, d->str); break;
  case HG_DOC_INT: hg_buf_printf(out, "%lld", d->num); break;
  case HG_DOC_FLOAT: {
    char buf[32];
    hg_buf_puts(out, hg_doc_float_text(d->f, buf));
    break;
  }
  case HG_DOC_BOOL: hg_buf_puts(out, d->b ? "true" : "false"); break;
  case HG_DOC_NULL: hg_buf_puts(out, "null"); break;
  case HG_DOC_MAP: hg_buf_puts(out, "{}"); break;
  case HG_DOC_SEQ: hg_buf_puts(out, "[]"); break;
  }
}

static void put_block(hg_buf *out, const hg_doc *d, int ind, bool first_inline);

/* The child of a map key or a dash, at depth ind. */
static void put_child_after_key(hg_buf *out, const hg_doc *v, int ind)
{
  if (is_inline(v)) {
    hg_buf_putc(out, ' ');
    put_inline(out, v);
    hg_buf_putc(out, '\n');
  } else {
    hg_buf_putc(out, '\n');
    put_block(out, v, ind, false);
  }
}

static void put_block(hg_buf *out, const hg_doc *d, int ind, bool first_inline)
{
  for (size_t i = 0; i < d->n; i++) {
    if (i > 0 || !first_inline)
      indent(out, ind);
    const hg_doc *v = d->items[i];
    if (d->kind == HG_DOC_MAP) {
      put_scalar_str(out, d->keys[i]);
      hg_buf_putc(out, ':');
      put_child_after_key(out, v, ind + 2);
    } else {
      hg_buf_putc(out, '-');
      if (is_inline(v)) {
        hg_buf_putc(out, ' ');
        put_inline(out, v);
        hg_buf_putc(out, '\n');
      } else {
        hg_buf_putc(out, ' ');
        put_block(out, v, ind + 2, true);
      }
    }
  }
}

void hg_emit_yaml(const hg_doc *d, hg_buf *out)
{
  if (is_inline(d)) {
    put_inline(out, d);
    hg_buf_putc(out, '\n');
    return;
  }
  put_block(out, d, 0, false);
}
