/*
 * org.c — the profile's org: block (see org.h): shape, values and the
 * StackSet API rules that hold on the profile alone.
 */
#include "hg/org.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hg/util.h"
#include "hg/validate.h"

static size_t span_alnum(const char *s)
{
  size_t n = 0;
  while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9'))
    n++;
  return n;
}

bool hg_org_valid_ou(const char *s)
{
  if (strncmp(s, "r-", 2) == 0) {
    size_t n = span_alnum(s + 2);
    return n >= 4 && n <= 32 && s[2 + n] == '\0';
  }
  if (strncmp(s, "ou-", 3) != 0)
    return false;
  size_t a = span_alnum(s + 3);
  if (a < 4 || a > 32 || s[3 + a] != '-')
    return false;
  size_t b = span_alnum(s + 4 + a);
  return b >= 8 && b <= 32 && s[4 + a + b] == '\0';
}

static hg_diag *at(hg_diag_sink *sink, const hg_yval *v, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static hg_diag *at(hg_diag_sink *sink, const hg_yval *v, const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(sink, HG_SEV_ERROR, v->file, v->line, v->col, code, fmt, ap);
  va_end(ap);
  d->span = v->span > 0 ? (v->span < 256 ? v->span : 256) : 1;
  return d;
}

/* One of names, else an error with a did-you-mean; returns the match or NULL. */
static const char *one_of(hg_diag_sink *sink, const hg_yval *v, const char *key,
                          const char *const *names)
{
  if (v->kind != HG_Y_STR) {
    at(sink, v, "org-type", "org.%s must be a string, not %s", key, hg_yval_kind_name(v->kind));
    return NULL;
  }
  for (size_t i = 0; names[i]; i++)
    if (strcmp(v->text, names[i]) == 0)
      return names[i];
  hg_buf b;
  hg_buf_init(&b);
  for (size_t i = 0; names[i]; i++)
    hg_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
  hg_diag *d = at(sink, v, "org-bad-value", "org.%s must be one of %s, not '%.80s'", key, b.data,
                  v->text);
  hg_buf_free(&b);
  const char *near = hg_did_you_mean(v->text, names, true);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
  return NULL;
}

static int int_in(hg_diag_sink *sink, const hg_yval *v, const char *key, int lo, int hi)
{
  if (v->kind != HG_Y_INT) {
    at(sink, v, "org-type", "org.preferences.%s must be an integer, not %s", key,
       hg_yval_kind_name(v->kind));
    return -1;
  }
  if (v->i < lo || v->i > hi) {
    at(sink, v, "org-bad-preference", "org.preferences.%s must be between %d and %d, not %lld", key,
       lo, hi, v->i);
    return -1;
  }
  return (int)v->i;
}

static const char **str_list(hg_diag_sink *sink, const hg_yval *v, const char *key, size_t *n,
                             const hg_yval ***nodes)
{
  *n = 0;
  if (v->kind != HG_Y_SEQ) {
    at(sink, v, "org-type", "org.%s must be a list of strings, not %s", key,
       hg_yval_kind_name(v->kind));
    return NULL;
  }
  const char **out = xcalloc(v->n + 1, sizeof *out);
  if (nodes)
    *nodes = xcalloc(v->n + 1, sizeof **nodes);
  for (size_t i = 0; i < v->n; i++) {
    const hg_yval *it = v->items[i];
    if (it->kind != HG_Y_STR) {
      at(sink, it, "org-type", "org.%s[%zu] must be a string, not %s", key, i,
         hg_yval_kind_name(it->kind));
      continue;
    }
    bool dup = false;
    for (size_t k = 0; k < *n; k++)
      if (strcmp(out[k], it->text) == 0)
        dup = true;
    if (dup) {
      at(sink, it, "org-duplicate", "org.%s lists '%.80s' twice", key, it->text);
      continue;
    }
    if (nodes)
      (*nodes)[*n] = it;
    out[(*n)++] = it->text;
  }
  return out;
}

static const char *const org_keys[] = {"ou_ids", "regions", "home_region", "call_as",
                                       "auto_deployment", "retain_stacks_on_account_removal",
                                       "permission_model", "stack_set_name", "preferences", NULL};
static const char *const pref_keys[] = {"region_concurrency", "region_order", "concurrency_mode",
                                        "max_concurrent_count", "max_concurrent_percentage",
                                        "failure_tolerance_count",
                                        "failure_tolerance_percentage", NULL};
static const char *const call_as_names[] = {"SELF", "DELEGATED_ADMIN", NULL};
static const char *const model_names[] = {"SERVICE_MANAGED", "SELF_MANAGED", NULL};
static const char *const concurrency_names[] = {"SEQUENTIAL", "PARALLEL", NULL};
static const char *const mode_names[] = {"STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE",
                                         NULL};

static void unknown_key(hg_diag_sink *sink, const hg_yval *key, const char *path,
                        const char *const *names)
{
  hg_diag *d = at(sink, key, "org-unknown-key", "unknown key '%.80s' in %s", key->text, path);
  const char *near = hg_did_you_mean(key->text, names, false);
  if (near)
    hg_diag_note(d, "did you mean '%s'?", near);
}

static bool in_list(const char *const *names, const char *s)
{
  for (size_t i = 0; names[i]; i++)
    if (strcmp(names[i], s) == 0)
      return true;
  return false;
}

static void read_prefs(const hg_yval *p, hg_org *o, hg_diag_sink *sink)
{
  const hg_yval *mcc = NULL, *mcp = NULL, *ftc = NULL, *ftp = NULL, *order = NULL;
  for (size_t i = 0; i < p->n; i++) {
    const char *k = p->keys[i];
    const hg_yval *v = p->items[i];
    if (!in_list(pref_keys, k))
      unknown_key(sink, p->key_nodes[i], "org.preferences", pref_keys);
    else if (strcmp(k, "region_concurrency") == 0)
      o->region_concurrency = one_of(sink, v, "preferences.region_concurrency", concurrency_names);
    else if (strcmp(k, "concurrency_mode") == 0)
      o->concurrency_mode = one_of(sink, v, "preferences.concurrency_mode", mode_names);
    else if (strcmp(k, "region_order") == 0) {
      order = v;
      o->region_order = str_list(sink, v, "preferences.region_order", &o->n_region_order, NULL);
    } else if (strcmp(k, "max_concurrent_count") == 0) {
      mcc = v;
      o->max_concurrent_count = int_in(sink, v, k, 1, 1000000);
    } else if (strcmp(k, "max_concurrent_percentage") == 0) {
      mcp = v;
      o->max_concurrent_percentage = int_in(sink, v, k, 1, 100);
    } else if (strcmp(k, "failure_tolerance_count") == 0) {
      ftc = v;
      o->failure_tolerance_count = int_in(sink, v, k, 0, 1000000);
    } else if (strcmp(k, "failure_tolerance_percentage") == 0) {
      ftp = v;
      o->failure_tolerance_percentage = int_in(sink, v, k, 0, 100);
    }
  }
  if (ftc && ftp) {
    hg_diag *d = at(sink, ftp, "org-stackset-rule",
                    "org.preferences sets both failure_tolerance_count and "
                    "failure_tolerance_percentage; the StackSet API takes one of them");
    hg_diag_note(d, "failure_tolerance_count is set at line %d", ftc->line);
  }
  if (mcc && mcp) {
    hg_diag *d = at(sink, mcp, "org-stackset-rule",
                    "org.preferences sets both max_concurrent_count and "
                    "max_concurrent_percentage; the StackSet API takes one of them");
    hg_diag_note(d, "max_concurrent_count is set at line %d", mcc->line);
  }
  bool strict = !o->concurrency_mode || strcmp(o->concurrency_mode, "STRICT_FAILURE_TOLERANCE") == 0;
  if (strict && mcc && o->max_concurrent_count > 0 && o->failure_tolerance_count >= 0 && ftc &&
      o->max_concurrent_count > o->failure_tolerance_count + 1) {
    hg_diag *d = at(sink, mcc, "org-stackset-rule",
                    "org.preferences.max_concurrent_count %d is more than "
                    "failure_tolerance_count + 1 (%d), which STRICT_FAILURE_TOLERANCE allows",
                    o->max_concurrent_count, o->failure_tolerance_count + 1);
    hg_diag_note(d, "lower it, or set concurrency_mode: SOFT_FAILURE_TOLERANCE");
  }
  if (order && o->region_order && o->auto_deployment) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_WARNING, order->file, order->line, order->col,
                             "org-region-order-ignored",
                             "StackSets do not follow region_order when auto_deployment is on");
    d->span = order->span > 0 ? order->span : 1;
  }
}

