/*
 * cis_select.c — pick the CIS variants for a profile's version and targets,
 * verify the final filter set, and render the compliance preview.
 *
 * The checkers themselves live in cis_check.c. Selection works per control
 * on the variants filters/cis.lua declares; verification and the report
 * judge the whole final set the way the checkers do (a checker is satisfied
 * by any metric filter on the trail's log group, so any filter counts).
 */
#include "hg/cis.h"

#include <stdlib.h>
#include <string.h>

#include "hg/emit.h"
#include "hg/util.h"
#include "hg/version.h"

static const unsigned target_bits[] = {HG_TARGET_SECURITYHUB, HG_TARGET_PROWLER,
                                       HG_TARGET_STEAMPIPE};

static bool variant_valid(const hg_variant *v, const char *version)
{
  if (!v->versions)
    return true;
  for (size_t i = 0; i < v->n_versions; i++)
    if (strcmp(v->versions[i], version) == 0)
      return true;
  return false;
}

static void free_variants(hg_filter *f)
{
  for (size_t i = 0; i < f->n_variants; i++) {
    free(f->variants[i].name);
    free(f->variants[i].pattern);
    for (size_t j = 0; j < f->variants[i].n_versions; j++)
      free(f->variants[i].versions[j]);
    free(f->variants[i].versions);
  }
  free(f->variants);
  f->variants = NULL;
  f->n_variants = 0;
}

/* The profile's targets; an empty set judges nothing. */
static unsigned profile_targets(const hg_profile *p)
{
  return p->cis_targets & HG_TARGET_ALL;
}

static const char *profile_version(const hg_profile *p)
{
  return p->cis_version ? p->cis_version : "1.4";
}

#define MAX_CAND 16

/*
 * Choose the variants of one control. cand holds variant indexes in
 * preference order; pass[i] has a bit per target variant cand[i] passes.
 * Tries subsets by size (1, 2, 3), each size in lexicographic order of
 * preference; writes the chosen variant indexes to pick and returns their
 * number, or 0 when no subset of up to three passes.
 */
static size_t choose(const size_t *cand, const unsigned *pass, size_t nc, unsigned need,
                     size_t pick[3])
{
  for (size_t a = 0; a < nc; a++)
    if ((pass[a] & need) == need) {
      pick[0] = cand[a];
      return 1;
    }
  for (size_t a = 0; a < nc; a++)
    for (size_t b = a + 1; b < nc; b++)
      if (((pass[a] | pass[b]) & need) == need) {
        pick[0] = cand[a], pick[1] = cand[b];
        return 2;
      }
  for (size_t a = 0; a < nc; a++)
    for (size_t b = a + 1; b < nc; b++)
      for (size_t c = b + 1; c < nc; c++)
        if (((pass[a] | pass[b] | pass[c]) & need) == need) {
          pick[0] = cand[a], pick[1] = cand[b], pick[2] = cand[c];
          return 3;
        }
  return 0;
}

/* A variant's name for a title: "cis-v5.0" -> "CIS v5.0", "securityhub" ->
 * "Security Hub", others as written. Malloc'd. */
static char *form_name(const char *name)
{
  if (!name)
    return xstrdup("variant");
  if (strcmp(name, "securityhub") == 0)
    return xstrdup("Security Hub");
  if (strncmp(name, "cis", 3) == 0 && (name[3] == '\0' || name[3] == '-'))
    return name[3] ? xasprintf("CIS %s", name + 4) : xstrdup("CIS");
  return xstrdup(name);
}

