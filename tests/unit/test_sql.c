/*
 * test_sql.c — the SQL translator (sql.h): literal escaping, the fragments
 * each construct becomes in each dialect, the regex rebuilt from byte sets,
 * and the diagnostics for what a dialect cannot express.
 */
#include "harness.h"

#include "hg/fp.h"
#include "hg/sql.h"
#include "hg/util.h"

static const char *const paths[] = {"ct/*.json"};

/* Translate one pattern; the query (malloc'd) or NULL, with the rendered
 * diagnostics in *diag (malloc'd, may be empty). */
static char *translate(const char *pattern, hg_sql_dialect d, char **diag)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_fp *fp = hg_fp_parse(pattern, strlen(pattern), NULL, &s);
  char *q = NULL;
  if (fp) {
    hg_sql_filter f = {"f1", fp, 60, "filters/t.lua", 7, 0};
    hg_sql_opts o = {d, NULL, NULL, paths, 1, NULL};
    q = hg_sql_query(&f, 1, &o, &s);
  }
  size_t n = 0;
  FILE *m = open_memstream(diag, &n);
  hg_diag_render_text(&s, m);
  fclose(m);
  hg_diag_free(&s);
  hg_fp_free(fp);
  return q;
}

static bool has(const char *q, const char *needle)
{
  return q && strstr(q, needle);
}

TEST(literal_doubles_quotes)
{
  hg_buf b;
  hg_buf_init(&b);
  const char *t = "it's ''x'' -- ; \\";
  hg_sql_literal(&b, t, strlen(t));
  CHECK_STREQ(b.data, "'it''s ''''x'''' -- ; \\'");
  hg_buf_free(&b);
}

TEST(wildcards_never_like)
{
  char *diag;
  char *q = translate("{ $.eventName = \"Get%_*\" || $.eventName = \"*x_y\" || $.eventName = \"*%*\" }",
                      HG_SQL_DUCKDB, &diag);
  CHECK(has(q, "starts_with(json_extract_string(p[1], '$'), 'Get%_')"));
  CHECK(has(q, "ends_with(json_extract_string(p[1], '$'), 'x_y')"));
  CHECK(has(q, "(strpos(json_extract_string(p[1], '$'), '%') > 0)"));
  CHECK(!has(q, " LIKE "));
  free(q);
  free(diag);
  q = translate("{ $.eventName = \"*Deniedé\" }", HG_SQL_ATHENA, &diag);
  CHECK(has(q, "(substr(eventname, -7) = 'Deniedé')")); /* characters, not bytes */
  free(q);
  free(diag);
}

TEST(missing_and_null_in_json)
{
  char *diag;
  char *q = translate("{ $.a NOT EXISTS && $.b IS NULL && $.c != \"x\" }", HG_SQL_DUCKDB, &diag);
  CHECK(has(q, "(p[1] IS NOT NULL) IS NOT TRUE"));
  CHECK(has(q, "coalesce(json_type(p[2]) = 'NULL', false)"));
  /* != is true only for a present scalar */
  CHECK(has(q, "WHEN json_type(p[3]) IN ('VARCHAR', 'BOOLEAN') THEN NOT (json_extract_string(p[3], '$') = 'x')"));
  CHECK(has(q, "ELSE false END, false)"));
  free(q);
  free(diag);
}

TEST(number_spelling)
{
  char *diag;
  /* a literal no number can spell: numbers never match, no run-time check */
  char *q = translate("{ $.a = \"Yes\" }", HG_SQL_DUCKDB, &diag);
  CHECK(!has(q, "error("));
  free(q);
  free(diag);
  /* "1.0" could be a number's spelling: integers compare as text, others stop */
  q = translate("{ $.a = \"1.0\" }", HG_SQL_DUCKDB, &diag);
  CHECK(has(q, "WHEN json_type(p[1]) IN ('BIGINT', 'UBIGINT') THEN (json_extract_string(p[1], '$') = '1.0')"));
  CHECK(has(q, "WHEN json_type(p[1]) = 'DOUBLE' THEN error('hardengen: filter ''f1'': compares the spelling"));
  free(q);
  free(diag);
  /* "0" and "-0" read alike: the literal 0 needs the check, 5 does not */
  q = translate("{ $.requestParameters.a = \"0\" }", HG_SQL_ATHENA, &diag);
  CHECK(has(q, "fail('hardengen: filter ''f1'': compares the spelling of the number 0"));
  free(q);
  free(diag);
  q = translate("{ $.a.b > 1.5 }", HG_SQL_DUCKDB, &diag);
  CHECK(has(q, "CAST(p[1] AS DOUBLE) > CAST('1.5' AS DOUBLE)"));
  free(q);
  free(diag);
}

