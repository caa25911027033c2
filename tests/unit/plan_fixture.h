/*
 * plan_fixture.h — a hand-built profile and filter set for the planner's
 * tests (no profile loader or Lua host involved).
 */
#ifndef HG_PLAN_FIXTURE_H
#define HG_PLAN_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/compile.h"
#include "hg/fp.h"
#include "hg/util.h"

static void fixture_filter(hg_filterset *fs, const char *id, const char *title, const char *pattern,
                           hg_topic topic, const char *cis14)
{
  hg_filter *f = hg_filterset_add(fs);
  f->id = xstrdup(id);
  f->title = xstrdup(title);
  f->pattern = xstrdup(pattern);
  f->file = xstrdup("filters/test.lua");
  f->line = (int)fs->n;
  f->topic = topic;
  f->threshold = 1;
  f->period = 300;
  f->evaluation_periods = 1;
  if (cis14) {
    f->cis = xcalloc(1, sizeof *f->cis);
    f->cis[0].version = xstrdup("1.4");
    f->cis[0].number = xstrdup(cis14);
    f->n_cis = 1;
  }
}

/* A compiled env "prod" with n generated filters after two CIS-like ones.
 * The share folder (IAM action list, skeleton fallback) is the source tree. */
static void fixture_compiled(hg_compiled *c, size_t n)
{
  const char *top = getenv("HG_TOP");
  if (top && !getenv("HARDENGEN_SHARE"))
    setenv("HARDENGEN_SHARE", top, 1);
  memset(c, 0, sizeof *c);
  hg_profile *p = xcalloc(1, sizeof *p);
  p->env = "prod";
  p->account_name = "acme-prod";
  p->infosec_email = "secops@example.com";
  p->devops_email = "devops@example.com";
  p->logs_bucket = "acme-prod-security-logs";
  p->retention_days = 365;
  p->templates_bucket_url = "https://acme-cfn.s3.eu-west-1.amazonaws.com/hardening/";
  p->cis_version = "1.4";
  p->cis_targets = HG_TARGET_ALL;
  p->alarm_namespace = "CISBenchmark";
  p->alarm_name_prefix = "acme";
  p->pw_min_length = 14;
  p->pw_reuse_prevention = 24;
  p->pw_max_age = 90;
  p->pw_require_upper = p->pw_require_lower = p->pw_require_symbols = p->pw_require_numbers = true;
  c->profile = p;
  hg_filterset_init(&c->filters);
  fixture_filter(&c->filters, "unauthorized-api-calls", "Unauthorized API calls",
                 "{($.errorCode=\"*UnauthorizedOperation\") || ($.errorCode=\"AccessDenied*\")}",
                 HG_TOPIC_INFOSEC, "4.1");
  fixture_filter(&c->filters, "ec2-power-operations", "EC2 instances stopped, terminated or rebooted",
                 "{ ($.eventName = \"StopInstances\") || ($.eventName = \"TerminateInstances\") }",
                 HG_TOPIC_DEVOPS, NULL);
  for (size_t i = 0; i < n; i++) {
    char id[64], pat[160];
    snprintf(id, sizeof id, "generated-%04zu", i);
    snprintf(pat, sizeof pat, "{ ($.eventName = \"Call%04zu\") && ($.userIdentity.type = \"IAMUser\") }", i);
    fixture_filter(&c->filters, id, "A generated detection", pat,
                   i % 2 ? HG_TOPIC_DEVOPS : HG_TOPIC_INFOSEC, NULL);
  }
  c->patterns = xcalloc(c->filters.n, sizeof *c->patterns);
  for (size_t i = 0; i < c->filters.n; i++) {
    const char *pt = c->filters.v[i].pattern;
    c->patterns[i] = hg_fp_parse(pt, strlen(pt), NULL, NULL);
  }
}

static void fixture_free(hg_compiled *c)
{
  for (size_t i = 0; i < c->filters.n; i++)
    hg_fp_free(c->patterns[i]);
  free(c->patterns);
  hg_filterset_free(&c->filters);
  free(c->profile);
  memset(c, 0, sizeof *c);
}

#endif
