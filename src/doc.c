/*
 * doc.c — constructors, lookups and deep copy for the document model.
 */
#include "hg/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hg/util.h"

static hg_doc *node(hg_doc_kind kind)
{
  hg_doc *d = xcalloc(1, sizeof *d);
  d->kind = kind;
  return d;
}

hg_doc *hg_doc_map(void) { return node(HG_DOC_MAP); }
hg_doc *hg_doc_seq(void) { return node(HG_DOC_SEQ); }

hg_doc *hg_doc_str(const char *s)
{
  hg_doc *d = node(HG_DOC_STR);
  d->str = xstrdup(s);
  return d;
}

hg_doc *hg_doc_strn(const char *s, size_t len)
{
  hg_doc *d = node(HG_DOC_STR);
  d->str = xstrndup(s, len);
  return d;
}

hg_doc *hg_doc_strf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_doc *d = node(HG_DOC_STR);
  d->str = xvasprintf(fmt, ap);
  va_end(ap);
  return d;
}

hg_doc *hg_doc_int(long long v)
{
  hg_doc *d = node(HG_DOC_INT);
  d->num = v;
  return d;
}

hg_doc *hg_doc_float(double v)
{
  hg_doc *d = node(HG_DOC_FLOAT);
  d->f = v;
  return d;
}

const char *hg_doc_float_text(double v, char *buf)
{
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, 32, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  if (!strpbrk(buf, ".eEn"))
    strcat(buf, ".0");
  return buf;
}

hg_doc *hg_doc_bool(bool v)
{
  hg_doc *d = node(HG_DOC_BOOL);
  d->b = v;
  return d;
}

hg_doc *hg_doc_null(void)
{
  return node(HG_DOC_NULL);
}

static void grow(hg_doc *d)
{
  if (d->n < d->cap)
    return;
  d->cap = d->cap ? d->cap * 2 : 4;
  d->items = xrealloc(d->items, d->cap * sizeof *d->items);
  if (d->kind == HG_DOC_MAP)
    d->keys = xrealloc(d->keys, d->cap * sizeof *d->keys);
}

hg_doc *hg_doc_set(hg_doc *map, const char *key, hg_doc *val)
{
  grow(map);
  map->keys[map->n] = xstrdup(key);
  map->items[map->n++] = val;
  return val;
}

void hg_doc_set_str(hg_doc *map, const char *key, const char *s) { hg_doc_set(map, key, hg_doc_str(s)); }
void hg_doc_set_int(hg_doc *map, const char *key, long long v) { hg_doc_set(map, key, hg_doc_int(v)); }
void hg_doc_set_bool(hg_doc *map, const char *key, bool v) { hg_doc_set(map, key, hg_doc_bool(v)); }
void hg_doc_set_null(hg_doc *map, const char *key) { hg_doc_set(map, key, hg_doc_null()); }
hg_doc *hg_doc_set_map(hg_doc *map, const char *key) { return hg_doc_set(map, key, hg_doc_map()); }
hg_doc *hg_doc_set_seq(hg_doc *map, const char *key) { return hg_doc_set(map, key, hg_doc_seq()); }

bool hg_doc_remove(hg_doc *map, const char *key)
{
  for (size_t i = 0; map && map->kind == HG_DOC_MAP && i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0) {
      free(map->keys[i]);
      hg_doc_free(map->items[i]);
      memmove(&map->keys[i], &map->keys[i + 1], (map->n - i - 1) * sizeof *map->keys);
      memmove(&map->items[i], &map->items[i + 1], (map->n - i - 1) * sizeof *map->items);
      map->n--;
      return true;
    }
  return false;
}

hg_doc *hg_doc_push(hg_doc *seq, hg_doc *val)
{
  grow(seq);
  seq->items[seq->n++] = val;
  return val;
}

void hg_doc_push_str(hg_doc *seq, const char *s) { hg_doc_push(seq, hg_doc_str(s)); }

hg_doc *hg_doc_get(const hg_doc *map, const char *key)
{
  if (!map || map->kind != HG_DOC_MAP)
    return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0)
      return map->items[i];
  return NULL;
}

const char *hg_doc_get_str(const hg_doc *map, const char *key)
{
  hg_doc *d = hg_doc_get(map, key);
  return d && d->kind == HG_DOC_STR ? d->str : NULL;
}

static hg_doc *get_kind(const hg_doc *map, const char *key, hg_doc_kind kind)
{
  hg_doc *d = hg_doc_get(map, key);
  return d && d->kind == kind ? d : NULL;
}

