/*
 * test_json_pruned.c — the pruned parser against cJSON and against itself
 * keeping everything: same values on every selected path, nothing else
 * built, the whole text validated, escapes decoded, depth limited.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hg/json.h"
#include "hg/util.h"

/* Structural equality of an hg_jv tree and a cJSON tree. */
static int same(const hg_jv *v, const cJSON *c)
{
  if (!v || !c)
    return 0;
  switch (v->kind) {
  case HG_JV_NULL: return cJSON_IsNull(c);
  case HG_JV_TRUE: return cJSON_IsTrue(c);
  case HG_JV_FALSE: return cJSON_IsFalse(c);
  case HG_JV_NUMBER: {
    if (!cJSON_IsNumber(c))
      return 0;
    char *t = strndup(v->s, v->len);
    double d = strtod(t, NULL);
    free(t);
    return d == c->valuedouble;
  }
  case HG_JV_STRING:
    return cJSON_IsString(c) && strlen(c->valuestring) == v->len &&
           memcmp(c->valuestring, v->s, v->len) == 0;
  case HG_JV_ARRAY: {
    if (!cJSON_IsArray(c) || (size_t)cJSON_GetArraySize(c) != v->n)
      return 0;
    size_t i = 0;
    for (const cJSON *e = c->child; e; e = e->next, i++)
      if (!same(&v->items[i], e))
        return 0;
    return 1;
  }
  case HG_JV_OBJECT: {
    if (!cJSON_IsObject(c) || (size_t)cJSON_GetArraySize(c) != v->n)
      return 0;
    size_t i = 0;
    for (const cJSON *e = c->child; e; e = e->next, i++)
      if (strlen(e->string) != v->klens[i] || memcmp(e->string, v->keys[i], v->klens[i]) != 0 ||
          !same(&v->items[i], e))
        return 0;
    return 1;
  }
  }
  return 0;
}

static const hg_jv *get(const hg_jv *v, const char *k)
{
  if (!v || v->kind != HG_JV_OBJECT)
    return NULL;
  for (size_t i = 0; i < v->n; i++)
    if (v->klens[i] == strlen(k) && memcmp(v->keys[i], k, v->klens[i]) == 0)
      return &v->items[i];
  return NULL;
}

/* Selector from "a.b.*" / "a.0" text (digits are indexes). */
static void add(hg_jpaths *p, const char *text)
{
  hg_jstep st[8];
  size_t n = 0;
  char *dup = strdup(text), *save = NULL;
  char *keep[8];
  for (char *t = strtok_r(dup, ".", &save); t && n < 8; t = strtok_r(NULL, ".", &save)) {
    keep[n] = t;
    if (strcmp(t, "*") == 0)
      st[n] = (hg_jstep){HG_JSTEP_WILD, NULL, 0, 0, 0, 0};
    else if (t[0] >= '0' && t[0] <= '9')
      st[n] = (hg_jstep){HG_JSTEP_INDEX, NULL, 0, (size_t)atoi(t), 0, 0};
    else
      st[n] = (hg_jstep){HG_JSTEP_KEY, keep[n], strlen(t), 0, 0, 0};
    n++;
  }
  hg_jsel sel = {st, n};
  hg_jpaths_add(p, &sel);
  free(dup);
}

static const char *shared(void)
{
  const char *s = getenv("HG_DATA");
  return s ? s : "tests/data";
}

/* Every record of a data set: the full pruned parse equals cJSON, and a
 * pruned parse keeps exactly the selected members, equal to cJSON's. */
