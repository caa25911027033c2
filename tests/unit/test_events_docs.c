/*
 * test_events_docs.c — the documents fast path (hg_events_opts
 * unchecked_docs): tentative records confirmed or dropped per document give
 * exactly what checked reading gives (the records byte for byte and in
 * order, the counts, every warning with its line) on good and malformed
 * documents, plain and gzip: a bad record in the middle, truncation, a
 * truncated gzip, trailing garbage, elements that are not objects, several
 * documents in one file, pretty-printed documents, escapes, records
 * straddling the 256 KB read window, deep nesting, both bounds of a held
 * document, and random damage to a good file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fixtures.h"
#include "harness.h"
#include "hg/events.h"
#include "hg/json.h"
#include "hg/util.h"

/* A consumer of the fast path, as the backtest is one: it validates every
 * record (the full parser), keeps tentative records apart and settles them
 * when told. */
typedef struct taker {
  hg_arena *a;
  hg_buf final;          /* records that count, one per line */
  hg_buf scratch;        /* tentative ones */
  size_t tentative;      /* tentative records in scratch */
  size_t unchecked;      /* unchecked tentative records accepted */
  size_t settles;
  bool bad;              /* a broken promise of the reader */
} taker;

/* A record as compared: a document's as handed out (compact either way),
 * a JSON line's as the parser writes it back (an unchecked line is handed
 * out as it is, a checked one compacted). */
static void put_record(taker *t, hg_buf *into, const hg_event *ev)
{
  const hg_jv *v = NULL;
  if (ev->line) {
    hg_arena_reset(t->a);
    v = hg_json_parse(t->a, ev->raw, ev->len, NULL, NULL);
  }
  if (v)
    hg_jv_write(v, into);
  else
    hg_buf_append(into, ev->raw, ev->len);
  hg_buf_putc(into, '\n');
}

static int on_take(void *ud, const hg_event *ev)
{
  taker *t = ud;
  switch (ev->kind) {
  case HG_EVENT_CONFIRM:
  case HG_EVENT_DROP:
    if (!t->tentative || ev->raw)
      t->bad = true; /* a settle without records, or with a record */
    if (ev->kind == HG_EVENT_CONFIRM)
      hg_buf_append(&t->final, t->scratch.data ? t->scratch.data : "", t->scratch.len);
    hg_buf_reset(&t->scratch);
    t->tentative = 0;
    t->settles++;
    return 0;
  case HG_EVENT_FINAL:
  case HG_EVENT_TENTATIVE:
    break;
  }
  hg_arena_reset(t->a);
  const hg_jv *v = hg_json_parse(t->a, ev->raw, ev->len, NULL, NULL);
  if (!v && !ev->checked)
    return HG_EVENT_RECHECK;
  if (ev->kind == HG_EVENT_FINAL && t->tentative)
    t->bad = true; /* a final record while some are unsettled */
  hg_buf *into = ev->kind == HG_EVENT_TENTATIVE ? &t->scratch : &t->final;
  put_record(t, into, ev);
  if (ev->kind == HG_EVENT_TENTATIVE) {
    t->tentative++;
    t->unchecked += !ev->checked;
  }
  return 0;
}

static int on_checked(void *ud, const hg_event *ev)
{
  taker *t = ud;
  if (ev->kind != HG_EVENT_FINAL || !ev->checked)
    t->bad = true;
  put_record(t, &t->final, ev);
  return 0;
}

static void taker_init(taker *t)
{
  memset(t, 0, sizeof *t);
  t->a = hg_arena_new();
  hg_buf_init(&t->final);
  hg_buf_init(&t->scratch);
}

static void taker_free(taker *t)
{
  hg_arena_free(t->a);
  hg_buf_free(&t->final);
  hg_buf_free(&t->scratch);
}

static bool same_stats(const hg_events_stats *a, const hg_events_stats *b)
{
  return a->files == b->files && a->events == b->events && a->bytes == b->bytes &&
         a->skipped_files == b->skipped_files && a->skipped_records == b->skipped_records;
}

