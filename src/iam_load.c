/*
 * iam_load.c — position-aware documents for the IAM linter.
 *
 * One loader for YAML and JSON: libyaml reads both (JSON is YAML flow
 * syntax) and gives a mark for every event. The events are built into an
 * hg_iam_node tree in an arena with an explicit stack (no recursion; depth
 * capped at HG_IAM_MAX_DEPTH). Short-form CloudFormation tags become their
 * long forms, so `!Sub x` and `{"Fn::Sub": x}` look the same to walkers.
 *
 * Positions: libyaml counts characters, diagnostics count bytes, so marks are
 * turned into byte offsets by walking the UTF-8 text with a cursor (events
 * come in source order, so the walk is linear overall) and then into
 * line/column with the file's line table.
 *
 * Policies held in strings (a JSON policy in a YAML block scalar, or an
 * escaped JSON string in a JSON template) are parsed again from the decoded
 * text; each decoded byte is aligned with the source bytes of the scalar
 * (skipping the quotes, escapes, indentation and folded line breaks that
 * decoding removed), so findings inside them still point into the file.
 */
#include "hg/iam.h"
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define HG_IAM_MAX_DEPTH 256

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

typedef struct anchor {
  const char *name;
  hg_iam_node *node;
} anchor;

typedef struct frame {
  hg_iam_node *node;     /* the MAP/SEQ being filled */
  hg_iam_node *result;   /* what the parent receives (node, or a tag wrapper) */
  const char *anchor;
  size_t base;           /* first child in the loader's child stack */
  bool want_key;
  const char *key;
  hg_iam_node *key_node; /* the key scalar, NULL for a complex key */
} frame;

/* A key given twice in one mapping: where, and where first. */
typedef struct dup_key {
  const hg_iam_node *key, *first;
} dup_key;
#define MAX_DUP_REPORTS 100

typedef struct loader {
  hg_iam_file *f;
  const char *text;      /* the text libyaml reads */
  size_t len;
  const size_t *map;     /* inner byte offset -> file offset, or NULL */
  size_t cur_idx, cur_off;
  size_t start_off;      /* after a BOM */
  bool ascii;            /* every byte < 0x80: character index = byte offset */
  anchor *anchors;
  size_t n_anchors, cap_anchors;
  frame *stack;
  size_t depth;
  hg_iam_node **kids;    /* children of every open frame, innermost last */
  const char **kid_keys; /* their keys (MAP frames) */
  hg_iam_node **kid_knodes; /* their key nodes (MAP frames; NULL for complex keys) */
  size_t n_kids, cap_kids;
  dup_key dups[MAX_DUP_REPORTS];
  size_t n_dups;          /* may pass MAX_DUP_REPORTS: the rest are counted */
  hg_iam_node *root;
} loader;

/* Byte offset in l->text of character index idx. */
static size_t char_off(loader *l, size_t idx)
{
  if (l->ascii)
    return idx < l->len ? idx : l->len;
  if (idx < l->cur_idx) {
    l->cur_idx = 0;
    l->cur_off = l->start_off;
  }
  while (l->cur_idx < idx && l->cur_off < l->len) {
    l->cur_off++;
    while (l->cur_off < l->len && ((unsigned char)l->text[l->cur_off] & 0xC0) == 0x80)
      l->cur_off++;
    l->cur_idx++;
  }
  return l->cur_off;
}

/* File offset of a text offset. */
static size_t file_off(const loader *l, size_t off)
{
  if (off > l->len)
    off = l->len;
  return l->map ? l->map[off] : off;
}

