/*
 * exceptions.c — load and check exceptions/NAME.yaml (see exceptions.h).
 *
 * The YAML goes through the profile loader's parser (hg_yval_parse), so
 * every node has its line and column and hostile documents are bounded the
 * same way (alias expansion, depth, size).
 */
#include "hg/exceptions.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hg/arn.h"
#include "hg/profile.h"

/* AWS tag limits (Tagging AWS resources): key 1-128, value 0-256 characters. */
#define TAG_KEY_MAX 128
#define TAG_VALUE_MAX 256
#define TEXT_MAX 1024

static const char *const entry_keys[] = {"rule", "arn", "tag", "reason", "approved_by", "expires", NULL};

void hg_exceptions_init(hg_exceptions *x)
{
  memset(x, 0, sizeof *x);
  x->arena = hg_arena_new();
}

void hg_exceptions_free(hg_exceptions *x)
{
  if (x->arena)
    hg_arena_free(x->arena);
  free(x->v);
  free(x->files);
  memset(x, 0, sizeof *x);
}

void hg_exceptions_today(char out[11])
{
  time_t t = time(NULL);
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  if (sde && *sde) {
    char *end = NULL;
    long long v = strtoll(sde, &end, 10);
    if (end && *end == '\0' && v >= 0)
      t = (time_t)v;
  }
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100);
  memcpy(out, buf, 10);
  out[10] = '\0';
}

static bool digits(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

/* NULL when s is a real calendar date YYYY-MM-DD, else why not. */
static const char *date_problem(const char *s)
{
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
    return "a date is written YYYY-MM-DD";
  int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12)
    return "the month is not 01 to 12";
  int max = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
  if (d < 1 || d > max)
    return "that day does not exist in that month";
  return NULL;
}

/* A string field: present, a string, 1..max bytes. NULL when it fails. */
static const char *text_field(hg_diag_sink *sink, hg_arena *a, const hg_yval *entry, const char *key, size_t max)
{
  const hg_yval *v = hg_yval_get(entry, key);
  if (!v) {
    hg_yval_diag(sink, HG_SEV_ERROR, entry, "exception-missing-key", "this exception has no '%s'", key);
    return NULL;
  }
  if (v->kind != HG_Y_STR) {
    hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, v, "exception-type", "'%s' must be a string, not %s", key,
                    hg_yval_kind_name(v->kind));
    if (v->kind != HG_Y_SEQ && v->kind != HG_Y_MAP && v->kind != HG_Y_NULL)
      hg_diag_note(d, "quote it to keep it a string: \"%s\"", hg_yval_clip(a, v->text));
    return NULL;
  }
  size_t n = strlen(v->text);
  if (n == 0 || n > max) {
    hg_yval_diag(sink, HG_SEV_ERROR, v, "exception-bad-value", "'%s' must be 1 to %zu characters", key, max);
    return NULL;
  }
  return v->text;
}

static void add_entry(hg_exceptions *x, const hg_exception *e)
{
  if (x->n == x->cap) {
    x->cap = x->cap ? x->cap * 2 : 16;
    x->v = xrealloc(x->v, x->cap * sizeof *x->v);
  }
  x->v[x->n++] = *e;
}

static int cmp_entry(const void *pa, const void *pb)
{
  const hg_exception *a = pa, *b = pb;
  int r = strcmp(a->rule, b->rule);
  return r ? r : strcmp(a->match, b->match);
}

/* The entry with this rule and match in x, or NULL. */
static const hg_exception *find(const hg_exceptions *x, const char *rule, const char *match)
{
  for (size_t i = 0; i < x->n; i++)
    if (strcmp(x->v[i].rule, rule) == 0 && strcmp(x->v[i].match, match) == 0)
      return &x->v[i];
  return NULL;
}

