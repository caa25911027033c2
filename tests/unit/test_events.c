/*
 * test_events.c — the event reader: every layout of the three shared data
 * sets (Records files, bare arrays, JSON lines, each plain and gzip, single
 * and multi-member, folders in the S3 layout), compaction, and bad input
 * (reported with file and line, skipped, counted).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fixtures.h"
#include "harness.h"
#include "hg/events.h"
#include "hg/util.h"

typedef struct collect {
  size_t n;
  hg_buf all;        /* every record, one per line */
  unsigned long long sum;
} collect;

static int on_event(void *ud, const hg_event *ev)
{
  collect *c = ud;
  c->n++;
  hg_buf_append(&c->all, ev->raw, ev->len);
  hg_buf_putc(&c->all, '\n');
  return 0;
}

static size_t read_paths(const char *const *paths, size_t n, hg_events_stats *st,
                         hg_diag_sink *sink, hg_buf *all)
{
  collect c = {0};
  hg_buf_init(&c.all);
  hg_events_read(paths, n, on_event, &c, false, st, sink);
  if (all)
    *all = c.all;
  else
    hg_buf_free(&c.all);
  return c.n;
}

static size_t count(const char *path, hg_events_stats *st)
{
  hg_diag_sink sink;
  hg_diag_init(&sink);
  const char *paths[] = {path};
  size_t n = read_paths(paths, 1, st, &sink, NULL);
  if (sink.n)
    FAIL_AT("%s: unexpected warning: %s", path, sink.v[0].message);
  hg_diag_free(&sink);
  return n;
}

static char tmp[256];

static void mk_tmp(void)
{
  snprintf(tmp, sizeof tmp, "/tmp/hg-events-XXXXXX");
  if (!mkdtemp(tmp))
    abort();
}

/* Gzip data into path, split into `members` gzip members. */
static void write_gz(const char *path, const char *data, size_t len, int members)
{
  FILE *f = fopen(path, "wb");
  if (!f)
    abort();
  size_t per = len / (size_t)members + 1, off = 0;
  for (int m = 0; m < members && off <= len; m++) {
    size_t n = len - off < per ? len - off : per;
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, n);
    unsigned char *out = malloc(cap);
    z.next_in = (unsigned char *)(uintptr_t)(data + off);
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    fwrite(out, 1, cap - z.avail_out, f);
    deflateEnd(&z);
    free(out);
    off += n;
  }
  fclose(f);
}

static const char *shared(void)
{
  const char *s = getenv("HG_DATA");
  return s ? s : "tests/data";
}

static char *ds(const char *rel)
{
  return xasprintf("%s/datasets/cloudtrail/%s", shared(), rel);
}

/* Gzip every file of folder src into folder dst (same names + .gz). */
static void gzip_dir(const char *src, const char *dst)
{
  hg_mkdirs(dst, 0755);
  DIR *d = opendir(src);
  if (!d)
    abort();
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char *in = xasprintf("%s/%s", src, e->d_name), *out = xasprintf("%s/%s.gz", dst, e->d_name);
    size_t len;
    char *text = hg_read_file(in, 64u << 20, &len);
    write_gz(out, text, len, 1);
    free(text);
    free(in);
    free(out);
  }
  closedir(d);
}

