/*
 * fp_regex.c — the regex subset of CloudWatch Logs filter patterns,
 * compiled to a Thompson NFA and run by simulation.
 *
 * Accepted (AWS "Supported regular expressions (regex) syntax"): letters,
 * digits, the symbols : _ # = @ / ; , - and space, the operators
 * ^ $ ? [ ] { } | \ * + . ; classes with ranges and [^...]; {m}, {m,},
 * {m,n}; '|' alternation over the whole regex; escapes \d \D \s \S \w \W
 * \xhh and a backslash before any operator or symbol. No parentheses, no
 * non-ASCII bytes. Space is accepted although the AWS list does not name it
 * (decided: `%Failed authentication%` is what users write).
 *
 * Search semantics: a match may start anywhere unless anchored with '^'.
 * The simulation keeps a set of NFA states per input byte, so the time is
 * O(input length x program size) whatever the regex: no backtracking.
 * Program size is capped (FP_RE_MAX_INSN) so memory and time stay bounded.
 * fp_re_search runs a lazily built DFA over the same program: each DFA state
 * is a set of NFA states, built on first use and cached with its 256
 * transitions, so the usual cost is one table step per byte. The cache is
 * bounded (FP_DFA_MAX_STATES states, FP_DFA_MAX_PCS NFA states held in
 * them); when full it is flushed and rebuilt. A regex whose DFA keeps
 * growing (`x[xy]{999}z` makes a new state for nearly every byte, each
 * costing a closure over the whole program) fills the cache after fewer
 * than FP_DFA_MIN_BYTES bytes per state: the search then restarts as the
 * NFA simulation, O(input x program) with no allocation per byte. So a
 * search costs at most O(n x m) steps, m <= FP_RE_MAX_INSN, and a bounded
 * amount of memory. '$' is resolved at the end of the input from the NFA
 * states that wait for it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fp_int.h"
#include "hg/jscan.h"

/* {m,n}: m, n <= FP_RE_MAX_REPEAT; the whole program, counted repetitions
 * expanded (an atom{m,n} is n copies), has at most FP_RE_MAX_INSN steps. */
#define FP_RE_MAX_REPEAT 1000
#define FP_RE_MAX_INSN 2048

typedef enum { RI_SET, RI_SPLIT, RI_JMP, RI_BOL, RI_EOL, RI_MATCH } ri_op;

typedef struct ri {
  uint8_t op;
  int x, y;        /* SPLIT: x, y; JMP: x; SET: index into sets */
} ri;

typedef struct { uint32_t w[8]; } rset;

struct fp_regex {
  ri *prog;
  int n;
  rset *sets;
  int nsets;
  bool anchored;   /* every alternative starts with '^' (no restart needed) */
  struct rdfa *dfa; /* lazily built DFA cache (malloc'd; fp_re_free) */
};

/* ---- compiler ---- */

typedef struct rc {
  const char *s;
  size_t n, i;
  const char *err;
  size_t err_off, err_span;
  ri *prog;
  int np, capp;
  rset *sets;
  int ns, caps;
} rc;

static bool rc_fail(rc *c, size_t off, size_t span, const char *msg)
{
  if (!c->err) {
    c->err = msg;
    c->err_off = off;
    c->err_span = span ? span : 1;
  }
  return false;
}

static int emit(rc *c, ri_op op, int x, int y)
{
  if (c->np >= FP_RE_MAX_INSN) {
    rc_fail(c, 0, c->n, "regex too large: counted repetitions expand to more than 2048 steps "
                        "(atom{m,n} is n copies of the atom)");
    return -1;
  }
  if (c->np == c->capp) {
    c->capp = c->capp ? c->capp * 2 : 32;
    c->prog = xrealloc(c->prog, (size_t)c->capp * sizeof *c->prog);
  }
  c->prog[c->np].op = (uint8_t)op;
  c->prog[c->np].x = x;
  c->prog[c->np].y = y;
  return c->np++;
}

static void set_add(rset *s, unsigned ch) { s->w[ch >> 5] |= 1u << (ch & 31); }
static bool set_has(const rset *s, unsigned ch) { return (s->w[ch >> 5] >> (ch & 31)) & 1u; }

static void set_range(rset *s, unsigned lo, unsigned hi)
{
  for (unsigned ch = lo; ch <= hi; ch++)
    set_add(s, ch);
}

