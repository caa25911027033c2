/*
 * profile_schema.c — the profile schema of SPEC §3 as tables (see
 * profile_schema.h): what the checker walks, what hg_profile_fill reads
 * (offsets, defaults, fill hooks) and what hg_profile_doc prints as the
 * reference (doc/hardengen-profile.5, doc/profile-reference.md; `make man`).
 *
 * Adding a key is one row here (and, when it is typed, one member of
 * hg_profile): the check, the default, the did-you-mean list, the required
 * check and the documentation follow from the row.
 */
#include "profile_int.h"

#include <stdlib.h>
#include <string.h>

#define OFF(member) offsetof(hg_profile, member)
#define NOFILL HG_FIELD_NOFILL
#define REQ HG_FIELD_REQUIRED
#define END {NULL, 0, NULL, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, NULL}

/* ---- fill hooks (shapes that are not one value at one offset) ----------- */

static int cmp_cstr(const void *x, const void *y)
{
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int override_cmp(const void *x, const void *y)
{
  return strcmp(((const hg_override *)x)->id, ((const hg_override *)y)->id);
}

/* notify.KIND as endpoints (a string is a list of one); the first email
 * address is the stack parameter. Entries that failed their check are left out. */
static void fill_endpoints(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  bool infosec = strcmp(f->key, "infosec") == 0;
  hg_endpoint **out = infosec ? &p->infosec : &p->devops;
  size_t *n = infosec ? &p->n_infosec : &p->n_devops;
  const char **email = infosec ? &p->infosec_email : &p->devops_email;
  *out = NULL;
  *n = 0;
  *email = NULL;
  if (!v || (v->kind != HG_Y_STR && v->kind != HG_Y_SEQ))
    return;
  size_t cap = v->kind == HG_Y_SEQ ? v->n : 1;
  *out = hg_arena_alloc(p->arena, (cap ? cap : 1) * sizeof **out);
  for (size_t i = 0; i < cap; i++) {
    const hg_yval *e = v->kind == HG_Y_SEQ ? v->items[i] : v;
    const char *why;
    int k = e->kind == HG_Y_STR ? hg_pcheck_endpoint_kind(e->text, &why) : -1;
    if (k < 0)
      continue;
    (*out)[*n].kind = (hg_endpoint_kind)k;
    (*out)[*n].value = e->text;
    if (k == HG_EP_EMAIL && !*email)
      *email = e->text;
    (*n)++;
  }
}

/* tags: sorted by key, so the output does not depend on profile order. */
static void fill_tags(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  (void)f;
  if (!v || v->kind != HG_Y_MAP || !v->n)
    return;
  const char **idx = hg_arena_alloc(p->arena, v->n * sizeof *idx);
  for (size_t i = 0; i < v->n; i++)
    idx[i] = v->keys[i];
  qsort(idx, v->n, sizeof *idx, cmp_cstr);
  p->tag_keys = hg_arena_alloc(p->arena, v->n * sizeof *p->tag_keys);
  p->tag_values = hg_arena_alloc(p->arena, v->n * sizeof *p->tag_values);
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *val = hg_yval_get(v, idx[i]);
    if (!val || val->kind != HG_Y_STR)
      continue;
    p->tag_keys[p->n_tags] = idx[i];
    p->tag_values[p->n_tags++] = val->text;
  }
}

/* logs.object_lock: off when absent; its mode defaults only when it is set. */
static void fill_object_lock(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  const hg_yval *mode = hg_yval_get(v, "mode");
  const hg_field *kid = f->kids; /* mode */
  p->object_lock_mode = !v ? NULL : mode && mode->kind == HG_Y_STR ? mode->text : kid->dflt;
}

/* The index of v's text (or of dflt) in words, or 0. */
static int word_index(const hg_yval *v, const char *dflt, const char *const *words)
{
  const char *s = v && v->kind == HG_Y_STR ? v->text : dflt;
  for (int i = 0; s && words[i]; i++)
    if (strcmp(s, words[i]) == 0)
      return i;
  return 0;
}

static void fill_data_events(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  p->s3_data_events = (hg_data_events)word_index(v, f->dflt, hg_data_event_names);
}

static void fill_config_mode(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  p->config_existing = word_index(v, f->dflt, hg_config_mode_names) == 1;
}

static void fill_cis_version(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  p->cis_version = v ? hg_pcheck_cis_version_of(v) : NULL;
  if (!p->cis_version)
    p->cis_version = f->dflt;
}

static void fill_cis_targets(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  (void)f;
  if (!v || v->kind != HG_Y_SEQ) {
    p->cis_targets = HG_TARGET_ALL;
    return;
  }
  p->cis_targets = 0;
  for (size_t i = 0; i < v->n; i++)
    for (unsigned k = 0; hg_pcheck_cis_target_names[k]; k++)
      if (strcmp(v->items[i]->text, hg_pcheck_cis_target_names[k]) == 0)
        p->cis_targets |= 1u << k;
}