TEST(pruned_matches_cjson_on_datasets)
{
  const char *sets[] = {"panther/events.jsonl", "stratus-red-team/events.jsonl",
                        "invictus-ir/events.jsonl"};
  hg_jpaths *p = hg_jpaths_new();
  add(p, "eventName");
  add(p, "userIdentity.type");
  add(p, "requestParameters.*");
  add(p, "resources.0.ARN");
  add(p, "additionalEventData.MFAUsed");
  hg_arena *a = hg_arena_new();
  size_t records = 0;
  for (size_t s = 0; s < 3; s++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/datasets/cloudtrail/%s", shared(), sets[s]);
    size_t len;
    char *text = hg_read_file(path, 64u << 20, &len);
    if (!text) {
      printf("SKIP pruned_matches_cjson_on_datasets: %s not found\n", path);
      return;
    }
    for (char *line = text; *line;) {
      char *nl = strchr(line, '\n');
      size_t n = nl ? (size_t)(nl - line) : strlen(line);
      if (n) {
        records++;
        cJSON *c = cJSON_ParseWithLength(line, n);
        hg_arena_reset(a);
        hg_jv *full = hg_json_parse_pruned(a, line, n, NULL, NULL, NULL);
        CHECK(c && full && same(full, c));
        hg_jv *pr = hg_json_parse_pruned(a, line, n, p, NULL, NULL);
        CHECK(pr && pr->kind == HG_JV_OBJECT);
        if (pr && c) {
          const char *tops[] = {"eventName", "userIdentity", "requestParameters", "resources",
                                "additionalEventData"};
          size_t want = 0;
          for (size_t k = 0; k < 5; k++)
            want += cJSON_GetObjectItemCaseSensitive(c, tops[k]) != NULL;
          CHECK_INTEQ(pr->n, want); /* nothing else built */
          const hg_jv *en = get(pr, "eventName");
          CHECK(same(en, cJSON_GetObjectItemCaseSensitive(c, "eventName")));
          const cJSON *rp = cJSON_GetObjectItemCaseSensitive(c, "requestParameters");
          if (rp)
            CHECK(same(get(pr, "requestParameters"), rp)); /* wildcard: whole subtree */
          const cJSON *ui = cJSON_GetObjectItemCaseSensitive(c, "userIdentity");
          const cJSON *ut = ui ? cJSON_GetObjectItemCaseSensitive(ui, "type") : NULL;
          const hg_jv *pu = get(pr, "userIdentity");
          if (ut)
            CHECK(same(get(pu, "type"), ut));
          if (pu)
            CHECK(pu->n == (ut ? 1u : 0u));
          const cJSON *rs = cJSON_GetObjectItemCaseSensitive(c, "resources");
          const hg_jv *prs = get(pr, "resources");
          if (cJSON_IsArray(rs) && cJSON_GetArraySize(rs) > 0) {
            const cJSON *arn = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rs, 0), "ARN");
            CHECK(prs && prs->kind == HG_JV_ARRAY && prs->n == (size_t)cJSON_GetArraySize(rs));
            if (arn && prs && prs->n)
              CHECK(same(get(&prs->items[0], "ARN"), arn));
          }
        }
        cJSON_Delete(c);
      }
      if (!nl)
        break;
      line = nl + 1;
    }
    free(text);
  }
  CHECK_INTEQ(records, 453 + 310 + 2900);
  hg_arena_free(a);
  hg_jpaths_free(p);
}

TEST(escapes_are_decoded)
{
  hg_arena *a = hg_arena_new();
  const char *t = "{\"k\\u0041\":\"\\u00e9\\n\\t\\\"\\\\\\/x\",\"e\":\"\\ud83d\\ude00\",\"l\":\"\\ud800z\"}";
  hg_jpaths *p = hg_jpaths_new();
  add(p, "kA");
  add(p, "e");
  add(p, "l");
  hg_jv *v = hg_json_parse_pruned(a, t, strlen(t), p, NULL, NULL);
  CHECK(v && v->n == 3);
  if (v && v->n == 3) {
    CHECK(v->klens[0] == 2 && memcmp(v->keys[0], "kA", 2) == 0);
    CHECK(v->items[0].len == 8 && memcmp(v->items[0].s, "\xc3\xa9\n\t\"\\/x", 8) == 0);
    CHECK(v->items[1].len == 4 && memcmp(v->items[1].s, "\xf0\x9f\x98\x80", 4) == 0);
    CHECK(v->items[2].len == 4 && memcmp(v->items[2].s, "\xef\xbf\xbdz", 4) == 0);
  }
  hg_jpaths_free(p);
  hg_arena_free(a);
}

