/*
 * test_backtest.c — one pass of several patterns over events: counts, first
 * and last eventTime, samples, equal patterns, raw-text patterns, examples.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hg/backtest.h"
#include "hg/util.h"

static hg_fp *parse(const char *t)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_fp *fp = hg_fp_parse(t, strlen(t), NULL, &s);
  hg_diag_free(&s);
  return fp;
}

static void ev(hg_bt *bt, const char *t)
{
  hg_bt_event(bt, t, strlen(t));
}

TEST(counts_times_and_samples)
{
  hg_fp *p[4] = {
      parse("{ $.eventName = \"Stop*\" }"),
      parse("{$.eventName=\"Stop*\"}"), /* equal to the first: evaluated once */
      parse("Denied"),                  /* a term pattern reads the raw text */
      parse("{ $.errorCode NOT EXISTS }"),
  };
  for (int i = 0; i < 4; i++)
    CHECK(p[i] != NULL);
  hg_bt *bt = hg_bt_new(p, 4);
  ev(bt, "{\"eventTime\":\"2024-01-02T00:00:00Z\",\"eventID\":\"b\",\"eventName\":\"StopLogging\"}");
  ev(bt, "{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"a\",\"eventName\":\"StopInstances\","
         "\"errorCode\":\"AccessDenied\"}");
  ev(bt, "{\"eventTime\":\"2024-01-03T00:00:00Z\",\"eventID\":\"c\",\"eventName\":\"StopX\"}");
  ev(bt, "{\"eventTime\":\"2023-12-31T00:00:00Z\",\"eventID\":\"d\",\"eventName\":\"StopY\"}");
  ev(bt, "{\"eventName\":\"Start\"}");
  const hg_bt_result *r = hg_bt_result_of(bt, 0);
  CHECK_INTEQ(r->matches, 4);
  CHECK_STREQ(r->first, "2023-12-31T00:00:00Z");
  CHECK_STREQ(r->last, "2024-01-03T00:00:00Z");
  CHECK_INTEQ(r->n_samples, 3);
  CHECK_STREQ(r->samples[0], "b");
  CHECK_STREQ(r->samples[1], "a");
  CHECK_STREQ(r->samples[2], "c");
  CHECK_INTEQ(hg_bt_result_of(bt, 1)->matches, 4);
  CHECK_INTEQ(hg_bt_result_of(bt, 2)->matches, 1);
  CHECK_STREQ(hg_bt_result_of(bt, 2)->samples[0], "a");
  CHECK_INTEQ(hg_bt_result_of(bt, 3)->matches, 4);
  CHECK_STREQ(hg_bt_result_of(bt, 3)->first, "");  /* the last event has no eventTime */
  hg_bt_free(bt);
  for (int i = 0; i < 4; i++)
    hg_fp_free(p[i]);
}

TEST(examples_report_failures_at_their_line)
{
  hg_filter f;
  memset(&f, 0, sizeof f);
  f.id = "x";
  f.file = "filters/custom.lua";
  f.pattern = "{ $.eventName = \"A\" }";
  hg_example m[2] = {{"{\"eventName\":\"A\"}", true, 10}, {"{\"eventName\":\"B\"}", true, 11}};
  hg_example nm[2] = {{"{\"eventName\":\"A\"}", true, 14}, {"not json at all", false, 15}};
  f.match = m;
  f.n_match = 2;
  f.nomatch = nm;
  f.n_nomatch = 2;
  hg_fp *fp = parse(f.pattern);
  size_t passed = 0, failed = 0;
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_bt_examples(&f, fp, &passed, &failed, &s);
  CHECK_INTEQ(passed, 2);
  CHECK_INTEQ(failed, 2);
  CHECK_INTEQ(s.n, 2);
  if (s.n == 2) {
    CHECK_STREQ(s.v[0].file, "filters/custom.lua");
    CHECK_INTEQ(s.v[0].line, 11);
    CHECK_STREQ(s.v[0].code, "test-example-failed");
    CHECK_STREQ(s.v[0].message, "match example 2 of 'x' does not match the pattern");
    CHECK_INTEQ(s.v[1].line, 14);
    CHECK_STREQ(s.v[1].message, "nomatch example 1 of 'x' matches the pattern");
  }
  hg_diag_free(&s);
  hg_fp_free(fp);
}
