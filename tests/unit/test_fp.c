/*
 * test_fp.c — filter-pattern engine: API contracts, diagnostics mapped into
 * Lua files, the CIS reference patterns, generated round trips and
 * pathological input (each must end with a result or a diagnostic), plus
 * the whole-document JSON parser.
 */
#include <cJSON.h>
#include <stdint.h>

#include "harness.h"
#include "fixtures.h"
#include "hg/fp.h"
#include "hg/json.h"
#include "hg/util.h"

static hg_fp *parse(const char *s, hg_diag_sink *sink)
{
  return hg_fp_parse(s, strlen(s), NULL, sink);
}

static bool match_json(const hg_fp *fp, const char *ev)
{
  hg_arena *a = hg_arena_new();
  hg_jv *v = hg_json_parse(a, ev, strlen(ev), NULL, NULL);
  bool m = hg_fp_match(fp, v, ev, strlen(ev));
  hg_arena_free(a);
  return m;
}

/* ---- JSON parser ---- */

TEST(json_parse_and_write_compact)
{
  const char *in = " { \"a\" : [1, -2.5e3, true, false, null, \"x\\\"\\u00e9\\ud83d\\ude00\\n\"],"
                   " \"b\": {}, \"c\": [] } ";
  hg_arena *a = hg_arena_new();
  hg_jv *v = hg_json_parse(a, in, strlen(in), NULL, NULL);
  CHECK(v && v->kind == HG_JV_OBJECT && v->n == 3);
  hg_buf b;
  hg_buf_init(&b);
  hg_jv_write(v, &b);
  CHECK_STREQ(b.data, "{\"a\":[1,-2.5e3,true,false,null,\"x\\\"\xc3\xa9\xf0\x9f\x98\x80\\n\"],"
                      "\"b\":{},\"c\":[]}");
  const hg_jv *arr = hg_jv_get(v, "a", 1);
  CHECK(arr && arr->kind == HG_JV_ARRAY && arr->n == 6);
  CHECK(arr->items[1].kind == HG_JV_NUMBER && arr->items[1].len == 6);
  CHECK(hg_jv_get(v, "zz", 2) == NULL);
  CHECK(hg_jv_get(arr, "a", 1) == NULL);
  hg_buf_free(&b);
  hg_arena_free(a);
}

TEST(json_errors_have_offsets)
{
  hg_arena *a = hg_arena_new();
  /* The offset is where the parser found the problem: an unterminated
   * string at the end of the input, a lone '-' where its digit is missing. */
  static const struct { const char *text; size_t off; } bad[] = {
      {"{\"a\":}", 5}, {"[1,]", 3}, {"{\"a\" 1}", 5}, {"\"abc", 4}, {"01", 1},
      {"[1] x", 4}, {"tru", 0}, {"\"a\\q\"", 2}, {"", 0}, {"-", 1}, {"1.", 2},
  };
  for (size_t i = 0; i < HG_COUNTOF(bad); i++) {
    size_t off = 99;
    const char *msg = NULL;
    hg_jv *v = hg_json_parse(a, bad[i].text, strlen(bad[i].text), &off, &msg);
    CHECK(v == NULL);
    CHECK(msg != NULL);
    if (off != bad[i].off)
      FAIL_AT("'%s': offset %zu, want %zu", bad[i].text, off, bad[i].off);
  }
  hg_arena_free(a);
}

TEST(json_depth_limit)
{
  size_t n = 100000;
  char *deep = xmalloc(2 * n + 1);
  memset(deep, '[', n);
  memset(deep + n, ']', n);
  deep[2 * n] = '\0';
  hg_arena *a = hg_arena_new();
  const char *msg = NULL;
  CHECK(hg_json_parse(a, deep, 2 * n, NULL, &msg) == NULL);
  CHECK_STREQ(msg, "nesting too deep");
  CHECK(hg_json_parse(a, deep + n - 500, 1000, NULL, NULL) != NULL);
  hg_arena_free(a);
  free(deep);
}

/* ---- API contracts ---- */

static void collect(void *ud, const hg_jsel *sel)
{
  hg_buf *b = ud;
  hg_buf_putc(b, '$');
  for (size_t i = 0; i < sel->n; i++) {
    const hg_jstep *s = &sel->steps[i];
    if (s->kind == HG_JSTEP_KEY)
      hg_buf_printf(b, ".%.*s", (int)s->keylen, s->key);
    else if (s->kind == HG_JSTEP_INDEX)
      hg_buf_printf(b, "[%zu]", s->index);
    else
      hg_buf_puts(b, "[*]");
  }
  hg_buf_putc(b, ' ');
}