static int parses(const char *t, const hg_jpaths *p)
{
  hg_arena *a = hg_arena_new();
  size_t off = 0;
  const char *msg = NULL;
  hg_jv *v = hg_json_parse_pruned(a, t, strlen(t), p, &off, &msg);
  hg_arena_free(a);
  return v != NULL;
}

/* Skipped members are validated as strictly as kept ones. */
TEST(skipped_values_are_validated)
{
  hg_jpaths *p = hg_jpaths_new();
  add(p, "a");
  const char *bad[] = {
      "{\"a\":1,\"b\":[1,2,]}", "{\"a\":1,\"b\":01}",       "{\"a\":1,\"b\":\"\\x\"}",
      "{\"a\":1,\"b\":\"\\u12g4\"}", "{\"a\":1,\"b\":tru}", "{\"a\":1,\"b\":\"a\tb\"}",
      "{\"a\":1,\"b\":{\"c\" 1}}", "{\"a\":1,\"b\":1.}",    "{\"a\":1,\"b\":-}",
      "{\"a\":1} x",               "{\"a\":1,\"b\":\"open", "{\"a\":1,}",
      "",                          "{\"a\":1,\"b\":[}",     "{\"a\":1,\"b\":1e}",
  };
  for (size_t i = 0; i < HG_COUNTOF(bad); i++) {
    if (parses(bad[i], p))
      FAIL_AT("accepted %s", bad[i]);
    if (parses(bad[i], NULL))
      FAIL_AT("full parse accepted %s", bad[i]);
  }
  const char *good[] = {"{\"a\":1,\"b\":[1,-2.5e+3,true,false,null,{\"c\":[]},\"\\u00e9\"]}",
                        " { \"b\" : { } , \"a\" : [ ] } ", "{}", "[1]", "\"s\"", "0"};
  for (size_t i = 0; i < HG_COUNTOF(good); i++)
    if (!parses(good[i], p))
      FAIL_AT("rejected %s", good[i]);
  hg_jpaths_free(p);
}

/* Errors near the end of the text and at NUL bytes inside it: the same
 * message and offset whether the value is kept or skipped (the parser
 * reads a copy followed by NULs: neither may be mistaken for the other). */
TEST(errors_at_the_end_and_at_nul)
{
  hg_jpaths *p = hg_jpaths_new();
  add(p, "a");
  static const struct {
    const char *text;
    size_t len, off;
    const char *msg;
  } cases[] = {
      {"{\"a\":", 5, 5, "unexpected end of input"},
      {"{\"b\":", 5, 5, "unexpected end of input"},
      {"{\"a\"", 4, 4, "expected ':' after a member name"},
      {"{\"a\":1", 6, 6, "expected ',' or '}' in object"},
      {"{\"b\":1,", 7, 7, "expected a member name"},
      {"[1,", 3, 3, "unexpected end of input"},
      {"{\"a\":[1,", 8, 8, "unexpected end of input"},
      {"{\"a\":tru", 8, 5, "unexpected character"},
      {"{\"b\":nul", 8, 5, "unexpected character"},
      {"{\"a\":\"x", 7, 7, "unterminated string"},
      {"{\"a\":\0}", 7, 5, "unexpected character"},
      {"{\"b\":\0}", 7, 5, "unexpected character"},
      {"{\"a\":1\0}", 8, 6, "expected ',' or '}' in object"},
      {"{\"a\":\"x\0y\"}", 11, 7, "control character in string"},
      {"{\"a\":1}\0", 8, 7, "unexpected text after the value"},
      {"{\"a\"\0:1}", 9, 4, "expected ':' after a member name"},
      {"\0", 1, 0, "unexpected character"},
      {"", 0, 0, "unexpected end of input"},
      {"{\"a\":-", 6, 6, "bad number"},
  };
  for (size_t i = 0; i < HG_COUNTOF(cases); i++)
    for (int keep = 0; keep < 2; keep++) {
      hg_arena *a = hg_arena_new();
      size_t off = 99;
      const char *msg = NULL;
      hg_jv *v = hg_json_parse_pruned(a, cases[i].text, cases[i].len, keep ? NULL : p, &off, &msg);
      if (v || off != cases[i].off || !msg || strcmp(msg, cases[i].msg) != 0)
        FAIL_AT("case %zu (%s): %s at %zu, want %s at %zu", i, keep ? "kept" : "pruned",
                v ? "accepted" : msg ? msg : "(null)", off, cases[i].msg, cases[i].off);
      hg_arena_free(a);
    }
  hg_jpaths_free(p);
}

