/*
 * plan_stackset.c — the flattened member template of a service-managed
 * StackSet and the rules cfn-lint misses (see stackset.h for the rules of
 * the merge and of the Regions).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "hg/iam.h"
#include "hg/plan_model.h"
#include "hg/s3.h"
#include "hg/stackset.h"
#include "hg/util.h"
#include "plan_int.h"

#define COND_HOME "IsHomeRegion"
#define PARAM_HOME "HomeRegion"

/* ---- string sets and maps ---- */

typedef struct strmap {
  char **k;
  hg_doc **v;       /* for renames: v is NULL and r holds the new name */
  char **r;
  size_t n, cap;
} strmap;

static long sm_find(const strmap *m, const char *k)
{
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->k[i], k) == 0)
      return (long)i;
  return -1;
}

static void sm_put(strmap *m, const char *k, const char *r, hg_doc *v)
{
  if (m->n == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 16;
    m->k = xrealloc(m->k, m->cap * sizeof *m->k);
    m->v = xrealloc(m->v, m->cap * sizeof *m->v);
    m->r = xrealloc(m->r, m->cap * sizeof *m->r);
  }
  m->k[m->n] = xstrdup(k);
  m->r[m->n] = r ? xstrdup(r) : NULL;
  m->v[m->n] = v;
  m->n++;
}

static const char *sm_rename(const strmap *m, const char *k)
{
  long i = sm_find(m, k);
  return i >= 0 && m->r[i] ? m->r[i] : NULL;
}

static void sm_free(strmap *m)
{
  for (size_t i = 0; i < m->n; i++) {
    free(m->k[i]);
    free(m->r[i]);
    hg_doc_free(m->v[i]);
  }
  free(m->k);
  free(m->v);
  free(m->r);
  memset(m, 0, sizeof *m);
}

/* ---- the rewriter ---- */

typedef struct rw {
  const strmap *ids;    /* resource/parameter renames */
  const strmap *conds;  /* condition renames */
  const strmap *subst;  /* parameter -> value (v) */
  const strmap *outs;   /* "Stack.Outputs.X" -> value (v) */
} rw;

static bool is_fn(const hg_doc *d, const char *name)
{
  return d && d->kind == HG_DOC_MAP && d->n == 1 && strcmp(d->keys[0], name) == 0;
}

/* Rewrite the ${...} of a Fn::Sub string; local names (the variable map of
 * the two-argument form) are left alone. Variables replaced by a value that
 * is not text are added to *vars. */
static char *rw_sub_text(const rw *x, const char *s, const hg_doc *local, hg_doc **vars)
{
  hg_buf b;
  hg_buf_init(&b);
  const char *p = s;
  while (*p) {
    const char *open = strstr(p, "${");
    if (!open) {
      hg_buf_append(&b, p, strlen(p));
      break;
    }
    hg_buf_append(&b, p, (size_t)(open - p));
    const char *close = strchr(open, '}');
    if (!close || open[2] == '!') {
      hg_buf_append(&b, open, 2);
      p = open + 2;
      continue;
    }
    char *name = xstrndup(open + 2, (size_t)(close - open - 2));
    p = close + 1;
    char *dot = strchr(name, '.');
    if (local && hg_doc_get(local, name)) {
      hg_buf_printf(&b, "${%s}", name);
    } else if (dot) {
      *dot = '\0';
      const char *r = x->ids ? sm_rename(x->ids, name) : NULL;
      hg_buf_printf(&b, "${%s.%s}", r ? r : name, dot + 1);
    } else {
      long i = x->subst ? sm_find(x->subst, name) : -1;
      const char *r = x->ids ? sm_rename(x->ids, name) : NULL;
      if (i >= 0) {
        const hg_doc *v = x->subst->v[i];
        if (v->kind == HG_DOC_STR && !strstr(v->str, "${"))
          hg_buf_append(&b, v->str, strlen(v->str));
        else if (v->kind == HG_DOC_INT)
          hg_buf_printf(&b, "%lld", v->num);
        else if (is_fn(v, "Fn::Sub") && v->items[0]->kind == HG_DOC_STR)
          hg_buf_append(&b, v->items[0]->str, strlen(v->items[0]->str));
        else {
          if (!*vars)
            *vars = hg_doc_map();
          if (!hg_doc_get(*vars, name))
            hg_doc_set(*vars, name, hg_doc_clone(v));
          hg_buf_printf(&b, "${%s}", name);
        }
      } else {
        hg_buf_printf(&b, "${%s}", r ? r : name);
      }
    }
    free(name);
  }
  size_t len;
  return hg_buf_take(&b, &len);
}

static hg_doc *rw_node(const rw *x, hg_doc *d);