TEST(kinds_raw_and_selectors)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  static const struct { const char *p; hg_fp_kind k; bool raw; } cases[] = {
      {"", HG_FP_EMPTY, true}, {"{ $.a = 1 }", HG_FP_JSON, false}, {"ERROR", HG_FP_TERM, true},
      {"[a, b]", HG_FP_SPACE, true}, {"%a%", HG_FP_REGEX, true},
  };
  for (size_t i = 0; i < HG_COUNTOF(cases); i++) {
    hg_fp *fp = parse(cases[i].p, &s);
    CHECK(fp != NULL);
    if (!fp)
      continue;
    CHECK(hg_fp_kind_of(fp) == cases[i].k);
    CHECK(hg_fp_needs_raw(fp) == cases[i].raw);
    hg_fp_free(fp);
  }
  hg_fp *fp = parse("{ ($.a.b[2] = %x% || $.['c.d'][*].e IS NULL) && $.f NOT EXISTS && $.g = %y% }",
                    &s);
  CHECK(fp != NULL);
  if (fp) {
    hg_buf b;
    hg_buf_init(&b);
    hg_fp_selectors(fp, collect, &b);
    CHECK_STREQ(b.data, "$.a.b[2] $.c.d[*].e $.f $.g ");
    CHECK_INTEQ(hg_fp_regex_count(fp), 2);
    hg_buf_free(&b);
    hg_fp_free(fp);
  }
  CHECK_INTEQ(s.n, 0);
  hg_diag_free(&s);
}

TEST(null_event_and_raw)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_fp *j = parse("{ $.a NOT EXISTS }", &s);
  hg_fp *t = parse("x", &s);
  CHECK(j && t);
  if (j && t) {
    CHECK(!hg_fp_match(j, NULL, "{}", 2));
    CHECK(!hg_fp_match(t, NULL, NULL, 0));
    CHECK(hg_fp_match(t, NULL, "axb", 3));
  }
  hg_fp_free(j);
  hg_fp_free(t);
  hg_diag_free(&s);
}

/* ---- diagnostics mapped to the Lua file ---- */

TEST(origin_maps_columns_into_the_file)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  const char *lua = "filter {\n  pattern = '{ $.a = && }',\n}\n";
  hg_diag_source(&s, "filters/x.lua", lua, strlen(lua));
  const char *pat = "{ $.a = && }";
  hg_fp_origin o = {"filters/x.lua", 2, 14};
  CHECK(hg_fp_parse(pat, strlen(pat), &o, &s) == NULL);
  char *out = render(&s);
  CHECK_STREQ(out, "filters/x.lua:2:22: error: missing value after '=' [fp-empty-value]\n"
                   "    pattern = '{ $.a = && }',\n"
                   "                       ^~\n");
  free(out);
  hg_diag_free(&s);
}

TEST(origin_without_column_shows_the_pattern)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  const char *pat = "{ $.a is null }";
  hg_fp_origin o = {"filters/custom.lua", 40, 0};
  CHECK(hg_fp_parse(pat, strlen(pat), &o, &s) == NULL);
  char *out = render(&s);
  CHECK_STREQ(out, "filters/custom.lua:40: error: keywords are upper case: write 'IS NULL' "
                   "[fp-keyword-case]\n"
                   "  { $.a is null }\n"
                   "        ^~~~~~~\n");
  free(out);
  hg_diag_free(&s);
}

TEST(warnings_keep_the_pattern)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_fp *fp = parse("{ $.a = 1 || $.b != 2 }", &s);
  CHECK(fp != NULL);
  CHECK_INTEQ(s.errors, 0);
  CHECK_INTEQ(s.warnings, 1);
  CHECK_STREQ(s.n ? s.v[0].code : "", "fp-ne-in-or");
  hg_fp_free(fp);
  hg_diag_free(&s);
}

/* ---- the CIS reference patterns ---- */

