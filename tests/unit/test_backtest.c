/*
 * test_backtest.c — one pass of several patterns over events: counts, first
 * and last eventTime, samples, equal patterns, raw-text patterns, examples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hg/alarm.h"
#include "hg/backtest.h"
#include "hg/json.h"
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

typedef struct vals {
  char text[512];
} vals;

static void add_val(void *ud, const char *v, size_t n)
{
  vals *s = ud;
  strncat(s->text, v, n);
  strcat(s->text, "|");
}

TEST(guards_are_necessary_conditions)
{
  struct {
    const char *pattern, *key, *want; /* want NULL: no guard */
  } cases[] = {
      {"{ $.eventName = \"A\" }", "eventName", "A|"},
      {"{ ($.eventName = A) || ($.eventName = \"B\") }", "eventName", "A|B|"},
      {"{ ($.eventSource = s) && (($.eventName = A) || ($.eventName = B)) }", "eventName", "A|B|"},
      {"{ ($.eventSource = s) && (($.eventName = A) || ($.eventName = B)) }", "eventSource", "s|"},
      {"{ ($.eventName = A) || ($.errorCode = x) }", "eventName", NULL},
      {"{ $.eventName = \"Stop*\" }", "eventName", NULL},
      {"{ $.eventName != \"A\" }", "eventName", NULL},
      {"{ $.eventName = 5 }", "eventName", NULL},
      {"{ $.eventName = %A% }", "eventName", NULL},
      {"{ $.x.eventName = A }", "eventName", NULL},
      {"{ $.eventName NOT EXISTS }", "eventName", NULL},
      {"eventName", "eventName", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    hg_fp *fp = parse(cases[i].pattern);
    CHECK(fp != NULL);
    vals v = {{0}};
    bool g = hg_fp_guard(fp, cases[i].key, strlen(cases[i].key), add_val, &v);
    if (cases[i].want) {
      CHECK(g);
      CHECK_STREQ(v.text, cases[i].want);
    } else if (g) {
      FAIL_AT("%s: unexpected guard %s", cases[i].pattern, v.text);
    }
    hg_fp_free(fp);
  }
}

/* The patterns' counts over the events through a backtest and through
 * hg_fp_match alone (an event that is not a JSON object read as no JSON,
 * as the backtest reads it): fail where they differ. want[i] gets the
 * count of pattern i. */
static void against_match(const char *const *pats, size_t np, const char *const *events,
                          size_t ne, unsigned long long *want)
{
  hg_fp *p[8];
  CHECK(np <= HG_COUNTOF(p));
  for (size_t i = 0; i < np; i++) {
    p[i] = parse(pats[i]);
    CHECK(p[i] != NULL);
  }
  hg_bt *bt = hg_bt_new(p, np);
  hg_arena *a = hg_arena_new();
  for (size_t e = 0; e < ne; e++) {
    ev(bt, events[e]);
    hg_arena_reset(a);
    const hg_jv *v = hg_json_parse(a, events[e], strlen(events[e]), NULL, NULL);
    if (v && v->kind != HG_JV_OBJECT)
      v = NULL;
    for (size_t i = 0; i < np; i++)
      want[i] += hg_fp_match(p[i], v, events[e], strlen(events[e]));
  }
  for (size_t i = 0; i < np; i++)
    CHECK_INTEQ(hg_bt_result_of(bt, i)->matches, want[i]);
  hg_arena_free(a);
  hg_bt_free(bt);
  for (size_t i = 0; i < np; i++)
    hg_fp_free(p[i]);
}

/* The prefilter must not change a count: guarded filters against the same
 * patterns evaluated by hg_fp_match alone, on events whose eventName is a
 * string, a number, a boolean, null, an array, missing, duplicated or
 * escaped. */