static hg_doc *rw_node(const rw *x, hg_doc *d)
{
  if (d->kind == HG_DOC_SEQ) {
    for (size_t i = 0; i < d->n; i++)
      d->items[i] = rw_node(x, d->items[i]);
    return d;
  }
  if (d->kind != HG_DOC_MAP)
    return d;
  if (is_fn(d, "Ref") && d->items[0]->kind == HG_DOC_STR) {
    const char *name = d->items[0]->str;
    long i = x->subst ? sm_find(x->subst, name) : -1;
    if (i >= 0) {
      hg_doc *v = hg_doc_clone(x->subst->v[i]);
      hg_doc_free(d);
      return v;
    }
    const char *r = x->ids ? sm_rename(x->ids, name) : NULL;
    if (r) {
      free(d->items[0]->str);
      d->items[0]->str = xstrdup(r);
    }
    return d;
  }
  if (is_fn(d, "Fn::GetAtt")) {
    hg_doc *a = d->items[0];
    char *res = NULL, *attr = NULL;
    if (a->kind == HG_DOC_SEQ && a->n == 2 && a->items[0]->kind == HG_DOC_STR &&
        a->items[1]->kind == HG_DOC_STR) {
      res = xstrdup(a->items[0]->str);
      attr = xstrdup(a->items[1]->str);
    } else if (a->kind == HG_DOC_STR && strchr(a->str, '.')) {
      res = xstrndup(a->str, (size_t)(strchr(a->str, '.') - a->str));
      attr = xstrdup(strchr(a->str, '.') + 1);
    }
    if (res) {
      char *key = xasprintf("%s.%s", res, attr);
      long i = x->outs ? sm_find(x->outs, key) : -1;
      free(key);
      if (i >= 0) {
        free(res);
        free(attr);
        hg_doc *v = hg_doc_clone(x->outs->v[i]);
        hg_doc_free(d);
        return v;
      }
      const char *r = x->ids ? sm_rename(x->ids, res) : NULL;
      if (r) {
        hg_doc *seq = hg_doc_seq();
        hg_doc_push_str(seq, r);
        hg_doc_push_str(seq, attr);
        hg_doc_free(d->items[0]);
        d->items[0] = seq;
      }
      free(res);
      free(attr);
      return d;
    }
  }
  if (is_fn(d, "Fn::Sub")) {
    hg_doc *a = d->items[0];
    hg_doc *vars = NULL;
    if (a->kind == HG_DOC_STR) {
      char *t = rw_sub_text(x, a->str, NULL, &vars);
      free(a->str);
      a->str = t;
      if (vars) {
        hg_doc *seq = hg_doc_seq();
        hg_doc_push(seq, a);
        hg_doc_push(seq, vars);
        d->items[0] = seq;
      }
      return d;
    }
    if (a->kind == HG_DOC_SEQ && a->n == 2 && a->items[0]->kind == HG_DOC_STR &&
        a->items[1]->kind == HG_DOC_MAP) {
      hg_doc *local = a->items[1];
      for (size_t i = 0; i < local->n; i++)
        local->items[i] = rw_node(x, local->items[i]);
      char *t = rw_sub_text(x, a->items[0]->str, local, &vars);
      free(a->items[0]->str);
      a->items[0]->str = t;
      for (size_t i = 0; vars && i < vars->n; i++) {
        hg_doc_set(local, vars->keys[i], vars->items[i]);
        vars->items[i] = NULL;
        free(vars->keys[i]);
      }
      if (vars) {
        vars->n = 0;
        hg_doc_free(vars);
      }
      return d;
    }
  }
  if (is_fn(d, "Condition") && d->items[0]->kind == HG_DOC_STR) {
    const char *r = x->conds ? sm_rename(x->conds, d->items[0]->str) : NULL;
    if (r) {
      free(d->items[0]->str);
      d->items[0]->str = xstrdup(r);
    }
    return d;
  }
  if (is_fn(d, "Fn::If") && d->items[0]->kind == HG_DOC_SEQ && d->items[0]->n == 3 &&
      d->items[0]->items[0]->kind == HG_DOC_STR) {
    hg_doc *c = d->items[0]->items[0];
    const char *r = x->conds ? sm_rename(x->conds, c->str) : NULL;
    if (r) {
      free(c->str);
      c->str = xstrdup(r);
    }
    for (size_t i = 1; i < 3; i++)
      d->items[0]->items[i] = rw_node(x, d->items[0]->items[i]);
    return d;
  }
  for (size_t i = 0; i < d->n; i++)
    d->items[i] = rw_node(x, d->items[i]);
  return d;
}

/* DependsOn and Condition attributes of a resource or output. */
static void rw_attrs(const rw *x, hg_doc *r)
{
  hg_doc *dep = hg_doc_get(r, "DependsOn");
  if (dep && dep->kind == HG_DOC_STR) {
    const char *n = sm_rename(x->ids, dep->str);
    if (n) {
      free(dep->str);
      dep->str = xstrdup(n);
    }
  } else if (dep && dep->kind == HG_DOC_SEQ) {
    for (size_t i = 0; i < dep->n; i++)
      if (dep->items[i]->kind == HG_DOC_STR) {
        const char *n = sm_rename(x->ids, dep->items[i]->str);
        if (n) {
          free(dep->items[i]->str);
          dep->items[i]->str = xstrdup(n);
        }
      }
  }
  hg_doc *cond = hg_doc_get(r, "Condition");
  if (cond && cond->kind == HG_DOC_STR) {
    const char *n = sm_rename(x->conds, cond->str);
    if (n) {
      free(cond->str);
      cond->str = xstrdup(n);
    }
  }
}

/* ---- references between resources ---- */

/* Add to out every name n of names that d refers to (Ref, GetAtt, Sub). */
static void refs_of(const hg_doc *d, const hg_doc *names, strmap *out)
{
  if (!d)
    return;
  if (d->kind == HG_DOC_SEQ) {
    for (size_t i = 0; i < d->n; i++)
      refs_of(d->items[i], names, out);
    return;
  }
  if (d->kind != HG_DOC_MAP)
    return;
  const char *hit = NULL;
  if (is_fn(d, "Ref") && d->items[0]->kind == HG_DOC_STR)
    hit = d->items[0]->str;
  else if (is_fn(d, "Fn::GetAtt")) {
    const hg_doc *a = d->items[0];
    if (a->kind == HG_DOC_SEQ && a->n > 0 && a->items[0]->kind == HG_DOC_STR)
      hit = a->items[0]->str;
    else if (a->kind == HG_DOC_STR) {
      char *r = xstrndup(a->str, strcspn(a->str, "."));
      if (hg_doc_get(names, r) && sm_find(out, r) < 0)
        sm_put(out, r, NULL, NULL);
      free(r);
    }
  } else if (is_fn(d, "Fn::Sub")) {
    const hg_doc *a = d->items[0];
    const char *s = a->kind == HG_DOC_STR ? a->str
                    : a->kind == HG_DOC_SEQ && a->n > 0 && a->items[0]->kind == HG_DOC_STR
                        ? a->items[0]->str
                        : NULL;
    for (const char *p = s ? strstr(s, "${") : NULL; p; p = strstr(p + 2, "${")) {
      if (p[2] == '!')
        continue;
      size_t n = strcspn(p + 2, ".}");
      char *r = xstrndup(p + 2, n);
      if (hg_doc_get(names, r) && sm_find(out, r) < 0)
        sm_put(out, r, NULL, NULL);
      free(r);
    }
  }
  if (hit && hg_doc_get(names, hit) && sm_find(out, hit) < 0)
    sm_put(out, hit, NULL, NULL);
  for (size_t i = 0; i < d->n; i++)
    refs_of(d->items[i], names, out);
}

