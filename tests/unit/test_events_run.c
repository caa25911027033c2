/*
 * test_events_run.c — the reader's bounds and the parallel run: an empty
 * folder, a FIFO named as input, a gzip bomb of a Records file, a record
 * over the size bound, documents past the held-back bound, and -j 1 vs
 * -j 4 giving the same parts, warnings and counts in the same order.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fixtures.h"
#include "harness.h"
#include "hg/events.h"
#include "hg/util.h"

static char tmp[256];

static void mk_tmp(void)
{
  snprintf(tmp, sizeof tmp, "/tmp/hg-evrun-XXXXXX");
  if (!mkdtemp(tmp))
    abort();
}

typedef struct count {
  size_t n;
  hg_buf all;
} count;

static int on_event(void *ud, const hg_event *ev)
{
  count *c = ud;
  c->n++;
  if (ev->len < 1000) {
    hg_buf_append(&c->all, ev->raw, ev->len);
    hg_buf_putc(&c->all, '\n');
  }
  return 0;
}

static void on_alarm(int sig)
{
  (void)sig;
  static const char msg[] = "FAIL fifo_named_as_input_is_refused: reading blocked (alarm)\n";
  if (write(1, msg, sizeof msg - 1) < 0)
    _exit(1);
  _exit(1);
}

TEST(empty_folder_reads_nothing)
{
  mk_tmp();
  char *empty = xasprintf("%s/empty", tmp);
  hg_mkdirs(empty, 0755);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_events_stats st;
  count c = {0};
  hg_buf_init(&c.all);
  const char *p[] = {empty, tmp};
  CHECK_INTEQ(hg_events_read(p, 2, on_event, &c, false, &st, &sink), 0);
  CHECK_INTEQ(c.n, 0);
  CHECK_INTEQ(st.files, 0);
  CHECK_INTEQ(sink.n, 0);
  hg_buf_free(&c.all);
  hg_diag_free(&sink);
  free(empty);
  rm_rf(tmp);
}

TEST(fifo_named_as_input_is_refused)
{
  mk_tmp();
  char *fifo = xasprintf("%s/pipe", tmp);
  CHECK(mkfifo(fifo, 0600) == 0);
  /* With nobody writing, opening or reading the FIFO would block for ever. */
  signal(SIGALRM, on_alarm);
  alarm(20);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_events_stats st;
  count c = {0};
  const char *p[] = {fifo};
  hg_events_read(p, 1, on_event, &c, false, &st, &sink);
  alarm(0);
  CHECK_INTEQ(st.files, 1);
  CHECK_INTEQ(st.skipped_files, 1);
  CHECK_INTEQ(sink.n, 1);
  if (sink.n) {
    CHECK_STREQ(sink.v[0].code, "events-not-regular");
    CHECK(strstr(sink.v[0].message, "not a regular file") != NULL);
  }
  /* Inside a folder, FIFOs are ignored as before. */
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  const char *d[] = {tmp};
  alarm(20);
  hg_events_read(d, 1, on_event, &c, false, &st, &sink);
  alarm(0);
  CHECK_INTEQ(st.files, 0);
  CHECK_INTEQ(sink.n, 0);
  hg_buf_free(&c.all);
  hg_diag_free(&sink);
  free(fifo);
  rm_rf(tmp);
}

/* Gzip `head`, `n` copies of `unit`, then `tail` into path (level 9). */
static void write_gz_repeat(const char *path, const char *head, const char *unit, size_t n,
                            const char *tail)
{
  gzFile g = gzopen(path, "wb9");
  if (!g)
    abort();
  gzputs(g, head);
  char block[4096];
  size_t ul = strlen(unit), per = sizeof block / ul;
  for (size_t i = 0; i < per; i++)
    memcpy(block + i * ul, unit, ul);
  while (n > 0) {
    size_t k = n < per ? n : per;
    gzwrite(g, block, (unsigned)(k * ul));
    n -= k;
  }
  gzputs(g, tail);
  gzclose(g);
}