static int cmp_size(const void *a, const void *b)
{
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

/* Resolve one filter with variants into out. Returns 0 or -1 (diagnosed). */
static int select_one(const hg_profile *p, const hg_filter *f, hg_filterset *out,
                      hg_diag_sink *sink)
{
  const char *version = profile_version(p);
  unsigned targets = profile_targets(p);
  const hg_cis_control *c = hg_cis_control_find(f->id);
  bool sh_target = (targets & HG_TARGET_SECURITYHUB) != 0;

  /* Preference: the file's order; without securityhub among the targets,
   * the Security Hub string goes last so the CIS text of the version wins. */
  size_t cand[MAX_CAND], nc = 0;
  for (int round = 0; round < 2; round++)
    for (size_t i = 0; i < f->n_variants && nc < MAX_CAND; i++) {
      const hg_variant *v = &f->variants[i];
      bool late = !sh_target && v->name && strcmp(v->name, "securityhub") == 0;
      if (late == (round == 1) && variant_valid(v, version))
        cand[nc++] = i;
    }
  if (nc == 0) {
    hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, 0, "cis-no-variant",
                "control '%s' has no pattern variant for CIS version %s", f->id, version);
    return -1;
  }

  unsigned pass[MAX_CAND], need = 0;
  for (size_t k = 0; k < HG_COUNTOF(target_bits); k++)
    if ((targets & target_bits[k]) && c && hg_cis_target_applies(c, target_bits[k]))
      need |= target_bits[k];
  for (size_t i = 0; i < nc; i++) {
    pass[i] = 0;
    for (size_t k = 0; k < HG_COUNTOF(target_bits); k++)
      if ((need & target_bits[k]) &&
          hg_cis_check(c, target_bits[k], f->variants[cand[i]].pattern, NULL))
        pass[i] |= target_bits[k];
  }

  size_t pick[3];
  size_t np = choose(cand, pass, nc, need, pick);
  if (np == 0) {
    for (size_t k = 0; k < HG_COUNTOF(target_bits); k++) {
      unsigned t = target_bits[k];
      bool any = false;
      for (size_t i = 0; i < nc; i++)
        any |= (pass[i] & t) != 0;
      if (!(need & t) || any)
        continue;
      char *why = NULL;
      hg_cis_check(c, t, f->variants[cand[0]].pattern, &why);
      hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, f->file, f->line, 0, "cis-unsatisfiable",
                               "no variant of control '%s' passes target '%s' for CIS %s",
                               f->id, hg_cis_target_name(t), version);
      hg_diag_note(d, "variant '%s' (line %d): %s", f->variants[cand[0]].name,
                   f->variants[cand[0]].line, why ? why : "");
      free(why);
    }
    return -1;
  }
  /* Emit in file order: the first keeps the id, the next get "-cis". */
  qsort(pick, np, sizeof pick[0], cmp_size);
  for (size_t k = 0; k < np; k++) {
    const hg_variant *v = &f->variants[pick[k]];
    hg_filter *nf = hg_filterset_add(out);
    hg_filter_copy(nf, f);
    free_variants(nf);
    free(nf->pattern);
    nf->pattern = xstrdup(v->pattern);
    nf->pattern_line = v->line;
    nf->pattern_col = 0;
    free(nf->control);
    nf->control = xstrdup(f->id);
    if (k > 0) {
      free(nf->id);
      nf->id = k == 1 ? xasprintf("%s-cis", f->id) : xasprintf("%s-cis-%zu", f->id, k);
      free(nf->title);
      char *form = form_name(v->name);
      nf->title = xasprintf("%s (%s form)", f->title ? f->title : f->id, form);
      free(form);
    }
  }
  return 0;
}

int hg_cis_select(const hg_profile *p, hg_filterset *fs, hg_diag_sink *sink)
{
  const char *version = profile_version(p);
  if (hg_cis_version_index(version) < 0) {
    hg_diag_add(sink, HG_SEV_ERROR, p->path, 0, 0, "cis-unknown-version",
                "unknown CIS version '%s' (known: 1.2, 1.4, 3.0, 5.0)", version);
    return -1;
  }
  hg_filterset out;
  hg_filterset_init(&out);
  int rc = 0;
  for (size_t i = 0; i < fs->n; i++) {
    hg_filter *f = &fs->v[i];
    if (!f->n_variants) {
      *hg_filterset_add(&out) = *f; /* move */
      memset(f, 0, sizeof *f);
      continue;
    }
    if (hg_filter_cis(f, version) && select_one(p, f, &out, sink) != 0)
      rc = -1;
    hg_filter_clear(f);
  }
  hg_filterset_free(fs);
  *fs = out;
  /* Ids stay unique, so metric and alarm names (derived from them) do too. */
  for (size_t i = 0; i < fs->n; i++)
    for (size_t j = i + 1; j < fs->n; j++)
      if (fs->v[i].id && fs->v[j].id && strcmp(fs->v[i].id, fs->v[j].id) == 0 &&
          (fs->v[i].control || fs->v[j].control)) {
        const hg_filter *g = fs->v[j].control ? &fs->v[i] : &fs->v[j];
        hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, g->file, g->line, 0, "cis-id-collision",
                                 "filter id '%s' collides with a filter made from a CIS control",
                                 g->id);
        hg_diag_note(d, "rename the filter; ids ending in -cis are taken by CIS controls");
        rc = -1;
      }
  return rc;
}

