/*
 * emit_read.c — read a YAML template skeleton into a document (see emit.h).
 *
 * The text goes through the one YAML loader (yaml.h) with the template's
 * options: CloudFormation short forms turned into their long forms by the
 * shared tag table, nesting bounded, duplicate keys reported, aliases
 * refused (a document is a tree; an alias could multiply it). The positioned
 * tree is then copied into an hg_doc.
 *
 * JSON text goes through the one JSON parser (json.h) and its tree is
 * copied the same way.
 */
#include "hg/emit.h"
#include "hg/json.h"
#include "hg/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const hg_yaml_opts template_opts = {
    .what = "a template skeleton",
    .cfn_tags = true,
    .first_document_only = true,
    .refuse_aliases = true,
    .syntax_what = "YAML syntax error",
    .code_syntax = "template-yaml-syntax",
    .code_depth = "template-yaml-depth",
    .code_size = "template-yaml-depth",
    .code_alias = "template-yaml-alias",
    .code_dup = "template-duplicate-key",
    .code_complex_key = "template-yaml-key",
    .code_tag = "template-yaml-tag",
    .code_type = "template-yaml-tag",
    .code_overflow = "template-duplicate-key",
};

static bool is_decimal_int(const char *s)
{
  const char *p = s;
  if (*p == '-')
    p++;
  if (!*p || strlen(p) > 18)
    return false;
  if (p[0] == '0' && p[1])
    return false;
  for (; *p; p++)
    if (*p < '0' || *p > '9')
      return false;
  return true;
}

/*
 * Scalars: plain `true`/`false` are BOOL, plain decimal integers INT, plain
 * null (`null`, `~`, empty) NULL; anything else keeps its text as STR (a
 * float stays as written, so `1.50` is not reprinted as `1.5`).
 */
static hg_doc *scalar_doc(const hg_yval *v)
{
  bool plain = v->style == 'p' && !v->tag;
  if (plain && v->kind == HG_Y_BOOL && (strcmp(v->text, "true") == 0 || strcmp(v->text, "false") == 0))
    return hg_doc_bool(v->b);
  if (plain && v->kind == HG_Y_INT && is_decimal_int(v->text))
    return hg_doc_int(v->i);
  if (plain && v->kind == HG_Y_NULL)
    return hg_doc_null();
  return hg_doc_str(v->text);
}

/* The loader's tree has no aliases here, so it is a tree: copy it. Depth
 * is bounded by the loader. */
static hg_doc *to_doc(const hg_yval *v)
{
  switch (v->kind) {
  case HG_Y_MAP: {
    hg_doc *m = hg_doc_map();
    for (size_t i = 0; i < v->n; i++)
      hg_doc_set(m, v->keys[i], to_doc(v->items[i]));
    return m;
  }
  case HG_Y_SEQ: {
    hg_doc *s = hg_doc_seq();
    for (size_t i = 0; i < v->n; i++)
      hg_doc_push(s, to_doc(v->items[i]));
    return s;
  }
  case HG_Y_NULL:
  case HG_Y_BOOL:
  case HG_Y_INT:
  case HG_Y_FLOAT:
  case HG_Y_STR:
    break;
  }
  return scalar_doc(v);
}

hg_doc *hg_emit_read_yaml(const char *text, size_t len, const char *file, hg_diag_sink *sink)
{
  hg_arena *a = hg_arena_new();
  hg_diag_sink local;
  hg_diag_init(&local);
  hg_yval *root = hg_yaml_parse(a, file, text, len, &template_opts, &local);
  bool bad = hg_diag_has_errors(&local);
  hg_diag_move(sink, &local);
  hg_diag_free(&local);
  hg_doc *d = NULL;
  if (root && bad) {
    root = NULL; /* duplicate or complex keys */
  } else if (root && root->kind == HG_Y_NULL && root->style == 0) {
    hg_diag_add(sink, HG_SEV_ERROR, file, 1, 1, "template-yaml-empty", "the template is empty");
    root = NULL;
  }
  if (root)
    d = to_doc(root);
  hg_arena_free(a);
  return d;
}

/* ---- JSON ---- */

/* A JSON number's text (json.h keeps it as written; it is valid JSON). */
static hg_doc *number_doc(const char *s, size_t len)
{
  char buf[64];
  bool integral = !memchr(s, '.', len) && !memchr(s, 'e', len) && !memchr(s, 'E', len);
  if (len < sizeof buf) {
    memcpy(buf, s, len);
    buf[len] = 0;
    errno = 0;
    if (integral) {
      long long v = strtoll(buf, NULL, 10);
      if (errno == 0)
        return hg_doc_int(v);
    }
    double f = strtod(buf, NULL);
    if (isfinite(f))
      return hg_doc_float(f);
  }
  return NULL; /* out of range for a double, or absurdly long */
}

