/*
 * alarm_eval.c — per-period match counts and the replay of a CloudWatch
 * alarm over them (alarm.h; the model is described there and in
 * doc/alarms.md).
 */
#include "hg/alarm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/util.h"

/* Floor division: a period starting before the epoch still aligns to it. */
static long long floor_div(long long a, long long b)
{
  long long q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void hg_alarm_counts_init(hg_alarm_counts *c, long long period)
{
  memset(c, 0, sizeof *c);
  c->period = period > 0 ? period : 300;
}

void hg_alarm_counts_free(hg_alarm_counts *c)
{
  free(c->slot);
  memset(c, 0, sizeof *c);
}

static size_t hash_k(long long k, size_t cap)
{
  unsigned long long x = (unsigned long long)k;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return (size_t)(x & (cap - 1));
}

static void grow(hg_alarm_counts *c)
{
  size_t cap = c->cap ? c->cap * 2 : 64;
  hg_alarm_bucket *s = xcalloc(cap, sizeof *s);
  for (size_t i = 0; i < c->cap; i++) {
    if (!c->slot[i].n)
      continue;
    size_t h = hash_k(c->slot[i].k, cap);
    while (s[h].n)
      h = (h + 1) & (cap - 1);
    s[h] = c->slot[i];
  }
  free(c->slot);
  c->slot = s;
  c->cap = cap;
  c->hot = 0; /* slots moved */
}

/* The slot of bucket k, added (with n = 0) when absent. */
static size_t bucket_slot(hg_alarm_counts *c, long long k)
{
  if ((c->used + 1) * 4 > c->cap * 3)
    grow(c);
  size_t h = hash_k(k, c->cap);
  while (c->slot[h].n && c->slot[h].k != k)
    h = (h + 1) & (c->cap - 1);
  if (!c->slot[h].n) {
    c->slot[h].k = k;
    c->used++;
  }
  return h;
}

void hg_alarm_counts_add_bucket(hg_alarm_counts *c, long long k, unsigned long long n)
{
  if (!n)
    return;
  size_t i = bucket_slot(c, k); /* may move c->slot */
  c->slot[i].n += n;
}

void hg_alarm_counts_add(hg_alarm_counts *c, long long t)
{
  if (c->hot && t >= c->hot_lo && t <= c->hot_hi) {
    c->slot[c->hot - 1].n++;
    return;
  }
  long long k = floor_div(t, c->period);
  size_t i = bucket_slot(c, k); /* may move c->slot */
  c->slot[i].n++;
  /* Remember the bucket's times, unless they do not fit a long long. */
  c->hot = 0;
  if (!__builtin_mul_overflow(k, c->period, &c->hot_lo) &&
      !__builtin_add_overflow(c->hot_lo, c->period - 1, &c->hot_hi))
    c->hot = i + 1;
}

bool hg_alarm_counts_merge(hg_alarm_counts *dst, const hg_alarm_counts *src)
{
  if (dst->period != src->period)
    return false;
  for (size_t i = 0; i < src->cap; i++)
    if (src->slot[i].n)
      hg_alarm_counts_add_bucket(dst, src->slot[i].k, src->slot[i].n);
  dst->untimed += src->untimed;
  return true;
}

static int cmp_bucket(const void *a, const void *b)
{
  long long x = ((const hg_alarm_bucket *)a)->k, y = ((const hg_alarm_bucket *)b)->k;
  return (x > y) - (x < y);
}

hg_alarm_bucket *hg_alarm_counts_sorted(const hg_alarm_counts *c, size_t *n)
{
  *n = 0;
  if (!c->used)
    return NULL;
  hg_alarm_bucket *v = xmalloc(c->used * sizeof *v);
  for (size_t i = 0; i < c->cap; i++)
    if (c->slot[i].n)
      v[(*n)++] = c->slot[i];
  qsort(v, *n, sizeof *v, cmp_bucket);
  return v;
}

static bool breaches(double sum, const hg_alarm_spec *s)
{
  switch (s->op) {
  case HG_ALARM_GE: return sum >= s->threshold;
  case HG_ALARM_GT: return sum > s->threshold;
  case HG_ALARM_LT: return sum < s->threshold;
  case HG_ALARM_LE: return sum <= s->threshold;
  }
  return false;
}

/* The replay behind hg_alarm_evaluate and hg_alarm_firings: the first cap
 * firing times go to at[] (at may be NULL when cap is 0). */
static hg_alarm_result replay(const hg_alarm_bucket *b, size_t n, const hg_alarm_spec *spec, long long *at,
                              size_t cap)
{
  hg_alarm_result r = {0, 0, 0};
  long long period = spec->period > 0 ? spec->period : 300;
  int need = spec->evaluation_periods > 0 ? spec->evaluation_periods : 1;
  /* run: consecutive breaching periods ending at the previous bucket. A
   * period with no datapoint between two buckets is missing data, treated
   * as notBreaching: it ends the run (and an ALARM state). */
  long long run = 0, prev = 0;
  for (size_t i = 0; i < n; i++) {
    bool adjacent = i > 0 && b[i].k == prev + 1;
    if (!breaches((double)b[i].n, spec)) {
      run = 0;
    } else {
      run = adjacent && run > 0 ? run + 1 : 1;
      if (run == need) {
        long long t = b[i].k * period;
        if (!r.fired)
          r.first = t;
        r.last = t;
        if (r.fired < cap)
          at[r.fired] = t;
        r.fired++;
      }
    }
    prev = b[i].k;
  }
  return r;
}

hg_alarm_result hg_alarm_evaluate(const hg_alarm_bucket *b, size_t n, const hg_alarm_spec *spec)
{
  return replay(b, n, spec, NULL, 0);
}

hg_alarm_result hg_alarm_firings(const hg_alarm_bucket *b, size_t n, const hg_alarm_spec *spec, long long *at,
                                 size_t cap)
{
  return replay(b, n, spec, at, at ? cap : 0);
}

hg_alarm_result hg_alarm_firings_counts(const hg_alarm_counts *c, const hg_alarm_spec *spec, long long *at,
                                        size_t cap)
{
  size_t n = 0;
  hg_alarm_bucket *v = hg_alarm_counts_sorted(c, &n);
  hg_alarm_spec s = *spec;
  s.period = c->period;
  hg_alarm_result r = hg_alarm_firings(v, n, &s, at, cap);
  free(v);
  return r;
}

hg_alarm_result hg_alarm_evaluate_counts(const hg_alarm_counts *c, const hg_alarm_spec *spec)
{
  size_t n = 0;
  hg_alarm_bucket *v = hg_alarm_counts_sorted(c, &n);
  hg_alarm_spec s = *spec;
  s.period = c->period;
  hg_alarm_result r = hg_alarm_evaluate(v, n, &s);
  free(v);
  return r;
}

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

static bool digits(const char *s, size_t len, size_t at, size_t n, int *out)
{
  if (at + n > len)
    return false;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = s[at + i];
    if (ch < '0' || ch > '9')
      return false;
    v = v * 10 + (ch - '0');
  }
  *out = v;
  return true;
}