/* ---- judging the final set ------------------------------------------------ */

typedef enum { R_PASS, R_FAIL, R_NA } result;

static bool own(const hg_filter *f, const hg_cis_control *c)
{
  return strcmp(f->control ? f->control : f->id, c->id) == 0;
}

/*
 * Judge control c for target t on the set. On pass *by is the filter that
 * satisfies it; on failure *reason is malloc'd. The control's own filters
 * are tried first (the usual answer), then every other filter, because a
 * checker accepts any metric filter on the log group.
 */
static result judge(const hg_filterset *fs, const hg_cis_control *c, unsigned t,
                    const hg_filter **by, char **reason)
{
  *by = NULL;
  *reason = NULL;
  if (!hg_cis_target_applies(c, t)) {
    *reason = xstrdup("Security Hub has no control for it");
    return R_NA;
  }
  const hg_filter *first = NULL;
  for (int round = 0; round < 2; round++)
    for (size_t i = 0; i < fs->n; i++) {
      const hg_filter *f = &fs->v[i];
      if (!f->pattern || own(f, c) != (round == 0))
        continue;
      if (hg_cis_check(c, t, f->pattern, NULL)) {
        *by = f;
        free(*reason);
        *reason = NULL;
        return R_PASS;
      }
      if (!first) {
        first = f;
        hg_cis_check(c, t, f->pattern, reason);
        if (!own(f, c)) { /* no filter of its own: say that instead */
          free(*reason);
          *reason = NULL;
        }
      }
    }
  if (!*reason)
    *reason = xstrdup("no metric filter for this control");
  else {
    char *r = xasprintf("%s: %s", first->id, *reason);
    free(*reason);
    *reason = r;
  }
  return R_FAIL;
}

static bool has_own(const hg_filterset *fs, const hg_cis_control *c, const hg_filter **f0)
{
  for (size_t i = 0; i < fs->n; i++)
    if (own(&fs->v[i], c)) {
      *f0 = &fs->v[i];
      return true;
    }
  return false;
}

static bool disabled(const hg_profile *p, const char *id)
{
  for (size_t i = 0; i < p->n_disable; i++)
    if (p->disable[i] && strcmp(p->disable[i], id) == 0)
      return true;
  return false;
}

/* The filters.disable item naming id, for the warning's position; NULL
 * when the tree does not have it. */
static const hg_yval *disable_node(const hg_profile *p, const char *id)
{
  const hg_yval *list = p->tree ? hg_yval_path(p->tree, "filters.disable") : NULL;
  for (size_t i = 0; list && list->kind == HG_Y_SEQ && i < list->n; i++)
    if (list->items[i]->kind == HG_Y_STR && list->items[i]->text &&
        strcmp(list->items[i]->text, id) == 0)
      return list->items[i];
  return NULL;
}

static const hg_override *override_of(const hg_profile *p, const char *id)
{
  for (size_t i = 0; i < p->n_overrides; i++)
    if (p->overrides[i].id && strcmp(p->overrides[i].id, id) == 0 && p->overrides[i].pattern)
      return &p->overrides[i];
  return NULL;
}