static void set_invert(rset *s)
{
  for (int i = 0; i < 8; i++)
    s->w[i] = ~s->w[i];
}

static bool is_alnum_c(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_symbol(char c) { return c != '\0' && strchr(":_#=@/;,- ", c) != NULL; }
static bool is_operator(char c) { return c != '\0' && strchr("^$?[]{}|\\*+.", c) != NULL; }

/* Class escapes \d \D \s \S \w \W into s; false when e is not one. */
static bool class_escape(rset *s, char e)
{
  rset t;
  memset(&t, 0, sizeof t);
  switch (e) {
  case 'd': case 'D': set_range(&t, '0', '9'); break;
  case 's': case 'S':
    set_add(&t, ' '); set_add(&t, '\t'); set_add(&t, '\n');
    set_add(&t, '\r'); set_add(&t, '\f'); set_add(&t, '\v');
    break;
  case 'w': case 'W':
    set_range(&t, 'a', 'z'); set_range(&t, 'A', 'Z'); set_range(&t, '0', '9'); set_add(&t, '_');
    break;
  default: return false;
  }
  if (e == 'D' || e == 'S' || e == 'W')
    set_invert(&t);
  for (int i = 0; i < 8; i++)
    s->w[i] |= t.w[i];
  return true;
}

/*
 * One escape at c->i (the backslash). Either a class (into s, *single = -1)
 * or one byte (*single). Advances past it.
 */
static bool escape(rc *c, rset *s, int *single)
{
  size_t at = c->i;
  if (c->i + 1 >= c->n)
    return rc_fail(c, at, 1, "trailing '\\' in regex");
  char e = c->s[c->i + 1];
  c->i += 2;
  *single = -1;
  if (class_escape(s, e))
    return true;
  if (e == 'x') {
    int h1 = c->i < c->n ? hg_jscan_hexval(c->s[c->i]) : -1;
    int h2 = c->i + 1 < c->n ? hg_jscan_hexval(c->s[c->i + 1]) : -1;
    if (h1 < 0 || h2 < 0)
      return rc_fail(c, at, 2, "'\\x' needs two hex digits");
    c->i += 2;
    *single = h1 * 16 + h2;
    return true;
  }
  if (is_operator(e) || is_symbol(e) || e == '%') {
    *single = (unsigned char)e;
    return true;
  }
  if (is_alnum_c(e))
    return rc_fail(c, at, 2, "unsupported escape in regex (\\d \\D \\s \\S \\w \\W \\xhh only)");
  return rc_fail(c, at, 2, "this character is not allowed in a regex");
}

/* Check one literal byte of the regex text. */
static bool allowed(rc *c, size_t at)
{
  unsigned char ch = (unsigned char)c->s[at];
  if (ch >= 0x80)
    return rc_fail(c, at, 1, "non-ASCII characters are not allowed in a regex");
  if (ch == '(' || ch == ')')
    return rc_fail(c, at, 1, "parentheses are not supported in a regex");
  if (!is_alnum_c((char)ch) && !is_symbol((char)ch) && !is_operator((char)ch))
    return rc_fail(c, at, 1, "this character is not allowed in a regex");
  return true;
}

static bool parse_class(rc *c, rset *s)
{
  size_t open = c->i;
  c->i++;
  bool neg = false;
  if (c->i < c->n && c->s[c->i] == '^') {
    neg = true;
    c->i++;
  }
  bool first = true;
  for (;;) {
    if (c->i >= c->n)
      return rc_fail(c, open, 1, "'[' is not closed");
    char ch = c->s[c->i];
    if (ch == ']' && !first)
      break;
    first = false;
    int lo;
    if (ch == '\\') {
      if (!escape(c, s, &lo))
        return false;
      if (lo < 0)
        continue;
    } else {
      if (!allowed(c, c->i))
        return false;
      lo = (unsigned char)ch;
      c->i++;
    }
    if (c->i + 1 < c->n && c->s[c->i] == '-' && c->s[c->i + 1] != ']') {
      size_t dash = c->i;
      c->i++;
      int hi;
      if (c->s[c->i] == '\\') {
        rset dummy;
        memset(&dummy, 0, sizeof dummy);
        if (!escape(c, &dummy, &hi))
          return false;
        if (hi < 0)
          return rc_fail(c, dash, 1, "a class escape cannot end a range");
      } else {
        if (!allowed(c, c->i))
          return false;
        hi = (unsigned char)c->s[c->i];
        c->i++;
      }
      if (hi < lo)
        return rc_fail(c, dash - 1, 3, "range out of order in character class");
      set_range(s, (unsigned)lo, (unsigned)hi);
    } else {
      set_add(s, (unsigned)lo);
    }
  }
  c->i++; /* ']' */
  if (neg)
    set_invert(s);
  return true;
}

static int add_set(rc *c, const rset *s)
{
  if (c->ns == c->caps) {
    c->caps = c->caps ? c->caps * 2 : 8;
    c->sets = xrealloc(c->sets, (size_t)c->caps * sizeof *c->sets);
  }
  c->sets[c->ns] = *s;
  return c->ns++;
}

/* An atom: its byte set (or an anchor). Returns the kind: 0 set, 1 ^, 2 $. */
static int parse_atom(rc *c, rset *s)
{
  memset(s, 0, sizeof *s);
  char ch = c->s[c->i];
  if (ch == '^') {
    c->i++;
    return 1;
  }
  if (ch == '$') {
    c->i++;
    return 2;
  }
  if (ch == '.') {
    set_range(s, 0, 255);
    c->i++;
    return 0;
  }
  if (ch == '[')
    return parse_class(c, s) ? 0 : -1;
  if (ch == '\\') {
    int single;
    if (!escape(c, s, &single))
      return -1;
    if (single >= 0)
      set_add(s, (unsigned)single);
    return 0;
  }
  if (ch == '*' || ch == '+' || ch == '?' || ch == '{') {
    rc_fail(c, c->i, 1, "nothing to repeat before this quantifier");
    return -1;
  }
  if (ch == ']' || ch == '}') {
    rc_fail(c, c->i, 1, "unbalanced bracket in regex (escape it with '\\')");
    return -1;
  }
  if (!allowed(c, c->i))
    return -1;
  set_add(s, (unsigned char)ch);
  c->i++;
  return 0;
}

static bool parse_count(rc *c, int *v)
{
  size_t b = c->i;
  long n = 0;
  while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
    n = n * 10 + (c->s[c->i] - '0');
    if (n > FP_RE_MAX_REPEAT)
      return rc_fail(c, b, c->i - b + 1, "repetition count above 1000");
    c->i++;
  }
  *v = (int)n;
  return c->i > b;
}

