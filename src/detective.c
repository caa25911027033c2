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

static void attr_s(hg_buf *b, const char *name, const char *value, bool first)
{
  if (!first)
    hg_buf_putc(b, ',');
  hg_emit_json_string(b, name);
  hg_buf_puts(b, ":{\"S\":");
  hg_emit_json_string(b, value);
  hg_buf_putc(b, '}');
}

static void rule_item(hg_buf *b, const hg_det_rule *r)
{
  hg_buf_putc(b, '{');
  attr_s(b, "rule", r->name, true);
  attr_s(b, "severity", r->severity, false);
  attr_s(b, "title", r->title, false);
  attr_s(b, "description", r->description, false);
  hg_buf_puts(b, ",\"frameworks\":{\"M\":{");
  for (size_t i = 0; i < r->n_fw; i++)
    attr_s(b, r->fw_names[i], r->fw_sections[i], i == 0);
  hg_buf_puts(b, "}},\"route\":{\"L\":[");
  bool first = true;
  if (r->route_splunk) {
    hg_buf_puts(b, "{\"S\":\"splunk\"}");
    first = false;
  }
  if (r->route_securityhub)
    hg_buf_puts(b, first ? "{\"S\":\"securityhub\"}" : ",{\"S\":\"securityhub\"}");
  hg_buf_printf(b, "]},\"enabled\":{\"BOOL\":%s}}", r->enabled ? "true" : "false");
}

static void exception_item(hg_buf *b, const hg_exception *e)
{
  hg_buf_putc(b, '{');
  attr_s(b, "rule", e->rule, true);
  attr_s(b, "match", e->match, false);
  if (e->arn) {
    attr_s(b, "arn", e->arn, false);
  } else {
    attr_s(b, "tag_key", e->tag_key, false);
    attr_s(b, "tag_value", e->tag_value, false);
  }
  attr_s(b, "reason", e->reason, false);
  attr_s(b, "approved_by", e->approved_by, false);
  attr_s(b, "expires", e->expires, false);
  attr_s(b, "source", e->source, false);
  hg_buf_putc(b, '}');
}

static void rules_table(hg_buf *b, const hg_det_config *c, const hg_det_rules *rules)
{
  hg_buf_puts(b, "{\"name\":");
  hg_emit_json_string(b, c->rules_table);
  hg_buf_puts(b, ",\"key\":[\"rule\"],\"items\":[");
  for (size_t i = 0; i < rules->n; i++) {
    hg_buf_puts(b, i ? ",\n" : "\n");
    rule_item(b, &rules->v[i]);
  }
  hg_buf_puts(b, rules->n ? "\n]}" : "]}");
}

static void exceptions_table(hg_buf *b, const hg_det_config *c, const hg_exceptions *x)
{
  hg_buf_puts(b, "{\"name\":");
  hg_emit_json_string(b, c->exceptions_table);
  hg_buf_puts(b, ",\"key\":[\"rule\",\"match\"],\"items\":[");
  for (size_t i = 0; i < x->n; i++) {
    hg_buf_puts(b, i ? ",\n" : "\n");
    exception_item(b, &x->v[i]);
  }
  hg_buf_puts(b, x->n ? "\n]}" : "]}");
}

char *hg_det_data_json(const char *env, const hg_det_config *c, const hg_det_rules *rules,
                       const hg_exceptions *x, size_t *len)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "{\"schema\":1,\"env\":");
  hg_emit_json_string(&b, env);
  hg_buf_puts(&b, ",\"tables\":[\n");
  bool rules_first = strcmp(c->rules_table, c->exceptions_table) <= 0;
  if (rules_first)
    rules_table(&b, c, rules);
  else
    exceptions_table(&b, c, x);
  hg_buf_puts(&b, ",\n");
  if (rules_first)
    exceptions_table(&b, c, x);
  else
    rules_table(&b, c, rules);
  hg_buf_puts(&b, "\n]}\n");
  return hg_buf_take(&b, len);
}

char *hg_det_fields_json(const hg_det_config *c)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_putc(&b, '{');
  for (size_t i = 0; c->fields && i < c->fields->n; i++) {
    if (i)
      hg_buf_putc(&b, ',');
    hg_emit_json_string(&b, c->fields->keys[i]);
    hg_buf_putc(&b, ':');
    hg_emit_json_string(&b, c->fields->items[i]->text ? c->fields->items[i]->text : "");
  }
  hg_buf_putc(&b, '}');
  return hg_buf_take(&b, NULL);
}