static bool same_diags(const hg_diag_sink *a, const hg_diag_sink *b)
{
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++)
    if (a->v[i].line != b->v[i].line || strcmp(a->v[i].code, b->v[i].code) != 0 ||
        strcmp(a->v[i].message, b->v[i].message) != 0 ||
        strcmp(a->v[i].file ? a->v[i].file : "", b->v[i].file ? b->v[i].file : "") != 0)
      return false;
  return true;
}

/* What a read of paths gave, checked and fast. */
typedef struct both {
  size_t events, unchecked, warnings, settles;
  bool same;
} both;

static both read_both(const char *const *paths, size_t n)
{
  taker c, f;
  taker_init(&c);
  taker_init(&f);
  hg_events_stats sc, sf;
  hg_diag_sink dc, df;
  hg_diag_init(&dc);
  hg_diag_init(&df);
  hg_events_opts oc = {false, false, 1, false}, of = {false, true, 1, true};
  hg_events_read_opts(paths, n, on_checked, &c, &oc, &sc, &dc);
  hg_events_read_opts(paths, n, on_take, &f, &of, &sf, &df);
  both b = {sf.events, f.unchecked, df.n, f.settles, true};
  if (c.bad || f.bad || f.tentative || !same_stats(&sc, &sf) || !same_diags(&dc, &df) ||
      c.final.len != f.final.len ||
      (c.final.len && memcmp(c.final.data, f.final.data, c.final.len) != 0)) {
    b.same = false;
    printf("     fast path differs on %s: events %zu/%zu, skipped %zu+%zu/%zu+%zu, warnings "
           "%zu/%zu%s%s%s\n",
           paths[0], sc.events, sf.events, sc.skipped_files, sc.skipped_records, sf.skipped_files,
           sf.skipped_records, dc.n, df.n, dc.n ? " first: " : "", dc.n ? dc.v[0].message : "",
           f.bad ? " (broken settle)" : "");
    for (size_t i = 0; i < df.n && i < 3; i++)
      printf("     fast warning: %s\n", df.v[i].message);
  }
  hg_diag_free(&dc);
  hg_diag_free(&df);
  taker_free(&c);
  taker_free(&f);
  return b;
}

static char tmp[256];

static void mk_tmp(void)
{
  snprintf(tmp, sizeof tmp, "/tmp/hg-evdocs-XXXXXX");
  if (!mkdtemp(tmp))
    abort();
}

/* data gzipped (one member) into a malloc'd buffer of *n bytes. */
static unsigned char *gzip_mem(const char *data, size_t len, size_t *n)
{
  z_stream z;
  memset(&z, 0, sizeof z);
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  size_t cap = deflateBound(&z, len);
  unsigned char *out = xmalloc(cap);
  z.next_in = (unsigned char *)(uintptr_t)data;
  z.avail_in = (uInt)len;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  deflate(&z, Z_FINISH);
  *n = cap - z.avail_out;
  deflateEnd(&z);
  return out;
}

/* text as a plain file and as a gzip file; both read both ways must agree.
 * Returns what the plain read gave. */
static both check_text(const char *name, const char *text, size_t len)
{
  char *p = xasprintf("%s/%s.json", tmp, name), *g = xasprintf("%s/%s.json.gz", tmp, name);
  put_bytes(p, text, len);
  size_t gn;
  unsigned char *gz = gzip_mem(text, len, &gn);
  put_bytes(g, gz, gn);
  free(gz);
  const char *pp[] = {p}, *pg[] = {g};
  both a = read_both(pp, 1), b = read_both(pg, 1);
  if (!a.same || !b.same)
    FAIL_AT("%s: the fast path differs from checked reading (%s)", name, a.same ? "gzip" : "plain");
  free(p);
  free(g);
  return a;
}

static both check_str(const char *name, const char *text)
{
  return check_text(name, text, strlen(text));
}

