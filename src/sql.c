/*
 * sql.c — filter patterns to one SQL query (see sql.h).
 *
 * Each filter becomes one boolean expression over one record; the query
 * evaluates them all in a single scan, unnests the flags WITH ORDINALITY
 * and aggregates per filter and per period. The expressions are built from
 * the parsed AST (fp_int.h), condition by condition, following fp_eval.c:
 *
 *   - a JSON selector is a JSON path (json_extract); a wildcard step becomes
 *     a list predicate over the elements of an array or the members of an
 *     object; missing, null, object and array values make every comparison
 *     false, so each comparison tests the JSON type of what it reads;
 *   - strings and booleans compare as their text, numbers numerically with
 *     a numeric literal and as their spelling otherwise (integers keep
 *     theirs; a non-integer number stops the query with an error);
 *   - wildcard strings become equality, starts_with, a suffix test or strpos
 *     (never LIKE, whose % and _ would need escaping); regexes are rebuilt
 *     from their byte sets (fp_re_pieces) as explicit \xHH classes, with \A
 *     and \z for the anchors, and a set that reaches non-ASCII bytes stops
 *     the query on non-ASCII text (bytes and characters part ways there).
 *
 * Ownership: the query text is built in an hg_buf and handed to the caller;
 * nothing else outlives hg_sql_query.
 */
#include "hg/sql.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_int.h"

typedef struct ctx {
  const hg_sql_opts *o;
  const hg_sql_filter *f;
  hg_diag_sink *sink;
  int errors;
  int lambda;              /* next lambda variable number */
  bool raw;                /* some DuckDB filter reads the record text */
  char **paths;            /* DuckDB: the distinct record paths, read once per record */
  size_t npaths;
  const fp_node *node;     /* the condition being translated (for the caret), or NULL */
} ctx;

static bool duck(const ctx *c)
{
  return c->o->dialect == HG_SQL_DUCKDB;
}

/*
 * An error naming the filter and the construct, with a caret under the
 * condition being translated (the whole pattern otherwise): in the filter's
 * file when the pattern was a plain literal there, else under the pattern
 * text shown as the snippet.
 */
static void untranslatable(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void untranslatable(ctx *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_buf m;
  hg_buf_init(&m);
  hg_buf_vprintf(&m, fmt, ap);
  va_end(ap);
  const hg_fp *fp = c->f->fp;
  size_t off = 0, span = fp ? fp->len : 0;
  if (c->node) {
    off = c->node->off;
    size_t end = c->node->op_off + c->node->op_len;
    span = end > off ? end - off : 1;
  }
  bool one_line = fp && !memchr(fp->src, '\n', fp->len) && !memchr(fp->src, '\r', fp->len);
  bool in_file = c->f->file && c->f->col > 0 && one_line;
  hg_diag *d = hg_diag_add(c->sink, HG_SEV_ERROR, c->f->file, c->f->line,
                           in_file ? c->f->col + (int)off : 0, "sql-untranslatable",
                           "filter '%s': %s cannot be expressed exactly in %s SQL", c->f->id,
                           m.data ? m.data : "", duck(c) ? "DuckDB" : "Athena");
  if (in_file) {
    d->span = (int)(span > 200 ? 200 : span ? span : 1);
  } else if (fp && fp->len < 4096) {
    hg_buf t;
    hg_buf_init(&t);
    for (size_t i = 0; i < fp->len; i++) {
      unsigned char ch = (unsigned char)fp->src[i];
      hg_buf_putc(&t, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
    }
    hg_buf_putc(&t, '\0');
    hg_diag_snippet(d, t.data, (int)off + 1, (int)(span ? span : 1));
    hg_buf_free(&t);
  }
  hg_buf_free(&m);
  c->errors++;
}

void hg_sql_literal(hg_buf *b, const char *s, size_t n)
{
  hg_buf_putc(b, '\'');
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\'')
      hg_buf_putc(b, '\'');
    hg_buf_putc(b, s[i]);
  }
  hg_buf_putc(b, '\'');
}

static void lit(hg_buf *b, const char *s)
{
  hg_sql_literal(b, s, strlen(s));
}

/* Valid UTF-8 without NUL bytes: what a SQL string literal can carry. */
static bool text_ok(const char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    unsigned char ch = (unsigned char)s[i];
    size_t k = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3
                                                 : (ch & 0xf8) == 0xf0 ? 4 : 0;
    if (ch == 0 || k == 0 || i + k > n || (k == 2 && ch < 0xc2))
      return false;
    for (size_t j = 1; j < k; j++)
      if (((unsigned char)s[i + j] & 0xc0) != 0x80)
        return false;
    i += k;
  }
  return true;
}

static size_t utf8_chars(const char *s, size_t n)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80)
      k++;
  return k;
}

/* ---- text of a value: strings, booleans, integers ---- */

/* SQL for fp_value_match(v, S) where S is the SQL text expression s. */
static void text_match(ctx *c, hg_buf *b, const fp_value *v, const char *s);

static bool literal_ok(ctx *c, const fp_value *v)
{
  if (v->kind == FPV_REGEX)
    return true;
  if (!text_ok(v->core, v->corelen)) {
    untranslatable(c, "a value that is not valid UTF-8 text");
    return false;
  }
  return true;
}

/* The regex of v as a dialect pattern into b; *high set when some set
 * reaches bytes >= 0x80. */
static bool regex_text(ctx *c, const fp_value *v, hg_buf *b, bool *high)
{
  size_t n = 0;
  fp_re_piece *p = fp_re_pieces(v->text, v->textlen, &n);
  *high = false;
  if (!p) {
    untranslatable(c, "the regex %%%.*s%%", (int)v->textlen, v->text);
    return false;
  }
  hg_buf_puts(b, "(?:");
  for (size_t i = 0; i < n; i++) {
    switch (p[i].kind) {
    case FP_RP_BAR: hg_buf_puts(b, ")|(?:"); continue;
    case FP_RP_BOL: hg_buf_puts(b, "\\A"); continue;
    case FP_RP_EOL: hg_buf_puts(b, "\\z"); continue;
    case FP_RP_SET: break;
    }
    for (unsigned ch = 0x80; ch < 256; ch++)
      if ((p[i].set[ch >> 5] >> (ch & 31)) & 1u)
        *high = true;
    hg_buf_putc(b, '[');
    bool any = false;
    for (unsigned ch = 0; ch < 0x80;) {
      if (!((p[i].set[ch >> 5] >> (ch & 31)) & 1u)) {
        ch++;
        continue;
      }
      unsigned hi = ch;
      while (hi + 1 < 0x80 && ((p[i].set[(hi + 1) >> 5] >> ((hi + 1) & 31)) & 1u))
        hi++;
      if (hi == ch)
        hg_buf_printf(b, "\\x%02X", ch);
      else
        hg_buf_printf(b, "\\x%02X-\\x%02X", ch, hi);
      any = true;
      ch = hi + 1;
    }
    if (!any) /* only bytes >= 0x80: never matches ASCII text */
      hg_buf_puts(b, "^\\x00-\\x7F");
    hg_buf_putc(b, ']');
    if (p[i].max < 0)
      hg_buf_printf(b, "{%d,}", p[i].min);
    else if (p[i].min != 1 || p[i].max != 1)
      hg_buf_printf(b, "{%d,%d}", p[i].min, p[i].max);
  }
  hg_buf_putc(b, ')');
  free(p);
  return true;
}