/* Every resource of res that r refers to or depends on. */
static void deps_of(const hg_doc *r, const hg_doc *res, strmap *out)
{
  refs_of(hg_doc_get(r, "Properties"), res, out);
  const hg_doc *dep = hg_doc_get(r, "DependsOn");
  if (dep && dep->kind == HG_DOC_STR && hg_doc_get(res, dep->str) && sm_find(out, dep->str) < 0)
    sm_put(out, dep->str, NULL, NULL);
  for (size_t i = 0; dep && dep->kind == HG_DOC_SEQ && i < dep->n; i++)
    if (dep->items[i]->kind == HG_DOC_STR && hg_doc_get(res, dep->items[i]->str) &&
        sm_find(out, dep->items[i]->str) < 0)
      sm_put(out, dep->items[i]->str, NULL, NULL);
}

/* Move the last key of a resource map to just after Type (and Condition),
 * where the skeletons write attributes. */
static void settle_attr(hg_doc *r)
{
  if (r->kind != HG_DOC_MAP || r->n < 2)
    return;
  size_t at = 0;
  while (at < r->n - 1 && (strcmp(r->keys[at], "Type") == 0 || strcmp(r->keys[at], "Condition") == 0))
    at++;
  char *k = r->keys[r->n - 1];
  hg_doc *v = r->items[r->n - 1];
  memmove(&r->keys[at + 1], &r->keys[at], (r->n - 1 - at) * sizeof *r->keys);
  memmove(&r->items[at + 1], &r->items[at], (r->n - 1 - at) * sizeof *r->items);
  r->keys[at] = k;
  r->items[at] = v;
}

static void add_depends(hg_doc *r, const char *target)
{
  hg_doc *dep = hg_doc_get(r, "DependsOn");
  if (dep && dep->kind == HG_DOC_STR) {
    if (strcmp(dep->str, target) == 0)
      return;
    hg_doc *seq = hg_doc_seq();
    hg_doc_push_str(seq, dep->str);
    hg_plan_doc_put(r, "DependsOn", seq);
    dep = seq;
  }
  if (!dep) {
    /* DependsOn after Type (and Condition), as the skeletons write it. */
    hg_doc_set_str(r, "DependsOn", target);
    settle_attr(r);
    return;
  }
  for (size_t i = 0; i < dep->n; i++)
    if (dep->items[i]->kind == HG_DOC_STR && strcmp(dep->items[i]->str, target) == 0)
      return;
  hg_doc_push_str(dep, target);
}

/* ---- Regions: rows ---- */

/* Types that must exist in every Region of the StackSet. */
static const char *const every_region_types[] = {
    "AWS::Config::ConfigurationRecorder", "AWS::Config::DeliveryChannel",
    "AWS::Config::ConfigRule",            "AWS::Config::ConformancePack",
    "AWS::GuardDuty::Detector",           "AWS::SecurityHub::Hub",
    "AWS::AccessAnalyzer::Analyzer",      NULL,
};

/* Name properties of resources whose names are global to the account (IAM)
 * or the partition (S3): suffixed with the Region when deployed everywhere. */
static const struct {
  const char *type, *prop;
} global_names[] = {
    {"AWS::IAM::Role", "RoleName"},
    {"AWS::IAM::ManagedPolicy", "ManagedPolicyName"},
    {"AWS::IAM::User", "UserName"},
    {"AWS::IAM::Group", "GroupName"},
    {"AWS::IAM::InstanceProfile", "InstanceProfileName"},
    {"AWS::S3::Bucket", "BucketName"},
    {NULL, NULL},
};

/* Properties whose value holds in the home Region only (else the given value). */
static const struct {
  const char *type, *path1, *path2;
  bool other;
} home_values[] = {
    {"AWS::Config::ConfigurationRecorder", "RecordingGroup", "IncludeGlobalResourceTypes", false},
    {NULL, NULL, NULL, false},
};

static bool in_types(const char *const *types, const char *t)
{
  for (size_t i = 0; t && types[i]; i++)
    if (strcmp(types[i], t) == 0)
      return true;
  return false;
}

static bool is_multi_region_trail(const hg_doc *r)
{
  const char *t = hg_doc_get_str(r, "Type");
  const hg_doc *m = hg_doc_get(hg_doc_get(r, "Properties"), "IsMultiRegionTrail");
  return t && strcmp(t, "AWS::CloudTrail::Trail") == 0 && m && m->kind == HG_DOC_BOOL && m->b;
}

/* Set the condition of a resource or output to IsHomeRegion (and its own). */
static void set_home(hg_doc *r, hg_doc *conds)
{
  hg_doc *c = hg_doc_get(r, "Condition");
  if (!c) {
    hg_doc_set_str(r, "Condition", COND_HOME);
    if (hg_doc_get(r, "Type"))
      settle_attr(r);
    return;
  }
  if (c->kind != HG_DOC_STR || strcmp(c->str, COND_HOME) == 0)
    return;
  char *name = xasprintf("%sIn%s", c->str, PARAM_HOME);
  if (!hg_doc_get(conds, name)) {
    hg_doc *and = hg_doc_map();
    hg_doc *seq = hg_doc_set_seq(and, "Fn::And");
    hg_doc *a = hg_doc_map();
    hg_doc_set_str(a, "Condition", c->str);
    hg_doc_push(seq, a);
    hg_doc *b = hg_doc_map();
    hg_doc_set_str(b, "Condition", COND_HOME);
    hg_doc_push(seq, b);
    hg_doc_set(conds, name, and);
  }
  free(c->str);
  c->str = name;
}