static void set_pos(loader *l, hg_iam_node *n, yaml_mark_t start, yaml_mark_t end)
{
  if (!l->f->text)
    return;
  size_t s = char_off(l, start.index);
  size_t e = end.index > start.index ? char_off(l, end.index) : s;
  n->off = file_off(l, s);
  n->end = e > s ? file_off(l, e - 1) + 1 : n->off;
  if (n->end < n->off)
    n->end = n->off;
  if (l->map) {
    line_col(l->f, n->off, &n->line, &n->col);
  } else {
    line_col_hint(l->f, n->off, start.line, &n->line, &n->col);
  }
  int eline = n->line, ecol = n->col;
  if (n->end > n->off)
    line_col_hint(l->f, n->end - 1, l->map ? (size_t)-1 : end.line, &eline, &ecol);
  n->span = eline == n->line && n->end > n->off ? (int)(n->end - n->off) : 1;
}

/* A scalar's mark starts at its tag or anchor: move it to the value. */
static void skip_props(loader *l, hg_iam_node *n)
{
  const char *t = l->f->text;
  if (!t || l->map)
    return;
  size_t o = n->off;
  while (o < n->end && (t[o] == '!' || t[o] == '&')) {
    while (o < n->end && t[o] != ' ' && t[o] != '\t' && t[o] != '\n')
      o++;
    while (o < n->end && (t[o] == ' ' || t[o] == '\t' || t[o] == '\n' || t[o] == '\r'))
      o++;
  }
  if (o >= n->end || o == n->off)
    return;
  n->off = o;
  line_col(l->f, n->off, &n->line, &n->col);
  int eline, ecol;
  line_col(l->f, n->end - 1, &eline, &ecol);
  n->span = eline == n->line ? (int)(n->end - n->off) : 1;
}

static hg_iam_node *new_node(loader *l, hg_iam_kind kind)
{
  hg_iam_node *n = hg_arena_alloc(l->f->arena, sizeof *n);
  n->kind = kind;
  n->span = 1;
  return n;
}

/* `!Sub x` -> {Fn::Sub: x}; other tags (`!!str`, verbatim) are ignored. */
static hg_iam_node *wrap_tag(loader *l, const yaml_char_t *tag, hg_iam_node *inner)
{
  const char *t = (const char *)tag;
  if (!t || t[0] != '!' || t[1] == '\0' || t[1] == '!' || t[1] == '<')
    return inner;
  const char *name = t + 1;
  const char *key;
  if (strcmp(name, "Ref") == 0 || strcmp(name, "Condition") == 0) {
    key = hg_arena_strdup(l->f->arena, name);
  } else {
    size_t n = strlen(name);
    char *k = hg_arena_alloc(l->f->arena, n + 5);
    memcpy(k, "Fn::", 4);
    memcpy(k + 4, name, n + 1);
    key = k;
  }
  hg_iam_node *w = new_node(l, HG_IAM_MAP);
  *w = *inner;
  w->kind = HG_IAM_MAP;
  w->str = NULL;
  w->len = 0;
  w->style = 0;
  w->n = 1;
  w->keys = hg_arena_alloc(l->f->arena, sizeof *w->keys);
  w->items = hg_arena_alloc(l->f->arena, sizeof *w->items);
  w->keys[0] = key;
  w->items[0] = inner;
  return w;
}

static void add_anchor(loader *l, const yaml_char_t *name, hg_iam_node *node)
{
  if (!name)
    return;
  if (l->n_anchors == l->cap_anchors) {
    l->cap_anchors = l->cap_anchors ? l->cap_anchors * 2 : 16;
    l->anchors = xrealloc(l->anchors, l->cap_anchors * sizeof *l->anchors);
  }
  l->anchors[l->n_anchors++] = (anchor){hg_arena_strdup(l->f->arena, (const char *)name), node};
}

