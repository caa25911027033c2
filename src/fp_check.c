/*
 * fp_check.c — the service's rules over a parsed pattern, and warnings.
 *
 * Errors (shared/reference/filter-patterns.md, "Limits and rules"): at most
 * 2 regexes per pattern; one wildcard selector per property selector and 3
 * per pattern; space-delimited conditions name a field of the pattern.
 * Warnings: '&&' and '||' mixed at one level without parentheses (the CIS
 * v2.0+ unauthorized-API text reads as A || (B && C && D)); a '!=' disjunct
 * of an OR (true for nearly every event, the CIS v1.4 4.1 text); '?' terms
 * mixed with plain or '-' terms (the service ignores the '?' terms).
 * The length limit and the keyword rules are enforced while parsing.
 */
#include <string.h>

#include "fp_int.h"

#define FP_MAX_REGEX 2
#define FP_MAX_WILD 3

typedef struct chk {
  fp_parser *p;
  int wild;
  int regex;
  size_t field;   /* space-delimited: the slot being checked */
} chk;

static const fp_node *unwrap(const fp_node *x)
{
  while (x->kind == FPN_GROUP)
    x = x->kids[0];
  return x;
}

static void check_cond(chk *c, const fp_node *x)
{
  fp_parser *p = c->p;
  int w = 0;
  for (size_t i = 0; i < x->nsteps; i++)
    if (x->steps[i].kind == HG_JSTEP_WILD)
      w++;
  if (w > 1)
    fp_diag(p, HG_SEV_ERROR, x->off, x->op_off > x->off ? x->op_off - x->off : 1, "fp-limit",
            "a selector may hold one wildcard ('[*]' or '.*'); this one has %d", w);
  if (w > 0 && ++c->wild == FP_MAX_WILD + 1)
    fp_diag(p, HG_SEV_ERROR, x->off, x->op_off > x->off ? x->op_off - x->off : 1, "fp-limit",
            "a pattern may use %d wildcard selectors at most", FP_MAX_WILD);
}

static void check_node(chk *c, const fp_node *x)
{
  fp_parser *p = c->p;
  switch (x->kind) {
  case FPN_COND:
    check_cond(c, x);
    return;
  case FPN_GROUP:
    check_node(c, x->kids[0]);
    return;
  case FPN_AND:
    for (size_t i = 0; i < x->n; i++)
      check_node(c, x->kids[i]);
    return;
  case FPN_OR:
    for (size_t i = 0; i < x->n; i++) {
      const fp_node *k = x->kids[i];
      if (k->kind == FPN_AND) {
        hg_diag *d = fp_diag(p, HG_SEV_WARNING, k->op_off, 2, "fp-mixed-precedence",
                             "'&&' and '||' mixed without parentheses; '&&' binds tighter");
        hg_diag_note(d, "this reads as A || (B && C); add parentheses to say which is meant");
      }
      const fp_node *u = unwrap(k);
      if (u->kind == FPN_COND && u->op == FPO_NE) {
        hg_diag *d = fp_diag(p, HG_SEV_WARNING, u->op_off, u->op_len, "fp-ne-in-or",
                             "a '!=' condition inside '||' is true for nearly every event");
        hg_diag_note(d, "exclusions usually belong in an '&&'");
      }
      check_node(c, k);
    }
    return;
  }
}

/* Resolve space-delimited field names in conditions. */
static void resolve(chk *c, fp_node *x)
{
  fp_parser *p = c->p;
  hg_fp *fp = p->fp;
  if (x->kind != FPN_COND) {
    for (size_t i = 0; i < x->n; i++)
      resolve(c, x->kids[i]);
    return;
  }
  const fp_field *own = &fp->fields[c->field];
  if (own->namelen == x->namelen && memcmp(own->name, x->name, x->namelen) == 0) {
    x->field = c->field;
    return;
  }
  for (size_t i = 0; i < fp->nfields; i++) {
    const fp_field *f = &fp->fields[i];
    if (!f->ellipsis && f->namelen == x->namelen && memcmp(f->name, x->name, x->namelen) == 0) {
      x->field = i;
      return;
    }
  }
  fp_diag(p, HG_SEV_ERROR, x->off, x->namelen, "fp-syntax",
          "'%.*s' is not a field of this pattern", (int)x->namelen, x->name);
}

void fp_check(fp_parser *p)
{
  hg_fp *fp = p->fp;
  chk c;
  memset(&c, 0, sizeof c);
  c.p = p;
  switch (fp->kind) {
  case HG_FP_JSON:
    if (fp->root)
      check_node(&c, fp->root);
    break;
  case HG_FP_SPACE:
    for (size_t i = 0; i < fp->nfields; i++) {
      if (!fp->fields[i].cond)
        continue;
      c.field = i;
      resolve(&c, fp->fields[i].cond);
      check_node(&c, fp->fields[i].cond);
    }
    break;
  case HG_FP_TERM: {
    size_t any = 0, other = 0;
    for (size_t i = 0; i < fp->nterms; i++) {
      if (fp->terms[i].mode == FPT_ANY)
        any++;
      else
        other++;
    }
    fp->any_terms_only = any > 0 && other == 0;
    if (any && other) {
      /* Point at the first '?' term. */
      const char *q = p->s;
      size_t off = 0;
      for (size_t i = 0; i < p->len; i++)
        if (q[i] == '?' && (i == 0 || q[i - 1] == ' ' || q[i - 1] == '\t')) {
          off = i;
          break;
        }
      hg_diag *d = fp_diag(p, HG_SEV_WARNING, off, 1, "fp-ignored-optional",
                           "'?' terms are ignored when the pattern also has plain or '-' terms");
      hg_diag_note(d, "use only '?' terms to match any of them");
    }
    break;
  }
  default:
    break;
  }
  if (fp->nregex > FP_MAX_REGEX) {
    /* Find the third regex for the caret: the third '%' pair outside strings. */
    size_t off = 0;
    int seen = 0;
    bool in_str = false;
    for (size_t i = 0; i < p->len; i++) {
      char ch = p->s[i];
      if (in_str) {
        if (ch == '\\')
          i++;
        else if (ch == '"')
          in_str = false;
        continue;
      }
      if (ch == '"') {
        in_str = true;
      } else if (ch == '%') {
        const char *close = memchr(p->s + i + 1, '%', p->len - i - 1);
        if (++seen == FP_MAX_REGEX + 1) {
          off = i;
          break;
        }
        if (!close)
          break;
        i = (size_t)(close - p->s);
      }
    }
    fp_diag(p, HG_SEV_ERROR, off, 1, "fp-limit",
            "a pattern may hold %d regexes at most; this one has %d", FP_MAX_REGEX, fp->nregex);
  }
}