hg_doc *hg_doc_get_map(const hg_doc *map, const char *key) { return get_kind(map, key, HG_DOC_MAP); }
hg_doc *hg_doc_get_seq(const hg_doc *map, const char *key) { return get_kind(map, key, HG_DOC_SEQ); }

bool hg_doc_get_int(const hg_doc *map, const char *key, long long *out)
{
  hg_doc *d = get_kind(map, key, HG_DOC_INT);
  if (d)
    *out = d->num;
  return d != NULL;
}

bool hg_doc_get_bool(const hg_doc *map, const char *key, bool *out)
{
  hg_doc *d = get_kind(map, key, HG_DOC_BOOL);
  if (d)
    *out = d->b;
  return d != NULL;
}

bool hg_doc_get_num(const hg_doc *map, const char *key, double *out)
{
  hg_doc *d = hg_doc_get(map, key);
  if (d && d->kind == HG_DOC_INT)
    *out = (double)d->num;
  else if (d && d->kind == HG_DOC_FLOAT)
    *out = d->f;
  else
    return false;
  return true;
}

hg_doc *hg_doc_ref(const char *name)
{
  hg_doc *m = hg_doc_map();
  hg_doc_set_str(m, "Ref", name);
  return m;
}

hg_doc *hg_doc_sub(const char *text)
{
  hg_doc *m = hg_doc_map();
  hg_doc_set_str(m, "Fn::Sub", text);
  return m;
}

hg_doc *hg_doc_getatt(const char *res, const char *attr)
{
  hg_doc *m = hg_doc_map();
  hg_doc *s = hg_doc_set_seq(m, "Fn::GetAtt");
  hg_doc_push_str(s, res);
  hg_doc_push_str(s, attr);
  return m;
}

hg_doc *hg_doc_clone(const hg_doc *d)
{
  hg_doc *c = node(d->kind);
  c->num = d->num;
  c->f = d->f;
  c->b = d->b;
  if (d->str)
    c->str = xstrdup(d->str);
  for (size_t i = 0; i < d->n; i++) {
    if (d->kind == HG_DOC_MAP)
      hg_doc_set(c, d->keys[i], hg_doc_clone(d->items[i]));
    else
      hg_doc_push(c, hg_doc_clone(d->items[i]));
  }
  return c;
}

static bool is_number(const hg_doc *d, double *v)
{
  if (d->kind == HG_DOC_INT)
    *v = (double)d->num;
  else if (d->kind == HG_DOC_FLOAT)
    *v = d->f;
  else
    return false;
  return true;
}

bool hg_doc_equal(const hg_doc *a, const hg_doc *b)
{
  double x, y;
  if (a->kind != b->kind) {
    if (is_number(a, &x) && is_number(b, &y))
      return x == y;
    return false;
  }
  switch (a->kind) {
  case HG_DOC_MAP:
    if (a->n != b->n)
      return false;
    for (size_t i = 0; i < a->n; i++) {
      const hg_doc *other = hg_doc_get(b, a->keys[i]);
      if (!other || !hg_doc_equal(a->items[i], other))
        return false;
    }
    return true;
  case HG_DOC_SEQ:
    if (a->n != b->n)
      return false;
    for (size_t i = 0; i < a->n; i++)
      if (!hg_doc_equal(a->items[i], b->items[i]))
        return false;
    return true;
  case HG_DOC_STR:
    return strcmp(a->str, b->str) == 0;
  case HG_DOC_INT:
    return a->num == b->num;
  case HG_DOC_FLOAT:
    return a->f == b->f;
  case HG_DOC_BOOL:
    return a->b == b->b;
  case HG_DOC_NULL:
    return true;
  }
  return false;
}

void hg_doc_free(hg_doc *d)
{
  if (!d)
    return;
  for (size_t i = 0; i < d->n; i++) {
    if (d->keys)
      free(d->keys[i]);
    hg_doc_free(d->items[i]);
  }
  free(d->keys);
  free(d->items);
  free(d->str);
  free(d);
}

static void wipe(hg_doc *d)
{
  if (d->str)
    explicit_bzero(d->str, strlen(d->str));
  for (size_t i = 0; i < d->n; i++) {
    if (d->keys)
      explicit_bzero(d->keys[i], strlen(d->keys[i]));
    wipe(d->items[i]);
  }
}

void hg_doc_free_wiped(hg_doc *d)
{
  if (!d)
    return;
  wipe(d);
  hg_doc_free(d);
}