static void fill_disable(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  (void)f;
  if (!v || v->kind != HG_Y_SEQ || !v->n)
    return;
  p->disable = hg_arena_alloc(p->arena, v->n * sizeof *p->disable);
  for (size_t i = 0; i < v->n; i++)
    p->disable[p->n_disable++] = v->items[i]->text;
}

/* filters.override: one hg_override per filter id, sorted by id. */
static void fill_overrides(hg_profile *p, const hg_yval *ov, const hg_field *f)
{
  (void)f;
  if (!ov || ov->kind != HG_Y_MAP || !ov->n)
    return;
  p->overrides = hg_arena_alloc(p->arena, ov->n * sizeof *p->overrides);
  for (size_t i = 0; i < ov->n; i++) {
    hg_override *o = &p->overrides[p->n_overrides++];
    const hg_yval *m = ov->items[i];
    o->id = ov->keys[i];
    o->node = m;
    const hg_yval *v;
    if ((v = hg_yval_get(m, "threshold"))) {
      o->has_threshold = true;
      o->threshold = v->kind == HG_Y_INT ? (double)v->i : v->f;
    }
    if ((v = hg_yval_get(m, "period"))) {
      o->has_period = true;
      o->period = (int)v->i;
    }
    if ((v = hg_yval_get(m, "evaluation_periods"))) {
      o->has_evaluation_periods = true;
      o->evaluation_periods = (int)v->i;
    }
    if ((v = hg_yval_get(m, "pattern")))
      o->pattern = v->text;
    if ((v = hg_yval_get(m, "topic")))
      o->topic = v->text;
  }
  qsort(p->overrides, p->n_overrides, sizeof *p->overrides, override_cmp);
}

/* preflight: on unless written `false`. */
static void fill_preflight(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  (void)f;
  p->preflight = !(v && v->kind == HG_Y_BOOL && !v->b);
}

/* preflight.checks.NAME: its slot is NAME's index in hg_preflight_checks. */
static void fill_pf_check(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  for (size_t i = 0; i < HG_PF_N_CHECKS; i++)
    if (strcmp(f->key, hg_preflight_checks[i]) == 0)
      p->preflight_checks[i] = (hg_check_level)word_index(v, f->dflt, hg_check_level_names);
}

/* vars: always a mapping for the Lua filters (an empty one when absent). */
static void fill_vars(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  (void)f;
  if (!v || v->kind != HG_Y_MAP) {
    hg_yval *empty = hg_arena_alloc(p->arena, sizeof *empty);
    empty->kind = HG_Y_MAP;
    empty->file = p->path;
    empty->line = empty->col = empty->span = 1;
    empty->text = NULL;
    v = empty;
  }
  p->vars = v;
}

/* ---- the tables (SPEC §3, §10, §11) ------------------------------------- */

#define LEAF(key, type, check, off, dflt, flags, doc) {key, type, NULL, check, off, NULL, dflt, flags, NULL, NULL, doc}

