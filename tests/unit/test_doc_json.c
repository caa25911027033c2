/*
 * test_doc_json.c — JSON text into a document (emit.h hg_emit_read_json):
 * the one JSON parser's tree copied into the document model that every
 * non-event JSON input (configuration, caches, AWS answers) is read as.
 */
#include "harness.h"

#include "hg/doc.h"
#include "hg/emit.h"

#include <string.h>

static hg_doc *read_ok(const char *text)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_doc *d = hg_emit_read_json(text, strlen(text), "t.json", "t-json", &s);
  CHECK(d != NULL);
  CHECK_INTEQ((long long)s.n, 0);
  hg_diag_free(&s);
  return d;
}

/* The first diagnostic of a failed read: its line, column and message. */
static void read_bad(const char *text, size_t len, int line, int col, const char *needle)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_doc *d = hg_emit_read_json(text, len, "t.json", "t-json", &s);
  CHECK(d == NULL);
  CHECK_INTEQ((long long)s.n, 1);
  if (s.n == 1) {
    CHECK_STREQ(s.v[0].code, "t-json");
    CHECK_STREQ(s.v[0].file, "t.json");
    CHECK_INTEQ(s.v[0].line, line);
    CHECK_INTEQ(s.v[0].col, col);
    CHECK(strstr(s.v[0].message, needle) != NULL);
  }
  hg_diag_free(&s);
}

TEST(kinds_and_order)
{
  hg_doc *d = read_ok("{\"b\": 1, \"a\": [true, false, null, -7, 2.5, 1e3, \"x\\u00e9\\n\"],"
                      " \"big\": 123456789012345678901234, \"o\": {}}");
  CHECK(d->kind == HG_DOC_MAP);
  CHECK_INTEQ((long long)d->n, 4);
  CHECK_STREQ(d->keys[0], "b");
  CHECK_STREQ(d->keys[1], "a");
  long long n = 0;
  CHECK(hg_doc_get_int(d, "b", &n));
  CHECK_INTEQ(n, 1);
  hg_doc *a = hg_doc_get_seq(d, "a");
  CHECK(a && a->n == 7);
  if (a && a->n == 7) {
    CHECK(a->items[0]->kind == HG_DOC_BOOL && a->items[0]->b);
    CHECK(a->items[1]->kind == HG_DOC_BOOL && !a->items[1]->b);
    CHECK(a->items[2]->kind == HG_DOC_NULL);
    CHECK(a->items[3]->kind == HG_DOC_INT && a->items[3]->num == -7);
    CHECK(a->items[4]->kind == HG_DOC_FLOAT && a->items[4]->f == 2.5);
    CHECK(a->items[5]->kind == HG_DOC_FLOAT && a->items[5]->f == 1000.0);
    CHECK_STREQ(a->items[6]->str, "x\xc3\xa9\n");
  }
  hg_doc *big = hg_doc_get(d, "big");
  CHECK(big && big->kind == HG_DOC_FLOAT);
  CHECK(hg_doc_get_map(d, "o") != NULL);
  CHECK(hg_doc_get_map(d, "a") == NULL);
  CHECK(!hg_doc_get_int(d, "a", &n));
  hg_doc_free_wiped(d);
}

TEST(scalars_at_the_top)
{
  hg_doc *d = read_ok(" \"text\" ");
  CHECK(d->kind == HG_DOC_STR);
  CHECK_STREQ(d->str, "text");
  hg_doc_free(d);
  d = read_ok("[]");
  CHECK(d->kind == HG_DOC_SEQ && d->n == 0);
  hg_doc_free(d);
}

TEST(repeated_member_keeps_the_last_value)
{
  hg_doc *d = read_ok("{\"k\": 1, \"j\": 0, \"k\": 2}");
  long long n = 0;
  CHECK(hg_doc_get_int(d, "k", &n));
  CHECK_INTEQ(n, 2);
  CHECK_INTEQ((long long)d->n, 2);
  hg_doc_free(d);
}

TEST(syntax_errors_have_positions)
{
  read_bad("{\n  \"a\": 1,\n  \"b\" 2\n}", 21, 3, 7, "not valid JSON");
  read_bad("", 0, 1, 1, "not valid JSON");
  read_bad("{\"a\": tru}", 10, 1, 7, "not valid JSON");
  read_bad("[1] x", 5, 1, 5, "not valid JSON");
}

TEST(what_a_document_cannot_hold)
{
  read_bad("[\"a\\u0000b\"]", 12, 0, 0, "U+0000");
  read_bad("{\"a\\u0000\": 1}", 14, 0, 0, "U+0000");
  read_bad("[1e999]", 7, 0, 0, "out of range");
}

TEST(deep_nesting_is_an_error_not_a_crash)
{
  enum { DEPTH = 100000 };
  static char text[2 * DEPTH];
  memset(text, '[', DEPTH);
  memset(text + DEPTH, ']', DEPTH);
  hg_diag_sink s;
  hg_diag_init(&s);
  CHECK(hg_emit_read_json(text, sizeof text, "t.json", "t-json", &s) == NULL);
  CHECK_INTEQ((long long)s.n, 1);
  hg_diag_free(&s);
}

TEST(round_trip_through_the_writer)
{
  const char *text = "{\n  \"a\": [\n    1,\n    2.5,\n    \"s\"\n  ],\n  \"b\": null\n}\n";
  hg_doc *d = read_ok(text);
  hg_buf out;
  hg_buf_init(&out);
  hg_emit_json(d, &out);
  hg_buf_putc(&out, 0);
  CHECK_STREQ(out.data, text);
  hg_buf_free(&out);
  hg_doc_free(d);
}

/* Many members, half of them one repeated name: the distinct names keep
 * their order, the repeated one its last value at its last place. */
TEST(large_object_with_repeated_names)
{
  enum { N = 50000 };
  hg_buf t;
  hg_buf_init(&t);
  hg_buf_putc(&t, '{');
  for (int i = 0; i < N; i++)
    hg_buf_printf(&t, "%s\"%s%d\": %d", i ? ", " : "", i % 2 ? "k" : "d", i % 2 ? 0 : i, i);
  hg_buf_putc(&t, '}');
  hg_buf_putc(&t, 0);
  hg_doc *d = read_ok(t.data);
  CHECK_INTEQ((long long)d->n, N / 2 + 1);
  CHECK_STREQ(d->keys[0], "d0");
  CHECK_STREQ(d->keys[N / 2], "k0");
  long long v = 0;
  CHECK(hg_doc_get_int(d, "k0", &v));
  CHECK_INTEQ(v, N - 1);
  CHECK(hg_doc_get_int(d, "d49998", &v));
  CHECK_INTEQ(v, 49998);
  hg_doc_free(d);
  hg_buf_free(&t);
}
