/*
 * fp_eval.c — hg_fp_match: a parsed pattern against one event.
 *
 * JSON patterns follow the table in shared/reference/filter-patterns.md:
 * a selector that reaches nothing, null, an object or an array makes every
 * comparison false (= and != alike); NOT EXISTS is true only when nothing is
 * reached; booleans compare as the text true/false; numbers compare
 * numerically with a numeric literal and as their source text otherwise; a
 * wildcard selector is true when any element satisfies the condition.
 * Term, regex and space-delimited patterns read the raw message.
 */
#include <stdlib.h>
#include <string.h>

#include "fp_int.h"

/* ---- string comparison with leading/trailing wildcards ---- */

static bool find(const char *h, size_t hn, const char *nd, size_t nn)
{
  if (nn == 0)
    return true;
  if (nn > hn)
    return false;
  return memmem(h, hn, nd, nn) != NULL;
}

/* fp_value_match for a literal that is not a regex (inlined where events
 * are evaluated). */
static inline bool text_match(const fp_value *v, const char *s, size_t n)
{
  const char *c = v->core;
  size_t cn = v->corelen;
  if (v->wild_start && v->wild_end)
    return find(s, n, c, cn);
  if (v->wild_start)
    return n >= cn && hg_bytes_eq(s + n - cn, c, cn);
  if (v->wild_end)
    return n >= cn && hg_bytes_eq(s, c, cn);
  return n == cn && hg_bytes_eq(s, c, cn);
}

bool fp_value_match(const fp_value *v, const char *s, size_t n)
{
  if (v->kind == FPV_REGEX)
    return v->re && fp_re_search(v->re, s, n);
  return text_match(v, s, n);
}

/* Parse a number's text (not necessarily NUL-terminated). */
static bool to_num(const char *s, size_t n, double *out)
{
  char buf[64];
  if (n == 0 || n >= sizeof buf)
    return false;
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *end;
  *out = strtod(buf, &end);
  return end == buf + n;
}

static bool numcmp(fp_op op, double a, double b)
{
  switch (op) {
  case FPO_EQ: return a == b;
  case FPO_NE: return a != b;
  case FPO_LT: return a < b;
  case FPO_GT: return a > b;
  case FPO_LE: return a <= b;
  case FPO_GE: return a >= b;
  default: return false;
  }
}

/* Compare text (a string, a boolean's text or a number's source text). */
static bool text_cond(const fp_node *c, const char *s, size_t n, bool is_number)
{
  const fp_value *v = &c->val;
  if (c->op == FPO_EQ || c->op == FPO_NE) {
    bool m;
    double d;
    if (is_number && v->kind == FPV_NUMBER && to_num(s, n, &d))
      m = d == v->num;
    else
      m = fp_value_match(v, s, n);
    return c->op == FPO_EQ ? m : !m;
  }
  /* Relational operators: numbers only (the parser guarantees a numeric literal). */
  double d;
  if (!is_number || !to_num(s, n, &d))
    return false;
  return numcmp(c->op, d, v->num);
}

static bool test_jv(const fp_node *c, const hg_jv *v)
{
  switch (c->op) {
  case FPO_IS_NULL: return v->kind == HG_JV_NULL;
  case FPO_IS_TRUE: return v->kind == HG_JV_TRUE;
  case FPO_IS_FALSE: return v->kind == HG_JV_FALSE;
  case FPO_NOT_EXISTS: return false;
  default: break;
  }
  switch (v->kind) {
  case HG_JV_NULL: case HG_JV_OBJECT: case HG_JV_ARRAY: return false;
  case HG_JV_TRUE: return text_cond(c, "true", 4, false);
  case HG_JV_FALSE: return text_cond(c, "false", 5, false);
  case HG_JV_NUMBER: return text_cond(c, v->s, v->len, true);
  case HG_JV_STRING: return text_cond(c, v->s, v->len, false);
  }
  return false;
}

/* True when some value the selector reaches from v satisfies c (any value
 * at all when c is NULL). */
