/*
 * fuzz_alarm.c — libFuzzer target for the alarm replay (alarm.h): the
 * eventTime parser and the per-period counts.
 *
 * Input: lines of "TIMESTAMP" text. Each is parsed; a parsed time is
 * formatted and parsed back (it must give the same second, checked with
 * abort() for years 0..9999) and counted into 60, 300 and 900 s periods;
 * the counts are merged and evaluated for several alarm shapes. Must never
 * crash, leak or run long, whatever the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hg/alarm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const long long periods[] = {60, 300, 900};
  hg_alarm_counts c[3], all;
  for (int i = 0; i < 3; i++)
    hg_alarm_counts_init(&c[i], periods[i]);
  hg_alarm_counts_init(&all, 300);
  const char *p = (const char *)data, *end = p + size;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    long long t;
    if (hg_alarm_parse_time(p, len, &t)) {
      char out[21], back_ok = 1;
      hg_alarm_format_time(t, out);
      long long t2;
      if (strcmp(out, "0000-00-00T00:00:00Z") != 0) {
        back_ok = hg_alarm_parse_time(out, strlen(out), &t2) && t2 == t;
        if (!back_ok)
          abort();
      }
      for (int i = 0; i < 3; i++)
        hg_alarm_counts_add(&c[i], t);
    }
    p += len + (nl ? 1 : 0);
  }
  hg_alarm_counts_merge(&all, &c[1]);
  for (int i = 0; i < 3; i++) {
    for (int e = 1; e <= 3; e++) {
      hg_alarm_spec s = {(double)e, (hg_alarm_op)(e % 4), periods[i], e};
      hg_alarm_evaluate_counts(&c[i], &s);
    }
    hg_alarm_counts_free(&c[i]);
  }
  hg_alarm_counts_free(&all);
  return 0;
}