/* Quantifier at c->i, if any: min/max (max -1: unbounded). */
static bool parse_quant(rc *c, int *min, int *max, bool *has)
{
  *has = false;
  if (c->i >= c->n)
    return true;
  char ch = c->s[c->i];
  if (ch == '*' || ch == '+' || ch == '?') {
    *has = true;
    *min = ch == '+' ? 1 : 0;
    *max = ch == '?' ? 1 : -1;
    c->i++;
    return true;
  }
  if (ch != '{')
    return true;
  size_t open = c->i;
  c->i++;
  if (!parse_count(c, min))
    return c->err ? false : rc_fail(c, open, 1, "expected {m}, {m,} or {m,n}");
  *max = *min;
  if (c->i < c->n && c->s[c->i] == ',') {
    c->i++;
    *max = -1;
    if (c->i < c->n && c->s[c->i] != '}' && !parse_count(c, max))
      return c->err ? false : rc_fail(c, open, 1, "expected {m}, {m,} or {m,n}");
  }
  if (c->i >= c->n || c->s[c->i] != '}')
    return rc_fail(c, open, 1, "expected {m}, {m,} or {m,n}");
  c->i++;
  if (*max >= 0 && *max < *min)
    return rc_fail(c, open, c->i - open, "{m,n} with n smaller than m");
  *has = true;
  return true;
}

static bool emit_set(rc *c, int set)
{
  return emit(c, RI_SET, set, 0) >= 0;
}

/* Emit atom `set` repeated min..max times. */
static bool emit_repeat(rc *c, int set, int min, int max)
{
  for (int k = 0; k < min; k++)
    if (!emit_set(c, set))
      return false;
  if (max < 0) {
    int split = emit(c, RI_SPLIT, 0, 0);
    if (split < 0 || !emit_set(c, set))
      return false;
    if (emit(c, RI_JMP, split, 0) < 0)
      return false;
    c->prog[split].x = split + 1;
    c->prog[split].y = c->np;
    return true;
  }
  /* Optional copies: each SPLIT skips to the end. */
  int pending[FP_RE_MAX_REPEAT];
  int np = 0;
  for (int k = min; k < max; k++) {
    int split = emit(c, RI_SPLIT, 0, 0);
    if (split < 0 || !emit_set(c, set))
      return false;
    c->prog[split].x = split + 1;
    pending[np++] = split;
  }
  for (int k = 0; k < np; k++)
    c->prog[pending[k]].y = c->np;
  return true;
}

