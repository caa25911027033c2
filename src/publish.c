/*
 * publish.c — read and verify a built stack set, lay it out as S3 keys,
 * upload it in order and describe how to launch it (see publish.h).
 */
#include "hg/publish.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hg/awscfg.h"
#include "hg/emit.h"
#include "hg/plan_model.h"
#include "hg/util.h"
#include "hg/validate.h"

/* A template is at most 1 MB (CloudFormation's TemplateURL limit); anything
 * far beyond that in out/ENV/ is not ours. */
#define PUBLISH_FILE_MAX (16u << 20)
#define MANIFEST_NAME "manifest.json"

/* ---------------------------------------------------------------- manifest */

void hg_manifest_free(hg_manifest *m)
{
  if (!m)
    return;
  free(m->tool);
  free(m->version);
  free(m->env);
  free(m->digest);
  free(m->parent);
  free(m->capability);
  for (size_t i = 0; i < m->n_params; i++) {
    free(m->params[i].name);
    free(m->params[i].value);
  }
  free(m->params);
  for (size_t i = 0; i < m->n_templates; i++)
    free(m->templates[i].name);
  free(m->templates);
  memset(m, 0, sizeof *m);
}

static bool all_hex(const char *s, size_t min, size_t max)
{
  size_t n = strlen(s);
  if (n < min || n > max)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
      return false;
  return true;
}

