/*
 * plan_contract.c — what each template skeleton must have for the planner
 * to fill and wire it (see plan_model.h), checked when it is loaded.
 *
 * The contract of a skeleton is derived from the two tables — the
 * parameters whose row names its stack, the parent's child stacks
 * (HG_ROW_IN_SKELETON and the resource the parts copy), the output a row
 * passes up — plus the resources the planner fills by logical id or type
 * (fills[] below). A skeleton that lacks one would build into a set that
 * silently misses a profile setting or a part; it is an error instead.
 *
 * The document model has no positions: the places of the diagnostics are
 * found in the skeleton's text with libyaml's event parser.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hg/plan_model.h"
#include "hg/util.h"

/* ---- the resources the planner fills ---- */

typedef struct fill {
  const char *skeleton;
  hg_plan_need need;
} fill;

static const fill fills[] = {
    {"cloudtrail.global.yaml",
     {HG_NEED_RESOURCE, "Trail", "AWS::CloudTrail::Trail", NULL,
      "the profile's event selectors and Insights go into its Properties", NULL}},
    {"cloudtrail.global.yaml",
     {HG_NEED_RESOURCE, "LogBucket", "AWS::S3::Bucket", NULL, "logs.object_lock goes into its Properties", NULL}},
    {"cloudtrail.global.yaml",
     {HG_NEED_RESOURCE, "LogBucketPolicy", "AWS::S3::BucketPolicy", NULL,
      "the break-glass deny statement goes into its policy", NULL}},
    {"cloudtrail.global.yaml",
     {HG_NEED_RESOURCE, NULL, "AWS::Logs::LogGroup", NULL, "every metric filter reads its LogGroupName", NULL}},
    {"config.global.yaml",
     {HG_NEED_RESOURCE, NULL, "AWS::Config::ConfigRule", "IAM_PASSWORD_POLICY",
      "the profile's iam-password-policy settings are its InputParameters", NULL}},
    {"cloudwatch.global.yaml",
     {HG_NEED_RESOURCE, "InfosecTopic", "AWS::SNS::Topic", NULL, "the infosec alarms notify it", NULL}},
    {"cloudwatch.global.yaml",
     {HG_NEED_RESOURCE, "DevOpsTopic", "AWS::SNS::Topic", NULL, "the devops alarms notify it", NULL}},
    {"preflight.global.yaml",
     {HG_NEED_RESOURCE, "PreflightFunction", "AWS::Lambda::Function", NULL,
      "the audit's code and timeout go into it", NULL}},
    {"preflight.global.yaml",
     {HG_NEED_RESOURCE, "PreflightRole", "AWS::IAM::Role", NULL, "it gets the enabled checks' read actions", NULL}},
    {"preflight.global.yaml",
     {HG_NEED_RESOURCE, "Preflight", "Custom::HardengenPreflight", NULL, "it carries the profile's checks", NULL}},
    {"detective.global.yaml",
     {HG_NEED_RESOURCE, "DetectiveFunction", "AWS::Lambda::Function", NULL,
      "the handler's code and environment go into it", NULL}},
    {"detective.global.yaml",
     {HG_NEED_RESOURCE, "DetectiveRole", "AWS::IAM::Role", NULL, "its statements follow the detective: block", NULL}},
};

static const hg_plan_stack *row_of(const char *skeleton)
{
  for (size_t i = 0; i < HG_STACK_COUNT; i++)
    if (hg_plan_stacks[i].skeleton && strcmp(hg_plan_stacks[i].skeleton, skeleton) == 0)
      return &hg_plan_stacks[i];
  return NULL;
}

static void push(hg_plan_need *out, size_t cap, size_t *n, hg_plan_need need)
{
  for (size_t i = 0; i < *n && i < cap; i++)
    if (out[i].kind == need.kind && out[i].name && need.name && strcmp(out[i].name, need.name) == 0)
      return;
  if (*n < cap)
    out[*n] = need;
  (*n)++;
}