TEST(prefilter_changes_no_result)
{
  const char *pats[] = {
      "{ ($.eventName = A) || ($.eventName = \"true\") || ($.eventName = \"12\") }",
      "{ ($.eventSource = \"s.amazonaws.com\") && ($.eventName = \"B\xc3\xa9\") }",
      "{ $.eventName = \"A\" }",
      "{ $.eventName = \"A*\" }",
  };
  const char *events[] = {
      "{\"eventName\":\"A\"}",
      "{\"eventName\":\"AB\"}",
      "{\"eventName\":true}",
      "{\"eventName\":12}",
      "{\"eventName\":12.0}",
      "{\"eventName\":null}",
      "{\"eventName\":[\"A\"]}",
      "{\"other\":\"A\"}",
      "{\"eventName\":\"A\",\"eventName\":\"C\"}",
      "{\"eventName\":\"C\",\"eventName\":\"A\"}",
      "{\"eventName\":\"\\u0041\"}",
      "{\"eventSource\":\"s.amazonaws.com\",\"eventName\":\"B\\u00e9\"}",
      "{\"eventSource\":\"s.amazonaws.com\",\"eventName\":\"B\xc3\xa9\"}",
      "[1,2]",
      "{\"eventName\":{\"A\":1}}",
  };
  unsigned long long want[4] = {0};
  against_match(pats, HG_COUNTOF(pats), events, HG_COUNTOF(events), want);
  CHECK_INTEQ(want[0], 5); /* A, true, 12, A first of two, \u0041 (not 12.0, not C first) */
  CHECK_INTEQ(want[1], 2);
}

/* Consecutive events share their eventTime text and parsed time (kept from
 * one event to the next): a repeated time, a time after an event without
 * one, times equal in their first 63 bytes but not after, a time that
 * does not parse and then one that does, and a number all count as if
 * each event were read alone. */
TEST(repeated_event_times_count_as_read)
{
  hg_fp *p[1] = {parse("{ $.eventName = \"X\" }")};
  CHECK(p[0] != NULL);
  hg_bt *bt = hg_bt_new(p, 1);
  int periods[1] = {60};
  hg_bt_track_periods(bt, periods);
  char longa[128], longb[128];
  snprintf(longa, sizeof longa, "2024-01-01T00:02:00Z%050d", 0);
  snprintf(longb, sizeof longb, "2024-01-01T00:02:00Z%049d1", 0);
  const char *times[] = {
      "\"2024-01-01T00:00:10Z\"", "\"2024-01-01T00:00:10Z\"", NULL, "\"2024-01-01T00:00:10Z\"",
      "\"2024-01-01T00:01:00Z\"", "\"2024-01-01T00:01:00Zjunk\"", "\"2024-01-01T00:01:00Z\"",
      longa, longb, "1",
  };
  for (size_t i = 0; i < HG_COUNTOF(times); i++) {
    char *e;
    if (!times[i])
      e = xasprintf("{\"eventName\":\"X\"}");
    else if (times[i] == longa || times[i] == longb)
      e = xasprintf("{\"eventTime\":\"%s\",\"eventName\":\"X\"}", times[i]);
    else
      e = xasprintf("{\"eventTime\":%s,\"eventName\":\"X\"}", times[i]);
    ev(bt, e);
    free(e);
  }
  const hg_bt_result *r = hg_bt_result_of(bt, 0);
  CHECK_INTEQ(r->matches, 10);
  CHECK_STREQ(r->first, "");
  CHECK_INTEQ(strlen(r->last), HG_BT_TEXT - 1);
  CHECK(strncmp(r->last, longa, HG_BT_TEXT - 1) == 0);
  const hg_alarm_counts *c = hg_bt_counts_of(bt, 0);
  CHECK(c != NULL);
  if (c) {
    CHECK_INTEQ(c->untimed, 5);
    size_t n = 0;
    hg_alarm_bucket *b = hg_alarm_counts_sorted(c, &n);
    CHECK_INTEQ(n, 2);
    long long t0 = 0;
    CHECK(hg_alarm_parse_time("2024-01-01T00:00:00Z", 20, &t0));
    if (n == 2) {
      CHECK_INTEQ(b[0].k, t0 / 60);
      CHECK_INTEQ(b[0].n, 3);
      CHECK_INTEQ(b[1].k, t0 / 60 + 1);
      CHECK_INTEQ(b[1].n, 2);
    }
    free(b);
  }
  hg_bt_free(bt);
  hg_fp_free(p[0]);
}

static void add_required(void *ud, const hg_jstep *st)
{
  vals *s = ud;
  strncat(s->text, st->key, st->keylen);
  strcat(s->text, "|");
}