int hg_cis_verify(const hg_profile *p, const hg_filterset *fs, hg_diag_sink *sink)
{
  int vi = hg_cis_version_index(profile_version(p));
  if (vi < 0)
    return 0; /* hg_cis_select reported it */
  unsigned targets = profile_targets(p);
  int rc = 0;
  for (size_t ci = 0; ci < hg_cis_control_count(); ci++) {
    const hg_cis_control *c = hg_cis_control_at(ci);
    const hg_filter *f0 = NULL;
    if (!c->cis[vi])
      continue;
    if (!has_own(fs, c, &f0)) {
      if (disabled(p, c->id)) {
        const hg_yval *at = disable_node(p, c->id);
        hg_diag *d = hg_diag_add(sink, HG_SEV_WARNING, at && at->file ? at->file : p->path,
                                 at ? at->line : 0, at ? at->col : 0, "cis-control-disabled",
                                 "CIS %s control '%s' is disabled; its checkers will report it "
                                 "as failing",
                                 c->cis[vi], c->id);
        d->span = (int)strlen(c->id);
      }
      continue;
    }
    for (size_t k = 0; k < HG_COUNTOF(target_bits); k++) {
      unsigned t = target_bits[k];
      if (!(targets & t))
        continue;
      const hg_filter *by;
      char *why;
      if (judge(fs, c, t, &by, &why) == R_FAIL) {
        /* Point at what the user wrote: the override, else the variant. */
        const hg_override *o = NULL;
        for (size_t i = 0; i < fs->n && !o; i++)
          if (own(&fs->v[i], c))
            o = override_of(p, fs->v[i].id);
        const char *file = f0->file;
        int line = f0->pattern_line ? f0->pattern_line : f0->line, col = 0;
        if (o && o->node) {
          file = o->node->file;
          line = o->node->line;
          col = o->node->col;
        }
        hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "cis-target-failed",
                                 "CIS %s control '%s' would fail target '%s'", c->cis[vi],
                                 c->id, hg_cis_target_name(t));
        hg_diag_note(d, "%s", why);
        rc = -1;
      }
      free(why);
    }
  }
  return rc;
}

/* ---- the compliance preview ---------------------------------------------- */

typedef struct row {
  const hg_cis_control *c;
  unsigned target;
  result r;
  const hg_filter *by;
  char *reason;
} row;

static const char *result_name(result r)
{
  return r == R_PASS ? "pass" : r == R_FAIL ? "fail" : "n/a";
}

static void targets_text(hg_buf *b, unsigned targets)
{
  const char *sep = "";
  for (size_t k = 0; k < HG_COUNTOF(target_bits); k++)
    if (targets & target_bits[k]) {
      hg_buf_printf(b, "%s%s", sep, hg_cis_target_name(target_bits[k]));
      sep = ", ";
    }
  if (!*sep)
    hg_buf_puts(b, "none");
}

static void report_text(const hg_profile *p, const row *rows, size_t n, int vi, FILE *out)
{
  hg_buf t;
  hg_buf_init(&t);
  targets_text(&t, profile_targets(p));
  fprintf(out, "CIS %s compliance preview for %s (targets: %s)\n\n", hg_cis_versions[vi],
          p->env ? p->env : "?", t.data);
  hg_buf_free(&t);
  int w_id = (int)strlen("CONTROL"), w_cis = (int)strlen("CIS");
  for (size_t i = 0; i < n; i++) {
    int l = (int)strlen(rows[i].c->id), m = (int)strlen(rows[i].c->cis[vi]);
    w_id = l > w_id ? l : w_id;
    w_cis = m > w_cis ? m : w_cis;
  }
  fprintf(out, "%-*s  %-*s  %-11s  %-6s  %s\n", w_id, "CONTROL", w_cis, "CIS", "TARGET",
          "RESULT", "DETAIL");
  size_t passed = 0, failed = 0, na = 0;
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    passed += r->r == R_PASS;
    failed += r->r == R_FAIL;
    na += r->r == R_NA;
    fprintf(out, "%-*s  %-*s  %-11s  %-6s  ", w_id, r->c->id, w_cis, r->c->cis[vi],
            hg_cis_target_name(r->target), result_name(r->r));
    if (r->r == R_PASS)
      fprintf(out, "metric filter %s\n", r->by->id);
    else
      fprintf(out, "%s\n", r->reason);
  }
  fprintf(out, "\n%zu passed, %zu failed, %zu not applicable\n", passed, failed, na);
}

static hg_doc *str_or_null(const char *s)
{
  return s ? hg_doc_str(s) : hg_doc_null();
}

