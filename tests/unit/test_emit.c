/* test_emit.c — the YAML and JSON writers and the skeleton reader. */
#include "harness.h"

#include <unistd.h>

#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/emit.h"
#include "hg/util.h"

static char *yaml_of(const hg_doc *d)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_yaml(d, &b);
  return hg_buf_take(&b, NULL);
}

static char *json_of(const hg_doc *d)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_json(d, &b);
  return hg_buf_take(&b, NULL);
}

static bool doc_equal(const hg_doc *a, const hg_doc *b)
{
  if (!a || !b || a->kind != b->kind || a->n != b->n)
    return false;
  switch (a->kind) {
  case HG_DOC_STR: return strcmp(a->str, b->str) == 0;
  case HG_DOC_INT: return a->num == b->num;
  case HG_DOC_FLOAT: return a->f == b->f;
  case HG_DOC_BOOL: return a->b == b->b;
  case HG_DOC_NULL: return true;
  case HG_DOC_MAP:
  case HG_DOC_SEQ:
    for (size_t i = 0; i < a->n; i++) {
      if (a->kind == HG_DOC_MAP && strcmp(a->keys[i], b->keys[i]) != 0)
        return false;
      if (!doc_equal(a->items[i], b->items[i]))
        return false;
    }
    return true;
  }
  return false;
}

/* Scalars a YAML reader could take for something else. */
static const char *const tricky[] = {
    "yes", "Yes", "on", "OFF", "n", "y", "null", "Null", "~", "", "true", "False",
    "012345678901", "123456789012", "1e3", "0x1f", "0o17", "2024-01-01",
    "2024-01-01T10:00:00Z", "1:20", "+1", "-2", ".5", "-.inf", ".NaN", "1_000", "3.1",
    "*alias", "&anchor", "!tag", "|block", ">folded", "%directive", "@at", "`tick",
    "a: b", "a #comment", " lead", "trail ", "-", "- item", "? key", ": x", "key:",
    "[list]", "{map}", "'single'", "\"double\"", "line\nbreak", "tab\there", "ctrl\x01",
    "=", "<<", "it's", "#hash",
    "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }",
    "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/${AWSAccountName}-trail",
    NULL};

static hg_doc *tricky_doc(void)
{
  hg_doc *m = hg_doc_map();
  hg_doc *seq = hg_doc_set_seq(m, "values");
  for (size_t i = 0; tricky[i]; i++)
    hg_doc_push_str(seq, tricky[i]);
  hg_doc *keys = hg_doc_set_map(m, "keys");
  for (size_t i = 0; tricky[i]; i++)
    hg_doc_set_int(keys, tricky[i], (long long)i);
  hg_doc_set_int(m, "int", -42);
  hg_doc_set_bool(m, "bool", true);
  hg_doc_set_map(m, "empty map");
  hg_doc_set_seq(m, "empty seq");
  hg_doc *nested = hg_doc_set_seq(m, "nested");
  hg_doc *inner = hg_doc_push(nested, hg_doc_seq());
  hg_doc_push_str(inner, "a");
  hg_doc_push(inner, hg_doc_seq());
  hg_doc *item = hg_doc_push(nested, hg_doc_map());
  hg_doc_set(item, "Fn::Sub", hg_doc_str("${AWSAccountName}-x"));
  hg_doc *deep = hg_doc_set_map(item, "deep");
  hg_doc_set(deep, "list", hg_doc_seq());
  hg_doc_push(hg_doc_get(deep, "list"), hg_doc_ref("X"));
  return m;
}

TEST(yaml_quotes_what_a_reader_could_misread)
{
  const char *const quoted[] = {"yes", "on", "null", "~", "", "012345678901", "1e3", "0x1f",
                                "2024-01-01", "*a", "&a", "!a", "|a", ">a", "%a", "@a",
                                "a: b", "a #b", " a", "a ", "-1", "true", NULL};
  for (size_t i = 0; quoted[i]; i++)
    if (!hg_emit_yaml_needs_quotes(quoted[i]))
      FAIL_AT("'%s' should be quoted", quoted[i]);
  const char *const plain[] = {"Fn::Sub", "aws:SourceArn", "AWS::CloudTrail::Trail", "a#b",
                               "${AWSAccountName}-trail", "kms:GenerateDataKey*", "CISBenchmark",
                               "hello world", NULL};
  for (size_t i = 0; plain[i]; i++)
    if (hg_emit_yaml_needs_quotes(plain[i]))
      FAIL_AT("'%s' should stay plain", plain[i]);
}

TEST(yaml_exact_layout)
{
  hg_doc *m = hg_doc_map();
  hg_doc_set_str(m, "A", "yes");
  hg_doc *r = hg_doc_set_map(m, "R");
  hg_doc *s = hg_doc_set_seq(r, "L");
  hg_doc *it = hg_doc_push(s, hg_doc_map());
  hg_doc_set_str(it, "k", "it's");
  hg_doc_set(it, "v", hg_doc_sub("${X}"));
  hg_doc_push_str(s, "012");
  hg_doc_set_map(r, "E");
  hg_doc_set_int(m, "M", 5);
  char *y = yaml_of(m);
  CHECK_STREQ(y, "A: 'yes'\n"
                 "R:\n"
                 "  L:\n"
                 "    - k: it's\n"
                 "      v:\n"
                 "        Fn::Sub: ${X}\n"
                 "    - '012'\n"
                 "  E: {}\n"
                 "M: 5\n");
  char *j = json_of(m);
  CHECK_STREQ(j, "{\n"
                 "  \"A\": \"yes\",\n"
                 "  \"R\": {\n"
                 "    \"L\": [\n"
                 "      {\n"
                 "        \"k\": \"it's\",\n"
                 "        \"v\": {\n"
                 "          \"Fn::Sub\": \"${X}\"\n"
                 "        }\n"
                 "      },\n"
                 "      \"012\"\n"
                 "    ],\n"
                 "    \"E\": {}\n"
                 "  },\n"
                 "  \"M\": 5\n"
                 "}\n");
  free(y);
  free(j);
  hg_doc_free(m);
}