static long max_rss_kb(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

TEST(records_bomb_stays_bounded)
{
  mk_tmp();
  char *bomb = xasprintf("%s/bomb.json.gz", tmp);
  /* 30 M non-object elements: 60 MB of JSON in about 60 KB of gzip.
   * Held whole, its element table alone would take 480 MB. */
  size_t n = 30u * 1000 * 1000;
  write_gz_repeat(bomb, "{\"Records\":[1", ",1", n - 1, "]}");
  long before = max_rss_kb();
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_events_stats st;
  count c = {0};
  const char *p[] = {bomb};
  hg_events_read(p, 1, on_event, &c, false, &st, &sink);
  long grew = max_rss_kb() - before;
  hg_buf_free(&c.all);
  CHECK_INTEQ(c.n, 0);
  CHECK_INTEQ(st.skipped_records, n);
  CHECK_INTEQ(st.bytes, 2 * n + 13);
  /* 20 warnings shown, then "N more not shown". */
  CHECK_INTEQ(sink.n, 21);
  if (!getenv("HG_SANITIZED"))
    CHECK(grew < 64 * 1024);
  hg_diag_free(&sink);
  free(bomb);
  rm_rf(tmp);
}

TEST(large_documents_stream_past_the_bound)
{
  mk_tmp();
  char *big = xasprintf("%s/big.json.gz", tmp), *cut = xasprintf("%s/cut.json", tmp);
  /* More records than are held back: all handed out, in order. */
  size_t n = HG_EVENTS_MAX_PENDING_RECORDS + 1000;
  write_gz_repeat(big, "{\"Records\":[{\"a\":0}", ",{\"a\":1}", n - 1, "],\"x\":{\"y\":[1,2]}}");
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_events_stats st;
  count c = {0};
  const char *p[] = {big};
  hg_events_read(p, 1, on_event, &c, false, &st, &sink);
  CHECK_INTEQ(c.n, n);
  CHECK_INTEQ(st.skipped_files, 0);
  CHECK_INTEQ(sink.n, 0);
  /* The same document cut short: what streamed is kept, the rest of the
   * file is skipped with a warning naming how far it got. */
  hg_buf doc;
  hg_buf_init(&doc);
  hg_buf_puts(&doc, "[");
  for (size_t i = 0; i < n; i++)
    hg_buf_puts(&doc, i ? ",{\"a\":1}" : "{\"a\":1}");
  put_bytes(cut, doc.data, doc.len - 3);
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  c.n = 0;
  const char *q[] = {cut};
  hg_events_read(q, 1, on_event, &c, false, &st, &sink);
  CHECK_INTEQ(c.n, n - 1);
  CHECK_INTEQ(st.skipped_files, 1);
  CHECK_INTEQ(sink.n, 1);
  if (sink.n)
    CHECK(strstr(sink.v[0].message, "rest of file skipped") != NULL);
  /* Under the bound the whole document is still checked first. */
  hg_buf_reset(&doc);
  hg_buf_puts(&doc, "[{\"a\":1},{\"a\":2},{\"a\":");
  put_bytes(cut, doc.data, doc.len);
  hg_diag_free(&sink);
  hg_diag_init(&sink);
  c.n = 0;
  hg_events_read(q, 1, on_event, &c, false, &st, &sink);
  CHECK_INTEQ(c.n, 0);
  CHECK_INTEQ(sink.n, 1);
  if (sink.n)
    CHECK(strstr(sink.v[0].message, "file skipped") != NULL);
  hg_buf_free(&doc);
  hg_buf_free(&c.all);
  hg_diag_free(&sink);
  free(big);
  free(cut);
  rm_rf(tmp);
}

TEST(oversized_record_is_skipped)
{
  mk_tmp();
  char *f = xasprintf("%s/lines.jsonl", tmp);
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "{\"eventName\":\"A\"}\n{\"v\":\"");
  for (size_t i = 0; i < HG_EVENTS_MAX_RECORD / 64 + 1; i++)
    hg_buf_puts(&b, "0123456789012345678901234567890123456789012345678901234567890123");
  hg_buf_puts(&b, "\"}\n{\"eventName\":\"B\"}\n");
  put_bytes(f, b.data, b.len);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_events_stats st;
  count c = {0};
  hg_buf_init(&c.all);
  const char *p[] = {f};
  hg_events_read(p, 1, on_event, &c, false, &st, &sink);
  CHECK_INTEQ(c.n, 2);
  CHECK_INTEQ(st.skipped_records, 1);
  CHECK_INTEQ(sink.n, 1);
  if (sink.n) {
    CHECK_STREQ(sink.v[0].code, "events-too-large");
    CHECK_INTEQ(sink.v[0].line, 2);
  }
  CHECK_STREQ(c.all.data, "{\"eventName\":\"A\"}\n{\"eventName\":\"B\"}\n");
  hg_buf_free(&c.all);
  hg_buf_free(&b);
  hg_diag_free(&sink);
  free(f);
  rm_rf(tmp);
}