/* A plain file name: no path separators, not hidden, printable ASCII. */
static bool plain_file_name(const char *s)
{
  if (!*s || *s == '.' || strlen(s) > 255)
    return false;
  for (const char *p = s; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
      return false;
  return true;
}

static bool plain_env_name(const char *s)
{
  if (!*s || strlen(s) > 128)
    return false;
  for (const char *p = s; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
      return false;
  return true;
}

static hg_diag *merr(hg_diag_sink *sink, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static hg_diag *merr(hg_diag_sink *sink, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(sink, HG_SEV_ERROR, path, 0, 0, "manifest-invalid", fmt, ap);
  va_end(ap);
  return d;
}

static char *required_string(const hg_doc *root, const char *key, const char *path,
                             hg_diag_sink *sink)
{
  const char *v = hg_doc_get_str(root, key);
  if (!v || !*v) {
    merr(sink, path, "\"%s\" is missing or not a non-empty string", key);
    return NULL;
  }
  return xstrdup(v);
}

static char *scalar_text(const hg_doc *v)
{
  switch (v->kind) {
  case HG_DOC_STR:
    return xstrdup(v->str);
  case HG_DOC_BOOL:
    return xstrdup(v->b ? "true" : "false");
  case HG_DOC_INT:
    return xasprintf("%lld", v->num);
  case HG_DOC_FLOAT:
    if (v->f >= -9e15 && v->f <= 9e15 && v->f == (double)(long long)v->f)
      return xasprintf("%lld", (long long)v->f);
    return xasprintf("%.17g", v->f);
  case HG_DOC_MAP:
  case HG_DOC_SEQ:
  case HG_DOC_NULL:
    break;
  }
  return NULL;
}

/* Read the text with the one JSON reader; text that is not JSON is
 * "manifest.json is not valid JSON" at path:line:col with a caret and the
 * parser's reason as a note. */
static hg_doc *read_manifest(const char *text, size_t len, const char *path, hg_diag_sink *sink)
{
  hg_diag_sink local;
  hg_diag_init(&local);
  hg_doc *root = hg_emit_read_json(text, len, path, "manifest-invalid", &local);
  if (root) {
    hg_diag_free(&local);
    return root;
  }
  hg_diag *d;
  if (local.n > 0 && local.v[0].line > 0) {
    static const char prefix[] = "not valid JSON: ";
    const char *why = local.v[0].message;
    if (strncmp(why, prefix, sizeof prefix - 1) == 0)
      why += sizeof prefix - 1;
    hg_diag_source(sink, path, text, len);
    d = hg_diag_add(sink, HG_SEV_ERROR, path, local.v[0].line, local.v[0].col, "manifest-invalid",
                    "%s is not valid JSON", MANIFEST_NAME);
    hg_diag_note(d, "%s", why);
  } else {
    /* Valid JSON a document cannot hold (a string with U+0000). */
    d = merr(sink, path, "%s cannot be read: %s", MANIFEST_NAME,
             local.n > 0 ? local.v[0].message : "unknown error");
  }
  hg_diag_note(d, "it is written by `hardengen build`: build again");
  hg_diag_free(&local);
  return NULL;
}

int hg_manifest_parse(const char *text, size_t len, const char *path, hg_manifest *m,
                      hg_diag_sink *sink)
{
  memset(m, 0, sizeof *m);
  size_t errors_before = sink->errors;
  hg_doc *root = read_manifest(text, len, path, sink);
  if (!root)
    return -1;
  if (root->kind != HG_DOC_MAP) {
    merr(sink, path, "%s is not a JSON object", MANIFEST_NAME);
    hg_doc_free(root);
    return -1;
  }

  const char *tool = hg_doc_get_str(root, "tool");
  const char *version = hg_doc_get_str(root, "version");
  if (tool)
    m->tool = xstrdup(tool);
  if (version)
    m->version = xstrdup(version);
  m->env = required_string(root, "env", path, sink);
  m->digest = required_string(root, "digest", path, sink);
  m->parent = required_string(root, "parent", path, sink);
  if (m->env && !plain_env_name(m->env))
    merr(sink, path, "\"env\" is not an environment name: '%s'", m->env);
  if (m->digest && !all_hex(m->digest, 8, 128))
    merr(sink, path, "\"digest\" is not a hex digest: '%s'", m->digest);

  /* Written since the stacks request the least IAM capability; a manifest
   * without them asks for the broader one. */
  const hg_doc *caps = hg_doc_get(root, "capabilities");
  const hg_doc *cap = caps && caps->kind == HG_DOC_SEQ && caps->n > 0 ? caps->items[0] : NULL;
  const char *cap_name = cap && cap->kind == HG_DOC_STR ? cap->str : NULL;
  if (caps && !(cap_name && (strcmp(cap_name, "CAPABILITY_IAM") == 0 ||
                             strcmp(cap_name, "CAPABILITY_NAMED_IAM") == 0)))
    merr(sink, path, "\"capabilities\" must be [\"CAPABILITY_IAM\"] or [\"CAPABILITY_NAMED_IAM\"]");
  m->capability = xstrdup(cap_name ? cap_name : "CAPABILITY_NAMED_IAM");
  double emails = 0;
  if (hg_doc_get_num(root, "email_subscriptions", &emails) && emails >= 0)
    m->email_subscriptions = (size_t)emails;

  const hg_doc *params = hg_doc_get_map(root, "parameters");
  if (!params) {
    merr(sink, path, "\"%s\" is missing or not an object", "parameters");
  } else {
    m->params = xcalloc(params->n ? params->n : 1, sizeof *m->params);
    for (size_t i = 0; i < params->n; i++) {
      char *value = scalar_text(params->items[i]);
      if (!value) {
        merr(sink, path, "parameter \"%s\" is not a string, number or boolean", params->keys[i]);
        continue;
      }
      m->params[m->n_params].name = xstrdup(params->keys[i]);
      m->params[m->n_params++].value = value;
    }
  }

  const hg_doc *templates = hg_doc_get_seq(root, "templates");
  if (!templates || templates->n == 0) {
    merr(sink, path, "\"%s\" is missing or not a non-empty array", "templates");
  } else {
    m->templates = xcalloc(templates->n, sizeof *m->templates);
    for (size_t index = 1; index <= templates->n; index++) {
      const hg_doc *t = templates->items[index - 1];
      const char *nm = hg_doc_get_str(t, "name");
      const char *sha = hg_doc_get_str(t, "sha256");
      double size = 0;
      if (!nm || !plain_file_name(nm) || strcmp(nm, MANIFEST_NAME) == 0) {
        merr(sink, path, "template %zu has no plain file name (\"name\")", index);
        continue;
      }
      bool ok = true;
      if (!hg_doc_get_num(t, "size", &size) || size < 0 || size > 1e12 || size != (double)(long long)size) {
        merr(sink, path, "template \"%s\" has no valid \"size\"", nm);
        ok = false;
      }
      if (!sha || strlen(sha) != 64 || !all_hex(sha, 64, 64)) {
        merr(sink, path, "template \"%s\" has no valid \"sha256\"", nm);
        ok = false;
      }
      for (size_t i = 0; i < m->n_templates; i++)
        if (strcmp(m->templates[i].name, nm) == 0) {
          merr(sink, path, "template \"%s\" is listed twice", nm);
          ok = false;
          break;
        }
      if (!ok)
        continue;
      hg_manifest_template *dst = &m->templates[m->n_templates++];
      dst->name = xstrdup(nm);
      dst->size = (size_t)size;
      memcpy(dst->sha256, sha, 65);
    }
  }
  if (m->parent && m->templates) {
    bool found = false;
    for (size_t i = 0; i < m->n_templates; i++)
      found |= strcmp(m->templates[i].name, m->parent) == 0;
    if (!found)
      merr(sink, path, "the parent template \"%s\" is not listed in \"templates\"", m->parent);
  }
  hg_doc_free(root);
  if (sink->errors > errors_before) {
    hg_manifest_free(m);
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------- plan */

void hg_publish_plan_free(hg_publish_plan *p)
{
  if (!p)
    return;
  hg_manifest_free(&p->manifest);
  for (size_t i = 0; i < p->n_objects; i++) {
    free(p->objects[i].file);
    free(p->objects[i].key);
    free(p->objects[i].url);
    free(p->objects[i].data);
  }
  free(p->objects);
  free(p->bucket);
  free(p->region);
  free(p->endpoint);
  free(p->prefix);
  free(p->folder);
  free(p->folder_url);
  free(p->template_url);
  free(p->stack_name);
  memset(p, 0, sizeof *p);
}

static hg_diag *oerr(hg_diag_sink *sink, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static hg_diag *oerr(hg_diag_sink *sink, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(sink, HG_SEV_ERROR, NULL, 0, 0, "publish-option", fmt, ap);
  va_end(ap);
  return d;
}

/* The prefix as a key prefix: "" or "…/", without a leading '/'. NULL when
 * it holds a character publish does not put in keys. */
static char *normalize_prefix(const char *prefix)
{
  if (!prefix)
    return xstrdup("");
  while (*prefix == '/')
    prefix++;
  for (const char *p = prefix; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr("-_.~/", *p))
      return NULL;
  if (strstr(prefix, "//"))
    return NULL;
  /* "." and ".." segments: libcurl (and S3 clients) collapse them in
   * path-style URLs, so "../../x/" would write into another bucket. */
  for (const char *seg = prefix; *seg;) {
    size_t n = strcspn(seg, "/");
    if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
      return NULL;
    seg += n;
    if (*seg == '/')
      seg++;
  }
  if (!*prefix || hg_ends_with(prefix, "/"))
    return xstrdup(prefix);
  return xasprintf("%s/", prefix);
}

/* CloudFormation stack names: a letter, then letters, digits and hyphens, at
 * most 128 characters (CloudFormation API Reference, CreateStack). */
static bool valid_stack_name(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > 128 || !isalpha((unsigned char)s[0]))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '-')
      return false;
  return true;
}

static bool check_options(const hg_publish_opts *o, char **prefix, hg_diag_sink *sink)
{
  bool ok = true;
  const char *why = NULL;
  if (!o->env || !plain_env_name(o->env)) {
    oerr(sink, "invalid environment name '%s'", o->env ? o->env : "");
    ok = false;
  }
  if (!o->bucket || !*o->bucket) {
    oerr(sink, "no bucket: pass --bucket or set publish.bucket in the profile");
    ok = false;
  } else if ((why = hg_valid_bucket(o->bucket))) {
    oerr(sink, "invalid bucket name '%s': %s", o->bucket, why);
    ok = false;
  } else if (strchr(o->bucket, '.') && !o->endpoint) {
    hg_diag_add(sink, HG_SEV_WARNING, NULL, 0, 0, "publish-bucket-dots",
                "bucket name '%s' has dots: its virtual-hosted https:// URL fails TLS "
                "certificate checks, and CloudFormation cannot read the templates",
                o->bucket);
  }
  if (!o->region || !*o->region) {
    oerr(sink, "no Region: pass --region or set publish.region in the profile");
    ok = false;
  } else if (!hg_valid_region(o->region)) {
    oerr(sink, "invalid Region '%s'", o->region);
    ok = false;
  }
  if (o->endpoint && hg_awscfg_check_endpoint(o->endpoint, "--endpoint-url", NULL, sink) != 0)
    ok = false;
  *prefix = normalize_prefix(o->prefix);
  if (!*prefix) {
    hg_diag *d = oerr(sink, "invalid prefix '%s'", o->prefix);
    hg_diag_note(d, "a prefix holds letters, digits and - _ . ~ / (no empty, '.' or '..' "
                    "segment)");
    ok = false;
  }
  if (o->stack_name && !valid_stack_name(o->stack_name)) {
    oerr(sink, "invalid stack name '%s'", o->stack_name);
    ok = false;
  }
  return ok;
}

static void add_object(hg_publish_plan *p, const char *file, char *data, size_t len)
{
  hg_publish_object *obj = &p->objects[p->n_objects++];
  obj->file = xstrdup(file);
  obj->key = xasprintf("%s%s", p->folder, file);
  obj->url = hg_s3_object_url(p->endpoint, p->bucket, p->region, obj->key);
  obj->content_type = hg_s3_content_type(file);
  obj->data = data;
  obj->len = len;
}

int hg_publish_plan_make(const hg_publish_opts *o, hg_publish_plan *plan, hg_diag_sink *sink)
{
  memset(plan, 0, sizeof *plan);
  char *prefix = NULL;
  if (!check_options(o, &prefix, sink)) {
    free(prefix);
    return -1;
  }
  const char *dir = o->dir;
  char *mpath = xasprintf("%s/%s", dir, MANIFEST_NAME);
  size_t mlen = 0;
  char *mtext = hg_read_file(mpath, PUBLISH_FILE_MAX, &mlen);
  if (!mtext) {
    int err = errno;
    hg_diag *d;
    if (err == ENOENT) {
      d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "manifest-missing", "%s does not exist",
                      mpath);
      hg_diag_note(d, "run `hardengen build --env %s` first", o->env);
    } else {
      hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "publish-read", "cannot read %s: %s", mpath,
                  strerror(err));
    }
    free(mpath);
    free(prefix);
    return -1;
  }
  hg_manifest *m = &plan->manifest;
  if (hg_manifest_parse(mtext, mlen, mpath, m, sink) != 0) {
    free(mtext);
    free(mpath);
    free(prefix);
    return -1;
  }
  if (strcmp(m->env, o->env) != 0) {
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, mpath, 0, 0, "manifest-invalid",
                             "the manifest is for environment '%s', not '%s'", m->env, o->env);
    hg_diag_note(d, "run `hardengen build --env %s` again", o->env);
    free(mtext);
    free(mpath);
    free(prefix);
    hg_manifest_free(m);
    return -1;
  }

  plan->bucket = xstrdup(o->bucket);
  plan->region = xstrdup(o->region);
  plan->endpoint = o->endpoint ? xstrdup(o->endpoint) : NULL;
  if (plan->endpoint) {
    size_t n = strlen(plan->endpoint);
    while (n > 0 && plan->endpoint[n - 1] == '/')
      plan->endpoint[--n] = '\0';
  }
  plan->prefix = prefix;
  plan->folder = xasprintf("%s%s/%s/", prefix, m->env, m->digest);
  plan->folder_url = hg_s3_object_url(plan->endpoint, plan->bucket, plan->region, plan->folder);
  if (o->stack_name) {
    plan->stack_name = xstrdup(o->stack_name);
  } else {
    plan->stack_name = xasprintf("hardengen-%s", o->env);
    for (char *c = plan->stack_name; *c; c++)
      if (*c == '_')
        *c = '-';
  }

  /* Read and verify every template before anything is uploaded. */
  char **datas = xcalloc(m->n_templates, sizeof *datas);
  size_t *lens = xcalloc(m->n_templates, sizeof *lens);
  size_t errors_before = sink->errors;
  for (size_t i = 0; i < m->n_templates; i++) {
    const hg_manifest_template *t = &m->templates[i];
    char *path = xasprintf("%s/%s", dir, t->name);
    datas[i] = hg_read_file(path, PUBLISH_FILE_MAX, &lens[i]);
    if (!datas[i]) {
      int err = errno;
      hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0,
                               err == ENOENT ? "publish-stale" : "publish-read",
                               "cannot read %s (listed in %s): %s", path, MANIFEST_NAME,
                               strerror(err));
      if (err == ENOENT)
        hg_diag_note(d, "run `hardengen build --env %s` again", o->env);
    } else {
      char sha[65];
      hg_sha256_hex(datas[i], lens[i], sha);
      if (lens[i] != t->size || strcmp(sha, t->sha256) != 0) {
        hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, NULL, 0, 0, "publish-stale",
                                 "%s does not match %s (%s differs): it changed after the build",
                                 path, MANIFEST_NAME, lens[i] != t->size ? "size" : "sha256");
        hg_diag_note(d, "run `hardengen build --env %s` again", o->env);
      }
    }
    free(path);
  }
  if (sink->errors > errors_before) {
    for (size_t i = 0; i < m->n_templates; i++)
      free(datas[i]);
    free(datas);
    free(lens);
    free(mtext);
    free(mpath);
    hg_publish_plan_free(plan);
    return -1;
  }

  /* Children in manifest order, then the parent, then the manifest: a
   * published manifest means a complete set. */
  plan->objects = xcalloc(m->n_templates + 1, sizeof *plan->objects);
  size_t parent = 0;
  for (size_t i = 0; i < m->n_templates; i++) {
    if (strcmp(m->templates[i].name, m->parent) == 0)
      parent = i;
    else
      add_object(plan, m->templates[i].name, datas[i], lens[i]);
  }
  add_object(plan, m->templates[parent].name, datas[parent], lens[parent]);
  add_object(plan, MANIFEST_NAME, mtext, mlen);
  plan->template_url = xstrdup(plan->objects[plan->n_objects - 2].url);
  free(datas);
  free(lens);
  free(mpath);
  return 0;
}