/* One alternative: a run of quantified atoms up to '|' or the end. */
static bool parse_seq(rc *c)
{
  while (c->i < c->n && c->s[c->i] != '|') {
    size_t at = c->i;
    rset s;
    int kind = parse_atom(c, &s);
    if (kind < 0)
      return false;
    int min = 1, max = 1;
    bool has = false;
    if (!parse_quant(c, &min, &max, &has))
      return false;
    if (kind > 0) {
      if (has)
        return rc_fail(c, at, c->i - at, "an anchor cannot be repeated");
      if (emit(c, kind == 1 ? RI_BOL : RI_EOL, 0, 0) < 0)
        return false;
      continue;
    }
    int set = add_set(c, &s);
    if (!emit_repeat(c, set, min, max))
      return false;
  }
  return true;
}

fp_regex *fp_re_compile(hg_arena *a, const char *src, size_t len, const char **err,
                        size_t *err_off, size_t *err_span)
{
  rc c;
  memset(&c, 0, sizeof c);
  c.s = src;
  c.n = len;
  bool ok = true;
  if (len == 0) {
    rc_fail(&c, 0, 1, "empty regex");
    ok = false;
  }
  /* alternatives: SPLIT a, next; a...; JMP end; next: ... */
  int jumps[512];
  int nj = 0;
  bool anchored = true;
  while (ok) {
    size_t alt_start = c.i;
    if (alt_start >= len || src[alt_start] != '^')
      anchored = false;
    int split = -1;
    /* Is there another alternative after this one? */
    const char *bar = NULL;
    bool in_class = false;
    for (size_t k = c.i; k < len; k++) {
      if (src[k] == '\\') {
        k++;
        continue;
      }
      if (src[k] == '[')
        in_class = true;
      else if (src[k] == ']')
        in_class = false;
      else if (src[k] == '|' && !in_class) {
        bar = src + k;
        break;
      }
    }
    if (bar) {
      split = emit(&c, RI_SPLIT, 0, 0);
      if (split < 0) {
        ok = false;
        break;
      }
      c.prog[split].x = split + 1;
    }
    if (!parse_seq(&c)) {
      ok = false;
      break;
    }
    if (c.i == alt_start && bar) {
      rc_fail(&c, c.i, 1, "empty alternative in regex");
      ok = false;
      break;
    }
    if (c.i >= len)
      break;
    /* at '|' */
    if (nj == (int)HG_COUNTOF(jumps)) {
      rc_fail(&c, c.i, 1, "too many alternatives in regex");
      ok = false;
      break;
    }
    int j = emit(&c, RI_JMP, 0, 0);
    if (j < 0) {
      ok = false;
      break;
    }
    jumps[nj++] = j;
    if (split >= 0)
      c.prog[split].y = c.np;
    c.i++;
    if (c.i >= len) {
      rc_fail(&c, c.i - 1, 1, "empty alternative in regex");
      ok = false;
      break;
    }
  }
  if (ok) {
    int m = emit(&c, RI_MATCH, 0, 0);
    if (m < 0)
      ok = false;
    for (int k = 0; ok && k < nj; k++)
      c.prog[jumps[k]].x = m;
  }
  if (!ok) {
    free(c.prog);
    free(c.sets);
    *err = c.err ? c.err : "invalid regex";
    *err_off = c.err_off;
    *err_span = c.err_span;
    return NULL;
  }
  fp_regex *re = hg_arena_alloc(a, sizeof *re);
  re->n = c.np;
  re->prog = hg_arena_alloc(a, (size_t)c.np * sizeof *re->prog);
  memcpy(re->prog, c.prog, (size_t)c.np * sizeof *re->prog);
  re->nsets = c.ns;
  re->sets = hg_arena_alloc(a, (size_t)(c.ns ? c.ns : 1) * sizeof *re->sets);
  if (c.ns)
    memcpy(re->sets, c.sets, (size_t)c.ns * sizeof *re->sets);
  re->anchored = anchored;
  free(c.prog);
  free(c.sets);
  return re;
}