static void fail_call(ctx *c, hg_buf *b, const char *why)
{
  hg_buf m;
  hg_buf_init(&m);
  hg_buf_printf(&m, "hardengen: filter '%s': %s", c->f->id, why);
  hg_buf_puts(b, duck(c) ? "error(" : "fail(");
  hg_sql_literal(b, m.data, m.len);
  hg_buf_puts(b, ")");
  hg_buf_free(&m);
}

static void regex_call(ctx *c, hg_buf *b, const char *s, const char *re, size_t relen)
{
  hg_buf_puts(b, duck(c) ? "regexp_matches(" : "regexp_like(");
  hg_buf_puts(b, s);
  hg_buf_puts(b, ", ");
  hg_sql_literal(b, re, relen);
  hg_buf_puts(b, ")");
}

static void text_match(ctx *c, hg_buf *b, const fp_value *v, const char *s)
{
  if (v->kind == FPV_REGEX) {
    hg_buf re;
    hg_buf_init(&re);
    bool high;
    if (!regex_text(c, v, &re, &high)) {
      hg_buf_puts(b, "false");
      hg_buf_free(&re);
      return;
    }
    if (high) {
      hg_buf_puts(b, "(CASE WHEN ");
      regex_call(c, b, s, "[^\\x00-\\x7F]", 12);
      hg_buf_puts(b, " THEN ");
      fail_call(c, b, "a regex that can match any byte meets non-ASCII text; bytes and characters "
                      "differ there, so the count would not be exact");
      hg_buf_puts(b, " ELSE ");
      regex_call(c, b, s, re.data, re.len);
      hg_buf_puts(b, " END)");
    } else {
      regex_call(c, b, s, re.data, re.len);
    }
    hg_buf_free(&re);
    return;
  }
  const char *k = v->core;
  size_t n = v->corelen;
  if (n == 0 && (v->wild_start || v->wild_end)) {
    hg_buf_puts(b, "true");
  } else if (v->wild_start && v->wild_end) {
    hg_buf_printf(b, "(strpos(%s, ", s);
    hg_sql_literal(b, k, n);
    hg_buf_puts(b, ") > 0)");
  } else if (v->wild_end) {
    hg_buf_printf(b, "starts_with(%s, ", s);
    hg_sql_literal(b, k, n);
    hg_buf_puts(b, ")");
  } else if (v->wild_start) {
    if (duck(c))
      hg_buf_printf(b, "ends_with(%s, ", s);
    else
      hg_buf_printf(b, "(substr(%s, -%zu) = ", s, utf8_chars(k, n));
    hg_sql_literal(b, k, n);
    hg_buf_puts(b, ")");
  } else {
    hg_buf_printf(b, "(%s = ", s);
    hg_sql_literal(b, k, n);
    hg_buf_puts(b, ")");
  }
}

/* Can the literal match the spelling of some JSON number? */
static bool may_match_number(const fp_value *v)
{
  if (v->kind == FPV_REGEX)
    return true;
  for (size_t i = 0; i < v->corelen; i++)
    if (!strchr("0123456789+-.eE", v->core[i]) || v->core[i] == '\0')
      return false;
  return true;
}

static bool value_matches(const fp_value *v, const char *s)
{
  return fp_value_match(v, s, strlen(s));
}

/* ---- JSON values (DuckDB records; Athena JSON-text columns) ---- */

/* Dialect pieces over a JSON expression v. */
static void j_type_is(ctx *c, hg_buf *b, const char *v, const char *what)
{
  /* what: "str" (string or boolean), "num", "int", "dbl", "null", "true", "false" */
  if (duck(c)) {
    if (!strcmp(what, "str"))
      hg_buf_printf(b, "json_type(%s) IN ('VARCHAR', 'BOOLEAN')", v);
    else if (!strcmp(what, "num"))
      hg_buf_printf(b, "json_type(%s) IN ('BIGINT', 'UBIGINT', 'DOUBLE')", v);
    else if (!strcmp(what, "int"))
      hg_buf_printf(b, "json_type(%s) IN ('BIGINT', 'UBIGINT')", v);
    else if (!strcmp(what, "dbl"))
      hg_buf_printf(b, "json_type(%s) = 'DOUBLE'", v);
    else if (!strcmp(what, "null"))
      hg_buf_printf(b, "json_type(%s) = 'NULL'", v);
    else
      hg_buf_printf(b, "(json_type(%s) = 'BOOLEAN' AND json_extract_string(%s, '$') = '%s')", v, v,
                    what);
    return;
  }
  if (!strcmp(what, "str"))
    hg_buf_printf(b, "substr(json_format(%s), 1, 1) IN ('\"', 't', 'f')", v);
  else if (!strcmp(what, "num"))
    hg_buf_printf(b, "regexp_like(json_format(%s), '^-?[0-9]')", v);
  else if (!strcmp(what, "int"))
    hg_buf_printf(b, "regexp_like(json_format(%s), '^-?[0-9]+$')", v);
  else if (!strcmp(what, "dbl"))
    hg_buf_printf(b, "regexp_like(json_format(%s), '^-?[0-9]+[.eE]')", v);
  else
    hg_buf_printf(b, "json_format(%s) = '%s'", v, what);
}

static void j_text(ctx *c, hg_buf *b, const char *v)
{
  hg_buf_printf(b, duck(c) ? "json_extract_string(%s, '$')" : "json_extract_scalar(%s, '$')", v);
}

