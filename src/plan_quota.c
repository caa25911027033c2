/*
 * plan_quota.c — the CloudFormation and CloudWatch quotas of
 * shared/reference/cloudformation.md, checked on the planned templates
 * before anything is written, and the profile values checked against the
 * parameter constraints the templates declare (a Default that breaks its
 * own AllowedPattern would only fail at launch).
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "hg/fp.h"
#include "hg/plan_model.h"
#include "plan_int.h"

static bool alnum_id(const char *s)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
      return false;
  return true;
}

static int check_names(const hg_plan_template *t, const char *section, hg_diag_sink *sink)
{
  const hg_doc *m = hg_doc_get(t->doc, section);
  int errors = 0;
  for (size_t i = 0; m && m->kind == HG_DOC_MAP && i < m->n; i++) {
    const char *k = m->keys[i];
    if (!alnum_id(k) || strlen(k) > HG_PLAN_MAX_LOGICAL_ID) {
      hg_diag_add(sink, HG_SEV_ERROR, t->name, 0, 0, "quota-logical-id",
                  "%s name '%.80s%s' must be 1-%d letters and digits", section, k,
                  strlen(k) > 80 ? "..." : "", HG_PLAN_MAX_LOGICAL_ID);
      errors++;
    }
  }
  return errors;
}

int hg_plan_check_template(const hg_plan_template *t, hg_diag_sink *sink)
{
  int errors = 0;
  if (t->resources > HG_PLAN_MAX_RESOURCES) {
    hg_diag_add(sink, HG_SEV_ERROR, t->name, 0, 0, "quota-resources",
                "%zu resources; a template may hold %d", t->resources, HG_PLAN_MAX_RESOURCES);
    errors++;
  }
  if (t->len > HG_PLAN_MAX_TEMPLATE_BYTES) {
    hg_diag_add(sink, HG_SEV_ERROR, t->name, 0, 0, "quota-template-size",
                "%zu bytes; a template read from S3 may have %d", t->len,
                HG_PLAN_MAX_TEMPLATE_BYTES);
    errors++;
  }
  const char *sections[] = {"Parameters", "Outputs", "Mappings"};
  for (size_t s = 0; s < HG_COUNTOF(sections); s++) {
    const hg_doc *m = hg_doc_get(t->doc, sections[s]);
    if (m && m->kind == HG_DOC_MAP && m->n > HG_PLAN_MAX_PARAMETERS) {
      hg_diag_add(sink, HG_SEV_ERROR, t->name, 0, 0, "quota-parameters",
                  "%zu %s; a template may have %d", m->n, sections[s], HG_PLAN_MAX_PARAMETERS);
      errors++;
    }
  }
  errors += check_names(t, "Resources", sink);
  errors += check_names(t, "Parameters", sink);
  errors += check_names(t, "Outputs", sink);
  const char *desc = hg_doc_get_str(t->doc, "Description");
  if (desc && strlen(desc) > HG_PLAN_MAX_DESCRIPTION) {
    hg_diag_add(sink, HG_SEV_ERROR, t->name, 0, 0, "quota-description",
                "the template description has %zu bytes; CloudFormation allows %d", strlen(desc),
                HG_PLAN_MAX_DESCRIPTION);
    errors++;
  }
  return errors;
}

/* The node at a dotted path of the merged profile tree, or NULL. */
static const hg_yval *tree_path(const hg_yval *v, const char *dotted)
{
  while (v && *dotted) {
    size_t n = strcspn(dotted, ".");
    const hg_yval *next = NULL;
    for (size_t i = 0; v->kind == HG_Y_MAP && i < v->n; i++)
      if (strlen(v->keys[i]) == n && strncmp(v->keys[i], dotted, n) == 0)
        next = v->items[i];
    v = next;
    dotted += n + (dotted[n] == '.');
  }
  return v;
}

static void at_profile(const hg_profile *p, const char *dotted, const char **file, int *line,
                       int *col)
{
  const hg_yval *v = tree_path(p->tree, dotted);
  *file = v && v->file ? v->file : p->path;
  *line = v ? v->line : 0;
  *col = v ? v->col : 0;
}