static const hg_field f_account[] = {
    LEAF("name", HG_FT_STR, hg_pcheck_account_name, OFF(account_name), NULL, REQ,
         "1-64 letters, digits or `-` (AWSAccountName; it becomes part of alarm and stack names)"),
    {"id", HG_FT_SCALAR, NULL, hg_pcheck_account_id, OFF(account_id), NULL, NULL, 0, "string", NULL,
     "exactly 12 digits, quoted: an unquoted number is an error, YAML would drop leading zeros"},
    END,
};
static const hg_field f_notify[] = {
    {"infosec", HG_FT_STRS, NULL, hg_pcheck_endpoints, NOFILL, fill_endpoints, NULL, REQ, "string or list", NULL,
     "endpoints of the infosec topic: email addresses (one `@`, a dotted domain, an alphabetic TLD), `https://` "
     "URLs, SQS queue ARNs, Lambda function ARNs; at least one email, whose first is the `InfosecEmail` parameter; "
     "no duplicates"},
    {"devops", HG_FT_STRS, NULL, hg_pcheck_endpoints, NOFILL, fill_endpoints, NULL, REQ, "string or list", NULL,
     "the same, for the devops topic (`DevOpsEmail`)"},
    END,
};
static const hg_field f_object_lock[] = {
    {"mode", HG_FT_STR, NULL, hg_pcheck_lock_mode, NOFILL, NULL, "GOVERNANCE", 0, NULL,
     "`GOVERNANCE` when `object_lock` is set",
     "`GOVERNANCE` or `COMPLIANCE`: S3 Object Lock default retention of the log bucket (only at bucket creation)"},
    LEAF("days", HG_FT_INT, hg_pcheck_lock_days, OFF(object_lock_days), "365", 0, "1-36500"),
    END,
};
static const hg_field f_logs[] = {
    LEAF("bucket", HG_FT_STR, hg_pcheck_bucket, OFF(logs_bucket), NULL, REQ,
         "Bucket4Logs; S3 bucket naming rules: 3-63 characters of `a-z 0-9 - .`, starts and ends with a letter or "
         "digit, no `..`, `.-` or `-.`, not an IP address, no `xn--`, `sthree-` or `amzn-s3-demo-` prefix, no "
         "`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3` or `--table-s3` suffix; dots warn (they break TLS for "
         "virtual-hosted URLs)"),
    LEAF("retention_days", HG_FT_INT, hg_pcheck_retention, OFF(retention_days), "365", 0,
         "LogRetentionDays; a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, "
         "545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; below 365 warns (CIS)"),
    {"object_lock", HG_FT_MAP, f_object_lock, NULL, NOFILL, fill_object_lock, NULL, 0, NULL, "none",
     "S3 Object Lock on the log bucket"},
    LEAF("break_glass_role", HG_FT_STR, hg_pcheck_role_arn, OFF(break_glass_role), NULL, 0,
         "an IAM role ARN (`arn:aws:iam::ACCOUNT:role/NAME`): the only principal the log bucket policy lets delete "
         "logs or change the bucket's policy, lifecycle, versioning or Object Lock"),
    END,
};
static const hg_field f_cloudtrail[] = {
    {"s3_data_events", HG_FT_STR, NULL, hg_pcheck_data_events, NOFILL, fill_data_events, "none", 0, NULL, NULL,
     "`none`, `write` (CIS v1.4+ 3.10), `read` (3.11) or `all`: S3 object-level events the trail records, outside "
     "its own log bucket"},
    LEAF("insights", HG_FT_BOOL, NULL, OFF(insights), "false", 0,
         "CloudTrail Insights on API call rate and error rate"),
    END,
};
static const hg_field f_templates[] = {
    LEAF("bucket_url", HG_FT_STR, hg_pcheck_bucket_url, OFF(templates_bucket_url), NULL, REQ,
         "CFtemplateBucketURL: `https://BUCKET.s3.REGION.amazonaws.com/PREFIX/`, "
         "`https://BUCKET.s3.amazonaws.com/PREFIX/` or path style `https://s3.REGION.amazonaws.com/BUCKET/PREFIX/`; "
         "must end with `/`; the bucket and Region follow the rules of `logs.bucket` and `publish.region`"),
    END,
};
static const hg_field f_publish[] = {
    LEAF("bucket", HG_FT_STR, hg_pcheck_bucket, OFF(publish_bucket), NULL, 0,
         "the default bucket of `publish`; the S3 bucket naming rules of `logs.bucket`"),
    LEAF("prefix", HG_FT_STR, NULL, OFF(publish_prefix), NULL, 0, "key prefix for `publish`, e.g. `hardening/`"),
    LEAF("region", HG_FT_STR, hg_pcheck_region, OFF(publish_region), NULL, 0,
         "a Region name such as `eu-west-1`, `us-gov-west-1` (the Region rule of every command: `eu-west` is not "
         "one, nor a near miss of a known Region such as `eu-wset-2`)"),
    END,
};
static const hg_field f_cis[] = {
    {"version", HG_FT_SCALAR, NULL, hg_pcheck_cis_version, NOFILL, fill_cis_version, "1.4", 0, "string", "`\"1.4\"`",
     "`\"1.2\"`, `\"1.4\"`, `\"3.0\"` or `\"5.0\"` (an unquoted `1.4` is accepted)"},
    {"targets", HG_FT_STRLIST, NULL, hg_pcheck_cis_targets, NOFILL, fill_cis_targets, NULL, 0, NULL, "all three",
     "a non-empty subset of `securityhub`, `prowler`, `steampipe`"},
    END,
};
static const hg_field f_alarms[] = {
    LEAF("namespace", HG_FT_STR, hg_pcheck_namespace, OFF(alarm_namespace), "CISBenchmark", 0,
         "1-255 printable ASCII characters, no `:` `*` `$`, not `AWS/...`"),
    LEAF("name_prefix", HG_FT_STR, hg_pcheck_name_prefix, OFF(alarm_name_prefix), NULL, 0,
         "1-64 letters, digits or `-` (alarm names: PREFIX-ACCOUNTNAME-FILTERID)"),
    END,
};
#define THE_FILTERS "the filter's"
static const hg_field f_override[] = {
    {"threshold", HG_FT_NUM, NULL, hg_pcheck_threshold, NOFILL, NULL, NULL, 0, NULL, THE_FILTERS, ">= 0"},
    {"period", HG_FT_INT, NULL, hg_pcheck_period, NOFILL, NULL, NULL, 0, NULL, THE_FILTERS,
     "10, 30 or a multiple of 60, at most 86400 seconds"},
    {"evaluation_periods", HG_FT_INT, NULL, hg_pcheck_eval_periods, NOFILL, NULL, NULL, 0, NULL, THE_FILTERS, ">= 1"},
    {"pattern", HG_FT_STR, NULL, hg_pcheck_pattern, NOFILL, NULL, NULL, 0, NULL, THE_FILTERS,
     "non-empty, at most 1024 bytes (then parsed like any pattern)"},
    {"topic", HG_FT_STR, NULL, hg_pcheck_topic, NOFILL, NULL, NULL, 0, NULL, THE_FILTERS, "`infosec` or `devops`"},
    END,
};
static const hg_field f_filters[] = {
    {"disable", HG_FT_STRLIST, NULL, hg_pcheck_filter_ids, NOFILL, fill_disable, NULL, 0, NULL, "`[]`",
     "filter ids (`[a-z0-9-]+`) left out of this environment"},
    {"override", HG_FT_IDMAP, f_override, NULL, NOFILL, fill_overrides, NULL, 0, NULL, NULL,
     "per filter id: the alarm settings below"},
    END,
};
/* Rule metadata beside a rule's parameters (SPEC §11): what the detective
 * tables hold for the rule. */
