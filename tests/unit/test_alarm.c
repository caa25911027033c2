/*
 * test_alarm.c — the alarm replay (alarm.h) against windows computed by
 * hand; the same fixture runs end to end in tests/sh/alarm_eval.sh.
 *
 * Events, as offsets from 2023-07-10T12:00:00Z (a multiple of 300 and 900 s
 * since the epoch), several on period boundaries:
 *   12:00:00 12:04:59 12:05:00 12:09:59 12:14:59 12:15:00 12:15:00 12:15:01
 *   12:45:00 13:00:00
 * 300 s buckets: 12:00=2 12:05=2 12:10=1 12:15=3 12:45=1 13:00=1
 * 900 s buckets: 12:00=5 12:15=3 12:45=1 13:00=1
 */
#include <limits.h>

#include "harness.h"

#include "hg/alarm.h"
#include "hg/util.h"

#define T0 1688990400LL /* 2023-07-10T12:00:00Z */

static const long long offsets[] = {0, 299, 300, 599, 899, 900, 900, 901, 2700, 3600};
#define N_EVENTS (sizeof offsets / sizeof offsets[0])

static hg_alarm_result run(double threshold, long long period, int evals)
{
  hg_alarm_counts c;
  hg_alarm_counts_init(&c, period);
  for (size_t i = 0; i < N_EVENTS; i++)
    hg_alarm_counts_add(&c, T0 + offsets[i]);
  hg_alarm_spec s = {threshold, HG_ALARM_GE, period, evals};
  hg_alarm_result r = hg_alarm_evaluate_counts(&c, &s);
  hg_alarm_counts_free(&c);
  return r;
}

#define CHECK_ALARM(thr, per, ev, n, first_min, last_min)                        \
  do {                                                                           \
    hg_alarm_result r_ = run(thr, per, ev);                                      \
    CHECK_INTEQ(r_.fired, n);                                                    \
    if ((n) > 0) {                                                               \
      CHECK_INTEQ(r_.first, T0 + (first_min) * 60);                              \
      CHECK_INTEQ(r_.last, T0 + (last_min) * 60);                                \
    }                                                                            \
  } while (0)

TEST(alarm_buckets_align_to_the_epoch)
{
  hg_alarm_counts c;
  hg_alarm_counts_init(&c, 300);
  for (size_t i = 0; i < N_EVENTS; i++)
    hg_alarm_counts_add(&c, T0 + offsets[i]);
  size_t n = 0;
  hg_alarm_bucket *b = hg_alarm_counts_sorted(&c, &n);
  static const long long want_min[] = {0, 5, 10, 15, 45, 60};
  static const unsigned long long want_n[] = {2, 2, 1, 3, 1, 1};
  CHECK_INTEQ(n, 6);
  for (size_t i = 0; i < n && i < 6; i++) {
    CHECK_INTEQ(b[i].k * 300, T0 + want_min[i] * 60);
    CHECK_INTEQ(b[i].n, want_n[i]);
  }
  free(b);
  hg_alarm_counts_free(&c);
}

/* threshold 1, period 300 */
TEST(alarm_t1_p300_e1) { CHECK_ALARM(1, 300, 1, 3, 0, 60); }  /* 12:00-12:15 run, 12:45, 13:00 */
TEST(alarm_t1_p300_e2) { CHECK_ALARM(1, 300, 2, 1, 5, 5); }   /* run of 4 completes 2 at 12:05 */
/* threshold 3, period 300: only 12:15 holds 3 */
TEST(alarm_t3_p300_e1) { CHECK_ALARM(3, 300, 1, 1, 15, 15); }
TEST(alarm_t3_p300_e2) { CHECK_ALARM(3, 300, 2, 0, 0, 0); }
/* threshold 1, period 900: runs 12:00-12:15 and 12:45-13:00 */
TEST(alarm_t1_p900_e1) { CHECK_ALARM(1, 900, 1, 2, 0, 45); }
TEST(alarm_t1_p900_e2) { CHECK_ALARM(1, 900, 2, 2, 15, 60); }
/* threshold 3, period 900: 12:00 (5) and 12:15 (3) */
TEST(alarm_t3_p900_e1) { CHECK_ALARM(3, 900, 1, 1, 0, 0); }
TEST(alarm_t3_p900_e2) { CHECK_ALARM(3, 900, 2, 1, 15, 15); }