size_t hg_plan_contract(const char *skeleton, hg_plan_need *out, size_t cap)
{
  const hg_plan_stack *row = row_of(skeleton);
  if (!row)
    return 0;
  size_t n = 0;
  if (row->id == HG_STACK_PARENT) {
    for (size_t i = 0; i < HG_STACK_COUNT; i++) {
      const hg_plan_stack *r = &hg_plan_stacks[i];
      if (r->flags & HG_ROW_IN_SKELETON)
        push(out, cap, &n,
             (hg_plan_need){HG_NEED_RESOURCE, r->logical, "AWS::CloudFormation::Stack", NULL,
                            "hardengen wires it to the template it runs", r->stem});
      if (r->like)
        push(out, cap, &n,
             (hg_plan_need){HG_NEED_RESOURCE, r->like, "AWS::CloudFormation::Stack", NULL,
                            "the extra parts of its template are copies of it", NULL});
    }
  }
  for (size_t i = 0; i < HG_COUNTOF(fills); i++)
    if (strcmp(fills[i].skeleton, skeleton) == 0)
      push(out, cap, &n, fills[i].need);
  for (size_t i = 0; i < hg_plan_n_params; i++) {
    const hg_plan_param *p = &hg_plan_params[i];
    if (p->stacks & HG_STACK_BIT(row->id))
      push(out, cap, &n,
           (hg_plan_need){HG_NEED_PARAMETER, p->name, hg_plan_param_type(p), NULL, p->path, NULL});
  }
  if (row->output)
    push(out, cap, &n,
         (hg_plan_need){HG_NEED_OUTPUT, row->child_output, NULL, NULL, row->output, NULL});
  return n;
}

/* ---- places in the text ---- */

typedef struct place {
  int line, col, span;
} place;

/*
 * The place of the key at path (n names from the top-level map), or with
 * value set of the node that key holds. False when the path is absent or
 * the text does not parse.
 */
static bool find_place(const char *text, size_t len, const char *const *path, size_t n, bool value, place *at)
{
  enum { MAX = 64 };
  struct {
    bool map, want_key, on_path;
  } st[MAX];
  size_t depth = 0, matched = 0; /* containers open; of them, how many lie on the path */
  bool found = false, take_next = false, ok = true;
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  while (!found && ok) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev))
      break;
    bool end = ev.type == YAML_STREAM_END_EVENT;
    bool node = ev.type == YAML_SCALAR_EVENT || ev.type == YAML_MAPPING_START_EVENT ||
                ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_ALIAS_EVENT;
    bool is_key = node && depth > 0 && st[depth - 1].map && st[depth - 1].want_key;
    if (node && take_next && !is_key) {
      at->line = (int)ev.start_mark.line + 1;
      at->col = (int)ev.start_mark.column + 1;
      at->span = ev.type == YAML_SCALAR_EVENT ? (int)ev.data.scalar.length : 1;
      found = true;
    } else if (is_key) {
      st[depth - 1].want_key = false;
      const char *k = ev.type == YAML_SCALAR_EVENT ? (const char *)ev.data.scalar.value : NULL;
      if (k && matched == depth && depth <= n && strcmp(k, path[depth - 1]) == 0) {
        if (depth == n && !value) {
          at->line = (int)ev.start_mark.line + 1;
          at->col = (int)ev.start_mark.column + 1;
          at->span = (int)ev.data.scalar.length;
          found = true;
        } else if (depth == n) {
          take_next = true;
        } else {
          st[depth - 1].on_path = true;
        }
      }
    } else if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
      if (depth == MAX) {
        ok = false;
      } else {
        bool on = depth == 0 || (st[depth - 1].map && st[depth - 1].on_path);
        if (on && matched == depth)
          matched++;
        st[depth].map = ev.type == YAML_MAPPING_START_EVENT;
        st[depth].want_key = true;
        st[depth].on_path = false;
        depth++;
      }
    } else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
      if (depth > 0) {
        if (matched == depth)
          matched--;
        depth--;
      }
    }
    /* A value done: its map waits for the next key, off the path. */
    if (!found && depth > 0 && st[depth - 1].map && !is_key &&
        (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT || ev.type == YAML_MAPPING_END_EVENT ||
         ev.type == YAML_SEQUENCE_END_EVENT)) {
      st[depth - 1].want_key = true;
      st[depth - 1].on_path = false;
    }
    yaml_event_delete(&ev);
    if (end)
      break;
  }
  yaml_parser_delete(&parser);
  return found;
}

