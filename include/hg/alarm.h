/*
 * alarm.h — replay a CloudWatch alarm over the per-period match counts of
 * one metric filter (the alarm half of `hardengen test --events`).
 *
 * The model (doc/alarms.md):
 *   - a metric filter publishes 1 per matching event, timestamped with the
 *     event; CloudWatch aggregates the metric with `Sum` into periods aligned
 *     to the Unix epoch (a 300 s period starts at a multiple of 300 s since
 *     1970-01-01T00:00:00Z), so bucket k covers [k*period, (k+1)*period);
 *   - a period without a match has no datapoint (the emitted metric filters
 *     set no DefaultValue), and the emitted alarms treat missing data as
 *     notBreaching, so such a period never breaches;
 *   - a period breaches when its sum compares true against the threshold
 *     with the alarm's operator;
 *   - with evaluation_periods N (and DatapointsToAlarm unset, so N of N),
 *     the alarm goes to ALARM when N consecutive periods breach, stays
 *     there while the following periods breach, and returns to OK at the
 *     first period that does not. Each OK -> ALARM transition is a firing,
 *     timed at the start of the period that completed the N breaching ones.
 *
 * Counts are kept sparse (only periods with a match), so memory grows with
 * the number of distinct busy periods, never with the number of events.
 * Counts of several readers (parallel workers) merge with
 * hg_alarm_counts_merge; evaluation does not depend on the order in which
 * events were added or counts merged.
 */
#ifndef HG_ALARM_H
#define HG_ALARM_H

#include <stdbool.h>
#include <stddef.h>

/* The alarm's ComparisonOperator (the four a static threshold may use). */
typedef enum {
  HG_ALARM_GE, /* GreaterThanOrEqualToThreshold (what hardengen emits) */
  HG_ALARM_GT, /* GreaterThanThreshold */
  HG_ALARM_LT, /* LessThanThreshold */
  HG_ALARM_LE, /* LessThanOrEqualToThreshold */
} hg_alarm_op;

typedef struct hg_alarm_spec {
  double threshold;
  hg_alarm_op op;
  long long period;         /* seconds, > 0 */
  int evaluation_periods;   /* >= 1 */
} hg_alarm_spec;

/* One period with matches: the bucket index k (start = k * period). */
typedef struct hg_alarm_bucket {
  long long k;
  unsigned long long n;
} hg_alarm_bucket;

/*
 * Sparse per-period match counts of one filter: an open-addressing hash of
 * bucket index -> count. Owns its table; zero-initialised after
 * hg_alarm_counts_init, freed with hg_alarm_counts_free.
 */
typedef struct hg_alarm_counts {
  long long period;         /* seconds; every bucket uses it */
  hg_alarm_bucket *slot;    /* owned; cap entries, n == 0 marks an empty slot */
  size_t used, cap;
  unsigned long long untimed; /* matches whose time could not be read */
  /* The bucket hg_alarm_counts_add counted last (a filter's matches come
   * mostly in the period of its previous one): slot index + 1 (0: none),
   * and the times [hot_lo, hot_hi] it covers. */
  size_t hot;
  long long hot_lo, hot_hi;
} hg_alarm_counts;

void hg_alarm_counts_init(hg_alarm_counts *c, long long period);
void hg_alarm_counts_free(hg_alarm_counts *c);

/* Count one match at t (seconds since the epoch). */
void hg_alarm_counts_add(hg_alarm_counts *c, long long t);

/* Count n matches in bucket k. */
void hg_alarm_counts_add_bucket(hg_alarm_counts *c, long long k, unsigned long long n);

/*
 * Add every count of src to dst (both must use the same period; returns
 * false and changes nothing otherwise). src is left as it was.
 */
bool hg_alarm_counts_merge(hg_alarm_counts *dst, const hg_alarm_counts *src);

/*
 * The busy periods sorted by bucket index, as a malloc'd array of *n
 * entries (NULL when there are none). The caller frees it.
 */
hg_alarm_bucket *hg_alarm_counts_sorted(const hg_alarm_counts *c, size_t *n);

/* What replaying the alarm gave. first/last: start of the firing period,
 * seconds since the epoch; meaningful only when fired > 0. */
typedef struct hg_alarm_result {
  unsigned long long fired;
  long long first, last;
} hg_alarm_result;

/*
 * Replay the alarm over buckets (sorted by k, no duplicates, as
 * hg_alarm_counts_sorted returns them; the period is spec->period). Pure:
 * no allocation, no I/O.
 */
hg_alarm_result hg_alarm_evaluate(const hg_alarm_bucket *b, size_t n, const hg_alarm_spec *spec);

/* Convenience: sort c's buckets and evaluate them. */
hg_alarm_result hg_alarm_evaluate_counts(const hg_alarm_counts *c, const hg_alarm_spec *spec);

/*
 * hg_alarm_evaluate that also stores the time of every firing (start of the
 * firing period, as first/last), in order, into at[0 .. min(fired, cap)):
 * the caller's array bounds the memory; firings past cap are counted in
 * fired but not stored. at may be NULL (then nothing is stored).
 */
hg_alarm_result hg_alarm_firings(const hg_alarm_bucket *b, size_t n, const hg_alarm_spec *spec, long long *at,
                                 size_t cap);

/* Convenience: sort c's buckets and list their firings (as above). */
hg_alarm_result hg_alarm_firings_counts(const hg_alarm_counts *c, const hg_alarm_spec *spec, long long *at,
                                        size_t cap);

/*
 * Parse an ISO 8601 / RFC 3339 timestamp as CloudTrail writes eventTime
 * ("2023-07-10T11:54:42Z"; fractional seconds and a +HH:MM / -HH:MM offset
 * are accepted; no offset means UTC) into seconds since the epoch. Returns
 * false when text is not such a timestamp.
 */
bool hg_alarm_parse_time(const char *text, size_t len, long long *out);

/* Format t (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ" into out
 * (at least 21 bytes). */
void hg_alarm_format_time(long long t, char out[21]);

#endif
