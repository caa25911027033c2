/*
 * plan_alarms.c — one AWS::Logs::MetricFilter and one AWS::CloudWatch::Alarm
 * per filter, packed into cloudwatch.global.yaml and, when a template would
 * pass a CloudFormation quota (500 resources, 1 MB), into
 * cloudwatch.global.2.yaml, ... .
 *
 * Alarm settings follow CIS (shared/reference/cis-controls.json "alarm"):
 * Sum over the filter's period, GreaterThanOrEqualToThreshold,
 * notBreaching, actions on. The alarm's metric name and namespace equal the
 * filter's transformation. Names are derived, never read back from a child:
 * the log group's name from the trail template, the topics' names from the
 * alarm skeleton, both built on AWSAccountName.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "plan_int.h"

/* "unauthorized-api-calls" -> "UnauthorizedApiCalls". */
static char *camel(const char *id)
{
  char *s = xmalloc(strlen(id) + 1);
  size_t n = 0;
  bool up = true;
  for (const char *p = id; *p; p++) {
    char c = *p;
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      up = true;
      continue;
    }
    s[n++] = up && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    up = false;
  }
  s[n] = '\0';
  return s;
}

typedef struct stem_ref {
  const char *stem;
  size_t i;
} stem_ref;

static int cmp_stem(const void *a, const void *b)
{
  const stem_ref *x = a, *y = b;
  int c = strcmp(x->stem, y->stem);
  return c ? c : (x->i < y->i ? -1 : x->i > y->i);
}

/* Give every filter a unique logical-id stem: ids differ, but "a-1b" and
 * "a1b" camel-case alike; the later one gets a suffix from its id's hash. */
static void unique_stems(hg_plan *p)
{
  size_t n = p->n_filters;
  stem_ref *r = xcalloc(n ? n : 1, sizeof *r);
  for (size_t i = 0; i < n; i++)
    r[i] = (stem_ref){p->filters[i].logical, i};
  if (n > 1)
    qsort(r, n, sizeof *r, cmp_stem);
  bool *dup = xcalloc(n ? n : 1, sizeof *dup);
  for (size_t k = 1; k < n; k++)
    if (strcmp(r[k].stem, r[k - 1].stem) == 0)
      dup[r[k].i] = true;
  for (size_t i = 0; i < n; i++) {
    if (!dup[i])
      continue;
    hg_plan_filter *f = &p->filters[i];
    char hex[65];
    hg_sha256_hex(f->id, strlen(f->id), hex);
    char *s = xasprintf("%sX%.8s", f->logical, hex);
    free(f->logical);
    f->logical = s;
  }
  free(dup);
  free(r);
}

/* Fn::Sub text for a literal: "${" must be written "${!". */
static void sub_literal(hg_buf *b, const char *s)
{
  for (; *s; s++) {
    hg_buf_putc(b, *s);
    if (s[0] == '$' && s[1] == '{') {
      hg_buf_puts(b, "{!");
      s++;
    }
  }
}

static const char *sub_text(const hg_doc *d)
{
  const char *s = hg_doc_get_str(d, "Fn::Sub");
  return s ? s : (d && d->kind == HG_DOC_STR ? d->str : NULL);
}

static hg_doc *threshold_doc(double t)
{
  if (t == floor(t) && fabs(t) < 1e15)
    return hg_doc_int((long long)t);
  return hg_doc_float(t);
}

