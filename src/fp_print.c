/*
 * fp_print.c — the canonical text of a pattern and structural equality.
 *
 * Canonical form: JSON `{ $.a = "x" && ($.b = 1 || $.c IS NULL) }` (one
 * space around operators, parentheses exactly where the author grouped),
 * space-delimited `[a, b = 4*, ..., c]`, terms separated by one space,
 * regex as written. Values keep their kind: a quoted string stays quoted, a
 * bare word bare. parse(print(x)) is equal to x (hg_fp_equal); emission of
 * templates uses the author's text, not this one.
 */
#include <string.h>

#include "fp_int.h"

static bool is_name_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

void fp_print_selector(hg_buf *b, const hg_jstep *steps, size_t n)
{
  hg_buf_putc(b, '$');
  for (size_t i = 0; i < n; i++) {
    const hg_jstep *s = &steps[i];
    switch (s->kind) {
    case HG_JSTEP_KEY: {
      bool plain = s->keylen > 0;
      for (size_t k = 0; k < s->keylen; k++)
        if (!is_name_char(s->key[k]))
          plain = false;
      if (plain)
        hg_buf_printf(b, ".%.*s", (int)s->keylen, s->key);
      else
        hg_buf_printf(b, ".['%.*s']", (int)s->keylen, s->key);
      break;
    }
    case HG_JSTEP_INDEX: hg_buf_printf(b, "[%zu]", s->index); break;
    case HG_JSTEP_WILD: hg_buf_puts(b, i == 0 ? ".*" : "[*]"); break;
    }
  }
}

void fp_print_value(hg_buf *b, const fp_value *v)
{
  switch (v->kind) {
  case FPV_NUMBER: hg_buf_append(b, v->text, v->textlen); return;
  case FPV_REGEX:
    hg_buf_putc(b, '%');
    hg_buf_append(b, v->text, v->textlen);
    hg_buf_putc(b, '%');
    return;
  case FPV_STRING:
  case FPV_WORD: break;
  }
  bool q = v->kind == FPV_STRING;
  if (q)
    hg_buf_putc(b, '"');
  if (v->wild_start && v->wild_end && v->corelen == 0) {
    hg_buf_putc(b, '*');
  } else {
    if (v->wild_start)
      hg_buf_putc(b, '*');
    for (size_t i = 0; i < v->corelen; i++) {
      char c = v->core[i];
      if (q && (c == '"' || c == '\\'))
        hg_buf_putc(b, '\\');
      else if (c == '*' && (i == 0 || i + 1 == v->corelen))
        hg_buf_putc(b, '\\');
      hg_buf_putc(b, c);
    }
    if (v->wild_end)
      hg_buf_putc(b, '*');
  }
  if (q)
    hg_buf_putc(b, '"');
}

static void print_node(hg_buf *b, const fp_node *x)
{
  switch (x->kind) {
  case FPN_GROUP:
    hg_buf_putc(b, '(');
    print_node(b, x->kids[0]);
    hg_buf_putc(b, ')');
    return;
  case FPN_AND:
  case FPN_OR:
    for (size_t i = 0; i < x->n; i++) {
      if (i)
        hg_buf_puts(b, x->kind == FPN_AND ? " && " : " || ");
      print_node(b, x->kids[i]);
    }
    return;
  case FPN_COND:
    if (x->name)
      hg_buf_append(b, x->name, x->namelen);
    else
      fp_print_selector(b, x->steps, x->nsteps);
    hg_buf_putc(b, ' ');
    hg_buf_puts(b, fp_op_text(x->op));
    if (x->op <= FPO_GE) {
      hg_buf_putc(b, ' ');
      fp_print_value(b, &x->val);
    }
    return;
  }
}