static bool walk(const hg_jv *v, const hg_jstep *st, size_t n, const fp_node *c)
{
  if (n == 0)
    return c ? test_jv(c, v) : true;
  switch (st->kind) {
  case HG_JSTEP_KEY: {
    const hg_jv *m = hg_jv_step(v, st);
    return m && walk(m, st + 1, n - 1, c);
  }
  case HG_JSTEP_INDEX:
    if (v->kind != HG_JV_ARRAY || st->index >= v->n)
      return false;
    return walk(&v->items[st->index], st + 1, n - 1, c);
  case HG_JSTEP_WILD:
    if (v->kind != HG_JV_ARRAY && v->kind != HG_JV_OBJECT)
      return false;
    for (size_t i = 0; i < v->n; i++)
      if (walk(&v->items[i], st + 1, n - 1, c))
        return true;
    return false;
  }
  return false;
}

/*
 * One condition against the event object. The selector's leading member
 * steps ($.a.b, almost every selector) are followed in a loop; what is left
 * (an index or a wildcard and what follows it) goes to walk.
 */
static bool cond_json(const fp_node *c, const hg_jv *ev)
{
  const hg_jv *v = ev;
  const hg_jstep *st = c->steps;
  size_t n = c->nsteps;
  for (; n && st->kind == HG_JSTEP_KEY; st++, n--) {
    v = hg_jv_step(v, st);
    if (!v)
      return c->op == FPO_NOT_EXISTS;
  }
  if (n)
    return c->op == FPO_NOT_EXISTS ? !walk(v, st, n, NULL) : walk(v, st, n, c);
  /* The selector reached v. Most conditions are = or != with a string
   * literal, most values strings: that case is tested here, as test_jv
   * would. */
  if (v->kind == HG_JV_STRING && (c->op == FPO_EQ || c->op == FPO_NE) && c->val.kind != FPV_REGEX)
    return text_match(&c->val, v->s, v->len) == (c->op == FPO_EQ);
  return test_jv(c, v);
}

/* Run the pattern's jumping code (fp_prog.c) against an event object. */
static bool eval_json(const hg_fp *fp, const hg_jv *ev)
{
  const fp_insn *prog = fp->prog;
  uint32_t end = fp->nprog, i = 0;
  while (i < end)
    i = cond_json(prog[i].cond, ev) ? prog[i].t : prog[i].f;
  return i == end;
}

/* ---- space-delimited ---- */

typedef struct span {
  const char *s;
  size_t n;
} span;

/*
 * Split a message into fields: runs of non-space bytes, except that a field
 * starting with '"' runs to the next '"' and one starting with '[' to the
 * matching ']' (the quotes and brackets are not part of the value). An
 * unterminated group runs to the end of the message.
 */
static size_t split_fields(const char *s, size_t n, span **out)
{
  size_t cap = 16, k = 0;
  span *v = xmalloc(cap * sizeof *v);
  size_t i = 0;
  for (;;) {
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
      i++;
    if (i >= n)
      break;
    if (k == cap) {
      cap *= 2;
      v = xrealloc(v, cap * sizeof *v);
    }
    if (s[i] == '"' || s[i] == '[') {
      char close = s[i] == '"' ? '"' : ']';
      const char *e = memchr(s + i + 1, close, n - i - 1);
      size_t end = e ? (size_t)(e - s) : n;
      v[k].s = s + i + 1;
      v[k].n = end - i - 1;
      i = e ? end + 1 : n;
    } else {
      size_t b = i;
      while (i < n && s[i] != ' ' && s[i] != '\t')
        i++;
      v[k].s = s + b;
      v[k].n = i - b;
    }
    k++;
  }
  *out = v;
  return k;
}

static bool looks_number(const char *s, size_t n)
{
  double d;
  if (n == 0 || !((s[0] >= '0' && s[0] <= '9') || s[0] == '-'))
    return false;
  return to_num(s, n, &d);
}

static bool eval_space_node(const fp_node *x, const span *bound)
{
  switch (x->kind) {
  case FPN_GROUP: return eval_space_node(x->kids[0], bound);
  case FPN_AND:
    for (size_t i = 0; i < x->n; i++)
      if (!eval_space_node(x->kids[i], bound))
        return false;
    return true;
  case FPN_OR:
    for (size_t i = 0; i < x->n; i++)
      if (eval_space_node(x->kids[i], bound))
        return true;
    return false;
  case FPN_COND: {
    const span *f = &bound[x->field];
    if (!f->s)
      return false;
    return text_cond(x, f->s, f->n, looks_number(f->s, f->n));
  }
  }
  return false;
}

/*
 * Bind pattern slots to message fields. Slots before the first '...' take
 * fields from the start, slots after the last '...' from the end; slots
 * between two '...' take the leftmost fields after the previous binding.
 * Without '...' the counts must be equal.
 */
