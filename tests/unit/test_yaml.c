/*
 * test_yaml.c — the one YAML loader (yaml.h) and its readers: the template
 * skeleton reader (emit.h) and the IAM linter's loader (iam.h) read the same
 * text into the same tree, CloudFormation short forms included.
 */
#include "harness.h"

#include "hg/emit.h"
#include "hg/iam.h"
#include "hg/yaml.h"

/* Every short form CloudFormation has, in both scalar and collection use. */
static const char every_tag[] =
    "Conditions:\n"
    "  IsProd: !Equals [!Ref Env, prod]\n"
    "  NotProd: !Not [!Condition IsProd]\n"
    "  Both: !And [!Condition IsProd, !Or [!Condition IsProd, !Condition NotProd]]\n"
    "Resources:\n"
    "  R:\n"
    "    Type: AWS::X::Y\n"
    "    Properties:\n"
    "      Ref: !Ref Bucket\n"
    "      Sub: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'\n"
    "      SubList: !Sub ['${A}-x', {A: !Ref Env}]\n"
    "      Dot: !GetAtt Role.Arn\n"
    "      DotPath: !GetAtt Db.Endpoint.Address\n"
    "      List: !GetAtt [Role, Arn]\n"
    "      If: !If [IsProd, !Ref AWS::NoValue, 3]\n"
    "      Join: !Join ['', [a, !Ref Env]]\n"
    "      Select: !Select [0, !GetAZs '']\n"
    "      Split: !Split [',', !ImportValue Shared-List]\n"
    "      Find: !FindInMap [Map, !Ref AWS::Region, Key]\n"
    "      B64: !Base64 hello\n"
    "      Cidr: !Cidr [10.0.0.0/16, 4, 8]\n"
    "      Import: !ImportValue {'Fn::Sub': '${Env}-id'}\n"
    "      Azs: !GetAZs eu-west-1\n"
    "      Xf: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n"
    "      Plain: [true, 12, text]\n";

/* Compare a document with an IAM node tree: same shape, same keys, same
 * scalar text. Appends the first difference (a path) to why. */
static bool same_tree(const hg_doc *d, const hg_iam_node *n, hg_buf *why, const char *path)
{
  switch (d->kind) {
  case HG_DOC_MAP:
  case HG_DOC_SEQ: {
    bool map = d->kind == HG_DOC_MAP;
    if (n->kind != (map ? HG_IAM_MAP : HG_IAM_SEQ) || n->n != d->n) {
      hg_buf_printf(why, "%s: shape differs", path);
      return false;
    }
    for (size_t i = 0; i < d->n; i++) {
      if (map && strcmp(d->keys[i], n->keys[i]) != 0) {
        hg_buf_printf(why, "%s: key %s != %s", path, d->keys[i], n->keys[i]);
        return false;
      }
      char sub[512];
      snprintf(sub, sizeof sub, "%s/%s", path, map ? d->keys[i] : "[]");
      if (!same_tree(d->items[i], n->items[i], why, sub))
        return false;
    }
    return true;
  }
  case HG_DOC_STR:
  case HG_DOC_INT:
  case HG_DOC_FLOAT:
  case HG_DOC_BOOL:
  case HG_DOC_NULL:
    break;
  }
  char buf[64];
  const char *text = d->kind == HG_DOC_STR     ? d->str
                     : d->kind == HG_DOC_BOOL  ? (d->b ? "true" : "false")
                     : d->kind == HG_DOC_NULL  ? "null"
                     : d->kind == HG_DOC_FLOAT ? hg_doc_float_text(d->f, buf)
                                               : (snprintf(buf, sizeof buf, "%lld", d->num), buf);
  if (n->kind != HG_IAM_SCALAR || strcmp(n->str, text) != 0) {
    hg_buf_printf(why, "%s: scalar %s != %s", path, text, n->kind == HG_IAM_SCALAR ? n->str : "(not a scalar)");
    return false;
  }
  return true;
}