/* Comparison c on the JSON value expression v (NULL when nothing reached). */
static void json_cond(ctx *c, hg_buf *b, const fp_node *x, const char *v)
{
  const fp_value *val = &x->val;
  switch (x->op) {
  case FPO_IS_NULL:
    hg_buf_puts(b, "coalesce(");
    j_type_is(c, b, v, "null");
    hg_buf_puts(b, ", false)");
    return;
  case FPO_IS_TRUE:
  case FPO_IS_FALSE:
    hg_buf_puts(b, "coalesce(");
    j_type_is(c, b, v, x->op == FPO_IS_TRUE ? "true" : "false");
    hg_buf_puts(b, ", false)");
    return;
  case FPO_NOT_EXISTS:
    hg_buf_printf(b, "(%s IS NULL)", v);
    return;
  default: break;
  }
  if (!literal_ok(c, val))
    return;
  hg_buf txt;
  hg_buf_init(&txt);
  j_text(c, &txt, v);
  char num[64] = "";
  if (val->kind == FPV_NUMBER) {
    if (!isfinite(val->num)) {
      untranslatable(c, "the number %.*s (out of range)", (int)val->textlen, val->text);
      hg_buf_free(&txt);
      return;
    }
    snprintf(num, sizeof num, "CAST('%.17g' AS DOUBLE)", val->num);
  }
  bool eq = x->op == FPO_EQ, ne = x->op == FPO_NE;
  hg_buf_puts(b, "coalesce(CASE WHEN ");
  if (!eq && !ne) {
    /* relational: numbers only */
    j_type_is(c, b, v, "num");
    hg_buf_printf(b, " THEN CAST(%s AS DOUBLE) %s %s ELSE false END, false)", v,
                  fp_op_text(x->op), num);
    hg_buf_free(&txt);
    return;
  }
  const char *neg = ne ? "NOT " : "";
  /* strings and booleans: their text */
  j_type_is(c, b, v, "str");
  hg_buf_printf(b, " THEN %s", neg);
  text_match(c, b, val, txt.data);
  if (val->kind == FPV_NUMBER) {
    hg_buf_puts(b, " WHEN ");
    j_type_is(c, b, v, "num");
    hg_buf_printf(b, " THEN CAST(%s AS DOUBLE) %s %s", v, eq ? "=" : "<>", num);
  } else if (!may_match_number(val)) {
    if (ne) { /* a number's text cannot match */
      hg_buf_puts(b, " WHEN ");
      j_type_is(c, b, v, "num");
      hg_buf_puts(b, " THEN true");
    }
  } else if (val->kind != FPV_REGEX && val->corelen == 0 && (val->wild_start || val->wild_end)) {
    hg_buf_puts(b, " WHEN ");
    j_type_is(c, b, v, "num");
    hg_buf_printf(b, " THEN %s", ne ? "false" : "true");
  } else {
    /* an integer keeps its spelling, except that -0 reads as 0 */
    hg_buf_puts(b, " WHEN ");
    j_type_is(c, b, v, "int");
    hg_buf_puts(b, " THEN ");
    if (value_matches(val, "0") != value_matches(val, "-0")) {
      hg_buf_printf(b, "(CASE WHEN %s = '0' THEN ", txt.data);
      fail_call(c, b, "compares the spelling of the number 0, which SQL does not keep (0 or -0)");
      hg_buf_puts(b, " ELSE ");
      hg_buf_puts(b, neg);
      text_match(c, b, val, txt.data);
      hg_buf_puts(b, " END)");
    } else {
      hg_buf_puts(b, neg);
      text_match(c, b, val, txt.data);
    }
    hg_buf_puts(b, " WHEN ");
    j_type_is(c, b, v, "dbl");
    hg_buf_puts(b, " THEN ");
    fail_call(c, b, "compares the spelling of a non-integer number, which SQL does not keep");
  }
  hg_buf_puts(b, " ELSE false END, false)");
  hg_buf_free(&txt);
}

/* A JSON path for steps (no wildcard) as a SQL literal. */
static bool json_path(ctx *c, hg_buf *b, const hg_jstep *st, size_t n)
{
  hg_buf p;
  hg_buf_init(&p);
  hg_buf_putc(&p, '$');
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    if (st[i].kind == HG_JSTEP_INDEX) {
      hg_buf_printf(&p, "[%zu]", st[i].index);
      continue;
    }
    const char *k = st[i].key;
    size_t kn = st[i].keylen;
    if (!text_ok(k, kn) || memchr(k, '"', kn) || memchr(k, '\\', kn)) {
      untranslatable(c, "the member name '%.*s'", (int)kn, k);
      ok = false;
      break;
    }
    if (duck(c))
      hg_buf_printf(&p, ".\"%.*s\"", (int)kn, k);
    else
      hg_buf_printf(&p, "[\"%.*s\"]", (int)kn, k);
  }
  if (ok)
    hg_sql_literal(b, p.data, p.len);
  hg_buf_free(&p);
  return ok;
}

/* Digits only: Trino's JSON path reads [2] and ["2"] alike, as an array
 * index or a member name, whichever the value has. */
static bool all_digits(const char *k, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (k[i] < '0' || k[i] > '9')
      return false;
  return n > 0;
}

/*
 * The value steps[0..n) (no wildcard) reach from the JSON expression root,
 * with Trino's json_extract. An index applies only to an array and a
 * digits-only member name only to an object (Trino would take either for
 * the other), so such a step extracts from a value whose JSON text starts
 * with '[' (or '{'), and reaches nothing otherwise.
 */
