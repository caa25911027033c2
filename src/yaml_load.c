/*
 * yaml_load.c — libyaml events to an hg_yval tree with positions (yaml.h).
 *
 * The builder keeps an explicit stack of open collections (no recursion, so
 * nesting costs no C stack) and refuses nesting deeper than the reader's
 * limit. An alias shares the anchored node instead of copying it; each node
 * carries its expanded size while it is built, and the running sum of
 * expanded sizes is checked against the node budget at every alias, so a
 * billion-laughs document fails after a few dozen events. Plain scalars are
 * resolved with the YAML 1.2 core schema (`yes`/`on` stay strings).
 *
 * Positions: libyaml counts characters; marks are turned into byte offsets
 * with a cursor that walks the UTF-8 text forward (events come in source
 * order, so the walk is linear overall, also for a one-line JSON file), then
 * into line and byte column with the line table, so carets line up with the
 * bytes of the source line.
 *
 * CloudFormation short forms (when the reader asks for them) go through the
 * one table, hg_cfn_tag_name: the tagged node becomes the value of a
 * one-key map, and `!GetAtt A.B.C` becomes the list [A, "B.C"].
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "text.h"
#include "hg/yaml.h"

/* Duplicate and complex keys reported per document; a flood is summarised. */
#define MAX_KEY_REPORTS 100

/* ---- the CloudFormation tag table --------------------------------------- */

static const struct {
  const char *tag, *name;
} cfn_tags[] = {
    {"!Ref", "Ref"},
    {"!Condition", "Condition"},
    {"!Base64", "Fn::Base64"},
    {"!Cidr", "Fn::Cidr"},
    {"!FindInMap", "Fn::FindInMap"},
    {"!GetAtt", "Fn::GetAtt"},
    {"!GetAZs", "Fn::GetAZs"},
    {"!ImportValue", "Fn::ImportValue"},
    {"!Join", "Fn::Join"},
    {"!Select", "Fn::Select"},
    {"!Split", "Fn::Split"},
    {"!Sub", "Fn::Sub"},
    {"!If", "Fn::If"},
    {"!Equals", "Fn::Equals"},
    {"!Not", "Fn::Not"},
    {"!And", "Fn::And"},
    {"!Or", "Fn::Or"},
    {"!Transform", "Fn::Transform"},
};

const char *hg_cfn_tag_name(const char *tag)
{
  if (!tag || tag[0] != '!')
    return NULL;
  for (size_t i = 0; i < HG_COUNTOF(cfn_tags); i++)
    if (strcmp(tag, cfn_tags[i].tag) == 0)
      return cfn_tags[i].name;
  return NULL;
}

/* ---- the builder -------------------------------------------------------- */

typedef struct anchor {
  const char *name;
  hg_yval *node;
  size_t weight;          /* nodes the anchored value expands to */
} anchor;

typedef struct frame {
  hg_yval *node;          /* SEQ or MAP being built */
  hg_yval **items;        /* children; for a MAP key, value, key, value, ... */
  size_t n, cap;
  size_t weight;          /* 1 + expanded size of the children so far */
  char *anchor;           /* malloc'd; registered when the node ends */
  const char *fn;         /* CloudFormation long form to wrap the node in, or NULL */
} frame;

typedef struct builder {
  hg_arena *a;
  const hg_yaml_opts *o;
  size_t max_nodes;
  int max_depth;
  const char *file;       /* arena copy */
  const char *text;
  size_t len;
  size_t *line_start;     /* byte offset of each line (0-based lines) */
  size_t n_lines;
  size_t start_off;       /* after a byte order mark */
  bool ascii;             /* every byte < 0x80: character index = byte offset */
  size_t cur_idx, cur_off;/* the character cursor */
  size_t cur_line;        /* the line of the last line_of */
  hg_diag_sink *sink;
  hg_diag_sink overflow;  /* key problems past MAX_KEY_REPORTS: counted, then dropped */
  size_t key_reports;
  frame *stack;
  size_t depth, stack_cap;
  anchor *anchors;
  size_t n_anchors, anchors_cap;
  size_t expanded;        /* nodes so far, aliases counted at full size */
  hg_yval *root;
  size_t root_weight;
  int documents;
  bool failed;
  bool stop;              /* a later document, ignored */
} builder;

static const char *code(const builder *b, const char *c)
{
  return c ? c : b->o->code_syntax;
}

/* True when every byte of s[0, n) is below 0x80 (eight at a time). */
static bool all_ascii(const char *s, size_t n)
{
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ull)
      return false;
  }
  for (; i < n; i++)
    if ((unsigned char)s[i] >= 0x80)
      return false;
  return true;
}

