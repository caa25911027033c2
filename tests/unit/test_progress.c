/*
 * test_progress.c — the progress line's text (percentage, ETA) and the
 * total it is measured against (progress.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#include "hg/progress.h"
#include "hg/util.h"

TEST(progress_line_percentage_and_eta)
{
  char line[160];
  /* A quarter of 40 MB in 5 s: 15 s left. */
  hg_progress_format(line, sizeof line, 10000000, 40000000, 5.0, 12, 3456);
  CHECK_STREQ(line, " 25%  12 files  3456 events  10.0/40.0 MB  2.0 MB/s  ETA 0:15");
  hg_progress_format(line, sizeof line, 0, 40000000, 0.0, 0, 0);
  CHECK_STREQ(line, "  0%  0 files  0 events  0.0/40.0 MB  0.0 MB/s  ETA -");
  hg_progress_format(line, sizeof line, 1000000, 9000000000ULL, 2.0, 1, 1);
  CHECK_STREQ(line, "  0%  1 files  1 events  1.0/9000.0 MB  0.5 MB/s  ETA 4:59:58");
  /* A file that grew while it was read never shows more than 100%. */
  hg_progress_format(line, sizeof line, 50, 40, 1.0, 1, 1);
  CHECK(strncmp(line, "100%", 4) == 0);
  /* Standard input: no total, no percentage. */
  hg_progress_format(line, sizeof line, 3000000, 0, 1.5, 1, 10);
  CHECK_STREQ(line, "1 files  10 events  3.0 MB  2.0 MB/s");
}

TEST(progress_total_walks_like_the_reader)
{
  char tmpl[] = "/tmp/hg-progress-XXXXXX";
  char *dir = mkdtemp(tmpl);
  CHECK(dir != NULL);
  if (!dir)
    return;
  char *sub = xasprintf("%s/sub", dir), *a = xasprintf("%s/a.json", dir),
       *b = xasprintf("%s/sub/b.json.gz", dir), *hidden = xasprintf("%s/.hidden", dir),
       *link = xasprintf("%s/sub/loop", dir);
  mkdir(sub, 0755);
  CHECK(hg_write_atomic(a, "0123456789", 10) == 0);
  CHECK(hg_write_atomic(b, "01234", 5) == 0);
  CHECK(hg_write_atomic(hidden, "xxxxxxxxxxxxxxxxxxxx", 20) == 0);
  CHECK(symlink(dir, link) == 0); /* a cycle the walk must not follow */
  const char *paths[] = {dir, "-", "/nonexistent/hg"};
  CHECK_INTEQ(hg_progress_total(paths, 3), 15);
  const char *one[] = {a};
  CHECK_INTEQ(hg_progress_total(one, 1), 10);
  unlink(link);
  unlink(a);
  unlink(b);
  unlink(hidden);
  rmdir(sub);
  rmdir(dir);
  free(sub);
  free(a);
  free(b);
  free(hidden);
  free(link);
}
