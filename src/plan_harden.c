/*
 * plan_harden.c — the profile's hardening options applied to the filled
 * templates: the trail's data event and Insights selectors, the log
 * bucket's Object Lock and break-glass statement, the parent's account
 * assertion, extra alarm subscriptions, tags, and the IAM capability the
 * set needs.
 *
 * Each function edits one template in place and never fails: the values
 * were checked by the profile loader. Resources are found by logical id;
 * a user skeleton without one is left as it is (cfn-lint and the quota
 * checks judge the result).
 */
#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "plan_int.h"

static hg_doc *resource(hg_doc *tmpl, const char *id)
{
  return hg_doc_get(hg_doc_get(tmpl, "Resources"), id);
}

static hg_doc *props(hg_doc *tmpl, const char *id)
{
  return hg_doc_get(resource(tmpl, id), "Properties");
}

/* {Field: NAME, KEY: [value]} with a plain or an Fn::Sub value. */
static hg_doc *field_selector(const char *field, const char *op, hg_doc *value)
{
  hg_doc *f = hg_doc_map();
  hg_doc_set_str(f, "Field", field);
  hg_doc_push(hg_doc_set_seq(f, op), value);
  return f;
}

static hg_doc *selector(hg_doc *list, const char *name)
{
  hg_doc *s = hg_doc_push(list, hg_doc_map());
  hg_doc_set_str(s, "Name", name);
  hg_doc_set_seq(s, "FieldSelectors");
  return hg_doc_get(s, "FieldSelectors");
}

/* CloudTrail advanced event selectors: every management event (what the
 * trail records with no selectors, as CIS asks), plus S3 object-level
 * events (CIS v1.4+ 3.10 write, 3.11 read) outside the log bucket itself —
 * logging the trail's own deliveries would feed on itself. */
static void trail_selectors(const hg_profile *p, hg_doc *trail_props)
{
  if (p->s3_data_events == HG_DATA_NONE)
    return;
  hg_doc *list = hg_doc_seq();
  hg_doc *mgmt = selector(list, "Management events");
  hg_doc_push(mgmt, field_selector("eventCategory", "Equals", hg_doc_str("Management")));
  static const char *const names[] = {NULL, "S3 object-level write events", "S3 object-level read events",
                                      "S3 object-level events"};
  hg_doc *data = selector(list, names[p->s3_data_events]);
  hg_doc_push(data, field_selector("eventCategory", "Equals", hg_doc_str("Data")));
  hg_doc_push(data, field_selector("resources.type", "Equals", hg_doc_str("AWS::S3::Object")));
  if (p->s3_data_events != HG_DATA_ALL)
    hg_doc_push(data, field_selector("readOnly", "Equals",
                                     hg_doc_str(p->s3_data_events == HG_DATA_READ ? "true" : "false")));
  hg_doc_push(data, field_selector("resources.ARN", "NotStartsWith",
                                   hg_doc_sub("arn:${AWS::Partition}:s3:::${Bucket4Logs}/")));
  hg_plan_doc_put(trail_props, "AdvancedEventSelectors", list);
}

/* S3 Object Lock: the default retention of every log object. */
static void object_lock(const hg_profile *p, hg_doc *bucket_props)
{
  if (!p->object_lock_mode)
    return;
  hg_plan_doc_put(bucket_props, "ObjectLockEnabled", hg_doc_bool(true));
  hg_doc *cfg = hg_doc_map();
  hg_doc_set_str(cfg, "ObjectLockEnabled", "Enabled");
  hg_doc *ret = hg_doc_set_map(hg_doc_set_map(cfg, "Rule"), "DefaultRetention");
  hg_doc_set_str(ret, "Mode", p->object_lock_mode);
  hg_doc_set_int(ret, "Days", p->object_lock_days);
  hg_plan_doc_put(bucket_props, "ObjectLockConfiguration", cfg);
}