#define META HG_FIELD_RULE_META
#define RULE_METADATA                                                                                          \
  {"severity", HG_FT_STR, NULL, hg_pcheck_severity, NOFILL, NULL, NULL, META, NULL, "per rule",               \
   "`INFORMATIONAL`, `LOW`, `MEDIUM`, `HIGH` or `CRITICAL` (detective controls)"},                              \
      {"title", HG_FT_STR, NULL, hg_pcheck_rule_title, NOFILL, NULL, NULL, META, NULL, "per rule",             \
       "the finding title, 1-256 characters"},                                                                 \
      {"description", HG_FT_STR, NULL, hg_pcheck_rule_description, NOFILL, NULL, NULL, META, NULL, "per rule", \
       "the finding description, 1-1024 characters"},                                                          \
      {"frameworks", HG_FT_ANYMAP, NULL, hg_pcheck_frameworks, NOFILL, NULL, NULL, META, NULL, "per rule",     \
       "framework: section strings, e.g. `{ cis-1.4: \"1.10\" }`; sections quoted"},                           \
      {"route", HG_FT_STRLIST, NULL, hg_pcheck_route, NOFILL, NULL, NULL, META, NULL, "every route",           \
       "a subset of `splunk`, `securityhub`"},                                                                 \
      {"enabled", HG_FT_BOOL, NULL, NULL, NOFILL, NULL, "true", META, NULL, NULL,                              \
       "`false` drops the rule's compliance changes"}
static const hg_field f_rule[] = {
    RULE_METADATA,
    END,
};
#define PW_BOOL(key, member)                                                                                   \
  LEAF(key, HG_FT_BOOL, NULL, OFF(member), "true", 0, "IAM password policy: require this character class")
