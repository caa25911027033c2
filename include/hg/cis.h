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
 * offline acceptance logic of shared/reference/cis-controls.json ("checkers").
 *
 * Two source files: cis_check.c holds the control facts and the three
 * checkers (pure functions of a pattern text); cis_select.c holds the
 * selection, the verification of the final set and the compliance report.
 *
 * Invariants after hg_cis_select: no filter has variants; every filter made
 * from a control has control == the control id and a pattern; ids stay
 * unique (a collision with the "-cis" suffix is an error).
 */
#ifndef HG_CIS_H
#define HG_CIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/filter.h"
#include "hg/profile.h"

/* The CIS versions hardengen knows, oldest first. */
#define HG_CIS_NVERSIONS 4
extern const char *const hg_cis_versions[HG_CIS_NVERSIONS];
/* Index of a version in hg_cis_versions, or -1. */
int hg_cis_version_index(const char *version);

/* One CIS monitoring control as the facts describe it (static storage). */
typedef struct hg_cis_control {
  const char *id;                    /* e.g. "unauthorized-api-calls" */
  const char *cis[HG_CIS_NVERSIONS]; /* number per version ("3.1", "4.1"); NULL: absent */
  const char *securityhub;           /* "CloudWatch.2", or NULL (no Security Hub control) */
  const char *securityhub_pattern;   /* the documented string, byte for byte, or NULL */
} hg_cis_control;

/* The controls in CIS order: hg_cis_control_at(0 .. count-1); NULL past
 * the end. The checkers accept only pointers obtained from these two and
 * hg_cis_control_find. */
size_t hg_cis_control_count(void);
const hg_cis_control *hg_cis_control_at(size_t i);
/* The control with this id, or NULL. */
const hg_cis_control *hg_cis_control_find(const char *id);

/* Target names: HG_TARGET_SECURITYHUB -> "securityhub", ... (one bit only);
 * NULL for anything else. */
const char *hg_cis_target_name(unsigned target);

/* False when the target has nothing to judge for the control (Security Hub
 * has no control for organizations-changes). */
bool hg_cis_target_applies(const hg_cis_control *c, unsigned target);

/*
 * Judge one pattern text for one control by one checker (target: one
 * HG_TARGET_* bit). Returns true when it passes. When reason is not NULL,
 * *reason receives a malloc'd one-line explanation on failure (the caller
 * frees it), and NULL on success. A target that does not apply passes.
 */
bool hg_cis_check(const hg_cis_control *c, unsigned target, const char *pattern,
                  char **reason);

/*
 * Resolve every filter that carries variants into concrete filters for the
 * profile (filters without variants are left alone; controls that do not
 * exist in the profile's CIS version are dropped). Per control it picks the
 * fewest variants valid for the version such that every target in
 * p->cis_targets passes (subsets tried by size, in the preference order of
 * the Lua file, with the Security Hub string tried last when securityhub is
 * not a target). The first keeps the id, a second gets "-cis". Each emitted
 * filter has pattern, pattern_line (the variant's line), control, cis and
 * securityhub set, and no variants. Returns 0, or -1 with errors in sink
 * (no variant set passes; an id collision; an unknown cis.version).
 */
int hg_cis_select(const hg_profile *p, hg_filterset *fs, hg_diag_sink *sink);

/*
 * Check the final filter set (after profile overrides and disables) against
 * the profile's targets: every control that still has a filter must pass
 * every target, judged like the checkers do (any filter in the set counts).
 * Each failure is an error naming control, target and reason
 * [cis-target-failed] at the control's filter; a control disabled through
 * filters.disable gets a warning [cis-control-disabled]. Returns 0, or -1
 * when an error was added.
 */
int hg_cis_verify(const hg_profile *p, const hg_filterset *fs, hg_diag_sink *sink);

/*
 * The compliance preview of `hardengen check --cis`: for each control of the
 * profile's version and each target of the profile, pass, fail or n/a with
 * the reason, judged on the selected filter set fs. format is "text" (a
 * table) or "json" (the same rows). Returns the number of failing
 * (control, target) pairs, or -1 for an unknown format (nothing written).
 */
int hg_cis_report(const hg_profile *p, const hg_filterset *fs, const char *format, FILE *out);
/* The rows of the "json" format as a document (the caller frees it), for
 * readers inside the program (the HTML report); NULL for an unknown
 * version. */
hg_doc *hg_cis_report_doc(const hg_profile *p, const hg_filterset *fs);

#endif