/* Check one entry; add it to x when it is valid and live. Returns errors added. */
static size_t check_entry(const hg_yval *e, const char *source_file, const char *const *rules, const char *today,
                          hg_exceptions *x, hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  hg_arena *a = x->arena;
  if (e->kind != HG_Y_MAP) {
    hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, e, "exception-type", "an exception must be a mapping, not %s",
                    hg_yval_kind_name(e->kind));
    hg_diag_note(d, "keys: rule, arn or tag, reason, approved_by, expires");
    return 1;
  }
  hg_exception out = {0};
  /* rule */
  const hg_yval *rv = hg_yval_get(e, "rule");
  if (!rv) {
    hg_yval_diag(sink, HG_SEV_ERROR, e, "exception-missing-key", "this exception has no 'rule' (a rule name, or \"*\" for all)");
  } else if (rv->kind != HG_Y_STR) {
    hg_yval_diag(sink, HG_SEV_ERROR, rv, "exception-type", "'rule' must be a string, not %s", hg_yval_kind_name(rv->kind));
  } else {
    bool known = strcmp(rv->text, "*") == 0;
    for (size_t i = 0; !known && rules[i]; i++)
      known = strcmp(rv->text, rules[i]) == 0;
    if (!known) {
      hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, rv, "exception-unknown-rule", "unknown rule '%s'", hg_yval_clip(a, rv->text));
      const char *near = hg_did_you_mean(rv->text, rules, true);
      if (near) {
        hg_diag_note(d, "did you mean '%s'?", near);
      } else {
        hg_buf b;
        hg_buf_init(&b);
        for (size_t i = 0; rules[i]; i++)
          hg_buf_printf(&b, "%s%s", i ? ", " : "", rules[i]);
        hg_diag_note(d, "declared rules: %s, or \"*\" for every rule", b.len ? b.data : "none");
        hg_buf_free(&b);
      }
    } else {
      out.rule = rv->text;
    }
  }

  /* exactly one of arn and tag */
  const hg_yval *av = hg_yval_get(e, "arn"), *tv = hg_yval_get(e, "tag");
  if (av && tv) {
    const hg_yval *second = av->line > tv->line || (av->line == tv->line && av->col > tv->col) ? av : tv;
    hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, second, "exception-arn-and-tag",
                    "an exception names a resource by 'arn' or by 'tag', not both");
    hg_diag_note(d, "write two exceptions to except both");
  } else if (!av && !tv) {
    hg_yval_diag(sink, HG_SEV_ERROR, e, "exception-missing-key", "this exception has neither 'arn' nor 'tag'");
  } else if (av) {
    if (av->kind != HG_Y_STR) {
      hg_yval_diag(sink, HG_SEV_ERROR, av, "exception-type", "'arn' must be a string, not %s", hg_yval_kind_name(av->kind));
    } else {
      size_t col = 0;
      const char *why = hg_arn_parse(av->text, NULL, &col);
      if (why) {
        hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, av, "exception-bad-arn", "'%s' is not a valid ARN: %s",
                        hg_yval_clip(a, av->text), why);
        hg_diag_note(d, "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, e.g. arn:aws:s3:::acme-bucket");
      } else {
        out.arn = av->text;
        size_t n = strlen(av->text) + 5;
        char *m = hg_arena_alloc(a, n);
        snprintf(m, n, "arn:%s", av->text);
        out.match = m;
      }
    }
  } else {
    if (tv->kind != HG_Y_MAP || tv->n != 1) {
      hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, tv, "exception-bad-tag", "'tag' must be a mapping with one KEY: VALUE");
      hg_diag_note(d, "for example tag: { hardengen:exception: EXC-42 }");
    } else {
      const char *k = tv->keys[0];
      const hg_yval *val = tv->items[0];
      size_t kn = strlen(k);
      if (kn == 0 || kn > TAG_KEY_MAX) {
        hg_yval_diag(sink, HG_SEV_ERROR, tv->key_nodes[0], "exception-bad-tag", "a tag key is 1 to %d characters",
           TAG_KEY_MAX);
      } else if (strncmp(k, "aws:", 4) == 0) {
        hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, tv->key_nodes[0], "exception-bad-tag",
                        "tag keys starting with 'aws:' are reserved for AWS");
        hg_diag_note(d, "resources cannot carry such a tag by choice, so the exception could be claimed by anyone");
      } else if (val->kind != HG_Y_STR) {
        hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, val, "exception-type", "the tag value must be a string, not %s",
                        hg_yval_kind_name(val->kind));
        if (val->kind != HG_Y_SEQ && val->kind != HG_Y_MAP && val->kind != HG_Y_NULL)
          hg_diag_note(d, "quote it to keep it a string: \"%s\"", hg_yval_clip(a, val->text));
      } else if (strlen(val->text) > TAG_VALUE_MAX) {
        hg_yval_diag(sink, HG_SEV_ERROR, val, "exception-bad-tag", "a tag value is at most %d characters", TAG_VALUE_MAX);
      } else {
        out.tag_key = k;
        out.tag_value = val->text;
        size_t n = kn + strlen(val->text) + 6;
        char *m = hg_arena_alloc(a, n);
        snprintf(m, n, "tag:%s=%s", k, val->text);
        out.match = m;
      }
    }
  }

  out.reason = text_field(sink, a, e, "reason", TEXT_MAX);
  out.approved_by = text_field(sink, a, e, "approved_by", 256);

  /* expires */
  const hg_yval *ev = hg_yval_get(e, "expires");
  bool expired = false;
  if (!ev) {
    hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, e, "exception-missing-key", "this exception has no 'expires'");
    hg_diag_note(d, "every exception ends: expires: YYYY-MM-DD");
  } else if (ev->kind != HG_Y_STR) {
    hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, ev, "exception-bad-date", "'expires' must be a date YYYY-MM-DD, not %s",
                    hg_yval_kind_name(ev->kind));
    (void)d;
  } else {
    const char *why = date_problem(ev->text);
    if (why) {
      hg_yval_diag(sink, HG_SEV_ERROR, ev, "exception-bad-date", "'expires' %s is not a date: %s", hg_yval_clip(a, ev->text), why);
    } else {
      out.expires = ev->text;
      expired = strcmp(ev->text, today) < 0;
    }
  }

  /* Unknown keys last, so an entry's problems come in the order of its lines
   * as far as possible (a misspelt key is usually also a missing one). */
  for (size_t i = 0; i < e->n; i++) {
    bool known = false;
    for (size_t k = 0; entry_keys[k]; k++)
      known = known || strcmp(e->keys[i], entry_keys[k]) == 0;
    if (!known) {
      hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, e->key_nodes[i], "exception-unknown-key", "unknown key '%s'",
                      hg_yval_clip(a, e->keys[i]));
      const char *near = hg_did_you_mean(e->keys[i], entry_keys, true);
      if (near)
        hg_diag_note(d, "did you mean '%s'?", near);
      else
        hg_diag_note(d, "keys: rule, arn or tag, reason, approved_by, expires");
    }
  }

  if (sink->errors > errors)
    return sink->errors - errors;

  /* Valid: a duplicate of an earlier entry, expired, or live. */
  const hg_exception *dup = find(x, out.rule, out.match);
  if (dup) {
    hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, rv, "exception-duplicate", "duplicate exception for rule '%s' and %s",
                    out.rule, hg_yval_clip(a, out.match));
    hg_diag_note(d, "first declared at %s", dup->source);
    return 1;
  }
  char src[512];
  snprintf(src, sizeof src, "%s:%d", source_file, e->line);
  out.source = hg_arena_strdup(a, src);
  if (expired) {
    hg_diag *d = hg_yval_diag(sink, HG_SEV_WARNING, ev, "exception-expired",
                    "this exception expired on %s; it is left out", out.expires);
    hg_diag_note(d, "renew it with a new date and approval, or delete it");
    x->expired++;
    return 0;
  }
  add_entry(x, &out);
  return 0;
}