static const hg_doc *at(const hg_doc *d, const char *a, const char *b)
{
  d = hg_doc_get(d, a);
  return d ? hg_doc_get(d, b) : NULL;
}

TEST(skeleton_and_iam_readers_agree_on_every_short_form)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_doc *d = hg_emit_read_yaml(every_tag, strlen(every_tag), "t.yaml", &s);
  CHECK(d != NULL);
  CHECK_INTEQ(s.n, 0);
  hg_iam_file f;
  hg_iam_file_init(&f, "t.yaml", every_tag, strlen(every_tag));
  hg_iam_node *n = hg_iam_load(&f, &s);
  CHECK(n != NULL);
  CHECK_INTEQ(s.n, 0);
  if (d && n) {
    hg_buf why;
    hg_buf_init(&why);
    CHECK(same_tree(d, n, &why, ""));
    if (why.len)
      printf("  %s\n", why.data);
    hg_buf_free(&why);
  }
  hg_iam_file_free(&f);
  hg_diag_free(&s);
  hg_doc_free(d);
}

TEST(short_forms_become_long_forms)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_doc *d = hg_emit_read_yaml(every_tag, strlen(every_tag), "t.yaml", &s);
  CHECK(d != NULL);
  if (!d)
    return;
  const hg_doc *p = at(hg_doc_get(d, "Resources"), "R", "Properties");
  CHECK(p != NULL);
  if (!p)
    return;
  hg_buf out;
  hg_buf_init(&out);
  hg_emit_json(p, &out);
  /* !GetAtt A.B and !GetAtt [A, B] are one shape; a dotted path keeps its tail. */
  const char *want_dot = "\"Dot\": {\n    \"Fn::GetAtt\": [\n      \"Role\",\n      \"Arn\"\n    ]\n  }";
  const char *want_list = "\"List\": {\n    \"Fn::GetAtt\": [\n      \"Role\",\n      \"Arn\"\n    ]\n  }";
  CHECK(strstr(out.data, want_dot) != NULL);
  CHECK(strstr(out.data, want_list) != NULL);
  CHECK(strstr(out.data, "\"Fn::GetAtt\": [\n      \"Db\",\n      \"Endpoint.Address\"\n    ]") != NULL);
  CHECK(strstr(out.data, "\"Ref\": {\n    \"Ref\": \"Bucket\"\n  }") != NULL);
  CHECK(strstr(out.data, "\"Fn::GetAZs\": \"\"") != NULL);
  CHECK(strstr(out.data, "\"Fn::Transform\": {") != NULL);
  static const char *const names[] = {"Ref", "Fn::Sub", "Fn::If", "Fn::Join", "Fn::Select", "Fn::Split",
                                      "Fn::FindInMap", "Fn::Base64", "Fn::Cidr", "Fn::ImportValue",
                                      "Fn::GetAZs", "Fn::Transform", NULL};
  for (size_t i = 0; names[i]; i++) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", names[i]);
    if (!strstr(out.data, key))
      FAIL_AT("no %s in the properties", names[i]);
  }
  const hg_doc *cond = hg_doc_get(d, "Conditions");
  hg_buf_reset(&out);
  hg_emit_json(cond, &out);
  CHECK(strstr(out.data, "\"Fn::Equals\"") && strstr(out.data, "\"Fn::Not\"") &&
        strstr(out.data, "\"Fn::And\"") && strstr(out.data, "\"Fn::Or\"") &&
        strstr(out.data, "\"Condition\": \"IsProd\""));
  /* Plain scalars keep their kinds. */
  const hg_doc *plain = hg_doc_get(p, "Plain");
  CHECK(plain && plain->n == 3 && plain->items[0]->kind == HG_DOC_BOOL && plain->items[1]->kind == HG_DOC_INT &&
        plain->items[2]->kind == HG_DOC_STR);
  hg_buf_free(&out);
  hg_doc_free(d);
  hg_diag_free(&s);
}