TEST(cis_reference_patterns)
{
  const char *shared = getenv("HG_DATA");
  char path[4096];
  snprintf(path, sizeof path, "%s/reference/cis-controls.json", shared ? shared : "tests/data");
  size_t len;
  char *text = hg_read_file(path, 1u << 22, &len);
  CHECK(text != NULL);
  if (!text)
    return;
  cJSON *root = cJSON_Parse(text);
  cJSON *controls = cJSON_GetObjectItem(root, "controls");
  int parsed = 0, ne_warned = 0, prec_warned = 0, controls_n = 0;
  cJSON *c;
  cJSON_ArrayForEach(c, controls)
  {
    controls_n++;
    const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
    cJSON *texts = cJSON_GetObjectItem(c, "cis_text");
    cJSON *sh = cJSON_GetObjectItem(c, "securityhub_pattern");
    cJSON *all = cJSON_CreateArray();
    if (cJSON_IsString(sh))
      cJSON_AddItemToArray(all, cJSON_CreateString(sh->valuestring));
    cJSON *t;
    cJSON_ArrayForEach(t, texts) cJSON_AddItemToArray(all, cJSON_CreateString(t->valuestring));
    cJSON_ArrayForEach(t, all)
    {
      hg_diag_sink s;
      hg_diag_init(&s);
      hg_fp *fp = parse(t->valuestring, &s);
      if (!fp)
        FAIL_AT("%s: %s does not parse", id, t->valuestring);
      parsed += fp != NULL;
      for (size_t i = 0; i < s.n; i++) {
        if (strcmp(s.v[i].code, "fp-ne-in-or") == 0)
          ne_warned++;
        else if (strcmp(s.v[i].code, "fp-mixed-precedence") == 0)
          prec_warned++;
        else
          FAIL_AT("%s: unexpected diagnostic %s", id, s.v[i].code);
      }
      hg_fp_free(fp);
      hg_diag_free(&s);
    }
    cJSON_Delete(all);
  }
  CHECK_INTEQ(controls_n, 15);
  CHECK_INTEQ(parsed, 73); /* 14 x (Security Hub + 4 CIS texts) + 3 */
  CHECK_INTEQ(ne_warned, 2);   /* v1.4 4.1: two != disjuncts */
  CHECK_INTEQ(prec_warned, 2); /* v3.0 and v5.0 4.1 */
  cJSON_Delete(root);
  free(text);
}

/* ---- generated round trips ---- */

static uint32_t rng_state = 12345;
static uint32_t rnd(uint32_t n)
{
  rng_state = rng_state * 1103515245u + 12345u;
  return (rng_state >> 16) % n;
}

static void gen_value(hg_buf *b)
{
  static const char *const vals[] = {
      "\"x\"", "x*", "*x", "\"*mid*\"", "*", "42", "-1.5", "1e3", "%^a[0-9]+$%", "kms.amazonaws.com",
      "\"a \\\"q\\\" \\\\ b\"", "\\*lit", "\"Ev*ent\"", "123.123.*", "\"\"", "\"**\"", "%x|y%"};
  hg_buf_puts(b, vals[rnd(HG_COUNTOF(vals))]);
}

static void gen_selector(hg_buf *b, int *wild)
{
  static const char *const steps[] = {".a", ".eventName", "[0]", "[12]", ".['x.y']", ".b-c_d"};
  hg_buf_putc(b, '$');
  int n = 1 + (int)rnd(3);
  bool used = false;
  for (int i = 0; i < n; i++) {
    if (!used && *wild < 3 && rnd(6) == 0) {
      hg_buf_puts(b, i == 0 ? ".*" : "[*]");
      used = true;
      (*wild)++;
    } else {
      hg_buf_puts(b, i == 0 ? steps[rnd(2)] : steps[rnd(HG_COUNTOF(steps))]);
    }
  }
}

static void gen_expr(hg_buf *b, int depth, int *wild, int *re)
{
  int r = (int)rnd(depth > 3 ? 2 : 5);
  if (r <= 1) {
    gen_selector(b, wild);
    static const char *const ops[] = {" = ", " != ", "=", " IS NULL", " NOT EXISTS", " IS TRUE",
                                      " > ", " <= "};
    const char *op = ops[rnd(HG_COUNTOF(ops))];
    hg_buf_puts(b, op);
    if (op[1] == '>' || op[1] == '<') {
      hg_buf_puts(b, rnd(2) ? "10" : "-2.5");
    } else if (op[1] != 'I' && op[1] != 'N') {
      size_t at = b->len;
      gen_value(b);
      if (b->data[at] == '%' && ++*re > 2) {
        b->len = at;
        hg_buf_puts(b, "\"r\"");
      }
    }
  } else if (r == 2) {
    hg_buf_putc(b, '(');
    gen_expr(b, depth + 1, wild, re);
    hg_buf_putc(b, ')');
  } else {
    gen_expr(b, depth + 1, wild, re);
    hg_buf_puts(b, r == 3 ? " && " : "||");
    gen_expr(b, depth + 1, wild, re);
  }
}