/* The offset of the first line break at or after i (b->len when none):
 * libyaml breaks lines at \n, \r\n (at its \n) and a lone \r. A text
 * without a \r (cr false; most texts) breaks at newlines only, found by
 * searching. */
static size_t next_break(const builder *b, size_t i, bool cr)
{
  const char *t = b->text;
  if (!cr) {
    const char *nl = i < b->len ? memchr(t + i, '\n', b->len - i) : NULL;
    return nl ? (size_t)(nl - t) : b->len;
  }
  while (i < b->len && t[i] != '\n' && !(t[i] == '\r' && (i + 1 >= b->len || t[i + 1] != '\n')))
    i++;
  return i;
}

static void index_lines(builder *b)
{
  size_t cap = 64;
  b->line_start = xmalloc(cap * sizeof *b->line_start);
  b->n_lines = 0;
  size_t start = 0;
  /* libyaml drops a UTF-8 byte order mark before counting. */
  if (b->len >= 3 && memcmp(b->text, "\xEF\xBB\xBF", 3) == 0)
    start = 3;
  b->start_off = start;
  b->cur_off = start;
  b->ascii = all_ascii(b->text + start, b->len - start);
  b->line_start[b->n_lines++] = start;
  bool cr = memchr(b->text + start, '\r', b->len - start) != NULL;
  for (size_t i = next_break(b, start, cr); i < b->len; i = next_break(b, i + 1, cr)) {
    if (b->n_lines == cap) {
      cap *= 2;
      b->line_start = xrealloc(b->line_start, cap * sizeof *b->line_start);
    }
    b->line_start[b->n_lines++] = i + 1;
  }
}

/* Byte offset of character index idx (libyaml's mark.index). */
static size_t char_off(builder *b, size_t idx)
{
  if (b->ascii) {
    size_t o = b->start_off + idx;
    return o < b->len ? o : b->len;
  }
  if (idx < b->cur_idx) {
    b->cur_idx = 0;
    b->cur_off = b->start_off;
  }
  while (b->cur_idx < idx && b->cur_off < b->len) {
    b->cur_off++;
    while (b->cur_off < b->len && ((unsigned char)b->text[b->cur_off] & 0xC0) == 0x80)
      b->cur_off++;
    b->cur_idx++;
  }
  return b->cur_off;
}

/* The 0-based line of byte offset off. Nodes come in source order, so the
 * line of the previous lookup, or one a few lines on, is the usual answer;
 * an offset before it is found by bisection. */
static size_t line_of(builder *b, size_t off)
{
  size_t ln = b->cur_line;
  if (off >= b->line_start[ln]) {
    while (ln + 1 < b->n_lines && b->line_start[ln + 1] <= off)
      ln++;
    return b->cur_line = ln;
  }
  size_t lo = 0, hi = b->n_lines;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (b->line_start[mid] <= off)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

static int clamp_int(size_t v)
{
  return v > (size_t)1 << 30 ? 1 << 30 : (int)v;
}

/* 1-based line and byte column of byte offset off. */
static void off_pos(builder *b, size_t off, int *line, int *col)
{
  size_t ln = line_of(b, off);
  *line = clamp_int(ln + 1);
  *col = clamp_int(off >= b->line_start[ln] ? off - b->line_start[ln] + 1 : 1);
}

static void mark_pos(builder *b, yaml_mark_t m, int *line, int *col)
{
  off_pos(b, char_off(b, m.index), line, col);
}

/* Caret width of bytes [s, e): their length when on one line, else 1. */
static int span_of(builder *b, size_t s, size_t e)
{
  if (e <= s)
    return 1;
  size_t ln = line_of(b, s);
  if (ln + 1 < b->n_lines && b->line_start[ln + 1] < e)
    return 1;
  return clamp_int(e - s);
}

static hg_diag *err(builder *b, yaml_mark_t m, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static hg_diag *err(builder *b, yaml_mark_t m, const char *code, const char *fmt, ...)
{
  int line, col;
  mark_pos(b, m, &line, &col);
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_diag_vadd(b->sink, HG_SEV_ERROR, b->file, line, col, code, fmt, ap);
  va_end(ap);
  b->failed = true;
  return d;
}

static hg_diag_sink *key_sink(builder *b)
{
  return b->key_reports++ < MAX_KEY_REPORTS ? b->sink : &b->overflow;
}

static hg_yval *new_node(builder *b, hg_ykind k, yaml_mark_t s, yaml_mark_t e)
{
  hg_yval *v = hg_arena_alloc(b->a, sizeof *v);
  v->kind = k;
  v->file = b->file;
  v->off = char_off(b, s.index);
  v->end = e.index > s.index ? char_off(b, e.index) : v->off;
  off_pos(b, v->off, &v->line, &v->col);
  v->span = span_of(b, v->off, v->end);
  return v;
}

/* A scalar's mark starts at its tag or anchor: move it to the value. */
static void skip_props(builder *b, hg_yval *v)
{
  const char *t = b->text;
  size_t o = v->off;
  while (o < v->end && (t[o] == '!' || t[o] == '&')) {
    while (o < v->end && t[o] != ' ' && t[o] != '\t' && t[o] != '\n' && t[o] != '\r')
      o++;
    while (o < v->end && (t[o] == ' ' || t[o] == '\t' || t[o] == '\n' || t[o] == '\r'))
      o++;
  }
  if (o >= v->end || o == v->off)
    return;
  v->off = o;
  off_pos(b, v->off, &v->line, &v->col);
  v->span = span_of(b, v->off, v->end);
}

/* ---- YAML 1.2 core schema resolution of plain scalars ------------------- */

static bool all_in(const char *s, const char *set)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (!strchr(set, *s))
      return false;
  return true;
}

static bool is_core_float(const char *s)
{
  const char *p = s;
  if (*p == '+' || *p == '-')
    p++;
  bool digits = false;
  while (*p >= '0' && *p <= '9')
    p++, digits = true;
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9')
      p++, digits = true;
  }
  if (!digits)
    return false;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-')
      p++;
    if (!(*p >= '0' && *p <= '9'))
      return false;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  return *p == '\0';
}