TEST(good_documents_go_the_fast_way)
{
  mk_tmp();
  both b = check_str("good", "{\"Records\":[{\"a\":1},{\"b\":[1,{\"c\":null}]},{\"d\":\"x\"}]}");
  CHECK_INTEQ(b.events, 3);
  CHECK_INTEQ(b.unchecked, 3);
  CHECK_INTEQ(b.settles, 1);
  b = check_str("array", "[{\"a\":1}, {\"b\":2} ,\n{\"c\":3}]");
  CHECK_INTEQ(b.unchecked, 3);
  b = check_str("empty", "{\"Records\":[]}\n[]\n{\"Records\":[{}]}");
  CHECK_INTEQ(b.events, 1);
  CHECK_INTEQ(b.unchecked, 1);
  /* members after Records are validated and not kept */
  b = check_str("after", "{\"Records\":[{\"a\":1}],\"x\":{\"y\":[1,2]}}");
  CHECK_INTEQ(b.events, 1);
  rm_rf(tmp);
}

TEST(malformed_documents_are_dropped_as_a_whole)
{
  mk_tmp();
  both b = check_str("mid", "{\"Records\":[{\"a\":1},{\"b\":tru},{\"c\":3}]}");
  CHECK_INTEQ(b.events, 0);
  CHECK_INTEQ(b.warnings, 1);
  /* the file is abandoned at a malformed document */
  b = check_str("mid2", "{\"Records\":[{\"z\":0}]}\n{\"Records\":[{\"a\":1},{\"b\":1 \"c\":2}]}\n[{}]");
  CHECK_INTEQ(b.events, 1);
  check_str("badesc", "{\"Records\":[{\"a\":1},{\"b\":\"\\x\"},{\"c\":3}]}");
  check_str("ctl", "{\"Records\":[{\"a\":1},{\"b\":\"\x01\"},{\"c\":3}]}");
  check_str("badnum", "{\"Records\":[{\"a\":1},{\"b\":01},{\"c\":-}]}");
  check_str("truncated", "{\"Records\":[{\"a\":1},{\"b\":2},{\"c\":");
  check_str("truncated2", "{\"Records\":[{\"a\":1},{\"b\":2}");
  check_str("unclosed", "{\"Records\":[{\"a\":1},{\"b\":\"}]}");
  check_str("sep", "{\"Records\":[{\"a\":1}{\"b\":2}]}");
  check_str("close", "{\"Records\":[{\"a\":1},{\"b\":2}}]}");
  check_str("mixed", "{\"Records\":[{\"a\":1},{\"b\":2]]}");
  check_str("tail", "{\"Records\":[{\"a\":1}],\"x\":}");
  check_str("junk", "{\"Records\":[{\"a\":1}]}\nnot json\n[{\"b\":2}]");
  check_str("records-not-array", "{\"Records\":{\"a\":1},\"b\":[{\"c\":1}]}");
  rm_rf(tmp);
}

TEST(non_object_elements_warn_at_the_end)
{
  mk_tmp();
  both b = check_str("notobj", "{\"Records\":[{\"a\":1},2,\"x\",{\"b\":2},null,[1],{\"c\":3}]}");
  CHECK_INTEQ(b.events, 3);
  CHECK_INTEQ(b.warnings, 4);
  /* dropped with their document: no warning for them */
  b = check_str("notobj-bad", "{\"Records\":[{\"a\":1},2,\"x\",{\"b\":2},nul]}");
  CHECK_INTEQ(b.warnings, 1);
  rm_rf(tmp);
}

TEST(several_documents_in_one_file)
{
  mk_tmp();
  both b = check_str("several", "{\"Records\":[{\"a\":1}]}{\"Records\":[{\"b\":2}]}\n[{\"c\":3}]\n"
                                "{\"d\":4}\n{\"Records\":[{\"e\":5},{\"e\":]}\n[{\"f\":6}]");
  CHECK_INTEQ(b.events, 4); /* the file is abandoned at the bad one */
  rm_rf(tmp);
}

