/*
 * json.h — the JSON value the pattern evaluator reads, and its parsers.
 *
 * Events are parsed into hg_jv trees allocated in an arena that the caller
 * resets per event, so nothing grows with the corpus. Two parsers fill the
 * same type:
 *   - hg_json_parse: the whole document (hardengen match, examples);
 *   - hg_json_parse_pruned: only the members a set of selectors can reach
 *     (the backtest), skipping everything else at scanning speed.
 * A member missing from a pruned tree is missing from the event as far as
 * any of the wanted selectors can tell.
 *
 * Strings are unescaped UTF-8 (s/len); numbers keep their source text.
 */
#ifndef HG_JSON_H
#define HG_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/util.h"

typedef enum {
  HG_JV_NULL,
  HG_JV_FALSE,
  HG_JV_TRUE,
  HG_JV_NUMBER,   /* s/len: the number's source text */
  HG_JV_STRING,   /* s/len: unescaped bytes */
  HG_JV_ARRAY,    /* n items */
  HG_JV_OBJECT,   /* n members: keys[i]/klens[i] -> items[i], document order */
} hg_jv_kind;

typedef struct hg_jv hg_jv;
struct hg_jv {
  hg_jv_kind kind;
  const char *s;
  size_t len;
  size_t n;
  hg_jv *items;          /* n values, contiguous */
  const char **keys;     /* OBJECT: n keys (unescaped) */
  size_t *klens;
};

/* One step of a selector path: $.a, $[0], $.* / $[*]. */
typedef enum { HG_JSTEP_KEY, HG_JSTEP_INDEX, HG_JSTEP_WILD } hg_jstep_kind;
typedef struct hg_jstep {
  hg_jstep_kind kind;
  const char *key;       /* KEY: the member name (unescaped); not NUL-terminated */
  size_t keylen;
  size_t index;          /* INDEX */
} hg_jstep;

typedef struct hg_jsel {
  const hg_jstep *steps;
  size_t n;
} hg_jsel;

/* The set of selectors a pruned parse keeps: a trie built once per run. */
typedef struct hg_jpaths hg_jpaths;
hg_jpaths *hg_jpaths_new(void);
/* Add one selector; everything below its last step is kept whole. */
void hg_jpaths_add(hg_jpaths *p, const hg_jsel *sel);
void hg_jpaths_free(hg_jpaths *p);

/*
 * Parse text[0..len) as one JSON value into arena a. Returns NULL on a syntax
 * error, setting *err_off (byte offset) and *err_msg (static text) when given.
 * Depth is limited (512); deeper input is an error, never a crash.
 */
hg_jv *hg_json_parse(hg_arena *a, const char *text, size_t len, size_t *err_off,
                     const char **err_msg);

/* As hg_json_parse, but keep only what paths can reach. The whole text is
 * still validated. */
hg_jv *hg_json_parse_pruned(hg_arena *a, const char *text, size_t len, const hg_jpaths *paths,
                            size_t *err_off, const char **err_msg);

/* Member of an object by key; NULL when absent or v is not an object. */
const hg_jv *hg_jv_get(const hg_jv *v, const char *key, size_t keylen);

/* Append v as compact JSON (no spaces, document order) to out. */
void hg_jv_write(const hg_jv *v, hg_buf *out);

#endif
