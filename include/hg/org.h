/*
 * org.h — the profile's `org:` block (SPEC §12): where a StackSet rolls the
 * env's hardening out across an organization.
 *
 *   org:
 *     ou_ids: [ou-ab12-34cd56ef]        # or the root, r-ab12
 *     regions: [eu-west-1, us-east-1]   # known Region names, no repeats
 *     home_region: eu-west-1            # one of regions
 *     call_as: DELEGATED_ADMIN          # or SELF (default)
 *     auto_deployment: true             # default true
 *     retain_stacks_on_account_removal: false
 *     permission_model: SERVICE_MANAGED # the only model that follows OUs
 *     stack_set_name: hardengen-prod    # default hardengen-ENV
 *     preferences: { region_concurrency: PARALLEL, max_concurrent_percentage: 25,
 *                    failure_tolerance_percentage: 10 }
 *
 * hg_org_read checks the block and fills an hg_org. Every problem is a
 * diagnostic at the value's line and column (codes `org-*`). It checks the
 * shape and each value alone plus the rules of the StackSet API that
 * cfn-lint does not (AutoDeployment and OU targets only with
 * SERVICE_MANAGED, not both a count and a percentage, at most
 * HG_ORG_MAX_OUS OUs per CreateStackInstances call, MaxConcurrentCount
 * within FailureToleranceCount + 1 under STRICT_FAILURE_TOLERANCE); the
 * rules that need the built template are in stackset.h.
 *
 * Ownership: strings point into the profile's tree (borrowed); the arrays
 * are malloc'd and freed by hg_org_free.
 */
#ifndef HG_ORG_H
#define HG_ORG_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/profile.h"

#define HG_ORG_MAX_OUS 50  /* OrganizationalUnitIds per CreateStackInstances call */

typedef struct hg_org {
  const hg_yval *node;          /* the org: mapping, for diagnostics */
  const char **ou_ids;          /* in profile order */
  const hg_yval **ou_nodes;
  size_t n_ou;
  const char **regions;         /* in profile order */
  size_t n_regions;
  const char *home_region;
  const char *call_as;          /* "SELF" | "DELEGATED_ADMIN" */
  const char *permission_model; /* "SERVICE_MANAGED" (or "SELF_MANAGED", which the checks refuse) */
  const char *stack_set_name;   /* NULL: hardengen-ENV */
  bool auto_deployment;
  bool retain_stacks;
  /* preferences; -1 when unset */
  const char *region_concurrency; /* "SEQUENTIAL" | "PARALLEL" | NULL */
  const char *concurrency_mode;   /* "STRICT_FAILURE_TOLERANCE" | "SOFT_FAILURE_TOLERANCE" | NULL */
  const char **region_order;
  size_t n_region_order;
  int max_concurrent_count, max_concurrent_percentage;
  int failure_tolerance_count, failure_tolerance_percentage;
} hg_org;

/*
 * Check the org: node v and, when out is not NULL, fill *out (zeroed first;
 * free with hg_org_free even on failure). Returns the number of errors
 * added to sink.
 */
int hg_org_read(const hg_yval *v, hg_org *out, hg_diag_sink *sink);
void hg_org_free(hg_org *o);

/* Regions are checked with hg_valid_region (validate.h), as everywhere. */

/* True for "ou-" + 4-32 [a-z0-9] + "-" + 8-32 [a-z0-9], or "r-" + 4-32 [a-z0-9]
 * (the OrganizationalUnitIds pattern of the StackSet API). */
bool hg_org_valid_ou(const char *s);

#endif
