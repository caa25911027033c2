/*
 * iam.h — the IAM action linter.
 *
 * AWS does not check action names: a typo in an Allow grants nothing, and the
 * same typo in a Deny, an SCP or a NotAction under Allow fails open. The
 * linter checks every Action/NotAction of every policy against the shipped
 * list of IAM actions (share/hardengen/iam-actions.txt): unknown service,
 * unknown action, a wildcard that matches nothing, non-canonical casing.
 * Severity follows the effect (fail-open cases are errors).
 */
#ifndef HG_IAM_H
#define HG_IAM_H

#include "hg/diag.h"
#include "hg/doc.h"

/*
 * Lint every policy inside a generated template (the document model), as
 * `build` and `check` do before writing. name is the template's file name,
 * used as the diagnostic file. Returns the number of findings added.
 */
int hg_iam_lint_doc(const hg_doc *tmpl, const char *name, hg_diag_sink *sink);

#endif