TEST(every_layout_of_every_dataset)
{
  char *probe = ds("panther/events.jsonl");
  if (access(probe, R_OK) != 0) {
    printf("SKIP every_layout_of_every_dataset: data sets not found\n");
    free(probe);
    return;
  }
  free(probe);
  struct { const char *jsonl, *docs; size_t n; } sets[] = {
      {"invictus-ir/events.jsonl", "invictus-ir/CloudTrail", 2900},
      {"stratus-red-team/events.jsonl", "stratus-red-team/detonation-logs", 310},
      {"panther/events.jsonl", NULL, 453},
  };
  mk_tmp();
  for (size_t s = 0; s < 3; s++) {
    hg_events_stats st;
    char *jl = ds(sets[s].jsonl);
    CHECK_INTEQ(count(jl, &st), sets[s].n);
    CHECK_INTEQ(st.files, 1);
    /* gzip copies: one member, and many members */
    size_t len;
    char *text = hg_read_file(jl, 64u << 20, &len);
    char *gz1 = xasprintf("%s/%zu.jsonl.gz", tmp, s), *gz7 = xasprintf("%s/%zu.m.gz", tmp, s);
    write_gz(gz1, text, len, 1);
    write_gz(gz7, text, len, 7);
    CHECK_INTEQ(count(gz1, &st), sets[s].n);
    CHECK_INTEQ(count(gz7, &st), sets[s].n);
    CHECK_INTEQ(st.bytes, len);
    /* the records read from gzip are the lines of the file, byte for byte */
    hg_diag_sink sink;
    hg_diag_init(&sink);
    hg_buf all;
    const char *p1[] = {gz7};
    read_paths(p1, 1, &st, &sink, &all);
    CHECK(all.len == len && memcmp(all.data, text, len) == 0);
    hg_buf_free(&all);
    hg_diag_free(&sink);
    free(text);
    free(gz1);
    free(gz7);
    if (sets[s].docs) {
      char *dir = ds(sets[s].docs);
      CHECK_INTEQ(count(dir, &st), sets[s].n);
      /* the S3 layout, gzip-compressed, found from the top folder */
      char *s3 = xasprintf("%s/s3-%zu/AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10", tmp, s);
      gzip_dir(dir, s3);
      char *top = xasprintf("%s/s3-%zu", tmp, s);
      CHECK_INTEQ(count(top, &st), sets[s].n);
      CHECK_INTEQ(st.skipped_files + st.skipped_records, 0);
      free(top);
      free(s3);
      free(dir);
    }
    free(jl);
  }
  rm_rf(tmp);
}

TEST(records_are_compacted)
{
  mk_tmp();
  char *f = xasprintf("%s/pretty.json", tmp);
  const char *t = "{\n  \"Records\" : [\n    { \"a\" : [ 1 , 2 ],\n      \"b\" : \"x y\\\" }\" },\r\n"
                  "    {\"c\":{}}\n  ]\n}\n";
  put_bytes(f, t, strlen(t));
  hg_events_stats st;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_buf all;
  const char *p[] = {f};
  CHECK_INTEQ(read_paths(p, 1, &st, &sink, &all), 2);
  CHECK_STREQ(all.data, "{\"a\":[1,2],\"b\":\"x y\\\" }\"}\n{\"c\":{}}\n");
  CHECK_INTEQ(sink.n, 0);
  hg_buf_free(&all);
  hg_diag_free(&sink);
  free(f);
  rm_rf(tmp);
}

/* Each bad input is one warning with its file (and line for JSON lines),
 * and the good records around it are all read. */