/* The tree refers to the arena, not to the text: the text can go first. */
TEST(tree_outlives_its_text)
{
  hg_jpaths *p = hg_jpaths_new();
  add(p, "a");
  add(p, "n");
  const char *src = "{\"a\":\"value\",\"b\":[1,2],\"n\":-12.5e3}";
  char *text = strdup(src);
  hg_arena *a = hg_arena_new();
  hg_jv *v = hg_json_parse_pruned(a, text, strlen(text), p, NULL, NULL);
  memset(text, 'x', strlen(text));
  free(text);
  CHECK(v != NULL);
  const hg_jv *s = hg_jv_get(v, "a", 1), *n = hg_jv_get(v, "n", 1);
  CHECK(s && s->kind == HG_JV_STRING && s->len == 5 && memcmp(s->s, "value", 5) == 0);
  CHECK(n && n->kind == HG_JV_NUMBER && n->len == 7 && memcmp(n->s, "-12.5e3", 7) == 0);
  CHECK(hg_jv_get(v, "b", 1) == NULL);
  hg_arena_free(a);
  hg_jpaths_free(p);
}

TEST(depth_is_limited)
{
  hg_jpaths *p = hg_jpaths_new();
  add(p, "a");
  size_t n = 100000;
  char *t = malloc(2 * n + 16);
  /* {"b": [[[[...]]]] } — deep inside a skipped member, then a kept one. */
  strcpy(t, "{\"b\":");
  size_t k = 5;
  for (size_t i = 0; i < n; i++)
    t[k++] = '[';
  for (size_t i = 0; i < n; i++)
    t[k++] = ']';
  t[k++] = '}';
  t[k] = '\0';
  CHECK(!parses(t, p));
  CHECK(!parses(t, NULL));
  /* 500 levels are fine, skipped or kept. */
  k = 5;
  for (size_t i = 0; i < 500; i++)
    t[k++] = '[';
  for (size_t i = 0; i < 500; i++)
    t[k++] = ']';
  t[k++] = '}';
  t[k] = '\0';
  CHECK(parses(t, p));
  CHECK(parses(t, NULL));
  free(t);
  hg_jpaths_free(p);
}

/* Indexes keep their positions; a wildcard keeps everything below it. */
TEST(index_and_wildcard_steps)
{
  hg_jpaths *p = hg_jpaths_new();
  add(p, "a.2.x");
  add(p, "w.*");
  hg_arena *a = hg_arena_new();
  const char *t = "{\"a\":[{\"x\":0},{\"x\":1},{\"x\":2,\"y\":3}],\"w\":{\"q\":[1,{\"r\":2}]},\"z\":1}";
  hg_jv *v = hg_json_parse_pruned(a, t, strlen(t), p, NULL, NULL);
  CHECK(v && v->n == 2);
  const hg_jv *arr = get(v, "a");
  CHECK(arr && arr->kind == HG_JV_ARRAY && arr->n == 3);
  if (arr && arr->n == 3) {
    CHECK(arr->items[0].kind == HG_JV_NULL);
    const hg_jv *x = get(&arr->items[2], "x");
    CHECK(x && x->kind == HG_JV_NUMBER && x->len == 1 && x->s[0] == '2');
    CHECK(arr->items[2].n == 1);
  }
  cJSON *c = cJSON_Parse(t);
  CHECK(same(get(v, "w"), cJSON_GetObjectItemCaseSensitive(c, "w")));
  cJSON_Delete(c);
  hg_arena_free(a);
  hg_jpaths_free(p);
}

/* hg_jv_step: by slot on a tree built under the trie its steps were
 * resolved in (first of duplicate names, absent names, empty objects), by
 * name on any other tree, with the same answers. */