static void add_pair(hg_doc *res, const hg_filter *f, const hg_plan_filter *pf, const char *ns,
                     const hg_doc *log_group, hg_doc *topic, const char *alarm_sub,
                     const char *version)
{
  char *mf_id = xasprintf("%sMetricFilter", pf->logical);
  char *al_id = xasprintf("%sAlarm", pf->logical);

  hg_doc *mf = hg_doc_set_map(res, mf_id);
  hg_doc_set_str(mf, "Type", "AWS::Logs::MetricFilter");
  hg_doc *mp = hg_doc_set_map(mf, "Properties");
  hg_doc_set_str(mp, "FilterName", f->id);
  hg_doc_set(mp, "LogGroupName", hg_doc_clone(log_group));
  hg_doc_set_str(mp, "FilterPattern", f->pattern ? f->pattern : "");
  hg_doc *tr = hg_doc_push(hg_doc_set_seq(mp, "MetricTransformations"), hg_doc_map());
  hg_doc_set_str(tr, "MetricName", pf->metric);
  hg_doc_set_str(tr, "MetricNamespace", ns);
  hg_doc_set_str(tr, "MetricValue", "1");

  hg_doc *al = hg_doc_set_map(res, al_id);
  hg_doc_set_str(al, "Type", "AWS::CloudWatch::Alarm");
  hg_doc *ap = hg_doc_set_map(al, "Properties");
  hg_doc_set(ap, "AlarmName", hg_doc_sub(alarm_sub));
  if (pf->cis)
    hg_doc_set(ap, "AlarmDescription",
               hg_doc_strf("%s (CIS %s %s)", f->title ? f->title : f->id, version, pf->cis));
  else
    hg_doc_set_str(ap, "AlarmDescription", f->title ? f->title : f->id);
  hg_doc_set_bool(ap, "ActionsEnabled", true);
  hg_doc_push(hg_doc_set_seq(ap, "AlarmActions"), topic);
  hg_doc_set_str(ap, "MetricName", pf->metric);
  hg_doc_set_str(ap, "Namespace", ns);
  hg_doc_set_str(ap, "Statistic", "Sum");
  hg_doc_set_int(ap, "Period", f->period > 0 ? f->period : 300);
  hg_doc_set_int(ap, "EvaluationPeriods", f->evaluation_periods > 0 ? f->evaluation_periods : 1);
  hg_doc_set(ap, "Threshold", threshold_doc(f->threshold));
  hg_doc_set_str(ap, "ComparisonOperator", "GreaterThanOrEqualToThreshold");
  hg_doc_set_str(ap, "TreatMissingData", "notBreaching");
  free(mf_id);
  free(al_id);
}

