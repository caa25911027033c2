/*
 * plan_stacks.c — the stacks of the set (see plan_model.h) and the wiring
 * of the parent's child stack resources from them.
 */
#include <stdlib.h>
#include <string.h>

#include "hg/detective.h"
#include "hg/plan_model.h"
#include "hg/stackset.h"
#include "plan_int.h"
#include "plan_preflight.h"

const hg_plan_stack hg_plan_stacks[HG_STACK_COUNT] = {
    [HG_STACK_PARENT] = {HG_STACK_PARENT, NULL, "security.global", "security.global.yaml", HG_WHEN_ALWAYS,
                         0, NULL, NULL, NULL, NULL, NULL},
    [HG_STACK_CLOUDTRAIL] = {HG_STACK_CLOUDTRAIL, "CloudTrailStack", "cloudtrail.global",
                             "cloudtrail.global.yaml", HG_WHEN_ALWAYS, HG_ROW_IN_SKELETON, NULL, NULL,
                             NULL, NULL, NULL},
    [HG_STACK_CONFIG] = {HG_STACK_CONFIG, "ConfigStack", "config.global", "config.global.yaml",
                         HG_WHEN_ALWAYS, HG_ROW_IN_SKELETON, NULL, NULL, NULL, NULL, NULL},
    [HG_STACK_CLOUDWATCH] = {HG_STACK_CLOUDWATCH, "CloudWatchStack", "cloudwatch.global",
                             "cloudwatch.global.yaml", HG_WHEN_ALWAYS, HG_ROW_IN_SKELETON, NULL, NULL,
                             NULL, NULL, NULL},
    /* Parts 2..N wait for part 1, which creates the topics. */
    [HG_STACK_CLOUDWATCH_PART] = {HG_STACK_CLOUDWATCH_PART, "CloudWatchStack", "cloudwatch.global",
                                  "cloudwatch.part.yaml", HG_WHEN_ALWAYS, HG_ROW_PARTS, "CloudWatchStack",
                                  "CloudWatchStack", NULL, NULL, NULL},
    [HG_STACK_CENTRAL] = {HG_STACK_CENTRAL, "CentralStack", "central.global", "central.global.yaml",
                          HG_WHEN_CENTRAL, 0, NULL, NULL, NULL, NULL, NULL},
    /* The detective rule reacts to the Config rules' evaluations. */
    [HG_STACK_DETECTIVE] = {HG_STACK_DETECTIVE, "DetectiveStack", "detective.global",
                            "detective.global.yaml", HG_WHEN_DETECTIVE, 0, "ConfigStack", NULL, NULL, NULL,
                            NULL},
    [HG_STACK_PREFLIGHT] = {HG_STACK_PREFLIGHT, HG_PLAN_PREFLIGHT_STACK, "preflight.global",
                            "preflight.global.yaml", HG_WHEN_PREFLIGHT, HG_ROW_FIRST, NULL, NULL,
                            HG_PLAN_PREFLIGHT_OUTPUT, "Warnings",
                            "Findings of the preflight checks set to warn (see doc/preflight.md); none "
                            "when the account met the bar"},
    [HG_STACK_MEMBER] = {HG_STACK_MEMBER, NULL, HG_STACKSET_DIR "/member", NULL, HG_WHEN_ORG, 0, NULL, NULL,
                         NULL, NULL, NULL},
};

bool hg_plan_stack_wanted(hg_plan_stack_id id, const hg_profile *p)
{
  if (id >= HG_STACK_COUNT)
    return false;
  hg_det_config dc;
  switch (hg_plan_stacks[id].when) {
  case HG_WHEN_ALWAYS:
    return true;
  case HG_WHEN_PREFLIGHT:
    return p->preflight;
  case HG_WHEN_DETECTIVE:
    return hg_det_config_of(p, &dc);
  case HG_WHEN_CENTRAL:
    return hg_det_config_of(p, &dc) && hg_det_is_central(p, &dc);
  case HG_WHEN_ORG:
    return p->org != NULL;
  }
  return false;
}

/* ---- document edits ---- */

/* Move the last entry of a map to index at. */
static void move_last_to(hg_doc *map, size_t at)
{
  char *k = map->keys[map->n - 1];
  hg_doc *v = map->items[map->n - 1];
  memmove(&map->keys[at + 1], &map->keys[at], (map->n - 1 - at) * sizeof *map->keys);
  memmove(&map->items[at + 1], &map->items[at], (map->n - 1 - at) * sizeof *map->items);
  map->keys[at] = k;
  map->items[at] = v;
}

static bool is_stack(const hg_doc *r)
{
  const char *type = hg_doc_get_str(r, "Type");
  return type && strcmp(type, "AWS::CloudFormation::Stack") == 0;
}

/* The template of p named STEM.EXT, or STEM.PART.EXT for part > 1. */
static const hg_plan_template *template_of(const hg_plan *p, const char *stem, size_t part,
                                           hg_plan_format f)
{
  char *name = part > 1 ? xasprintf("%s.%zu.%s", stem, part, hg_plan_ext(f))
                        : xasprintf("%s.%s", stem, hg_plan_ext(f));
  const hg_plan_template *t = NULL;
  for (size_t i = 0; i < p->n && !t; i++)
    if (strcmp(p->t[i].name, name) == 0)
      t = &p->t[i];
  free(name);
  return t;
}