static void resolve_plain(hg_yval *v, const char *s)
{
  /* Every null, bool, number, .inf and .nan starts with one of these (or
   * is empty): any other plain scalar is a string, with no comparisons. */
  if (*s && !strchr("~nNtTfF.+-0123456789", *s)) {
    v->kind = HG_Y_STR;
    return;
  }
  static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
  for (size_t i = 0; i < HG_COUNTOF(nulls); i++)
    if (strcmp(s, nulls[i]) == 0) {
      v->kind = HG_Y_NULL;
      return;
    }
  if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
    v->kind = HG_Y_BOOL;
    v->b = true;
    return;
  }
  if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
    v->kind = HG_Y_BOOL;
    v->b = false;
    return;
  }
  const char *d = s + (*s == '+' || *s == '-');
  int base = 0;
  const char *digits = NULL;
  if (d == s && s[0] == '0' && s[1] == 'o' && all_in(s + 2, "01234567"))
    base = 8, digits = s + 2;
  else if (d == s && s[0] == '0' && s[1] == 'x' && all_in(s + 2, "0123456789abcdefABCDEF"))
    base = 16, digits = s + 2;
  else if (all_in(d, "0123456789"))
    base = 10, digits = s;
  if (base) {
    errno = 0;
    char *end = NULL;
    long long n = strtoll(digits, &end, base);
    if (errno == 0 && end && *end == '\0') {
      v->kind = HG_Y_INT;
      v->i = n;
      return;
    }
    /* Too large for 64 bits: keep it a number, as a float. */
    v->kind = HG_Y_FLOAT;
    v->f = strtod(digits, NULL);
    return;
  }
  if (is_core_float(s)) {
    v->kind = HG_Y_FLOAT;
    v->f = strtod(s, NULL);
    return;
  }
  const char *inf = s + (*s == '+' || *s == '-');
  if (!strcmp(inf, ".inf") || !strcmp(inf, ".Inf") || !strcmp(inf, ".INF")) {
    v->kind = HG_Y_FLOAT;
    v->f = *s == '-' ? -INFINITY : INFINITY;
    return;
  }
  if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
    v->kind = HG_Y_FLOAT;
    v->f = NAN;
    return;
  }
  v->kind = HG_Y_STR;
}

/* ---- tags --------------------------------------------------------------- */

/* The long-form map {fn: inner}, at inner's place. */
static hg_yval *wrap(builder *b, const char *fn, hg_yval *inner)
{
  hg_yval *m = hg_arena_alloc(b->a, sizeof *m);
  hg_yval *k = hg_arena_alloc(b->a, sizeof *k);
  *k = *inner;
  k->kind = HG_Y_STR;
  k->text = fn;
  k->len = strlen(fn);
  k->style = 0;
  k->tag = NULL;
  k->n = 0;
  k->keys = NULL;
  k->items = k->key_nodes = NULL;
  *m = *k;
  m->kind = HG_Y_MAP;
  m->text = NULL;
  m->len = 0;
  m->n = 1;
  m->keys = hg_arena_alloc(b->a, sizeof *m->keys);
  m->items = hg_arena_alloc(b->a, sizeof *m->items);
  m->key_nodes = hg_arena_alloc(b->a, sizeof *m->key_nodes);
  m->keys[0] = fn;
  m->key_nodes[0] = k;
  m->items[0] = inner;
  return m;
}