int hg_plan_alarms(const hg_compiled *c, const hg_doc *trail, const hg_doc *skel1,
                   const hg_doc *skeln, const hg_plan_options *o, hg_plan *p, hg_diag_sink *sink)
{
  const hg_profile *pr = c->profile;
  const char *lg_id = NULL;
  const hg_doc *lg = hg_plan_find_resource(trail, "AWS::Logs::LogGroup", &lg_id);
  const hg_doc *log_group = hg_doc_get(hg_doc_get(lg, "Properties"), "LogGroupName");
  if (!log_group) {
    hg_diag_add(sink, HG_SEV_ERROR, "templates/cloudtrail.global.yaml", 0, 0,
                "template-missing-resource",
                "the trail skeleton needs an AWS::Logs::LogGroup with a LogGroupName");
    return -1;
  }
  /* Topics by logical id and name (for parts 2.., which reach them by ARN). */
  const char *topic_ids[2] = {"InfosecTopic", "DevOpsTopic"};
  const char *topic_names[2] = {NULL, NULL};
  const hg_doc *res1 = hg_doc_get(skel1, "Resources");
  for (int t = 0; t < 2; t++) {
    const hg_doc *tp = hg_doc_get(res1, topic_ids[t]);
    topic_names[t] = sub_text(hg_doc_get(hg_doc_get(tp, "Properties"), "TopicName"));
    if (!topic_names[t]) {
      hg_diag_add(sink, HG_SEV_ERROR, "templates/cloudwatch.global.yaml", 0, 0,
                  "template-missing-resource",
                  "the alarm skeleton needs an AWS::SNS::Topic '%s' with a TopicName",
                  topic_ids[t]);
      return -1;
    }
  }

  /* Names first: the manifest and the quota checks need them even when
   * the templates are not written. */
  p->n_filters = c->filters.n;
  p->filters = xcalloc(p->n_filters ? p->n_filters : 1, sizeof *p->filters);
  const char *prefix = pr->alarm_name_prefix && *pr->alarm_name_prefix ? pr->alarm_name_prefix : NULL;
  for (size_t i = 0; i < c->filters.n; i++) {
    const hg_filter *f = &c->filters.v[i];
    hg_plan_filter *pf = &p->filters[i];
    pf->id = xstrdup(f->id);
    const char *cis = pr->cis_version ? hg_filter_cis(f, pr->cis_version) : NULL;
    pf->cis = cis ? xstrdup(cis) : NULL;
    pf->logical = camel(f->id);
    pf->topic = hg_topic_name(f->topic);
    pf->alarm = prefix ? xasprintf("%s-%s-%s", prefix, pr->account_name, f->id)
                       : xasprintf("%s-%s", pr->account_name, f->id);
  }
  unique_stems(p);
  for (size_t i = 0; i < p->n_filters; i++)
    p->filters[i].metric = xstrdup(p->filters[i].logical);

  /* Pack: filters in order, as many per template as the resource quota
   * allows; if a template then passes the byte quota, pack fewer. */
  size_t fixed1 = hg_plan_count_resources(skel1), fixedn = hg_plan_count_resources(skeln);
  if (fixed1 + 2 > o->max_resources || fixedn + 2 > o->max_resources) {
    hg_diag_add(sink, HG_SEV_ERROR, "templates/cloudwatch.global.yaml", 0, 0, "quota-resources",
                "the alarm skeletons leave no room for a metric filter and its alarm");
    return -1;
  }
  size_t cap1 = (o->max_resources - fixed1) / 2, capn = (o->max_resources - fixedn) / 2;
  size_t base = p->n;
  const char *ns = pr->alarm_namespace ? pr->alarm_namespace : "CISBenchmark";
  for (int attempt = 0; attempt < 16; attempt++) {
    for (size_t i = base; i < p->n; i++) {
      free(p->t[i].name);
      free(p->t[i].text);
      hg_doc_free(p->t[i].doc);
    }
    p->n = base;
    size_t next = 0, part = 0;
    do {
      part++;
      size_t cap = part == 1 ? cap1 : capn;
      hg_doc *doc = hg_doc_clone(part == 1 ? skel1 : skeln);
      hg_doc *res = hg_doc_get(doc, "Resources");
      if (part > 1) {
        const char *d = hg_doc_get_str(doc, "Description");
        if (d)
          hg_plan_doc_put(doc, "Description", hg_doc_strf("%s (part %zu)", d, part));
      }
      size_t end = next + cap < c->filters.n ? next + cap : c->filters.n;
      for (size_t i = next; i < end; i++) {
        const hg_filter *f = &c->filters.v[i];
        hg_plan_filter *pf = &p->filters[i];
        pf->part = part;
        int t = f->topic == HG_TOPIC_INFOSEC ? 0 : 1;
        hg_doc *topic;
        if (part == 1) {
          topic = hg_doc_ref(topic_ids[t]);
        } else {
          char *arn = xasprintf("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:%s",
                                topic_names[t]);
          topic = hg_doc_sub(arn);
          free(arn);
        }
        hg_buf an;
        hg_buf_init(&an);
        if (prefix) {
          sub_literal(&an, prefix);
          hg_buf_putc(&an, '-');
        }
        hg_buf_puts(&an, "${AWSAccountName}-");
        sub_literal(&an, f->id);
        add_pair(res, f, pf, ns, log_group, topic, an.data, pr->cis_version);
        hg_buf_free(&an);
      }
      next = end;
      p->t = xrealloc(p->t, (p->n + 1) * sizeof *p->t);
      hg_plan_template *t = &p->t[p->n++];
      memset(t, 0, sizeof *t);
      t->name = part == 1 ? xasprintf("cloudwatch.global.%s", hg_plan_ext(o->format))
                          : xasprintf("cloudwatch.global.%zu.%s", part, hg_plan_ext(o->format));
      t->doc = doc;
    } while (next < c->filters.n);

    size_t worst = 0;
    for (size_t i = base; i < p->n; i++) {
      hg_plan_emit(&p->t[i], o->format);
      if (p->t[i].len > worst)
        worst = p->t[i].len;
    }
    if (worst <= o->max_bytes)
      return 0;
    /* Scale both capacities down by the overshoot, with a margin. */
    double scale = (double)o->max_bytes / (double)worst * 0.95;
    size_t n1 = (size_t)((double)cap1 * scale), nn = (size_t)((double)capn * scale);
    cap1 = n1 ? n1 : 1;
    capn = nn ? nn : 1;
  }
  return 0; /* the template quota check reports what still does not fit */
}