/* ----------------------------------------------------------------- upload */

hg_s3_status hg_publish_upload(const hg_publish_plan *plan, hg_s3 *s3,
                               hg_publish_progress_fn progress, void *ctx, size_t *uploaded,
                               hg_diag_sink *sink)
{
  size_t done = 0;
  hg_s3_status st = HG_S3_OK;
  for (size_t i = 0; i < plan->n_objects; i++) {
    const hg_publish_object *obj = &plan->objects[i];
    if (progress)
      progress(ctx, i, plan->n_objects, obj);
    st = hg_s3_put(s3, obj->key, obj->data, obj->len, obj->content_type, NULL, sink);
    if (st != HG_S3_OK) {
      if (sink->n > 0) {
        hg_diag *d = &sink->v[sink->n - 1];
        if (done == 0)
          hg_diag_note(d, "nothing was published");
        else
          hg_diag_note(d, "%zu of %zu objects were uploaded; %s was not published, so the "
                          "set is incomplete: publish again",
                       done, plan->n_objects, MANIFEST_NAME);
      }
      break;
    }
    done++;
  }
  if (uploaded)
    *uploaded = done;
  return st;
}

/* ------------------------------------------------------------------ launch */

char *hg_publish_url_encode(const char *s)
{
  char *e = curl_easy_escape(NULL, s, (int)strlen(s));
  if (!e)
    return xstrdup(""); /* only on out of memory */
  char *copy = xstrdup(e);
  curl_free(e);
  return copy;
}

