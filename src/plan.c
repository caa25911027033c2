/*
 * plan.c — the stack-set planner's driver (see plan.h): read the skeletons,
 * fill the parent, trail and Config templates, let plan_alarms.c add the
 * alarm templates, check quotas and IAM policies, emit, digest, manifest.
 */
#include "hg/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "hg/iam.h"
#include "hg/plan_model.h"
#include "hg/resource.h"
#include "hg/version.h"
#include "plan_int.h"
#include "plan_preflight.h"

#define MAX_SKELETON_BYTES (4u << 20)

const char *hg_plan_ext(hg_plan_format f)
{
  return f == HG_PLAN_JSON ? "json" : "yaml";
}

/* ---- small document helpers ---- */

void hg_plan_doc_put(hg_doc *map, const char *key, hg_doc *val)
{
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0) {
      hg_doc_free(map->items[i]);
      map->items[i] = val;
      return;
    }
  hg_doc_set(map, key, val);
}

hg_doc *hg_plan_find_resource(const hg_doc *tmpl, const char *type, const char **id)
{
  const hg_doc *res = hg_doc_get(tmpl, "Resources");
  for (size_t i = 0; res && res->kind == HG_DOC_MAP && i < res->n; i++) {
    const char *t = hg_doc_get_str(res->items[i], "Type");
    if (t && strcmp(t, type) == 0) {
      if (id)
        *id = res->keys[i];
      return res->items[i];
    }
  }
  return NULL;
}

size_t hg_plan_count_resources(const hg_doc *tmpl)
{
  const hg_doc *res = hg_doc_get(tmpl, "Resources");
  return res && res->kind == HG_DOC_MAP ? res->n : 0;
}

void hg_plan_emit(hg_plan_template *t, hg_plan_format f)
{
  hg_buf b;
  hg_buf_init(&b);
  if (f == HG_PLAN_JSON)
    hg_emit_json(t->doc, &b);
  else
    hg_emit_yaml(t->doc, &b);
  free(t->text);
  t->text = hg_buf_take(&b, &t->len);
  hg_sha256_hex(t->text, t->len, t->sha256);
  t->resources = hg_plan_count_resources(t->doc);
}

/* ---- inputs of the digest ---- */

void hg_plan_inputs_add(hg_plan_inputs *in, const char *kind, const char *name, const void *data,
                        size_t len)
{
  char hex[65];
  if (data)
    hg_sha256_hex(data, len, hex);
  else
    strcpy(hex, "-");
  hg_plan_inputs_add_sha(in, kind, name, hex);
}

void hg_plan_inputs_add_sha(hg_plan_inputs *in, const char *kind, const char *name, const char *sha256)
{
  if (in->n == in->cap) {
    in->cap = in->cap ? in->cap * 2 : 16;
    in->v = xrealloc(in->v, in->cap * sizeof *in->v);
  }
  in->v[in->n++] = xasprintf("%s %s %s", kind, name, sha256 ? sha256 : "-");
}