static int apply_regions(hg_doc *out, const char *file, hg_diag_sink *sink)
{
  hg_doc *res = hg_doc_get(out, "Resources");
  hg_doc *conds = hg_doc_get(out, "Conditions");
  size_t n = res->n;
  bool *every = xcalloc(n + 1, sizeof *every);
  strmap *deps = xcalloc(n + 1, sizeof *deps);
  for (size_t i = 0; i < n; i++) {
    deps_of(res->items[i], res, &deps[i]);
    every[i] = in_types(every_region_types, hg_doc_get_str(res->items[i], "Type"));
  }
  /* Everything an every-Region resource needs is deployed everywhere too. */
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < n; i++)
      for (size_t k = 0; every[i] && k < deps[i].n; k++)
        for (size_t j = 0; j < n; j++)
          if (!every[j] && strcmp(res->keys[j], deps[i].k[k]) == 0)
            every[j] = changed = true;
  }
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    hg_doc *r = res->items[i];
    const char *type = hg_doc_get_str(r, "Type");
    if (every[i] && is_multi_region_trail(r)) {
      hg_diag_add(sink, HG_SEV_ERROR, file, 0, 0, "stackset-region",
                  "the multi-Region trail %s is needed by a resource deployed in every Region; "
                  "it must live in the home Region only",
                  res->keys[i]);
      rc = -1;
    }
    if (!every[i]) {
      set_home(r, conds);
      continue;
    }
    hg_doc *props = hg_doc_get(r, "Properties");
    for (size_t k = 0; global_names[k].type; k++) {
      hg_doc *name = hg_doc_get(props, global_names[k].prop);
      if (!type || strcmp(type, global_names[k].type) != 0 || !name)
        continue;
      hg_doc *sub = NULL;
      if (name->kind == HG_DOC_STR) {
        char *t = xasprintf("%s-${AWS::Region}", name->str);
        sub = hg_doc_sub(t);
        free(t);
      } else if (is_fn(name, "Fn::Sub") && name->items[0]->kind == HG_DOC_STR) {
        char *t = xasprintf("%s-${AWS::Region}", name->items[0]->str);
        sub = hg_doc_sub(t);
        free(t);
      } else {
        sub = hg_doc_map();
        hg_doc *join = hg_doc_set_seq(sub, "Fn::Join");
        hg_doc_push_str(join, "-");
        hg_doc *parts = hg_doc_push(join, hg_doc_seq());
        hg_doc_push(parts, hg_doc_clone(name));
        hg_doc_push(parts, hg_doc_ref("AWS::Region"));
      }
      hg_plan_doc_put(props, global_names[k].prop, sub);
    }
    for (size_t k = 0; home_values[k].type; k++) {
      hg_doc *grp = hg_doc_get(props, home_values[k].path1);
      hg_doc *v = hg_doc_get(grp, home_values[k].path2);
      if (!type || strcmp(type, home_values[k].type) != 0 || !v)
        continue;
      hg_doc *f = hg_doc_map();
      hg_doc *seq = hg_doc_set_seq(f, "Fn::If");
      hg_doc_push_str(seq, COND_HOME);
      hg_doc_push(seq, hg_doc_clone(v));
      hg_doc_push(seq, hg_doc_bool(home_values[k].other));
      hg_plan_doc_put(grp, home_values[k].path2, f);
    }
  }
  /* Outputs that name a home-only resource exist in the home Region only. */
  hg_doc *outs = hg_doc_get(out, "Outputs");
  for (size_t i = 0; outs && i < outs->n; i++) {
    strmap used = {0};
    refs_of(outs->items[i], res, &used);
    bool home = false;
    for (size_t k = 0; k < used.n; k++)
      for (size_t j = 0; j < n; j++)
        if (!every[j] && strcmp(res->keys[j], used.k[k]) == 0)
          home = true;
    if (home)
      set_home(outs->items[i], conds);
    sm_free(&used);
  }
  for (size_t i = 0; i < n; i++)
    sm_free(&deps[i]);
  free(deps);
  free(every);
  return rc;
}

/* ---- the merge ---- */

typedef struct stack_member {
  char *stack;          /* the parent's logical id of the stack */
  char **ids;           /* the child's resources, renamed */
  size_t n;
} stack_member;

/* A free logical id: id itself, else PREFIX+id, else PREFIX+id+N. */
static char *free_id(const hg_doc *taken1, const hg_doc *taken2, const strmap *pending,
                     const char *prefix, const char *id)
{
  char *c = xstrdup(id);
  for (int k = 1;; k++) {
    if (!hg_doc_get(taken1, c) && !(taken2 && hg_doc_get(taken2, c)) &&
        !(pending && sm_find(pending, c) >= 0))
      return c;
    free(c);
    c = k == 1 ? xasprintf("%s%s", prefix, id) : xasprintf("%s%s%d", prefix, id, k);
  }
}

static const hg_plan_template *child_for(const hg_doc *stack, const hg_plan_template *ts,
                                         size_t n)
{
  const hg_doc *url = hg_doc_get(hg_doc_get(stack, "Properties"), "TemplateURL");
  const char *s = url && url->kind == HG_DOC_STR ? url->str : hg_doc_get_str(url, "Fn::Sub");
  if (!s)
    return NULL;
  const char *base = strrchr(s, '/');
  const char *brace = strrchr(s, '}');
  if (!base || (brace && brace > base))
    base = brace;
  base = base ? base + 1 : s;
  for (size_t i = 0; i < n; i++)
    if (strcmp(ts[i].name, base) == 0)
      return &ts[i];
  return NULL;
}

static bool mentions(const hg_doc *d, const char *text)
{
  if (!d)
    return false;
  if (d->kind == HG_DOC_STR)
    return strstr(d->str, text) != NULL;
  for (size_t i = 0; i < d->n; i++)
    if ((d->kind == HG_DOC_MAP && strstr(d->keys[i], text)) || mentions(d->items[i], text))
      return true;
  return false;
}

static bool is_stack(const hg_doc *r)
{
  const char *t = hg_doc_get_str(r, "Type");
  return t && strcmp(t, "AWS::CloudFormation::Stack") == 0;
}

