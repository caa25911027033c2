/*
 * fp.c — placeholder filter-pattern checker (length and emptiness only)
 * until the full parser lands.
 */
#include "hg/fp.h"

#include <stdlib.h>

#include "hg/util.h"

struct hg_fp {
  hg_fp_kind kind;
};

hg_fp *hg_fp_parse(const char *text, size_t len, const hg_fp_origin *origin, hg_diag_sink *sink)
{
  (void)text;
  if (len > 1024) {
    hg_diag_add(sink, HG_SEV_ERROR, origin ? origin->file : NULL, origin ? origin->line : 0, 0,
                "pattern-too-long", "filter pattern is %zu bytes; CloudWatch Logs allows 1024", len);
    return NULL;
  }
  hg_fp *fp = xcalloc(1, sizeof *fp);
  fp->kind = len ? HG_FP_JSON : HG_FP_EMPTY;
  return fp;
}

void hg_fp_free(hg_fp *fp) { free(fp); }
hg_fp_kind hg_fp_kind_of(const hg_fp *fp) { return fp->kind; }
int hg_fp_regex_count(const hg_fp *fp) { (void)fp; return 0; }