TEST(iam_getatt_dotted_is_a_list)
{
  const char *text = "Resources:\n  R:\n    Properties:\n      A: !GetAtt Role.Arn\n";
  hg_iam_file f;
  hg_iam_file_init(&f, "t.yaml", text, strlen(text));
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_iam_node *root = hg_iam_load(&f, &s);
  CHECK(root != NULL);
  hg_iam_node *r = hg_iam_get(hg_iam_get(hg_iam_get(root, "Resources"), "R"), "Properties");
  hg_iam_node *a = hg_iam_get(r, "A");
  hg_iam_node *g = hg_iam_get(a, "Fn::GetAtt");
  CHECK(g && g->kind == HG_IAM_SEQ && g->n == 2);
  if (g && g->n == 2) {
    CHECK_STREQ(g->items[0]->str, "Role");
    CHECK_STREQ(g->items[1]->str, "Arn");
    /* each part points at its own bytes */
    CHECK_INTEQ(g->items[0]->line, 4);
    CHECK_INTEQ(g->items[0]->col, 18);
    CHECK_INTEQ(g->items[0]->span, 4);
    CHECK_INTEQ(g->items[1]->col, 23);
  }
  hg_iam_file_free(&f);
  hg_diag_free(&s);
}

TEST(tag_table)
{
  CHECK_STREQ(hg_cfn_tag_name("!Ref"), "Ref");
  CHECK_STREQ(hg_cfn_tag_name("!Condition"), "Condition");
  CHECK_STREQ(hg_cfn_tag_name("!GetAtt"), "Fn::GetAtt");
  CHECK_STREQ(hg_cfn_tag_name("!Transform"), "Fn::Transform");
  CHECK(hg_cfn_tag_name("!Foo") == NULL);
  CHECK(hg_cfn_tag_name("Ref") == NULL);
  CHECK(hg_cfn_tag_name("!!str") == NULL);
  CHECK(hg_cfn_tag_name(NULL) == NULL);
}

static const hg_yaml_opts test_opts = {
    .what = "a test document",
    .cfn_tags = true,
    .code_syntax = "t-syntax",
    .code_tag = "t-tag",
    .code_dup = "t-dup",
    .code_size = "t-size",
    .code_depth = "t-depth",
};

TEST(unknown_tags_and_duplicates_are_reported)
{
  hg_arena *a = hg_arena_new();
  hg_diag_sink s;
  hg_diag_init(&s);
  const char *t1 = "A: !Foo x\n";
  CHECK(hg_yaml_parse(a, "t.yaml", t1, strlen(t1), &test_opts, &s) == NULL);
  CHECK(s.n == 1 && strcmp(s.v[0].code, "t-tag") == 0 && s.v[0].line == 1 && s.v[0].col == 4);
  hg_diag_free(&s);
  hg_diag_init(&s);
  const char *t2 = "A: 1\nB: 2\nA: 3\n";
  hg_yval *v = hg_yaml_parse(a, "t.yaml", t2, strlen(t2), &test_opts, &s);
  CHECK(v && v->n == 2);
  CHECK(s.n == 1 && strcmp(s.v[0].code, "t-dup") == 0 && s.v[0].line == 3);
  hg_diag_free(&s);
  /* A template skeleton reports a duplicate key too (it used to keep both). */
  hg_diag_init(&s);
  CHECK(hg_emit_read_yaml(t2, strlen(t2), "t.yaml", &s) == NULL);
  CHECK(s.n == 1 && strcmp(s.v[0].code, "template-duplicate-key") == 0);
  hg_diag_free(&s);
  hg_arena_free(a);
}

