/*
 * filter.c — the filter set container and deep copies.
 */
#include "hg/filter.h"

#include <stdlib.h>
#include <string.h>

#include "hg/util.h"

void hg_filterset_init(hg_filterset *fs)
{
  memset(fs, 0, sizeof *fs);
}

static char *dup_or_null(const char *s)
{
  return s ? xstrdup(s) : NULL;
}

static char **dup_strv(char *const *v, size_t n)
{
  if (!v)
    return NULL;
  char **c = xcalloc(n ? n : 1, sizeof *c);
  for (size_t i = 0; i < n; i++)
    c[i] = xstrdup(v[i]);
  return c;
}

static void free_strv(char **v, size_t n)
{
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static hg_example *dup_examples(const hg_example *v, size_t n)
{
  if (!n)
    return NULL;
  hg_example *c = xcalloc(n, sizeof *c);
  for (size_t i = 0; i < n; i++) {
    c[i] = v[i];
    c[i].text = xstrdup(v[i].text);
  }
  return c;
}

static void free_examples(hg_example *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i].text);
  free(v);
}

void hg_filter_clear(hg_filter *f)
{
  free(f->id);
  free(f->title);
  free(f->pattern);
  free(f->file);
  free_strv(f->envs, f->n_envs);
  for (size_t i = 0; i < f->n_cis; i++) {
    free(f->cis[i].version);
    free(f->cis[i].number);
  }
  free(f->cis);
  free(f->securityhub);
  free(f->control);
  for (size_t i = 0; i < f->n_variants; i++) {
    free(f->variants[i].name);
    free(f->variants[i].pattern);
    free_strv(f->variants[i].versions, f->variants[i].n_versions);
  }
  free(f->variants);
  free_examples(f->match, f->n_match);
  free_examples(f->nomatch, f->n_nomatch);
  memset(f, 0, sizeof *f);
}

void hg_filter_copy(hg_filter *dst, const hg_filter *src)
{
  *dst = *src;
  dst->id = dup_or_null(src->id);
  dst->title = dup_or_null(src->title);
  dst->pattern = dup_or_null(src->pattern);
  dst->file = dup_or_null(src->file);
  dst->envs = dup_strv(src->envs, src->n_envs);
  dst->cis = src->n_cis ? xcalloc(src->n_cis, sizeof *dst->cis) : NULL;
  for (size_t i = 0; i < src->n_cis; i++) {
    dst->cis[i].version = xstrdup(src->cis[i].version);
    dst->cis[i].number = xstrdup(src->cis[i].number);
  }
  dst->securityhub = dup_or_null(src->securityhub);
  dst->control = dup_or_null(src->control);
  dst->variants = src->n_variants ? xcalloc(src->n_variants, sizeof *dst->variants) : NULL;
  for (size_t i = 0; i < src->n_variants; i++) {
    dst->variants[i] = src->variants[i];
    dst->variants[i].name = dup_or_null(src->variants[i].name);
    dst->variants[i].pattern = dup_or_null(src->variants[i].pattern);
    dst->variants[i].versions = dup_strv(src->variants[i].versions, src->variants[i].n_versions);
  }
  dst->match = dup_examples(src->match, src->n_match);
  dst->nomatch = dup_examples(src->nomatch, src->n_nomatch);
}

void hg_filterset_free(hg_filterset *fs)
{
  for (size_t i = 0; i < fs->n; i++)
    hg_filter_clear(&fs->v[i]);
  free(fs->v);
  hg_filterset_init(fs);
}

hg_filter *hg_filterset_add(hg_filterset *fs)
{
  if (fs->n == fs->cap) {
    fs->cap = fs->cap ? fs->cap * 2 : 32;
    fs->v = xrealloc(fs->v, fs->cap * sizeof *fs->v);
  }
  hg_filter *f = &fs->v[fs->n++];
  memset(f, 0, sizeof *f);
  return f;
}

void hg_filterset_remove(hg_filterset *fs, size_t i)
{
  hg_filter_clear(&fs->v[i]);
  memmove(&fs->v[i], &fs->v[i + 1], (fs->n - i - 1) * sizeof *fs->v);
  fs->n--;
}

hg_filter *hg_filterset_find(const hg_filterset *fs, const char *id)
{
  for (size_t i = 0; i < fs->n; i++)
    if (strcmp(fs->v[i].id, id) == 0)
      return &fs->v[i];
  return NULL;
}

const char *hg_filter_cis(const hg_filter *f, const char *version)
{
  for (size_t i = 0; i < f->n_cis; i++)
    if (strcmp(f->cis[i].version, version) == 0)
      return f->cis[i].number;
  return NULL;
}

const char *hg_topic_name(hg_topic t)
{
  return t == HG_TOPIC_INFOSEC ? "infosec" : "devops";
}
