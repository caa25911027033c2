/*
 * plan_preflight.c — fill the preflight audit stack (the parent wires it
 * from its row, plan_stacks.c); trim the Config stack for `config.mode:
 * existing` (see plan_preflight.h, SPEC §10).
 */
#include "plan_preflight.h"

#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "plan_lambda.h"

/* ---- the checks and the actions they call ---- */

/* Per check (hg_preflight_checks order): the IAM actions its API calls
 * need (detective-preflight.md §B2; names as in share/iam-actions.txt). */
static const char *const check_actions[HG_PF_N_CHECKS][4] = {
    [HG_PF_CONFIG_RECORDER] = {"config:DescribeConfigurationRecorders", "config:DescribeDeliveryChannels"},
    [HG_PF_TRAIL_QUOTA] = {"cloudtrail:DescribeTrails"},
    [HG_PF_DUPLICATE_TRAIL] = {"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"},
    [HG_PF_ROOT_MFA] = {"iam:GetAccountSummary"},
    [HG_PF_ROOT_ACCESS_KEYS] = {"iam:GetAccountSummary"},
    [HG_PF_S3_PUBLIC_ACCESS_BLOCK] = {"s3:GetAccountPublicAccessBlock"},
    [HG_PF_EBS_DEFAULT_ENCRYPTION] = {"ec2:GetEbsEncryptionByDefault"},
    [HG_PF_PASSWORD_POLICY] = {"iam:GetAccountPasswordPolicy"},
};
/* With config.mode: existing the recorder check only asks "is one recording". */
static const char *const existing_recorder_actions[] = {"config:DescribeConfigurationRecorderStatus", NULL};

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t hg_plan_preflight_actions(const hg_profile *p, const char **out, size_t cap)
{
  size_t n = 0;
  for (size_t i = 0; i < HG_PF_N_CHECKS; i++) {
    if (p->preflight_checks[i] == HG_CHECK_OFF)
      continue;
    const char *const *acts = check_actions[i];
    if (i == HG_PF_CONFIG_RECORDER && p->config_existing)
      acts = existing_recorder_actions;
    for (size_t k = 0; k < 4 && acts[k]; k++) {
      bool dup = false;
      for (size_t j = 0; j < n; j++)
        dup = dup || strcmp(out[j], acts[k]) == 0;
      if (!dup && n + 1 < cap)
        out[n++] = acts[k];
    }
  }
  qsort(out, n, sizeof *out, cmp_str);
  out[n] = NULL;
  return n;
}

/* ---- the preflight template ---- */

static hg_doc *resource(hg_doc *tmpl, const char *id, const char *type, hg_diag_sink *sink)
{
  hg_doc *r = hg_doc_get(hg_doc_get(tmpl, "Resources"), id);
  const char *t = r ? hg_doc_get_str(r, "Type") : NULL;
  hg_doc *props = r ? hg_doc_get(r, "Properties") : NULL;
  if (!t || strcmp(t, type) != 0 || !props || props->kind != HG_DOC_MAP) {
    hg_diag_add(sink, HG_SEV_ERROR, "templates/preflight.global.yaml", 0, 0, "template-shape",
                "the preflight skeleton needs a resource %s of type %s with Properties", id, type);
    return NULL;
  }
  return props;
}

static const char *tf(bool b) { return b ? "true" : "false"; }