void hg_plan_inputs_free(hg_plan_inputs *in)
{
  for (size_t i = 0; i < in->n; i++)
    free(in->v[i]);
  free(in->v);
  in->v = NULL;
  in->n = in->cap = 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A path as shown and digested: relative to root when it lies inside it. */
const char *hg_plan_display_path(const char *path, const char *root)
{
  size_t n = root ? strlen(root) : 0;
  while (n > 1 && root[n - 1] == '/')
    n--;
  if (n && strncmp(path, root, n) == 0 && path[n] == '/') {
    path += n;
    while (*path == '/')
      path++;
    return path;
  }
  while (strncmp(path, "./", 2) == 0)
    path += 2;
  return path;
}

/* Digest lines for the profile files and the filter files, sorted per kind
 * (by the path read): contents and names inside the repo only, never where
 * the repo lies. The contents are the digests the resolver recorded when the
 * profile loader and the Lua host read the files; a file it did not read (a
 * hand-built set) is "-". */
static void digest_sources(const hg_compiled *c, hg_plan_inputs *in)
{
  /* Every file of the extends chain, even a parent whose values were all
   * overridden: the loader lists them. */
  const hg_profile *p = c->profile;
  const char **names = xcalloc(p->n_files + 1, sizeof *names);
  size_t n = p->n_files;
  if (n)
    memcpy(names, p->files, n * sizeof *names);
  if (n > 1)
    qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    /* Named by its place in the repo, never by where the repo is: the
     * same inputs from two checkouts or two --root spellings digest alike. */
    const char *base = strrchr(names[i], '/');
    char *shown = xasprintf("profiles/%s", base ? base + 1 : names[i]);
    hg_plan_inputs_add_sha(in, "profile", shown, hg_res_sha256(c->res, names[i]));
    free(shown);
  }
  free(names);

  char **files = xcalloc(c->filters.n + 1, sizeof *files);
  size_t nf = 0;
  for (size_t i = 0; i < c->filters.n; i++)
    if (c->filters.v[i].file)
      files[nf++] = c->filters.v[i].file;
  qsort(files, nf, sizeof *files, cmp_str);
  for (size_t i = 0; i < nf; i++) {
    if (i > 0 && strcmp(files[i], files[i - 1]) == 0)
      continue;
    /* f->file is the path the filter was read from (repo or share folder);
     * it is digested under its name in the repo layout only. */
    const char *base = strrchr(files[i], '/');
    char *shown = xasprintf("filters/%s", base ? base + 1 : files[i]);
    hg_plan_inputs_add_sha(in, "filter", shown, hg_res_sha256(c->res, files[i]));
    free(shown);
  }
  free(files);
}

/* ---- skeletons ---- */

static hg_doc *load_skeleton(const char *root, const char *name, hg_plan_inputs *in,
                             hg_diag_sink *sink)
{
  char *path = xasprintf("%s/templates/%s", root ? root : ".", name);
  size_t len = 0;
  char *text = hg_res_read(in->res, path, MAX_SKELETON_BYTES, &len);
  const char *share = hg_res_share(in->res);
  if (!text && errno == ENOENT && share) {
    free(path);
    path = xasprintf("%s/templates/%s", share, name);
    text = hg_res_read(in->res, path, MAX_SKELETON_BYTES, &len);
  }
  if (!text) {
    hg_diag_add(sink, HG_SEV_ERROR, path, 0, 0, "template-unreadable",
                "cannot read the template skeleton '%s': %s", name, hg_read_error(errno));
    free(path);
    return NULL;
  }
  const char *shown = hg_plan_display_path(path, root);
  hg_diag_source(sink, shown, text, len);
  hg_doc *d = hg_emit_read_yaml(text, len, shown, sink);
  if (d && (d->kind != HG_DOC_MAP || !hg_doc_get(d, "Resources") ||
            hg_doc_get(d, "Resources")->kind != HG_DOC_MAP)) {
    hg_diag_add(sink, HG_SEV_ERROR, shown, 1, 1, "template-shape",
                "a template skeleton must be a map with a Resources map");
    hg_doc_free(d);
    d = NULL;
  }
  /* What the planner fills and wires must be there: an error, never a set
   * built without it. */
  if (d && hg_plan_contract_check(name, d, shown, text, len, sink) > 0) {
    hg_doc_free(d);
    d = NULL;
  }
  hg_plan_inputs_add_sha(in, "template", name, hg_res_sha256(in->res, path));
  free(text);
  free(path);
  return d;
}

hg_doc *hg_plan_load_skeleton(const char *root, const char *name, hg_plan_inputs *in, hg_diag_sink *sink)
{
  return load_skeleton(root, name, in, sink);
}

hg_plan_template *hg_plan_add_template(hg_plan *p, const char *stem, hg_plan_format f, hg_doc *doc)
{
  p->t = xrealloc(p->t, (p->n + 1) * sizeof *p->t);
  hg_plan_template *t = &p->t[p->n++];
  memset(t, 0, sizeof *t);
  t->name = xasprintf("%s.%s", stem, hg_plan_ext(f));
  t->doc = doc;
  return t;
}

hg_plan_file *hg_plan_add_file(hg_plan *p, const char *name, char *text, size_t len, bool listed)
{
  p->files = xrealloc(p->files, (p->n_files + 1) * sizeof *p->files);
  hg_plan_file *f = &p->files[p->n_files++];
  memset(f, 0, sizeof *f);
  f->name = xstrdup(name);
  f->text = text;
  f->len = len;
  f->listed = listed;
  hg_sha256_hex(text, len, f->sha256);
  return f;
}