/* ---- parallel run: parts in input order ---- */

typedef struct prun {
  hg_buf out; /* committed parts, concatenated */
  size_t commits;
} prun;

static void *part_new(void *ud)
{
  (void)ud;
  hg_buf *b = xcalloc(1, sizeof *b);
  hg_buf_init(b);
  return b;
}

static void part_free(void *ud, void *p)
{
  (void)ud;
  hg_buf_free(p);
  free(p);
}

static int part_event(void *w, void *p, const hg_event *ev)
{
  (void)w;
  hg_buf_printf(p, "%s:%zu:", ev->file, ev->line);
  hg_buf_append(p, ev->raw, ev->len);
  hg_buf_putc(p, '\n');
  return 0;
}

static int part_commit(void *ud, void *p)
{
  prun *r = ud;
  hg_buf *b = p;
  hg_buf_append(&r->out, b->data, b->len);
  hg_buf_reset(b);
  r->commits++;
  return 0;
}

static char *run_jobs(const char *dir, unsigned jobs, hg_events_stats *st, hg_buf *diags)
{
  prun r = {0};
  hg_buf_init(&r.out);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_events_ops ops = {NULL, NULL, part_new, part_free, part_event, part_commit};
  hg_events_opts o = {false, false, jobs, false};
  const char *p[] = {dir, "/nonexistent/hg-evrun"};
  hg_events_run(p, 2, &ops, &r, &o, st, &sink);
  for (size_t i = 0; i < sink.n; i++)
    hg_buf_printf(diags, "%s:%d: %s [%s]\n", sink.v[i].file ? sink.v[i].file : "-", sink.v[i].line,
                  sink.v[i].message, sink.v[i].code);
  hg_diag_free(&sink);
  hg_buf_putc(&r.out, '\0');
  return r.out.data;
}

TEST(jobs_give_the_same_run)
{
  mk_tmp();
  /* 120 small files across nested folders, some bad. */
  for (int i = 0; i < 120; i++) {
    char *sub = xasprintf("%s/d%02d", tmp, i % 7);
    hg_mkdirs(sub, 0755);
    char *f = xasprintf("%s/f%03d.json", sub, i);
    char *text;
    if (i % 17 == 3)
      text = xasprintf("{\"Records\":[{\"i\":%d},", i); /* truncated */
    else if (i % 13 == 5)
      text = xasprintf("{\"i\":%d}\nnot json\n{\"i\":%d}\n", i, i + 1000);
    else
      text = xasprintf("{\"Records\":[{\"i\":%d},{\"i\":%d,\"s\":\"x y\"} , 7]}", i, i + 500);
    put_bytes(f, text, strlen(text));
    free(text);
    free(f);
    free(sub);
  }
  hg_events_stats a, b;
  hg_buf da, db;
  hg_buf_init(&da);
  hg_buf_init(&db);
  char *one = run_jobs(tmp, 1, &a, &da);
  for (unsigned jobs = 2; jobs <= 8; jobs += 2) {
    hg_buf_reset(&db);
    char *many = run_jobs(tmp, jobs, &b, &db);
    CHECK(strlen(one) > 1000);
    CHECK_STREQ(many, one);
    hg_buf_putc(&da, '\0');
    da.len--;
    hg_buf_putc(&db, '\0');
    db.len--;
    CHECK_STREQ(db.data, da.data);
    CHECK_INTEQ(b.files, a.files);
    CHECK_INTEQ(b.events, a.events);
    CHECK_INTEQ(b.bytes, a.bytes);
    CHECK_INTEQ(b.skipped_files, a.skipped_files);
    CHECK_INTEQ(b.skipped_records, a.skipped_records);
    free(many);
  }
  CHECK_INTEQ(a.files, 121);
  CHECK_INTEQ(a.skipped_files, 8);
  free(one);
  hg_buf_free(&da);
  hg_buf_free(&db);
  rm_rf(tmp);
}