bool hg_alarm_parse_time(const char *s, size_t len, long long *out)
{
  int y, mo, d, h, mi, se;
  if (!digits(s, len, 0, 4, &y) || len < 19 || s[4] != '-' || !digits(s, len, 5, 2, &mo) ||
      s[7] != '-' || !digits(s, len, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, len, 11, 2, &h) || s[13] != ':' || !digits(s, len, 14, 2, &mi) || s[16] != ':' ||
      !digits(s, len, 17, 2, &se))
    return false;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 ||
      mi > 59 || se > 60)
    return false;
  size_t i = 19;
  if (i < len && s[i] == '.') {
    i++;
    size_t start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++;
    if (i == start)
      return false;
  }
  long long offset = 0;
  if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i < len && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, len, i + 1, 2, &oh) || i + 3 >= len || s[i + 3] != ':' ||
        !digits(s, len, i + 4, 2, &om) || oh > 23 || om > 59)
      return false;
    offset = (oh * 3600LL + om * 60LL) * (s[i] == '-' ? -1 : 1);
    i += 6;
  }
  if (i != len)
    return false;
  long long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
  *out = days * 86400 + h * 3600LL + mi * 60LL + (se > 59 ? 59 : se) - offset;
  return true;
}

void hg_alarm_format_time(long long t, char out[21])
{
  long long days = floor_div(t, 86400), sec = t - days * 86400;
  /* civil_from_days (Howard Hinnant) */
  long long z = days + 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = (long long)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y < 0 || y > 9999) {
    strcpy(out, "0000-00-00T00:00:00Z");
    return;
  }
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d,
           (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
  memcpy(out, buf, 21);
  out[20] = '\0';
}