/* ---- the parent ---- */

hg_doc *hg_plan_child_stack(const char *stem, const char *depends, hg_plan_format f)
{
  hg_doc *st = hg_doc_map();
  hg_doc_set_str(st, "Type", "AWS::CloudFormation::Stack");
  hg_doc_set_str(st, "DeletionPolicy", "Delete");
  hg_doc_set_str(st, "UpdateReplacePolicy", "Delete");
  if (depends)
    hg_doc_set_str(st, "DependsOn", depends);
  hg_doc *props = hg_doc_set_map(st, "Properties");
  char *url = xasprintf("${" HG_PLAN_TEMPLATE_URL_PARAM "}%s.%s", stem, hg_plan_ext(f));
  hg_doc_set(props, "TemplateURL", hg_doc_sub(url));
  free(url);
  return st;
}

/* ---- Config ---- */

static const char *tf(bool b) { return b ? "true" : "false"; }

static void fill_config(const hg_compiled *c, hg_doc *cfg)
{
  const hg_profile *p = c->profile;
  hg_doc *res = hg_doc_get(cfg, "Resources");
  for (size_t i = 0; i < res->n; i++) {
    hg_doc *props = hg_doc_get(res->items[i], "Properties");
    const char *src = hg_doc_get_str(hg_doc_get(props, "Source"), "SourceIdentifier");
    if (!src || strcmp(src, "IAM_PASSWORD_POLICY") != 0)
      continue;
    /* AWS Config takes every InputParameters value as a string ("14", "true"). */
    hg_doc *in = hg_doc_map();
    hg_doc_set_str(in, "RequireUppercaseCharacters", tf(p->pw_require_upper));
    hg_doc_set_str(in, "RequireLowercaseCharacters", tf(p->pw_require_lower));
    hg_doc_set_str(in, "RequireSymbols", tf(p->pw_require_symbols));
    hg_doc_set_str(in, "RequireNumbers", tf(p->pw_require_numbers));
    hg_doc_set(in, "MinimumPasswordLength", hg_doc_strf("%d", p->pw_min_length));
    hg_doc_set(in, "PasswordReusePrevention", hg_doc_strf("%d", p->pw_reuse_prevention));
    hg_doc_set(in, "MaxPasswordAge", hg_doc_strf("%d", p->pw_max_age));
    hg_plan_doc_put(props, "InputParameters", in);
  }
}

/* ---- driver ---- */

