/*
 * diag_render.c — diagnostics for machines: JSON and SARIF 2.1.0 (the
 * shapes are in diag.h and the README), and the env attribution `check
 * --all` uses to report a problem shared by several envs once.
 *
 * SARIF facts: OASIS SARIF 2.1.0 (sarifLog.version and runs required;
 * run.tool.driver.name required; result.message required; columns are
 * 1-based and endColumn is the column after the region); GitHub code
 * scanning reads partialFingerprints, rules' helpUri and %SRCROOT%.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hg/diag.h"
#include "hg/emit.h"
#include "hg/util.h"
#include "hg/version.h"

static const char *sev_name(hg_severity sev)
{
  return sev == HG_SEV_ERROR ? "error" : sev == HG_SEV_WARNING ? "warning" : "note";
}

/* ---- env attribution ---- */

static void add_env(hg_diag *d, const char *env)
{
  for (size_t i = 0; i < d->n_envs; i++)
    if (strcmp(d->envs[i], env) == 0)
      return;
  d->envs = xrealloc(d->envs, (d->n_envs + 1) * sizeof *d->envs);
  d->envs[d->n_envs++] = xstrdup(env);
}

void hg_diag_tag_env(hg_diag_sink *s, size_t from, const char *env)
{
  for (size_t i = from; i < s->n; i++)
    add_env(&s->v[i], env);
}

static bool str_eq(const char *a, const char *b)
{
  return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_problem(const hg_diag *a, const hg_diag *b)
{
  return a->sev == b->sev && a->line == b->line && a->col == b->col && str_eq(a->file, b->file) &&
         str_eq(a->code, b->code) && str_eq(a->message, b->message);
}

static void drop(hg_diag *d)
{
  free(d->file);
  free(d->code);
  free(d->message);
  free(d->snippet);
  for (size_t i = 0; i < d->n_notes; i++)
    free(d->notes[i]);
  free(d->notes);
  for (size_t i = 0; i < d->n_envs; i++)
    free(d->envs[i]);
  free(d->envs);
}

size_t hg_diag_merge(hg_diag_sink *dst, hg_diag_sink *src)
{
  size_t keep = 0, folded = 0;
  for (size_t i = 0; i < src->n; i++) {
    hg_diag *d = &src->v[i];
    hg_diag *twin = NULL;
    for (size_t k = 0; k < dst->n && !twin; k++)
      if (same_problem(&dst->v[k], d))
        twin = &dst->v[k];
    if (!twin) {
      src->v[keep++] = *d;
      continue;
    }
    for (size_t e = 0; e < d->n_envs; e++)
      add_env(twin, d->envs[e]);
    if (d->sev == HG_SEV_ERROR)
      src->errors--;
    else if (d->sev == HG_SEV_WARNING)
      src->warnings--;
    drop(d);
    folded++;
  }
  src->n = keep;
  hg_diag_move(dst, src);
  return folded;
}

/* ---- JSON ---- */

static void add_envs(hg_doc *o, const hg_diag *d)
{
  hg_doc *envs = hg_doc_set_seq(o, "envs");
  for (size_t j = 0; j < d->n_envs; j++)
    hg_doc_push(envs, hg_doc_str(d->envs[j]));
}

/* The one JSON writer (emit.h) prints the document; root is freed. */
static char *print_root(hg_doc *root)
{
  hg_buf b;
  hg_buf_init(&b);
  hg_emit_json(root, &b);
  hg_doc_free(root);
  return hg_buf_take(&b, NULL);
}

char *hg_diag_render_json(const hg_diag_sink *s, const char *tool_version)
{
  hg_doc *root = hg_doc_map();
  hg_doc_set_int(root, "schema", HG_JSON_SCHEMA);
  hg_doc_set_str(root, "tool", "hardengen");
  hg_doc_set_str(root, "version", tool_version ? tool_version : "");
  hg_doc *arr = hg_doc_set_seq(root, "diagnostics");
  for (size_t i = 0; i < s->n; i++) {
    const hg_diag *d = &s->v[i];
    hg_doc *o = hg_doc_map();
    hg_doc_set_str(o, "severity", sev_name(d->sev));
    hg_doc_set_str(o, "code", d->code);
    hg_doc_set_str(o, "message", d->message);
    if (d->file)
      hg_doc_set_str(o, "file", d->file);
    else
      hg_doc_set_null(o, "file");
    hg_doc_set_int(o, "line", d->line);
    hg_doc_set_int(o, "column", d->col);
    hg_doc_set_int(o, "end_column", d->col > 0 ? d->col + (d->span > 0 ? d->span : 1) : 0);
    hg_doc *notes = hg_doc_set_seq(o, "notes");
    for (size_t j = 0; j < d->n_notes; j++)
      hg_doc_push(notes, hg_doc_str(d->notes[j]));
    add_envs(o, d);
    hg_doc_push(arr, o);
  }
  return print_root(root);
}

/* ---- SARIF ---- */

/* What a code's family is about, for the rules' short descriptions; the
 * README's "Diagnostics" section lists the same families. */
static const struct {
  const char *prefix, *what;
} families[] = {
    {"profile-", "Profile"},         {"lua-", "Lua filter map"},
    {"fp-", "Filter pattern"},       {"cis-", "CIS selection"},
    {"quota-", "CloudFormation quota"}, {"iam-", "IAM policy"},
    {"template-", "Template skeleton"}, {"plan-", "Stack set"},
    {"test-", "Filter example"},     {"events-", "CloudTrail input"},
    {"publish-", "Publish"},         {"manifest-", "Publish"},
    {"s3-", "S3"},                   {"creds-", "Credentials"},
    {"diff-", "Diff"},               {"write-", "Output"},
    {"match-", "Match"},
};

static char *describe(const char *code)
{
  const char *what = "hardengen", *rest = code;
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
    size_t n = strlen(families[i].prefix);
    if (strncmp(code, families[i].prefix, n) == 0) {
      what = families[i].what;
      rest = code + n;
      break;
    }
  }
  char *words = xstrdup(*rest ? rest : code);
  for (char *p = words; *p; p++)
    if (*p == '-')
      *p = ' ';
  char *out = xasprintf("%s: %s", what, words);
  free(words);
  return out;
}