static const hg_field f_pwpolicy[] = {
    LEAF("MinimumPasswordLength", HG_FT_INT, hg_pcheck_pw_len, OFF(pw_min_length), "14", 0, "6-128"),
    LEAF("PasswordReusePrevention", HG_FT_INT, hg_pcheck_pw_reuse, OFF(pw_reuse_prevention), "24", 0, "1-24"),
    LEAF("MaxPasswordAge", HG_FT_INT, hg_pcheck_pw_age, OFF(pw_max_age), "90", 0, "1-1095 days"),
    PW_BOOL("RequireUppercaseCharacters", pw_require_upper),
    PW_BOOL("RequireLowercaseCharacters", pw_require_lower),
    PW_BOOL("RequireSymbols", pw_require_symbols),
    PW_BOOL("RequireNumbers", pw_require_numbers),
    RULE_METADATA,
    END,
};
#define RULE(key) {key, HG_FT_MAP, f_rule, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "a managed AWS Config rule"}
/* config.rules.NAME: the managed rules config.global.yaml deploys. */
static const hg_field f_rules[] = {
    {"iam-password-policy", HG_FT_MAP, f_pwpolicy, NULL, NOFILL, NULL, NULL, 0, NULL, NULL,
     "the AWS Config IAM_PASSWORD_POLICY rule"},
    RULE("iam-user-no-policies-check"),
    RULE("root-account-mfa-enabled"),
    RULE("s3-bucket-public-read-prohibited"),
    RULE("s3-bucket-public-write-prohibited"),
    RULE("restricted-ssh"),
    END,
};
static const hg_field f_config[] = {
    {"mode", HG_FT_STR, NULL, hg_pcheck_config_mode, NOFILL, fill_config_mode, "managed", 0, NULL, NULL,
     "`managed` (the Config stack creates the recorder and delivery channel) or `existing` (another tool owns "
     "them: the rules only)"},
    {"rules", HG_FT_MAP, f_rules, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "the AWS Config rules"},
    END,
};
static const hg_field f_det_central[] = {
    {"account_id", HG_FT_SCALAR, NULL, hg_pcheck_account_id, NOFILL, NULL, NULL, REQ, "string", NULL,
     "12 digits, quoted: the central (security) account"},
    LEAF("region", HG_FT_STR, hg_pcheck_region, NOFILL, NULL, REQ, "the tables' Region (the Region rule of `publish.region`)"),
    LEAF("org_id", HG_FT_STR, hg_pcheck_org_id, NOFILL, NULL, REQ,
         "`o-` and 10-32 letters or digits: readers must be in this organization"),
    LEAF("rules_table", HG_FT_STR, hg_pcheck_table_name, NOFILL, "hardengen-config-rules", 0, "a DynamoDB table name"),
    LEAF("exceptions_table", HG_FT_STR, hg_pcheck_table_name, NOFILL, "hardengen-exceptions", 0,
         "a DynamoDB table name"),
    LEAF("reader_role", HG_FT_STR, hg_pcheck_role_name, NOFILL, "hardengen-detective-reader", 0, "an IAM role name"),
    END,
};
static const hg_field f_det_splunk[] = {
    LEAF("hec_url", HG_FT_STR, hg_pcheck_hec_url, NOFILL, NULL, REQ, "an https:// Splunk HEC URL"),
    LEAF("hec_token_secret_arn", HG_FT_STR, hg_pcheck_secret_arn, NOFILL, NULL, REQ,
         "a Secrets Manager secret ARN holding the HEC token"),
    LEAF("endpoint_type", HG_FT_STR, hg_pcheck_endpoint_type, NOFILL, "Event", 0, "`Event` or `Raw`"),
    LEAF("backup_bucket", HG_FT_STR, hg_pcheck_bucket, NOFILL, NULL, REQ,
         "S3 bucket for events Splunk did not take (the naming rules of `logs.bucket`)"),
    {"hec_token", HG_FT_SCALAR, NULL, hg_pcheck_no_token, NOFILL, NULL, NULL, 0, "never", "",
     "always an error: a token never goes in a profile"},
    END,
};
static const hg_field f_detective[] = {
    {"central", HG_FT_MAP, f_det_central, NULL, NOFILL, NULL, NULL, REQ, NULL, NULL, "the central account"},
    {"splunk", HG_FT_MAP, f_det_splunk, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "delivery to Splunk"},
    LEAF("securityhub", HG_FT_BOOL, NULL, NOFILL, "true", 0, "send findings to Security Hub"),
    LEAF("fields", HG_FT_ANYMAP, hg_pcheck_splunk_fields, NOFILL, NULL, 0, "index-time Splunk fields, NAME: \"value\""),
    END,
};
#define PF_CHECK(key, dflt)                                                                                    \
  {key, HG_FT_SCALAR, NULL, hg_pcheck_level, NOFILL, fill_pf_check, dflt, 0, "string", NULL,                   \
   "`block`, `warn` or `off` (doc/preflight.md)"}
