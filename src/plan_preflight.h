/*
 * plan_preflight.h — the preflight audit stack of SPEC §10 and the two
 * places it touches the rest of the set: the parent (the audit runs first)
 * and the Config stack (`config.mode: existing`).
 *
 *   templates/preflight.global.yaml + profile.preflight + share/lambda/preflight.py
 *     -> preflight.global (function, role with the enabled checks' actions,
 *        log group, Custom::HardengenPreflight)
 *
 * The role's read policy lists exactly the actions the enabled checks call
 * (hg_plan_preflight_actions); the Lambda Timeout is half the ServiceTimeout
 * so the function always answers before CloudFormation gives up.
 */
#ifndef HG_PLAN_PREFLIGHT_H
#define HG_PLAN_PREFLIGHT_H

#include <stddef.h>

#include "hg/compile.h"
#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/plan.h"

struct hg_plan_inputs;

/* Logical id of the preflight stack in the parent, and its output. */
#define HG_PLAN_PREFLIGHT_STACK "PreflightStack"
#define HG_PLAN_PREFLIGHT_OUTPUT "PreflightWarnings"
/* Names the Config stack gives its recorder and delivery channel. */
#define HG_PLAN_CONFIG_RECORDER_NAME "hardengen"

/*
 * The IAM actions the profile's enabled checks call, sorted and unique, as
 * a static NULL-terminated list in out (at least 16 slots). Returns the count.
 */
size_t hg_plan_preflight_actions(const hg_profile *p, const char **out, size_t cap);

/*
 * Fill the preflight skeleton tmpl in place for profile c->profile: inline
 * code (hg_plan_lambda_code, digested into in), timeouts, the role's read
 * actions, the custom resource's properties. Returns 0, or -1 with an error
 * in sink (missing handler, skeleton without the expected resources).
 */
int hg_plan_preflight(const hg_compiled *c, const char *root, hg_doc *tmpl, struct hg_plan_inputs *in,
                      hg_diag_sink *sink);

/*
 * Add the preflight stack to the parent as its first resource, make every
 * other AWS::CloudFormation::Stack DependsOn it, and add the parent output
 * PreflightWarnings. Call it after every child is in the parent.
 */
void hg_plan_preflight_parent(hg_doc *parent, hg_plan_format f);

/*
 * config.mode: existing — remove the recorder, the delivery channel, the
 * recorder's role and the Bucket4Logs parameter from the Config template,
 * the DependsOn entries naming them, and ConfigStack's Bucket4Logs in the
 * parent. Rules stay. A no-op for config.mode: managed.
 */
void hg_plan_config_mode(const hg_profile *p, hg_doc *config, hg_doc *parent);

#endif
