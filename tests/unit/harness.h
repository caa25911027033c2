/*
 * harness.h — a tiny unit-test harness (one header, no library).
 *
 *   TEST(name) { CHECK(x == 1); CHECK_STREQ(a, b); }
 *
 * Each TEST registers itself; main() (defined here, so include this header
 * in exactly one file per test program) runs them in file order and prints
 * one line per test: "PASS name" or "FAIL name: file:line: what". The runner
 * (tests/run.sh) counts those lines. Exit status is 1 when any test failed.
 */
#ifndef HG_TEST_HARNESS_H
#define HG_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*hg_test_fn)(void);
static struct { const char *name; hg_test_fn fn; } hg_tests_[512];
static int hg_ntests_;
static int hg_failed_now_;
static const char *hg_current_;

#define TEST(tname)                                                                  \
  static void test_##tname(void);                                                    \
  __attribute__((constructor)) static void register_##tname(void)                    \
  {                                                                                  \
    hg_tests_[hg_ntests_].name = #tname;                                             \
    hg_tests_[hg_ntests_++].fn = test_##tname;                                       \
  }                                                                                  \
  static void test_##tname(void)

#define FAIL_AT(...)                                                                 \
  do {                                                                               \
    if (!hg_failed_now_)                                                             \
      printf("FAIL %s: %s:%d: ", hg_current_, __FILE__, __LINE__);                   \
    else                                                                             \
      printf("     also %s:%d: ", __FILE__, __LINE__);                               \
    printf(__VA_ARGS__);                                                             \
    printf("\n");                                                                    \
    hg_failed_now_ = 1;                                                              \
  } while (0)

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond))                                                                     \
      FAIL_AT("CHECK(%s)", #cond);                                                   \
  } while (0)

#define CHECK_STREQ(a, b)                                                            \
  do {                                                                               \
    const char *a_ = (a), *b_ = (b);                                                 \
    if (!a_ || !b_ || strcmp(a_, b_) != 0)                                           \
      FAIL_AT("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)",              \
              b_ ? b_ : "(null)");                                                   \
  } while (0)

#define CHECK_INTEQ(a, b)                                                            \
  do {                                                                               \
    long long a_ = (long long)(a), b_ = (long long)(b);                              \
    if (a_ != b_)                                                                    \
      FAIL_AT("%s == %s: %lld != %lld", #a, #b, a_, b_);                             \
  } while (0)

int main(void)
{
  int failed = 0;
  for (int i = 0; i < hg_ntests_; i++) {
    hg_current_ = hg_tests_[i].name;
    hg_failed_now_ = 0;
    hg_tests_[i].fn();
    if (hg_failed_now_)
      failed++;
    else
      printf("PASS %s\n", hg_tests_[i].name);
    fflush(stdout);
  }
  return failed ? 1 : 0;
}

#endif