static void prune_unused_params(hg_doc *out)
{
  hg_doc *params = hg_doc_get(out, "Parameters");
  for (size_t i = 0; params && i < params->n;) {
    strmap used = {0};
    hg_doc *one = hg_doc_map();
    hg_doc_set(one, params->keys[i], hg_doc_map());
    hg_doc *sections[] = {hg_doc_get(out, "Conditions"), hg_doc_get(out, "Resources"),
                          hg_doc_get(out, "Outputs"), hg_doc_get(out, "Rules")};
    for (size_t s = 0; s < 4; s++)
      refs_of(sections[s], one, &used);
    hg_doc_free(one);
    bool keep = used.n > 0;
    sm_free(&used);
    if (keep) {
      i++;
      continue;
    }
    free(params->keys[i]);
    hg_doc_free(params->items[i]);
    memmove(&params->keys[i], &params->keys[i + 1], (params->n - i - 1) * sizeof *params->keys);
    memmove(&params->items[i], &params->items[i + 1], (params->n - i - 1) * sizeof *params->items);
    params->n--;
  }
}

hg_doc *hg_stackset_flatten(const hg_doc *parent, const char *parent_name,
                            const hg_plan_template *ts, size_t nts, const hg_flatten_opts *o,
                            hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  hg_doc *out = hg_doc_map();
  hg_doc_set_str(out, "AWSTemplateFormatVersion", "2010-09-09");
  hg_doc_set_str(out, "Description",
                 "hardengen account hardening - the whole stack set in one template for a "
                 "service-managed StackSet (no nested stacks); the trail, its bucket, the alarms "
                 "and global-resource recording live in HomeRegion only");
  hg_doc *params = hg_doc_set_map(out, "Parameters");
  const hg_doc *pp = hg_doc_get(parent, "Parameters");
  for (size_t i = 0; pp && i < pp->n; i++)
    hg_doc_set(params, pp->keys[i], hg_doc_clone(pp->items[i]));
  hg_doc *home = hg_doc_set_map(params, PARAM_HOME);
  hg_doc_set_str(home, "Type", "String");
  hg_doc_set_str(home, "Description",
                 "The Region of the multi-Region trail, its log bucket, the alarms and the "
                 "recording of global resources (IAM)");
  hg_doc_set_str(home, "AllowedPattern", "^[a-z]{2}(-gov)?-[a-z]+-[0-9]$");
  hg_doc_set_str(home, "Default", o->home_region);

  /* Rules that pin one account cannot hold for an organization. */
  const hg_doc *rules = hg_doc_get(parent, "Rules");
  hg_doc *keep_rules = hg_doc_map();
  for (size_t i = 0; rules && i < rules->n; i++)
    if (!mentions(rules->items[i], "AWS::AccountId"))
      hg_doc_set(keep_rules, rules->keys[i], hg_doc_clone(rules->items[i]));
  if (keep_rules->n)
    hg_doc_set(out, "Rules", keep_rules);
  else
    hg_doc_free(keep_rules);

  hg_doc *conds = hg_doc_set_map(out, "Conditions");
  const hg_doc *pc = hg_doc_get(parent, "Conditions");
  for (size_t i = 0; pc && i < pc->n; i++)
    hg_doc_set(conds, pc->keys[i], hg_doc_clone(pc->items[i]));
  if (!hg_doc_get(conds, COND_HOME)) {
    hg_doc *eq = hg_doc_set_seq(hg_doc_set_map(conds, COND_HOME), "Fn::Equals");
    hg_doc_push(eq, hg_doc_ref("AWS::Region"));
    hg_doc_push(eq, hg_doc_ref(PARAM_HOME));
  }
  hg_doc *res = hg_doc_set_map(out, "Resources");

  /* The per-account parameter: its references become NAME-ACCOUNT. */
  strmap parent_subst = {0};
  if (o->per_account_param && hg_doc_get(params, o->per_account_param)) {
    char *t = xasprintf("${%s}-${AWS::AccountId}", o->per_account_param);
    sm_put(&parent_subst, o->per_account_param, NULL, hg_doc_sub(t));
    free(t);
  }

  const hg_doc *pres = hg_doc_get(parent, "Resources");
  stack_member *members = xcalloc((pres ? pres->n : 0) + 1, sizeof *members);
  size_t n_members = 0;
  strmap outs = {0}; /* Stack.Outputs.X -> value */

  for (size_t i = 0; pres && i < pres->n; i++) {
    const hg_doc *st = pres->items[i];
    if (!is_stack(st))
      continue;
    const char *sid = pres->keys[i];
    const hg_plan_template *t = child_for(st, ts, nts);
    if (!t) {
      hg_diag_add(sink, HG_SEV_ERROR, parent_name, 0, 0, "stackset-child",
                  "the stack %s names a template that is not part of the build", sid);
      continue;
    }
    hg_doc *ch = hg_doc_clone(t->doc);
    char *prefix = xstrdup(sid);
    char *stk = strstr(prefix, "Stack");
    if (stk && stk != prefix)
      memmove(stk, stk + 5, strlen(stk + 5) + 1);

    strmap ids = {0}, cnds = {0}, subst = {0};
    /* Child parameters: renamed to the parent's, replaced by a value, or kept. */
    const hg_doc *given = hg_doc_get(hg_doc_get(st, "Properties"), "Parameters");
    hg_doc *cps = hg_doc_get(ch, "Parameters");
    hg_doc *kept = hg_doc_map();
    for (size_t k = 0; cps && k < cps->n; k++) {
      const char *pn = cps->keys[k];
      const hg_doc *v = hg_doc_get(given, pn);
      if (v && is_fn(v, "Ref") && v->items[0]->kind == HG_DOC_STR &&
          hg_doc_get(params, v->items[0]->str) &&
          sm_find(&parent_subst, v->items[0]->str) < 0) {
        sm_put(&ids, pn, v->items[0]->str, NULL);
      } else if (v) {
        hg_doc *val = hg_doc_clone(v);
        rw px = {.subst = &parent_subst, .outs = &outs};
        val = rw_node(&px, val);
        sm_put(&subst, pn, NULL, val);
      } else if (hg_doc_get(cps->items[k], "Default")) {
        char *nid = free_id(params, res, &ids, prefix, pn);
        if (strcmp(nid, pn) != 0)
          sm_put(&ids, pn, nid, NULL);
        hg_doc_set(kept, nid, hg_doc_clone(cps->items[k]));
        free(nid);
      } else {
        hg_diag_add(sink, HG_SEV_ERROR, t->name, 0, 0, "stackset-parameter",
                    "parameter %s of %s has no value in the parent's %s and no Default", pn,
                    t->name, sid);
      }
    }
    /* Resource and condition ids: renamed only on a collision. */
    hg_doc *cres = hg_doc_get(ch, "Resources");
    for (size_t k = 0; cres && k < cres->n; k++) {
      char *nid = free_id(params, res, NULL, prefix, cres->keys[k]);
      while (hg_doc_get(kept, nid) || (sm_find(&ids, nid) >= 0 && strcmp(nid, cres->keys[k]))) {
        char *again = xasprintf("%s%s", prefix, nid);
        free(nid);
        nid = again;
      }
      if (strcmp(nid, cres->keys[k]) != 0)
        sm_put(&ids, cres->keys[k], nid, NULL);
      free(nid);
    }
    hg_doc *ccond = hg_doc_get(ch, "Conditions");
    for (size_t k = 0; ccond && k < ccond->n; k++) {
      char *nid = free_id(conds, NULL, NULL, prefix, ccond->keys[k]);
      if (strcmp(nid, ccond->keys[k]) != 0)
        sm_put(&cnds, ccond->keys[k], nid, NULL);
      free(nid);
    }
    rw x = {.ids = &ids, .conds = &cnds, .subst = &subst, .outs = NULL};
    const char *stack_cond = hg_doc_get_str(st, "Condition");
    for (size_t k = 0; ccond && k < ccond->n; k++) {
      const char *nn = sm_rename(&cnds, ccond->keys[k]);
      hg_doc_set(conds, nn ? nn : ccond->keys[k], rw_node(&x, ccond->items[k]));
      ccond->items[k] = NULL;
    }
    for (size_t k = 0; k < kept->n; k++) {
      hg_doc_set(params, kept->keys[k], kept->items[k]);
      kept->items[k] = NULL;
    }
    stack_member *m = &members[n_members++];
    m->stack = xstrdup(sid);
    m->ids = xcalloc((cres ? cres->n : 0) + 1, sizeof *m->ids);
    for (size_t k = 0; cres && k < cres->n; k++) {
      hg_doc *r = rw_node(&x, cres->items[k]);
      cres->items[k] = NULL;
      rw_attrs(&x, r);
      if (stack_cond) {
        if (!hg_doc_get(r, "Condition")) {
          hg_doc_set_str(r, "Condition", stack_cond);
          settle_attr(r);
        }
      }
      const char *nn = sm_rename(&ids, cres->keys[k]);
      m->ids[m->n++] = xstrdup(nn ? nn : cres->keys[k]);
      hg_doc_set(res, nn ? nn : cres->keys[k], r);
    }
    hg_doc *couts = hg_doc_get(ch, "Outputs");
    for (size_t k = 0; couts && k < couts->n; k++) {
      hg_doc *v = hg_doc_get(couts->items[k], "Value");
      if (!v)
        continue;
      char *key = xasprintf("%s.Outputs.%s", sid, couts->keys[k]);
      sm_put(&outs, key, NULL, rw_node(&x, hg_doc_clone(v)));
      free(key);
    }
    hg_doc_free(kept);
    hg_doc_free(ch);
    sm_free(&ids);
    sm_free(&cnds);
    sm_free(&subst);
    free(prefix);
  }

  /* The parent's own resources and outputs, with stack outputs resolved. */
  rw px = {.subst = &parent_subst, .outs = &outs};
  for (size_t i = 0; pres && i < pres->n; i++) {
    if (is_stack(pres->items[i]))
      continue;
    hg_doc *r = rw_node(&px, hg_doc_clone(pres->items[i]));
    hg_doc_set(res, pres->keys[i], r);
  }
  const hg_doc *pouts = hg_doc_get(parent, "Outputs");
  if (pouts && pouts->n) {
    hg_doc *oo = hg_doc_set_map(out, "Outputs");
    for (size_t i = 0; i < pouts->n; i++)
      hg_doc_set(oo, pouts->keys[i], rw_node(&px, hg_doc_clone(pouts->items[i])));
  }

  if (apply_regions(out, parent_name, sink) != 0)
    goto done;

  /* DependsOn between stacks -> between their resources in the same Regions. */
  for (size_t i = 0; pres && i < pres->n; i++) {
    const hg_doc *dep = hg_doc_get(pres->items[i], "DependsOn");
    if (!dep)
      continue;
    const char *one[1];
    const char **targets = one;
    size_t nt = 0;
    if (dep->kind == HG_DOC_STR)
      one[nt++] = dep->str;
    else if (dep->kind == HG_DOC_SEQ) {
      targets = xcalloc(dep->n + 1, sizeof *targets);
      for (size_t k = 0; k < dep->n; k++)
        if (dep->items[k]->kind == HG_DOC_STR)
          targets[nt++] = dep->items[k]->str;
    }
    stack_member *from = NULL;
    for (size_t k = 0; k < n_members; k++)
      if (strcmp(members[k].stack, pres->keys[i]) == 0)
        from = &members[k];
    /* The dependants: the child's first resources, or the parent's resource. */
    const char *self_one[1] = {pres->keys[i]};
    char **self = from ? from->ids : (char **)self_one;
    size_t nself = from ? from->n : 1;
    for (size_t s = 0; s < nself; s++) {
      hg_doc *r = hg_doc_get(res, self[s]);
      if (!r)
        continue;
      const char *rc = hg_doc_get_str(r, "Condition");
      if (from) {
        strmap d = {0};
        deps_of(r, res, &d);
        bool first = true;
        for (size_t k = 0; k < d.n && first; k++)
          for (size_t j = 0; j < from->n; j++)
            if (strcmp(d.k[k], from->ids[j]) == 0)
              first = false;
        sm_free(&d);
        if (!first)
          continue;
      }
      for (size_t t = 0; t < nt; t++) {
        stack_member *to = NULL;
        for (size_t k = 0; k < n_members; k++)
          if (strcmp(members[k].stack, targets[t]) == 0)
            to = &members[k];
        if (!to) {
          if (hg_doc_get(res, targets[t]))
            add_depends(r, targets[t]);
          continue;
        }
        /* Eligible: resources of the same condition, or of none. */
        hg_doc *elig = hg_doc_map();
        for (size_t j = 0; j < to->n; j++) {
          hg_doc *tr = hg_doc_get(res, to->ids[j]);
          const char *tc = hg_doc_get_str(tr, "Condition");
          if (tr && (!tc || (rc && strcmp(tc, rc) == 0)))
            hg_doc_set(elig, to->ids[j], hg_doc_bool(true));
        }
        for (size_t j = 0; j < elig->n; j++) {
          bool last = true;
          for (size_t q = 0; q < elig->n && last; q++) {
            if (q == j)
              continue;
            strmap d = {0};
            deps_of(hg_doc_get(res, elig->keys[q]), elig, &d);
            if (sm_find(&d, elig->keys[j]) >= 0)
              last = false;
            sm_free(&d);
          }
          if (last)
            add_depends(r, elig->keys[j]);
        }
        hg_doc_free(elig);
      }
    }
    if (targets != one)
      free(targets);
  }
  prune_unused_params(out);

done:
  for (size_t i = 0; i < n_members; i++) {
    for (size_t k = 0; k < members[i].n; k++)
      free(members[i].ids[k]);
    free(members[i].ids);
    free(members[i].stack);
  }
  free(members);
  sm_free(&outs);
  sm_free(&parent_subst);
  if (sink->errors > errors) {
    hg_doc_free(out);
    return NULL;
  }
  return out;
}