int hg_plan_check_filters(const hg_compiled *c, const hg_plan *p, hg_diag_sink *sink)
{
  const hg_profile *pr = c->profile;
  const hg_filterset *fs = &c->filters;
  int errors = 0;
  /* CloudWatch Logs: 100 metric filters per log group, not adjustable, and
   * every filter reads the one CloudTrail log group. */
  if (fs->n > HG_PLAN_MAX_FILTERS_PER_GROUP) {
    const hg_filter *f = &fs->v[HG_PLAN_MAX_FILTERS_PER_GROUP];
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, 0, "quota-metric-filters",
                             "the env declares %zu metric filters; CloudWatch Logs allows %d per "
                             "log group (this is filter %d, '%s')",
                             fs->n, HG_PLAN_MAX_FILTERS_PER_GROUP,
                             HG_PLAN_MAX_FILTERS_PER_GROUP + 1, f->id);
    hg_diag_note(d, "disable filters with filters.disable in the profile, or limit them to "
                    "some envs with envs = {...}");
    errors++;
  }
  int regex_filters = 0;
  for (size_t i = 0; i < fs->n; i++) {
    if (!c->patterns || !c->patterns[i] || hg_fp_regex_count(c->patterns[i]) == 0)
      continue;
    if (++regex_filters == HG_PLAN_MAX_REGEX_FILTERS + 1) {
      const hg_filter *f = &fs->v[i];
      hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, 0, "quota-regex-filters",
                  "filter '%s' is the %dth with a regex; CloudWatch Logs allows %d regex "
                  "filters per log group",
                  f->id, regex_filters, HG_PLAN_MAX_REGEX_FILTERS);
      errors++;
    }
  }
  const char *ns = pr->alarm_namespace ? pr->alarm_namespace : "CISBenchmark";
  if (!*ns || strlen(ns) > 255 || strpbrk(ns, ":*$")) {
    const char *file;
    int line, col;
    at_profile(pr, "alarms.namespace", &file, &line, &col);
    hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "quota-metric-namespace",
                "metric namespace '%s' must be 1-255 characters without ':', '*' or '$'", ns);
    errors++;
  }
  size_t prefix = pr->alarm_name_prefix && *pr->alarm_name_prefix
                      ? strlen(pr->alarm_name_prefix) + 1 : 0;
  for (size_t i = 0; i < fs->n; i++) {
    const hg_filter *f = &fs->v[i];
    size_t idlen = strlen(f->id);
    /* Metric filter names: 1-512, no ':' or '*' (cfn-lint misses the anchor). */
    if (idlen == 0 || idlen > 512 || strpbrk(f->id, ":*")) {
      hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, 0, "quota-metric-filter-name",
                  "filter id '%s' is not a valid metric filter name (1-512, no ':' or '*')",
                  f->id);
      errors++;
    }
    const hg_plan_filter *pf = i < p->n_filters ? &p->filters[i] : NULL;
    if (pf && strlen(pf->metric) > 255) {
      hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, 0, "quota-metric-name",
                  "the metric name derived from '%s' passes 255 characters", f->id);
      errors++;
    }
    /* PREFIX-ACCOUNTNAME-ID must fit 255 for any AWSAccountName the
     * parameter accepts, not only the default. */
    if (prefix + HG_PLAN_MAX_ACCOUNT_NAME + 1 + idlen > HG_PLAN_MAX_ALARM_NAME) {
      hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, 0, "quota-alarm-name",
                  "the alarm name of '%s' can reach %zu characters; CloudWatch allows %d", f->id,
                  prefix + HG_PLAN_MAX_ACCOUNT_NAME + 1 + idlen, HG_PLAN_MAX_ALARM_NAME);
      errors++;
    }
    size_t dlen = strlen(f->title ? f->title : f->id) + 32;
    if (dlen > 1024) {
      hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, 0, "quota-alarm-description",
                  "the title of '%s' makes an alarm description longer than 1024 characters",
                  f->id);
      errors++;
    }
  }
  return errors;
}

static bool in_values(const hg_doc *vals, const char *v)
{
  for (size_t i = 0; i < vals->n; i++) {
    const hg_doc *x = vals->items[i];
    if (x->kind == HG_DOC_STR && strcmp(x->str, v) == 0)
      return true;
    if (x->kind == HG_DOC_INT && strtoll(v, NULL, 10) == x->num && *v)
      return true;
  }
  return false;
}

int hg_plan_check_defaults(const hg_compiled *c, const hg_plan *p, hg_diag_sink *sink)
{
  const hg_profile *pr = c->profile;
  int errors = 0;
  bool *reported = xcalloc(hg_plan_n_params + 1, sizeof *reported);
  for (size_t t = 0; t < p->n; t++) {
    const hg_doc *ps = hg_doc_get(p->t[t].doc, "Parameters");
    for (size_t i = 0; i < hg_plan_n_params; i++) {
      const hg_plan_param *row = &hg_plan_params[i];
      const hg_doc *prm = hg_doc_get(ps, row->name);
      if (!prm || reported[i])
        continue;
      char *v = hg_plan_param_value(row, pr);
      const char *file;
      int line, col;
      at_profile(pr, row->path, &file, &line, &col);
      if (!v) {
        hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "plan-missing-value",
                    "the profile sets no %s (parameter %s)", row->path, row->name);
        reported[i] = true;
        errors++;
        continue;
      }
      const char *pat = hg_doc_get_str(prm, "AllowedPattern");
      regex_t re;
      if (pat && regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) == 0) {
        if (regexec(&re, v, 0, NULL, 0) != 0) {
          hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "plan-parameter-value",
                                   "%s '%s' does not match the AllowedPattern of parameter %s in %s",
                                   row->path, v, row->name, p->t[t].name);
          hg_diag_note(d, "pattern: %s", pat);
          reported[i] = true;
          errors++;
        }
        regfree(&re);
      }
      const hg_doc *vals = hg_doc_get(prm, "AllowedValues");
      if (!reported[i] && vals && vals->kind == HG_DOC_SEQ && !in_values(vals, v)) {
        hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "plan-parameter-value",
                    "%s %s is not one of the AllowedValues of parameter %s in %s",
                    row->path, v, row->name, p->t[t].name);
        reported[i] = true;
        errors++;
      }
      free(v);
    }
  }
  free(reported);
  return errors;
}