/* "exceptions/NAME" for a path ".../exceptions/NAME" (the digest and `source` never depend on --root). */
static const char *source_name(hg_arena *a, const char *file)
{
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  size_t n = strlen(base) + sizeof "exceptions/";
  char *r = hg_arena_alloc(a, n);
  snprintf(r, n, "exceptions/%s", base);
  return r;
}

int hg_exceptions_parse_text(const char *file, const char *text, size_t len, const char *const *rules,
                             const char *today, hg_exceptions *x, hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  hg_diag_source(sink, file, text, len);
  const char *src = source_name(x->arena, file);
  hg_yval *doc = hg_yval_parse(x->arena, file, text, len, sink);
  if (doc) {
    if (doc->kind == HG_Y_NULL) {
      /* an empty file declares nothing */
    } else if (doc->kind != HG_Y_SEQ) {
      hg_diag *d = hg_yval_diag(sink, HG_SEV_ERROR, doc, "exception-type",
                      "an exceptions file must be a list of exceptions, not %s", hg_yval_kind_name(doc->kind));
      hg_diag_note(d, "start each exception with '- rule: NAME'");
    } else {
      for (size_t i = 0; i < doc->n; i++)
        check_entry(doc->items[i], src, rules, today, x, sink);
    }
  }
  if (x->n > 1)
    qsort(x->v, x->n, sizeof *x->v, cmp_entry);
  return sink->errors > errors ? -1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int hg_exceptions_load(const char *root, const char *const *rules, const char *today, hg_exceptions *x,
                       hg_diag_sink *sink)
{
  hg_res *res = hg_res_new(root);
  int rc = hg_exceptions_read(res, root, rules, today, x, sink);
  hg_res_free(res);
  return rc;
}

int hg_exceptions_read(hg_res *res, const char *root, const char *const *rules, const char *today,
                       hg_exceptions *x, hg_diag_sink *sink)
{
  size_t errors = sink->errors;
  if (!root)
    root = hg_res_root(res);
  char *dir = xasprintf("%s/exceptions", root);
  DIR *d = opendir(dir);
  if (!d) {
    int e = errno;
    if (e != ENOENT && e != ENOTDIR)
      hg_diag_add(sink, HG_SEV_ERROR, dir, 0, 0, "exception-unreadable", "cannot read the folder: %s", strerror(e));
    free(dir);
    return sink->errors > errors ? -1 : 0;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *ent;
  while ((ent = readdir(d))) {
    const char *nm = ent->d_name;
    if (nm[0] == '.' || !(hg_ends_with(nm, ".yaml") || hg_ends_with(nm, ".yml")))
      continue;
    if (n == HG_EXCEPTIONS_MAX_FILES) {
      hg_diag_add(sink, HG_SEV_ERROR, dir, 0, 0, "exception-too-many-files", "more than %d exception files",
                  HG_EXCEPTIONS_MAX_FILES);
      break;
    }
    names = xrealloc(names, (n + 1) * sizeof *names);
    names[n++] = xstrdup(nm);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, cmp_str);
  x->files = xrealloc(x->files, (n ? n : 1) * sizeof *x->files);
  for (size_t i = 0; i < n; i++) {
    char *path = strcmp(root, ".") == 0 ? xasprintf("exceptions/%s", names[i]) : xasprintf("%s/%s", dir, names[i]);
    size_t len = 0;
    char *text = hg_res_read(res, path, HG_EXCEPTIONS_MAX_BYTES, &len);
    if (!text) {
      hg_diag_add(sink, HG_SEV_ERROR, path, 0, 0, "exception-unreadable", "cannot read: %s",
                  errno == EFBIG ? "larger than 4 MB" : strerror(errno));
    } else {
      hg_exceptions_file *f = &x->files[x->n_files++];
      f->name = source_name(x->arena, names[i]);
      memcpy(f->sha256, hg_res_sha256(res, path), sizeof f->sha256);
      hg_exceptions_parse_text(path, text, len, rules, today, x, sink);
      free(text);
    }
    free(path);
    free(names[i]);
  }
  free(names);
  free(dir);
  return sink->errors > errors ? -1 : 0;
}