/* One row per check of HG_PF_CHECK_LIST (profile.h), its default the list's. */
#define PF_ROW(id, name, level) PF_CHECK(name, #level),
static const hg_field f_pf_checks[] = {
    HG_PF_CHECK_LIST(PF_ROW)
    END,
};
#undef PF_ROW
static const hg_field f_preflight[] = {
    LEAF("timeout", HG_FT_INT, hg_pcheck_pf_timeout, OFF(preflight_timeout), "300", 0,
         "the custom resource's ServiceTimeout, 120-3600 seconds"),
    {"checks", HG_FT_MAP, f_pf_checks, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "what each failed check does"},
    END,
};
const hg_field hg_profile_schema[] = {
    LEAF("extends", HG_FT_STR, hg_pcheck_extends, NOFILL, NULL, 0,
         "a profile name (`[A-Za-z0-9_-]+`) that exists; no cycles"),
    LEAF("abstract", HG_FT_BOOL, NULL, NOFILL, "false", 0,
         "a parent-only profile: `--all` and `list` leave it out, `--env` refuses it; not inherited"),
    {"account", HG_FT_MAP, f_account, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "the AWS account"},
    {"notify", HG_FT_MAP, f_notify, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "the alarm topics' subscribers"},
    {"logs", HG_FT_MAP, f_logs, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "the CloudTrail log bucket"},
    {"cloudtrail", HG_FT_MAP, f_cloudtrail, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "the trail"},
    {"tags", HG_FT_ANYMAP, NULL, hg_pcheck_tags, NOFILL, fill_tags, NULL, 0, NULL, "`{}`",
     "KEY: VALUE strings put on every taggable resource and on the stacks; keys 1-128, values at most 256 "
     "characters of letters, digits, spaces and `_.:/=+-@`; no `aws:` prefix; at most 40"},
    {"templates", HG_FT_MAP, f_templates, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "where the templates are read"},
    {"publish", HG_FT_MAP, f_publish, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "defaults of `hardengen publish`"},
    {"cis", HG_FT_MAP, f_cis, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "the CIS benchmark"},
    {"alarms", HG_FT_MAP, f_alarms, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "the CloudWatch alarms"},
    {"filters", HG_FT_MAP, f_filters, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "the metric filters"},
    {"config", HG_FT_MAP, f_config, NULL, NOFILL, NULL, NULL, 0, NULL, NULL, "AWS Config"},
    {"preflight", HG_FT_BOOLMAP, f_preflight, NULL, NOFILL, fill_preflight, "true", 0, NULL, NULL,
     "the preflight audit; `false` turns it off"},
    {"vars", HG_FT_ANYMAP, NULL, NULL, NOFILL, fill_vars, NULL, 0, NULL, "`{}`",
     "free-form; read by the Lua filters as `env.vars`"},
    {"detective", HG_FT_MAP, f_detective, hg_pcheck_detective, OFF(detective), NULL, NULL, 0, NULL, "none",
     "detective controls (doc/detective.md)"},
    {"org", HG_FT_ANYMAP, NULL, hg_pcheck_org, OFF(org), NULL, NULL, 0, NULL, "none",
     "the StackSet roll-out of `hardengen deploy`: `ou_ids` (ou-/r- ids, at most 50), `regions` (Region names), "
     "`home_region` (one of `regions`), `call_as` (`SELF` or `DELEGATED_ADMIN`), `auto_deployment`, "
     "`preferences` (region_concurrency, max_concurrent_percentage or _count, failure_tolerance_percentage or "
     "_count); see doc/stacksets.md"},
    END,
};

/* ---- fill --------------------------------------------------------------- */

static void fill_table(hg_profile *p, const hg_yval *m, const hg_field *table);

static void fill_field(hg_profile *p, const hg_yval *v, const hg_field *f)
{
  if (f->fill) {
    f->fill(p, v, f);
  } else if (f->offset != NOFILL) {
    char *at = (char *)p + f->offset;
    switch (f->type) {
    case HG_FT_STR:
    case HG_FT_SCALAR:
      *(const char **)at = v && v->kind == HG_Y_STR ? v->text : f->dflt;
      break;
    case HG_FT_INT:
      *(int *)at = v && v->kind == HG_Y_INT ? (int)v->i : f->dflt ? atoi(f->dflt) : 0;
      break;
    case HG_FT_BOOL:
      *(bool *)at = v && v->kind == HG_Y_BOOL ? v->b : f->dflt && strcmp(f->dflt, "true") == 0;
      break;
    case HG_FT_MAP:
    case HG_FT_ANYMAP:
      *(const hg_yval **)at = v;
      break;
    case HG_FT_IDMAP:
    case HG_FT_NUM:
    case HG_FT_STRLIST:
    case HG_FT_STRS:
    case HG_FT_BOOLMAP:
      break; /* these shapes have fill hooks */
    }
  }
  if (f->kids && (f->type == HG_FT_MAP || f->type == HG_FT_BOOLMAP))
    fill_table(p, v && v->kind == HG_Y_MAP ? v : NULL, f->kids);
}

/* Every field of table, from mapping m (NULL: all defaults). */
static void fill_table(hg_profile *p, const hg_yval *m, const hg_field *table)
{
  for (const hg_field *f = table; f->key; f++)
    fill_field(p, hg_yval_get(m, f->key), f);
}

void hg_profile_fill(hg_profile *p)
{
  fill_table(p, p->tree, hg_profile_schema);
}

/* ---- the reference (doc/hardengen-profile.5, doc/profile-reference.md) -- */

static const char *type_doc(const hg_field *f)
{
  if (f->doc_type)
    return f->doc_type;
  switch (f->type) {
  case HG_FT_MAP:
  case HG_FT_IDMAP:
  case HG_FT_ANYMAP: return "mapping";
  case HG_FT_STR:
  case HG_FT_SCALAR: return "string";
  case HG_FT_INT: return "int";
  case HG_FT_NUM: return "number";
  case HG_FT_BOOL: return "bool";
  case HG_FT_STRLIST: return "list of strings";
  case HG_FT_STRS: return "string or list";
  case HG_FT_BOOLMAP: return "false or mapping";
  }
  return "value";
}

/* Text with `code` spans, in the target format. Man: '-' and '\' escaped,
 * code in bold. */
