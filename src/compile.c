/*
 * compile.c — the pipeline's front half (see compile.h).
 */
#include "hg/compile.h"

#include <stdlib.h>
#include <string.h>

#include "hg/cis.h"
#include "hg/cli.h"
#include "hg/lua.h"
#include "hg/util.h"

int hg_compile_filters(const char *root, const char *env, hg_compiled *out, hg_diag_sink *sink)
{
  memset(out, 0, sizeof *out);
  hg_filterset_init(&out->filters);
  out->profile = hg_profile_load(root, env, sink);
  if (!out->profile)
    return -1;
  if (hg_lua_run(out->profile, root, hg_share_dir(), NULL, &out->filters, sink) != 0 ||
      hg_cis_select(out->profile, &out->filters, sink) != 0)
    goto fail;
  out->patterns = xcalloc(out->filters.n ? out->filters.n : 1, sizeof *out->patterns);
  for (size_t i = 0; i < out->filters.n; i++) {
    const hg_filter *f = &out->filters.v[i];
    hg_fp_origin o = {f->file, f->pattern_line ? f->pattern_line : f->line, f->pattern_col};
    out->patterns[i] = hg_fp_parse(f->pattern, strlen(f->pattern), &o, sink);
  }
  if (hg_diag_has_errors(sink))
    goto fail;
  return 0;
fail:
  hg_compiled_free(out);
  return -1;
}

void hg_compiled_free(hg_compiled *c)
{
  if (c->patterns)
    for (size_t i = 0; i < c->filters.n; i++)
      hg_fp_free(c->patterns[i]);
  free(c->patterns);
  hg_filterset_free(&c->filters);
  hg_profile_free(c->profile);
  memset(c, 0, sizeof *c);
}