static bool round_trip(const char *text)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_fp *a = parse(text, &s);
  bool ok = true;
  if (!a) {
    char *d = render(&s);
    FAIL_AT("does not parse: %s\n%s", text, d);
    free(d);
    hg_diag_free(&s);
    return false;
  }
  char *p1 = hg_fp_print(a);
  hg_fp *b = parse(p1, &s);
  if (!b || !hg_fp_equal(a, b)) {
    FAIL_AT("round trip: %s -> %s", text, p1);
    ok = false;
  } else {
    char *p2 = hg_fp_print(b);
    if (strcmp(p1, p2) != 0) {
      FAIL_AT("unstable print: %s -> %s -> %s", text, p1, p2);
      ok = false;
    }
    free(p2);
  }
  free(p1);
  hg_fp_free(a);
  hg_fp_free(b);
  hg_diag_free(&s);
  return ok;
}

TEST(round_trip_generated_json)
{
  int failures = 0;
  for (int i = 0; i < 2000 && failures < 5; i++) {
    hg_buf b;
    hg_buf_init(&b);
    int wild = 0, re = 0;
    hg_buf_puts(&b, rnd(2) ? "{ " : "{");
    gen_expr(&b, 0, &wild, &re);
    hg_buf_puts(&b, "}");
    if (!round_trip(b.data))
      failures++;
    hg_buf_free(&b);
  }
}

TEST(round_trip_generated_terms_and_fields)
{
  static const char *const terms[] = {"ERROR", "-DEBUG", "?WARN", "\"a phrase\"", "-\"two words\"",
                                      "?\"q \\\" d\"", "x=y", "{not-first}", "%lit%"};
  static const char *const fields[] = {"ip", "...", "status = 4*", "bytes > 100",
                                       "req = \"GET *\"", "ip = %^10\\.%", "(code = 1 || code = 2)",
                                       "user != -"};
  for (int i = 0; i < 500; i++) {
    hg_buf b;
    hg_buf_init(&b);
    int n = 1 + (int)rnd(4);
    bool any = rnd(3) == 0;
    for (int k = 0; k < n; k++) {
      const char *t = terms[rnd(HG_COUNTOF(terms))];
      if (k == 0 && (t[0] == '{' || t[0] == '%'))
        t = "first";
      if (k)
        hg_buf_putc(&b, ' ');
      if (any) {
        if (t[0] == '-')
          t++;
        if (t[0] != '?')
          hg_buf_putc(&b, '?');
      } else if (t[0] == '?') {
        t++;
      }
      hg_buf_puts(&b, t);
    }
    round_trip(b.data);
    hg_buf_reset(&b);
    hg_buf_putc(&b, '[');
    n = 1 + (int)rnd(5);
    int re = 0;
    for (int k = 0; k < n; k++) {
      const char *f = fields[rnd(HG_COUNTOF(fields))];
      if (strchr(f, '%') && ++re > 2)
        f = "x";
      hg_buf_printf(&b, "%s%s", k ? (rnd(2) ? ", " : ",") : "", f);
    }
    hg_buf_putc(&b, ']');
    /* Conditions name their own field; make the names unique per slot. */
    round_trip(b.data);
    hg_buf_free(&b);
  }
}

/* ---- pathological input: each ends with a result or a diagnostic ---- */

TEST(pathological_one_megabyte_pattern)
{
  size_t n = 1u << 20;
  char *p = xmalloc(n + 1);
  for (size_t i = 0; i < n; i++)
    p[i] = "{ $.a = 1 && "[i % 13];
  p[n] = '\0';
  hg_diag_sink s;
  hg_diag_init(&s);
  CHECK(hg_fp_parse(p, n, NULL, &s) == NULL);
  CHECK(s.errors >= 1 && s.errors <= 25);
  CHECK_STREQ(s.n ? s.v[0].code : "", "fp-limit");
  CHECK(s.v[0].snippet && strlen(s.v[0].snippet) <= 400);
  hg_diag_free(&s);
  /* A long term pattern too. */
  memset(p, 'a', n);
  hg_diag_init(&s);
  CHECK(hg_fp_parse(p, n, NULL, &s) == NULL);
  CHECK_INTEQ(s.errors, 1);
  hg_diag_free(&s);
  free(p);
}

