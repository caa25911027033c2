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
 *
 * Member slots (the backtest's lookups without name comparisons): each
 * node of a selector trie has a process-unique id, and numbers its wanted
 * member names 0, 1, ... in the order they were added. hg_jpaths_add
 * records in each KEY step it resolves the id of the trie node the step
 * leaves from and the number of its name there (hg_jstep.trie/slot). An
 * object the pruned parser builds under a trie node (not a whole one)
 * carries that node's id (hg_jv.trie) and, per wanted name, the position
 * of its first member of that name (hg_jv.slots). hg_jv_step then finds a
 * member with one load when the ids agree, and falls back to comparing
 * names otherwise: trees of hg_json_parse, subtrees kept whole, values
 * built elsewhere (trie 0) and steps never added to a trie (trie 0) all
 * still work, whatever trie a step was last added to.
 */
#ifndef HG_JSON_H
#define HG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
  /* OBJECT built under a selector trie node: the node's id (0: none), and
   * slots[k] = 1 + the index of the first member named by the node's k-th
   * name, 0 when there is none (arena memory, as items) */
  uint32_t trie;
  const uint32_t *slots;
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
  /* KEY: set by hg_jpaths_add (see "Member slots" above); 0/0 when the
   * step was never resolved. Initialise both to 0. */
  uint32_t trie;
  uint32_t slot;
} hg_jstep;

typedef struct hg_jsel {
  hg_jstep *steps;       /* hg_jpaths_add writes each KEY step's trie/slot */
  size_t n;
} hg_jsel;

/* The set of selectors a pruned parse keeps: a trie built once per run. */
typedef struct hg_jpaths hg_jpaths;
hg_jpaths *hg_jpaths_new(void);
/* Add one selector; everything below its last step is kept whole. Each KEY
 * step below no whole node gets its trie/slot (the selector's only change);
 * the steps must not be used from another thread meanwhile. */
void hg_jpaths_add(hg_jpaths *p, const hg_jsel *sel);
void hg_jpaths_free(hg_jpaths *p);

/*
 * Parse text[0..len) as one JSON value into arena a. Returns NULL on a syntax
 * error, setting *err_off (byte offset) and *err_msg (static text) when given.
 * Depth is limited (512); deeper input is an error, never a crash. The tree
 * refers to a copy of the text in a, never to text itself.
 */
hg_jv *hg_json_parse(hg_arena *a, const char *text, size_t len, size_t *err_off,
                     const char **err_msg);

/* As hg_json_parse, but keep only what paths can reach. The whole text is
 * still validated. */
hg_jv *hg_json_parse_pruned(hg_arena *a, const char *text, size_t len, const hg_jpaths *paths,
                            size_t *err_off, const char **err_msg);

/* Member of an object by key; NULL when absent or v is not an object. With
 * duplicate names, the first. */
const hg_jv *hg_jv_get(const hg_jv *v, const char *key, size_t keylen);

/* hg_jv_get(v, st->key, st->keylen) for a KEY step: by slot when v was
 * built under the trie node st was resolved at, else by name. v is not
 * NULL. */
static inline const hg_jv *hg_jv_step(const hg_jv *v, const hg_jstep *st)
{
  if (v->kind == HG_JV_OBJECT && st->trie && v->trie == st->trie) {
    uint32_t i = v->slots[st->slot];
    return i ? &v->items[i - 1] : NULL;
  }
  return hg_jv_get(v, st->key, st->keylen);
}

/* Append v as compact JSON (no spaces, document order) to out. */
void hg_jv_write(const hg_jv *v, hg_buf *out);

#endif