/* Percent-encode what a URI path may not hold as is (RFC 3986). */
static char *uri_path(const char *p)
{
  hg_buf b;
  hg_buf_init(&b);
  for (; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        strchr("-._~/", c))
      hg_buf_putc(&b, (char)c);
    else
      hg_buf_printf(&b, "%%%02X", c);
  }
  hg_buf_puts(&b, "");
  return hg_buf_take(&b, NULL);
}

/* Absolute, resolved form of path (NULL when it cannot be resolved). */
static char *absolute(const char *path)
{
  char buf[PATH_MAX];
  return realpath(path, buf) ? xstrdup(buf) : NULL;
}

/* The location of file: relative to root (rel set, returned without the
 * root) or an absolute file: URI. malloc'd. */
static char *locate(const char *file, const char *abs_root, bool *rel)
{
  *rel = false;
  char *abs = absolute(file);
  if (abs && abs_root) {
    size_t n = strlen(abs_root);
    if (strncmp(abs, abs_root, n) == 0 && (abs[n] == '/' || abs_root[n - 1] == '/')) {
      *rel = true;
      char *u = uri_path(abs + n + (abs[n] == '/'));
      free(abs);
      return u;
    }
  }
  if (abs) {
    char *u = uri_path(abs);
    char *out = xasprintf("file://%s", u);
    free(u);
    free(abs);
    return out;
  }
  /* Not a file on disk (<stdin>, a folder that went away): as given. */
  *rel = file[0] != '/';
  while (strncmp(file, "./", 2) == 0)
    file += 2;
  return uri_path(file);
}