TEST(pathological_deep_parentheses)
{
  size_t depth = 10000;
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_putc(&b, '{');
  for (size_t i = 0; i < depth; i++)
    hg_buf_putc(&b, '(');
  hg_buf_puts(&b, "$.a = 1");
  for (size_t i = 0; i < depth; i++)
    hg_buf_putc(&b, ')');
  hg_buf_putc(&b, '}');
  hg_diag_sink s;
  hg_diag_init(&s);
  CHECK(hg_fp_parse(b.data, b.len, NULL, &s) == NULL);
  bool limit = false;
  for (size_t i = 0; i < s.n; i++)
    if (strcmp(s.v[i].code, "fp-limit") == 0 && strstr(s.v[i].message, "nested"))
      limit = true;
  CHECK(limit);
  hg_diag_free(&s);
  /* Within the limits (and the length limit) nesting is fine. */
  hg_buf_reset(&b);
  hg_buf_putc(&b, '{');
  for (int i = 0; i < 50; i++)
    hg_buf_putc(&b, '(');
  hg_buf_puts(&b, "$.a = 1");
  for (int i = 0; i < 50; i++)
    hg_buf_putc(&b, ')');
  hg_buf_putc(&b, '}');
  hg_diag_init(&s);
  hg_fp *fp = hg_fp_parse(b.data, b.len, NULL, &s);
  CHECK(fp != NULL);
  CHECK(fp && match_json(fp, "{\"a\":1}"));
  hg_fp_free(fp);
  hg_diag_free(&s);
  hg_buf_free(&b);
}

TEST(pathological_invalid_utf8)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  /* A pattern reaches a template: it must be UTF-8 text without control
   * characters, quoted values and terms included (one diagnostic each, at
   * the first bad byte). */
  static const char *const bad[] = {
      "{ $.a = \"\xff\xfe\" }", "\xc3\x28 \xa0\xa1", "{ $.a = \xff }", "{ \xf0\x28\x8c\x28 = 1 }",
      "%\xe2\x82%", "[a = \xff]", "{ $.a = \"\xc2\x85\" }", "{ $.a = \"\xef\xbf\xbe\" }",
      "{ $.a = \"\xed\xa0\x80\" }", "{ $.a = \"\x1b[0m\" }",
  };
  for (size_t i = 0; i < HG_COUNTOF(bad); i++)
    CHECK(parse(bad[i], &s) == NULL);
  CHECK_INTEQ(s.errors, HG_COUNTOF(bad));
  char *out = render(&s);
  CHECK(strstr(out, "error: invalid UTF-8 byte 0xff in pattern; a pattern is UTF-8 text without control "
                    "characters [fp-bad-text]") != NULL);
  CHECK(strstr(out, "control character U+0085 in pattern") != NULL);
  CHECK(strstr(out, "non-character U+FFFE in pattern") != NULL);
  CHECK(strstr(out, "UTF-16 surrogate U+D800 in pattern") != NULL);
  CHECK(strstr(out, "control character U+001B in pattern") != NULL);
  free(out);
  hg_diag_free(&s);
  /* Valid UTF-8 is kept and compared as bytes. */
  hg_diag_init(&s);
  hg_fp *fp = parse("{ $.a = \"caf\xc3\xa9\" }", &s);
  CHECK(fp && match_json(fp, "{\"a\":\"caf\xc3\xa9\"}"));
  hg_fp_free(fp);
  hg_diag_free(&s);
}

TEST(pathological_unterminated)
{
  static const char *const bad[] = {
      "{ $.a = \"abc }", "{ $.a = %abc }", "%abc", "\"abc", "{ $.['abc = 1 }", "[a = \"x, b]",
      "{ $.a = \"\\", "{", "[", "{ (", "{ $.a = 1 &&", "%[a-%", "-\"x",
  };
  for (size_t i = 0; i < HG_COUNTOF(bad); i++) {
    hg_diag_sink s;
    hg_diag_init(&s);
    hg_fp *fp = parse(bad[i], &s);
    if (fp || s.errors == 0)
      FAIL_AT("'%s' should be an error", bad[i]);
    hg_fp_free(fp);
    hg_diag_free(&s);
  }
}

