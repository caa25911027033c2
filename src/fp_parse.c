/*
 * fp_parse.c — hg_fp_parse: kind detection and the recursive-descent
 * parsers for JSON, space-delimited, term and regex patterns.
 *
 * Grammar (shared/reference/filter-patterns.md):
 *   json  := '{' or '}'
 *   or    := and ('||' and)*
 *   and   := unary ('&&' unary)*
 *   unary := '(' or ')' | cond
 *   cond  := selector op value | selector IS NULL | IS TRUE | IS FALSE
 *          | selector NOT EXISTS
 *   space := '[' slot (',' slot)* ']'
 *   slot  := '...' | name | or        (conditions name fields: status = 4*)
 * Errors are reported at the offending token; the parser then skips to the
 * next '&&', '||', ')', ',' or closing bracket and goes on, so one run
 * reports several problems. Nesting is limited to FP_MAX_DEPTH; beyond it
 * (and after FP_MAX_ERRORS errors) parsing stops.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_int.h"
#include "text.h"

#define FP_MAX_DEPTH 100
#define FP_MAX_ERRORS 20
#define SNIPPET_MAX 400

/* ---- diagnostics ---- */

hg_diag *fp_diag(fp_parser *p, hg_severity sev, size_t off, size_t span, const char *code,
                 const char *fmt, ...)
{
  if (off > p->len)
    off = p->len;
  if (span == 0)
    span = 1;
  const hg_fp_origin *o = p->origin;
  const char *file = o ? o->file : NULL;
  int line = o && file ? o->line : 0;
  /* A pattern with a line break cannot map columns onto one source line. */
  bool one_line = memchr(p->s, '\n', p->len) == NULL && memchr(p->s, '\r', p->len) == NULL;
  bool in_file = file && o->col_base > 0 && one_line && p->len < 4096;
  int col = in_file ? o->col_base + (int)off : 0;
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(p->sink, sev, file, line, col, code, fmt, ap);
  va_end(ap);
  if (sev == HG_SEV_ERROR)
    p->errors++;
  if (in_file) {
    d->span = (int)(span > 200 ? 200 : span);
    return d;
  }
  /* Show the pattern itself, control bytes as spaces. The renderer cuts a
   * long line to a window around the caret; a huge pattern is cut here
   * first (wider than that window) so a diagnostic never copies megabytes. */
  size_t from = 0, to = p->len;
  if (p->len > SNIPPET_MAX) {
    from = off > SNIPPET_MAX / 2 ? off - SNIPPET_MAX / 2 : 0;
    to = from + SNIPPET_MAX < p->len ? from + SNIPPET_MAX : p->len;
  }
  hg_buf b;
  hg_buf_init(&b);
  for (size_t i = from; i < to; i++) {
    unsigned char c = (unsigned char)p->s[i];
    hg_buf_putc(&b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
  }
  hg_buf_putc(&b, '\0'); /* an empty pattern still gets a snippet */
  int ccol = (int)(off - from) + 1;
  size_t maxspan = to > off ? to - off : 1;
  hg_diag_snippet(d, b.data, ccol, (int)(span < maxspan ? span : maxspan));
  hg_buf_free(&b);
  return d;
}

static void syntax(fp_parser *p, size_t off, size_t span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void syntax(fp_parser *p, size_t off, size_t span, const char *fmt, ...)
{
  /* One report per damaged stretch: the tokens after an error until the
   * next condition are its echo. */
  if (p->fatal || p->panic)
    return;
  p->panic = true;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fp_diag(p, HG_SEV_ERROR, off, span, "fp-syntax", "%s", msg);
  if (p->errors >= FP_MAX_ERRORS)
    p->fatal = true;
}

/* ---- token stream with one token of look-ahead ---- */

typedef struct ts {
  fp_parser *p;
  fp_lexer lx;
  fp_tok cur;
  int depth;
} ts;

/* Report a bad token (once) and return whether parsing may continue. */
static void report_bad(ts *t, const fp_tok *k)
{
  fp_parser *p = t->p;
  if (k->msg && strcmp(k->msg, "unexpected character") == 0)
    syntax(p, k->bad_off, k->bad_len, "unexpected character '%c'", p->s[k->bad_off]);
  else
    syntax(p, k->bad_off, k->bad_len, "%s", k->msg);
  if (k->fatal)
    p->fatal = true;
}

static void advance(ts *t)
{
  t->cur = fp_lex_next(&t->lx);
  while (t->cur.kind == FPK_BAD && !t->p->fatal) {
    report_bad(t, &t->cur);
    if (t->cur.fatal)
      break;
    t->cur = fp_lex_next(&t->lx);
  }
  if (t->p->fatal)
    t->cur.kind = FPK_END;
}

static bool at(const ts *t, fpk_kind k) { return t->cur.kind == k; }

static void unexpected(ts *t, const char *want)
{
  const fp_tok *k = &t->cur;
  if (k->kind == FPK_END)
    syntax(t->p, k->off, 1, "expected %s, found the end of the pattern", want);
  else
    syntax(t->p, k->off, k->len, "expected %s, found '%.*s'", want, (int)(k->len > 40 ? 40 : k->len),
           t->p->s + k->off);
}

/* Skip to a token where an expression may continue. */
static void resync(ts *t, bool space)
{
  int nest = 0;
  while (!at(t, FPK_END) && !t->p->fatal) {
    fpk_kind k = t->cur.kind;
    if (nest == 0 && (k == FPK_AND || k == FPK_OR || k == FPK_RPAREN || k == FPK_RBRACE ||
                      (space && (k == FPK_COMMA || k == FPK_RBRACKET))))
      return;
    if (k == FPK_LPAREN)
      nest++;
    else if (k == FPK_RPAREN)
      nest--;
    advance(t);
  }
}

/* ---- values ---- */

static bool looks_numeric(const char *s, size_t n)
{
  size_t i = 0;
  if (i < n && s[i] == '-')
    i++;
  size_t d = i;
  while (i < n && isdigit((unsigned char)s[i]))
    i++;
  if (i == d)
    return false;
  if (i < n && s[i] == '.') {
    i++;
    size_t f = i;
    while (i < n && isdigit((unsigned char)s[i]))
      i++;
    if (i == f)
      return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    size_t e = i;
    while (i < n && isdigit((unsigned char)s[i]))
      i++;
    if (i == e)
      return false;
  }
  return i == n;
}

/*
 * Turn raw value bytes into core + wildcard flags. raw is the text between
 * the quotes (or the bare word); escapes: \" \\ \* (strings), \* (words);
 * any other backslash is kept as written.
 */
static void set_literal(fp_parser *p, fp_value *v, const char *raw, size_t n, bool quoted)
{
  char *out = hg_arena_alloc(p->a, n + 1);
  size_t o = 0;
  bool first_escaped = false, last_escaped = false;
  for (size_t i = 0; i < n; i++) {
    bool esc = false;
    char c = raw[i];
    if (c == '\\' && i + 1 < n &&
        (raw[i + 1] == '*' || (quoted && (raw[i + 1] == '"' || raw[i + 1] == '\\')))) {
      c = raw[++i];
      esc = true;
    }
    if (o == 0)
      first_escaped = esc;
    last_escaped = esc;
    out[o++] = c;
  }
  out[o] = '\0';
  size_t lo = 0, hi = o;
  if (o == 0 || (o == 1 && !first_escaped && out[0] == '*')) {
    v->wild_start = v->wild_end = (o == 1);
    lo = hi = 0;
  } else {
    if (out[0] == '*' && !first_escaped) {
      v->wild_start = true;
      lo = 1;
    }
    if (hi > lo && out[hi - 1] == '*' && !last_escaped) {
      v->wild_end = true;
      hi--;
    }
    if (lo == hi)
      v->wild_start = v->wild_end = true; /* "**" */
  }
  v->core = out + lo;
  v->corelen = hi - lo;
}

/* Parse the value token at t->cur for an operator op; false on error. */
static bool parse_value(ts *t, fp_value *v, fp_op op, const fp_tok *optok)
{
  fp_parser *p = t->p;
  const fp_tok k = t->cur;
  memset(v, 0, sizeof *v);
  switch (k.kind) {
  case FPK_STRING:
    v->kind = FPV_STRING;
    set_literal(p, v, p->s + k.off + 1, k.len - 2, true);
    break;
  case FPK_WORD:
    if (looks_numeric(p->s + k.off, k.len)) {
      v->kind = FPV_NUMBER;
      v->text = hg_arena_strndup(p->a, p->s + k.off, k.len);
      v->textlen = k.len;
      v->num = strtod(v->text, NULL);
      v->core = v->text;
      v->corelen = k.len;
    } else {
      v->kind = FPV_WORD;
      set_literal(p, v, p->s + k.off, k.len, false);
    }
    break;
  case FPK_REGEX: {
    v->kind = FPV_REGEX;
    v->text = hg_arena_strndup(p->a, p->s + k.off + 1, k.len - 2);
    v->textlen = k.len - 2;
    const char *err = NULL;
    size_t eoff = 0, espan = 1;
    v->re = fp_re_compile(p->a, v->text, v->textlen, &err, &eoff, &espan);
    if (v->re) {
      hg_fp *fp = p->fp;
      fp->regexes = xrealloc(fp->regexes, (fp->nregexes + 1) * sizeof *fp->regexes);
      fp->regexes[fp->nregexes++] = v->re;
    }
    if (!v->re && !p->fatal) {
      fp_diag(p, HG_SEV_ERROR, k.off + 1 + eoff, espan, "fp-regex", "%s", err);
      if (p->errors >= FP_MAX_ERRORS)
        p->fatal = true;
    }
    p->fp->nregex++;
    break;
  }
  case FPK_AND: case FPK_OR: case FPK_RPAREN: case FPK_RBRACE: case FPK_RBRACKET:
  case FPK_COMMA: case FPK_END:
    if (!p->fatal && !p->panic) {
      fp_diag(p, HG_SEV_ERROR, k.kind == FPK_END ? p->len : k.off, k.len, "fp-empty-value",
              "missing value after '%s'", fp_op_text(op));
      p->panic = true;
      if (p->errors >= FP_MAX_ERRORS)
        p->fatal = true;
    }
    return false;
  default:
    unexpected(t, "a value");
    return false;
  }
  if (op >= FPO_LT && op <= FPO_GE && v->kind != FPV_NUMBER) {
    syntax(p, k.off, k.len, "'%s' compares numbers; '%.*s' is not a number", fp_op_text(op),
           (int)(k.len > 40 ? 40 : k.len), p->s + k.off);
    advance(t);
    return false;
  }
  (void)optok;
  advance(t);
  return true;
}

/* ---- selectors ---- */

static void parse_selector(fp_parser *p, const fp_tok *k, fp_node *c)
{
  const char *s = p->s;
  size_t i = k->off + 1, end = k->off + k->len;
  size_t cap = 4, n = 0;
  hg_jstep *steps = hg_arena_alloc(p->a, cap * sizeof *steps);
  while (i < end) {
    if (n == cap) {
      hg_jstep *bigger = hg_arena_alloc(p->a, cap * 2 * sizeof *steps);
      memcpy(bigger, steps, cap * sizeof *steps);
      steps = bigger;
      cap *= 2;
    }
    hg_jstep *st = &steps[n];
    memset(st, 0, sizeof *st);
    if (s[i] == '.') {
      i++;
      if (s[i] == '[')
        continue;
      if (s[i] == '*') {
        st->kind = HG_JSTEP_WILD;
        i++;
      } else {
        size_t b = i;
        while (i < end && s[i] != '.' && s[i] != '[')
          i++;
        st->kind = HG_JSTEP_KEY;
        st->key = hg_arena_strndup(p->a, s + b, i - b);
        st->keylen = i - b;
      }
    } else { /* '[' */
      i++;
      if (s[i] == '\'') {
        size_t b = ++i;
        while (!(s[i] == '\'' && s[i + 1] == ']'))
          i++;
        st->kind = HG_JSTEP_KEY;
        st->key = hg_arena_strndup(p->a, s + b, i - b);
        st->keylen = i - b;
        i += 2;
      } else if (s[i] == '*') {
        st->kind = HG_JSTEP_WILD;
        i += 2;
      } else {
        size_t v = 0;
        while (s[i] != ']')
          v = v * 10 + (size_t)(s[i++] - '0');
        st->kind = HG_JSTEP_INDEX;
        st->index = v;
        i++;
      }
    }
    n++;
  }
  c->steps = steps;
  c->nsteps = n;
}

/* ---- expressions (JSON and space-delimited conditions) ---- */

static fp_node *new_node(fp_parser *p, fpn_kind kind, size_t off)
{
  fp_node *x = hg_arena_alloc(p->a, sizeof *x);
  x->kind = kind;
  x->off = off;
  return x;
}

static bool word_is(const fp_parser *p, const fp_tok *k, const char *w, bool fold)
{
  size_t n = strlen(w);
  if (k->kind != FPK_WORD || k->len != n)
    return false;
  return fold ? strncasecmp(p->s + k->off, w, n) == 0 : memcmp(p->s + k->off, w, n) == 0;
}

static bool is_keyword(const fp_parser *p, const fp_tok *k)
{
  static const char *const kw[] = {"IS", "NOT", "EXISTS", "NULL", "TRUE", "FALSE"};
  for (size_t i = 0; i < HG_COUNTOF(kw); i++)
    if (word_is(p, k, kw[i], true))
      return true;
  return false;
}

/* selector IS NULL | IS TRUE | IS FALSE | NOT EXISTS, with the service's
 * rejections (IS NOT, EXISTS) and the upper-case rule. */
static bool parse_keyword_test(ts *t, fp_node *c)
{
  fp_parser *p = t->p;
  fp_tok w[3];
  size_t nw = 0;
  size_t start = t->cur.off;
  while (nw < 3 && at(t, FPK_WORD) && is_keyword(p, &t->cur)) {
    w[nw++] = t->cur;
    advance(t);
  }
  size_t end = w[nw - 1].off + w[nw - 1].len;
  char up[64];
  size_t u = 0;
  for (size_t i = 0; i < nw; i++) {
    if (i)
      up[u++] = ' ';
    for (size_t j = 0; j < w[i].len && u < sizeof up - 1; j++)
      up[u++] = (char)toupper((unsigned char)p->s[w[i].off + j]);
  }
  up[u] = '\0';
  bool upper = true;
  for (size_t i = start; i < end; i++)
    if (islower((unsigned char)p->s[i]))
      upper = false;
  if (strncmp(up, "IS NOT", 6) == 0) {
    hg_diag *d = fp_diag(p, HG_SEV_ERROR, start, end - start, "fp-unsupported",
                         "'%s' is not supported by CloudWatch Logs", up);
    hg_diag_note(d, "use '= *' to test that a value is present, 'NOT EXISTS' for absence");
    return false;
  }
  if (strcmp(up, "EXISTS") == 0) {
    hg_diag *d = fp_diag(p, HG_SEV_ERROR, start, end - start, "fp-unsupported",
                         "'EXISTS' is not supported by CloudWatch Logs");
    hg_diag_note(d, "use '= *' to test that a value is present, 'NOT EXISTS' for absence");
    return false;
  }
  static const struct { const char *text; fp_op op; } forms[] = {
      {"IS NULL", FPO_IS_NULL}, {"IS TRUE", FPO_IS_TRUE}, {"IS FALSE", FPO_IS_FALSE},
      {"NOT EXISTS", FPO_NOT_EXISTS}};
  for (size_t i = 0; i < HG_COUNTOF(forms); i++) {
    if (strcmp(up, forms[i].text) != 0)
      continue;
    if (!upper) {
      fp_diag(p, HG_SEV_ERROR, start, end - start, "fp-keyword-case",
              "keywords are upper case: write '%s'", forms[i].text);
      return false;
    }
    c->op = forms[i].op;
    c->op_off = start;
    c->op_len = end - start;
    return true;
  }
  if (strncmp(up, "IS", 2) == 0 && nw == 1)
    syntax(p, start, end - start, "expected NULL, TRUE or FALSE after 'IS'");
  else if (strncmp(up, "NOT", 3) == 0 && nw == 1)
    syntax(p, start, end - start, "expected EXISTS after 'NOT'");
  else
    syntax(p, start, end - start,
           "expected IS NULL, IS TRUE, IS FALSE, NOT EXISTS or an operator, found '%s'", up);
  return false;
}

static fp_node *parse_or(ts *t, bool space);

static fp_node *parse_cond(ts *t, bool space)
{
  fp_parser *p = t->p;
  fp_node *c = new_node(p, FPN_COND, t->cur.off);
  if (!space && at(t, FPK_SEL)) {
    p->panic = false;
    parse_selector(p, &t->cur, c);
    advance(t);
  } else if (space && at(t, FPK_WORD)) {
    const char *nm = p->s + t->cur.off;
    for (size_t i = 0; i < t->cur.len; i++)
      if (!(isalnum((unsigned char)nm[i]) || nm[i] == '_' || nm[i] == '-')) {
        syntax(p, t->cur.off, t->cur.len, "a field name has letters, digits, '_' and '-' only");
        resync(t, space);
        return NULL;
      }
    p->panic = false;
    c->name = hg_arena_strndup(p->a, nm, t->cur.len);
    c->namelen = t->cur.len;
    advance(t);
  } else {
    /* A missing operand right after an earlier error is that error's echo. */
    bool closing = at(t, FPK_RBRACE) || at(t, FPK_RPAREN) || at(t, FPK_RBRACKET) ||
                   at(t, FPK_COMMA) || at(t, FPK_END);
    if (!(closing && p->errors > 0))
      unexpected(t, space ? "a field name" : "a selector such as $.eventName");
    resync(t, space);
    return NULL;
  }
  if (at(t, FPK_OP)) {
    fp_tok optok = t->cur;
    c->op = optok.op;
    c->op_off = optok.off;
    c->op_len = optok.len;
    advance(t);
    if (!parse_value(t, &c->val, c->op, &optok)) {
      resync(t, space);
      return NULL;
    }
    return c;
  }
  if (!space && at(t, FPK_WORD) && is_keyword(p, &t->cur)) {
    if (!parse_keyword_test(t, c)) {
      resync(t, space);
      return NULL;
    }
    return c;
  }
  unexpected(t, space ? "a comparison operator" : "an operator, IS NULL or NOT EXISTS");
  resync(t, space);
  return NULL;
}

static fp_node *parse_unary(ts *t, bool space)
{
  fp_parser *p = t->p;
  if (!at(t, FPK_LPAREN))
    return parse_cond(t, space);
  size_t open = t->cur.off;
  if (t->depth >= FP_MAX_DEPTH) {
    fp_diag(p, HG_SEV_ERROR, open, 1, "fp-limit", "parentheses nested deeper than %d",
            FP_MAX_DEPTH);
    p->fatal = true;
    return NULL;
  }
  t->depth++;
  advance(t);
  fp_node *g = new_node(p, FPN_GROUP, open);
  fp_node *e = parse_or(t, space);
  t->depth--;
  if (at(t, FPK_RPAREN)) {
    advance(t);
  } else if (!p->fatal) {
    if (at(t, FPK_END) || at(t, FPK_RBRACE) || at(t, FPK_RBRACKET) || at(t, FPK_COMMA)) {
      syntax(p, open, 1, "'(' is not closed");
    } else {
      unexpected(t, "')'");
      resync(t, space);
      if (at(t, FPK_RPAREN))
        advance(t);
    }
  }
  if (!e)
    return NULL;
  g->kids = hg_arena_alloc(p->a, sizeof *g->kids);
  g->kids[0] = e;
  g->n = 1;
  return g;
}

/* n-ary chain of `sub` joined by `sep`. */
static fp_node *parse_chain(ts *t, bool space, fpk_kind sep, fpn_kind kind,
                            fp_node *(*sub)(ts *, bool))
{
  fp_parser *p = t->p;
  size_t start = t->cur.off;
  fp_node *first = sub(t, space);
  if (!at(t, sep) || p->fatal)
    return first;
  fp_node *x = new_node(p, kind, start);
  x->op_off = t->cur.off;
  x->op_len = t->cur.len;
  size_t cap = 4;
  x->kids = xmalloc(cap * sizeof *x->kids);
  x->kids[x->n++] = first;
  while (at(t, sep) && !p->fatal) {
    advance(t);
    fp_node *k = sub(t, space);
    if (x->n == cap) {
      cap *= 2;
      x->kids = xrealloc(x->kids, cap * sizeof *x->kids);
    }
    x->kids[x->n++] = k;
  }
  fp_node **kids = hg_arena_alloc(p->a, x->n * sizeof *kids);
  memcpy(kids, x->kids, x->n * sizeof *kids);
  free(x->kids);
  x->kids = kids;
  for (size_t i = 0; i < x->n; i++)
    if (!x->kids[i])
      return NULL;
  return x;
}

static fp_node *parse_and(ts *t, bool space)
{
  return parse_chain(t, space, FPK_AND, FPN_AND, parse_unary);
}

static fp_node *parse_or(ts *t, bool space)
{
  return parse_chain(t, space, FPK_OR, FPN_OR, parse_and);
}

static void expect_end(ts *t)
{
  if (!at(t, FPK_END) && !t->p->fatal)
    syntax(t->p, t->cur.off, t->p->len - t->cur.off > 40 ? 40 : t->p->len - t->cur.off,
           "unexpected text after the pattern");
}

static void parse_json(fp_parser *p, size_t start)
{
  ts t;
  memset(&t, 0, sizeof t);
  t.p = p;
  t.lx.s = p->s;
  t.lx.len = p->len;
  t.lx.pos = start + 1; /* after '{' */
  advance(&t);
  if (at(&t, FPK_RBRACE)) {
    syntax(p, t.cur.off, 1, "empty JSON pattern: expected a condition such as $.eventName = x");
    advance(&t);
    expect_end(&t);
    return;
  }
  p->fp->root = parse_or(&t, false);
  while (!p->fatal && !at(&t, FPK_RBRACE)) {
    if (at(&t, FPK_END)) {
      syntax(p, start, 1, "'{' is not closed");
      return;
    }
    if (at(&t, FPK_RPAREN))
      syntax(p, t.cur.off, 1, "')' has no matching '('");
    else
      unexpected(&t, "'&&', '||' or '}'");
    advance(&t);
    resync(&t, false);
    if (at(&t, FPK_AND) || at(&t, FPK_OR)) {
      advance(&t);
      (void)parse_or(&t, false);
    }
  }
  advance(&t);
  expect_end(&t);
}

static void parse_space(fp_parser *p, size_t start)
{
  ts t;
  memset(&t, 0, sizeof t);
  t.p = p;
  t.lx.s = p->s;
  t.lx.len = p->len;
  t.lx.pos = start + 1;
  advance(&t);
  size_t cap = 8, n = 0;
  fp_field *f = xmalloc(cap * sizeof *f);
  for (;;) {
    if (p->fatal)
      break;
    if (n == cap) {
      cap *= 2;
      f = xrealloc(f, cap * sizeof *f);
    }
    memset(&f[n], 0, sizeof f[n]);
    if (at(&t, FPK_RBRACKET) || at(&t, FPK_COMMA) || at(&t, FPK_END)) {
      unexpected(&t, "a field name or '...'");
    } else if (at(&t, FPK_WORD) && t.cur.len == 3 && memcmp(p->s + t.cur.off, "...", 3) == 0) {
      f[n].ellipsis = true;
      n++;
      advance(&t);
    } else {
      size_t slot_off = t.cur.off;
      bool bare = at(&t, FPK_WORD);
      fp_tok first = t.cur;
      /* A plain name: a word followed by ',' or ']'. */
      fp_lexer save = t.lx;
      fp_tok next = fp_lex_next(&save);
      if (bare && (next.kind == FPK_COMMA || next.kind == FPK_RBRACKET || next.kind == FPK_END)) {
        const char *nm = p->s + first.off;
        bool ok = true;
        for (size_t i = 0; i < first.len; i++)
          if (!(isalnum((unsigned char)nm[i]) || nm[i] == '_' || nm[i] == '-'))
            ok = false;
        if (!ok)
          syntax(p, first.off, first.len, "a field name has letters, digits, '_' and '-' only");
        f[n].name = hg_arena_strndup(p->a, nm, first.len);
        f[n].namelen = first.len;
        n++;
        advance(&t);
      } else {
        fp_node *c = parse_or(&t, true);
        if (c) {
          fp_node *leaf = c;
          while (leaf->kind != FPN_COND)
            leaf = leaf->kids[0];
          f[n].name = leaf->name;
          f[n].namelen = leaf->namelen;
          f[n].cond = c;
          n++;
        }
        (void)slot_off;
      }
    }
    if (at(&t, FPK_COMMA)) {
      advance(&t);
      continue;
    }
    if (at(&t, FPK_RBRACKET)) {
      advance(&t);
      break;
    }
    if (at(&t, FPK_END)) {
      syntax(p, start, 1, "'[' is not closed");
      break;
    }
    unexpected(&t, "',' or ']'");
    advance(&t); /* always make progress past the offending token */
    resync(&t, true);
    if (at(&t, FPK_COMMA) || at(&t, FPK_AND) || at(&t, FPK_OR))
      advance(&t);
  }
  expect_end(&t);
  p->fp->fields = hg_arena_alloc(p->a, (n ? n : 1) * sizeof *f);
  memcpy(p->fp->fields, f, n * sizeof *f);
  p->fp->nfields = n;
  free(f);
}

/* ---- term patterns ---- */

static void parse_terms(fp_parser *p, size_t start)
{
  const char *s = p->s;
  size_t n = p->len, i = start;
  size_t cap = 8, nt = 0;
  fp_term *v = xmalloc(cap * sizeof *v);
  for (;;) {
    while (i < n && isspace((unsigned char)s[i]))
      i++;
    if (i >= n)
      break;
    if (nt == cap) {
      cap *= 2;
      v = xrealloc(v, cap * sizeof *v);
    }
    fp_term *t = &v[nt];
    memset(t, 0, sizeof *t);
    size_t tstart = i;
    if (s[i] == '-' || s[i] == '?') {
      t->mode = s[i] == '-' ? FPT_NOT : FPT_ANY;
      i++;
      if (i >= n || isspace((unsigned char)s[i])) {
        syntax(p, tstart, 1, "expected a term after '%c'", s[tstart]);
        continue;
      }
    }
    if (s[i] == '"') {
      size_t q = i + 1;
      while (q < n && s[q] != '"') {
        if (s[q] == '\\' && q + 1 < n)
          q++;
        q++;
      }
      if (q >= n) {
        syntax(p, i, 1, "unterminated string");
        break;
      }
      char *out = hg_arena_alloc(p->a, q - i);
      size_t o = 0;
      for (size_t k = i + 1; k < q; k++) {
        if (s[k] == '\\' && k + 1 < q && (s[k + 1] == '"' || s[k + 1] == '\\'))
          k++;
        out[o++] = s[k];
      }
      out[o] = '\0';
      t->quoted = true;
      t->text = out;
      t->len = o;
      i = q + 1;
      if (i < n && !isspace((unsigned char)s[i]))
        syntax(p, i, 1, "expected a space after the closing quote");
      if (o == 0) {
        syntax(p, tstart, i - tstart, "empty quoted term");
        continue;
      }
    } else {
      size_t b = i;
      while (i < n && !isspace((unsigned char)s[i]))
        i++;
      t->text = hg_arena_strndup(p->a, s + b, i - b);
      t->len = i - b;
    }
    nt++;
    if (p->fatal)
      break;
  }
  p->fp->terms = hg_arena_alloc(p->a, (nt ? nt : 1) * sizeof *v);
  memcpy(p->fp->terms, v, nt * sizeof *v);
  p->fp->nterms = nt;
  free(v);
}

/* ---- entry point ---- */

/* True when text (trimmed) is empty or a quoted run of blanks: `" "`. */
static bool matches_everything(const char *s, size_t b, size_t e)
{
  if (b == e)
    return true;
  if (e - b < 2 || s[b] != '"' || s[e - 1] != '"')
    return false;
  for (size_t i = b + 1; i < e - 1; i++)
    if (!isspace((unsigned char)s[i]))
      return false;
  return true;
}

hg_fp *hg_fp_parse(const char *text, size_t len, const hg_fp_origin *origin, hg_diag_sink *sink)
{
  hg_fp *fp = xcalloc(1, sizeof *fp);
  fp->arena = hg_arena_new();
  fp->src = hg_arena_strndup(fp->arena, text ? text : "", text ? len : 0);
  fp->len = text ? len : 0;
  fp_parser p;
  memset(&p, 0, sizeof p);
  p.s = fp->src;
  p.len = fp->len;
  p.origin = origin;
  p.sink = sink;
  p.fp = fp;
  p.a = fp->arena;

  /* The service counts characters, not bytes (UTF-8 continuation bytes
   * are not counted). */
  size_t chars = 0, over = 0;
  for (size_t i = 0; i < p.len; i++)
    if (((unsigned char)p.s[i] & 0xC0) != 0x80 && ++chars == 1025)
      over = i;
  if (chars > 1024)
    fp_diag(&p, HG_SEV_ERROR, over, 1, "fp-limit",
            "pattern is %zu characters; CloudWatch Logs allows at most 1024", chars);
  /* The pattern is emitted into a template and sent to the service: it
   * must be text (text.h). Line breaks and tabs are whitespace here. */
  hg_text_bad bad;
  bool text_ok = hg_text_ok(p.s, p.len, HG_TEXT_LINES | HG_TEXT_CR, &bad);
  if (!text_ok) {
    if (p.s[bad.off] == '\0')
      fp_diag(&p, HG_SEV_ERROR, bad.off, 1, "fp-syntax", "NUL byte in pattern");
    else
      fp_diag(&p, HG_SEV_ERROR, bad.off, bad.len, "fp-bad-text",
              "%s in pattern; a pattern is UTF-8 text without control characters", bad.why);
  }

  size_t b = 0, e = p.len;
  while (b < e && isspace((unsigned char)p.s[b]))
    b++;
  while (e > b && isspace((unsigned char)p.s[e - 1]))
    e--;
  if (text_ok) { /* bytes that are not text: one diagnostic, no echo of each */
    if (matches_everything(p.s, b, e)) {
      fp->kind = HG_FP_EMPTY;
    } else if (p.s[b] == '{') {
      fp->kind = HG_FP_JSON;
      parse_json(&p, b);
    } else if (p.s[b] == '[') {
      fp->kind = HG_FP_SPACE;
      parse_space(&p, b);
    } else if (p.s[b] == '%') {
      const char *close = memchr(p.s + b + 1, '%', e - b - 1);
      if (!close) {
        syntax(&p, b, 1, "unterminated regex");
      } else if ((size_t)(close - p.s) + 1 == e) {
        fp->kind = HG_FP_REGEX;
        fp_tok k;
        memset(&k, 0, sizeof k);
        ts t;
        memset(&t, 0, sizeof t);
        t.p = &p;
        t.lx.s = p.s;
        t.lx.len = e;
        t.lx.pos = b;
        advance(&t);
        (void)parse_value(&t, &fp->regex, FPO_EQ, &k);
      } else {
        fp->kind = HG_FP_TERM;
        parse_terms(&p, b);
      }
    } else {
      fp->kind = HG_FP_TERM;
      parse_terms(&p, b);
    }
  }
  if (p.errors == 0)
    fp_check(&p);
  if (p.errors > 0) {
    hg_fp_free(fp);
    return NULL;
  }
  fp_prog_build(fp);
  return fp;
}

void hg_fp_free(hg_fp *fp)
{
  if (!fp)
    return;
  for (size_t i = 0; i < fp->nregexes; i++)
    fp_re_free(fp->regexes[i]);
  free(fp->regexes);
  hg_arena_free(fp->arena);
  free(fp);
}

hg_fp_kind hg_fp_kind_of(const hg_fp *fp) { return fp->kind; }
int hg_fp_regex_count(const hg_fp *fp) { return fp->nregex; }