/* ---- simulation ---- */

typedef struct tlist {
  int *pcs;
  int n;
} tlist;

typedef struct sim {
  const fp_regex *re;
  unsigned *mark;   /* generation per pc */
  unsigned gen;
  int *stack;
  size_t len;
} sim;

/* Add pc and its epsilon closure at position pos; true when MATCH is reached. */
static bool add(sim *m, tlist *l, int pc, size_t pos)
{
  int sp = 0;
  m->stack[sp++] = pc;
  bool matched = false;
  while (sp > 0) {
    int p = m->stack[--sp];
    if (m->mark[p] == m->gen)
      continue;
    m->mark[p] = m->gen;
    const ri *in = &m->re->prog[p];
    switch (in->op) {
    case RI_JMP: m->stack[sp++] = in->x; break;
    case RI_SPLIT:
      m->stack[sp++] = in->y;
      m->stack[sp++] = in->x;
      break;
    case RI_BOL:
      if (pos == 0)
        m->stack[sp++] = p + 1;
      break;
    case RI_EOL:
      if (pos == m->len)
        m->stack[sp++] = p + 1;
      break;
    case RI_MATCH: matched = true; break;
    case RI_SET: l->pcs[l->n++] = p; break;
    }
  }
  return matched;
}

bool fp_re_search_nfa(const fp_regex *re, const char *s, size_t n)
{
  sim m;
  m.re = re;
  m.len = n;
  m.gen = 1;
  size_t np = (size_t)re->n;
  m.mark = xcalloc(np, sizeof *m.mark);
  m.stack = xmalloc(2 * np * sizeof *m.stack + sizeof(int));
  tlist a = {xmalloc(np * sizeof(int)), 0}, b = {xmalloc(np * sizeof(int)), 0};
  tlist *cur = &a, *nxt = &b;
  bool found = add(&m, cur, 0, 0);
  for (size_t i = 0; i < n && !found; i++) {
    unsigned char ch = (unsigned char)s[i];
    m.gen++;
    nxt->n = 0;
    for (int k = 0; k < cur->n && !found; k++) {
      const ri *in = &re->prog[cur->pcs[k]];
      if (set_has(&re->sets[in->x], ch))
        found = add(&m, nxt, cur->pcs[k] + 1, i + 1);
    }
    /* Unanchored search: a match may also start at i + 1. */
    if (!found && !re->anchored)
      found = add(&m, nxt, 0, i + 1);
    tlist *t = cur;
    cur = nxt;
    nxt = t;
    if (cur->n == 0 && re->anchored)
      break;
  }
  free(m.mark);
  free(m.stack);
  free(a.pcs);
  free(b.pcs);
  return found;
}

/* ---- lazy DFA ---- */

#define FP_DFA_MAX_STATES 2048
/* NFA states held by all cached DFA states (ints): bounds the cache's memory
 * (4 MiB, plus 1 KiB of transitions per state) for large programs. */
#define FP_DFA_MAX_PCS (1 << 20)
/* A cache that filled up after fewer bytes than this per state is not
 * paying for itself: fall back to the NFA simulation. */
#define FP_DFA_MIN_BYTES 16

typedef struct dstate {
  int *pcs;          /* sorted SET pcs, then EOL pcs (marked by +n_prog) */
  int n;
  bool match;
  int next[256];     /* -1: not built yet */
} dstate;

typedef struct rdfa {
  dstate *st;
  int n, cap;
  size_t pcs_total;  /* sum of st[i].n */
  size_t built;      /* states built, ever (flushes included) */
  int *hash;         /* open addressing: state index + 1, 0 empty */
  int hcap;
  /* scratch */
  unsigned *mark;
  unsigned gen;
  int *stack;
  int *buf;
} rdfa;

static void dfa_clear(rdfa *d)
{
  for (int i = 0; i < d->n; i++)
    free(d->st[i].pcs);
  d->n = 0;
  d->pcs_total = 0;
  memset(d->hash, 0, (size_t)d->hcap * sizeof *d->hash);
}

static uint32_t key_hash(const int *pcs, int n)
{
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) {
    h ^= (uint32_t)pcs[i];
    h *= 16777619u;
  }
  return h;
}

