/*
 * plan_params.c — the parameters the stack set takes from the profile (see
 * plan_model.h): one row each, read by the parent, the child stacks, the
 * manifest, the Default checks and the StackSet flattener.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hg/plan_model.h"
#include "hg/util.h"
#include "plan_int.h"

#define TRAIL HG_STACK_BIT(HG_STACK_CLOUDTRAIL)
#define CONFIG HG_STACK_BIT(HG_STACK_CONFIG)
#define ALARMS HG_STACK_BIT(HG_STACK_CLOUDWATCH)
#define PARTS HG_STACK_BIT(HG_STACK_CLOUDWATCH_PART)
#define DETECTIVE HG_STACK_BIT(HG_STACK_DETECTIVE)
#define PREFLIGHT HG_STACK_BIT(HG_STACK_PREFLIGHT)

const hg_plan_param hg_plan_params[] = {
    {HG_PLAN_TEMPLATE_URL_PARAM, "templates.bucket_url", HG_PARAM_STRING,
     offsetof(hg_profile, templates_bucket_url), NULL,
     "https URL of the S3 folder that holds the child templates, ending with a slash", 0,
     HG_PARAM_TEMPLATE_FOLDER},
    {"Bucket4Logs", "logs.bucket", HG_PARAM_STRING, offsetof(hg_profile, logs_bucket), NULL,
     "Name of the S3 bucket created for CloudTrail and AWS Config logs", TRAIL | CONFIG,
     HG_PARAM_PER_ACCOUNT},
    {"LogRetentionDays", "logs.retention_days", HG_PARAM_NUMBER, offsetof(hg_profile, retention_days),
     NULL, "Days CloudWatch Logs keeps the CloudTrail log group", TRAIL | PREFLIGHT, 0},
    {"AWSAccountName", "account.name", HG_PARAM_STRING, offsetof(hg_profile, account_name), NULL,
     "Short account name used in trail, log group, topic and alarm names",
     TRAIL | ALARMS | PARTS | DETECTIVE | PREFLIGHT, 0},
    {"InfosecEmail", "notify.infosec", HG_PARAM_STRING, offsetof(hg_profile, infosec_email), NULL,
     "Address subscribed to the infosec alarm topic", ALARMS, 0},
    {"DevOpsEmail", "notify.devops", HG_PARAM_STRING, offsetof(hg_profile, devops_email), NULL,
     "Address subscribed to the devops alarm topic", ALARMS, 0},
};
const size_t hg_plan_n_params = HG_COUNTOF(hg_plan_params);

const hg_plan_param *hg_plan_param_find(const char *name)
{
  for (size_t i = 0; name && i < hg_plan_n_params; i++)
    if (strcmp(hg_plan_params[i].name, name) == 0)
      return &hg_plan_params[i];
  return NULL;
}

const char *hg_plan_param_type(const hg_plan_param *r)
{
  switch (r->kind) {
  case HG_PARAM_STRING:
    return "String";
  case HG_PARAM_NUMBER:
    return "Number";
  }
  return "String";
}

static const char *string_field(const hg_plan_param *r, const hg_profile *p)
{
  const char *v;
  memcpy(&v, (const char *)p + r->offset, sizeof v);
  return v ? v : r->fallback;
}

static int int_field(const hg_plan_param *r, const hg_profile *p)
{
  int v;
  memcpy(&v, (const char *)p + r->offset, sizeof v);
  return v;
}

hg_doc *hg_plan_param_default(const hg_plan_param *r, const hg_profile *p)
{
  switch (r->kind) {
  case HG_PARAM_STRING: {
    const char *v = string_field(r, p);
    return v ? hg_doc_str(v) : NULL;
  }
  case HG_PARAM_NUMBER:
    return hg_doc_int(int_field(r, p));
  }
  return NULL;
}

char *hg_plan_param_value(const hg_plan_param *r, const hg_profile *p)
{
  switch (r->kind) {
  case HG_PARAM_STRING: {
    const char *v = string_field(r, p);
    return v ? xstrdup(v) : NULL;
  }
  case HG_PARAM_NUMBER:
    return xasprintf("%d", int_field(r, p));
  }
  return NULL;
}

const char *hg_plan_param_per_account(void)
{
  for (size_t i = 0; i < hg_plan_n_params; i++)
    if (hg_plan_params[i].flags & HG_PARAM_PER_ACCOUNT)
      return hg_plan_params[i].name;
  return NULL;
}

const char *hg_plan_param_template_folder(void)
{
  for (size_t i = 0; i < hg_plan_n_params; i++)
    if (hg_plan_params[i].flags & HG_PARAM_TEMPLATE_FOLDER)
      return hg_plan_params[i].name;
  return HG_PLAN_TEMPLATE_URL_PARAM; /* the table always has the row */
}

void hg_plan_params_fill_parent(const hg_profile *p, hg_doc *parent)
{
  hg_doc *params = hg_doc_get(parent, "Parameters");
  if (!params || params->kind != HG_DOC_MAP) {
    hg_doc_remove(parent, "Parameters");
    params = hg_doc_set_map(parent, "Parameters");
  }
  for (size_t i = 0; i < hg_plan_n_params; i++) {
    const hg_plan_param *r = &hg_plan_params[i];
    hg_doc *prm = hg_doc_get(params, r->name);
    if (!prm || prm->kind != HG_DOC_MAP) {
      prm = hg_doc_map();
      hg_doc_set_str(prm, "Type", hg_plan_param_type(r));
      hg_doc_set_str(prm, "Description", r->description);
      hg_plan_doc_put(params, r->name, prm);
    }
    hg_doc *v = hg_plan_param_default(r, p);
    if (v)
      hg_plan_doc_put(prm, "Default", v);
  }
}

void hg_plan_params_pass(hg_doc *stack, const hg_doc *child)
{
  hg_doc *props = hg_doc_get(stack, "Properties");
  if (!props || props->kind != HG_DOC_MAP)
    return;
  const hg_doc *declared = hg_doc_get(child, "Parameters");
  hg_doc *pp = hg_doc_get(props, "Parameters");
  if (pp && pp->kind != HG_DOC_MAP)
    return; /* not a map the planner can edit: left for the template checks */
  for (size_t i = 0; declared && declared->kind == HG_DOC_MAP && i < declared->n; i++) {
    if (!hg_plan_param_find(declared->keys[i]))
      continue;
    if (!pp)
      pp = hg_doc_set_map(props, "Parameters");
    hg_plan_doc_put(pp, declared->keys[i], hg_doc_ref(declared->keys[i]));
  }
  for (size_t i = 0; pp && i < hg_plan_n_params; i++)
    if (!hg_doc_get(declared, hg_plan_params[i].name))
      hg_doc_remove(pp, hg_plan_params[i].name);
  if (pp && pp->n == 0)
    hg_doc_remove(props, "Parameters");
}
