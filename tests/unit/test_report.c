/*
 * test_report.c — the pieces of report.h that need no compiled env: HTML
 * escaping, and the tally of names and principals (order by count, then
 * name; the cap on distinct values). The whole page is checked end to end
 * in tests/sh/report.sh.
 */
#include "harness.h"

#include <string.h>

#include "hg/report.h"

static char *esc(const char *s)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_report_escape(&b, s);
  return hg_buf_take(&b, NULL);
}

TEST(escape_markup)
{
  char *s = esc("<script>alert('x') & \"y\"</script>");
  CHECK_STREQ(s, "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  free(s);
}

TEST(escape_controls)
{
  char *s = esc("a\x01" "b\x7f" "c\td\n");
  CHECK_STREQ(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\td\n");
  free(s);
  s = esc(NULL);
  CHECK_STREQ(s, "");
  free(s);
  s = esc("caf\xC3\xA9");
  CHECK_STREQ(s, "caf\xC3\xA9");
  free(s);
}

TEST(tally_many_values)
{
  /* More distinct values than the table's first size, and past the cap:
   * the growth and the overflow path run clean under ASan (make check);
   * the rendered counts are checked end to end in tests/sh/report.sh. */
  hg_report_tally *t = hg_report_tally_new();
  char name[32];
  for (int i = 0; i < HG_REPORT_TALLY_MAX + 10; i++) {
    snprintf(name, sizeof name, "Event%d", i);
    hg_report_tally_match(t, (size_t)(i % 3), name, "");
  }
  hg_report_tally_match(t, 7, "", NULL);
  hg_report_tally_free(t);
}
