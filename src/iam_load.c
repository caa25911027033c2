/*
 * iam_load.c — position-aware documents for the IAM linter.
 *
 * YAML and JSON (JSON is YAML flow syntax) go through the project's one
 * YAML loader (yaml.h) with the linter's options: depth capped at
 * HG_IAM_MAX_DEPTH, alias expansion at HG_IAM_MAX_NODES, duplicate keys
 * reported, CloudFormation short forms turned into their long forms by the
 * shared tag table, so `!Sub x` and `{"Fn::Sub": x}` look the same to
 * walkers. The positioned tree is converted into hg_iam_node (byte offsets,
 * lines and columns kept; a node shared through aliases converted once).
 *
 * Policies held in strings (a JSON policy in a YAML block scalar, or an
 * escaped JSON string in a JSON template) are parsed again from the decoded
 * text; each decoded byte is aligned with the source bytes of the scalar
 * (skipping the quotes, escapes, indentation and folded line breaks that
 * decoding removed), so findings inside them still point into the file.
 */
#include "hg/iam.h"
#include "hg/yaml.h"
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HG_IAM_MAX_DEPTH 256
/* Nodes after alias expansion: the walkers share a visit budget, so this
 * only stops a document whose expansion is absurd (a billion laughs). */
#define HG_IAM_MAX_NODES (4u << 20)

void hg_iam_file_init(hg_iam_file *f, const char *name, const char *text, size_t len)
{
  memset(f, 0, sizeof *f);
  f->name = name;
  f->text = text;
  f->len = len;
  f->arena = hg_arena_new();
  if (!text)
    return;
  size_t n = 1;
  for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
    n++;
  f->lines = hg_arena_alloc(f->arena, n * sizeof *f->lines);
  f->lines[0] = 0;
  f->n_lines = 1;
  for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
    f->lines[f->n_lines++] = (size_t)(p - text) + 1;
}

void hg_iam_file_free(hg_iam_file *f)
{
  hg_arena_free(f->arena);
  memset(f, 0, sizeof *f);
}

/*
 * 1-based line and byte column of byte offset off in f's text. hint is
 * libyaml's 0-based line of the same place: right unless the text has line
 * breaks other than '\n' (a lone CR, NEL, LS, PS), so it is checked and a
 * binary search done when it is wrong.
 */
static void line_col_hint(const hg_iam_file *f, size_t off, size_t hint, int *line, int *col)
{
  if (hint < f->n_lines && f->lines[hint] <= off && (hint + 1 == f->n_lines || f->lines[hint + 1] > off)) {
    *line = (int)(hint + 1);
    *col = (int)(off - f->lines[hint] + 1);
    return;
  }
  size_t lo = 0, hi = f->n_lines;
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (f->lines[mid] <= off)
      lo = mid;
    else
      hi = mid;
  }
  *line = (int)(lo + 1);
  *col = (int)(off - f->lines[lo] + 1);
}

static void line_col(const hg_iam_file *f, size_t off, int *line, int *col)
{
  line_col_hint(f, off, (size_t)-1, line, col);
}

static const hg_yaml_opts iam_opts = {
    .what = "the input",
    .max_depth = HG_IAM_MAX_DEPTH,
    .max_nodes = HG_IAM_MAX_NODES,
    .cfn_tags = true,
    .first_document_only = true, /* CloudFormation reads one document */
    .syntax_what = "not valid YAML or JSON",
    .dup_given_twice = true,
    .dup_note = "readers disagree on which value counts (here the first, for AWS possibly the last): keep one",
    .code_syntax = "iam-parse-error",
    .code_depth = "iam-too-complex",
    .code_size = "iam-too-complex",
    .code_dup = "iam-duplicate-key",
    .code_overflow = "iam-duplicate-key",
};

/* A policy held in a string: the problem alone, for a note on the string. */
static const hg_yaml_opts iam_embedded_opts = {
    .what = "the policy string",
    .max_depth = HG_IAM_MAX_DEPTH,
    .max_nodes = HG_IAM_MAX_NODES,
    .cfn_tags = true,
    .first_document_only = true,
    .dup_given_twice = true,
    .code_syntax = "iam-parse-error",
    .code_depth = "iam-too-complex",
    .code_size = "iam-too-complex",
    .code_dup = "iam-duplicate-key",
    .code_overflow = "iam-duplicate-key",
};