/* The state for a sorted pc list (built when new); -1 never. */
static int dfa_intern(rdfa *d, const int *pcs, int n, bool match)
{
  uint32_t h = key_hash(pcs, n) ^ (match ? 0x9e3779b9u : 0);
  int mask = d->hcap - 1;
  for (int k = (int)(h & (uint32_t)mask);; k = (k + 1) & mask) {
    int idx = d->hash[k] - 1;
    if (idx < 0) {
      if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        d->st = xrealloc(d->st, (size_t)d->cap * sizeof *d->st);
      }
      dstate *x = &d->st[d->n];
      x->pcs = xmalloc((size_t)(n ? n : 1) * sizeof *x->pcs);
      memcpy(x->pcs, pcs, (size_t)n * sizeof *pcs);
      x->n = n;
      d->pcs_total += (size_t)n;
      x->match = match;
      for (int c = 0; c < 256; c++)
        x->next[c] = -1;
      d->hash[k] = ++d->n;
      return d->n - 1;
    }
    dstate *x = &d->st[idx];
    if (x->n == n && x->match == match && memcmp(x->pcs, pcs, (size_t)n * sizeof *pcs) == 0)
      return idx;
  }
}

static int cmp_int(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* One step of a walk over d->stack (d->gen marks what this walk has
 * seen): pop pcs, following JMP and SPLIT, until one not seen before with
 * another op; returns it, or -1 when the stack is empty. */
static int walk_next(const fp_regex *re, rdfa *d, int *sp)
{
  while (*sp > 0) {
    int p = d->stack[--*sp];
    if (d->mark[p] == d->gen)
      continue;
    d->mark[p] = d->gen;
    const ri *in = &re->prog[p];
    if (in->op == RI_JMP) {
      d->stack[(*sp)++] = in->x;
    } else if (in->op == RI_SPLIT) {
      d->stack[(*sp)++] = in->y;
      d->stack[(*sp)++] = in->x;
    } else {
      return p;
    }
  }
  return -1;
}

/*
 * Epsilon closure of the seeds in the middle of the input (BOL fails, EOL is
 * remembered) or at its start (BOL passes). Writes the sorted key into
 * d->buf; returns its length and sets *match.
 */
static int closure(const fp_regex *re, rdfa *d, const int *seeds, int ns, bool at_start,
                   bool *match)
{
  int n = 0, sp = 0;
  d->gen++;
  *match = false;
  for (int i = 0; i < ns; i++)
    d->stack[sp++] = seeds[i];
  int p;
  while ((p = walk_next(re, d, &sp)) >= 0) {
    switch (re->prog[p].op) {
    case RI_BOL:
      if (at_start)
        d->stack[sp++] = p + 1;
      break;
    case RI_EOL: d->buf[n++] = p + re->n; break;
    case RI_MATCH: *match = true; break;
    case RI_SET: d->buf[n++] = p; break;
    default: break;
    }
  }
  qsort(d->buf, (size_t)n, sizeof *d->buf, cmp_int);
  return n;
}

/* At the end of the input: can a waiting '$' reach MATCH? */
static bool eol_match(const fp_regex *re, rdfa *d, const dstate *x)
{
  int sp = 0;
  d->gen++;
  for (int i = 0; i < x->n; i++)
    if (x->pcs[i] >= re->n)
      d->stack[sp++] = x->pcs[i] - re->n + 1;
  int p;
  while ((p = walk_next(re, d, &sp)) >= 0) {
    if (re->prog[p].op == RI_EOL)
      d->stack[sp++] = p + 1;
    else if (re->prog[p].op == RI_MATCH)
      return true;
  }
  return false;
}

static rdfa *dfa_new(const fp_regex *re)
{
  rdfa *d = xcalloc(1, sizeof *d);
  d->hcap = 4096;
  while (d->hcap < 2 * FP_DFA_MAX_STATES)
    d->hcap *= 2;
  d->hash = xcalloc((size_t)d->hcap, sizeof *d->hash);
  d->mark = xcalloc((size_t)re->n, sizeof *d->mark);
  d->stack = xmalloc((2 * (size_t)re->n + 2) * sizeof *d->stack);
  d->buf = xmalloc((2 * (size_t)re->n + 2) * sizeof *d->buf);
  return d;
}

/* Transition from state si on byte c (building it when new). */
static bool dfa_full(const rdfa *d)
{
  return d->n >= FP_DFA_MAX_STATES || d->pcs_total >= FP_DFA_MAX_PCS;
}

static int dfa_step(const fp_regex *re, rdfa *d, int si, unsigned char c)
{
  if (dfa_full(d)) {
    /* Keep the current state, forget the rest. */
    dstate cur = d->st[si];
    int *pcs = xmalloc((size_t)(cur.n ? cur.n : 1) * sizeof *pcs);
    memcpy(pcs, cur.pcs, (size_t)cur.n * sizeof *pcs);
    dfa_clear(d);
    si = dfa_intern(d, pcs, cur.n, cur.match);
    free(pcs);
  }
  const dstate *x = &d->st[si];
  int *seeds = xmalloc(((size_t)x->n + 1) * sizeof *seeds);
  int ns = 0;
  for (int i = 0; i < x->n && x->pcs[i] < re->n; i++)
    if (set_has(&re->sets[re->prog[x->pcs[i]].x], c))
      seeds[ns++] = x->pcs[i] + 1;
  if (!re->anchored)
    seeds[ns++] = 0;
  bool match;
  int n = closure(re, d, seeds, ns, false, &match);
  free(seeds);
  int to = dfa_intern(d, d->buf, n, match);
  d->built++;
  d->st[si].next[c] = to;
  return to;
}

bool fp_re_search(const fp_regex *cre, const char *s, size_t n)
{
  if (n == 0)
    return fp_re_search_nfa(cre, s, n);
  /* The cache is an implementation detail of a logically const regex. */
  fp_regex *re = (fp_regex *)cre;
  if (!re->dfa)
    re->dfa = dfa_new(re);
  rdfa *d = re->dfa;
  int seed = 0;
  bool match;
  int len = closure(re, d, &seed, 1, true, &match);
  if (match)
    return true;
  int si = dfa_intern(d, d->buf, len, false);
  size_t since = 0; /* first byte read since the cache was last full */
  int states = d->n;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    int to = d->st[si].next[c];
    if (to < 0) {
      if (dfa_full(d)) {
        /* The cache filled: was it worth it? Cheap regexes fill it
         * rarely; one that builds a state every few bytes would spend
         * O(program log program) per byte. Start over without it (the
         * bytes read so far are at most read twice). */
        if (i - since < FP_DFA_MIN_BYTES * (size_t)(d->n - (states < d->n ? states : 0)))
          return fp_re_search_nfa(re, s, n);
        since = i;
        states = 0;
      }
      to = dfa_step(re, d, si, c);
    }
    si = to;
    if (d->st[si].match)
      return true;
    if (d->st[si].n == 0 && re->anchored)
      return false;
  }
  return eol_match(re, d, &d->st[si]);
}

