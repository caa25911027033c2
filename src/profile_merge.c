/*
 * profile_merge.c — `extends`: deep-merge a profile onto its parent.
 *
 * Merge rule (SPEC §3): maps merge key by key (the parent's keys first, in
 * its order, then the child's new keys); lists and scalars replace. A
 * parent's `extends` and `abstract` are not inherited. Every node keeps the
 * file it was written in, so a diagnostic about an inherited value points at
 * the parent file. Nodes of both trees are shared, never modified.
 */
#include "profile_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct kref {
  const char *key;
  size_t idx;
} kref;

static int kref_cmp(const void *x, const void *y)
{
  return strcmp(((const kref *)x)->key, ((const kref *)y)->key);
}

static kref *sorted_keys(const hg_yval *m)
{
  kref *r = xmalloc((m->n ? m->n : 1) * sizeof *r);
  for (size_t i = 0; i < m->n; i++)
    r[i] = (kref){m->keys[i], i};
  qsort(r, m->n, sizeof *r, kref_cmp);
  return r;
}

static long find_key(const kref *r, size_t n, const char *key)
{
  kref probe = {key, 0};
  const kref *hit = bsearch(&probe, r, n, sizeof *r, kref_cmp);
  return hit ? (long)hit->idx : -1;
}

/* Deep merge: child over parent. Both maps merge; otherwise the child wins.
 * Nodes of either tree are shared, never modified. At the top level the
 * parent's `extends` and `abstract` are dropped. */
const hg_yval *hg_profile_merge(hg_arena *a, const hg_yval *parent, const hg_yval *child, bool top)
{
  if (!parent || parent->kind != HG_Y_MAP || child->kind != HG_Y_MAP)
    return child;
  kref *pk = sorted_keys(parent), *ck = sorted_keys(child);
  size_t cap = parent->n + child->n;
  hg_yval *m = hg_arena_alloc(a, sizeof *m);
  *m = *child;
  m->keys = hg_arena_alloc(a, (cap ? cap : 1) * sizeof *m->keys);
  m->key_nodes = hg_arena_alloc(a, (cap ? cap : 1) * sizeof *m->key_nodes);
  m->items = hg_arena_alloc(a, (cap ? cap : 1) * sizeof *m->items);
  size_t n = 0;
  for (size_t i = 0; i < parent->n; i++) {
    const char *k = parent->keys[i];
    if (top && (strcmp(k, "extends") == 0 || strcmp(k, "abstract") == 0))
      continue;
    long j = find_key(ck, child->n, k);
    m->keys[n] = k;
    if (j >= 0) {
      m->key_nodes[n] = child->key_nodes[j];
      m->items[n] = (hg_yval *)hg_profile_merge(a, parent->items[i], child->items[j], false);
    } else {
      m->key_nodes[n] = parent->key_nodes[i];
      m->items[n] = parent->items[i];
    }
    n++;
  }
  for (size_t j = 0; j < child->n; j++) {
    if (find_key(pk, parent->n, child->keys[j]) >= 0 &&
        !(top && (strcmp(child->keys[j], "extends") == 0 || strcmp(child->keys[j], "abstract") == 0)))
      continue;
    m->keys[n] = child->keys[j];
    m->key_nodes[n] = child->key_nodes[j];
    m->items[n] = child->items[j];
    n++;
  }
  m->n = n;
  free(pk);
  free(ck);
  return m;
}