int hg_plan_build(const hg_compiled *c, const char *root, const hg_plan_options *opts,
                  hg_plan *out, hg_diag_sink *sink)
{
  hg_plan_options o = opts ? *opts : (hg_plan_options){0};
  if (!o.max_resources)
    o.max_resources = HG_PLAN_MAX_RESOURCES;
  if (!o.max_bytes)
    o.max_bytes = HG_PLAN_MAX_TEMPLATE_BYTES;
  memset(out, 0, sizeof *out);
  out->env = xstrdup(c->profile->env ? c->profile->env : "");
  size_t errors_before = sink->errors;

  /* Every input file is read through one resolver: the compile's (which
   * read the profiles and filters), or one of this build's for a set built
   * by hand. */
  hg_res *own = c->res ? NULL : hg_res_new(root);
  hg_plan_inputs in = {.res = c->res ? c->res : own};
  hg_doc *parent = load_skeleton(root, "security.global.yaml", &in, sink);
  hg_doc *trail = load_skeleton(root, "cloudtrail.global.yaml", &in, sink);
  hg_doc *config = load_skeleton(root, "config.global.yaml", &in, sink);
  hg_doc *cw1 = load_skeleton(root, "cloudwatch.global.yaml", &in, sink);
  hg_doc *cwn = load_skeleton(root, "cloudwatch.part.yaml", &in, sink);
  bool want_preflight = hg_plan_stack_wanted(HG_STACK_PREFLIGHT, c->profile);
  hg_doc *preflight = want_preflight ? load_skeleton(root, "preflight.global.yaml", &in, sink) : NULL;
  int rc = -1;
  if (!parent || !trail || !config || !cw1 || !cwn || (want_preflight && !preflight))
    goto done;
  if (preflight && hg_plan_preflight(c, root, preflight, &in, sink) != 0)
    goto done;

  hg_plan_harden_trail(c->profile, trail);
  hg_plan_add_template(out, "cloudtrail.global", o.format, trail);
  trail = NULL;
  fill_config(c, config);
  hg_plan_config_mode(c->profile, config);
  hg_plan_add_template(out, "config.global", o.format, config);
  config = NULL;
  hg_plan_harden_alarms(c->profile, cw1);
  if (hg_plan_alarms(c, out->t[0].doc, cw1, cwn, &o, out, sink) != 0)
    goto done;
  if (hg_plan_detective(c, root, o.format, out, &in, sink) != 0)
    goto done;
  if (preflight) {
    hg_plan_add_template(out, "preflight.global", o.format, preflight);
    preflight = NULL;
  }
  /* Every child template is in: the parent's parameters and child stacks
   * come from the tables of plan_model.h. */
  hg_plan_params_fill_parent(c->profile, parent);
  hg_plan_wire_parent(c->profile, out, o.format, parent);
  hg_plan_harden_parent(c->profile, parent);
  hg_plan_add_template(out, "security.global", o.format, parent);
  parent = NULL;

  for (size_t i = 0; i < out->n; i++) {
    hg_plan_tag(c->profile, out->t[i].doc);
    hg_plan_emit(&out->t[i], o.format);
  }

  /* Checks: everything is reported, nothing is written on an error. */
  size_t tree = 0;
  for (size_t i = 0; i < out->n; i++) {
    hg_plan_check_template(&out->t[i], sink);
    tree += out->t[i].resources;
  }
  if (tree > HG_PLAN_MAX_TREE_RESOURCES)
    hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "quota-stack-set-resources",
                "the stack set has %zu resources; one nested-stack operation allows %d", tree,
                HG_PLAN_MAX_TREE_RESOURCES);
  hg_plan_check_filters(c, out, sink);
  hg_plan_check_defaults(c, out, sink);
  int findings = 0;
  for (size_t i = 0; i < out->n; i++)
    findings += hg_iam_lint_doc(out->t[i].doc, out->t[i].name, sink);

  /* Digest: version and format, then the inputs sorted within each kind. */
  hg_plan_inputs src = {0};
  digest_sources(c, &src);
  hg_buf d;
  hg_buf_init(&d);
  hg_buf_printf(&d, "hardengen %s\nformat %s\n", HG_VERSION, hg_plan_ext(o.format));
  for (size_t i = 0; i < src.n; i++)
    hg_buf_printf(&d, "%s\n", src.v[i]);
  for (size_t i = 0; i < in.n; i++)
    hg_buf_printf(&d, "%s\n", in.v[i]);
  hg_plan_inputs_free(&src);
  hg_sha256_hex(d.data, d.len, out->digest);
  hg_buf_free(&d);
  hg_plan_stackset(c, out, sink);
  hg_plan_manifest(c, out);
  rc = sink->errors > errors_before || findings > 0 ? -1 : 0;
done:
  hg_doc_free(parent);
  hg_doc_free(trail);
  hg_doc_free(config);
  hg_doc_free(cw1);
  hg_doc_free(cwn);
  hg_doc_free(preflight);
  hg_plan_inputs_free(&in);
  hg_res_free(own);
  return rc;
}

void hg_plan_free(hg_plan *p)
{
  for (size_t i = 0; i < p->n; i++) {
    free(p->t[i].name);
    free(p->t[i].text);
    hg_doc_free(p->t[i].doc);
  }
  free(p->t);
  for (size_t i = 0; i < p->n_filters; i++) {
    free(p->filters[i].id);
    free(p->filters[i].cis);
    free(p->filters[i].metric);
    free(p->filters[i].alarm);
    free(p->filters[i].logical);
  }
  free(p->filters);
  free(p->manifest);
  for (size_t i = 0; i < p->n_files; i++) {
    free(p->files[i].name);
    free(p->files[i].text);
  }
  free(p->files);
  free(p->env);
  memset(p, 0, sizeof *p);
}