TEST(hostile_input_is_bounded)
{
  hg_arena *a = hg_arena_new();
  hg_diag_sink s;
  hg_diag_init(&s);
  /* billion laughs: 10 levels of 10 aliases */
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (int i = 1; i < 10; i++) {
    hg_buf_printf(&b, "a%d: &a%d [", i, i);
    for (int j = 0; j < 10; j++)
      hg_buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1);
    hg_buf_puts(&b, "]\n");
  }
  CHECK(hg_yaml_parse(a, "b.yaml", b.data, b.len, &test_opts, &s) == NULL);
  CHECK(s.n == 1 && strcmp(s.v[0].code, "t-size") == 0);
  hg_diag_free(&s);
  hg_diag_init(&s);
  hg_buf_reset(&b);
  for (int i = 0; i < 1000; i++)
    hg_buf_puts(&b, "[");
  CHECK(hg_yaml_parse(a, "d.yaml", b.data, b.len, &test_opts, &s) == NULL);
  CHECK(s.n == 1 && strcmp(s.v[0].code, "t-depth") == 0);
  hg_diag_free(&s);
  /* a tag on a collection nested in tags: still bounded */
  hg_diag_init(&s);
  hg_buf_reset(&b);
  for (int i = 0; i < 1000; i++)
    hg_buf_puts(&b, "!If [");
  CHECK(hg_yaml_parse(a, "d.yaml", b.data, b.len, &test_opts, &s) == NULL);
  CHECK(s.n == 1 && strcmp(s.v[0].code, "t-depth") == 0);
  hg_diag_free(&s);
  hg_buf_free(&b);
  hg_arena_free(a);
}

TEST(positions_count_bytes)
{
  hg_arena *a = hg_arena_new();
  hg_diag_sink s;
  hg_diag_init(&s);
  /* "é" is two bytes: the value after it starts at byte column 9. */
  const char *t = "k: {\"é\": !Ref Zed}\n";
  hg_yval *v = hg_yaml_parse(a, "p.yaml", t, strlen(t), &test_opts, &s);
  CHECK(v != NULL);
  const hg_yval *m = v ? v->items[0] : NULL;
  const hg_yval *ref = m && m->n ? m->items[0] : NULL;
  CHECK(ref && ref->kind == HG_Y_MAP && strcmp(ref->keys[0], "Ref") == 0);
  if (ref) {
    CHECK_INTEQ(ref->items[0]->line, 1);
    CHECK_INTEQ(ref->items[0]->col, 16);
    CHECK_INTEQ(ref->items[0]->span, 3);
    CHECK_INTEQ(ref->items[0]->off, 15);
  }
  hg_diag_free(&s);
  hg_arena_free(a);
}

/* Line and column of each value of a text with the line breaks libyaml
 * knows (\n, \r\n, a lone \r), and of the same text with \n only: the
 * line table is built one way for texts without a \r and another with. */
TEST(positions_across_line_breaks)
{
  const char *texts[] = {"a: 1\nb: two\r\nc:   three\rd: [x, yy]\n", "a: 1\nb: two\nc:   three\nd: [x, yy]\n"};
  for (size_t t = 0; t < 2; t++) {
    hg_arena *a = hg_arena_new();
    hg_diag_sink s;
    hg_diag_init(&s);
    hg_yval *v = hg_yaml_parse(a, "p.yaml", texts[t], strlen(texts[t]), &test_opts, &s);
    CHECK(v && v->kind == HG_Y_MAP && v->n == 4);
    if (v && v->n == 4) {
      static const int line[] = {1, 2, 3, 4}, col[] = {4, 4, 6, 4};
      for (size_t i = 0; i < 4; i++) {
        CHECK_INTEQ(v->items[i]->line, line[i]);
        CHECK_INTEQ(v->items[i]->col, col[i]);
        CHECK_INTEQ(v->key_nodes[i]->line, line[i]);
        CHECK_INTEQ(v->key_nodes[i]->col, 1);
      }
      const hg_yval *seq = v->items[3];
      CHECK(seq->kind == HG_Y_SEQ && seq->n == 2);
      if (seq->n == 2) {
        CHECK_INTEQ(seq->items[1]->line, 4);
        CHECK_INTEQ(seq->items[1]->col, 8);
        CHECK_INTEQ(seq->items[1]->span, 2);
      }
    }
    CHECK_INTEQ((int)s.n, 0);
    hg_diag_free(&s);
    hg_arena_free(a);
  }
}