/* Pointer map hg_yval -> hg_iam_node of the anchored nodes, so a node
 * reached through several aliases is converted once (the tree stays a DAG,
 * its size linear). Other nodes have one parent and are converted when it
 * is. */
typedef struct conv {
  hg_iam_file *f;
  const size_t *map;       /* parsed-text offset -> file offset, or NULL */
  size_t map_len;          /* entries of map minus one (the parsed text's length) */
  bool positions;          /* false: leave positions 0 */
  const hg_yval **from;
  hg_iam_node **to;
  size_t cap, n;
} conv;

static size_t ptr_hash(const void *p, size_t cap)
{
  uintptr_t x = (uintptr_t)p;
  x ^= x >> 17;
  x *= (uintptr_t)0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  return (size_t)x & (cap - 1);
}

static hg_iam_node *memo_get(const conv *c, const hg_yval *v)
{
  if (!c->cap)
    return NULL;
  for (size_t i = ptr_hash(v, c->cap);; i = (i + 1) & (c->cap - 1)) {
    if (!c->from[i])
      return NULL;
    if (c->from[i] == v)
      return c->to[i];
  }
}

static void memo_put(conv *c, const hg_yval *v, hg_iam_node *n)
{
  if (2 * (c->n + 1) > c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 256;
    const hg_yval **from = xcalloc(cap, sizeof *from);
    hg_iam_node **to = xcalloc(cap, sizeof *to);
    for (size_t i = 0; i < c->cap; i++) {
      if (!c->from[i])
        continue;
      size_t j = ptr_hash(c->from[i], cap);
      while (from[j])
        j = (j + 1) & (cap - 1);
      from[j] = c->from[i];
      to[j] = c->to[i];
    }
    free(c->from);
    free(c->to);
    c->from = from;
    c->to = to;
    c->cap = cap;
  }
  size_t i = ptr_hash(v, c->cap);
  while (c->from[i])
    i = (i + 1) & (c->cap - 1);
  c->from[i] = v;
  c->to[i] = n;
  c->n++;
}

static void place(const conv *c, hg_iam_node *n, const hg_yval *v)
{
  if (!c->positions)
    return;
  if (!c->map) {
    n->off = v->off;
    n->end = v->end > v->off ? v->end : v->off;
    n->line = v->line;
    n->col = v->col;
    n->span = v->span;
    return;
  }
  size_t s = v->off < c->map_len ? v->off : c->map_len;
  size_t e = v->end < c->map_len ? v->end : c->map_len;
  n->off = c->map[s];
  n->end = e > s ? c->map[e - 1] + 1 : n->off;
  if (n->end < n->off)
    n->end = n->off;
  line_col(c->f, n->off, &n->line, &n->col);
  int eline = n->line, ecol = n->col;
  if (n->end > n->off)
    line_col(c->f, n->end - 1, &eline, &ecol);
  n->span = eline == n->line && n->end > n->off ? (int)(n->end - n->off) : 1;
}

/* Convert v; depth is bounded by the loader (HG_IAM_MAX_DEPTH, doubled at
 * most by the long forms of short-form tags). */