static bool trino_value(ctx *c, hg_buf *out, const char *root, const hg_jstep *st, size_t n)
{
  size_t guarded = 0;
  for (size_t i = 0; i < n; i++)
    guarded += st[i].kind == HG_JSTEP_INDEX || all_digits(st[i].key, st[i].keylen);
  if (guarded > 4) { /* each one doubles the expression */
    hg_buf sel;
    hg_buf_init(&sel);
    if (c->node)
      fp_print_selector(&sel, c->node->steps, c->node->nsteps);
    else
      fp_print_selector(&sel, st, n);
    untranslatable(c, "'%s' (more than 4 array indexes or digit-only member names in one selector)",
                   sel.data);
    hg_buf_free(&sel);
    return false;
  }
  hg_buf cur;
  hg_buf_init(&cur);
  hg_buf_puts(&cur, root);
  size_t i = 0;
  bool ok = true;
  while (i < n && ok) {
    size_t j = i;
    /* plain member names run together into one path */
    while (j < n && st[j].kind == HG_JSTEP_KEY && !all_digits(st[j].key, st[j].keylen))
      j++;
    hg_buf next;
    hg_buf_init(&next);
    if (j > i) {
      hg_buf_printf(&next, "json_extract(%s, ", cur.data);
      ok = json_path(c, &next, st + i, j - i);
      hg_buf_putc(&next, ')');
      i = j;
    } else {
      bool index = st[i].kind == HG_JSTEP_INDEX;
      hg_buf_printf(&next, "CASE WHEN substr(json_format(%s), 1, 1) = '%c' THEN json_extract(%s, ",
                    cur.data, index ? '[' : '{', cur.data);
      ok = json_path(c, &next, st + i, 1);
      hg_buf_puts(&next, ") END");
      i++;
    }
    hg_buf_free(&cur);
    cur = next;
  }
  if (ok)
    hg_buf_puts(out, cur.data);
  hg_buf_free(&cur);
  return ok;
}

/* DuckDB: the record's value at the path literal lit, as p[K] of the one
 * json_extract(r, [...]) per record (each json_extract parses its input). */
static void record_value(ctx *c, hg_buf *b, const char *lit_text)
{
  size_t k = 0;
  while (k < c->npaths && strcmp(c->paths[k], lit_text) != 0)
    k++;
  if (k == c->npaths) {
    c->paths = xrealloc(c->paths, (c->npaths + 1) * sizeof *c->paths);
    c->paths[c->npaths++] = xstrdup(lit_text);
  }
  hg_buf_printf(b, "p[%zu]", k + 1);
}

/*
 * Condition x (or, when x is NULL, "something is reached") for the selector
 * steps[0..n) applied to the JSON expression root.
 */
static void json_sel(ctx *c, hg_buf *b, const char *root, const hg_jstep *st, size_t n,
                     const fp_node *x)
{
  size_t w = 0;
  while (w < n && st[w].kind != HG_JSTEP_WILD)
    w++;
  hg_buf v;
  hg_buf_init(&v);
  if (w == 0) {
    hg_buf_puts(&v, root);
  } else if (duck(c) && strcmp(root, "r") == 0) {
    hg_buf pl;
    hg_buf_init(&pl);
    bool ok = json_path(c, &pl, st, w);
    if (ok)
      record_value(c, &v, pl.data);
    hg_buf_free(&pl);
    if (!ok) {
      hg_buf_free(&v);
      hg_buf_puts(b, "false");
      return;
    }
  } else if (duck(c)) {
    hg_buf_printf(&v, "json_extract(%s, ", root);
    if (!json_path(c, &v, st, w)) {
      hg_buf_free(&v);
      hg_buf_puts(b, "false");
      return;
    }
    hg_buf_putc(&v, ')');
  } else if (!trino_value(c, &v, root, st, w)) {
    hg_buf_free(&v);
    hg_buf_puts(b, "false");
    return;
  }
  if (w == n) {
    if (!x)
      hg_buf_printf(b, "(%s IS NOT NULL)", v.data);
    else
      json_cond(c, b, x, v.data);
    hg_buf_free(&v);
    return;
  }
  /* wildcard: any element of an array, any member value of an object */
  char e[32], er[64];
  snprintf(e, sizeof e, "e%d", c->lambda++);
  /* Trino casts a JSON null element to SQL NULL; an element is never
   * missing, so NULL there is JSON null again */
  snprintf(er, sizeof er, duck(c) ? "%s" : "coalesce(%s, json_parse('null'))", e);
  hg_buf inner;
  hg_buf_init(&inner);
  json_sel(c, &inner, er, st + w + 1, n - w - 1, x);
  if (duck(c))
    hg_buf_printf(b,
                  "coalesce(len(list_filter(CASE json_type(%s) WHEN 'ARRAY' THEN json_extract(%s, "
                  "'$[*]') WHEN 'OBJECT' THEN json_extract(%s, '$.*') ELSE []::JSON[] END, "
                  "lambda %s: %s)) > 0, false)",
                  v.data, v.data, v.data, e, inner.data);
  else
    hg_buf_printf(b,
                  "coalesce(any_match(CASE substr(json_format(%s), 1, 1) WHEN '[' THEN CAST(%s AS "
                  "ARRAY(JSON)) WHEN '{' THEN map_values(CAST(%s AS MAP(VARCHAR, JSON))) ELSE "
                  "CAST(ARRAY[] AS ARRAY(JSON)) END, %s -> %s), false)",
                  v.data, v.data, v.data, e, inner.data);
  hg_buf_free(&inner);
  hg_buf_free(&v);
}

/* A JSON condition (NOT EXISTS included) on the JSON expression root. */
static void json_node_cond(ctx *c, hg_buf *b, const char *root, const fp_node *x)
{
  if (x->op == FPO_NOT_EXISTS) {
    size_t w = 0;
    while (w < x->nsteps && x->steps[w].kind != HG_JSTEP_WILD)
      w++;
    if (w == x->nsteps) {
      json_sel(c, b, root, x->steps, x->nsteps, NULL);
      hg_buf_puts(b, " IS NOT TRUE");
      return;
    }
    hg_buf_puts(b, "NOT ");
    json_sel(c, b, root, x->steps, x->nsteps, NULL);
    return;
  }
  json_sel(c, b, root, x->steps, x->nsteps, x);
}

/* ---- Athena: the documented CloudTrail table ---- */

typedef enum { AC_STR, AC_BOOL, AC_JSON, AC_STRUCT, AC_ARRAY } ac_kind;

typedef struct ath_col {
  const char *key;         /* the CloudTrail member name (case-sensitive) */
  const char *col;         /* column or struct field */
  ac_kind kind;
  const struct ath_col *kids; /* STRUCT, ARRAY (of struct): members, NULL-terminated */
} ath_col;

static const ath_col k_onbehalf[] = {
    {"userId", "userid", AC_STR, NULL}, {"identityStoreArn", "identitystorearn", AC_STR, NULL}, {0}};
static const ath_col k_attrs[] = {{"mfaAuthenticated", "mfaauthenticated", AC_STR, NULL},
                                  {"creationDate", "creationdate", AC_STR, NULL},
                                  {0}};