/* A string scalar made from bytes [s, s + n) of scalar v's value. */
static hg_yval *part(builder *b, const hg_yval *v, size_t s, size_t n)
{
  hg_yval *p = hg_arena_alloc(b->a, sizeof *p);
  *p = *v;
  p->kind = HG_Y_STR;
  p->tag = NULL;
  p->text = hg_arena_strndup(b->a, v->text + s, n);
  p->len = n;
  if (v->style == 'p' && v->end - v->off == v->len) {
    /* a plain scalar's bytes are its value: point at the part */
    p->off = v->off + s;
    p->end = p->off + n;
    off_pos(b, p->off, &p->line, &p->col);
    p->span = span_of(b, p->off, p->end);
  }
  return p;
}

/* `!GetAtt Res.Attr.Path` -> [Res, "Attr.Path"] (no dot: [text]). */
static hg_yval *getatt_list(builder *b, hg_yval *v)
{
  hg_yval *seq = hg_arena_alloc(b->a, sizeof *seq);
  *seq = *v;
  seq->kind = HG_Y_SEQ;
  seq->text = NULL;
  seq->len = 0;
  seq->style = 0;
  seq->tag = NULL;
  const char *dot = memchr(v->text, '.', v->len);
  seq->items = hg_arena_alloc(b->a, 2 * sizeof *seq->items);
  if (dot) {
    size_t at = (size_t)(dot - v->text);
    seq->items[0] = part(b, v, 0, at);
    seq->items[1] = part(b, v, at + 1, v->len - at - 1);
    seq->n = 2;
  } else {
    seq->items[0] = v;
    seq->n = 1;
  }
  return seq;
}

static hg_diag *unknown_tag(builder *b, yaml_mark_t m, const char *tag, int span)
{
  const char *core_prefix = "tag:yaml.org,2002:";
  size_t np = strlen(core_prefix);
  bool is_core = strncmp(tag, core_prefix, np) == 0;
  hg_diag *d = err(b, m, code(b, b->o->code_tag), "unsupported YAML tag '%s%s'", is_core ? "!!" : "",
                   is_core ? tag + np : tag);
  d->span = span;
  if (b->o->cfn_tags)
    hg_diag_note(d, "the tags read are the core ones (!!str, !!int, ...) and CloudFormation's short forms "
                    "(!Ref, !Sub, !GetAtt, !If, ...)");
  else
    hg_diag_note(d, "%s uses plain YAML values; remove the tag", b->o->what ? b->o->what : "this file");
  return d;
}

/*
 * Apply a scalar's tag; returns the node to attach (v, or the long form of a
 * CloudFormation short form). Without a tag, a plain scalar is resolved by
 * the core schema and a quoted one is a string. The core schema's own tags
 * force the type (!!float 365 is the float 365.0, !!str 365 the string
 * "365") and the text must fit it; any other tag is refused rather than
 * silently dropped.
 */
static hg_yval *resolve_tagged(builder *b, hg_yval *v, const yaml_event_t *e)
{
  const char *tag = (const char *)e->data.scalar.tag;
  bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  if (!tag || strcmp(tag, "!") == 0) {
    if (plain && !tag)
      resolve_plain(v, v->text);
    return v;
  }
  static const struct {
    const char *tag, *shorthand;
    hg_ykind kind;
  } core[] = {
      {YAML_STR_TAG, "!!str", HG_Y_STR},       {YAML_INT_TAG, "!!int", HG_Y_INT},
      {YAML_FLOAT_TAG, "!!float", HG_Y_FLOAT}, {YAML_BOOL_TAG, "!!bool", HG_Y_BOOL},
      {YAML_NULL_TAG, "!!null", HG_Y_NULL},
  };
  for (size_t i = 0; i < HG_COUNTOF(core); i++) {
    if (strcmp(tag, core[i].tag) != 0)
      continue;
    v->tag = core[i].shorthand;
    if (core[i].kind == HG_Y_STR)
      return v;
    resolve_plain(v, v->text);
    if (core[i].kind == HG_Y_FLOAT && v->kind == HG_Y_INT) {
      v->kind = HG_Y_FLOAT;
      v->f = (double)v->i;
    }
    if (v->kind != core[i].kind) {
      hg_diag *d = err(b, e->start_mark, code(b, b->o->code_type), "'%s' is not %s, as its tag %s says",
                       v->text, hg_yval_kind_name(core[i].kind), core[i].shorthand);
      d->span = v->span;
    }
    return v;
  }
  const char *fn = b->o->cfn_tags ? hg_cfn_tag_name(tag) : NULL;
  if (fn) {
    if (strcmp(fn, "Fn::GetAtt") == 0)
      return wrap(b, fn, getatt_list(b, v));
    return wrap(b, fn, v);
  }
  unknown_tag(b, e->start_mark, tag, v->span);
  return v;
}