static hg_iam_node *convert(conv *c, const hg_yval *v)
{
  hg_iam_node *n = v->anchored ? memo_get(c, v) : NULL;
  if (n)
    return n;
  n = hg_arena_alloc(c->f->arena, sizeof *n);
  n->span = 1;
  if (v->anchored)
    memo_put(c, v, n);
  if (v->kind != HG_Y_NULL || v->style != 0)
    place(c, n, v); /* an empty document has no place */
  switch (v->kind) {
  case HG_Y_MAP:
  case HG_Y_SEQ:
    n->kind = v->kind == HG_Y_MAP ? HG_IAM_MAP : HG_IAM_SEQ;
    n->n = v->n;
    n->items = hg_arena_alloc(c->f->arena, (v->n ? v->n : 1) * sizeof *n->items);
    if (v->kind == HG_Y_MAP) {
      n->keys = hg_arena_alloc(c->f->arena, (v->n ? v->n : 1) * sizeof *n->keys);
      if (v->n)
        memcpy(n->keys, v->keys, v->n * sizeof *n->keys);
    }
    for (size_t i = 0; i < v->n; i++)
      n->items[i] = convert(c, v->items[i]);
    return n;
  case HG_Y_NULL:
    if (v->style == 0) { /* an empty document */
      n->kind = HG_IAM_NULL;
      return n;
    }
    break;
  case HG_Y_BOOL:
  case HG_Y_INT:
  case HG_Y_FLOAT:
  case HG_Y_STR:
    break;
  }
  /* Scalars keep their text as written: the walkers read names, not values. */
  n->kind = HG_IAM_SCALAR;
  n->str = v->text;
  n->len = v->len;
  n->style = v->style ? v->style : 'p';
  return n;
}

static hg_iam_node *convert_tree(hg_iam_file *f, const hg_yval *root, const size_t *map, size_t map_len,
                                 bool positions)
{
  conv c;
  memset(&c, 0, sizeof c);
  c.f = f;
  c.map = map;
  c.map_len = map_len;
  c.positions = positions;
  hg_iam_node *n = convert(&c, root);
  free(c.from);
  free(c.to);
  return n;
}

hg_iam_node *hg_iam_load(hg_iam_file *f, hg_diag_sink *sink)
{
  hg_yval *root = hg_yaml_parse(f->arena, f->name, f->text ? f->text : "", f->text ? f->len : 0, &iam_opts, sink);
  if (!root)
    return NULL;
  return convert_tree(f, root, NULL, 0, f->text != NULL);
}

/*
 * Align decoded (the scalar's value) with raw (its source bytes, from the
 * first byte after any opening quote or block header): map[i] = the file
 * offset of decoded byte i. Greedy: equal bytes pair up; source blanks and
 * line breaks that decoding dropped are skipped; an escape in a
 * double-quoted scalar pairs with every byte it produced.
 */
static void align(const char *raw, size_t rn, size_t base, const char *dec, size_t dn, char style,
                  size_t *map)
{
  size_t r = 0, pending = 0, pend_at = 0;
  for (size_t i = 0; i < dn; i++) {
    if (pending) {
      map[i] = pend_at;
      pending--;
      continue;
    }
    unsigned char d = (unsigned char)dec[i];
    for (;;) {
      if (r >= rn) {
        map[i] = base + (rn ? rn - 1 : 0);
        break;
      }
      unsigned char c = (unsigned char)raw[r];
      if (style == '"' && c == '\\' && r + 1 < rn) {
        char e = raw[r + 1];
        if (e == '\n' || e == '\r') {
          /* An escaped line break joins lines: skip it and the indentation. */
          r += 2;
          while (r < rn && (raw[r] == ' ' || raw[r] == '\t' || raw[r] == '\n' || raw[r] == '\r'))
            r++;
          continue;
        }
        size_t width = e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;
        /* The bytes this escape produced: 1, or the UTF-8 length. */
        size_t produced = 1;
        if (d >= 0xF0)
          produced = 4;
        else if (d >= 0xE0)
          produced = 3;
        else if (d >= 0xC0)
          produced = 2;
        map[i] = base + r;
        pending = produced - 1;
        pend_at = base + r;
        r += width;
        break;
      }
      if (style == '\'' && c == '\'' && r + 1 < rn && raw[r + 1] == '\'' && d == '\'') {
        map[i] = base + r;
        r += 2;
        break;
      }
      if (c == d) {
        map[i] = base + r;
        r++;
        break;
      }
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        r++;
        continue;
      }
      /* Out of step (a fold or an escape we do not model): resynchronise. */
      map[i] = base + r;
      r++;
      break;
    }
  }
  map[dn] = base + (r < rn ? r : rn);
}

