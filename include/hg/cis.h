/*
 * cis.h — CIS versions and checker targets.
 *
 * The shipped filters/cis.lua declares each CIS monitoring control once, with
 * pattern variants (the Security Hub string, the CIS text per version, the
 * forms prowler and steampipe accept). For the profile's cis.version and
 * cis.targets, hg_cis_select replaces each control by the fewest concrete
 * filters such that every listed checker passes: the Security Hub string
 * byte for byte where securityhub is a target, and a second filter named
 * ID-cis where no single pattern satisfies all targets. The checkers are the
 * offline acceptance logic of shared/reference/cis-controls.json.
 */
#ifndef HG_CIS_H
#define HG_CIS_H

#include <stdio.h>

#include "hg/diag.h"
#include "hg/filter.h"
#include "hg/profile.h"

/*
 * Resolve every filter that carries variants into concrete filters for the
 * profile (filters without variants are left alone; controls that do not
 * exist in the profile's CIS version are dropped). Returns 0, or -1 with an
 * error in sink when the result would fail one of the profile's targets.
 */
int hg_cis_select(const hg_profile *p, hg_filterset *fs, hg_diag_sink *sink);

/*
 * The compliance preview of `hardengen check --cis`: for each control and
 * each target of the profile, pass or fail with the reason, judged on the
 * selected filter set fs. format is "text" or "json". Returns the number of
 * failing (control, target) pairs.
 */
int hg_cis_report(const hg_profile *p, const hg_filterset *fs, const char *format, FILE *out);

#endif