static void set_template_url(hg_doc *stack, const char *name)
{
  hg_doc *props = hg_doc_get(stack, "Properties");
  if (!props || props->kind != HG_DOC_MAP)
    return;
  char *url = xasprintf("${" HG_PLAN_TEMPLATE_URL_PARAM "}%s", name);
  hg_plan_doc_put(props, "TemplateURL", hg_doc_sub(url));
  free(url);
}

/* Make every child stack of res but first DependsOn first (first in the
 * list), DependsOn right after Type when it is new. */
static void depend_on(hg_doc *res, const char *first)
{
  for (size_t i = 0; i < res->n; i++) {
    hg_doc *r = res->items[i];
    if (!is_stack(r) || strcmp(res->keys[i], first) == 0)
      continue;
    hg_doc *dep = hg_doc_get(r, "DependsOn");
    hg_doc *list = hg_doc_seq();
    hg_doc_push_str(list, first);
    if (dep && dep->kind == HG_DOC_STR)
      hg_doc_push_str(list, dep->str);
    for (size_t k = 0; dep && dep->kind == HG_DOC_SEQ && k < dep->n; k++)
      hg_doc_push(list, hg_doc_clone(dep->items[k]));
    if (list->n == 1) {
      hg_doc_free(list);
      list = hg_doc_str(first);
    }
    if (dep) {
      hg_plan_doc_put(r, "DependsOn", list);
    } else {
      hg_doc_set(r, "DependsOn", list);
      move_last_to(r, r->n > 1 && strcmp(r->keys[0], "Type") == 0 ? 1 : 0);
    }
  }
}

static void pass_output(hg_doc *parent, const hg_plan_stack *row, const char *logical)
{
  hg_doc *outs = hg_doc_get(parent, "Outputs");
  if (!outs || outs->kind != HG_DOC_MAP) {
    hg_doc_remove(parent, "Outputs");
    outs = hg_doc_set_map(parent, "Outputs");
  }
  hg_doc *o = hg_doc_map();
  hg_doc_set_str(o, "Description", row->output_description);
  char *attr = xasprintf("Outputs.%s", row->child_output);
  hg_doc_set(o, "Value", hg_doc_getatt(logical, attr));
  free(attr);
  hg_plan_doc_put(outs, row->output, o);
}

/* Wire the resources of one row; first: HG_ROW_FIRST rows only, or the others. */
static void wire_row(const hg_plan_stack *row, const hg_plan *p, hg_plan_format f, hg_doc *parent, hg_doc *res)
{
  if (row->flags & HG_ROW_PARTS) {
    const hg_doc *like = hg_doc_get(res, row->like);
    for (size_t k = 2; like; k++) {
      const hg_plan_template *t = template_of(p, row->stem, k, f);
      if (!t)
        break;
      hg_doc *st = hg_doc_clone(like);
      hg_plan_doc_put(st, "DependsOn", hg_doc_str(row->depends));
      set_template_url(st, t->name);
      hg_plan_params_pass(st, t->doc);
      char *id = xasprintf("%s%zu", row->logical, k);
      hg_plan_doc_put(res, id, st);
      free(id);
    }
    return;
  }
  const hg_plan_template *t = template_of(p, row->stem, 1, f);
  if (!t)
    return;
  hg_doc *st = hg_doc_get(res, row->logical);
  if (row->flags & HG_ROW_IN_SKELETON) {
    if (!st || st->kind != HG_DOC_MAP)
      return; /* the skeleton's contract reports it */
    set_template_url(st, t->name);
    hg_plan_params_pass(st, t->doc);
  } else {
    st = hg_plan_child_stack(row->stem, row->depends, f);
    hg_plan_params_pass(st, t->doc);
    if (row->flags & HG_ROW_FIRST) {
      depend_on(res, row->logical);
      hg_doc_remove(res, row->logical);
      hg_doc_set(res, row->logical, st);
      move_last_to(res, 0);
    } else {
      hg_plan_doc_put(res, row->logical, st);
    }
  }
  if (row->output)
    pass_output(parent, row, row->logical);
}

void hg_plan_wire_parent(const hg_profile *pr, const hg_plan *p, hg_plan_format f, hg_doc *parent)
{
  hg_doc *res = hg_doc_get(parent, "Resources");
  if (!res || res->kind != HG_DOC_MAP)
    return;
  /* The rows in order, the ones every child waits for last (they must see
   * every other child). */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < HG_STACK_COUNT; i++) {
      const hg_plan_stack *row = &hg_plan_stacks[i];
      if (!row->logical || !!(row->flags & HG_ROW_FIRST) != (pass == 1) ||
          !hg_plan_stack_wanted(row->id, pr))
        continue;
      wire_row(row, p, f, parent, res);
    }
}