static const ath_col k_issuer[] = {{"type", "type", AC_STR, NULL},
                                   {"principalId", "principalid", AC_STR, NULL},
                                   {"arn", "arn", AC_STR, NULL},
                                   {"accountId", "accountid", AC_STR, NULL},
                                   {"userName", "username", AC_STR, NULL},
                                   {0}};
static const ath_col k_webid[] = {{"federatedProvider", "federatedprovider", AC_STR, NULL}, {0}};
static const ath_col k_session[] = {{"attributes", "attributes", AC_STRUCT, k_attrs},
                                    {"sessionIssuer", "sessionissuer", AC_STRUCT, k_issuer},
                                    {"ec2RoleDelivery", "ec2roledelivery", AC_STR, NULL},
                                    {"webIdFederationData", "webidfederationdata", AC_STRUCT, k_webid},
                                    {0}};
static const ath_col k_identity[] = {{"type", "type", AC_STR, NULL},
                                     {"principalId", "principalid", AC_STR, NULL},
                                     {"arn", "arn", AC_STR, NULL},
                                     {"accountId", "accountid", AC_STR, NULL},
                                     {"invokedBy", "invokedby", AC_STR, NULL},
                                     {"accessKeyId", "accesskeyid", AC_STR, NULL},
                                     {"userName", "username", AC_STR, NULL},
                                     {"onBehalfOf", "onbehalfof", AC_STRUCT, k_onbehalf},
                                     {"sessionContext", "sessioncontext", AC_STRUCT, k_session},
                                     {0}};
static const ath_col k_resource[] = {{"ARN", "arn", AC_STR, NULL},
                                     {"accountId", "accountid", AC_STR, NULL},
                                     {"type", "type", AC_STR, NULL},
                                     {0}};
static const ath_col k_addendum[] = {{"reason", "reason", AC_STR, NULL},
                                     {"updatedFields", "updatedfields", AC_STR, NULL},
                                     {"originalRequestID", "originalrequestid", AC_STR, NULL},
                                     {"originalEventID", "originaleventid", AC_STR, NULL},
                                     {0}};
static const ath_col k_tls[] = {{"tlsVersion", "tlsversion", AC_STR, NULL},
                                {"cipherSuite", "ciphersuite", AC_STR, NULL},
                                {"clientProvidedHostHeader", "clientprovidedhostheader", AC_STR, NULL},
                                {0}};
static const ath_col k_top[] = {
    {"eventVersion", "eventversion", AC_STR, NULL},
    {"userIdentity", "useridentity", AC_STRUCT, k_identity},
    {"eventTime", "eventtime", AC_STR, NULL},
    {"eventSource", "eventsource", AC_STR, NULL},
    {"eventName", "eventname", AC_STR, NULL},
    {"awsRegion", "awsregion", AC_STR, NULL},
    {"sourceIPAddress", "sourceipaddress", AC_STR, NULL},
    {"userAgent", "useragent", AC_STR, NULL},
    {"errorCode", "errorcode", AC_STR, NULL},
    {"errorMessage", "errormessage", AC_STR, NULL},
    {"requestParameters", "requestparameters", AC_JSON, NULL},
    {"responseElements", "responseelements", AC_JSON, NULL},
    {"additionalEventData", "additionaleventdata", AC_JSON, NULL},
    {"requestID", "requestid", AC_STR, NULL},
    {"eventID", "eventid", AC_STR, NULL},
    {"readOnly", "readonly", AC_BOOL, NULL},
    {"resources", "resources", AC_ARRAY, k_resource},
    {"eventType", "eventtype", AC_STR, NULL},
    {"apiVersion", "apiversion", AC_STR, NULL},
    {"recipientAccountId", "recipientaccountid", AC_STR, NULL},
    {"serviceEventDetails", "serviceeventdetails", AC_JSON, NULL},
    {"sharedEventID", "sharedeventid", AC_STR, NULL},
    {"vpcEndpointId", "vpcendpointid", AC_STR, NULL},
    {"vpcEndpointAccountId", "vpcendpointaccountid", AC_STR, NULL},
    {"eventCategory", "eventcategory", AC_STR, NULL},
    {"addendum", "addendum", AC_STRUCT, k_addendum},
    {"sessionCredentialFromConsole", "sessioncredentialfromconsole", AC_STR, NULL},
    {"edgeDeviceDetails", "edgedevicedetails", AC_JSON, NULL},
    {"tlsDetails", "tlsdetails", AC_STRUCT, k_tls},
    {0}};

static const ath_col *ath_find(const ath_col *list, const char *k, size_t n)
{
  for (; list && list->key; list++)
    if (strlen(list->key) == n && memcmp(list->key, k, n) == 0)
      return list;
  return NULL;
}

/* A comparison on a typed STRING column x (CloudTrail writes a string
 * there; AC_BOOL: a boolean, read as 'true'/'false'). */
static void typed_cond(ctx *c, hg_buf *b, const fp_node *x, const char *col, ac_kind kind,
                       const char *sel)
{
  switch (x->op) {
  case FPO_IS_NULL:
    untranslatable(c, "'%s IS NULL' (the table reads a JSON null and a missing member alike)", sel);
    return;
  case FPO_NOT_EXISTS:
    hg_buf_printf(b, "(%s IS NULL)", col);
    return;
  case FPO_IS_TRUE:
  case FPO_IS_FALSE:
    if (kind == AC_BOOL)
      hg_buf_printf(b, "coalesce(%s = '%s', false)", col, x->op == FPO_IS_TRUE ? "true" : "false");
    else
      hg_buf_puts(b, "false");
    return;
  case FPO_EQ:
  case FPO_NE:
    if (!literal_ok(c, &x->val))
      return;
    hg_buf_printf(b, "coalesce(%s", x->op == FPO_NE ? "NOT " : "");
    text_match(c, b, &x->val, col);
    hg_buf_puts(b, ", false)");
    return;
  default:
    hg_buf_puts(b, "false"); /* relational operators: strings never compare */
    return;
  }
}

/* The selector from step i on, reaching a value of schema node sc whose
 * SQL expression is expr. */
