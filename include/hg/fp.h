/*
 * fp.h — CloudWatch Logs filter patterns: parse, check, print, evaluate.
 *
 * Stage 3 of the pipeline and the engine behind `match` and `test`. All four
 * kinds are handled: JSON ({ $.a = "x" && ... }), term (ERROR -DEBUG, ?a ?b,
 * "phrase"), space-delimited ([ip, user, ...]) and regex (%...%), with the
 * limits, rules and semantics of shared/reference/filter-patterns.md. The
 * parser is hand-written recursive descent with a depth limit; it reports
 * every problem it can and never crashes on any byte sequence. The regex
 * engine runs in time linear in its input (no backtracking).
 *
 * Ownership: an hg_fp owns its AST; hg_fp_free releases it.
 */
#ifndef HG_FP_H
#define HG_FP_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/json.h"

typedef enum { HG_FP_EMPTY, HG_FP_JSON, HG_FP_TERM, HG_FP_SPACE, HG_FP_REGEX } hg_fp_kind;

typedef struct hg_fp hg_fp;

/*
 * Where a pattern's text came from, so diagnostics point into the right file:
 * a column inside the pattern maps to file:line:(col + offset) when
 * col_base > 0 (a plain string literal), else to file:line with the pattern
 * itself shown as the snippet under the caret. file may be NULL (command
 * line): then only the snippet is shown.
 */
typedef struct hg_fp_origin {
  const char *file;
  int line;
  int col_base;   /* column of the pattern's first byte in file, or 0 */
} hg_fp_origin;

/*
 * Parse and check text. Errors and warnings go to sink. Returns NULL when an
 * error was added; warnings alone still return the AST.
 */
hg_fp *hg_fp_parse(const char *text, size_t len, const hg_fp_origin *origin, hg_diag_sink *sink);
void hg_fp_free(hg_fp *fp);

hg_fp_kind hg_fp_kind_of(const hg_fp *fp);
/* Number of %regex% in the pattern (a log group allows 5 regex filters). */
int hg_fp_regex_count(const hg_fp *fp);

/* Canonical text (malloc'd): parse(print(x)) gives an AST equal to x. */
char *hg_fp_print(const hg_fp *fp);
/* Structural equality of two ASTs. */
bool hg_fp_equal(const hg_fp *a, const hg_fp *b);

/*
 * Evaluate against one event. event is the parsed JSON (NULL when the
 * message is not a JSON object); raw/rawlen is the message text (for
 * CloudTrail: the record's compact JSON). JSON patterns read only event;
 * term, regex and space-delimited patterns read only raw. Regexes cache a
 * lazily built DFA inside the pattern, so one hg_fp must not be matched from
 * two threads at once.
 */
bool hg_fp_match(const hg_fp *fp, const hg_jv *event, const char *raw, size_t rawlen);

/* True when evaluation reads raw text (term, regex, space-delimited, empty). */
bool hg_fp_needs_raw(const hg_fp *fp);
/* Every selector a JSON pattern reads, for hg_jpaths_add (which resolves
 * the steps to member slots, json.h: the pattern then finds members of
 * trees built with those paths without comparing names). */
void hg_fp_selectors(const hg_fp *fp, void (*fn)(void *ud, const hg_jsel *sel), void *ud);
/* Give copy the member slots of src's steps, copy being equal to src
 * (hg_fp_equal; a per-thread reparse): it then reads trees built with
 * src's paths as fast, without adding to (writing) the shared trie. */
void hg_fp_copy_slots(hg_fp *copy, const hg_fp *src);

/*
 * A necessary condition of JSON pattern fp on the top-level member key
 * (fp_guard.c): when every event fp matches has that member, with a text
 * (a string's unescaped bytes, a number's source text, "true"/"false")
 * equal to one of a finite set of values, call fn once per value and
 * return true. Otherwise (no such condition found) return false and call
 * nothing. Values point into fp.
 */
bool hg_fp_guard(const hg_fp *fp, const char *key, size_t keylen,
                 void (*fn)(void *ud, const char *value, size_t len), void *ud);

/*
 * The top-level members every event fp matches has (fp_guard.c): fn is
 * called once per member with a step of fp's selectors naming it (resolved
 * to its member slot once those selectors were added to a trie, json.h).
 * A condition other than NOT EXISTS is false when its selector's first
 * member is absent; AND needs what any operand needs (at most 8 members
 * are listed), OR what every operand needs. Nothing is called for a
 * pattern that is not JSON.
 */
void hg_fp_required(const hg_fp *fp, void (*fn)(void *ud, const hg_jstep *st), void *ud);

#endif
