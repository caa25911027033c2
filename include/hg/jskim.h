/*
 * jskim.h — find where a compact JSON object ends, without validating it.
 *
 * The record reader (events.c) uses it to hand the elements of a
 * {"Records":[...]} document out before it has checked them, to a consumer
 * that validates every record with its own parser anyway (the backtest):
 * the reader's validating scan is then skipped for every element that is
 * already compact. Internal to the library; not a public interface.
 *
 * The skim is string aware (quotes, backslash escapes) and matches
 * brackets; it looks at 64 bytes at a time, classified with AVX2 or SSE2
 * at the jscan level in effect (hg_jscan_set_level), or a portable loop,
 * with the same answer at every level. It never reads at or past p + n.
 *
 * Contract: when [p, p + k) is a valid JSON object with no byte below 0x21
 * outside its strings (compact: what the validating scanner would hand out
 * unchanged) and nesting at most max_depth deep (the object itself is
 * depth 1), hg_jskim_object returns k. Otherwise it returns 0 (no end
 * found in [p, n), a byte below 0x21 outside strings before the end, too
 * deep), or, for text that is not valid JSON, possibly some other length:
 * the caller must validate the text it gets before trusting it (a valid
 * object has exactly one end, so text that validates is the object at p).
 */
#ifndef HG_JSKIM_H
#define HG_JSKIM_H

#include <stddef.h>

/* p[0] is '{' (anything else gets an arbitrary answer). */
size_t hg_jskim_object(const unsigned char *p, size_t n, int max_depth);

#endif