TEST(alarm_missing_period_ends_the_run)
{
  /* 12:00 and 12:10 breach, 12:05 has no datapoint (notBreaching). */
  hg_alarm_bucket b[] = {{T0 / 300, 1}, {T0 / 300 + 2, 1}};
  hg_alarm_spec s = {1, HG_ALARM_GE, 300, 2};
  CHECK_INTEQ(hg_alarm_evaluate(b, 2, &s).fired, 0);
  s.evaluation_periods = 1;
  CHECK_INTEQ(hg_alarm_evaluate(b, 2, &s).fired, 2);
}

TEST(alarm_operators)
{
  hg_alarm_bucket b[] = {{10, 2}, {11, 3}, {12, 4}};
  hg_alarm_spec s = {3, HG_ALARM_GT, 60, 1};
  hg_alarm_result r = hg_alarm_evaluate(b, 3, &s);
  CHECK_INTEQ(r.fired, 1);
  CHECK_INTEQ(r.first, 12 * 60);
  s.op = HG_ALARM_LT; /* 2 breaches, 3 and 4 do not */
  r = hg_alarm_evaluate(b, 3, &s);
  CHECK_INTEQ(r.fired, 1);
  CHECK_INTEQ(r.first, 10 * 60);
  s.op = HG_ALARM_LE; /* 2, 3: one run */
  CHECK_INTEQ(hg_alarm_evaluate(b, 3, &s).fired, 1);
  s.op = HG_ALARM_GE;
  s.evaluation_periods = 3; /* 3 and 4 only: never 3 in a row */
  CHECK_INTEQ(hg_alarm_evaluate(b, 3, &s).fired, 0);
  CHECK_INTEQ(hg_alarm_evaluate(NULL, 0, &s).fired, 0);
}

TEST(alarm_merge_equals_one_reader)
{
  /* Two workers, each with half the events in a different order. */
  hg_alarm_counts a, b, whole;
  hg_alarm_counts_init(&a, 900);
  hg_alarm_counts_init(&b, 900);
  hg_alarm_counts_init(&whole, 900);
  for (size_t i = 0; i < N_EVENTS; i++) {
    hg_alarm_counts_add(i % 2 ? &a : &b, T0 + offsets[N_EVENTS - 1 - i]);
    hg_alarm_counts_add(&whole, T0 + offsets[i]);
  }
  b.untimed = 2;
  CHECK(hg_alarm_counts_merge(&a, &b));
  CHECK_INTEQ(a.untimed, 2);
  size_t na = 0, nw = 0;
  hg_alarm_bucket *va = hg_alarm_counts_sorted(&a, &na), *vw = hg_alarm_counts_sorted(&whole, &nw);
  CHECK_INTEQ(na, nw);
  for (size_t i = 0; i < na && i < nw; i++) {
    CHECK_INTEQ(va[i].k, vw[i].k);
    CHECK_INTEQ(va[i].n, vw[i].n);
  }
  free(va);
  free(vw);
  hg_alarm_counts c300;
  hg_alarm_counts_init(&c300, 300);
  CHECK(!hg_alarm_counts_merge(&c300, &a)); /* periods differ */
  hg_alarm_counts_free(&c300);
  hg_alarm_counts_free(&a);
  hg_alarm_counts_free(&b);
  hg_alarm_counts_free(&whole);
}