TEST(pathological_regex_is_linear)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_fp *fp = parse("%a*a*a*a*a*a*a*b%", &s);
  CHECK(fp != NULL);
  size_t n = 100 * 1024;
  char *v = xmalloc(n + 1);
  memset(v, 'a', n);
  v[n] = '\0';
  CHECK(fp && !hg_fp_match(fp, NULL, v, n));
  v[n - 1] = 'b';
  CHECK(fp && hg_fp_match(fp, NULL, v, n));
  hg_fp_free(fp);
  /* The same inside a JSON pattern, against a 100 KB string value. */
  fp = parse("{ $.v = %a*a*a*a*a*a*a*b% }", &s);
  hg_buf ev;
  hg_buf_init(&ev);
  v[n - 1] = 'a';
  hg_buf_printf(&ev, "{\"v\":\"%s\"}", v);
  CHECK(fp && !match_json(fp, ev.data));
  hg_buf_free(&ev);
  /* Large counts stay bounded: the program is capped, counts above 1000 refused. */
  hg_fp *big = parse("%.{1000}x{1000}%", &s);
  CHECK(big != NULL);
  CHECK(big && !hg_fp_match(big, NULL, v, 5000));
  hg_fp_free(big);
  CHECK(parse("%a{1000}b{1000}c{1000}d{1000}e{1000}f{1000}g{1000}h{1000}i{1000}j{1000}k%", &s) ==
        NULL);
  /* The expanded size is checked: three counted atoms of 1000 pass 2048. */
  CHECK(parse("%a{1000}b{1000}c{1000}%", &s) == NULL);
  CHECK(parse("%a{1001}%", &s) == NULL);
  hg_fp_free(fp);
  free(v);
  hg_diag_free(&s);
}

TEST(snippet_window_for_long_patterns)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "{ ");
  for (int i = 0; i < 30; i++)
    hg_buf_printf(&b, "$.k%02d = v && ", i);
  hg_buf_puts(&b, "$.z = }");
  hg_diag_sink s;
  hg_diag_init(&s);
  CHECK(parse(b.data, &s) == NULL);
  char *out = render(&s);
  CHECK_STREQ(out, "hardengen: error: missing value after '=' [fp-empty-value]\n"
                   "  ...v && $.k27 = v && $.k28 = v && $.k29 = v && $.z = }\n"
                   "                                                       ^\n");
  free(out);
  hg_diag_free(&s);
  hg_buf_free(&b);
}

/* ---- the lazy DFA agrees with the NFA simulation ---- */

#include "../../src/fp_int.h"

static void gen_regex(hg_buf *b)
{
  static const char *const atoms[] = {"a", "b", ".", "[ab]", "[^a]", "\\d", "1", " ", "\\s", "[a-b1]"};
  static const char *const quants[] = {"", "", "*", "+", "?", "{1,2}", "{2}", "{0,}"};
  int alts = 1 + (int)rnd(3);
  for (int k = 0; k < alts; k++) {
    if (k)
      hg_buf_putc(b, '|');
    if (rnd(4) == 0)
      hg_buf_putc(b, '^');
    int n = 1 + (int)rnd(4);
    for (int i = 0; i < n; i++) {
      hg_buf_puts(b, atoms[rnd(HG_COUNTOF(atoms))]);
      hg_buf_puts(b, quants[rnd(HG_COUNTOF(quants))]);
    }
    if (rnd(4) == 0)
      hg_buf_putc(b, '$');
  }
}

