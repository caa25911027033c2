/*
 * text.h — the one rule for text that may reach a template: valid UTF-8
 * (shortest form, no UTF-16 surrogates, at most U+10FFFF), no control
 * characters (C0 other than tab and line feed where allowed, DEL, C1
 * U+0080–U+009F), no non-characters (U+FDD0–U+FDEF, U+nFFFE, U+nFFFF).
 *
 * Every boundary that takes text from a user (profile scalars, Lua filter
 * fields, filter patterns) checks it here and reports a diagnostic at the
 * source, so an emitted template can always be read back.
 */
#ifndef HG_TEXT_H
#define HG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/util.h"

enum {
  HG_TEXT_LINES = 1u << 0, /* tab and line feed are allowed */
  HG_TEXT_CR = 1u << 1,    /* carriage return too (a pattern's whitespace) */
};

/* Where text breaks the rule: the offending sequence and why. */
typedef struct hg_text_bad {
  size_t off;      /* byte offset of the first bad byte */
  size_t len;      /* bytes of the bad sequence, >= 1 */
  char why[64];    /* e.g. "control character U+0085", "invalid UTF-8 byte 0xff" */
} hg_text_bad;

/* True when s[0..n) follows the rule; else false with *bad filled (bad may be NULL). */
bool hg_text_ok(const char *s, size_t n, unsigned flags, hg_text_bad *bad);

/*
 * Append s[0..n) to out with everything the rule refuses written visibly:
 * \n, \t, \xHH for a byte that is not UTF-8 or a C0 control, \u{HHHH} for a
 * refused character. Stops once cap bytes were appended (cut between
 * characters, never inside one); returns how many bytes of s were used.
 */
size_t hg_text_escape(hg_buf *out, const char *s, size_t n, size_t cap);

#endif