/* The same rows as a document (the JSON form). */
static hg_doc *report_doc(const hg_profile *p, const hg_filterset *fs, const row *rows, size_t n,
                          int vi)
{
  hg_doc *d = hg_doc_map();
  hg_doc_set_int(d, "schema", HG_JSON_SCHEMA);
  hg_doc_set_str(d, "env", p->env ? p->env : "");
  hg_doc_set_str(d, "cis_version", hg_cis_versions[vi]);
  hg_doc *targets = hg_doc_set_seq(d, "targets");
  for (size_t k = 0; k < HG_COUNTOF(target_bits); k++)
    if (profile_targets(p) & target_bits[k])
      hg_doc_push_str(targets, hg_cis_target_name(target_bits[k]));
  hg_doc *controls = hg_doc_set_seq(d, "controls");
  size_t passed = 0, failed = 0, na = 0;
  const hg_cis_control *cur = NULL;
  hg_doc *results = NULL;
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    if (r->c != cur) {
      cur = r->c;
      hg_doc *c = hg_doc_push(controls, hg_doc_map());
      hg_doc_set_str(c, "id", r->c->id);
      hg_doc_set_str(c, "cis", r->c->cis[vi]);
      hg_doc_set(c, "securityhub", str_or_null(r->c->securityhub));
      hg_doc *filters = hg_doc_set_seq(c, "filters");
      for (size_t j = 0; j < fs->n; j++)
        if (own(&fs->v[j], r->c))
          hg_doc_push_str(filters, fs->v[j].id);
      results = hg_doc_set_seq(c, "results");
    }
    passed += r->r == R_PASS;
    failed += r->r == R_FAIL;
    na += r->r == R_NA;
    hg_doc *o = hg_doc_push(results, hg_doc_map());
    hg_doc_set_str(o, "target", hg_cis_target_name(r->target));
    hg_doc_set_str(o, "result", result_name(r->r));
    hg_doc_set(o, "filter", str_or_null(r->by ? r->by->id : NULL));
    hg_doc_set(o, "reason", str_or_null(r->reason));
  }
  hg_doc *sum = hg_doc_set_map(d, "summary");
  hg_doc_set_int(sum, "passed", (long long)passed);
  hg_doc_set_int(sum, "failed", (long long)failed);
  hg_doc_set_int(sum, "not_applicable", (long long)na);
  return d;
}

/* Judge every (control, target) pair of version vi (a valid index) and the
 * profile's targets. Returns the rows, *n of them with *failed failing
 * (free with free_rows). */
static row *judge_rows(const hg_profile *p, const hg_filterset *fs, int vi, size_t *n, int *failed)
{
  unsigned targets = profile_targets(p);
  size_t cap = hg_cis_control_count() * HG_COUNTOF(target_bits);
  row *rows = xcalloc(cap, sizeof *rows);
  *n = 0;
  *failed = 0;
  for (size_t ci = 0; ci < hg_cis_control_count(); ci++) {
    const hg_cis_control *c = hg_cis_control_at(ci);
    if (!c->cis[vi])
      continue;
    for (size_t k = 0; k < HG_COUNTOF(target_bits); k++) {
      if (!(targets & target_bits[k]))
        continue;
      row *r = &rows[(*n)++];
      r->c = c;
      r->target = target_bits[k];
      r->r = judge(fs, c, r->target, &r->by, &r->reason);
      if (r->r == R_FAIL && !has_own(fs, c, &(const hg_filter *){NULL}) && disabled(p, c->id)) {
        free(r->reason);
        r->reason = xstrdup("no metric filter for this control (disabled by filters.disable)");
      }
      *failed += r->r == R_FAIL;
    }
  }
  return rows;
}

static void free_rows(row *rows, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(rows[i].reason);
  free(rows);
}

int hg_cis_report(const hg_profile *p, const hg_filterset *fs, const char *format, FILE *out)
{
  bool json = format && strcmp(format, "json") == 0;
  if (format && !json && strcmp(format, "text") != 0)
    return -1;
  int vi = hg_cis_version_index(profile_version(p));
  if (vi < 0)
    return -1;
  size_t n = 0;
  int failed = 0;
  row *rows = judge_rows(p, fs, vi, &n, &failed);
  if (json) {
    /* Printed by the one JSON writer (emit.h). */
    hg_doc *d = report_doc(p, fs, rows, n, vi);
    hg_buf b;
    hg_buf_init(&b);
    hg_emit_json(d, &b);
    hg_doc_free(d);
    fwrite(b.data, 1, b.len, out);
    hg_buf_free(&b);
  } else {
    report_text(p, rows, n, vi, out);
  }
  free_rows(rows, n);
  return failed;
}

hg_doc *hg_cis_report_doc(const hg_profile *p, const hg_filterset *fs)
{
  int vi = hg_cis_version_index(profile_version(p));
  if (vi < 0)
    return NULL;
  size_t n = 0;
  int failed = 0;
  row *rows = judge_rows(p, fs, vi, &n, &failed);
  hg_doc *d = report_doc(p, fs, rows, n, vi);
  free_rows(rows, n);
  return d;
}