static void ath_walk(ctx *c, hg_buf *b, const fp_node *x, const ath_col *sc, const char *expr,
                     size_t i, const char *sel)
{
  const hg_jstep *st = x->steps;
  size_t n = x->nsteps;
  if (sc->kind == AC_JSON) {
    if (i == n && (x->op == FPO_IS_NULL || x->op == FPO_NOT_EXISTS)) {
      untranslatable(c, "'%s %s' (the table reads a JSON null and a missing member alike)", sel,
                     fp_op_text(x->op));
      return;
    }
    hg_buf root;
    hg_buf_init(&root);
    hg_buf_printf(&root, "json_extract(%s, '$')", expr);
    fp_node sub = *x;
    sub.steps = (hg_jstep *)(st + i);
    sub.nsteps = n - i;
    json_node_cond(c, b, root.data, &sub);
    hg_buf_free(&root);
    return;
  }
  if (i == n) {
    if (sc->kind == AC_STR || sc->kind == AC_BOOL) {
      typed_cond(c, b, x, expr, sc->kind, sel);
      return;
    }
    /* an object or an array */
    if (x->op == FPO_NOT_EXISTS)
      hg_buf_printf(b, "(%s IS NULL)", expr);
    else if (x->op == FPO_IS_NULL)
      untranslatable(c, "'%s IS NULL' (the table reads a JSON null and a missing member alike)",
                     sel);
    else
      hg_buf_puts(b, "false");
    return;
  }
  const hg_jstep *s = &st[i];
  bool nothing = false;
  if (sc->kind == AC_STR || sc->kind == AC_BOOL) {
    nothing = true; /* below a string or boolean */
  } else if (sc->kind == AC_STRUCT) {
    if (s->kind == HG_JSTEP_INDEX) {
      nothing = true;
    } else if (s->kind == HG_JSTEP_WILD) {
      untranslatable(c, "the wildcard in '%s' over a struct column", sel);
      return;
    } else {
      const ath_col *k = ath_find(sc->kids, s->key, s->keylen);
      if (!k) {
        untranslatable(c, "'%s' (no such member in the Athena CloudTrail table)", sel);
        return;
      }
      hg_buf e;
      hg_buf_init(&e);
      hg_buf_printf(&e, "%s.%s", expr, k->col);
      ath_walk(c, b, x, k, e.data, i + 1, sel);
      hg_buf_free(&e);
      return;
    }
  } else { /* AC_ARRAY of structs */
    static const ath_col elem = {"", "", AC_STRUCT, k_resource};
    if (s->kind == HG_JSTEP_KEY) {
      nothing = true;
    } else if (s->kind == HG_JSTEP_INDEX) {
      hg_buf e;
      hg_buf_init(&e);
      hg_buf_printf(&e, "element_at(%s, %zu)", expr, s->index + 1);
      ath_walk(c, b, x, &elem, e.data, i + 1, sel);
      hg_buf_free(&e);
      return;
    } else {
      char e[32];
      snprintf(e, sizeof e, "r%d", c->lambda++);
      hg_buf inner;
      hg_buf_init(&inner);
      if (x->op == FPO_NOT_EXISTS) {
        fp_node probe = *x;
        probe.op = FPO_NOT_EXISTS;
        ath_walk(c, &inner, &probe, &elem, e, i + 1, sel);
        hg_buf_printf(b, "NOT coalesce(any_match(%s, %s -> NOT %s), false)", expr, e, inner.data);
      } else {
        ath_walk(c, &inner, x, &elem, e, i + 1, sel);
        hg_buf_printf(b, "coalesce(any_match(%s, %s -> %s), false)", expr, e, inner.data);
      }
      hg_buf_free(&inner);
      return;
    }
  }
  if (nothing) /* the selector reaches nothing */
    hg_buf_puts(b, x->op == FPO_NOT_EXISTS ? "true" : "false");
}

static void ath_cond(ctx *c, hg_buf *b, const fp_node *x)
{
  hg_buf sel;
  hg_buf_init(&sel);
  fp_print_selector(&sel, x->steps, x->nsteps);
  if (x->nsteps == 0 || x->steps[0].kind != HG_JSTEP_KEY) {
    untranslatable(c, "the selector '%s' (the table has columns, not a root value)", sel.data);
  } else {
    const ath_col *k = ath_find(k_top, x->steps[0].key, x->steps[0].keylen);
    if (!k)
      untranslatable(c, "'%s' (no such column in the Athena CloudTrail table)", sel.data);
    else
      ath_walk(c, b, x, k, k->col, 1, sel.data);
  }
  hg_buf_free(&sel);
}

/* ---- patterns ---- */

static void node_sql(ctx *c, hg_buf *b, const fp_node *x)
{
  switch (x->kind) {
  case FPN_GROUP:
    node_sql(c, b, x->kids[0]);
    return;
  case FPN_AND:
  case FPN_OR:
    hg_buf_puts(b, "(");
    for (size_t i = 0; i < x->n; i++) {
      if (i)
        hg_buf_puts(b, x->kind == FPN_AND ? " AND " : " OR ");
      node_sql(c, b, x->kids[i]);
    }
    hg_buf_puts(b, ")");
    return;
  case FPN_COND:
    c->node = x;
    if (duck(c))
      json_node_cond(c, b, "r", x);
    else
      ath_cond(c, b, x);
    c->node = NULL;
    return;
  }
}

static void pattern_sql(ctx *c, hg_buf *b, const hg_fp *fp)
{
  if (!fp) {
    hg_buf_puts(b, "false");
    return;
  }
  switch (fp->kind) {
  case HG_FP_EMPTY:
    hg_buf_puts(b, "true");
    return;
  case HG_FP_JSON:
    if (duck(c))
      hg_buf_puts(b, "(json_type(r) = 'OBJECT' AND ");
    else
      hg_buf_puts(b, "(");
    if (fp->root)
      node_sql(c, b, fp->root);
    else
      hg_buf_puts(b, "false");
    hg_buf_puts(b, ")");
    return;
  case HG_FP_SPACE:
    untranslatable(c, "a space-delimited pattern (fields of the message text)");
    return;
  case HG_FP_TERM:
  case HG_FP_REGEX:
    if (!duck(c)) {
      untranslatable(c, "a %s pattern (it reads the record's text, which the Athena CloudTrail "
                        "table does not keep)",
                     fp->kind == HG_FP_TERM ? "term" : "regex");
      return;
    }
    c->raw = true;
    if (fp->kind == HG_FP_REGEX) {
      text_match(c, b, &fp->regex, "raw");
      return;
    }
    hg_buf_puts(b, "(");
    bool first = true;
    for (size_t i = 0; i < fp->nterms; i++) {
      const fp_term *t = &fp->terms[i];
      if (!fp->any_terms_only && t->mode == FPT_ANY)
        continue;
      if (!text_ok(t->text, t->len)) {
        untranslatable(c, "a term that is not valid UTF-8 text");
        return;
      }
      if (!first)
        hg_buf_puts(b, fp->any_terms_only ? " OR " : " AND ");
      first = false;
      hg_buf_puts(b, "(strpos(raw, ");
      hg_sql_literal(b, t->text, t->len);
      hg_buf_puts(b, t->mode == FPT_NOT ? ") = 0)" : ") > 0)");
    }
    if (first)
      hg_buf_puts(b, fp->any_terms_only ? "false" : "true");
    hg_buf_puts(b, ")");
    return;
  }
}