/* Where a missing entry of section belongs: the section's key, else the
 * first line of the skeleton. */
static place section_place(const char *text, size_t len, const char *section)
{
  place at = {1, 1, 1};
  const char *path[1] = {section};
  if (!find_place(text, len, path, 1, false, &at))
    at = (place){1, 1, 1};
  return at;
}

/* An error at a place; takes msg. */
static hg_diag *add_at(hg_diag_sink *sink, const char *file, place at, const char *code, char *msg)
{
  hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, file, at.line, at.col, code, "%s", msg);
  d->span = at.span > 0 ? at.span : 1;
  free(msg);
  return d;
}

/* ---- the check ---- */

static const char *kind_section(hg_plan_need_kind k)
{
  switch (k) {
  case HG_NEED_RESOURCE:
    return "Resources";
  case HG_NEED_PARAMETER:
    return "Parameters";
  case HG_NEED_OUTPUT:
    return "Outputs";
  }
  return "Resources";
}

/* The note of a need; for a child stack of the parent, what it runs and
 * what copies it. */
static void stack_notes(hg_diag *g, const hg_plan_need *need)
{
  if (need->kind == HG_NEED_PARAMETER) {
    hg_diag_note(g, "the parent passes it the profile's %s", need->why);
    return;
  }
  if (need->kind == HG_NEED_OUTPUT) {
    hg_diag_note(g, "the parent's output %s reads it", need->why);
    return;
  }
  if (!need->runs) {
    hg_diag_note(g, "%s", need->why);
    return;
  }
  hg_diag_note(g, "the parent runs %s.yaml (or .json) in %s", need->runs, need->name);
  for (size_t i = 0; i < HG_STACK_COUNT; i++) {
    const hg_plan_stack *r = &hg_plan_stacks[i];
    if (r->like && strcmp(r->like, need->name) == 0)
      hg_diag_note(g, "each extra part %s.N of the template runs in a copy of it, %sN", r->stem, r->logical);
  }
}

static bool any_of_type(const hg_doc *res, const hg_plan_need *need)
{
  for (size_t i = 0; res && res->kind == HG_DOC_MAP && i < res->n; i++) {
    const char *t = hg_doc_get_str(res->items[i], "Type");
    if (!t || strcmp(t, need->type) != 0)
      continue;
    const hg_doc *props = hg_doc_get(res->items[i], "Properties");
    const char *src = hg_doc_get_str(hg_doc_get(props, "Source"), "SourceIdentifier");
    if (props && props->kind == HG_DOC_MAP && (!need->source || (src && strcmp(src, need->source) == 0)))
      return true;
  }
  return false;
}

