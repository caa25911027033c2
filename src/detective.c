/*
 * detective.c — the detective controls' data: typed config, rule metadata
 * and detective-data.json (see detective.h).
 *
 * The shipped metadata below is what hardengen says about the managed rules
 * config.global.yaml deploys: a severity, a finding title and description,
 * and the benchmark sections each rule serves (CIS AWS Foundations
 * Benchmark v1.2.0 and v1.4.0, PCI DSS v3.2.1).
 */
#include "hg/detective.h"

#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"

typedef struct shipped {
  const char *name, *severity, *title, *description;
  const char *cis12, *cis14, *pci;
} shipped;

/* Sorted by name. */
static const shipped shipped_rules[] = {
    {"iam-password-policy", "MEDIUM", "The IAM password policy meets the required strength",
     "The account password policy requires the minimum length, character classes, reuse prevention and "
     "maximum age set in the profile (CIS: at least 14 characters, no reuse of the last 24 passwords).",
     "1.9", "1.8", "8.2.3"},
    {"iam-user-no-policies-check", "LOW", "IAM users receive permissions only through groups",
     "No IAM user has an inline or attached policy: permissions come from groups or roles, which keeps "
     "access reviews manageable.",
     "1.16", "1.15", "7.2.1"},
    {"restricted-ssh", "HIGH", "Security groups do not allow SSH from anywhere",
     "No security group allows incoming traffic to port 22 from 0.0.0.0/0 or ::/0.", "4.1", "5.2", "1.2.1"},
    {"root-account-mfa-enabled", "CRITICAL", "The root user signs in with MFA",
     "The account's root user has multi-factor authentication enabled.", "1.13", "1.5", "8.3.1"},
    {"s3-bucket-public-read-prohibited", "HIGH", "S3 buckets do not allow public read access",
     "No S3 bucket allows public read access through its Block Public Access settings, bucket policy or "
     "access control list.",
     NULL, "2.1.5", "1.3.2"},
    {"s3-bucket-public-write-prohibited", "CRITICAL", "S3 buckets do not allow public write access",
     "No S3 bucket allows public write access through its Block Public Access settings, bucket policy or "
     "access control list.",
     NULL, "2.1.5", "1.3.1"},
};

static const char *const shipped_names[] = {
    "iam-password-policy",      "iam-user-no-policies-check",       "restricted-ssh",
    "root-account-mfa-enabled", "s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited",
    NULL};

const char *const *hg_det_shipped_rules(void)
{
  return shipped_names;
}

static const char *str_of(const hg_yval *m, const char *key, const char *dflt)
{
  const hg_yval *v = hg_yval_get(m, key);
  return v && v->kind == HG_Y_STR ? v->text : dflt;
}

bool hg_det_config_of(const hg_profile *p, hg_det_config *c)
{
  memset(c, 0, sizeof *c);
  const hg_yval *d = p->detective;
  if (!d || d->kind != HG_Y_MAP)
    return false;
  const hg_yval *central = hg_yval_get(d, "central");
  c->central_account = str_of(central, "account_id", NULL);
  c->central_region = str_of(central, "region", NULL);
  c->org_id = str_of(central, "org_id", NULL);
  c->rules_table = str_of(central, "rules_table", "hardengen-config-rules");
  c->exceptions_table = str_of(central, "exceptions_table", "hardengen-exceptions");
  c->reader_role = str_of(central, "reader_role", "hardengen-detective-reader");
  const hg_yval *splunk = hg_yval_get(d, "splunk");
  c->splunk = splunk && splunk->kind == HG_Y_MAP;
  c->hec_url = str_of(splunk, "hec_url", NULL);
  c->hec_token_secret_arn = str_of(splunk, "hec_token_secret_arn", NULL);
  c->backup_bucket = str_of(splunk, "backup_bucket", NULL);
  c->endpoint_type = str_of(splunk, "endpoint_type", "Event");
  const hg_yval *sh = hg_yval_get(d, "securityhub");
  c->securityhub = !(sh && sh->kind == HG_Y_BOOL && !sh->b);
  const hg_yval *f = hg_yval_get(d, "fields");
  c->fields = f && f->kind == HG_Y_MAP ? f : NULL;
  return true;
}