static void put_text(hg_buf *b, hg_profile_doc_format fmt, const char *s)
{
  if (fmt == HG_PROFILE_DOC_MARKDOWN) {
    for (; *s; s++)
      if (*s == '|')
        hg_buf_puts(b, "\\|");
      else
        hg_buf_putc(b, *s);
    return;
  }
  bool code = false;
  for (; *s; s++) {
    if (*s == '`') {
      hg_buf_puts(b, code ? "\\fR" : "\\fB");
      code = !code;
    } else if (*s == '-') {
      hg_buf_puts(b, "\\-");
    } else if (*s == '\\') {
      hg_buf_puts(b, "\\e");
    } else {
      hg_buf_putc(b, *s);
    }
  }
}

/* The default as the reference shows it; "" for none at all. */
static void put_default(hg_buf *b, hg_profile_doc_format fmt, const hg_field *f)
{
  if (f->doc_default) {
    put_text(b, fmt, f->doc_default);
  } else if (f->dflt) {
    char *s = xasprintf("`%s`", f->dflt);
    put_text(b, fmt, s);
    free(s);
  } else {
    put_text(b, fmt, f->flags & REQ ? "required" : "none");
  }
}

static void put_row(hg_buf *b, hg_profile_doc_format fmt, const char *path, const hg_field *f)
{
  if (fmt == HG_PROFILE_DOC_MARKDOWN) {
    hg_buf_printf(b, "| `%s` | %s | ", path, type_doc(f));
    put_default(b, fmt, f);
    hg_buf_puts(b, " | ");
    put_text(b, fmt, f->doc);
    hg_buf_puts(b, " |\n");
    return;
  }
  hg_buf_puts(b, ".TP\n.B ");
  put_text(b, fmt, path);
  hg_buf_printf(b, "\n(%s", type_doc(f));
  if (!f->doc_default || f->doc_default[0]) {
    hg_buf_puts(b, f->flags & REQ && !f->dflt && !f->doc_default ? "; " : "; default ");
    put_default(b, fmt, f);
  }
  hg_buf_puts(b, ") ");
  put_text(b, fmt, f->doc);
  hg_buf_putc(b, '\n');
}

typedef struct doc_walk {
  hg_buf *b;
  hg_profile_doc_format fmt;
  const char *meta_done[16]; /* rule metadata keys already documented */
  size_t n_meta;
} doc_walk;

static void doc_table(doc_walk *w, const hg_field *table, const char *prefix)
{
  for (const hg_field *f = table; f->key; f++) {
    char *path = prefix[0] ? xasprintf("%s.%s", prefix, f->key) : xstrdup(f->key);
    if (f->flags & HG_FIELD_RULE_META) {
      bool done = false;
      for (size_t i = 0; i < w->n_meta; i++)
        done = done || strcmp(w->meta_done[i], f->key) == 0;
      if (!done && w->n_meta < HG_COUNTOF(w->meta_done)) {
        w->meta_done[w->n_meta++] = f->key;
        char *meta = xasprintf("config.rules.NAME.%s", f->key);
        put_row(w->b, w->fmt, meta, f);
        free(meta);
      }
    } else if (f->type == HG_FT_IDMAP) {
      char *id = xasprintf("%s.ID", path);
      doc_table(w, f->kids, id);
      free(id);
    } else if (f->kids && f->type == HG_FT_BOOLMAP) {
      put_row(w->b, w->fmt, path, f);
      doc_table(w, f->kids, path);
    } else if (f->kids) {
      doc_table(w, f->kids, path);
    } else {
      put_row(w->b, w->fmt, path, f);
    }
    free(path);
  }
}

/* "`account.name`, `notify.infosec`, ...": the required keys in table order. */
static void put_required(hg_buf *b, hg_profile_doc_format fmt)
{
  size_t n = 0;
  for (const hg_field *top = hg_profile_schema; top->key; top++)
    for (const hg_field *k = top->type == HG_FT_MAP && !top->check ? top->kids : NULL; k && k->key; k++)
      if (k->flags & REQ) {
        char *s = xasprintf("%s`%s.%s`", n++ ? ", " : "", top->key, k->key);
        put_text(b, fmt, s);
        free(s);
      }
}