hg_iam_node *hg_iam_load_embedded(hg_iam_file *f, const hg_iam_node *str, const char **why)
{
  if (why)
    *why = NULL;
  if (!str || str->kind != HG_IAM_SCALAR)
    return NULL;
  size_t *map = NULL;
  if (f->text && str->line > 0 && str->end <= f->len && str->off <= str->end) {
    size_t r0 = str->off, r1 = str->end;
    if (str->style == '"' || str->style == '\'') {
      r0++;
    } else if (str->style == '|' || str->style == '>') {
      while (r0 < r1 && f->text[r0] != '\n')
        r0++;
      if (r0 < r1)
        r0++;
    }
    map = xmalloc((str->len + 1) * sizeof *map);
    align(f->text + r0, r1 - r0, r0, str->str, str->len, str->style, map);
  }
  hg_diag_sink scratch;
  hg_diag_init(&scratch);
  hg_yval *root = hg_yaml_parse(f->arena, f->name, str->str, str->len, &iam_embedded_opts, &scratch);
  hg_iam_node *out = NULL;
  if (root && !hg_diag_has_errors(&scratch))
    out = convert_tree(f, root, map, str->len, map != NULL);
  else if (why)
    /* The first problem (a syntax error, a duplicate key: the policy is unusable). */
    *why = hg_arena_strdup(f->arena, scratch.n ? scratch.v[0].message : "not valid YAML or JSON");
  hg_diag_free(&scratch);
  free(map);
  return out;
}

hg_iam_node *hg_iam_get(const hg_iam_node *m, const char *key)
{
  if (!m || m->kind != HG_IAM_MAP)
    return NULL;
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->keys[i], key) == 0)
      return m->items[i];
  return NULL;
}

static hg_iam_node *from_doc(hg_iam_file *f, const hg_doc *d, int depth)
{
  hg_iam_node *n = hg_arena_alloc(f->arena, sizeof *n);
  n->span = 1;
  if (!d || depth > HG_IAM_MAX_DEPTH) {
    n->kind = HG_IAM_NULL;
    return n;
  }
  switch (d->kind) {
  case HG_DOC_STR:
    n->kind = HG_IAM_SCALAR;
    n->str = hg_arena_strdup(f->arena, d->str ? d->str : "");
    n->len = strlen(n->str);
    n->style = '"';
    break;
  case HG_DOC_INT: {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", d->num);
    n->kind = HG_IAM_SCALAR;
    n->str = hg_arena_strdup(f->arena, buf);
    n->len = strlen(n->str);
    n->style = 'p';
    break;
  }
  case HG_DOC_FLOAT: {
    char buf[32];
    n->kind = HG_IAM_SCALAR;
    n->str = hg_arena_strdup(f->arena, hg_doc_float_text(d->f, buf));
    n->len = strlen(n->str);
    n->style = 'p';
    break;
  }
  case HG_DOC_BOOL:
    n->kind = HG_IAM_SCALAR;
    n->str = d->b ? "true" : "false";
    n->len = strlen(n->str);
    n->style = 'p';
    break;
  case HG_DOC_NULL:
    n->kind = HG_IAM_NULL;
    break;
  case HG_DOC_MAP:
  case HG_DOC_SEQ:
    n->kind = d->kind == HG_DOC_MAP ? HG_IAM_MAP : HG_IAM_SEQ;
    n->n = d->n;
    n->items = hg_arena_alloc(f->arena, (d->n ? d->n : 1) * sizeof *n->items);
    if (d->kind == HG_DOC_MAP)
      n->keys = hg_arena_alloc(f->arena, (d->n ? d->n : 1) * sizeof *n->keys);
    for (size_t i = 0; i < d->n; i++) {
      if (d->kind == HG_DOC_MAP)
        n->keys[i] = hg_arena_strdup(f->arena, d->keys[i] ? d->keys[i] : "");
      n->items[i] = from_doc(f, d->items[i], depth + 1);
    }
    break;
  }
  return n;
}

hg_iam_node *hg_iam_from_doc(hg_iam_file *f, const hg_doc *d)
{
  return from_doc(f, d, 0);
}