int hg_org_read(const hg_yval *v, hg_org *out, hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  hg_org tmp;
  hg_org *o = out ? out : &tmp;
  memset(o, 0, sizeof *o);
  o->node = v;
  o->auto_deployment = true;
  o->call_as = "SELF";
  o->permission_model = "SERVICE_MANAGED";
  o->max_concurrent_count = o->max_concurrent_percentage = -1;
  o->failure_tolerance_count = o->failure_tolerance_percentage = -1;
  if (v->kind != HG_Y_MAP) {
    at(sink, v, "org-type", "org must be a mapping, not %s", hg_yval_kind_name(v->kind));
    goto done;
  }
  const hg_yval *prefs = NULL, *home = NULL, *model = NULL, *ous = NULL, *auto_dep = NULL;
  const hg_yval *regions = NULL;
  for (size_t i = 0; i < v->n; i++) {
    const char *k = v->keys[i];
    const hg_yval *x = v->items[i];
    if (!in_list(org_keys, k)) {
      unknown_key(sink, v->key_nodes[i], "org", org_keys);
    } else if (strcmp(k, "ou_ids") == 0) {
      ous = x;
      o->ou_ids = str_list(sink, x, "ou_ids", &o->n_ou, &o->ou_nodes);
      for (size_t j = 0; j < o->n_ou; j++)
        if (!hg_org_valid_ou(o->ou_ids[j])) {
          hg_diag *d = at(sink, o->ou_nodes[j], "org-bad-ou",
                          "'%.80s' is not an organizational unit id", o->ou_ids[j]);
          hg_diag_note(d, "an OU id looks like ou-ab12-34cd56ef, the root like r-ab12");
        }
    } else if (strcmp(k, "regions") == 0) {
      regions = x;
      o->regions = str_list(sink, x, "regions", &o->n_regions, NULL);
      for (size_t j = 0; o->regions && j < x->n; j++)
        if (x->items[j]->kind == HG_Y_STR && !hg_valid_region(x->items[j]->text)) {
          hg_diag *d = at(sink, x->items[j], "org-bad-region", "'%.80s' is not a known Region",
                          x->items[j]->text);
          const char *near = hg_did_you_mean(x->items[j]->text, hg_valid_known_regions, false);
          if (near)
            hg_diag_note(d, "did you mean '%s'?", near);
        }
    } else if (strcmp(k, "home_region") == 0) {
      home = x;
      if (x->kind != HG_Y_STR)
        at(sink, x, "org-type", "org.home_region must be a string, not %s",
           hg_yval_kind_name(x->kind));
      else
        o->home_region = x->text;
    } else if (strcmp(k, "call_as") == 0) {
      const char *s = one_of(sink, x, "call_as", call_as_names);
      if (s)
        o->call_as = s;
    } else if (strcmp(k, "permission_model") == 0) {
      model = x;
      const char *s = one_of(sink, x, "permission_model", model_names);
      if (s)
        o->permission_model = s;
    } else if (strcmp(k, "auto_deployment") == 0 ||
               strcmp(k, "retain_stacks_on_account_removal") == 0) {
      if (x->kind != HG_Y_BOOL)
        at(sink, x, "org-type", "org.%s must be true or false, not %s", k,
           hg_yval_kind_name(x->kind));
      else if (k[0] == 'a') {
        o->auto_deployment = x->b;
        auto_dep = x;
      } else
        o->retain_stacks = x->b;
    } else if (strcmp(k, "stack_set_name") == 0) {
      bool ok = x->kind == HG_Y_STR && x->text[0] && strlen(x->text) <= 128 &&
                ((x->text[0] >= 'a' && x->text[0] <= 'z') || (x->text[0] >= 'A' && x->text[0] <= 'Z'));
      for (const char *q = ok ? x->text : ""; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '-'))
          ok = false;
      if (!ok)
        at(sink, x, "org-bad-value",
           "org.stack_set_name must be 1-128 letters, digits and hyphens starting with a letter");
      else
        o->stack_set_name = x->text;
    } else if (strcmp(k, "preferences") == 0) {
      prefs = x;
    }
  }
  if (prefs && prefs->kind != HG_Y_MAP)
    at(sink, prefs, "org-type", "org.preferences must be a mapping, not %s",
       hg_yval_kind_name(prefs->kind));
  else if (prefs)
    read_prefs(prefs, o, sink);

  if (!ous || (o->ou_ids && o->n_ou == 0 && ous->kind == HG_Y_SEQ))
    at(sink, ous ? ous : v, "org-missing", "org needs ou_ids: at least one OU (or the root) to deploy to");
  else if (o->n_ou > HG_ORG_MAX_OUS) {
    hg_diag *d = at(sink, ous, "org-stackset-rule",
                    "org.ou_ids lists %zu OUs; CreateStackInstances takes at most %d per call",
                    o->n_ou, HG_ORG_MAX_OUS);
    hg_diag_note(d, "target a parent OU (its children follow), or the root");
  }
  if (!regions || (regions->kind == HG_Y_SEQ && o->n_regions == 0))
    at(sink, regions ? regions : v, "org-missing", "org needs regions: at least one Region");
  if (!home) {
    at(sink, v, "org-missing", "org needs home_region: the Region of the multi-Region trail");
  } else if (o->home_region && o->regions) {
    bool found = false;
    for (size_t i = 0; i < o->n_regions; i++)
      if (strcmp(o->regions[i], o->home_region) == 0)
        found = true;
    if (!found) {
      hg_diag *d = at(sink, home, "org-home-region", "org.home_region '%.80s' is not one of org.regions",
                      o->home_region);
      hg_diag_note(d, "the trail and its bucket are deployed to home_region only");
    }
  }
  for (size_t i = 0; i < o->n_region_order; i++) {
    bool found = false;
    for (size_t k = 0; k < o->n_regions; k++)
      if (strcmp(o->regions[k], o->region_order[i]) == 0)
        found = true;
    if (!found && prefs) {
      const hg_yval *ro = hg_yval_get(prefs, "region_order");
      at(sink, ro && ro->kind == HG_Y_SEQ && i < ro->n ? ro->items[i] : prefs, "org-bad-region",
         "org.preferences.region_order names '%.80s', which is not in org.regions",
         o->region_order[i]);
    }
  }
  if (strcmp(o->permission_model, "SELF_MANAGED") == 0) {
    if (o->auto_deployment) {
      hg_diag *d = at(sink, auto_dep ? auto_dep : model, "org-stackset-rule",
                      "auto_deployment needs permission_model SERVICE_MANAGED");
      hg_diag_note(d, "AutoDeployment is valid only with service-managed permissions");
    }
    at(sink, model, "org-stackset-rule",
       "permission_model SELF_MANAGED cannot target organizational units (org.ou_ids); "
       "hardengen deploys with SERVICE_MANAGED");
  }
done:
  if (!out)
    hg_org_free(o);
  return (int)(sink->errors - errors);
}

void hg_org_free(hg_org *o)
{
  if (!o)
    return;
  free(o->ou_ids);
  free(o->ou_nodes);
  free(o->regions);
  free(o->region_order);
  o->ou_ids = o->regions = o->region_order = NULL;
  o->ou_nodes = NULL;
}