TEST(regex_dfa_matches_nfa)
{
  hg_arena *a = hg_arena_new();
  int mismatches = 0;
  for (int r = 0; r < 400 && mismatches < 5; r++) {
    hg_buf b;
    hg_buf_init(&b);
    gen_regex(&b);
    const char *err = NULL;
    size_t eoff, espan;
    fp_regex *re = fp_re_compile(a, b.data, b.len, &err, &eoff, &espan);
    if (!re) {
      FAIL_AT("generated regex %s: %s", b.data, err);
      hg_buf_free(&b);
      break;
    }
    for (int k = 0; k < 60; k++) {
      char s[16];
      int n = (int)rnd(13);
      for (int i = 0; i < n; i++)
        s[i] = "ab1 "[rnd(4)];
      bool dfa = fp_re_search(re, s, (size_t)n), nfa = fp_re_search_nfa(re, s, (size_t)n);
      if (dfa != nfa) {
        FAIL_AT("regex %s on '%.*s': dfa %d, nfa %d", b.data, n, s, dfa, nfa);
        mismatches++;
        break;
      }
    }
    fp_re_free(re);
    hg_buf_free(&b);
  }
  /* A regex whose DFA has more states than the cache holds: flushes, same answers. */
  const char *big = "[ab]*a[ab]{12}c";
  const char *err = NULL;
  size_t eoff, espan;
  fp_regex *re = fp_re_compile(a, big, strlen(big), &err, &eoff, &espan);
  CHECK(re != NULL);
  char s[20001];
  for (int i = 0; i < 20000; i++)
    s[i] = "ab"[rnd(2)];
  s[20000] = '\0';
  CHECK(re && !fp_re_search(re, s, 20000) && !fp_re_search_nfa(re, s, 20000));
  s[19999] = 'c';
  CHECK(re && fp_re_search(re, s, 20000) == fp_re_search_nfa(re, s, 20000));
  fp_re_free(re);

  /* x[xy]{999}z over random x/y: nearly every byte is a new DFA state, each
   * a closure over ~1000 NFA states (it was quadratic in practice: 4 s on
   * 200 KB). The search gives up on the cache once it fills too fast and
   * runs the NFA: the states built stay near one cache, whatever the input
   * length, and the answer is the NFA's. */
  const char *grow = "x[xy]{999}z";
  re = fp_re_compile(a, grow, strlen(grow), &err, &eoff, &espan);
  CHECK(re != NULL);
  size_t n = 200 * 1024;
  char *v = xmalloc(n);
  for (size_t i = 0; i < n; i++)
    v[i] = "xy"[rnd(2)];
  CHECK(re && !fp_re_search(re, v, n));
  CHECK(re && fp_re_dfa_built(re) <= 2 * 2048 + 1);
  memcpy(v + n - 1001, "x", 1);
  v[n - 1] = 'z';
  CHECK(re && fp_re_search(re, v, n) && fp_re_search_nfa(re, v, n));
  CHECK(re && fp_re_dfa_built(re) <= 4 * 2048 + 2);
  free(v);
  fp_re_free(re);
  hg_arena_free(a);
}

/* ---- selectors are complete: a pruned parse decides like a full one ---- */

static void add_to_paths(void *ud, const hg_jsel *sel)
{
  hg_jpaths_add(ud, sel);
}

TEST(selectors_suffice_for_pruned_events)
{
  const char *shared = getenv("HG_DATA");
  char path[4096];
  snprintf(path, sizeof path, "%s/datasets/cloudtrail/panther/events.jsonl",
           shared ? shared : "tests/data");
  size_t len;
  char *text = hg_read_file(path, 1u << 26, &len);
  CHECK(text != NULL);
  if (!text)
    return;
  static const char *const pats[] = {
      "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }",
      ("{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "
       "\"AwsServiceEvent\" }"),
      "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }",
      "{ $.requestParameters.ipPermissions.items[*].ipRanges.items[0].cidrIp = \"0.0.0.0/0\" }",
      "{ $.resources[*].type = \"AWS::S3::Bucket\" || $.requestParameters IS NULL }",
      "{ $.responseElements.* = %^arn:% }",
      "{ $.userIdentity.sessionContext.sessionIssuer.userName = * }",
  };
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_arena *full = hg_arena_new(), *pruned = hg_arena_new();
  int disagreements = 0, matches = 0, events = 0;
  for (size_t k = 0; k < HG_COUNTOF(pats); k++) {
    hg_fp *fp = parse(pats[k], &s);
    if (!fp) {
      FAIL_AT("does not parse: %s", pats[k]);
      continue;
    }
    hg_jpaths *paths = hg_jpaths_new();
    hg_fp_selectors(fp, add_to_paths, paths);
    for (char *line = text; line < text + len;) {
      char *nl = memchr(line, '\n', (size_t)(text + len - line));
      size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
      hg_arena_reset(full);
      hg_arena_reset(pruned);
      hg_jv *a = hg_json_parse(full, line, n, NULL, NULL);
      hg_jv *b = hg_json_parse_pruned(pruned, line, n, paths, NULL, NULL);
      bool ma = hg_fp_match(fp, a, line, n), mb = hg_fp_match(fp, b, line, n);
      events++;
      matches += ma;
      if (ma != mb && disagreements++ < 3)
        FAIL_AT("%s: full %d, pruned %d on %.*s", pats[k], ma, mb, (int)(n > 200 ? 200 : n), line);
      line += n + 1;
    }
    hg_jpaths_free(paths);
    hg_fp_free(fp);
  }
  CHECK(events > 1000);
  CHECK(matches > 0);
  hg_arena_free(full);
  hg_arena_free(pruned);
  hg_diag_free(&s);
  free(text);
}

/* ---- short-circuit evaluation (fp_prog.c) ---- */

/* A random formula over conditions on $.v0 .. $.v2: leaves and nested
 * && / || with parentheses, kept as a tree to be evaluated here. */
