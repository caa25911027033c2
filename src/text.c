/*
 * text.c — the text rule of text.h: a strict UTF-8 decoder that also
 * refuses control characters and non-characters, and the escaper that makes
 * any bytes safe to print.
 */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>

static size_t set_bad(hg_text_bad *bad, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static size_t set_bad(hg_text_bad *bad, size_t len, const char *fmt, ...)
{
  if (bad) {
    bad->len = len ? len : 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(bad->why, sizeof bad->why, fmt, ap);
    va_end(ap);
  }
  return 0;
}

/* Length of the character at s[0] (n > 0 bytes left) when it follows the
 * rule, else 0 with bad->len and bad->why set. *cp gets its code point. */
static size_t one_char(const unsigned char *u, size_t n, unsigned flags, unsigned *cp_out, hg_text_bad *bad)
{
  unsigned c = u[0];
  *cp_out = c;
  if (c < 0x80) {
    if (c == 0)
      return set_bad(bad, 1, "NUL byte");
    if ((c < 0x20 && !((c == '\t' || c == '\n') && (flags & HG_TEXT_LINES)) &&
         !(c == '\r' && (flags & HG_TEXT_CR))) ||
        c == 0x7f)
      return set_bad(bad, 1, "control character U+%04X", c);
    return 1;
  }
  size_t len;
  unsigned min, cp;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, min = 0x80, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, min = 0x800, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, min = 0x10000, cp = c & 0x07;
  else
    return set_bad(bad, 1, "invalid UTF-8 byte 0x%02x", c);
  for (size_t k = 1; k < len; k++) {
    if (k >= n || (u[k] & 0xC0) != 0x80) {
      *cp_out = 0;
      return set_bad(bad, k, "truncated UTF-8 sequence at byte 0x%02x", c);
    }
    cp = (cp << 6) | (u[k] & 0x3F);
  }
  *cp_out = cp;
  if (cp < min)
    return set_bad(bad, len, "overlong UTF-8 encoding of U+%04X", cp);
  if (cp > 0x10FFFF)
    return set_bad(bad, len, "code point U+%X beyond Unicode", cp);
  if (cp >= 0xD800 && cp <= 0xDFFF)
    return set_bad(bad, len, "UTF-16 surrogate U+%04X", cp);
  if (cp <= 0x9F)
    return set_bad(bad, len, "control character U+%04X", cp);
  if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
    return set_bad(bad, len, "non-character U+%04X", cp);
  return len;
}

bool hg_text_ok(const char *s, size_t n, unsigned flags, hg_text_bad *bad)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    /* Printable ASCII, most of any text, needs no decoding. */
    if (u[i] >= 0x20 && u[i] < 0x7f) {
      i++;
      continue;
    }
    unsigned cp;
    size_t len = one_char(u + i, n - i, flags, &cp, bad);
    if (!len) {
      if (bad)
        bad->off = i;
      return false;
    }
    i += len;
  }
  return true;
}

size_t hg_text_escape(hg_buf *out, const char *s, size_t n, size_t cap)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t start = out->len, i = 0;
  while (i < n) {
    if (out->len - start >= cap)
      break;
    unsigned cp;
    hg_text_bad bad;
    size_t len = one_char(u + i, n - i, HG_TEXT_LINES, &cp, &bad);
    if (len && u[i] != '\t' && u[i] != '\n') {
      hg_buf_append(out, s + i, len);
      i += len;
    } else if (u[i] == '\n' || u[i] == '\t') {
      hg_buf_puts(out, u[i] == '\n' ? "\\n" : "\\t");
      i++;
    } else if (bad.len > 1 && cp >= 0x80) {
      /* A whole character that is well formed but not allowed (C1,
       * surrogate, non-character): name it. */
      hg_buf_printf(out, "\\u{%04X}", cp);
      i += bad.len;
    } else {
      hg_buf_printf(out, "\\x%02x", u[i]);
      i++;
    }
  }
  return i;
}
