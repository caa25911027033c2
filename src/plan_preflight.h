/*
 * plan_preflight.h — the preflight audit stack of SPEC §10 and the Config
 * stack's `config.mode: existing`. The parent runs the audit first: its
 * row in hg_plan_stacks (plan_model.h) says so.
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
 * config.mode: existing — remove the recorder, the delivery channel, the
 * recorder's role and the Bucket4Logs parameter from the Config template,
 * and the DependsOn entries naming them (the parent then passes ConfigStack
 * no Bucket4Logs: hg_plan_params_pass). Rules stay. A no-op for
 * config.mode: managed.
 */
void hg_plan_config_mode(const hg_profile *p, hg_doc *config);

#endif