static int check_need(const hg_plan_need *need, const hg_doc *d, const char *file, const char *text,
                      size_t len, hg_diag_sink *sink)
{
  const char *section = kind_section(need->kind);
  const hg_doc *sec = hg_doc_get(d, section);
  if (need->kind == HG_NEED_RESOURCE && !need->name) {
    if (any_of_type(sec, need))
      return 0;
    hg_diag *g = add_at(sink, file, section_place(text, len, section), "template-missing-resource",
                        need->source ? xasprintf("the skeleton has no resource of type %s with Source.SourceIdentifier %s",
                                                 need->type, need->source)
                                     : xasprintf("the skeleton has no resource of type %s", need->type));
    hg_diag_note(g, "%s", need->why);
    return 1;
  }
  const hg_doc *it = hg_doc_get(sec, need->name);
  if (!it) {
    const char *code = need->kind == HG_NEED_RESOURCE    ? "template-missing-resource"
                       : need->kind == HG_NEED_PARAMETER ? "template-missing-parameter"
                                                         : "template-missing-output";
    const char *what = need->kind == HG_NEED_RESOURCE    ? "resource"
                       : need->kind == HG_NEED_PARAMETER ? "parameter"
                                                         : "output";
    hg_diag *g = add_at(sink, file, section_place(text, len, section), code,
                        need->type ? xasprintf("the skeleton has no %s %s of type %s", what, need->name, need->type)
                                   : xasprintf("the skeleton has no %s %s", what, need->name));
    stack_notes(g, need);
    return 1;
  }
  if (need->kind == HG_NEED_OUTPUT)
    return 0;
  const char *type = hg_doc_get_str(it, "Type");
  if (!type || strcmp(type, need->type) != 0) {
    const char *path[3] = {section, need->name, "Type"};
    place at;
    if (!find_place(text, len, path, 3, true, &at) && !find_place(text, len, path, 2, false, &at))
      at = section_place(text, len, section);
    hg_diag *g = add_at(sink, file, at,
                        need->kind == HG_NEED_RESOURCE ? "template-resource-type" : "template-parameter-type",
                        xasprintf("%s %s must have Type %s", need->kind == HG_NEED_RESOURCE ? "resource" : "parameter",
                                  need->name, need->type));
    stack_notes(g, need);
    return 1;
  }
  if (need->kind == HG_NEED_RESOURCE) {
    const hg_doc *props = hg_doc_get(it, "Properties");
    if (!props || props->kind != HG_DOC_MAP) {
      const char *path[2] = {section, need->name};
      place at;
      if (!find_place(text, len, path, 2, false, &at))
        at = section_place(text, len, section);
      hg_diag *g = add_at(sink, file, at, "template-resource-properties",
                          xasprintf("resource %s has no Properties map", need->name));
      stack_notes(g, need);
      return 1;
    }
  }
  return 0;
}

int hg_plan_contract_check(const char *skeleton, const hg_doc *d, const char *file, const char *text,
                           size_t len, hg_diag_sink *sink)
{
  hg_plan_need needs[64];
  size_t n = hg_plan_contract(skeleton, needs, HG_COUNTOF(needs));
  int errors = 0;
  for (size_t i = 0; i < n && i < HG_COUNTOF(needs); i++)
    errors += check_need(&needs[i], d, file, text, len, sink);
  if (!row_of(skeleton))
    return errors;
  /* A parameter without a Default must get its value from the parent. */
  const hg_doc *params = hg_doc_get(d, "Parameters");
  for (size_t i = 0; params && params->kind == HG_DOC_MAP && i < params->n; i++) {
    const hg_plan_param *row = hg_plan_param_find(params->keys[i]);
    if (row) {
      /* It gets the parent's value: the types must agree (the needs
       * checked the rows that name this stack). */
      bool needed = false;
      for (size_t k = 0; k < n && k < HG_COUNTOF(needs); k++)
        needed = needed || (needs[k].kind == HG_NEED_PARAMETER && strcmp(needs[k].name, row->name) == 0);
      const char *type = hg_doc_get_str(params->items[i], "Type");
      if (needed || (type && strcmp(type, hg_plan_param_type(row)) == 0))
        continue;
      const char *path[3] = {"Parameters", params->keys[i], "Type"};
      place at;
      if (!find_place(text, len, path, 3, true, &at) && !find_place(text, len, path, 2, false, &at))
        at = section_place(text, len, "Parameters");
      hg_diag *g = add_at(sink, file, at, "template-parameter-type",
                          xasprintf("parameter %s must have Type %s", row->name, hg_plan_param_type(row)));
      hg_diag_note(g, "the parent passes it the profile's %s", row->path);
      errors++;
      continue;
    }
    if (hg_doc_get(params->items[i], "Default"))
      continue;
    const char *path[2] = {"Parameters", params->keys[i]};
    place at;
    if (!find_place(text, len, path, 2, false, &at))
      at = section_place(text, len, "Parameters");
    hg_diag *g = add_at(sink, file, at, "template-parameter-unset",
                        xasprintf("parameter %s has no Default and no value from the profile", params->keys[i]));
    hg_buf names;
    hg_buf_init(&names);
    for (size_t k = 0; k < hg_plan_n_params; k++)
      hg_buf_printf(&names, "%s%s", k ? ", " : "", hg_plan_params[k].name);
    hg_diag_note(g, "give it a Default; the values hardengen passes are %s", names.data);
    hg_buf_free(&names);
    errors++;
  }
  return errors;
}