TEST(pretty_printed_and_escaped)
{
  mk_tmp();
  both b = check_str("pretty", "{\n  \"Records\" : [\n    { \"a\" : [ 1 , 2 ],\n      \"b\" : "
                               "\"x y\\\" }\" },\r\n    {\"c\":{}},\n {\"d\":\n1}\n  ]\n}\n");
  CHECK_INTEQ(b.events, 3);
  CHECK_INTEQ(b.unchecked, 1); /* {"c":{}} only */
  b = check_str("escapes", "{\"Records\":[{\"a\":\"x\\\"}]\\\\\",\"b\":\"\\\\\"},"
                           "{\"c\":\"\\u0041\\\"{[\",\"d\":\"\\\\\\\\\"},{\"e\":\"]}\"}]}");
  CHECK_INTEQ(b.events, 3);
  CHECK_INTEQ(b.unchecked, 3);
  /* backslash runs of every length at every offset of a 64-byte block */
  hg_buf t;
  hg_buf_init(&t);
  hg_buf_puts(&t, "{\"Records\":[");
  for (int run = 0; run < 6; run++)
    for (int pad = 0; pad < 70; pad++) {
      if (t.data[t.len - 1] != '[')
        hg_buf_putc(&t, ',');
      hg_buf_puts(&t, "{\"k\":\"");
      for (int i = 0; i < pad; i++)
        hg_buf_putc(&t, 'a' + i % 26);
      for (int i = 0; i < run; i++)
        hg_buf_puts(&t, "\\\\");
      hg_buf_puts(&t, run % 2 ? "\\\"}]" : "\\n{");
      hg_buf_puts(&t, "\",\"n\":[");
      for (int i = 0; i < pad % 5; i++)
        hg_buf_puts(&t, i ? ",{}" : "{}");
      hg_buf_puts(&t, "]}");
    }
  hg_buf_puts(&t, "]}");
  b = check_text("runs", t.data, t.len);
  CHECK_INTEQ(b.events, 6 * 70);
  CHECK_INTEQ(b.unchecked, 6 * 70);
  hg_buf_free(&t);
  rm_rf(tmp);
}

/* Records of varied sizes across the 256 KB read window of a plain file
 * (and of the zlib stream of a large gzip file), some not compact. */
TEST(records_straddle_the_read_window)
{
  mk_tmp();
  hg_buf t;
  hg_buf_init(&t);
  hg_buf_puts(&t, "{\"Records\":[");
  for (int i = 0; i < 3000; i++) {
    if (i)
      hg_buf_putc(&t, ',');
    hg_buf_puts(&t, i % 97 == 5 ? "{\"i\": " : "{\"i\":");
    char num[32];
    snprintf(num, sizeof num, "%d,\"s\":\"", i);
    hg_buf_puts(&t, num);
    for (int k = 0; k < 50 + (i * 37) % 400; k++)
      hg_buf_putc(&t, k % 41 == 0 ? '{' : 'a' + k % 26);
    hg_buf_puts(&t, "\"}");
  }
  hg_buf_puts(&t, "]}");
  CHECK(t.len > 600000);
  both b = check_text("window", t.data, t.len);
  CHECK_INTEQ(b.events, 3000);
  CHECK(b.unchecked > 2900 && b.unchecked < 3000);
  /* the same with an error near the end: all dropped */
  t.data[t.len - 40] = '\x02';
  b = check_text("window-bad", t.data, t.len);
  CHECK_INTEQ(b.events, 0);
  hg_buf_free(&t);
  rm_rf(tmp);
}

TEST(gzip_damage)
{
  mk_tmp();
  const char *doc = "{\"Records\":[{\"a\":1},{\"b\":2},{\"c\":3}]}";
  size_t gn;
  unsigned char *gz = gzip_mem(doc, strlen(doc), &gn);
  char *p = xasprintf("%s/t.json.gz", tmp);
  const char *pp[] = {p};
  for (size_t cut = 10; cut < gn; cut += 3) {
    put_bytes(p, gz, cut);
    if (!read_both(pp, 1).same)
      FAIL_AT("truncated gzip at %zu differs", cut);
  }
  unsigned char *g2 = xmalloc(gn + 8);
  memcpy(g2, gz, gn);
  memcpy(g2 + gn, "garbage!", 8);
  put_bytes(p, g2, gn + 8);
  both b = read_both(pp, 1);
  CHECK(b.same);
  CHECK_INTEQ(b.warnings, 1);
  free(g2);
  free(gz);
  free(p);
  rm_rf(tmp);
}

