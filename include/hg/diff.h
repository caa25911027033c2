/*
 * diff.h — compare a freshly built stack set with the one in OUT/ENV/ (the
 * checked-in templates), and render the differences as a unified diff.
 *
 * The engine of `hardengen diff`, `build --check` and the stale-output
 * guard of `publish` (SPEC §14). Files are compared byte for byte; only the
 * differing ones are diffed, line by line (Myers' O(ND) algorithm on the
 * part between the common prefix and suffix, bounded: past HG_DIFF_MAX_D
 * edits the middle is shown replaced as a whole, still a correct diff).
 */
#ifndef HG_DIFF_H
#define HG_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/plan.h"

#define HG_DIFF_MAX_D 2000
#define HG_DIFF_CONTEXT 3

typedef enum {
  HG_DIFF_SAME,
  HG_DIFF_CHANGED, /* in both, bytes differ */
  HG_DIFF_ADDED,   /* only in the fresh build (a build would write it) */
  HG_DIFF_REMOVED, /* only in OUT/ENV (a build would delete it) */
} hg_diff_state;

typedef struct hg_diff_file {
  char *name;          /* owned; file name inside OUT/ENV */
  hg_diff_state state;
  char *old_text;      /* owned; the file in OUT/ENV (NULL when ADDED) */
  size_t old_len;
  const char *new_text; /* borrowed from the plan (NULL when REMOVED) */
  size_t new_len;
} hg_diff_file;

typedef struct hg_diff_set {
  hg_diff_file *v;     /* owned; the plan's files in upload order, manifest.json, then removed ones by name */
  size_t n;
  size_t differ;       /* files whose state is not SAME */
  bool dir_missing;    /* OUT/ENV does not exist */
} hg_diff_set;

/*
 * Compare plan p with the folder dir (OUT/ENV). Hidden files and
 * sub-folders of dir are ignored. A file that exists but cannot be read is
 * an error in sink (code diff-read) and -1 is returned; else the number of
 * differing files. out must be freed with hg_diff_set_free in both cases.
 */
int hg_diff_compare(const hg_plan *p, const char *dir, hg_diff_set *out, hg_diag_sink *sink);
void hg_diff_set_free(hg_diff_set *s);

/*
 * A unified diff ("diff -u", HG_DIFF_CONTEXT lines of context) from text a
 * to text b, with the header lines "--- LABEL_A" and "+++ LABEL_B"; a NULL
 * text is an absent file (label "/dev/null" is then the caller's choice).
 * Returns malloc'd text, empty when the texts are equal.
 */
char *hg_diff_unified(const char *label_a, const char *a, size_t alen, const char *label_b,
                      const char *b, size_t blen);

#endif