/* ---- the rules cfn-lint misses ---- */

static hg_diag *at_org(hg_diag_sink *sink, const hg_org *org, const char *code, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));
static hg_diag *at_org(hg_diag_sink *sink, const hg_org *org, const char *code, const char *fmt,
                       ...)
{
  const hg_yval *v = org ? org->node : NULL;
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(sink, HG_SEV_ERROR, v ? v->file : NULL, v ? v->line : 0,
                            v ? v->col : 0, code, fmt, ap);
  va_end(ap);
  return d;
}

int hg_stackset_check(const hg_doc *member, size_t len, const char *template_url,
                      const hg_org *org, hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  const hg_doc *res = hg_doc_get(member, "Resources");
  for (size_t i = 0; res && i < res->n; i++) {
    const char *t = hg_doc_get_str(res->items[i], "Type");
    if (t && (strcmp(t, "AWS::CloudFormation::Stack") == 0 ||
              strcmp(t, "AWS::CloudFormation::StackSet") == 0)) {
      hg_diag *d = at_org(sink, org, "stackset-nested",
                          "the member template holds %s; service-managed StackSets "
                          "cannot deploy nested stacks",
                          res->keys[i]);
      hg_diag_note(d, "type %s", t);
    }
  }
  if (hg_doc_get(member, "Transform"))
    at_org(sink, org, "stackset-nested",
           "the member template uses a Transform; the default StackSet execution role "
           "cannot run transforms or macros");
  if (len > HG_STACKSET_MAX_URL_BODY)
    at_org(sink, org, "stackset-size",
           "the member template is %zu bytes; a StackSet template read from S3 may hold "
           "1,000,000", len);
  if (template_url && strlen(template_url) > HG_STACKSET_MAX_URL)
    at_org(sink, org, "stackset-size", "the TemplateURL %.80s... is %zu characters; at most 5120",
           template_url, strlen(template_url));
  return (int)(sink->errors - errors);
}

