/*
 * compile.c — the pipeline's front half (see compile.h): profile, Lua
 * filter maps, CIS selection, the profile's filters.disable and
 * filters.override, then every pattern parsed and checked.
 */
#include "hg/compile.h"

#include <stdlib.h>
#include <string.h>

#include "hg/cis.h"
#include "hg/lua.h"
#include "hg/util.h"

/* A profile entry names a filter by its id, or by the CIS control a
 * selected filter was made from (so disabling "vpc-changes" also drops
 * "vpc-changes-cis"). */
static bool names(const hg_filter *f, const char *id)
{
  return strcmp(f->id, id) == 0 || (f->control && strcmp(f->control, id) == 0);
}

/* The node of a profile key (a filters.disable item, an override), or NULL. */
static const hg_yval *disable_node(const hg_profile *p, size_t i)
{
  const hg_yval *v = p->tree;
  const char *path[] = {"filters", "disable"};
  for (size_t k = 0; v && k < 2; k++) {
    const hg_yval *next = NULL;
    for (size_t j = 0; v->kind == HG_Y_MAP && j < v->n; j++)
      if (strcmp(v->keys[j], path[k]) == 0)
        next = v->items[j];
    v = next;
  }
  return v && v->kind == HG_Y_SEQ && i < v->n ? v->items[i] : NULL;
}

static void unknown_id(const hg_profile *p, const hg_filterset *fs, const hg_yval *node,
                       const char *id, const char *what, hg_diag_sink *sink)
{
  const char **ids = xcalloc(fs->n + 1, sizeof *ids);
  for (size_t i = 0; i < fs->n; i++)
    ids[i] = fs->v[i].id;
  hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, node && node->file ? node->file : p->path,
                           node ? node->line : 0, node ? node->col : 0, "profile-unknown-filter",
                           "%s names filter '%s', which env '%s' does not have", what, id, p->env);
  if (node && node->kind == HG_Y_STR && node->text && strcmp(node->text, id) == 0)
    d->span = (int)strlen(id);
  const char *near = hg_did_you_mean(id, ids, false);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
  free(ids);
}

int hg_compile_apply_profile(const hg_profile *p, hg_filterset *fs, hg_fp_origin *origins,
                         hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  for (size_t i = 0; i < p->n_overrides; i++) {
    const hg_override *o = &p->overrides[i];
    bool found = false;
    for (size_t j = 0; j < fs->n; j++) {
      hg_filter *f = &fs->v[j];
      if (!names(f, o->id))
        continue;
      found = true;
      if (o->has_threshold)
        f->threshold = o->threshold;
      if (o->has_period)
        f->period = o->period;
      if (o->has_evaluation_periods)
        f->evaluation_periods = o->evaluation_periods;
      if (o->topic)
        f->topic = strcmp(o->topic, "infosec") == 0 ? HG_TOPIC_INFOSEC : HG_TOPIC_DEVOPS;
      if (o->pattern) {
        free(f->pattern);
        f->pattern = xstrdup(o->pattern);
      }
      if (o->pattern && origins) {
        /* A pattern from the profile: its problems point at the profile. */
        origins[j].file = o->node && o->node->file ? o->node->file : p->path;
        origins[j].line = o->node ? o->node->line : 0;
        origins[j].col_base = 0;
      }
    }
    if (!found)
      unknown_id(p, fs, o->node, o->id, "filters.override", sink);
  }
  bool *drop = xcalloc(fs->n + 1, sizeof *drop);
  for (size_t i = 0; i < p->n_disable; i++) {
    bool found = false;
    for (size_t j = 0; j < fs->n; j++)
      if (names(&fs->v[j], p->disable[i]))
        drop[j] = found = true;
    if (!found)
      unknown_id(p, fs, disable_node(p, i), p->disable[i], "filters.disable", sink);
  }
  size_t w = 0;
  for (size_t j = 0; j < fs->n; j++) {
    if (drop[j]) {
      hg_filter_clear(&fs->v[j]);
      continue;
    }
    if (origins)
      origins[w] = origins[j];
    fs->v[w++] = fs->v[j];
  }
  fs->n = w;
  free(drop);
  return sink->errors > errors ? -1 : 0;
}

int hg_compile_filters(const char *root, const char *env, hg_compiled *out, hg_diag_sink *sink)
{
  memset(out, 0, sizeof *out);
  hg_filterset_init(&out->filters);
  out->res = hg_res_new(root);
  out->profile = hg_profile_load_res(out->res, env, sink);
  if (!out->profile) {
    hg_compiled_free(out);
    return -1;
  }
  if (hg_lua_run(out->profile, out->res, NULL, &out->filters, sink) != 0 ||
      hg_cis_select(out->profile, &out->filters, sink) != 0)
    goto fail;
  size_t n = out->filters.n;
  hg_fp_origin *origins = xcalloc(n ? n : 1, sizeof *origins);
  for (size_t i = 0; i < n; i++) {
    const hg_filter *f = &out->filters.v[i];
    origins[i] = (hg_fp_origin){f->file, f->pattern_line ? f->pattern_line : f->line, f->pattern_col};
  }
  if (hg_compile_apply_profile(out->profile, &out->filters, origins, sink) != 0) {
    free(origins);
    goto fail;
  }
  /* The final set must still pass the profile's CIS targets (an override
   * or a disable may break them); reported together with pattern errors. */
  hg_cis_verify(out->profile, &out->filters, sink);
  out->patterns = xcalloc(out->filters.n ? out->filters.n : 1, sizeof *out->patterns);
  for (size_t i = 0; i < out->filters.n; i++) {
    const hg_filter *f = &out->filters.v[i];
    const char *pt = f->pattern ? f->pattern : "";
    out->patterns[i] = hg_fp_parse(pt, strlen(pt), &origins[i], sink);
  }
  free(origins);
  if (hg_diag_has_errors(sink))
    goto fail;
  return 0;
fail:
  hg_compiled_free(out);
  return -1;
}

void hg_compiled_free(hg_compiled *c)
{
  if (c->patterns)
    for (size_t i = 0; i < c->filters.n; i++)
      hg_fp_free(c->patterns[i]);
  free(c->patterns);
  hg_filterset_free(&c->filters);
  hg_profile_free(c->profile);
  hg_res_free(c->res);
  memset(c, 0, sizeof *c);
}
