/*
 * iam.c — placeholder until the action database and policy walker land.
 */
#include "hg/iam.h"

int hg_iam_lint_doc(const hg_doc *tmpl, const char *name, hg_diag_sink *sink)
{
  (void)tmpl;
  (void)name;
  (void)sink;
  return 0;
}
