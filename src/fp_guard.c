/*
 * fp_guard.c — necessary conditions of JSON patterns, for the backtest's
 * prefilter: "this pattern can only match an event whose member K has one
 * of these exact values". Most detections name the API calls they watch
 * ($.eventName = "StopLogging" || ...), so an event whose eventName is in
 * no filter's set skips those filters without walking their trees.
 *
 * The analysis is conservative: a condition is derived only from an
 * equality with a literal that has no wildcard, on a one-step selector;
 * AND takes the smallest set of its operands, OR the union when every
 * operand has one; everything else has none. The values are compared as
 * the evaluator compares text (fp_eval.c: a string's unescaped bytes, a
 * number's source text, "true"/"false").
 *
 * hg_fp_required gives the other kind of necessary condition: "this
 * pattern can only match an event that has member K at all" (errorCode for
 * the unauthorized-calls detections), for patterns without a value set.
 */
#include <string.h>

#include "fp_int.h"
#include "hg/fp.h"

typedef struct gset {
  const fp_value **v;
  size_t n;
  bool any; /* unconstrained */
} gset;

/* Conditions are few (one per literal): the scratch is a fixed pool per
 * call, and a pattern with more values than it holds gets no guard. */
#define GUARD_MAX 512

typedef struct gctx {
  const char *key;
  size_t keylen;
  const fp_value *pool[GUARD_MAX * 2];
  size_t used;
  bool overflow;
} gctx;

static gset none(void)
{
  gset s = {NULL, 0, true};
  return s;
}

static gset analyse(gctx *c, const fp_node *x)
{
  switch (x->kind) {
  case FPN_GROUP:
    return analyse(c, x->kids[0]);
  case FPN_COND: {
    if (x->op != FPO_EQ || x->nsteps != 1 || x->steps[0].kind != HG_JSTEP_KEY ||
        x->steps[0].keylen != c->keylen || memcmp(x->steps[0].key, c->key, c->keylen) != 0)
      return none();
    if ((x->val.kind != FPV_STRING && x->val.kind != FPV_WORD) || x->val.wild_start ||
        x->val.wild_end)
      return none();
    if (c->used >= GUARD_MAX * 2) {
      c->overflow = true;
      return none();
    }
    gset s = {&c->pool[c->used], 1, false};
    c->pool[c->used++] = &x->val;
    return s;
  }
  case FPN_AND: {
    gset best = none();
    for (size_t i = 0; i < x->n; i++) {
      gset k = analyse(c, x->kids[i]);
      if (!k.any && (best.any || k.n < best.n))
        best = k;
    }
    return best;
  }
  case FPN_OR: {
    gset kids[64];
    if (x->n > 64)
      return none();
    size_t total = 0;
    for (size_t i = 0; i < x->n; i++) {
      kids[i] = analyse(c, x->kids[i]);
      if (kids[i].any)
        return none();
      total += kids[i].n;
    }
    if (c->used + total > GUARD_MAX * 2) {
      c->overflow = true;
      return none();
    }
    gset s = {&c->pool[c->used], 0, false};
    for (size_t i = 0; i < x->n; i++)
      for (size_t k = 0; k < kids[i].n; k++)
        c->pool[c->used + s.n++] = kids[i].v[k];
    c->used += s.n;
    return s;
  }
  }
  return none();
}

bool hg_fp_guard(const hg_fp *fp, const char *key, size_t keylen,
                 void (*fn)(void *ud, const char *value, size_t len), void *ud)
{
  if (!fp || fp->kind != HG_FP_JSON || !fp->root)
    return false;
  gctx c;
  c.key = key;
  c.keylen = keylen;
  c.used = 0;
  c.overflow = false;
  gset s = analyse(&c, fp->root);
  if (s.any || c.overflow)
    return false;
  for (size_t i = 0; i < s.n; i++)
    fn(ud, s.v[i]->core, s.v[i]->corelen);
  return true;
}

/* ---- members every match has ---- */

/* At most this many members are tracked per pattern (more only weakens the
 * answer: every member listed is still necessary). */
#define REQ_MAX 8

typedef struct rset {
  const hg_jstep *v[REQ_MAX];
  size_t n;
} rset;

static bool rset_has(const rset *s, const hg_jstep *st)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i]->keylen == st->keylen && memcmp(s->v[i]->key, st->key, st->keylen) == 0)
      return true;
  return false;
}

static rset required(const fp_node *x)
{
  rset s;
  s.n = 0;
  switch (x->kind) {
  case FPN_GROUP:
    return required(x->kids[0]);
  case FPN_COND:
    /* A selector that reaches nothing makes every condition but NOT
     * EXISTS false (fp_eval.c). */
    if (x->op != FPO_NOT_EXISTS && x->nsteps > 0 && x->steps[0].kind == HG_JSTEP_KEY)
      s.v[s.n++] = &x->steps[0];
    return s;
  case FPN_AND:
    for (size_t i = 0; i < x->n; i++) {
      rset k = required(x->kids[i]);
      for (size_t j = 0; j < k.n && s.n < REQ_MAX; j++)
        if (!rset_has(&s, k.v[j]))
          s.v[s.n++] = k.v[j];
    }
    return s;
  case FPN_OR:
    s = required(x->kids[0]);
    for (size_t i = 1; i < x->n && s.n; i++) {
      rset k = required(x->kids[i]);
      size_t m = 0;
      for (size_t j = 0; j < s.n; j++)
        if (rset_has(&k, s.v[j]))
          s.v[m++] = s.v[j];
      s.n = m;
    }
    return s;
  }
  return s;
}

void hg_fp_required(const hg_fp *fp, void (*fn)(void *ud, const hg_jstep *st), void *ud)
{
  if (!fp || fp->kind != HG_FP_JSON || !fp->root)
    return;
  rset s = required(fp->root);
  for (size_t i = 0; i < s.n; i++)
    fn(ud, s.v[i]);
}