TEST(member_slots)
{
  hg_jpaths *p = hg_jpaths_new(), *q = hg_jpaths_new();
  hg_jstep sa = {HG_JSTEP_KEY, "a", 1, 0, 0, 0};
  hg_jstep sbc[2] = {{HG_JSTEP_KEY, "b", 1, 0, 0, 0}, {HG_JSTEP_KEY, "c", 1, 0, 0, 0}};
  hg_jstep sd = {HG_JSTEP_KEY, "d", 1, 0, 0, 0};
  hg_jstep never = {HG_JSTEP_KEY, "a", 1, 0, 0, 0};
  hg_jstep other = {HG_JSTEP_KEY, "a", 1, 0, 0, 0};
  hg_jsel s1 = {&other, 1}, s2 = {&sa, 1}, s3 = {sbc, 2}, s4 = {&sd, 1};
  hg_jpaths_add(q, &s1);
  hg_jpaths_add(p, &s2);
  hg_jpaths_add(p, &s3);
  hg_jpaths_add(p, &s4);
  CHECK(sa.trie != 0 && sa.trie == sd.trie && sbc[0].trie == sa.trie);
  CHECK(sa.slot == 0 && sbc[0].slot == 1 && sd.slot == 2);
  CHECK(sbc[1].trie != 0 && sbc[1].trie != sa.trie && sbc[1].slot == 0);
  CHECK(other.trie != 0 && other.trie != sa.trie);
  CHECK(never.trie == 0);
  hg_arena *a = hg_arena_new();
  const char *t = "{\"b\":{\"c\":1,\"c\":2,\"e\":3},\"z\":0,\"a\":\"x\",\"a\":\"y\",\"b\":{}}";
  hg_jv *pr = hg_json_parse_pruned(a, t, strlen(t), p, NULL, NULL);
  hg_jv *full = hg_json_parse(a, t, strlen(t), NULL, NULL);
  CHECK(pr && full);
  if (!pr || !full) {
    hg_arena_free(a);
    hg_jpaths_free(p);
    hg_jpaths_free(q);
    return;
  }
  CHECK(pr->trie == sa.trie && pr->n == 4);
  CHECK(full->trie == 0);
  const hg_jv *roots[2] = {pr, full};
  for (size_t r = 0; r < 2; r++) {
    const hg_jv *v = roots[r];
    const hg_jstep *as[3] = {&sa, &never, &other};
    for (size_t i = 0; i < 3; i++) {
      const hg_jv *m = hg_jv_step(v, as[i]);
      CHECK(m && m->kind == HG_JV_STRING && m->len == 1 && m->s[0] == 'x');
    }
    CHECK(hg_jv_step(v, &sd) == NULL);
    const hg_jv *b = hg_jv_step(v, &sbc[0]);
    CHECK(b && b->kind == HG_JV_OBJECT && b->n >= 2);
    const hg_jv *c = b ? hg_jv_step(b, &sbc[1]) : NULL;
    CHECK(c && c->kind == HG_JV_NUMBER && c->s[0] == '1');
    CHECK(hg_jv_step(v, &sbc[1]) == NULL); /* $.c: not at the top */
  }
  const hg_jv *b = hg_jv_step(pr, &sbc[0]);
  CHECK(b && b->trie == sbc[1].trie && b->n == 2);
  /* The second "b" is empty: built under the same node, nothing in it. */
  CHECK(pr->items[3].kind == HG_JV_OBJECT && pr->items[3].n == 0);
  CHECK(pr->items[3].trie == sbc[1].trie && hg_jv_step(&pr->items[3], &sbc[1]) == NULL);
  /* A tree built under q: p's steps fall back to names. */
  hg_jv *qr = hg_json_parse_pruned(a, t, strlen(t), q, NULL, NULL);
  CHECK(qr && qr->trie == other.trie && qr->n == 2);
  const hg_jv *m = qr ? hg_jv_step(qr, &sa) : NULL;
  CHECK(m && m->kind == HG_JV_STRING && m->s[0] == 'x');
  CHECK(qr && hg_jv_step(qr, &sbc[0]) == NULL);
  hg_arena_free(a);
  hg_jpaths_free(p);
  hg_jpaths_free(q);
}