/* Nobody deletes log objects. With a break-glass role, nobody else changes
 * the bucket's policy, lifecycle, versioning or Object Lock either (the
 * root user can still delete a bucket policy that locks everyone out).
 * Without one, only deletion is denied, so stack updates still work. */
static void break_glass(const hg_profile *p, hg_doc *policy_props)
{
  hg_doc *stmts = hg_doc_get(hg_doc_get(policy_props, "PolicyDocument"), "Statement");
  if (!stmts || stmts->kind != HG_DOC_SEQ)
    return;
  hg_doc *s = hg_doc_push(stmts, hg_doc_map());
  hg_doc_set_str(s, "Sid", p->break_glass_role ? "DenyTamperingExceptBreakGlass" : "DenyLogDeletion");
  hg_doc_set_str(s, "Effect", "Deny");
  hg_doc_set_str(s, "Principal", "*");
  hg_doc *act = hg_doc_set_seq(s, "Action");
  hg_doc_push_str(act, "s3:DeleteObject");
  hg_doc_push_str(act, "s3:DeleteObjectVersion");
  if (p->break_glass_role) {
    hg_doc_push_str(act, "s3:DeleteBucketPolicy");
    hg_doc_push_str(act, "s3:PutBucketObjectLockConfiguration");
    hg_doc_push_str(act, "s3:PutBucketPolicy");
    hg_doc_push_str(act, "s3:PutBucketVersioning");
    hg_doc_push_str(act, "s3:PutLifecycleConfiguration");
  }
  hg_doc *res = hg_doc_set_seq(s, "Resource");
  hg_doc_push(res, hg_doc_getatt("LogBucket", "Arn"));
  hg_doc_push(res, hg_doc_sub("${LogBucket.Arn}/*"));
  if (p->break_glass_role) {
    hg_doc *cond = hg_doc_set_map(hg_doc_set_map(s, "Condition"), "ArnNotEquals");
    hg_doc_set_str(cond, "aws:PrincipalArn", p->break_glass_role);
  }
}

void hg_plan_harden_trail(const hg_profile *p, hg_doc *trail)
{
  hg_doc *tp = props(trail, "Trail");
  if (tp) {
    trail_selectors(p, tp);
    if (p->insights) {
      hg_doc *ins = hg_doc_seq();
      hg_doc_set_str(hg_doc_push(ins, hg_doc_map()), "InsightType", "ApiCallRateInsight");
      hg_doc_set_str(hg_doc_push(ins, hg_doc_map()), "InsightType", "ApiErrorRateInsight");
      hg_plan_doc_put(tp, "InsightSelectors", ins);
    }
  }
  hg_doc *bp = props(trail, "LogBucket");
  if (bp)
    object_lock(p, bp);
  hg_doc *pp = props(trail, "LogBucketPolicy");
  if (pp)
    break_glass(p, pp);
}

/* A stack launched in another account fails before it creates anything:
 * CloudFormation evaluates Rules first. */
void hg_plan_harden_parent(const hg_profile *p, hg_doc *parent)
{
  if (!p->account_id)
    return;
  hg_doc *rules = hg_doc_map();
  hg_doc *rule = hg_doc_set_map(rules, "ExpectedAccount");
  hg_doc *a = hg_doc_push(hg_doc_set_seq(rule, "Assertions"), hg_doc_map());
  hg_doc *eq = hg_doc_set_seq(a, "Fn::Equals");
  hg_doc_push(eq, hg_doc_ref("AWS::AccountId"));
  hg_doc_push_str(eq, p->account_id);
  hg_doc_set(a, "AssertDescription",
             hg_doc_strf("This stack set was compiled for account %s (%s): launch it there, or rebuild "
                         "it for this account",
                         p->account_id, p->account_name ? p->account_name : "account.name"));
  /* Rules sit before Resources, as in the AWS examples. */
  hg_doc *out = hg_doc_map();
  for (size_t i = 0; i < parent->n; i++) {
    if (strcmp(parent->keys[i], "Resources") == 0)
      hg_doc_set(out, "Rules", rules);
    hg_doc_set(out, parent->keys[i], parent->items[i]);
    free(parent->keys[i]);
  }
  free(parent->keys);
  free(parent->items);
  *parent = *out;
  free(out);
}