int hg_plan_preflight(const hg_compiled *c, const char *root, hg_doc *tmpl, struct hg_plan_inputs *in,
                      hg_diag_sink *sink)
{
  const hg_profile *p = c->profile;
  hg_doc *fn = resource(tmpl, "PreflightFunction", "AWS::Lambda::Function", sink);
  hg_doc *role = resource(tmpl, "PreflightRole", "AWS::IAM::Role", sink);
  hg_doc *cr = resource(tmpl, "Preflight", "Custom::HardengenPreflight", sink);
  hg_doc *code = hg_plan_lambda_code(root, "preflight", in, sink);
  if (!fn || !role || !cr || !code) {
    hg_doc_free(code);
    return -1;
  }
  hg_plan_doc_put(fn, "Code", code);
  /* Half the service timeout: the function answers (its calls are bounded
   * by a deadline it reads from the context) long before CloudFormation
   * would give up on it. */
  hg_plan_doc_put(fn, "Timeout", hg_doc_int(p->preflight_timeout / 2));

  /* The read policy: exactly the enabled checks' actions, or no read
   * policy at all when every check is off. */
  const char *acts[32];
  size_t n = hg_plan_preflight_actions(p, acts, HG_COUNTOF(acts));
  hg_doc *pols = hg_doc_get(role, "Policies");
  for (size_t i = 0; pols && pols->kind == HG_DOC_SEQ && i < pols->n; i++) {
    const char *name = hg_doc_get_str(pols->items[i], "PolicyName");
    if (!name || strcmp(name, "ReadAccountSettings") != 0)
      continue;
    if (n == 0) {
      hg_doc_free(pols->items[i]);
      memmove(&pols->items[i], &pols->items[i + 1], (pols->n - i - 1) * sizeof *pols->items);
      pols->n--;
      break;
    }
    hg_doc *st = hg_doc_get(hg_doc_get(pols->items[i], "PolicyDocument"), "Statement");
    if (st && st->kind == HG_DOC_SEQ && st->n > 0) {
      hg_doc *list = hg_doc_seq();
      for (size_t k = 0; k < n; k++)
        hg_doc_push_str(list, acts[k]);
      hg_plan_doc_put(st->items[0], "Action", list);
    }
  }

  hg_plan_doc_put(cr, "ServiceTimeout", hg_doc_int(p->preflight_timeout));
  hg_plan_doc_put(cr, "ConfigMode", hg_doc_str(p->config_existing ? "existing" : "managed"));
  hg_doc *checks = hg_doc_map();
  for (size_t i = 0; i < HG_PF_N_CHECKS; i++)
    hg_doc_set_str(checks, hg_preflight_checks[i], hg_check_level_name(p->preflight_checks[i]));
  hg_plan_doc_put(cr, "Checks", checks);
  /* The bar the password-policy check holds the account to: the profile's
   * iam-password-policy rule. Strings, as CloudFormation passes them. */
  hg_doc *pw = hg_doc_map();
  hg_doc_set(pw, "MinimumPasswordLength", hg_doc_strf("%d", p->pw_min_length));
  hg_doc_set(pw, "PasswordReusePrevention", hg_doc_strf("%d", p->pw_reuse_prevention));
  hg_doc_set(pw, "MaxPasswordAge", hg_doc_strf("%d", p->pw_max_age));
  hg_doc_set_str(pw, "RequireUppercaseCharacters", tf(p->pw_require_upper));
  hg_doc_set_str(pw, "RequireLowercaseCharacters", tf(p->pw_require_lower));
  hg_doc_set_str(pw, "RequireSymbols", tf(p->pw_require_symbols));
  hg_doc_set_str(pw, "RequireNumbers", tf(p->pw_require_numbers));
  hg_plan_doc_put(cr, "PasswordPolicy", pw);
  return 0;
}

/* ---- config.mode: existing ---- */

/* Drop every DependsOn entry naming a resource that no longer exists. */
static void prune_depends_on(hg_doc *res)
{
  for (size_t i = 0; i < res->n; i++) {
    hg_doc *r = res->items[i];
    hg_doc *dep = hg_doc_get(r, "DependsOn");
    if (!dep)
      continue;
    if (dep->kind == HG_DOC_STR) {
      if (!hg_doc_get(res, dep->str))
        hg_doc_remove(r, "DependsOn");
      continue;
    }
    if (dep->kind != HG_DOC_SEQ)
      continue;
    size_t k = 0;
    for (size_t j = 0; j < dep->n; j++) {
      if (dep->items[j]->kind == HG_DOC_STR && !hg_doc_get(res, dep->items[j]->str))
        hg_doc_free(dep->items[j]);
      else
        dep->items[k++] = dep->items[j];
    }
    dep->n = k;
    if (k == 0)
      hg_doc_remove(r, "DependsOn");
  }
}

void hg_plan_config_mode(const hg_profile *p, hg_doc *config)
{
  if (!p->config_existing)
    return;
  hg_doc *res = hg_doc_get(config, "Resources");
  const char *id;
  hg_doc *rec;
  while ((rec = hg_plan_find_resource(config, "AWS::Config::ConfigurationRecorder", &id))) {
    /* The recorder's role goes with it: RoleARN: !GetAtt ROLE.Arn. */
    hg_doc *ga = hg_doc_get(hg_doc_get(hg_doc_get(rec, "Properties"), "RoleARN"), "Fn::GetAtt");
    char *role = ga && ga->kind == HG_DOC_SEQ && ga->n && ga->items[0]->kind == HG_DOC_STR
                     ? xstrdup(ga->items[0]->str)
                     : NULL;
    hg_doc_remove(res, id);
    if (role)
      hg_doc_remove(res, role);
    free(role);
  }
  while (hg_plan_find_resource(config, "AWS::Config::DeliveryChannel", &id))
    hg_doc_remove(res, id);
  prune_depends_on(res);
  hg_doc_remove(hg_doc_get(config, "Parameters"), "Bucket4Logs");
  hg_doc *params = hg_doc_get(config, "Parameters");
  if (params && params->kind == HG_DOC_MAP && params->n == 0)
    hg_doc_remove(config, "Parameters");
  hg_plan_doc_put(config, "Description",
                  hg_doc_str("hardengen account hardening - AWS Config managed rules on the account's existing "
                             "recorder (config.mode: existing)"));
}