size_t fp_re_dfa_built(const fp_regex *re)
{
  return re->dfa ? re->dfa->built : 0;
}

void fp_re_free(fp_regex *re)
{
  if (!re || !re->dfa)
    return;
  dfa_clear(re->dfa);
  free(re->dfa->st);
  free(re->dfa->hash);
  free(re->dfa->mark);
  free(re->dfa->stack);
  free(re->dfa->buf);
  free(re->dfa);
  re->dfa = NULL;
}

/* ---- structure for translators ---- */

fp_re_piece *fp_re_pieces(const char *src, size_t len, size_t *n)
{
  rc c;
  memset(&c, 0, sizeof c);
  c.s = src;
  c.n = len;
  size_t cap = 8, k = 0;
  fp_re_piece *v = xmalloc(cap * sizeof *v);
  while (c.i < c.n) {
    if (k == cap) {
      cap *= 2;
      v = xrealloc(v, cap * sizeof *v);
    }
    fp_re_piece *p = &v[k];
    memset(p, 0, sizeof *p);
    if (c.s[c.i] == '|') {
      p->kind = FP_RP_BAR;
      c.i++;
      k++;
      continue;
    }
    rset s;
    int kind = parse_atom(&c, &s);
    int min = 1, max = 1;
    bool has = false;
    if (kind < 0 || !parse_quant(&c, &min, &max, &has) || (kind > 0 && has)) {
      free(v);
      free(c.sets);
      return NULL;
    }
    p->kind = kind == 1 ? FP_RP_BOL : kind == 2 ? FP_RP_EOL : FP_RP_SET;
    memcpy(p->set, s.w, sizeof p->set);
    p->min = min;
    p->max = max;
    k++;
  }
  free(c.sets);
  *n = k;
  return v;
}
