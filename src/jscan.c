/*
 * jscan.c — the out-of-line JSON lexical pieces (see jscan.h): UTF-8
 * encoding and string unescaping, used only for strings with escapes.
 */
#include "hg/jscan.h"

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
