/*
 * plan_detective.c — the detective controls' stacks and data (SPEC §11).
 *
 * From the skeletons templates/detective.global.yaml and
 * templates/central.global.yaml and the profile's detective: block:
 *   - detective.global (every env with detective:): the EventBridge rule,
 *     the function (inline handler share/lambda/detective.py, environment
 *     of the interface with it), its role with one statement per duty, the
 *     dead-letter queue, and with detective.splunk the Firehose stream to
 *     Splunk HEC and its backup bucket (removed otherwise);
 *   - central.global (the env whose account.id is the central account):
 *     the two tables and the organization's reader role;
 *   - detective-data.json: rule metadata for the rules config.global
 *     deploys, and the live exceptions of ROOT/exceptions/.
 * Placeholders in the skeletons are upper-case words (RULES_TABLE, ...)
 * replaced wherever they stand; one left over is an error.
 */
#include <stdlib.h>
#include <string.h>

#include "hg/detective.h"
#include "hg/exceptions.h"
#include "hg/plan_model.h"
#include "hg/resource.h"
#include "plan_int.h"
#include "plan_lambda.h"

/* AWS Lambda: the environment variables' keys and values total at most 4 KB. */
#define LAMBDA_ENV_MAX 4096

/* ---- document edits ---- */

/* Replace every string node equal to name under d by a copy of val. */
static void replace_placeholder(hg_doc *d, const char *name, const hg_doc *val)
{
  if (d->kind != HG_DOC_MAP && d->kind != HG_DOC_SEQ)
    return;
  for (size_t i = 0; i < d->n; i++) {
    hg_doc *it = d->items[i];
    if (it->kind == HG_DOC_STR && strcmp(it->str, name) == 0) {
      hg_doc_free(it);
      d->items[i] = hg_doc_clone(val);
    } else {
      replace_placeholder(it, name, val);
    }
  }
}

static void replace_str(hg_doc *d, const char *name, const char *value)
{
  hg_doc *v = hg_doc_str(value);
  replace_placeholder(d, name, v);
  hg_doc_free(v);
}

/* A placeholder word left in d (an upper-case string with '_' that no
 * CloudFormation value looks like), or NULL. */
static const char *leftover(const hg_doc *d, const char *const *names)
{
  if (d->kind == HG_DOC_STR) {
    for (size_t i = 0; names[i]; i++)
      if (strcmp(d->str, names[i]) == 0)
        return names[i];
    return NULL;
  }
  if (d->kind != HG_DOC_MAP && d->kind != HG_DOC_SEQ)
    return NULL;
  for (size_t i = 0; i < d->n; i++) {
    const char *r = leftover(d->items[i], names);
    if (r)
      return r;
  }
  return NULL;
}

/* Remove entry i of a map or sequence. */
static void remove_at(hg_doc *d, size_t i)
{
  hg_doc_free(d->items[i]);
  if (d->kind == HG_DOC_MAP) {
    free(d->keys[i]);
    memmove(d->keys + i, d->keys + i + 1, (d->n - i - 1) * sizeof *d->keys);
  }
  memmove(d->items + i, d->items + i + 1, (d->n - i - 1) * sizeof *d->items);
  d->n--;
}

static void remove_key(hg_doc *map, const char *key)
{
  for (size_t i = 0; map && map->kind == HG_DOC_MAP && i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0) {
      remove_at(map, i);
      return;
    }
}

/* Remove the statement with this Sid from every inline policy of a role. */
static void remove_statement(hg_doc *role, const char *sid)
{
  hg_doc *pols = hg_doc_get(hg_doc_get(role, "Properties"), "Policies");
  for (size_t i = 0; pols && pols->kind == HG_DOC_SEQ && i < pols->n; i++) {
    hg_doc *st = hg_doc_get(hg_doc_get(pols->items[i], "PolicyDocument"), "Statement");
    for (size_t k = 0; st && st->kind == HG_DOC_SEQ && k < st->n; k++) {
      const char *s = hg_doc_get_str(st->items[k], "Sid");
      if (s && strcmp(s, sid) == 0) {
        remove_at(st, k);
        break;
      }
    }
  }
}

/* ---- the member stack ---- */

static size_t env_bytes(const hg_doc *vars)
{
  size_t n = 0;
  for (size_t i = 0; i < vars->n; i++) {
    n += strlen(vars->keys[i]);
    const hg_doc *v = vars->items[i];
    if (v->kind == HG_DOC_STR)
      n += strlen(v->str);
    else if (v->kind == HG_DOC_MAP && v->n == 1 && v->items[0]->kind == HG_DOC_STR)
      n += strlen(v->items[0]->str); /* Fn::Sub / Ref text: about its expanded size */
  }
  return n;
}

