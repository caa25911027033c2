/*
 * cis.c — CIS variant selection (placeholder: the first variant wins until
 * the checker-driven selector lands).
 */
#include "hg/cis.h"

#include <stdlib.h>

#include "hg/util.h"

int hg_cis_select(const hg_profile *p, hg_filterset *fs, hg_diag_sink *sink)
{
  (void)p;
  (void)sink;
  for (size_t i = 0; i < fs->n; i++) {
    hg_filter *f = &fs->v[i];
    if (f->n_variants && !f->pattern)
      f->pattern = xstrdup(f->variants[0].pattern);
  }
  return 0;
}

int hg_cis_report(const hg_profile *p, const hg_filterset *fs, const char *format, FILE *out)
{
  (void)p;
  (void)fs;
  (void)format;
  fputs("CIS compliance preview is not available yet\n", out);
  return 0;
}