/* Every endpoint of notify.infosec / notify.devops but the first email
 * (the InfosecEmail / DevOpsEmail parameter's subscription). A Lambda
 * endpoint also gets the permission SNS needs to invoke it; an SQS queue's
 * own policy is its owner's to set. */
static void subscribe(hg_doc *res, const char *stem, const char *topic_id, const hg_endpoint *ep, size_t n,
                      const char *first_email)
{
  size_t k = 1;
  bool skipped = false;
  for (size_t i = 0; i < n; i++) {
    if (!skipped && ep[i].kind == HG_EP_EMAIL && first_email && strcmp(ep[i].value, first_email) == 0) {
      skipped = true;
      continue;
    }
    k++;
    char *id = xasprintf("%sSubscription%zu", stem, k);
    hg_doc *r = hg_doc_set(res, id, hg_doc_map());
    hg_doc_set_str(r, "Type", "AWS::SNS::Subscription");
    hg_doc *pr = hg_doc_set_map(r, "Properties");
    hg_doc_set_str(pr, "Protocol", hg_endpoint_protocol(ep[i].kind));
    hg_doc_set_str(pr, "Endpoint", ep[i].value);
    hg_doc_set(pr, "TopicArn", hg_doc_ref(topic_id));
    if (ep[i].kind == HG_EP_LAMBDA) {
      char *pid = xasprintf("%sInvokePermission%zu", stem, k);
      hg_doc *perm = hg_doc_set(res, pid, hg_doc_map());
      hg_doc_set_str(perm, "Type", "AWS::Lambda::Permission");
      hg_doc *pp = hg_doc_set_map(perm, "Properties");
      hg_doc_set_str(pp, "Action", "lambda:InvokeFunction");
      hg_doc_set_str(pp, "FunctionName", ep[i].value);
      hg_doc_set_str(pp, "Principal", "sns.amazonaws.com");
      hg_doc_set(pp, "SourceArn", hg_doc_ref(topic_id));
      free(pid);
    }
    free(id);
  }
}

void hg_plan_harden_alarms(const hg_profile *p, hg_doc *cw1)
{
  hg_doc *res = hg_doc_get(cw1, "Resources");
  if (!res)
    return;
  if (hg_doc_get(res, "InfosecTopic"))
    subscribe(res, "Infosec", "InfosecTopic", p->infosec, p->n_infosec, p->infosec_email);
  if (hg_doc_get(res, "DevOpsTopic"))
    subscribe(res, "DevOps", "DevOpsTopic", p->devops, p->n_devops, p->devops_email);
}

/* Resource types whose Tags property is a list of {Key, Value}
 * (CloudFormation resource specification). */
static const char *const taggable[] = {
    "AWS::CloudFormation::Stack", "AWS::CloudTrail::Trail",  "AWS::CloudWatch::Alarm",
    "AWS::DynamoDB::Table",       "AWS::Events::Rule",       "AWS::IAM::Role",
    "AWS::KMS::Key",              "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Lambda::Function",      "AWS::Logs::LogGroup",     "AWS::S3::Bucket",
    "AWS::SNS::Topic",            "AWS::SQS::Queue",         NULL,
};

static bool is_taggable(const char *type)
{
  for (size_t i = 0; type && taggable[i]; i++)
    if (strcmp(type, taggable[i]) == 0)
      return true;
  return false;
}