bool hg_det_is_central(const hg_profile *p, const hg_det_config *c)
{
  return p->account_id && c->central_account && strcmp(p->account_id, c->central_account) == 0;
}

/* ---- rule metadata ---- */

static const shipped *find_shipped(const char *name)
{
  for (size_t i = 0; i < HG_COUNTOF(shipped_rules); i++)
    if (strcmp(shipped_rules[i].name, name) == 0)
      return &shipped_rules[i];
  return NULL;
}

typedef struct fw {
  const char *name, *section;
} fw;

static int cmp_fw(const void *a, const void *b)
{
  return strcmp(((const fw *)a)->name, ((const fw *)b)->name);
}

static int cmp_rule(const void *a, const void *b)
{
  return strcmp(((const hg_det_rule *)a)->name, ((const hg_det_rule *)b)->name);
}

void hg_det_rules_of(const hg_profile *p, const char *const *names, size_t n, hg_det_rules *out)
{
  out->v = xcalloc(n ? n : 1, sizeof *out->v);
  out->n = 0;
  const hg_yval *rules = hg_yval_path(p->tree, "config.rules");
  for (size_t i = 0; i < n; i++) {
    bool seen = false;
    for (size_t j = 0; j < out->n; j++)
      seen = seen || strcmp(out->v[j].name, names[i]) == 0;
    if (seen)
      continue;
    hg_det_rule *r = &out->v[out->n++];
    const shipped *s = find_shipped(names[i]);
    const hg_yval *m = hg_yval_get(rules, names[i]);
    r->name = names[i];
    r->severity = str_of(m, "severity", s ? s->severity : "MEDIUM");
    r->title = str_of(m, "title", s ? s->title : names[i]);
    r->description = str_of(m, "description", s ? s->description : names[i]);
    const hg_yval *en = hg_yval_get(m, "enabled");
    r->enabled = !(en && en->kind == HG_Y_BOOL && !en->b);
    const hg_yval *route = hg_yval_get(m, "route");
    if (route && route->kind == HG_Y_SEQ) {
      for (size_t k = 0; k < route->n; k++) {
        const char *t = route->items[k]->text;
        r->route_splunk |= t && strcmp(t, "splunk") == 0;
        r->route_securityhub |= t && strcmp(t, "securityhub") == 0;
      }
    } else {
      r->route_splunk = r->route_securityhub = true;
    }
    /* frameworks: the profile's map replaces the shipped one as a whole
     * (a map in the profile says which sections the rule serves there). */
    const hg_yval *fwm = hg_yval_get(m, "frameworks");
    fw list[64];
    size_t nf = 0;
    if (fwm && fwm->kind == HG_Y_MAP) {
      for (size_t k = 0; k < fwm->n && nf < HG_COUNTOF(list); k++)
        if (fwm->items[k]->kind == HG_Y_STR)
          list[nf++] = (fw){fwm->keys[k], fwm->items[k]->text};
    } else if (s) {
      if (s->cis12)
        list[nf++] = (fw){"cis-1.2", s->cis12};
      if (s->cis14)
        list[nf++] = (fw){"cis-1.4", s->cis14};
      if (s->pci)
        list[nf++] = (fw){"pci-dss-3.2.1", s->pci};
    }
    qsort(list, nf, sizeof *list, cmp_fw);
    r->fw_names = xcalloc(nf ? nf : 1, sizeof *r->fw_names);
    r->fw_sections = xcalloc(nf ? nf : 1, sizeof *r->fw_sections);
    for (size_t k = 0; k < nf; k++) {
      r->fw_names[k] = list[k].name;
      r->fw_sections[k] = list[k].section;
    }
    r->n_fw = nf;
  }
  qsort(out->v, out->n, sizeof *out->v, cmp_rule);
}

void hg_det_rules_free(hg_det_rules *r)
{
  for (size_t i = 0; i < r->n; i++) {
    free(r->v[i].fw_names);
    free(r->v[i].fw_sections);
  }
  free(r->v);
  memset(r, 0, sizeof *r);
}

/* ---- detective-data.json ---- */

/* NAME: {"S": value}, DynamoDB's attribute-value form of a string. */
static void attr_s(hg_doc *item, const char *name, const char *value)
{
  hg_doc_set_str(hg_doc_set_map(item, name), "S", value);
}