/* ---- building ----------------------------------------------------------- */

static void anchor_set(builder *b, const char *name, hg_yval *node, size_t weight)
{
  node->anchored = true;
  for (size_t i = 0; i < b->n_anchors; i++)
    if (strcmp(b->anchors[i].name, name) == 0) {
      b->anchors[i].node = node; /* YAML lets a later anchor of the same name win */
      b->anchors[i].weight = weight;
      return;
    }
  if (b->n_anchors == b->anchors_cap) {
    b->anchors_cap = b->anchors_cap ? b->anchors_cap * 2 : 16;
    b->anchors = xrealloc(b->anchors, b->anchors_cap * sizeof *b->anchors);
  }
  b->anchors[b->n_anchors++] = (anchor){hg_arena_strdup(b->a, name), node, weight};
}

static const anchor *anchor_get(const builder *b, const char *name)
{
  for (size_t i = b->n_anchors; i-- > 0;)
    if (strcmp(b->anchors[i].name, name) == 0)
      return &b->anchors[i];
  return NULL;
}

/* Attach a finished node (of expanded size weight) to the open collection. */
static void attach(builder *b, hg_yval *v, size_t weight)
{
  if (b->depth == 0) {
    if (!b->root) {
      b->root = v;
      b->root_weight = weight;
    }
    return;
  }
  frame *f = &b->stack[b->depth - 1];
  if (f->n == f->cap) {
    f->cap = f->cap ? f->cap * 2 : 8;
    f->items = xrealloc(f->items, f->cap * sizeof *f->items);
  }
  f->items[f->n++] = v;
  f->weight += weight;
}

static bool count(builder *b, size_t weight, yaml_mark_t m)
{
  b->expanded += weight;
  if (b->expanded > b->max_nodes) {
    hg_diag *d = err(b, m, code(b, b->o->code_size), "document expands to more than %zu nodes", b->max_nodes);
    hg_diag_note(d, "aliases count as copies of what they refer to (a billion-laughs document is refused)");
    return false;
  }
  return true;
}

static bool push(builder *b, hg_yval *v, const char *anchor_name, const char *fn, yaml_mark_t m)
{
  if (b->depth >= (size_t)b->max_depth) {
    err(b, m, code(b, b->o->code_depth), "collections nested deeper than %d levels", b->max_depth);
    return false;
  }
  if (b->depth == b->stack_cap) {
    b->stack_cap = b->stack_cap ? b->stack_cap * 2 : 8;
    b->stack = xrealloc(b->stack, b->stack_cap * sizeof *b->stack);
  }
  frame *f = &b->stack[b->depth++];
  memset(f, 0, sizeof *f);
  f->node = v;
  f->weight = 1;
  f->anchor = anchor_name ? xstrdup(anchor_name) : NULL;
  f->fn = fn;
  return true;
}

typedef struct keyref {
  const hg_yval *key;
  size_t idx;
} keyref;

static int key_cmp(const hg_yval *a, const hg_yval *b)
{
  size_t n = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->text, b->text, n);
  if (c == 0 && a->len != b->len)
    c = a->len < b->len ? -1 : 1;
  return c;
}