TEST(alarm_many_buckets_grow_the_table)
{
  hg_alarm_counts c;
  hg_alarm_counts_init(&c, 60);
  for (long long i = 0; i < 10000; i++)
    hg_alarm_counts_add(&c, i * 120); /* every other minute: never two in a row */
  CHECK_INTEQ(c.used, 10000);
  hg_alarm_spec s = {1, HG_ALARM_GE, 60, 2};
  CHECK_INTEQ(hg_alarm_evaluate_counts(&c, &s).fired, 0);
  s.evaluation_periods = 1;
  CHECK_INTEQ(hg_alarm_evaluate_counts(&c, &s).fired, 10000);
  hg_alarm_counts_free(&c);
}

/* hg_alarm_counts_add remembers the bucket it counted last: runs in one
 * period, returns to an earlier one, periods before the epoch, times at
 * the ends of a long long (whose bucket has no representable start) and
 * the table growing between two adds all count as a bucket by bucket sum. */
TEST(alarm_counts_add_same_as_buckets)
{
  static const long long t[] = {
      0, 1, 299, 300, 299, 300, 599, -1, -300, -301, 0, -1,
      LLONG_MAX, LLONG_MAX - 1, LLONG_MIN, LLONG_MIN + 1, LLONG_MIN, 7, LLONG_MAX,
  };
  hg_alarm_counts c, ref;
  hg_alarm_counts_init(&c, 300);
  hg_alarm_counts_init(&ref, 300);
  for (int round = 0; round < 40; round++) { /* 40 * 19 adds: the table grows */
    for (size_t i = 0; i < HG_COUNTOF(t); i++) {
      long long x = t[i] == LLONG_MAX || t[i] == LLONG_MIN || t[i] == LLONG_MAX - 1 ||
                            t[i] == LLONG_MIN + 1
                        ? t[i]
                        : t[i] + round * 86400LL;
      hg_alarm_counts_add(&c, x);
      long long k = x / 300 - (x % 300 < 0); /* floor */
      hg_alarm_counts_add_bucket(&ref, k, 1);
    }
  }
  size_t nc = 0, nr = 0;
  hg_alarm_bucket *vc = hg_alarm_counts_sorted(&c, &nc), *vr = hg_alarm_counts_sorted(&ref, &nr);
  CHECK_INTEQ(nc, nr);
  CHECK(nc > 64); /* past the first table */
  for (size_t i = 0; i < nc && i < nr; i++) {
    CHECK_INTEQ(vc[i].k, vr[i].k);
    CHECK_INTEQ(vc[i].n, vr[i].n);
  }
  free(vc);
  free(vr);
  hg_alarm_counts_free(&c);
  hg_alarm_counts_free(&ref);
}

TEST(alarm_parse_time)
{
  long long t = 0;
  CHECK(hg_alarm_parse_time("2023-07-10T12:00:00Z", 20, &t));
  CHECK_INTEQ(t, T0);
  CHECK(hg_alarm_parse_time("2023-07-10T12:00:00.999Z", 24, &t));
  CHECK_INTEQ(t, T0);
  CHECK(hg_alarm_parse_time("2023-07-10T14:00:00+02:00", 25, &t));
  CHECK_INTEQ(t, T0);
  CHECK(hg_alarm_parse_time("1970-01-01T00:00:00Z", 20, &t));
  CHECK_INTEQ(t, 0);
  CHECK(hg_alarm_parse_time("2024-02-29T00:00:00Z", 20, &t));
  CHECK(!hg_alarm_parse_time("2023-02-29T00:00:00Z", 20, &t));
  CHECK(!hg_alarm_parse_time("2023-07-10", 10, &t));
  CHECK(!hg_alarm_parse_time("2023-07-10T12:00:00Zjunk", 24, &t));
  CHECK(!hg_alarm_parse_time("2023-13-10T12:00:00Z", 20, &t));
  CHECK(!hg_alarm_parse_time("", 0, &t));
  char out[21];
  hg_alarm_format_time(T0 + 899, out);
  CHECK_STREQ(out, "2023-07-10T12:14:59Z");
  hg_alarm_format_time(0, out);
  CHECK_STREQ(out, "1970-01-01T00:00:00Z");
  hg_alarm_format_time(-1, out);
  CHECK_STREQ(out, "1969-12-31T23:59:59Z");
}