/* Plain scalars: what the core schema makes of each first character, and
 * anchored nodes marked (the only ones an alias can share). */
TEST(plain_scalars_and_anchors)
{
  const char *t = "- ec2:Describe*\n- ~\n- Null\n- True\n- false\n- 0x1F\n- -3\n- .5\n- +.inf\n"
                  "- .NaN\n- nothing\n- 12ab\n- &A {k: v}\n- *A\n- plain\n";
  hg_arena *a = hg_arena_new();
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_yval *v = hg_yaml_parse(a, "p.yaml", t, strlen(t), &test_opts, &s);
  static const hg_ykind kinds[] = {HG_Y_STR,   HG_Y_NULL,  HG_Y_NULL,  HG_Y_BOOL, HG_Y_BOOL,
                                   HG_Y_INT,   HG_Y_INT,   HG_Y_FLOAT, HG_Y_FLOAT, HG_Y_FLOAT,
                                   HG_Y_STR,   HG_Y_STR,   HG_Y_MAP,   HG_Y_MAP,  HG_Y_STR};
  CHECK(v && v->kind == HG_Y_SEQ && v->n == HG_COUNTOF(kinds));
  for (size_t i = 0; v && i < v->n && i < HG_COUNTOF(kinds); i++)
    CHECK_INTEQ((int)v->items[i]->kind, (int)kinds[i]);
  if (v && v->n == HG_COUNTOF(kinds)) {
    CHECK(v->items[12] == v->items[13] && v->items[12]->anchored);
    CHECK(!v->items[0]->anchored && !v->items[14]->anchored && !v->anchored);
    CHECK_INTEQ((int)v->items[5]->i, 31);
  }
  hg_diag_free(&s);
  hg_arena_free(a);
}

TEST(null_is_a_document_kind)
{
  hg_doc *d = hg_doc_map();
  hg_doc_set_null(d, "a");
  hg_doc *s = hg_doc_set_seq(d, "b");
  hg_doc_push(s, hg_doc_null());
  hg_doc_set_str(d, "c", "null"); /* the string stays a string */
  hg_buf y, j;
  hg_buf_init(&y);
  hg_buf_init(&j);
  hg_emit_yaml(d, &y);
  hg_emit_json(d, &j);
  CHECK_STREQ(y.data, "a: null\nb:\n  - null\nc: 'null'\n");
  CHECK_STREQ(j.data, "{\n  \"a\": null,\n  \"b\": [\n    null\n  ],\n  \"c\": \"null\"\n}\n");
  /* read back: the YAML writer's output gives the same tree */
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_doc *back = hg_emit_read_yaml(y.data, y.len, "n.yaml", &sink);
  CHECK(back && hg_doc_get(back, "a") && hg_doc_get(back, "a")->kind == HG_DOC_NULL);
  CHECK(back && hg_doc_get_str(back, "c") && strcmp(hg_doc_get_str(back, "c"), "null") == 0);
  hg_doc *c = back ? hg_doc_clone(back) : NULL;
  hg_buf_reset(&j);
  if (c)
    hg_emit_json(c, &j);
  CHECK_STREQ(j.data, "{\n  \"a\": null,\n  \"b\": [\n    null\n  ],\n  \"c\": \"null\"\n}\n");
  hg_doc_free(c);
  hg_doc_free(back);
  hg_doc_free(d);
  hg_buf_free(&y);
  hg_buf_free(&j);
  hg_diag_free(&sink);
}