static int fill_detective(const hg_compiled *c, const hg_det_config *dc, const char *root, hg_doc *doc,
                          hg_plan_inputs *digest, hg_diag_sink *sink)
{
  const hg_profile *p = c->profile;
  hg_doc *res = hg_doc_get(doc, "Resources");
  char *arn = xasprintf("arn:${AWS::Partition}:iam::%s:role/%s", dc->central_account, dc->reader_role);
  hg_doc *reader = hg_doc_sub(arn);
  free(arn);
  replace_placeholder(doc, "READER_ROLE_ARN", reader);

  hg_doc *role = hg_doc_get(res, "DetectiveRole");
  if (!dc->securityhub)
    remove_statement(role, "ImportFindings");
  if (dc->splunk) {
    replace_str(doc, "BACKUP_BUCKET", dc->backup_bucket);
    replace_str(doc, "HEC_TOKEN_SECRET_ARN", dc->hec_token_secret_arn);
    replace_str(doc, "HEC_URL", dc->hec_url);
    hg_doc *dest = hg_doc_get(hg_doc_get(hg_doc_get(res, "SplunkStream"), "Properties"),
                              "SplunkDestinationConfiguration");
    if (dest)
      hg_plan_doc_put(dest, "HECEndpointType", hg_doc_str(dc->endpoint_type));
  } else {
    remove_statement(role, "DeliverToSplunk");
    static const char *const splunk_only[] = {"BackupBucket", "BackupBucketPolicy", "FirehoseRole", "SplunkStream"};
    for (size_t i = 0; i < HG_COUNTOF(splunk_only); i++)
      remove_key(res, splunk_only[i]);
  }
  hg_doc *lg = hg_doc_get(hg_doc_get(res, "DetectiveLogGroup"), "Properties");
  if (lg)
    hg_plan_doc_put(lg, "RetentionInDays", hg_doc_int(p->retention_days));

  hg_doc *fn = hg_doc_get(hg_doc_get(res, "DetectiveFunction"), "Properties");
  if (!fn) {
    hg_diag_add(sink, HG_SEV_ERROR, "templates/detective.global.yaml", 1, 1, "template-shape",
                "the detective skeleton has no DetectiveFunction with Properties");
    hg_doc_free(reader);
    return -1;
  }
  /* The environment of the interface with the handler. */
  hg_doc *vars = hg_doc_map();
  hg_doc_set_str(vars, "RULES_TABLE", dc->rules_table);
  hg_doc_set_str(vars, "EXCEPTIONS_TABLE", dc->exceptions_table);
  hg_doc_set(vars, "READER_ROLE_ARN", reader);
  hg_doc_set_str(vars, "CENTRAL_REGION", dc->central_region);
  hg_doc_set(vars, "FIREHOSE_STREAM", dc->splunk ? hg_doc_ref("SplunkStream") : hg_doc_str(""));
  hg_doc_set_str(vars, "SECURITYHUB", dc->securityhub ? "true" : "false");
  char *fields = hg_det_fields_json(dc);
  hg_doc_set_str(vars, "SPLUNK_FIELDS", fields);
  free(fields);
  hg_doc_set(vars, "ACCOUNT_NAME", hg_doc_ref("AWSAccountName"));
  hg_doc_set_str(vars, "ENV_NAME", p->env);
  hg_doc_set_str(vars, "ORG_ID", dc->org_id);
  hg_doc_set_str(vars, "SPLUNK_SOURCE", "hardengen:detective");
  hg_doc_set_str(vars, "SPLUNK_SOURCETYPE", "aws:config:compliance");
  size_t bytes = env_bytes(vars) + HG_PLAN_MAX_ACCOUNT_NAME;
  if (bytes > LAMBDA_ENV_MAX) {
    const hg_yval *f = dc->fields ? dc->fields : p->detective;
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, f->col, "detective-env-too-large",
                             "the detective function's environment would take about %zu bytes; Lambda allows %d",
                             bytes, LAMBDA_ENV_MAX);
    hg_diag_note(d, "shorten detective.fields");
  }
  hg_doc *env = hg_doc_map();
  hg_doc_set(env, "Variables", vars);
  hg_plan_doc_put(fn, "Environment", env);
  hg_doc *code = hg_plan_lambda_code(root, "detective", digest, sink);
  if (!code)
    return -1;
  hg_plan_doc_put(fn, "Code", code);
  return 0;
}