void hg_plan_tag(const hg_profile *p, hg_doc *tmpl)
{
  hg_doc *res = hg_doc_get(tmpl, "Resources");
  for (size_t i = 0; p->n_tags && res && i < res->n; i++) {
    hg_doc *r = res->items[i];
    if (!is_taggable(hg_doc_get_str(r, "Type")))
      continue;
    hg_doc *pr = hg_doc_get(r, "Properties");
    if (!pr)
      pr = hg_doc_set_map(r, "Properties");
    /* The skeleton's own tags come first; a profile tag replaces one with its key. */
    hg_doc *tags = hg_doc_get(pr, "Tags");
    if (!tags || tags->kind != HG_DOC_SEQ)
      tags = hg_doc_set_seq(pr, "Tags");
    for (size_t t = 0; t < p->n_tags; t++) {
      hg_doc *slot = NULL;
      for (size_t j = 0; j < tags->n && !slot; j++) {
        const char *k = hg_doc_get_str(tags->items[j], "Key");
        if (k && strcmp(k, p->tag_keys[t]) == 0)
          slot = tags->items[j];
      }
      if (slot) {
        hg_plan_doc_put(slot, "Value", hg_doc_str(p->tag_values[t]));
        continue;
      }
      hg_doc *tag = hg_doc_push(tags, hg_doc_map());
      hg_doc_set_str(tag, "Key", p->tag_keys[t]);
      hg_doc_set_str(tag, "Value", p->tag_values[t]);
    }
  }
}

/* IAM resource properties that give a resource a fixed name; CloudFormation
 * needs CAPABILITY_NAMED_IAM for any of them. */
static bool names_iam(const hg_doc *r)
{
  static const char *const named[][2] = {
      {"AWS::IAM::Role", "RoleName"},
      {"AWS::IAM::User", "UserName"},
      {"AWS::IAM::Group", "GroupName"},
      {"AWS::IAM::ManagedPolicy", "ManagedPolicyName"},
      {"AWS::IAM::InstanceProfile", "InstanceProfileName"},
  };
  const char *type = hg_doc_get_str(r, "Type");
  for (size_t i = 0; type && i < HG_COUNTOF(named); i++)
    if (strcmp(type, named[i][0]) == 0 && hg_doc_get(hg_doc_get(r, "Properties"), named[i][1]))
      return true;
  return false;
}

const char *hg_plan_capability(const hg_plan *p)
{
  for (size_t i = 0; i < p->n; i++) {
    const hg_doc *res = hg_doc_get(p->t[i].doc, "Resources");
    for (size_t j = 0; res && j < res->n; j++)
      if (names_iam(res->items[j]))
        return "CAPABILITY_NAMED_IAM";
  }
  return "CAPABILITY_IAM";
}

void hg_plan_check_previous(const hg_compiled *c, const char *dir, hg_diag_sink *sink)
{
  const hg_profile *p = c->profile;
  const hg_yval *lock = hg_yval_path(p->tree, "logs.object_lock");
  if (!p->object_lock_mode || !lock)
    return;
  char *path = xasprintf("%s/%s/manifest.json", dir, p->env);
  size_t len = 0;
  char *text = hg_read_file(path, 64u << 20, &len);
  /* A manifest that cannot be read (none yet, or not ours) says nothing
   * about the deployed set: no warning, and the reader's complaint is
   * dropped. */
  hg_diag_sink local;
  hg_diag_init(&local);
  hg_doc *m = text ? hg_emit_read_json(text, len, path, "manifest-json", &local) : NULL;
  hg_diag_free(&local);
  if (m && m->kind == HG_DOC_MAP && !hg_doc_get_map(m, "object_lock")) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_WARNING, lock->file, lock->line, lock->col, "object-lock-existing-bucket",
                             "logs.object_lock is new for this env, but S3 turns Object Lock on only when a bucket "
                             "is created");
    hg_diag_note(d, "%s was built without it: if that set is deployed, its log bucket '%s' exists, and the "
                    "update fails or must replace the bucket",
                 path, p->logs_bucket ? p->logs_bucket : "");
    hg_diag_note(d, "deploy Object Lock with a new logs.bucket, or turn it on for the existing bucket with "
                    "`aws s3api put-object-lock-configuration` (versioning must be on) before the update");
  }
  hg_doc_free(m);
  free(text);
  free(path);
}