static const char man_head[] =
    ".\\\" Generated from src/profile_schema.c by `make man`; do not edit.\n"
    ".TH HARDENGEN-PROFILE 5 \"\" \"hardengen\" \"File Formats\"\n"
    ".SH NAME\n"
    "hardengen\\-profile \\- one environment of a hardengen infra repository (profiles/ENV.yaml)\n"
    ".SH SYNOPSIS\n"
    ".I ROOT/profiles/ENV.yaml\n"
    ".SH DESCRIPTION\n"
    "A profile describes one environment, usually one AWS account. The file name is the\n"
    "environment's name:\n"
    ".B hardengen build \\-\\-env prod\n"
    "reads\n"
    ".IR profiles/prod.yaml .\n"
    "It is YAML 1.2 (core schema: \\fByes\\fR, \\fBno\\fR, \\fBon\\fR and \\fBoff\\fR are strings), one document "
    "per file;\n"
    "a document may expand to at most 100,000 nodes, nest at most 64 levels, and a file is at most 4 MiB.\n"
    "Unknown keys, wrong types and bad values are errors with the line and column, and a did\\-you\\-mean for "
    "near misses.\n"
    ".SH INHERITANCE\n"
    ".TP\n"
    ".B extends: NAME\n"
    "loads\n"
    ".I profiles/NAME.yaml\n"
    "first and merges this profile onto it: mappings merge key by key, lists and scalars replace.\n"
    "A parent may extend another (up to 16 levels). A cycle or a missing parent is an error at the "
    "\\fBextends:\\fR line.\n"
    ".TP\n"
    ".B abstract: true\n"
    "marks a parent only: \\fB\\-\\-all\\fR and \\fBlist\\fR leave it out, \\fB\\-\\-env\\fR refuses it. It is "
    "not inherited.\n"
    ".SH KEYS\n";

static const char man_tail[] =
    ".SH VARS USED BY THE SHIPPED FILTERS\n"
    "\\fBtrusted_source_ips\\fR (list of address patterns such as \"203.0.113.*\"),\n"
    "\\fBwatched_volume_ids\\fR, \\fBwatched_instance_ids\\fR (lists of ids),\n"
    "\\fBlarge_instance_types\\fR (list such as \"*.16xlarge\") and\n"
    "\\fBwatched_event_source\\fR (a service host such as secretsmanager.amazonaws.com).\n"
    ".SH EXAMPLE\n"
    ".nf\n"
    "# profiles/prod.yaml\n"
    "extends: base                       # deep\\-merge onto profiles/base.yaml\n"
    "account:\n"
    "  name: acme\\-prod                   # AWSAccountName: alarm names, descriptions\n"
    "  id: \"123456789012\"                # optional; always quoted\n"
    "notify:\n"
    "  infosec: secops@example.com       # InfosecEmail\n"
    "  devops: devops@example.com        # DevOpsEmail\n"
    "logs:\n"
    "  bucket: acme\\-prod\\-security\\-logs   # Bucket4Logs\n"
    "  retention_days: 365               # LogRetentionDays\n"
    "templates:\n"
    "  bucket_url: https://acme\\-cfn.s3.eu\\-west\\-1.amazonaws.com/hardening/   # CFtemplateBucketURL\n"
    "publish: { bucket: acme\\-cfn, prefix: hardening/, region: eu\\-west\\-1 }\n"
    "cis:\n"
    "  version: \"1.4\"\n"
    "  targets: [securityhub, prowler, steampipe]\n"
    "alarms:\n"
    "  namespace: CISBenchmark\n"
    "  name_prefix: acme                 # alarm names: PREFIX\\-ACCOUNTNAME\\-FILTERID\n"
    "filters:\n"
    "  disable: [vpc\\-changes]\n"
    "  override:\n"
    "    unauthorized\\-api\\-calls: { threshold: 5 }\n"
    "config:\n"
    "  rules:\n"
    "    iam\\-password\\-policy: { MinimumPasswordLength: 14, PasswordReusePrevention: 24, MaxPasswordAge: 90 }\n"
    "vars:                               # free values the Lua filters read as env.vars\n"
    "  trusted_source_ips: [\"203.0.113.*\"]\n"
    "  watched_volume_ids: [vol\\-0a1b2c3d4e5f60718]\n"
    ".fi\n"
    ".SH SEE ALSO\n"
    ".BR hardengen (1)\n";

static const char md_head[] =
    "<!-- Generated from src/profile_schema.c by `make man`; do not edit. -->\n"
    "# Profile reference\n"
    "\n"
    "Every key of `profiles/ENV.yaml`, its type, its default and what is checked.\n"
    "The same table drives the checks, the defaults and `man 5 hardengen-profile`;\n"
    "see [profiles.md](profiles.md) for `extends`, the YAML rules and the diagnostics.\n"
    "\n";

char *hg_profile_doc(hg_profile_doc_format fmt)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, fmt == HG_PROFILE_DOC_MAN ? man_head : md_head);
  hg_buf_puts(&b, "Required after merging: ");
  put_required(&b, fmt);
  hg_buf_puts(&b, fmt == HG_PROFILE_DOC_MAN ? ".\nEach key is given with its type and default.\n"
                                            : ".\n\n| key | type | default | checks |\n|---|---|---|---|\n");
  doc_walk w = {.b = &b, .fmt = fmt};
  doc_table(&w, hg_profile_schema, "");
  if (fmt == HG_PROFILE_DOC_MAN)
    hg_buf_puts(&b, man_tail);
  return hg_buf_take(&b, NULL);
}