static hg_doc *rule_item(const hg_det_rule *r)
{
  hg_doc *it = hg_doc_map();
  attr_s(it, "rule", r->name);
  attr_s(it, "severity", r->severity);
  attr_s(it, "title", r->title);
  attr_s(it, "description", r->description);
  hg_doc *fwm = hg_doc_set_map(hg_doc_set_map(it, "frameworks"), "M");
  for (size_t i = 0; i < r->n_fw; i++)
    attr_s(fwm, r->fw_names[i], r->fw_sections[i]);
  hg_doc *route = hg_doc_set_seq(hg_doc_set_map(it, "route"), "L");
  if (r->route_splunk)
    hg_doc_set_str(hg_doc_push(route, hg_doc_map()), "S", "splunk");
  if (r->route_securityhub)
    hg_doc_set_str(hg_doc_push(route, hg_doc_map()), "S", "securityhub");
  hg_doc_set_bool(hg_doc_set_map(it, "enabled"), "BOOL", r->enabled);
  return it;
}

static hg_doc *exception_item(const hg_exception *e)
{
  hg_doc *it = hg_doc_map();
  attr_s(it, "rule", e->rule);
  attr_s(it, "match", e->match);
  if (e->arn) {
    attr_s(it, "arn", e->arn);
  } else {
    attr_s(it, "tag_key", e->tag_key);
    attr_s(it, "tag_value", e->tag_value);
  }
  attr_s(it, "reason", e->reason);
  attr_s(it, "approved_by", e->approved_by);
  attr_s(it, "expires", e->expires);
  attr_s(it, "source", e->source);
  return it;
}

/* {"name": NAME, "key": [KEYS...], "items": []}; returns the items sequence. */
static hg_doc *table(hg_doc *tables, const char *name, const char *const *keys)
{
  hg_doc *t = hg_doc_push(tables, hg_doc_map());
  hg_doc_set_str(t, "name", name);
  hg_doc *k = hg_doc_set_seq(t, "key");
  for (size_t i = 0; keys[i]; i++)
    hg_doc_push_str(k, keys[i]);
  return hg_doc_set_seq(t, "items");
}

static void rules_table(hg_doc *tables, const hg_det_config *c, const hg_det_rules *rules)
{
  static const char *const keys[] = {"rule", NULL};
  hg_doc *items = table(tables, c->rules_table, keys);
  for (size_t i = 0; i < rules->n; i++)
    hg_doc_push(items, rule_item(&rules->v[i]));
}

static void exceptions_table(hg_doc *tables, const hg_det_config *c, const hg_exceptions *x)
{
  static const char *const keys[] = {"rule", "match", NULL};
  hg_doc *items = table(tables, c->exceptions_table, keys);
  for (size_t i = 0; i < x->n; i++)
    hg_doc_push(items, exception_item(&x->v[i]));
}

hg_doc *hg_det_data_doc(const char *env, const hg_det_config *c, const hg_det_rules *rules,
                        const hg_exceptions *x)
{
  hg_doc *d = hg_doc_map();
  hg_doc_set_int(d, "schema", 1);
  hg_doc_set_str(d, "env", env);
  hg_doc *tables = hg_doc_set_seq(d, "tables");
  if (strcmp(c->rules_table, c->exceptions_table) <= 0) {
    rules_table(tables, c, rules);
    exceptions_table(tables, c, x);
  } else {
    exceptions_table(tables, c, x);
    rules_table(tables, c, rules);
  }
  return d;
}

char *hg_det_data_json(const char *env, const hg_det_config *c, const hg_det_rules *rules,
                       const hg_exceptions *x, size_t *len)
{
  hg_doc *d = hg_det_data_doc(env, c, rules, x);
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_json(d, &b);
  hg_doc_free(d);
  return hg_buf_take(&b, len);
}

char *hg_det_fields_json(const hg_det_config *c)
{
  hg_doc *d = hg_doc_map();
  for (size_t i = 0; c->fields && i < c->fields->n; i++)
    hg_doc_set_str(d, c->fields->keys[i], c->fields->items[i]->text ? c->fields->items[i]->text : "");
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_json_compact(d, &b);
  hg_doc_free(d);
  size_t len = 0;
  char *text = hg_buf_take(&b, &len);
  if (len && text[len - 1] == '\n') /* a value on one line, without the writer's final newline */
    text[len - 1] = '\0';
  return text;
}