static int keyref_cmp(const void *x, const void *y)
{
  const keyref *a = x, *b = y;
  int c = key_cmp(a->key, b->key);
  if (c)
    return c;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void dup_key(builder *b, const hg_yval *k, const hg_yval *k0)
{
  hg_buf shown;
  hg_buf_init(&shown);
  size_t used = hg_text_escape(&shown, k->text, k->len, 80);
  if (used < k->len)
    hg_buf_puts(&shown, "...");
  hg_diag *d = hg_diag_add(key_sink(b), HG_SEV_ERROR, k->file, k->line, k->col, code(b, b->o->code_dup),
                           b->o->dup_given_twice ? "key '%s' is given twice in one mapping"
                                                 : "duplicate key '%s'",
                           shown.data ? shown.data : "");
  hg_buf_free(&shown);
  d->span = k->span < 256 ? k->span : 256;
  hg_diag_note(d, "first given at line %d, column %d", k0->line, k0->col);
  if (b->o->dup_note)
    hg_diag_note(d, "%s", b->o->dup_note);
}

/* Turn a MAP frame's key/value list into keys/items; report complex and duplicate keys. */
static void finish_map(builder *b, frame *f)
{
  hg_yval *m = f->node;
  size_t pairs = f->n / 2;
  hg_yval **kn = hg_arena_alloc(b->a, (pairs ? pairs : 1) * sizeof *kn);
  hg_yval **vals = hg_arena_alloc(b->a, (pairs ? pairs : 1) * sizeof *vals);
  size_t n = 0;
  for (size_t i = 0; i + 1 < f->n; i += 2) {
    hg_yval *k = f->items[i];
    if (k->kind == HG_Y_SEQ || k->kind == HG_Y_MAP) {
      hg_diag_add(key_sink(b), HG_SEV_ERROR, k->file, k->line, k->col, code(b, b->o->code_complex_key),
                  "a mapping key must be a scalar, not %s", hg_yval_kind_name(k->kind));
      continue;
    }
    kn[n] = k;
    vals[n] = f->items[i + 1];
    n++;
  }
  /* Duplicates: sort references by key, report every later occurrence. */
  bool *drop = NULL;
  if (n > 1) {
    keyref *refs = xmalloc(n * sizeof *refs);
    for (size_t i = 0; i < n; i++)
      refs[i] = (keyref){kn[i], i};
    qsort(refs, n, sizeof *refs, keyref_cmp);
    for (size_t i = 1; i < n; i++) {
      size_t first = i - 1;
      while (i < n && key_cmp(refs[i].key, refs[first].key) == 0) {
        dup_key(b, refs[i].key, refs[first].key);
        if (!drop)
          drop = xcalloc(n, sizeof *drop);
        drop[refs[i].idx] = true;
        i++;
      }
    }
    free(refs);
  }
  m->keys = hg_arena_alloc(b->a, (n ? n : 1) * sizeof *m->keys);
  m->key_nodes = kn;
  m->items = vals;
  size_t w = 0;
  for (size_t i = 0; i < n; i++) {
    if (drop && drop[i])
      continue;
    kn[w] = kn[i];
    vals[w] = vals[i];
    m->keys[w] = kn[i]->text;
    w++;
  }
  m->n = w;
  free(drop);
}

static void pop(builder *b)
{
  frame *f = &b->stack[b->depth - 1];
  hg_yval *v = f->node;
  if (v->kind == HG_Y_MAP) {
    finish_map(b, f);
  } else {
    v->items = hg_arena_alloc(b->a, (f->n ? f->n : 1) * sizeof *v->items);
    if (f->n)
      memcpy(v->items, f->items, f->n * sizeof *v->items);
    v->n = f->n;
  }
  size_t weight = f->weight;
  if (f->fn)
    v = wrap(b, f->fn, v);
  if (f->anchor)
    anchor_set(b, f->anchor, v, weight);
  free(f->anchor);
  free(f->items);
  b->depth--;
  attach(b, v, weight);
}

/* The long form a collection's tag asks for (NULL: none); false after an error. */
static bool collection_tag(builder *b, const yaml_event_t *e, bool map, const char **fn)
{
  const char *tag = (const char *)(map ? e->data.mapping_start.tag : e->data.sequence_start.tag);
  *fn = NULL;
  if (!tag || strcmp(tag, "!") == 0)
    return true;
  if (strcmp(tag, map ? YAML_MAP_TAG : YAML_SEQ_TAG) == 0)
    return true;
  *fn = b->o->cfn_tags ? hg_cfn_tag_name(tag) : NULL;
  if (*fn)
    return true;
  unknown_tag(b, e->start_mark, tag, 1);
  return false;
}

static char scalar_style(yaml_scalar_style_t s)
{
  switch (s) {
  case YAML_SINGLE_QUOTED_SCALAR_STYLE: return '\'';
  case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return '"';
  case YAML_LITERAL_SCALAR_STYLE: return '|';
  case YAML_FOLDED_SCALAR_STYLE: return '>';
  case YAML_ANY_SCALAR_STYLE:
  case YAML_PLAIN_SCALAR_STYLE: return 'p';
  }
  return 'p';
}

static bool on_event(builder *b, const yaml_event_t *e)
{
  switch (e->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++b->documents > 1) {
      if (b->o->first_document_only) {
        b->stop = true;
        return true;
      }
      err(b, e->start_mark, code(b, b->o->code_documents), "%s holds one YAML document; found a second one",
          b->o->what ? b->o->what : "the file");
      return false;
    }
    return true;
  case YAML_SCALAR_EVENT: {
    if (!count(b, 1, e->start_mark))
      return false;
    hg_yval *v = new_node(b, HG_Y_STR, e->start_mark, e->end_mark);
    v->text = hg_arena_strndup(b->a, (const char *)e->data.scalar.value, e->data.scalar.length);
    v->len = e->data.scalar.length;
    v->style = scalar_style(e->data.scalar.style);
    if (e->data.scalar.tag || e->data.scalar.anchor)
      skip_props(b, v);
    hg_yval *res = v;
    hg_text_bad bad;
    if (b->o->check_text &&
        !hg_text_ok((const char *)e->data.scalar.value, e->data.scalar.length, HG_TEXT_LINES, &bad)) {
      hg_diag *d = err(b, e->start_mark, code(b, b->o->code_text),
                       "this value is not text: %s at byte %zu of the value", bad.why, bad.off + 1);
      d->span = v->span;
      hg_diag_note(d, "%s text is UTF-8 without control characters (tab and line feed allowed)",
                   b->o->text_what ? b->o->text_what : "the");
    } else {
      res = resolve_tagged(b, v, e); /* a bad tag is reported; parsing goes on to find more */
    }
    size_t weight = res == v ? 1 : res->items[0] == v ? 2 : 4;
    if (e->data.scalar.anchor)
      anchor_set(b, (const char *)e->data.scalar.anchor, res, weight);
    attach(b, res, weight);
    return true;
  }
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    if (!count(b, 1, e->start_mark))
      return false;
    bool map = e->type == YAML_MAPPING_START_EVENT;
    const char *fn;
    if (!collection_tag(b, e, map, &fn))
      return false;
    hg_yval *v = new_node(b, map ? HG_Y_MAP : HG_Y_SEQ, e->start_mark, e->start_mark);
    const yaml_char_t *an = map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
    return push(b, v, (const char *)an, fn, e->start_mark);
  }
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    pop(b);
    return true;
  case YAML_ALIAS_EVENT: {
    const char *name = (const char *)e->data.alias.anchor;
    if (b->o->refuse_aliases) {
      err(b, e->start_mark, code(b, b->o->code_alias), "aliases are not allowed in %s",
          b->o->what ? b->o->what : "this file");
      return false;
    }
    const anchor *an = anchor_get(b, name);
    if (!an) {
      /* Also an alias inside its own anchor (`&a [*a]`): the anchor is not
       * registered until its node ends, so recursion cannot happen. */
      err(b, e->start_mark, code(b, b->o->code_anchor), "alias '*%s' refers to no earlier anchor", name);
      return false;
    }
    if (!count(b, an->weight, e->start_mark))
      return false;
    attach(b, an->node, an->weight);
    return true;
  }
  case YAML_NO_EVENT:
  case YAML_STREAM_START_EVENT:
  case YAML_STREAM_END_EVENT:
  case YAML_DOCUMENT_END_EVENT:
    return true;
  }
  return true;
}