/* ---- out/ENV/stackset/ ---- */

static void add_file(hg_plan *p, const char *name, char *text, size_t len)
{
  hg_plan_add_file(p, name, text, len, false);
}

static const char *member_capability(const hg_doc *member)
{
  const hg_doc *res = hg_doc_get(member, "Resources");
  bool iam = false;
  for (size_t i = 0; res && i < res->n; i++) {
    const char *t = hg_doc_get_str(res->items[i], "Type");
    if (!t || strncmp(t, "AWS::IAM::", 10) != 0)
      continue;
    iam = true;
    for (size_t k = 0; global_names[k].type; k++)
      if (strcmp(t, global_names[k].type) == 0 &&
          hg_doc_get(hg_doc_get(res->items[i], "Properties"), global_names[k].prop))
        return "CAPABILITY_NAMED_IAM";
  }
  return iam ? "CAPABILITY_IAM" : NULL;
}

static void push_kv(hg_doc *seq, const char *kname, const char *k, const char *vname,
                    const char *v)
{
  hg_doc *m = hg_doc_push(seq, hg_doc_map());
  hg_doc_set_str(m, kname, k);
  hg_doc_set_str(m, vname, v);
}

static hg_doc *stackset_input(const hg_compiled *c, const hg_org *org, const hg_doc *member,
                              const char *name, const char *url, const char *key,
                              const hg_plan_file *mf, const char *sha)
{
  const hg_profile *pr = c->profile;
  hg_doc *d = hg_doc_map();
  hg_doc *tm = hg_doc_set_map(d, "Template");
  hg_doc_set_str(tm, "File", mf->name);
  hg_doc_set_int(tm, "Bytes", (long long)mf->len);
  hg_doc_set_str(tm, "Sha256", sha);
  hg_doc_set_str(tm, "Bucket", pr->publish_bucket);
  hg_doc_set_str(tm, "Key", key);
  hg_doc_set_str(tm, "Region", pr->publish_region);

  hg_doc *cs = hg_doc_set_map(d, "CreateStackSet");
  hg_doc_set_str(cs, "StackSetName", name);
  hg_doc_set_str(cs, "Description", "hardengen account hardening, rolled out by OU");
  hg_doc_set_str(cs, "TemplateURL", url);
  hg_doc *ps = hg_doc_set_seq(cs, "Parameters");
  const hg_doc *params = hg_doc_get(member, "Parameters");
  for (size_t i = 0; params && i < params->n; i++) {
    const hg_doc *dv = hg_doc_get(params->items[i], "Default");
    if (!dv)
      continue;
    char *v = dv->kind == HG_DOC_INT ? xasprintf("%lld", dv->num)
              : dv->kind == HG_DOC_BOOL ? xstrdup(dv->b ? "true" : "false")
              : xstrdup(dv->kind == HG_DOC_STR ? dv->str : "");
    push_kv(ps, "ParameterKey", params->keys[i], "ParameterValue", v);
    free(v);
  }
  const char *cap = member_capability(member);
  if (cap)
    hg_doc_push_str(hg_doc_set_seq(cs, "Capabilities"), cap);
  hg_doc_set_str(cs, "PermissionModel", org->permission_model);
  hg_doc *ad = hg_doc_set_map(cs, "AutoDeployment");
  hg_doc_set_bool(ad, "Enabled", org->auto_deployment);
  if (org->auto_deployment)
    hg_doc_set_bool(ad, "RetainStacksOnAccountRemoval", org->retain_stacks);
  hg_doc_set_str(cs, "CallAs", org->call_as);
  hg_doc_set_bool(hg_doc_set_map(cs, "ManagedExecution"), "Active", true);
  if (pr->n_tags) {
    hg_doc *tags = hg_doc_set_seq(cs, "Tags");
    for (size_t i = 0; i < pr->n_tags; i++)
      push_kv(tags, "Key", pr->tag_keys[i], "Value", pr->tag_values[i]);
  }

  hg_doc *ci = hg_doc_set_map(d, "CreateStackInstances");
  hg_doc_set_str(ci, "StackSetName", name);
  hg_doc *ous = hg_doc_set_seq(hg_doc_set_map(ci, "DeploymentTargets"), "OrganizationalUnitIds");
  for (size_t i = 0; i < org->n_ou; i++)
    hg_doc_push_str(ous, org->ou_ids[i]);
  hg_doc *rs = hg_doc_set_seq(ci, "Regions");
  for (size_t i = 0; i < org->n_regions; i++)
    hg_doc_push_str(rs, org->regions[i]);
  hg_doc *op = hg_doc_set_map(ci, "OperationPreferences");
  if (org->region_concurrency)
    hg_doc_set_str(op, "RegionConcurrencyType", org->region_concurrency);
  if (org->n_region_order) {
    hg_doc *ro = hg_doc_set_seq(op, "RegionOrder");
    for (size_t i = 0; i < org->n_region_order; i++)
      hg_doc_push_str(ro, org->region_order[i]);
  }
  if (org->failure_tolerance_count >= 0)
    hg_doc_set_int(op, "FailureToleranceCount", org->failure_tolerance_count);
  if (org->failure_tolerance_percentage >= 0)
    hg_doc_set_int(op, "FailureTolerancePercentage", org->failure_tolerance_percentage);
  if (org->max_concurrent_count >= 0)
    hg_doc_set_int(op, "MaxConcurrentCount", org->max_concurrent_count);
  if (org->max_concurrent_percentage >= 0)
    hg_doc_set_int(op, "MaxConcurrentPercentage", org->max_concurrent_percentage);
  if (org->concurrency_mode)
    hg_doc_set_str(op, "ConcurrencyMode", org->concurrency_mode);
  hg_doc_set_str(ci, "CallAs", org->call_as);
  return d;
}