/* ConfigRuleName of every AWS::Config::ConfigRule of the config template, NULL-terminated (malloc'd array). */
static const char **declared_rules(const hg_plan *p, size_t *n)
{
  const char **v = xcalloc(1, sizeof *v);
  *n = 0;
  for (size_t t = 0; t < p->n; t++) {
    if (strncmp(p->t[t].name, "config.global.", 14) != 0)
      continue;
    const hg_doc *res = hg_doc_get(p->t[t].doc, "Resources");
    for (size_t i = 0; res && res->kind == HG_DOC_MAP && i < res->n; i++) {
      const char *type = hg_doc_get_str(res->items[i], "Type");
      const char *name = hg_doc_get_str(hg_doc_get(res->items[i], "Properties"), "ConfigRuleName");
      if (type && name && strcmp(type, "AWS::Config::ConfigRule") == 0) {
        v = xrealloc(v, (*n + 2) * sizeof *v);
        v[(*n)++] = name;
        v[*n] = NULL;
      }
    }
  }
  return v;
}

int hg_plan_detective(const hg_compiled *c, const char *root, hg_plan_format f, hg_plan *p,
                      hg_plan_inputs *digest, hg_diag_sink *sink)
{
  hg_det_config dc;
  if (!hg_det_config_of(c->profile, &dc))
    return 0;
  size_t errors = sink->errors;
  static const char *const placeholders[] = {"READER_ROLE_ARN", "BACKUP_BUCKET", "HEC_TOKEN_SECRET_ARN", "HEC_URL",
                                             "RULES_TABLE",     "EXCEPTIONS_TABLE", "READER_ROLE",       "ORG_ID",
                                             NULL};

  size_t n_rules = 0;
  const char **rules = declared_rules(p, &n_rules);
  char today[11];
  hg_exceptions_today(today);
  hg_exceptions x;
  hg_exceptions_init(&x);
  hg_exceptions_read(digest->res, root, rules, today, &x, sink);
  for (size_t i = 0; i < x.n_files; i++) {
    if (digest->n == digest->cap) {
      digest->cap = digest->cap ? digest->cap * 2 : 16;
      digest->v = xrealloc(digest->v, digest->cap * sizeof *digest->v);
    }
    digest->v[digest->n++] = xasprintf("exceptions %s %s", x.files[i].name, x.files[i].sha256);
  }

  bool central = hg_det_is_central(c->profile, &dc);
  hg_doc *member = hg_plan_load_skeleton(root, "detective.global.yaml", digest, sink);
  hg_doc *cen = central ? hg_plan_load_skeleton(root, "central.global.yaml", digest, sink) : NULL;
  if (member && fill_detective(c, &dc, root, member, digest, sink) == 0) {
    const char *left = leftover(member, placeholders);
    if (left)
      hg_diag_add(sink, HG_SEV_ERROR, "templates/detective.global.yaml", 0, 0, "template-placeholder",
                  "the placeholder %s is left in the detective template", left);
  }
  if (cen) {
    replace_str(cen, "RULES_TABLE", dc.rules_table);
    replace_str(cen, "EXCEPTIONS_TABLE", dc.exceptions_table);
    replace_str(cen, "READER_ROLE", dc.reader_role);
    replace_str(cen, "ORG_ID", dc.org_id);
    const char *left = leftover(cen, placeholders);
    if (left)
      hg_diag_add(sink, HG_SEV_ERROR, "templates/central.global.yaml", 0, 0, "template-placeholder",
                  "the placeholder %s is left in the central template", left);
  }

  if (sink->errors == errors && member && (!central || cen)) {
    if (cen) {
      hg_plan_add_template(p, hg_plan_stacks[HG_STACK_CENTRAL].stem, f, cen);
      cen = NULL;
    }
    hg_plan_add_template(p, hg_plan_stacks[HG_STACK_DETECTIVE].stem, f, member);
    member = NULL;

    hg_det_rules meta;
    hg_det_rules_of(c->profile, rules, n_rules, &meta);
    size_t len = 0;
    char *data = hg_det_data_json(p->env, &dc, &meta, &x, &len);
    hg_plan_add_file(p, HG_PLAN_DATA_NAME, data, len, true);
    hg_det_rules_free(&meta);
  }
  hg_doc_free(member);
  hg_doc_free(cen);
  hg_exceptions_free(&x);
  free(rules);
  return sink->errors > errors ? -1 : 0;
}