/* The parameter values a launch passes: the manifest's, with the template
 * folder parameter of the parameter table (CFtemplateBucketURL) pointing at
 * the published folder (first when the manifest lacks it). Calls fn(name,
 * value) in order. */
typedef void (*param_fn)(hg_buf *b, const char *name, const char *value);

static void each_param(const hg_publish_plan *p, hg_buf *b, param_fn fn)
{
  const char *bucket_param = hg_plan_param_template_folder();
  bool seen = false;
  for (size_t i = 0; i < p->manifest.n_params; i++)
    seen |= strcmp(p->manifest.params[i].name, bucket_param) == 0;
  if (!seen)
    fn(b, bucket_param, p->folder_url);
  for (size_t i = 0; i < p->manifest.n_params; i++) {
    const hg_manifest_param *mp = &p->manifest.params[i];
    fn(b, mp->name, strcmp(mp->name, bucket_param) == 0 ? p->folder_url : mp->value);
  }
}

static void link_param(hg_buf *b, const char *name, const char *value)
{
  char *n = hg_publish_url_encode(name), *v = hg_publish_url_encode(value);
  hg_buf_printf(b, "&param_%s=%s", n, v);
  free(n);
  free(v);
}

char *hg_publish_launch_link(const hg_publish_plan *p)
{
  hg_buf b;
  hg_buf_init(&b);
  char *region = hg_publish_url_encode(p->region);
  char *url = hg_publish_url_encode(p->template_url);
  char *name = hg_publish_url_encode(p->stack_name);
  hg_buf_printf(&b,
                "https://%s.console.aws.amazon.com/cloudformation/home?region=%s"
                "#/stacks/create/review?templateURL=%s&stackName=%s",
                region, region, url, name);
  free(region);
  free(url);
  free(name);
  each_param(p, &b, link_param);
  return hg_buf_take(&b, NULL);
}