static void attach(loader *l, hg_iam_node *v)
{
  if (l->depth == 0) {
    if (!l->root)
      l->root = v;
    return;
  }
  frame *fr = &l->stack[l->depth - 1];
  if (fr->node->kind == HG_IAM_MAP && fr->want_key) {
    fr->key = v->kind == HG_IAM_SCALAR ? v->str : "";
    fr->key_node = v->kind == HG_IAM_SCALAR ? v : NULL;
    fr->want_key = false;
    return;
  }
  if (l->n_kids == l->cap_kids) {
    l->cap_kids = l->cap_kids ? l->cap_kids * 2 : 256;
    l->kids = xrealloc(l->kids, l->cap_kids * sizeof *l->kids);
    l->kid_keys = xrealloc(l->kid_keys, l->cap_kids * sizeof *l->kid_keys);
    l->kid_knodes = xrealloc(l->kid_knodes, l->cap_kids * sizeof *l->kid_knodes);
  }
  l->kid_keys[l->n_kids] = NULL;
  l->kid_knodes[l->n_kids] = NULL;
  if (fr->node->kind == HG_IAM_MAP) {
    l->kid_keys[l->n_kids] = fr->key;
    l->kid_knodes[l->n_kids] = fr->key_node;
    fr->want_key = true;
  }
  l->kids[l->n_kids++] = v;
}

/* Key nodes ordered by text (then position, so the first stays first). */
static int cmp_key_node(const void *x, const void *y)
{
  const hg_iam_node *a = *(const hg_iam_node *const *)x, *b = *(const hg_iam_node *const *)y;
  size_t n = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->str, b->str, n);
  if (c == 0 && a->len != b->len)
    c = a->len < b->len ? -1 : 1;
  if (c == 0)
    c = a->off < b->off ? -1 : a->off > b->off;
  return c;
}

/*
 * Duplicate keys of the mapping whose n key nodes are knodes (NULLs for
 * complex keys are skipped). Parsers disagree on which value wins (this
 * loader and the walkers see the first, Python's json and AWS's own readers
 * the last), so a policy like {"Effect":"Allow","Effect":"Deny"} is an error,
 * never a guess. Sorting keeps a hostile mapping of many keys O(n log n).
 */
static void find_dups(loader *l, hg_iam_node *const *knodes, size_t n)
{
  if (n < 2)
    return;
  hg_iam_node **v = xmalloc(n * sizeof *v);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (knodes[i])
      v[m++] = knodes[i];
  qsort(v, m, sizeof *v, cmp_key_node);
  for (size_t i = 1; i < m; i++) {
    size_t first = i - 1;
    while (i < m && v[i]->len == v[first]->len && memcmp(v[i]->str, v[first]->str, v[i]->len) == 0) {
      if (l->n_dups < MAX_DUP_REPORTS)
        l->dups[l->n_dups] = (dup_key){v[i], v[first]};
      l->n_dups++;
      i++;
    }
  }
  free(v);
}

static void free_stack(loader *l)
{
  free(l->stack);
  free(l->kids);
  free(l->kid_keys);
  free(l->kid_knodes);
  free(l->anchors);
}

/*
 * Parse l->text into l->root. Returns 0, or -1 with *why / *mark set for a
 * syntax error, -2 for nesting beyond the limit.
 */