TEST(yaml_round_trips_through_libyaml)
{
  hg_doc *d = tricky_doc();
  char *y = yaml_of(d);
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *back = hg_emit_read_yaml(y, strlen(y), "t.yaml", &sink);
  CHECK(back != NULL);
  CHECK(doc_equal(d, back));
  CHECK_INTEQ(sink.n, 0);
  hg_doc_free(back);
  hg_diag_free(&sink);
  free(y);
  hg_doc_free(d);
}

/* Python's YAML 1.1 reader must see the same values as its JSON reader. */
TEST(yaml_and_json_agree_in_python)
{
  if (system("python3 -c 'import yaml' >/dev/null 2>&1") != 0) {
    printf("SKIP yaml_and_json_agree_in_python: python3 yaml is not installed\n");
    return;
  }
  hg_doc *d = tricky_doc();
  char *y = yaml_of(d), *j = json_of(d);
  char ydir[] = "/tmp/hg-emit-XXXXXX";
  CHECK(mkdtemp(ydir) != NULL);
  char *yp = xasprintf("%s/t.yaml", ydir), *jp = xasprintf("%s/t.json", ydir);
  CHECK(hg_write_atomic(yp, y, strlen(y)) == 0);
  CHECK(hg_write_atomic(jp, j, strlen(j)) == 0);
  char *cmd = xasprintf("python3 -c 'import sys,yaml,json; "
                        "a=yaml.safe_load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); "
                        "sys.exit(0 if a==b else 1)' %s %s",
                        yp, jp);
  CHECK(system(cmd) == 0);
  unlink(yp);
  unlink(jp);
  rmdir(ydir);
  free(cmd);
  free(yp);
  free(jp);
  free(y);
  free(j);
  hg_doc_free(d);
}

TEST(reader_expands_short_forms_and_refuses_aliases)
{
  const char *src = "A: !Ref X\nB: !GetAtt Res.Arn\nC: !Sub \"${X}-y\"\nD: [1, true, '2', 01]\n"
                    "E: !Join ['', [a, b]]\n";
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *d = hg_emit_read_yaml(src, strlen(src), "t.yaml", &sink);
  CHECK(d != NULL);
  char *j = d ? json_of(d) : NULL;
  CHECK_STREQ(j, "{\n  \"A\": {\n    \"Ref\": \"X\"\n  },\n  \"B\": {\n    \"Fn::GetAtt\": [\n"
                 "      \"Res\",\n      \"Arn\"\n    ]\n  },\n  \"C\": {\n    \"Fn::Sub\": \"${X}-y\"\n"
                 "  },\n  \"D\": [\n    1,\n    true,\n    \"2\",\n    \"01\"\n  ],\n"
                 "  \"E\": {\n    \"Fn::Join\": [\n      \"\",\n      [\n        \"a\",\n"
                 "        \"b\"\n      ]\n    ]\n  }\n}\n");
  free(j);
  hg_doc_free(d);
  const char *bomb = "a: &x [1]\nb: *x\n";
  CHECK(hg_emit_read_yaml(bomb, strlen(bomb), "b.yaml", &sink) == NULL);
  const char *bad = "a: [1\n";
  CHECK(hg_emit_read_yaml(bad, strlen(bad), "c.yaml", &sink) == NULL);
  CHECK_INTEQ(sink.errors, 2);
  CHECK_STREQ(sink.v[0].code, "template-yaml-alias");
  CHECK_INTEQ(sink.v[0].line, 2);
  CHECK_STREQ(sink.v[1].code, "template-yaml-syntax");
  hg_diag_free(&sink);
}

/* Every prefix of a real skeleton, and deep nesting: a document or an
 * error, never a crash or a leak. */
TEST(reader_survives_truncated_and_deep_input)
{
  const char *top = getenv("HG_TOP");
  char *path = xasprintf("%s/templates/cloudtrail.global.yaml", top ? top : ".");
  size_t len = 0;
  char *text = hg_read_file(path, 1u << 20, &len);
  CHECK(text != NULL);
  size_t docs = 0;
  for (size_t n = 0; text && n <= len; n += 7) {
    hg_diag_sink sink;
    hg_diag_init(&sink);
    hg_doc *d = hg_emit_read_yaml(text, n, "t.yaml", &sink);
    docs += d != NULL;
    CHECK((d != NULL) == (sink.errors == 0));
    hg_doc_free(d);
    hg_diag_free(&sink);
  }
  CHECK(docs > 10);
  hg_buf deep;
  hg_buf_init(&deep);
  for (int i = 0; i < 10000; i++)
    hg_buf_puts(&deep, "[");
  hg_diag_sink sink;
  hg_diag_init(&sink);
  CHECK(hg_emit_read_yaml(deep.data, deep.len, "deep.yaml", &sink) == NULL);
  CHECK_STREQ(sink.n ? sink.v[0].code : NULL, "template-yaml-depth");
  hg_diag_free(&sink);
  hg_buf_free(&deep);
  free(text);
  free(path);
}