typedef struct bform {
  int kind;            /* 0 leaf, 1 and, 2 or */
  int var, op;         /* leaf: $.v<var>, op 0 '= "a"', 1 '!= "a"', 2 NOT EXISTS */
  int n, kids[3];
} bform;

typedef struct bforms {
  bform v[64];
  int n;
  uint64_t rng;
} bforms;

static unsigned brand(bforms *f, unsigned n)
{
  f->rng ^= f->rng << 13;
  f->rng ^= f->rng >> 7;
  f->rng ^= f->rng << 17;
  return (unsigned)(f->rng % n);
}

static int bgen(bforms *f, int depth)
{
  int i = f->n++;
  bform *x = &f->v[i];
  memset(x, 0, sizeof *x);
  if (depth == 0 || brand(f, 3) == 0) {
    x->var = (int)brand(f, 3);
    x->op = (int)brand(f, 3);
    return i;
  }
  x->kind = 1 + (int)brand(f, 2);
  x->n = 2 + (int)brand(f, 2);
  for (int k = 0; k < x->n; k++)
    x->kids[k] = bgen(f, depth - 1); /* at most 40 nodes: f->v holds them */
  return i;
}

static void bprint(const bforms *f, int i, hg_buf *b)
{
  const bform *x = &f->v[i];
  if (x->kind == 0) {
    static const char *const ops[] = {"= \"a\"", "!= \"a\"", "NOT EXISTS"};
    hg_buf_printf(b, "$.v%d %s", x->var, ops[x->op]);
    return;
  }
  for (int k = 0; k < x->n; k++) {
    if (k)
      hg_buf_puts(b, x->kind == 1 ? " && " : " || ");
    bool paren = f->v[x->kids[k]].kind != 0 || (f->rng & 1);
    if (paren)
      hg_buf_putc(b, '(');
    bprint(f, x->kids[k], b);
    if (paren)
      hg_buf_putc(b, ')');
  }
}

/* vals[k]: 0 $.vk absent, 1 "a", 2 "b" */
static bool beval(const bforms *f, int i, const int *vals)
{
  const bform *x = &f->v[i];
  if (x->kind == 0) {
    int v = vals[x->var];
    return x->op == 0 ? v == 1 : x->op == 1 ? v == 2 : v == 0;
  }
  for (int k = 0; k < x->n; k++) {
    bool r = beval(f, x->kids[k], vals);
    if (x->kind == 1 && !r)
      return false;
    if (x->kind == 2 && r)
      return true;
  }
  return x->kind == 1;
}

/* Every mix of AND, OR and groups gives, on every event, the value of its
 * formula (the jumping code's targets are right at every nesting). */
TEST(nested_and_or_match_their_formula)
{
  bforms f;
  f.rng = 0x9E3779B97F4A7C15ull;
  hg_diag_sink s;
  hg_diag_init(&s);
  int patterns = 0, trues = 0, falses = 0;
  for (int round = 0; round < 400; round++) {
    f.n = 0;
    int root = bgen(&f, 3);
    hg_buf b;
    hg_buf_init(&b);
    hg_buf_puts(&b, "{ ");
    bprint(&f, root, &b);
    hg_buf_puts(&b, " }");
    hg_fp *fp = parse(b.data, &s);
    if (!fp) {
      FAIL_AT("does not parse: %s", b.data);
      hg_buf_free(&b);
      continue;
    }
    patterns++;
    for (int e = 0; e < 27; e++) {
      int vals[3] = {e % 3, e / 3 % 3, e / 9};
      hg_buf ev;
      hg_buf_init(&ev);
      hg_buf_putc(&ev, '{');
      bool first = true;
      for (int k = 0; k < 3; k++) {
        if (!vals[k])
          continue;
        hg_buf_printf(&ev, "%s\"v%d\":\"%s\"", first ? "" : ",", k, vals[k] == 1 ? "a" : "b");
        first = false;
      }
      hg_buf_putc(&ev, '}');
      bool want = beval(&f, root, vals), got = match_json(fp, ev.data);
      trues += want;
      falses += !want;
      if (got != want)
        FAIL_AT("%s on %s: got %d, want %d", b.data, ev.data, got, want);
      hg_buf_free(&ev);
    }
    hg_fp_free(fp);
    hg_buf_free(&b);
  }
  CHECK_INTEQ(patterns, 400);
  CHECK(trues > 1000 && falses > 1000);
  hg_diag_free(&s);
}