char *hg_fp_print(const hg_fp *fp)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "");
  switch (fp->kind) {
  case HG_FP_EMPTY: break;
  case HG_FP_JSON:
    hg_buf_puts(&b, "{ ");
    if (fp->root)
      print_node(&b, fp->root);
    hg_buf_puts(&b, " }");
    break;
  case HG_FP_REGEX: fp_print_value(&b, &fp->regex); break;
  case HG_FP_SPACE:
    hg_buf_putc(&b, '[');
    for (size_t i = 0; i < fp->nfields; i++) {
      const fp_field *f = &fp->fields[i];
      if (i)
        hg_buf_puts(&b, ", ");
      if (f->ellipsis)
        hg_buf_puts(&b, "...");
      else if (f->cond)
        print_node(&b, f->cond);
      else
        hg_buf_append(&b, f->name, f->namelen);
    }
    hg_buf_putc(&b, ']');
    break;
  case HG_FP_TERM:
    for (size_t i = 0; i < fp->nterms; i++) {
      const fp_term *t = &fp->terms[i];
      if (i)
        hg_buf_putc(&b, ' ');
      if (t->mode == FPT_NOT)
        hg_buf_putc(&b, '-');
      else if (t->mode == FPT_ANY)
        hg_buf_putc(&b, '?');
      if (t->quoted) {
        hg_buf_putc(&b, '"');
        for (size_t k = 0; k < t->len; k++) {
          if (t->text[k] == '"' || t->text[k] == '\\')
            hg_buf_putc(&b, '\\');
          hg_buf_putc(&b, t->text[k]);
        }
        hg_buf_putc(&b, '"');
      } else {
        hg_buf_append(&b, t->text, t->len);
      }
    }
    break;
  }
  return hg_buf_take(&b, NULL);
}

/* ---- equality ---- */

static bool bytes_eq(const char *a, size_t an, const char *b, size_t bn)
{
  return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static bool value_eq(const fp_value *a, const fp_value *b)
{
  if (a->kind != b->kind)
    return false;
  if (a->kind == FPV_NUMBER || a->kind == FPV_REGEX)
    return bytes_eq(a->text, a->textlen, b->text, b->textlen);
  return a->wild_start == b->wild_start && a->wild_end == b->wild_end &&
         bytes_eq(a->core, a->corelen, b->core, b->corelen);
}

static bool steps_eq(const fp_node *a, const fp_node *b)
{
  if (a->nsteps != b->nsteps)
    return false;
  for (size_t i = 0; i < a->nsteps; i++) {
    const hg_jstep *x = &a->steps[i], *y = &b->steps[i];
    if (x->kind != y->kind)
      return false;
    if (x->kind == HG_JSTEP_KEY && !bytes_eq(x->key, x->keylen, y->key, y->keylen))
      return false;
    if (x->kind == HG_JSTEP_INDEX && x->index != y->index)
      return false;
  }
  return true;
}

static bool node_eq(const fp_node *a, const fp_node *b)
{
  if (!a || !b)
    return a == b;
  if (a->kind != b->kind || a->n != b->n)
    return false;
  if (a->kind == FPN_COND) {
    if (a->op != b->op || !steps_eq(a, b) || !bytes_eq(a->name, a->namelen, b->name, b->namelen))
      return false;
    return a->op > FPO_GE || value_eq(&a->val, &b->val);
  }
  for (size_t i = 0; i < a->n; i++)
    if (!node_eq(a->kids[i], b->kids[i]))
      return false;
  return true;
}

bool hg_fp_equal(const hg_fp *a, const hg_fp *b)
{
  if (!a || !b)
    return a == b;
  if (a->kind != b->kind)
    return false;
  switch (a->kind) {
  case HG_FP_EMPTY: return true;
  case HG_FP_JSON: return node_eq(a->root, b->root);
  case HG_FP_REGEX: return value_eq(&a->regex, &b->regex);
  case HG_FP_SPACE:
    if (a->nfields != b->nfields)
      return false;
    for (size_t i = 0; i < a->nfields; i++) {
      const fp_field *x = &a->fields[i], *y = &b->fields[i];
      if (x->ellipsis != y->ellipsis || !bytes_eq(x->name, x->namelen, y->name, y->namelen) ||
          !node_eq(x->cond, y->cond))
        return false;
    }
    return true;
  case HG_FP_TERM:
    if (a->nterms != b->nterms)
      return false;
    for (size_t i = 0; i < a->nterms; i++) {
      const fp_term *x = &a->terms[i], *y = &b->terms[i];
      if (x->mode != y->mode || x->quoted != y->quoted || !bytes_eq(x->text, x->len, y->text, y->len))
        return false;
    }
    return true;
  }
  return false;
}