TEST(regex_from_byte_sets)
{
  char *diag;
  char *q = translate("%^[45]\\d{2}$|x+%", HG_SQL_DUCKDB, &diag);
  CHECK(has(q, "regexp_matches(raw, '(?:\\A[\\x34-\\x35][\\x30-\\x39]{2,2}\\z)|(?:[\\x78]{1,})')"));
  CHECK(!has(q, "a regex that can match any byte"));
  free(q);
  free(diag);
  /* '.' reaches bytes >= 0x80: non-ASCII text stops the query */
  q = translate("{ $.a = %a.b% }", HG_SQL_DUCKDB, &diag);
  CHECK(has(q, "[\\x00-\\x7F]"));
  CHECK(has(q, "a regex that can match any byte meets non-ASCII text"));
  free(q);
  free(diag);
}

TEST(paths_and_wildcards)
{
  char *diag;
  char *q = translate("{ $.a[2].['b.c'] = 1 && $.r[*].x = \"y\" }", HG_SQL_DUCKDB, &diag);
  CHECK(has(q, "json_extract(r, ['$.\"a\"[2].\"b.c\"', '$.\"r\"']) AS p"));
  CHECK(has(q, "list_filter(CASE json_type(p[2]) WHEN 'ARRAY'"));
  free(q);
  free(diag);
  q = translate("{ $.resources[0].ARN = \"a\" && $.resources[*].type = \"t\" && "
                "$.requestParameters.items[*].id = \"i\" }",
                HG_SQL_ATHENA, &diag);
  CHECK(has(q, "element_at(resources, 1).arn")); /* 1-based */
  CHECK(has(q, "any_match(resources, r0 -> coalesce((r0.type = 't'), false))"));
  CHECK(has(q, "'$[\"items\"]'"));
  free(q);
  free(diag);
}

TEST(athena_cannot)
{
  static const char *const cases[][2] = {
      {"{ $.errorCode IS NULL }", "'$.errorCode IS NULL' (the table reads a JSON null"},
      {"{ $.responseElements NOT EXISTS }", "'$.responseElements NOT EXISTS'"},
      {"{ $.EventName = x }", "'$.EventName' (no such column"},
      {"{ $.userIdentity.foo = x }", "'$.userIdentity.foo' (no such member"},
      {"ERROR", "a term pattern"},
      {"%ERR%", "a regex pattern"},
      {"[a, b = 1]", "a space-delimited pattern"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *diag;
    char *q = translate(cases[i][0], HG_SQL_ATHENA, &diag);
    CHECK(q == NULL);
    if (!strstr(diag, cases[i][1]) || !strstr(diag, "filters/t.lua:7: error: filter 'f1': ") ||
        !strstr(diag, "[sql-untranslatable]"))
      FAIL_AT("%s: %s", cases[i][0], diag);
    free(q);
    free(diag);
  }
}

TEST(bad_table_and_where)
{
  hg_sql_filter f = {"f1", NULL, 300, NULL, 0, 0};
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_sql_opts o = {HG_SQL_ATHENA, "a.b.c.d", NULL, NULL, 0, NULL};
  CHECK(hg_sql_query(&f, 1, &o, &s) == NULL);
  o.table = "db.t";
  o.where = "x = ')' ; y";
  CHECK(hg_sql_query(&f, 1, &o, &s) == NULL);
  o.where = "x = ';--(' AND \"timestamp\" > '2024'";
  char *q = hg_sql_query(&f, 1, &o, &s);
  CHECK(has(q, "FROM \"db\".\"t\"\n  WHERE (x = ';--(' AND \"timestamp\" > '2024')"));
  free(q);
  hg_diag_free(&s);
}