TEST(required_members_are_necessary)
{
  struct {
    const char *pattern, *want;
  } cases[] = {
      {"{ $.errorCode = \"x\" }", "errorCode|"},
      {"{ ($.errorCode = \"*Unauthorized\") || ($.errorCode = \"AccessDenied*\") }", "errorCode|"},
      {"{ ($.a = 1) && ($.b.c != x) && ($.a IS NULL) }", "a|b|"},
      {"{ ($.a = 1) || ($.b = 1) }", ""},
      {"{ (($.a = 1) && ($.b = 2)) || (($.c = 3) && ($.b = 4)) }", "b|"},
      {"{ $.a NOT EXISTS }", ""},
      {"{ ($.a NOT EXISTS) || ($.a = 1) }", ""},
      {"{ ($.a NOT EXISTS) && ($.b IS TRUE) }", "b|"},
      {"{ $.a[0].b = 1 }", "a|"},
      {"{ $.* = 1 }", ""},
      {"{ $[0] = 1 }", ""},
      {"errorCode", ""},
      {"%errorCode%", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    hg_fp *fp = parse(cases[i].pattern);
    if (!fp) {
      FAIL_AT("does not parse: %s", cases[i].pattern);
      continue;
    }
    vals v = {{0}};
    hg_fp_required(fp, add_required, &v);
    if (strcmp(v.text, cases[i].want) != 0)
      FAIL_AT("%s: required %s, want %s", cases[i].pattern, v.text, cases[i].want);
    hg_fp_free(fp);
  }
}

/* Skipping filters on events without a member they need changes no count:
 * members absent, null, of every kind, duplicated, escaped; patterns
 * sharing their member, needing two, or none. */
TEST(required_members_change_no_result)
{
  const char *pats[] = {
      "{ ($.errorCode = \"*Unauthorized\") || ($.errorCode = \"AccessDenied*\") }",
      "{ ($.errorCode = \"AccessDenied\") && ($.sourceIPAddress != \"1.2.3.4\") }",
      "{ ($.readOnly IS FALSE) && ($.requestParameters.x = 1) }",
      "{ ($.requestParameters.x = 1) || ($.requestParameters.y NOT EXISTS) }",
      "{ $.errorCode NOT EXISTS }",
      "{ $.userIdentity.type != \"AWSService\" }",
      "{ ($.errorCode = \"*Unauthorized\") || ($.errorCode = \"AccessDenied*\") }",
  };
  const char *events[] = {
      "{\"errorCode\":\"AccessDenied\"}",
      "{\"errorCode\":\"AccessDenied\",\"sourceIPAddress\":\"5.6.7.8\"}",
      "{\"errorCode\":\"Client.Unauthorized\",\"readOnly\":false}",
      "{\"errorCode\":null,\"readOnly\":false,\"requestParameters\":null}",
      "{\"readOnly\":false,\"requestParameters\":{\"x\":1}}",
      "{\"readOnly\":false,\"requestParameters\":{\"y\":1}}",
      "{\"readOnly\":true,\"requestParameters\":{\"x\":1}}",
      "{\"requestParameters\":{}}",
      "{\"\\u0065rrorCode\":\"AccessDenied\"}",
      "{\"errorCode\":\"x\",\"errorCode\":\"AccessDenied\"}",
      "{\"errorCode\":\"AccessDenied\",\"errorCode\":\"x\"}",
      "{\"userIdentity\":{\"type\":\"IAMUser\"}}",
      "{\"userIdentity\":\"IAMUser\"}",
      "{}",
      "[1]",
      "\"errorCode\"",
  };
  unsigned long long want[7] = {0};
  against_match(pats, HG_COUNTOF(pats), events, HG_COUNTOF(events), want);
  CHECK_INTEQ(want[0], 5); /* AccessDenied x3, Client.Unauthorized, the escaped name */
  CHECK_INTEQ(want[2], 1);
  CHECK_INTEQ(want[3], 13); /* needs no member: y is absent from all but one object */
  CHECK_INTEQ(want[4], 7);
  CHECK_INTEQ(want[6], want[0]);
}