/* A member name and its place, to sort an object's members by name. */
typedef struct member_name {
  const char *key;
  size_t len, place;
} member_name;

static int by_name(const member_name *a, const member_name *b)
{
  int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
  if (c != 0 || a->len == b->len)
    return c;
  return a->len < b->len ? -1 : 1;
}

static int by_name_then_place(const void *pa, const void *pb)
{
  const member_name *a = pa, *b = pb;
  int c = by_name(a, b);
  return c != 0 ? c : (a->place > b->place) - (a->place < b->place);
}

/* last[i] (malloc'd): member i of object v is the last of its name. Sorted
 * by name, so an object of any size with any repetition costs n log n. */
static bool *last_of_name(const hg_jv *v)
{
  bool *last = xcalloc(v->n ? v->n : 1, sizeof *last);
  member_name *m = xmalloc((v->n ? v->n : 1) * sizeof *m);
  for (size_t i = 0; i < v->n; i++)
    m[i] = (member_name){v->keys[i], v->klens[i], i};
  qsort(m, v->n, sizeof *m, by_name_then_place);
  for (size_t i = 0; i < v->n; i++)
    if (i + 1 == v->n || by_name(&m[i], &m[i + 1]) != 0)
      last[m[i].place] = true;
  free(m);
  return last;
}

/* Copy a parsed value; NULL (with *bad set to where) for what a document
 * cannot hold: a string with U+0000, a number out of a double's range. */
static hg_doc *jv_doc(const hg_jv *v, const char **bad)
{
  switch (v->kind) {
  case HG_JV_NULL: return hg_doc_null();
  case HG_JV_FALSE: return hg_doc_bool(false);
  case HG_JV_TRUE: return hg_doc_bool(true);
  case HG_JV_NUMBER: {
    hg_doc *d = number_doc(v->s, v->len);
    if (!d)
      *bad = "a number out of range";
    return d;
  }
  case HG_JV_STRING: {
    if (memchr(v->s, 0, v->len)) {
      *bad = "a string holding U+0000";
      return NULL;
    }
    return hg_doc_strn(v->s, v->len);
  }
  case HG_JV_ARRAY: {
    hg_doc *seq = hg_doc_seq();
    for (size_t i = 0; i < v->n; i++) {
      hg_doc *item = jv_doc(&v->items[i], bad);
      if (!item) {
        hg_doc_free_wiped(seq);
        return NULL;
      }
      hg_doc_push(seq, item);
    }
    return seq;
  }
  case HG_JV_OBJECT: {
    hg_doc *map = hg_doc_map();
    bool *last = last_of_name(v);
    for (size_t i = 0; i < v->n; i++) {
      hg_doc *item = jv_doc(&v->items[i], bad);
      if (!item || memchr(v->keys[i], 0, v->klens[i])) {
        if (item)
          *bad = "a member name holding U+0000";
        hg_doc_free_wiped(item);
        hg_doc_free_wiped(map);
        free(last);
        return NULL;
      }
      if (!last[i]) { /* a repeated name keeps its last value */
        hg_doc_free_wiped(item);
        continue;
      }
      char *key = xstrndup(v->keys[i], v->klens[i]);
      hg_doc_set(map, key, item);
      free(key);
    }
    free(last);
    return map;
  }
  }
  return NULL;
}

/* 1-based line and column (in bytes) of text[off]. */
static void line_col(const char *text, size_t len, size_t off, int *line, int *col)
{
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && i < len; i++) {
    if (text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

hg_doc *hg_emit_read_json(const char *text, size_t len, const char *file, const char *code,
                          hg_diag_sink *sink)
{
  hg_arena *a = hg_arena_new();
  size_t off = 0;
  const char *msg = NULL;
  const hg_jv *v = hg_json_parse(a, text, len, &off, &msg);
  const char *bad = NULL;
  hg_doc *d = v ? jv_doc(v, &bad) : NULL;
  hg_arena_free_wiped(a);
  if (d)
    return d;
  int line, col;
  line_col(text, len, off, &line, &col);
  if (!v) {
    hg_diag_source(sink, file, text, len);
    hg_diag_add(sink, HG_SEV_ERROR, file, line, col, code, "not valid JSON: %s",
                msg ? msg : "syntax error");
  } else {
    hg_diag_add(sink, HG_SEV_ERROR, file, 0, 0, code, "the JSON holds %s", bad);
  }
  return NULL;
}
