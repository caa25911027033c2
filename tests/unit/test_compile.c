/* test_compile.c — filters.disable and filters.override on a filter set. */
#include "harness.h"

#include "hg/compile.h"
#include "hg/diag.h"
#include "plan_fixture.h"

TEST(disable_and_override_apply_and_report_unknown_ids)
{
  hg_compiled c;
  fixture_compiled(&c, 3);
  hg_profile *p = c.profile;
  /* Patterns are parsed after this stage: drop the fixture's. */
  for (size_t i = 0; i < c.filters.n; i++) {
    hg_fp_free(c.patterns[i]);
    c.patterns[i] = NULL;
  }
  p->path = "profiles/prod.yaml";
  const char *disable[] = {"generated-0001", "generated-001"};
  p->disable = disable;
  p->n_disable = 2;
  hg_override ov[2] = {0};
  ov[0].id = "unauthorized-api-calls";
  ov[0].has_threshold = true;
  ov[0].threshold = 5;
  ov[0].topic = "devops";
  ov[0].pattern = "{ $.errorCode = \"AccessDenied\" }";
  ov[1].id = "ec2-power-operation";
  p->overrides = ov;
  p->n_overrides = 2;
  hg_fp_origin origins[5] = {{0}};
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK(hg_compile_apply_profile(p, &c.filters, origins, &sink) == -1);
  CHECK_INTEQ(c.filters.n, 4);
  CHECK(hg_filterset_find(&c.filters, "generated-0001") == NULL);
  hg_filter *f = hg_filterset_find(&c.filters, "unauthorized-api-calls");
  CHECK(f && f->threshold == 5 && f->topic == HG_TOPIC_DEVOPS);
  CHECK_STREQ(f ? f->pattern : NULL, "{ $.errorCode = \"AccessDenied\" }");
  CHECK_STREQ(origins[0].file, "profiles/prod.yaml");
  CHECK_INTEQ(sink.errors, 2);
  CHECK_STREQ(sink.v[0].message, "filters.override names filter 'ec2-power-operation', which env 'prod' does not have");
  CHECK_STREQ(sink.v[0].n_notes ? sink.v[0].notes[0] : NULL, "did you mean 'ec2-power-operations'?");
  CHECK_STREQ(sink.v[1].code, "profile-unknown-filter");
  CHECK_STREQ(sink.v[1].message, "filters.disable names filter 'generated-001', which env 'prod' does not have");
  hg_diag_free(&sink);
  p->disable = NULL;
  p->n_disable = 0;
  p->overrides = NULL;
  p->n_overrides = 0;
  fixture_free(&c);
}
