/*
 * test_diff.c — unified diffs (diff.h) pinned to what GNU `diff -u` prints
 * for the same texts (headers aside).
 */
#include "harness.h"

#include "hg/diff.h"
#include "hg/util.h"

static void check_diff(const char *a, const char *b, const char *want, const char *where)
{
  char *got = hg_diff_unified("a", a, a ? strlen(a) : 0, "b", b, b ? strlen(b) : 0);
  if (strcmp(got, want) != 0)
    FAIL_AT("%s:\n--- got\n%s--- want\n%s", where, got, want);
  free(got);
}

TEST(diff_equal_is_empty)
{
  check_diff("x\ny\n", "x\ny\n", "", "equal");
  check_diff("", "", "", "empty");
}

TEST(diff_one_change_with_context)
{
  check_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n",
             "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n", "middle");
}

TEST(diff_separate_hunks)
{
  check_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n",
             "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n"
             "-12\n+Y\n",
             "two hunks");
  /* Changes 6 equal lines apart share a hunk. */
  check_diff("1\n2\n3\n4\n5\n6\n7\n8\n", "X\n2\n3\n4\n5\n6\n7\nY\n",
             "--- a\n+++ b\n@@ -1,8 +1,8 @@\n-1\n+X\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+Y\n", "merged");
}

TEST(diff_added_and_removed_files)
{
  check_diff(NULL, "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n", "new file");
  check_diff("a\n", NULL, "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n", "deleted file");
}

TEST(diff_insert_and_delete_ranges)
{
  check_diff("a\nb\nc\n", "a\nb\nnew\nc\n", "--- a\n+++ b\n@@ -1,3 +1,4 @@\n a\n b\n+new\n c\n",
             "insert");
  check_diff("a\nb\nc\nd\n", "a\nd\n", "--- a\n+++ b\n@@ -1,4 +1,2 @@\n a\n-b\n-c\n d\n",
             "delete");
}

TEST(diff_missing_final_newline)
{
  check_diff("a\nb", "a\nb\n",
             "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
             "newline");
}

TEST(diff_large_rewrite_stays_correct)
{
  /* Past HG_DIFF_MAX_D edits the middle is replaced as a whole. */
  hg_buf a, b;
  hg_buf_init(&a);
  hg_buf_init(&b);
  for (int i = 0; i < 3000; i++) {
    hg_buf_printf(&a, "a%d\n", i);
    hg_buf_printf(&b, "b%d\n", i);
  }
  char *got = hg_diff_unified("a", a.data, a.len, "b", b.data, b.len);
  CHECK(strncmp(got, "--- a\n+++ b\n@@ -1,3000 +1,3000 @@\n-a0\n", 38) == 0);
  size_t minus = 0, plus = 0;
  for (const char *p = got; (p = strchr(p, '\n')) != NULL; p++) {
    minus += p[1] == '-' && p[2] != '-';
    plus += p[1] == '+' && p[2] != '+';
  }
  CHECK_INTEQ(minus, 3000);
  CHECK_INTEQ(plus, 3000);
  free(got);
  hg_buf_free(&a);
  hg_buf_free(&b);
}