/* ---- against the full parser and the pattern engine ---- */

#include "hg/fp.h"

static void add_sel_cb(void *ud, const hg_jsel *sel)
{
  hg_jpaths_add(ud, sel);
}

/* Every pattern gives the same answer on the pruned tree (its own
 * selectors, and the union of all selectors) as on the full tree from
 * hg_json_parse, for every record of the three data sets. */
TEST(patterns_agree_on_pruned_and_full_trees)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/reference/cis-controls.json", shared());
  size_t clen;
  char *ctext = hg_read_file(path, 8u << 20, &clen);
  if (!ctext) {
    printf("SKIP patterns_agree_on_pruned_and_full_trees: %s not found\n", path);
    return;
  }
  const char *extra[] = {
      "{ $.resources[0].ARN = \"arn:*\" }",
      "{ $.requestParameters.* = \"*\" }",
      "{ $.resources[*].type = \"AWS::*\" }",
      "{ $.userIdentity.sessionContext.attributes.mfaAuthenticated = \"true\" }",
      "{ $.responseElements IS NULL }",
      "{ $.errorCode NOT EXISTS && $.userIdentity.invokedBy NOT EXISTS }",
      "{ $.readOnly IS FALSE || $.managementEvent IS TRUE }",
      "{ $.tlsDetails.tlsVersion = \"TLSv1.2\" && $.requestParameters.bucketName = \"*\" }",
      "{ $.additionalEventData.bytesTransferredOut > 100 }",
      "{ $.* = \"us-east-1\" }",
      "AccessDenied",
  };
  cJSON *doc = cJSON_Parse(ctext);
  free(ctext);
  const char *pats[256];
  size_t np = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "controls"))
  {
    const cJSON *sh = cJSON_GetObjectItem(c, "securityhub_pattern");
    if (cJSON_IsString(sh) && np < 200)
      pats[np++] = sh->valuestring;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(c, "cis_text")) if (cJSON_IsString(t) && np < 200)
        pats[np++] = t->valuestring;
  }
  for (size_t i = 0; i < HG_COUNTOF(extra); i++)
    pats[np++] = extra[i];
  CHECK(np > 40);
  hg_fp *fp[256];
  hg_jpaths *own[256];
  hg_jpaths *all = hg_jpaths_new();
  hg_diag_sink sink;
  hg_diag_init(&sink);
  for (size_t i = 0; i < np; i++) {
    fp[i] = hg_fp_parse(pats[i], strlen(pats[i]), NULL, &sink);
    if (!fp[i])
      FAIL_AT("pattern does not parse: %s", pats[i]);
    own[i] = hg_jpaths_new();
    if (fp[i]) {
      hg_fp_selectors(fp[i], add_sel_cb, own[i]);
      hg_fp_selectors(fp[i], add_sel_cb, all);
    }
  }
  hg_diag_free(&sink);
  const char *sets[] = {"panther/events.jsonl", "stratus-red-team/events.jsonl",
                        "invictus-ir/events.jsonl"};
  hg_arena *af = hg_arena_new(), *ap = hg_arena_new();
  size_t matches = 0, disagreements = 0;
  for (size_t s = 0; s < 3; s++) {
    snprintf(path, sizeof path, "%s/datasets/cloudtrail/%s", shared(), sets[s]);
    size_t len;
    char *text = hg_read_file(path, 64u << 20, &len);
    if (!text)
      continue;
    for (char *line = text; *line;) {
      char *nl = strchr(line, '\n');
      size_t n = nl ? (size_t)(nl - line) : strlen(line);
      if (n) {
        hg_arena_reset(af);
        const hg_jv *full = hg_json_parse(af, line, n, NULL, NULL);
        CHECK(full != NULL);
        hg_arena_reset(ap);
        const hg_jv *pa = hg_json_parse_pruned(ap, line, n, all, NULL, NULL);
        for (size_t i = 0; i < np; i++) {
          if (!fp[i])
            continue;
          bool want = hg_fp_match(fp[i], full, line, n);
          const hg_jv *po = hg_json_parse_pruned(ap, line, n, own[i], NULL, NULL);
          bool got_own = hg_fp_match(fp[i], po, line, n);
          bool got_all = hg_fp_match(fp[i], pa, line, n);
          matches += want;
          if (got_own != want || got_all != want) {
            if (disagreements++ < 5)
              FAIL_AT("%s on %.80s: full %d, pruned %d, union %d", pats[i], line, want, got_own,
                      got_all);
          }
        }
      }
      if (!nl)
        break;
      line = nl + 1;
    }
    free(text);
  }
  CHECK_INTEQ(disagreements, 0);
  CHECK(matches > 1000); /* the patterns do match real events */
  for (size_t i = 0; i < np; i++) {
    hg_fp_free(fp[i]);
    hg_jpaths_free(own[i]);
  }
  hg_jpaths_free(all);
  hg_arena_free(af);
  hg_arena_free(ap);
  cJSON_Delete(doc);
}