static bool eval_space(const hg_fp *fp, const char *raw, size_t rawlen)
{
  span *f;
  size_t nf = split_fields(raw, rawlen, &f);
  size_t ns = fp->nfields;
  span *bound = xcalloc(ns ? ns : 1, sizeof *bound);
  size_t first = ns, last = ns, named = 0;
  for (size_t i = 0; i < ns; i++) {
    if (fp->fields[i].ellipsis) {
      if (first == ns)
        first = i;
      last = i;
    } else {
      named++;
    }
  }
  bool ok = true;
  if (first == ns) {
    if (nf != ns)
      ok = false;
    for (size_t i = 0; ok && i < ns; i++)
      bound[i] = f[i];
  } else if (nf < named) {
    ok = false;
  } else {
    size_t fi = 0;
    for (size_t i = 0; i < first; i++)
      bound[i] = f[fi++];
    size_t tail = ns - last - 1;
    size_t tail_start = nf - tail;
    for (size_t i = first + 1; i < last; i++)
      if (!fp->fields[i].ellipsis)
        bound[i] = f[fi++];
    if (fi > tail_start)
      ok = false;
    for (size_t i = 0; ok && i < tail; i++)
      bound[last + 1 + i] = f[tail_start + i];
  }
  for (size_t i = 0; ok && i < ns; i++)
    if (fp->fields[i].cond && !eval_space_node(fp->fields[i].cond, bound))
      ok = false;
  free(bound);
  free(f);
  return ok;
}

/* ---- terms ---- */

static bool eval_terms(const hg_fp *fp, const char *raw, size_t n)
{
  if (fp->any_terms_only) {
    for (size_t i = 0; i < fp->nterms; i++)
      if (find(raw, n, fp->terms[i].text, fp->terms[i].len))
        return true;
    return false;
  }
  for (size_t i = 0; i < fp->nterms; i++) {
    const fp_term *t = &fp->terms[i];
    if (t->mode == FPT_ANY)
      continue; /* ignored beside plain or '-' terms (and warned about) */
    bool has = find(raw, n, t->text, t->len);
    if (has != (t->mode == FPT_PLAIN))
      return false;
  }
  return true;
}

bool hg_fp_match(const hg_fp *fp, const hg_jv *event, const char *raw, size_t rawlen)
{
  if (!raw)
    rawlen = 0;
  if (!raw)
    raw = "";
  switch (fp->kind) {
  case HG_FP_EMPTY: return true;
  case HG_FP_JSON:
    return event && event->kind == HG_JV_OBJECT && fp->nprog && eval_json(fp, event);
  case HG_FP_TERM: return eval_terms(fp, raw, rawlen);
  case HG_FP_REGEX: return fp_value_match(&fp->regex, raw, rawlen);
  case HG_FP_SPACE: return eval_space(fp, raw, rawlen);
  }
  return false;
}

bool hg_fp_needs_raw(const hg_fp *fp)
{
  return fp->kind != HG_FP_JSON;
}

static void sel_walk(const fp_node *x, void (*fn)(void *, const hg_jsel *), void *ud)
{
  if (x->kind == FPN_COND) {
    hg_jsel sel = {x->steps, x->nsteps};
    fn(ud, &sel);
    return;
  }
  for (size_t i = 0; i < x->n; i++)
    sel_walk(x->kids[i], fn, ud);
}

void hg_fp_selectors(const hg_fp *fp, void (*fn)(void *ud, const hg_jsel *sel), void *ud)
{
  if (fp->kind == HG_FP_JSON && fp->root)
    sel_walk(fp->root, fn, ud);
}

static void slots_walk(fp_node *to, const fp_node *from)
{
  if (to->kind != from->kind)
    return;
  if (to->kind == FPN_COND) {
    for (size_t i = 0; i < to->nsteps && i < from->nsteps; i++) {
      to->steps[i].trie = from->steps[i].trie;
      to->steps[i].slot = from->steps[i].slot;
    }
    return;
  }
  for (size_t i = 0; i < to->n && i < from->n; i++)
    slots_walk(to->kids[i], from->kids[i]);
}

void hg_fp_copy_slots(hg_fp *copy, const hg_fp *src)
{
  if (copy->kind == HG_FP_JSON && src->kind == HG_FP_JSON && copy->root && src->root)
    slots_walk(copy->root, src->root);
}