static int run_loader(loader *l, const char **why, yaml_mark_t *mark)
{
  yaml_parser_t p;
  yaml_event_t ev;
  yaml_parser_initialize(&p);
  yaml_parser_set_input_string(&p, (const unsigned char *)l->text, l->len);
  l->stack = xmalloc(HG_IAM_MAX_DEPTH * sizeof *l->stack);
  l->start_off = l->len >= 3 && memcmp(l->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  l->cur_off = l->start_off;
  l->ascii = true;
  for (size_t i = 0; i < l->len && l->ascii; i++)
    l->ascii = (unsigned char)l->text[i] < 0x80;
  int rc = 0, docs = 0;
  for (;;) {
    if (!yaml_parser_parse(&p, &ev)) {
      *why = hg_arena_strdup(l->f->arena, p.problem ? p.problem : "syntax error");
      *mark = p.problem_mark;
      if (p.context) {
        hg_buf b;
        hg_buf_init(&b);
        hg_buf_printf(&b, "%s %s", p.problem ? p.problem : "syntax error", p.context);
        *why = hg_arena_strdup(l->f->arena, b.data);
        hg_buf_free(&b);
      }
      rc = -1;
      break;
    }
    yaml_event_type_t type = ev.type;
    if (type == YAML_STREAM_END_EVENT) {
      yaml_event_delete(&ev);
      break;
    }
    if (type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
      /* Only the first document counts (as CloudFormation reads one). */
      yaml_event_delete(&ev);
      break;
    }
    switch (type) {
    case YAML_SCALAR_EVENT: {
      hg_iam_node *n = new_node(l, HG_IAM_SCALAR);
      n->str = hg_arena_strndup(l->f->arena, (const char *)ev.data.scalar.value, ev.data.scalar.length);
      n->len = ev.data.scalar.length;
      switch (ev.data.scalar.style) {
      case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = '\''; break;
      case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = '"'; break;
      case YAML_LITERAL_SCALAR_STYLE: n->style = '|'; break;
      case YAML_FOLDED_SCALAR_STYLE: n->style = '>'; break;
      default: n->style = 'p'; break;
      }
      set_pos(l, n, ev.start_mark, ev.end_mark);
      if (ev.data.scalar.tag || ev.data.scalar.anchor)
        skip_props(l, n);
      hg_iam_node *v = wrap_tag(l, ev.data.scalar.tag, n);
      add_anchor(l, ev.data.scalar.anchor, v);
      attach(l, v);
      break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
      if (l->depth == HG_IAM_MAX_DEPTH) {
        yaml_event_delete(&ev);
        *mark = ev.start_mark;
        rc = -2;
        goto done;
      }
      bool is_map = type == YAML_MAPPING_START_EVENT;
      hg_iam_node *n = new_node(l, is_map ? HG_IAM_MAP : HG_IAM_SEQ);
      set_pos(l, n, ev.start_mark, ev.start_mark);
      n->span = 1;
      const yaml_char_t *tag = is_map ? ev.data.mapping_start.tag : ev.data.sequence_start.tag;
      const yaml_char_t *anc = is_map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
      frame *fr = &l->stack[l->depth++];
      memset(fr, 0, sizeof *fr);
      fr->node = n;
      fr->base = l->n_kids;
      fr->result = wrap_tag(l, tag, n);
      fr->anchor = anc ? hg_arena_strdup(l->f->arena, (const char *)anc) : NULL;
      fr->want_key = is_map;
      break;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
      frame *fr = &l->stack[--l->depth];
      hg_iam_node *n = fr->node;
      size_t cnt = l->n_kids - fr->base;
      n->n = cnt;
      n->items = hg_arena_alloc(l->f->arena, (cnt ? cnt : 1) * sizeof *n->items);
      if (cnt)
        memcpy(n->items, l->kids + fr->base, cnt * sizeof *n->items);
      if (n->kind == HG_IAM_MAP) {
        n->keys = hg_arena_alloc(l->f->arena, (cnt ? cnt : 1) * sizeof *n->keys);
        if (cnt) {
          memcpy(n->keys, l->kid_keys + fr->base, cnt * sizeof *n->keys);
          find_dups(l, l->kid_knodes + fr->base, cnt);
        }
      }
      l->n_kids = fr->base;
      hg_iam_node *res = fr->result;
      if (fr->anchor)
        add_anchor(l, (const yaml_char_t *)fr->anchor, res);
      attach(l, res);
      break;
    }
    case YAML_ALIAS_EVENT: {
      hg_iam_node *target = NULL;
      for (size_t i = l->n_anchors; i-- > 0;)
        if (strcmp(l->anchors[i].name, (const char *)ev.data.alias.anchor) == 0) {
          target = l->anchors[i].node;
          break;
        }
      if (!target) {
        target = new_node(l, HG_IAM_NULL);
        set_pos(l, target, ev.start_mark, ev.end_mark);
      }
      attach(l, target);
      break;
    }
    default:
      break;
    }
    yaml_event_delete(&ev);
  }
done:
  yaml_parser_delete(&p);
  free_stack(l);
  return rc;
}

hg_iam_node *hg_iam_load(hg_iam_file *f, hg_diag_sink *sink)
{
  loader l;
  memset(&l, 0, sizeof l);
  l.f = f;
  l.text = f->text ? f->text : "";
  l.len = f->text ? f->len : 0;
  const char *why = NULL;
  yaml_mark_t mark;
  memset(&mark, 0, sizeof mark);
  int rc = run_loader(&l, &why, &mark);
  if (rc != 0) {
    int line = 0, col = 0;
    if (f->text)
      line_col(f, char_off(&l, mark.index), &line, &col);
    if (rc == -2)
      hg_diag_add(sink, HG_SEV_ERROR, f->name, line, col, "iam-too-complex",
                  "nesting deeper than %d levels", HG_IAM_MAX_DEPTH);
    else
      hg_diag_add(sink, HG_SEV_ERROR, f->name, line, col, "iam-parse-error",
                  "not valid YAML or JSON: %s", why);
    return NULL;
  }
  for (size_t i = 0; i < l.n_dups && i < MAX_DUP_REPORTS; i++) {
    const hg_iam_node *k = l.dups[i].key, *first = l.dups[i].first;
    hg_buf shown;
    hg_buf_init(&shown);
    hg_text_escape(&shown, k->str, k->len, 200);
    hg_diag *d = hg_diag_add(sink, HG_SEV_ERROR, f->name, k->line, k->col, "iam-duplicate-key",
                             "key '%s' is given twice in one mapping", shown.data ? shown.data : "");
    hg_buf_free(&shown);
    d->span = k->span;
    if (first->line > 0)
      hg_diag_note(d, "first given at line %d, column %d", first->line, first->col);
    hg_diag_note(d, "readers disagree on which value counts (here the first, for AWS possibly the "
                    "last): keep one");
  }
  if (l.n_dups > MAX_DUP_REPORTS)
    hg_diag_add(sink, HG_SEV_ERROR, f->name, 0, 0, "iam-duplicate-key", "%zu more duplicate keys not shown",
                l.n_dups - MAX_DUP_REPORTS);
  if (!l.root) {
    l.root = new_node(&l, HG_IAM_NULL);
  }
  return l.root;
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
  loader l;
  memset(&l, 0, sizeof l);
  l.f = f;
  l.text = str->str;
  l.len = str->len;
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
    l.map = map;
  }
  const char *problem = NULL;
  yaml_mark_t mark;
  memset(&mark, 0, sizeof mark);
  hg_iam_node *root = NULL;
  if (!l.map && f->text) {
    /* Positions cannot be mapped: parse as a text-less file. */
    const char *saved = f->text;
    f->text = NULL;
    int rc = run_loader(&l, &problem, &mark);
    f->text = saved;
    root = rc == 0 ? l.root : NULL;
  } else {
    int rc = run_loader(&l, &problem, &mark);
    root = rc == 0 ? l.root : NULL;
  }
  free(map);
  if (root && l.n_dups) {
    /* No sink here: a duplicate key makes the embedded policy unusable. */
    const hg_iam_node *k = l.dups[0].key;
    hg_buf shown;
    hg_buf_init(&shown);
    hg_buf_puts(&shown, "key '");
    hg_text_escape(&shown, k->str, k->len, 200);
    hg_buf_printf(&shown, "' is given twice in one mapping (readers disagree on which value counts)");
    problem = hg_arena_strdup(f->arena, shown.data);
    hg_buf_free(&shown);
    root = NULL;
    if (why)
      *why = problem;
    return NULL;
  }
  if (!root && why)
    *why = problem ? problem : "nesting too deep";
  return root;
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