TEST(bad_input_is_reported_and_skipped)
{
  mk_tmp();
  char *dir = xasprintf("%s/in", tmp);
  hg_mkdirs(dir, 0755);
  char *p;
  p = xasprintf("%s/a.jsonl", dir);
  const char *lines = "{\"n\":1}\n{\"n\":\n{\"n\":2}\r\n\n[{\"n\":3},4]\n7\n{\"n\":4}";
  put_bytes(p, lines, strlen(lines));
  free(p);
  p = xasprintf("%s/b.json", dir);
  put_bytes(p, "{\"Records\":[{\"n\":1},{\"n\":2", 26); /* truncated */
  free(p);
  p = xasprintf("%s/c.bin", dir);
  put_bytes(p, "\x7f" "ELF\x02\x01\x01\0\0\0", 10);
  free(p);
  p = xasprintf("%s/d.json", dir);
  put_bytes(p, "", 0);
  free(p);
  p = xasprintf("%s/e.json.gz", dir);
  put_bytes(p, "\x1f\x8b\x08\0\0\0\0\0\0\x03garbage!", 18);
  free(p);
  p = xasprintf("%s/f.json", dir);
  put_bytes(p, "[{\"n\":5}, {\"n\":6}]", 18);
  free(p);
  hg_events_stats st;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  const char *paths[] = {dir, "/nonexistent/hg-events"};
  hg_buf all;
  CHECK_INTEQ(read_paths(paths, 2, &st, &sink, &all), 6);
  CHECK_STREQ(all.data, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n{\"n\":5}\n{\"n\":6}\n");
  CHECK_INTEQ(st.files, 7);
  CHECK_INTEQ(st.skipped_files, 5);
  CHECK_INTEQ(st.skipped_records, 3);
  const char *want[][3] = {
      {"a.jsonl", "2", "events-bad-json"},  {"a.jsonl", "5", "events-not-object"},
      {"a.jsonl", "6", "events-bad-json"},  {"b.json", "1", "events-bad-json"},
      {"c.bin", "0", "events-not-json"},    {"d.json", "0", "events-empty-file"},
      {"e.json.gz", "0", "events-bad-gzip"}, {"hg-events", "0", "events-unreadable"},
  };
  CHECK_INTEQ(sink.n, HG_COUNTOF(want));
  for (size_t i = 0; i < sink.n && i < HG_COUNTOF(want); i++) {
    const hg_diag *d = &sink.v[i];
    CHECK(d->sev == HG_SEV_WARNING);
    CHECK(d->file && hg_ends_with(d->file, want[i][0]));
    CHECK_INTEQ(d->line, atoi(want[i][1]));
    CHECK_STREQ(d->code, want[i][2]);
  }
  hg_buf_free(&all);
  hg_diag_free(&sink);
  free(dir);
  rm_rf(tmp);
}

static int stop_after_two(void *ud, const hg_event *ev)
{
  (void)ev;
  return ++*(int *)ud == 2;
}

TEST(callback_stops_the_walk)
{
  mk_tmp();
  char *f = xasprintf("%s/x.jsonl", tmp);
  put_bytes(f, "{}\n{}\n{}\n", 9);
  int n = 0;
  hg_events_stats st;
  hg_diag_sink sink;
  hg_diag_init(&sink);
  const char *p[] = {f, f};
  CHECK_INTEQ(hg_events_read(p, 2, stop_after_two, &n, false, &st, &sink), 1);
  CHECK_INTEQ(n, 2);
  hg_diag_free(&sink);
  free(f);
  rm_rf(tmp);
}

#include "hg/json.h"

typedef struct lazy {
  hg_arena *a;
  size_t n, unchecked;
  hg_buf all;
} lazy;

/* A consumer of the unchecked fast path: parse, take back what fails. */
static int on_lazy(void *ud, const hg_event *ev)
{
  lazy *l = ud;
  hg_arena_reset(l->a);
  const hg_jv *v = hg_json_parse(l->a, ev->raw, ev->len, NULL, NULL);
  if (!v) {
    if (!ev->checked)
      return HG_EVENT_RECHECK;
    FAIL_AT("a checked record does not parse");
    return 0;
  }
  l->n++;
  l->unchecked += !ev->checked;
  hg_buf_reset(&l->all);
  hg_jv_write(v, &l->all);
  return 0;
}

/* Unchecked JSON lines give the same records, counts and warnings as
 * checked reading, including records over several lines and several on one
 * line. */
TEST(unchecked_lines_fall_back_to_checking)
{
  mk_tmp();
  char *f = xasprintf("%s/x.jsonl", tmp);
  const char *t = "{\"n\":1}\n{\"n\":\n{\"n\":2} {\"n\":3}\n{\n  \"n\": 4\n}\n[{\"n\":5}]\n7\n"
                  "{\"n\":6} \r\n{\"n\":\"open\n";
  put_bytes(f, t, strlen(t));
  const char *p[] = {f};
  hg_events_stats a, b;
  hg_diag_sink sa, sb;
  hg_diag_init(&sa);
  hg_diag_init(&sb);
  CHECK_INTEQ(read_paths(p, 1, &a, &sa, NULL), 6);
  lazy l = {hg_arena_new(), 0, 0, {0}};
  hg_events_opts o = {false, true, 1, false};
  hg_events_read_opts(p, 1, on_lazy, &l, &o, &b, &sb);
  CHECK_INTEQ(l.n, 6);
  /* {"n":1}, {"n":6} and {"n":3} (the rest of its line once {"n":2} was
   * read checked) went the fast way */
  CHECK_INTEQ(l.unchecked, 3);
  CHECK_INTEQ(b.events, a.events);
  CHECK_INTEQ(b.skipped_records, a.skipped_records);
  CHECK_INTEQ(b.skipped_files, a.skipped_files);
  CHECK_INTEQ(sb.n, sa.n);
  for (size_t i = 0; i < sa.n && i < sb.n; i++) {
    CHECK_INTEQ(sb.v[i].line, sa.v[i].line);
    CHECK_STREQ(sb.v[i].message, sa.v[i].message);
  }
  hg_buf_free(&l.all);
  hg_arena_free(l.a);
  hg_diag_free(&sa);
  hg_diag_free(&sb);
  free(f);
  rm_rf(tmp);
}
