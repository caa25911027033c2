/*
 * compile.h — the front half of the pipeline, shared by build, check, list,
 * test and publish:
 *
 *   load profile -> run Lua filter maps -> CIS selection -> profile
 *   overrides/disable -> parse and check every pattern
 *
 * Each stage reports all its errors to the sink; the driver stops before the
 * next stage when the sink holds an error.
 */
#ifndef HG_COMPILE_H
#define HG_COMPILE_H

#include "hg/diag.h"
#include "hg/filter.h"
#include "hg/fp.h"
#include "hg/profile.h"

typedef struct hg_compiled {
  hg_profile *profile;       /* owned */
  hg_filterset filters;      /* the final set, in emission order */
  hg_fp **patterns;          /* owned; parsed pattern of filters.v[i] */
  hg_res *res;               /* owned; root, share folder and the digests of the
                              * profile and filter files as read (NULL when the
                              * set was built by hand: nothing was read) */
} hg_compiled;

/*
 * Run the front half for ROOT and ENV. Returns 0 with *out filled, or -1 when
 * an error was added to sink (out is then empty and needs no free).
 */
int hg_compile_filters(const char *root, const char *env, hg_compiled *out, hg_diag_sink *sink);
void hg_compiled_free(hg_compiled *c);

/*
 * The profile's filters.disable and filters.override applied to fs (after
 * CIS selection). An entry names a filter by id or by the CIS control it
 * was selected from. origins (fs->n entries, may be NULL) are kept parallel
 * to fs; an overridden pattern's origin becomes the profile node. Every
 * unknown id is an error with did-you-mean. Returns 0 or -1.
 */
int hg_compile_apply_profile(const hg_profile *p, hg_filterset *fs, hg_fp_origin *origins,
                             hg_diag_sink *sink);

#endif