const char *hg_yval_kind_name(hg_ykind k)
{
  switch (k) {
  case HG_Y_NULL: return "null";
  case HG_Y_BOOL: return "a boolean";
  case HG_Y_INT: return "an integer";
  case HG_Y_FLOAT: return "a number";
  case HG_Y_STR: return "a string";
  case HG_Y_SEQ: return "a list";
  case HG_Y_MAP: return "a mapping";
  }
  return "a value";
}

/*
 * libyaml's reader (bad UTF-8, control characters) gives a byte offset and
 * no line: find the line, and point at the byte itself.
 */
static void reader_error(builder *b, const yaml_parser_t *parser)
{
  size_t off = parser->problem_offset < b->len ? parser->problem_offset : b->len;
  int line, col;
  off_pos(b, off, &line, &col);
  int value = parser->problem_value;
  const char *problem = parser->problem ? parser->problem : "unreadable text";
  const char *head = b->o->syntax_what ? b->o->syntax_what : "YAML syntax error";
  const char *what = b->o->what ? b->o->what : "the file";
  const char *c = b->o->code_syntax;
  if (off < b->len && b->text[off] == '\0')
    hg_diag_add(b->sink, HG_SEV_ERROR, b->file, line, col, c, "a NUL byte in %s (it must be UTF-8 text)", what);
  else if (value >= 0 && strstr(problem, "octet"))
    hg_diag_add(b->sink, HG_SEV_ERROR, b->file, line, col, c, "%s: %s (byte 0x%02x); %s is UTF-8 text", head,
                problem, (unsigned)value & 0xFFu, what);
  else if (value >= 0)
    hg_diag_add(b->sink, HG_SEV_ERROR, b->file, line, col, c, "%s: %s (U+%04X)", head, problem, (unsigned)value);
  else
    hg_diag_add(b->sink, HG_SEV_ERROR, b->file, line, col, c, "%s: %s; %s is UTF-8 text", head, problem, what);
  b->failed = true;
}