/* ---- the query ---- */

static bool table_ok(const char *t)
{
  if (!*t)
    return false;
  int dots = 0;
  const char *p = t;
  for (; *p; p++) {
    if (*p == '.') {
      if (p == t || !p[1] || p[-1] == '.' || ++dots > 2)
        return false;
    } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 *p == '_')) {
      return false;
    }
  }
  return true;
}

static void table_sql(hg_buf *b, const char *t)
{
  hg_buf_putc(b, '"');
  for (const char *p = t; *p; p++) {
    if (*p == '.')
      hg_buf_puts(b, "\".\"");
    else
      hg_buf_putc(b, *p);
  }
  hg_buf_putc(b, '"');
}

/* The extra predicate: balanced parentheses outside quotes, closed quotes,
 * no ';' and no comments, so it stays one parenthesised expression.
 * Returns NULL when fine, else why not. */
static const char *where_problem(const char *w)
{
  int depth = 0;
  char q = 0;
  for (const char *p = w; *p; p++) {
    if (q) {
      if (*p == q) {
        if (p[1] == q)
          p++;
        else
          q = 0;
      }
      continue;
    }
    switch (*p) {
    case '\'': case '"': q = *p; break;
    case '(': depth++; break;
    case ')':
      if (--depth < 0)
        return "a ')' without its '('";
      break;
    case ';': return "';' (one predicate, not statements)";
    case '-':
      if (p[1] == '-')
        return "a '--' comment";
      break;
    case '/':
      if (p[1] == '*')
        return "a '/*' comment";
      break;
    default: break;
    }
  }
  if (q)
    return "an unterminated quoted string or identifier";
  if (depth)
    return "a '(' without its ')'";
  return NULL;
}

static void period_iso(const ctx *c, hg_buf *b, const char *p)
{
  if (duck(c))
    hg_buf_printf(b, "strftime(make_timestamp(CAST(%s AS BIGINT) * 1000000), '%%Y-%%m-%%dT%%H:%%M:%%SZ')",
                  p);
  else
    hg_buf_printf(b, "format_datetime(from_unixtime(%s, 'UTC'), 'yyyy-MM-dd''T''HH:mm:ss''Z''')", p);
}

/* Seconds since the epoch of an ISO 8601 eventTime with a zone (Z or
 * +hh:mm), NULL for any other text: the same rule in both dialects. */
static void epoch_of(const ctx *c, hg_buf *b, const char *t)
{
  const char *iso = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'";
  if (duck(c))
    hg_buf_printf(b, "CASE WHEN regexp_matches(%s, %s) THEN epoch(TRY_CAST(%s AS TIMESTAMPTZ)) END", t,
                  iso, t);
  else
    hg_buf_printf(b, "CASE WHEN regexp_like(%s, %s) THEN to_unixtime(try(from_iso8601_timestamp(%s))) END",
                  t, iso, t);
}

/* DuckDB: the records of the files, as JSON (r), with their compact text
 * (raw) when some pattern reads it. */
static void duck_source(ctx *c, hg_buf *b)
{
  const char *ws = "[ \\t\\n\\r]";
  hg_buf_puts(b, "docs AS (\n  SELECT json AS doc, CAST(json AS VARCHAR) AS doc_text\n  FROM read_json_objects([");
  for (size_t i = 0; i < c->o->npaths; i++) {
    if (i)
      hg_buf_puts(b, ", ");
    lit(b, c->o->paths[i]);
  }
  hg_buf_puts(b, "], format = 'auto', maximum_object_size = 1073741824)\n),\n");
  hg_buf_puts(b, "records AS (\n"
                 "  -- JSON lines and array elements as written; {\"Records\":[...]} files by element\n"
                 "  SELECT doc AS r, doc_text AS src, false AS redone, false AS risky FROM docs\n");
  hg_buf_printf(b, "  WHERE json_type(doc) <> 'ARRAY' AND NOT regexp_matches(doc_text, '^\\{%s*\"Records\"')\n",
                ws);
  hg_buf_puts(b, "  UNION ALL\n  SELECT unnest(CASE WHEN json_type(doc) = 'ARRAY' THEN json_extract(doc, '$[*]') "
                 "WHEN json_type(doc, '$.Records') = 'ARRAY' THEN json_extract(doc, '$.Records[*]') "
                 "ELSE []::JSON[] END) AS r, NULL AS src, true AS redone,\n");
  /* the re-serialized text differs from the file's when the file escapes
   * '/' or a character as \u, or writes -0 */
  hg_buf_puts(b, "    regexp_matches(doc_text, '\\\\[/u]') OR regexp_matches(regexp_replace(doc_text, "
                 "'\"(?:[^\"\\\\]|\\\\.)*\"', '\"\"', 'g'), '-0([^.eE0-9]|$)') AS risky\n  FROM docs\n");
  hg_buf_printf(b, "  WHERE json_type(doc) = 'ARRAY' OR regexp_matches(doc_text, '^\\{%s*\"Records\"')\n),\n",
                ws);
  hg_buf_puts(b, "events AS (\n  SELECT r, json_extract_string(r, '$.eventTime') AS t");
  if (c->npaths) {
    hg_buf_puts(b, ",\n    json_extract(r, [");
    for (size_t i = 0; i < c->npaths; i++)
      hg_buf_printf(b, "%s%s", i ? ", " : "", c->paths[i]);
    hg_buf_puts(b, "]) AS p");
  }
  if (c->raw) {
    hg_buf_puts(b, ",\n    CASE WHEN NOT redone THEN regexp_replace(src, '(\"(?:[^\"\\\\]|\\\\.)*\")|[ \\t\\n\\r]+', "
                   "'\\1', 'g')\n      WHEN risky OR regexp_matches(regexp_replace(CAST(r AS VARCHAR), "
                   "'\"(?:[^\"\\\\]|\\\\.)*\"', '\"\"', 'g'), '[0-9][.eE]') THEN ");
    hg_buf fake;
    hg_buf_init(&fake);
    hg_buf_puts(&fake, "error(");
    lit(&fake, "hardengen: a record's text is needed, but its file escapes '/' or characters as \\u, "
               "or spells numbers in a way SQL does not keep; convert the file to JSON lines "
               "as written");
    hg_buf_puts(&fake, ")");
    hg_buf_puts(b, fake.data);
    hg_buf_free(&fake);
    hg_buf_puts(b, "\n      ELSE CAST(r AS VARCHAR) END AS raw");
  }
  hg_buf_puts(b, "\n  FROM records\n  WHERE json_type(r) = 'OBJECT'\n),\n");
}