int hg_plan_stackset(const hg_compiled *c, hg_plan *p, hg_diag_sink *sink)
{
  const hg_profile *pr = c->profile;
  if (!hg_plan_stack_wanted(HG_STACK_MEMBER, pr))
    return 0;
  size_t errors = sink->errors;
  hg_org org;
  if (hg_org_read(pr->org, &org, sink) != 0 || p->n == 0) {
    hg_org_free(&org);
    return -1;
  }
  const hg_yval *at = pr->org;
  if (!pr->publish_bucket || !pr->publish_region) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, at->file, at->line, at->col, "org-missing",
                             "org needs publish.bucket and publish.region: `deploy` uploads the "
                             "member template there for the StackSet to read");
    d->span = at->span > 0 ? at->span : 1;
    hg_org_free(&org);
    return -1;
  }
  if (pr->logs_bucket && strlen(pr->logs_bucket) > 50) {
    const hg_yval *b = hg_yval_path(pr->tree, "logs.bucket");
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, b ? b->file : at->file, b ? b->line : at->line,
                             b ? b->col : at->col, "org-bucket-name",
                             "logs.bucket '%s' is longer than 50 characters; with org: each "
                             "account's bucket is named BUCKET-ACCOUNTID (at most 63)",
                             pr->logs_bucket);
    d->span = b && b->span > 0 ? b->span : 1;
    hg_org_free(&org);
    return -1;
  }
  const hg_plan_template *parent = &p->t[p->n - 1];
  hg_flatten_opts fo = {.home_region = org.home_region, .per_account_param = hg_plan_param_per_account()};
  hg_doc *member = hg_stackset_flatten(parent->doc, parent->name, p->t, p->n - 1, &fo, sink);
  if (!member) {
    hg_org_free(&org);
    return -1;
  }
  char *mname = xasprintf("%s.%s", hg_plan_stacks[HG_STACK_MEMBER].stem, hg_plan_ext(HG_PLAN_YAML));
  hg_plan_template mt = {.name = mname, .doc = member};
  hg_plan_emit(&mt, HG_PLAN_YAML);
  hg_plan_check_template(&mt, sink);
  hg_iam_lint_doc(member, mt.name, sink);

  const char *prefix = pr->publish_prefix ? pr->publish_prefix : "";
  size_t pl = strlen(prefix);
  char *key = xasprintf("%s%s%s/%s/%s", prefix, pl && prefix[pl - 1] != '/' ? "/" : "", p->env,
                        p->digest, mt.name);
  char *url = hg_s3_object_url(NULL, pr->publish_bucket, pr->publish_region, key);
  hg_stackset_check(member, mt.len, url, &org, sink);
  const char *name = org.stack_set_name;
  char *dflt = name ? NULL : xasprintf("hardengen-%s", p->env);
  add_file(p, mt.name, mt.text, mt.len);
  hg_doc *in = stackset_input(c, &org, member, name ? name : dflt, url, key,
                              &p->files[p->n_files - 1], mt.sha256);
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_json(in, &b);
  size_t len;
  char *text = hg_buf_take(&b, &len);
  add_file(p, HG_STACKSET_DIR "/stackset.json", text, len);
  hg_doc_free(in);
  hg_doc_free(member);
  free(mname);
  free(dflt);
  free(url);
  free(key);
  hg_org_free(&org);
  return sink->errors > errors ? -1 : 0;
}