/* Append s as one shell word: bare when it holds only safe characters, else
 * single-quoted. */
static void shell_word(hg_buf *b, const char *s)
{
  bool safe = *s != '\0';
  for (const char *c = s; *c && safe; c++)
    safe = isalnum((unsigned char)*c) || strchr("@%+=:,./_-", *c);
  if (safe) {
    hg_buf_puts(b, s);
    return;
  }
  hg_buf_putc(b, '\'');
  for (const char *c = s; *c; c++) {
    if (*c == '\'')
      hg_buf_puts(b, "'\\''");
    else
      hg_buf_putc(b, *c);
  }
  hg_buf_putc(b, '\'');
}

static void cli_param(hg_buf *b, const char *name, const char *value)
{
  /* The CLI's shorthand syntax splits on ',': escape it in values. */
  hg_buf v;
  hg_buf_init(&v);
  hg_buf_printf(&v, "ParameterKey=%s,ParameterValue=", name);
  for (const char *c = value; *c; c++) {
    if (*c == ',' || *c == '\\')
      hg_buf_putc(&v, '\\');
    hg_buf_putc(&v, *c);
  }
  hg_buf_putc(b, ' ');
  shell_word(b, v.data);
  hg_buf_free(&v);
}

char *hg_publish_cli_command(const hg_publish_plan *p)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_buf_puts(&b, "aws");
  if (p->endpoint) {
    hg_buf_puts(&b, " --endpoint-url ");
    shell_word(&b, p->endpoint);
  }
  hg_buf_puts(&b, " cloudformation create-stack --region ");
  shell_word(&b, p->region);
  hg_buf_puts(&b, " --stack-name ");
  shell_word(&b, p->stack_name);
  hg_buf_puts(&b, " --template-url ");
  shell_word(&b, p->template_url);
  hg_buf_puts(&b, " --parameters");
  each_param(p, &b, cli_param);
  hg_buf_puts(&b, " --capabilities ");
  hg_buf_puts(&b, p->manifest.capability ? p->manifest.capability : "CAPABILITY_NAMED_IAM");
  hg_buf_puts(&b, " --enable-termination-protection");
  return hg_buf_take(&b, NULL);
}
