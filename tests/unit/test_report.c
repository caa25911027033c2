/*
 * test_report.c — the pieces of the HTML report (report.h) that are pure:
 * the list of alarm firings the charts mark (hg_alarm_firings, bounded by
 * the caller's array) and the escaping of every text taken from inputs.
 */
#include "harness.h"

#include <string.h>

#include "hg/alarm.h"
#include "hg/report.h"

/* Breaching periods 10, 12, 13, 20, 22 (threshold 2, period 60 s): with one
 * evaluation period each run fires once: at 10, 12, 20, 22. */
static const hg_alarm_bucket busy[] = {{10, 2}, {11, 1}, {12, 3}, {13, 2}, {20, 5}, {22, 2}};
#define N_BUSY (sizeof busy / sizeof busy[0])

TEST(report_firings_all_listed)
{
  hg_alarm_spec s = {2, HG_ALARM_GE, 60, 1};
  long long at[8];
  memset(at, 0xff, sizeof at);
  hg_alarm_result r = hg_alarm_firings(busy, N_BUSY, &s, at, 8);
  CHECK_INTEQ(r.fired, 4);
  CHECK_INTEQ(at[0], 10 * 60);
  CHECK_INTEQ(at[1], 12 * 60);
  CHECK_INTEQ(at[2], 20 * 60);
  CHECK_INTEQ(at[3], 22 * 60);
  CHECK_INTEQ(at[4], -1); /* nothing written past the firings */
  CHECK_INTEQ(r.first, 10 * 60);
  CHECK_INTEQ(r.last, 22 * 60);
  /* the same counts as hg_alarm_evaluate */
  hg_alarm_result e = hg_alarm_evaluate(busy, N_BUSY, &s);
  CHECK_INTEQ(e.fired, r.fired);
  CHECK_INTEQ(e.first, r.first);
  CHECK_INTEQ(e.last, r.last);
}

TEST(report_firings_cap)
{
  hg_alarm_spec s = {2, HG_ALARM_GE, 60, 1};
  long long at[3] = {-1, -1, -1};
  hg_alarm_result r = hg_alarm_firings(busy, N_BUSY, &s, at, 2);
  CHECK_INTEQ(r.fired, 4); /* counted past the cap */
  CHECK_INTEQ(at[0], 10 * 60);
  CHECK_INTEQ(at[1], 12 * 60);
  CHECK_INTEQ(at[2], -1);  /* but not stored */
  CHECK_INTEQ(r.last, 22 * 60);
  r = hg_alarm_firings(busy, N_BUSY, &s, NULL, 5);
  CHECK_INTEQ(r.fired, 4);
}

TEST(report_firings_evaluation_periods)
{
  /* Two evaluation periods: 12-13 completes at 13; 10, 20, 22 stand alone. */
  hg_alarm_spec s = {2, HG_ALARM_GE, 60, 2};
  long long at[4] = {-1, -1, -1, -1};
  hg_alarm_result r = hg_alarm_firings(busy, N_BUSY, &s, at, 4);
  CHECK_INTEQ(r.fired, 1);
  CHECK_INTEQ(at[0], 13 * 60);
  CHECK_INTEQ(at[1], -1);
}

TEST(report_firings_counts)
{
  hg_alarm_counts c;
  hg_alarm_counts_init(&c, 300);
  /* 2023-07-10T12:00:00Z twice, 13:00 twice, 13:05 once */
  long long t0 = 1688990400LL;
  long long ts[] = {t0, t0 + 10, t0 + 3600, t0 + 3601, t0 + 3900};
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
    hg_alarm_counts_add(&c, ts[i]);
  hg_alarm_spec s = {2, HG_ALARM_GE, 300, 1};
  long long at[4] = {0};
  hg_alarm_result r = hg_alarm_firings_counts(&c, &s, at, 4);
  hg_alarm_counts_free(&c);
  CHECK_INTEQ(r.fired, 2);
  CHECK_INTEQ(at[0], t0);
  CHECK_INTEQ(at[1], t0 + 3600);
}

TEST(report_escape)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_report_escape(&b, "<script>alert('x') & \"y\"</script>\x01\x7f\ttab");
  hg_buf_putc(&b, '\0');
  CHECK_STREQ(b.data, "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
                      "\xEF\xBF\xBD\xEF\xBF\xBD\ttab");
  hg_buf_free(&b);
}