static void collect_steps(void *ud, const hg_jsel *sel)
{
  hg_jsel *out = ud;
  for (size_t i = 0; i < 4; i++)
    if (!out[i].steps) {
      out[i] = *sel;
      return;
    }
}

/* A per-thread copy of a pattern takes the member slots of the original
 * (hg_fp_copy_slots), and matches pruned trees as the original does. */
TEST(copy_slots_for_thread_copies)
{
  const char *t = "{ $.userIdentity.type = %^IAM% || $.eventName = \"X\" }";
  hg_diag_sink sink;
  hg_diag_init(&sink);
  hg_fp *fp = hg_fp_parse(t, strlen(t), NULL, &sink);
  hg_fp *c = hg_fp_parse(t, strlen(t), NULL, &sink);
  hg_diag_free(&sink);
  CHECK(fp && c);
  if (!fp || !c) {
    hg_fp_free(fp);
    hg_fp_free(c);
    return;
  }
  hg_jpaths *p = hg_jpaths_new();
  hg_fp_selectors(fp, add_sel_cb, p);
  hg_jsel fs[4] = {{NULL, 0}}, cs[4] = {{NULL, 0}};
  hg_fp_selectors(fp, collect_steps, fs);
  hg_fp_selectors(c, collect_steps, cs);
  CHECK(fs[0].n == 2 && cs[0].n == 2 && fs[1].n == 1 && cs[1].n == 1);
  CHECK(fs[0].steps[0].trie != 0 && fs[0].steps[1].trie != 0 && fs[1].steps[0].trie != 0);
  CHECK(cs[0].steps[0].trie == 0 && cs[1].steps[0].trie == 0);
  hg_fp_copy_slots(c, fp);
  for (size_t i = 0; i < 2; i++)
    for (size_t s = 0; s < fs[i].n && s < cs[i].n; s++) {
      CHECK(cs[i].steps[s].trie == fs[i].steps[s].trie);
      CHECK(cs[i].steps[s].slot == fs[i].steps[s].slot);
    }
  const char *evs[] = {"{\"eventName\":\"Y\",\"userIdentity\":{\"arn\":\"a\",\"type\":\"IAMUser\"}}",
                       "{\"eventName\":\"Y\",\"userIdentity\":{\"type\":\"Root\"}}",
                       "{\"userIdentity\":{\"type\":\"Root\"},\"eventName\":\"X\"}",
                       "{\"userIdentity\":\"IAMUser\"}"};
  const bool want[] = {true, false, true, false};
  hg_arena *a = hg_arena_new();
  for (size_t i = 0; i < HG_COUNTOF(evs); i++) {
    hg_jv *v = hg_json_parse_pruned(a, evs[i], strlen(evs[i]), p, NULL, NULL);
    CHECK(v && v->trie == fs[0].steps[0].trie);
    CHECK(hg_fp_match(fp, v, evs[i], strlen(evs[i])) == want[i]);
    CHECK(hg_fp_match(c, v, evs[i], strlen(evs[i])) == want[i]);
  }
  hg_arena_free(a);
  hg_jpaths_free(p);
  hg_fp_free(fp);
  hg_fp_free(c);
}