static void syntax_error(builder *b, const yaml_parser_t *parser)
{
  yaml_mark_t m = parser->problem_mark;
  const char *problem = parser->problem ? parser->problem : "malformed YAML";
  const char *c = b->o->code_syntax;
  hg_diag *d;
  if (b->o->syntax_what && parser->context)
    d = err(b, m, c, "%s: %s (%s)", b->o->syntax_what, problem, parser->context);
  else if (b->o->syntax_what)
    d = err(b, m, c, "%s: %s", b->o->syntax_what, problem);
  else if (parser->context)
    d = err(b, m, c, "%s (%s)", problem, parser->context);
  else
    d = err(b, m, c, "%s", problem);
  size_t off = char_off(b, m.index);
  if (off < b->len && b->text[off] == '\t')
    hg_diag_note(d, "YAML does not allow tabs for indentation; use spaces");
  else if (strcmp(problem, "did not find expected key") == 0 ||
           strcmp(problem, "mapping values are not allowed in this context") == 0)
    hg_diag_note(d, "check the indentation of this line and the one before, and quote values holding ': '");
  if (parser->context && parser->context_mark.line != m.line) {
    int line, col;
    mark_pos(b, parser->context_mark, &line, &col);
    hg_diag_note(d, "the construct started at line %d, column %d", line, col);
  }
}

hg_yval *hg_yaml_parse(hg_arena *a, const char *file, const char *text, size_t len, const hg_yaml_opts *opts,
                       hg_diag_sink *sink)
{
  builder b;
  memset(&b, 0, sizeof b);
  b.a = a;
  b.o = opts;
  b.max_nodes = opts->max_nodes ? opts->max_nodes : HG_YAML_MAX_NODES;
  b.max_depth = opts->max_depth > 0 ? opts->max_depth : HG_YAML_MAX_DEPTH;
  b.file = hg_arena_strdup(a, file);
  b.text = text ? text : "";
  b.len = text ? len : 0;
  b.sink = sink;
  hg_diag_init(&b.overflow);
  index_lines(&b);

  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    fprintf(stderr, "hardengen: out of memory (libyaml)\n");
    abort();
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)b.text, b.len);
  bool done = false;
  while (!done && !b.stop) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      if (parser.error == YAML_READER_ERROR)
        reader_error(&b, &parser);
      else
        syntax_error(&b, &parser);
      break;
    }
    done = ev.type == YAML_STREAM_END_EVENT;
    bool ok = on_event(&b, &ev);
    yaml_event_delete(&ev);
    if (!ok)
      break;
  }
  yaml_parser_delete(&parser);
  while (b.depth > 0) {
    frame *f = &b.stack[--b.depth];
    free(f->anchor);
    free(f->items);
  }
  free(b.stack);
  free(b.anchors);
  free(b.line_start);
  if (b.overflow.n)
    hg_diag_add(sink, HG_SEV_ERROR, b.file, 0, 0, code(&b, opts->code_overflow),
                "%zu more duplicate or complex keys not shown", b.overflow.n);
  hg_diag_free(&b.overflow);
  if (b.failed)
    return NULL;
  if (!b.root) {
    hg_yval *v = hg_arena_alloc(a, sizeof *v);
    v->kind = HG_Y_NULL;
    v->file = b.file;
    v->line = v->col = v->span = 1;
    v->text = "";
    return v;
  }
  return b.root;
}

hg_diag *hg_yval_vdiag(hg_diag_sink *sink, hg_severity sev, const hg_yval *v, const char *code, const char *fmt,
                       va_list ap)
{
  hg_diag *d = hg_diag_vadd(sink, sev, v->file, v->line, v->col, code, fmt, ap);
  d->span = v->span > 0 ? (v->span < 256 ? v->span : 256) : 1;
  return d;
}

hg_diag *hg_yval_diag(hg_diag_sink *sink, hg_severity sev, const hg_yval *v, const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  hg_diag *d = hg_yval_vdiag(sink, sev, v, code, fmt, ap);
  va_end(ap);
  return d;
}

const char *hg_yval_clip(hg_arena *a, const char *s)
{
  size_t n = strlen(s);
  if (n <= 80)
    return s;
  n = 77;
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  char *r = hg_arena_alloc(a, n + 4);
  memcpy(r, s, n);
  memcpy(r + n, "...", 4);
  return r;
}