TEST(deep_nesting)
{
  mk_tmp();
  for (int depth = 60; depth <= 520; depth += depth < 70 ? 1 : 100) {
    hg_buf t;
    hg_buf_init(&t);
    hg_buf_puts(&t, "{\"Records\":[{\"a\":1},{\"x\":");
    for (int i = 0; i < depth; i++)
      hg_buf_puts(&t, "[");
    for (int i = 0; i < depth; i++)
      hg_buf_puts(&t, "]");
    hg_buf_puts(&t, "},{\"b\":2}]}");
    char name[32];
    snprintf(name, sizeof name, "deep%d", depth);
    check_text(name, t.data, t.len);
    hg_buf_free(&t);
  }
  rm_rf(tmp);
}

/* Past HG_EVENTS_MAX_PENDING_RECORDS records, or HG_EVENTS_MAX_PENDING
 * bytes, the held records count and the rest streams; a later error skips
 * only the rest of the file. */
TEST(the_bounds_of_a_held_document)
{
  mk_tmp();
  hg_buf t;
  hg_buf_init(&t);
  hg_buf_puts(&t, "[");
  size_t n = HG_EVENTS_MAX_PENDING_RECORDS + 1000;
  for (size_t i = 0; i < n; i++)
    hg_buf_puts(&t, i ? ",{}" : "{}");
  hg_buf_puts(&t, ",{\"x\":]");
  both b = check_text("many", t.data, t.len);
  CHECK_INTEQ(b.events, n);
  CHECK_INTEQ(b.unchecked, HG_EVENTS_MAX_PENDING_RECORDS);
  hg_buf_reset(&t);
  hg_buf_puts(&t, "{\"Records\":[");
  char big[4097];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  size_t m = (HG_EVENTS_MAX_PENDING >> 12) + 500;
  for (size_t i = 0; i < m; i++) {
    hg_buf_puts(&t, i ? ",{\"s\":\"" : "{\"s\":\"");
    hg_buf_puts(&t, big);
    hg_buf_puts(&t, "\"}");
  }
  hg_buf_puts(&t, ",{\"x\":tru]}");
  b = check_text("bytes", t.data, t.len);
  CHECK_INTEQ(b.events, m);
  CHECK(b.unchecked > 0 && b.unchecked < m);
  hg_buf_free(&t);
  rm_rf(tmp);
}

static uint32_t rng = 2463534242u;

static uint32_t next(void)
{
  return xorshift32(&rng);
}

/* A good Records file damaged at random: whatever the damage, both ways
 * agree. */
TEST(random_damage)
{
  mk_tmp();
  const char *base = "{\"Records\":[{\"eventName\":\"A\\\"b\",\"x\":[1,2.5e3,true,null,{}]},"
                     "{\"eventName\":\"C\",\"y\":{\"z\":\"[{\\\\\"}},2,"
                     "{\"eventTime\":\"2024-01-01T00:00:00Z\",\"u\":\"\\u00e9\"}],\"tail\":1}";
  static const char pool[] = "{}[]\",:\\ \n0a-tfe\x01\xc3";
  size_t blen = strlen(base);
  char *buf = xmalloc(blen + 16);
  size_t diffs = 0;
  for (int round = 0; round < 1500; round++) {
    memcpy(buf, base, blen);
    size_t len = blen;
    int edits = 1 + (int)(next() % 3);
    for (int e = 0; e < edits; e++) {
      size_t at = next() % len;
      char c = pool[next() % (sizeof pool - 1)];
      switch (next() % 3) {
      case 0:
        buf[at] = c;
        break;
      case 1:
        memmove(buf + at + 1, buf + at, len - at);
        buf[at] = c;
        len++;
        break;
      default:
        memmove(buf + at, buf + at + 1, len - at - 1);
        len--;
        break;
      }
    }
    char *p = xasprintf("%s/r.json", tmp);
    put_bytes(p, buf, len);
    const char *pp[] = {p};
    if (!read_both(pp, 1).same && diffs++ < 3)
      FAIL_AT("damaged file %.*s differs", (int)len, buf);
    free(p);
  }
  free(buf);
  rm_rf(tmp);
}