char *hg_diag_render_sarif(const hg_diag_sink *s, const hg_diag_sarif_opts *opts)
{
  const char *version = opts && opts->tool_version ? opts->tool_version : "";
  const char *home = opts && opts->home_url ? opts->home_url : HG_HOME_URL;
  char *abs_root = absolute(opts && opts->root ? opts->root : ".");
  char *help = xasprintf("%s/blob/main/README.md#diagnostics", home);

  hg_doc *root = hg_doc_map();
  hg_doc_set_str(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  hg_doc_set_str(root, "version", "2.1.0");
  hg_doc *runs = hg_doc_set_seq(root, "runs");
  hg_doc *run = hg_doc_map();
  hg_doc_push(runs, run);
  hg_doc *driver = hg_doc_set_map(hg_doc_set_map(run, "tool"), "driver");
  hg_doc_set_str(driver, "name", "hardengen");
  hg_doc_set_str(driver, "version", version);
  hg_doc_set_str(driver, "semanticVersion", version);
  hg_doc_set_str(driver, "informationUri", home);
  hg_doc *rules = hg_doc_set_seq(driver, "rules");
  if (abs_root) {
    hg_doc *bases = hg_doc_set_map(run, "originalUriBaseIds");
    char *u = uri_path(abs_root);
    char *uri = xasprintf("file://%s%s", u, strcmp(abs_root, "/") == 0 ? "" : "/");
    hg_doc_set_str(hg_doc_set_map(bases, "%SRCROOT%"), "uri", uri);
    free(uri);
    free(u);
  }

  /* One rule per code, in order of first use. */
  const char **codes = xcalloc(s->n + 1, sizeof *codes);
  size_t n_codes = 0;
  hg_doc *results = hg_doc_set_seq(run, "results");
  for (size_t i = 0; i < s->n; i++) {
    const hg_diag *d = &s->v[i];
    size_t rule = 0;
    while (rule < n_codes && strcmp(codes[rule], d->code) != 0)
      rule++;
    if (rule == n_codes) {
      codes[n_codes++] = d->code;
      hg_doc *r = hg_doc_map();
      hg_doc_set_str(r, "id", d->code);
      char *text = describe(d->code);
      hg_doc_set_str(hg_doc_set_map(r, "shortDescription"), "text", text);
      free(text);
      hg_doc_set_str(r, "helpUri", help);
      hg_doc_push(rules, r);
    }

    hg_doc *r = hg_doc_map();
    hg_doc_set_str(r, "ruleId", d->code);
    hg_doc_set_int(r, "ruleIndex", (long long)rule);
    hg_doc_set_str(r, "level", sev_name(d->sev));
    hg_buf msg;
    hg_buf_init(&msg);
    hg_buf_puts(&msg, d->message);
    for (size_t j = 0; j < d->n_notes; j++)
      hg_buf_printf(&msg, " (%s)", d->notes[j]);
    hg_doc_set_str(hg_doc_set_map(r, "message"), "text", msg.data);
    hg_buf_free(&msg);

    char *uri = NULL;
    bool rel = false;
    if (d->file) {
      uri = locate(d->file, abs_root, &rel);
      hg_doc *locs = hg_doc_set_seq(r, "locations");
      hg_doc *loc = hg_doc_map();
      hg_doc_push(locs, loc);
      hg_doc *phys = hg_doc_set_map(loc, "physicalLocation");
      hg_doc *art = hg_doc_set_map(phys, "artifactLocation");
      hg_doc_set_str(art, "uri", uri);
      if (rel)
        hg_doc_set_str(art, "uriBaseId", "%SRCROOT%");
      if (d->line > 0) {
        hg_doc *region = hg_doc_set_map(phys, "region");
        hg_doc_set_int(region, "startLine", d->line);
        if (d->col > 0) {
          hg_doc_set_int(region, "startColumn", d->col);
          hg_doc_set_int(region, "endColumn", d->col + (d->span > 0 ? d->span : 1));
        }
      }
    }
    /* Line numbers left out, so a finding keeps its identity when lines
     * above it move. */
    hg_buf fp;
    hg_buf_init(&fp);
    hg_buf_printf(&fp, "%s\n%s\n%s\n%d", d->code, uri ? uri : "", d->message, d->col);
    char hex[65];
    hg_sha256_hex(fp.data, fp.len, hex);
    hg_buf_free(&fp);
    hex[32] = '\0';
    hg_doc_set_str(hg_doc_set_map(r, "partialFingerprints"), "hardengen/v1", hex);
    if (d->n_envs) {
      hg_doc *envs = hg_doc_seq();
      for (size_t j = 0; j < d->n_envs; j++)
        hg_doc_push(envs, hg_doc_str(d->envs[j]));
      hg_doc_set(hg_doc_set_map(r, "properties"), "envs", envs);
    }
    free(uri);
    hg_doc_push(results, r);
  }
  free(codes);
  free(help);
  free(abs_root);
  return print_root(root);
}