char *hg_sql_query(const hg_sql_filter *f, size_t n, const hg_sql_opts *o, hg_diag_sink *sink)
{
  ctx c;
  memset(&c, 0, sizeof c);
  c.o = o;
  c.sink = sink;
  const char *table = o->table ? o->table : "cloudtrail_logs";
  if (o->dialect == HG_SQL_ATHENA && !table_ok(table)) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "sql-bad-table",
                "--table '%s' is not a table name (letters, digits, '_', as table or db.table)",
                table);
    return NULL;
  }
  if (o->dialect == HG_SQL_ATHENA && o->where) {
    const char *why = where_problem(o->where);
    if (why) {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "sql-bad-where",
                  "--where must be one predicate; it has %s", why);
      return NULL;
    }
  }
  if (o->dialect == HG_SQL_DUCKDB && o->npaths == 0) {
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "sql-no-events",
                "the duckdb dialect reads local files: give them with --events");
    return NULL;
  }
  /* the flags, one per filter */
  hg_buf flags;
  hg_buf_init(&flags);
  for (size_t i = 0; i < n; i++) {
    c.f = &f[i];
    int before = c.errors;
    hg_buf one;
    hg_buf_init(&one);
    pattern_sql(&c, &one, f[i].fp);
    if (c.errors == before) {
      hg_buf_puts(&flags, i ? ",\n" : "");
      if (f[i].id[strspn(f[i].id, "abcdefghijklmnopqrstuvwxyz0123456789-_.")] == '\0')
        hg_buf_printf(&flags, "    -- %s\n", f[i].id); /* plain ids only: a comment ends at a newline */
      hg_buf_printf(&flags, "    %s", one.data);
    }
    hg_buf_free(&one);
  }
  if (c.errors) {
    hg_buf_free(&flags);
    for (size_t i = 0; i < c.npaths; i++)
      free(c.paths[i]);
    free(c.paths);
    return NULL;
  }
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_printf(&b, "-- hardengen sql%s%s: %zu filters, dialect %s\n", o->title ? ": " : "",
                o->title ? o->title : "", n, duck(&c) ? "duckdb" : "athena");
  hg_buf_puts(&b, "-- rows: filter_id, period_start (NULL: the total of the filter), matches, "
                  "first_event_time, last_event_time\n");
  hg_buf_puts(&b, "WITH filters (i, filter_id, period) AS (\n  VALUES ");
  for (size_t i = 0; i < n; i++) {
    hg_buf_printf(&b, "%s(%zu, ", i ? ",\n    " : "", i + 1);
    lit(&b, f[i].id);
    hg_buf_printf(&b, ", %d)", f[i].period > 0 ? f[i].period : 300);
  }
  if (n == 0)
    hg_buf_puts(&b, "(0, '', 300)");
  hg_buf_puts(&b, "\n),\n");
  if (duck(&c)) {
    duck_source(&c, &b);
    hg_buf_puts(&b, "flagged AS (\n  SELECT t, [\n");
  } else {
    hg_buf_puts(&b, "flagged AS (\n  SELECT eventtime AS t, ARRAY[\n");
  }
  hg_buf_puts(&b, n ? flags.data : "    false");
  hg_buf_puts(&b, "\n  ] AS hits\n");
  if (duck(&c)) {
    hg_buf_puts(&b, "  FROM events\n),\n");
  } else {
    hg_buf_puts(&b, "  FROM ");
    table_sql(&b, table);
    if (o->where)
      hg_buf_printf(&b, "\n  WHERE (%s)", o->where);
    hg_buf_puts(&b, "\n),\n");
  }
  hg_buf_free(&flags);
  hg_buf_puts(&b, "matched AS (\n  SELECT u.i, f.t FROM flagged f CROSS JOIN UNNEST(f.hits) WITH "
                  "ORDINALITY AS u (hit, i)\n  WHERE u.hit\n),\n");
  hg_buf_puts(&b, "totals AS (\n  SELECT i, count(*) AS matches, min(coalesce(t, '')) AS first_t, "
                  "max(coalesce(t, '')) AS last_t\n  FROM matched GROUP BY i\n),\n");
  hg_buf_puts(&b, "periods AS (\n  SELECT i, p, count(*) AS matches FROM (\n    SELECT m.i, floor(");
  epoch_of(&c, &b, "m.t");
  hg_buf_puts(&b, " / x.period) * x.period AS p\n    FROM matched m JOIN filters x ON x.i = m.i\n  ) "
                  "WHERE p IS NOT NULL GROUP BY i, p\n)\n");
  hg_buf_puts(&b, "SELECT filter_id, period_start, matches, first_event_time, last_event_time FROM (\n"
                  "  SELECT x.i, -1 AS p, x.filter_id, CAST(NULL AS VARCHAR) AS period_start,\n"
                  "    coalesce(s.matches, 0) AS matches, nullif(s.first_t, '') AS first_event_time,\n"
                  "    nullif(s.last_t, '') AS last_event_time\n"
                  "  FROM filters x LEFT JOIN totals s ON s.i = x.i\n"
                  "  UNION ALL\n"
                  "  SELECT x.i, y.p, x.filter_id, ");
  period_iso(&c, &b, "y.p");
  hg_buf_puts(&b, ", y.matches,\n    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)\n"
                  "  FROM periods y JOIN filters x ON x.i = y.i\n) q\n");
  if (n == 0)
    hg_buf_puts(&b, "WHERE false\n");
  hg_buf_puts(&b, "ORDER BY q.i, q.p\n");
  for (size_t i = 0; i < c.npaths; i++)
    free(c.paths[i]);
  free(c.paths);
  return hg_buf_take(&b, NULL);
}
