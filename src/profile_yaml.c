/*
 * profile_yaml.c — libyaml events to an hg_yval tree with positions.
 *
 * The builder keeps an explicit stack of open collections (no recursion, so
 * nesting costs no C stack) and refuses nesting deeper than
 * HG_YAML_MAX_DEPTH. An alias shares the anchored node instead of copying it;
 * each node carries its expanded size while it is built, and the running sum
 * of expanded sizes is checked against HG_YAML_MAX_NODES at every alias, so a
 * billion-laughs document fails after a few dozen events. Plain scalars are
 * resolved with the YAML 1.2 core schema (`yes`/`on` stay strings). Positions
 * from libyaml count characters; they are converted to byte columns so carets
 * line up with the bytes of the source line.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "hg/profile.h"
#include "text.h"

/* Duplicate and complex keys reported per document; a flood is summarised. */
#define MAX_KEY_REPORTS 100

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
} frame;

typedef struct builder {
  hg_arena *a;
  const char *file;       /* arena copy */
  const char *text;
  size_t len;
  size_t *line_start;     /* byte offset of each line (0-based lines) */
  size_t n_lines;
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
} builder;

static void index_lines(builder *b)
{
  size_t cap = 64;
  b->line_start = xmalloc(cap * sizeof *b->line_start);
  b->n_lines = 0;
  size_t start = 0;
  /* libyaml drops a UTF-8 byte order mark before counting columns. */
  if (b->len >= 3 && memcmp(b->text, "\xEF\xBB\xBF", 3) == 0)
    start = 3;
  b->line_start[b->n_lines++] = start;
  for (size_t i = start; i < b->len; i++) {
    /* libyaml breaks lines at \n, \r\n and a lone \r. */
    bool brk = b->text[i] == '\n' || (b->text[i] == '\r' && (i + 1 >= b->len || b->text[i + 1] != '\n'));
    if (!brk)
      continue;
    if (b->n_lines == cap) {
      cap *= 2;
      b->line_start = xrealloc(b->line_start, cap * sizeof *b->line_start);
    }
    b->line_start[b->n_lines++] = i + 1;
  }
}

/* libyaml mark (0-based line, column in characters) to 1-based line and byte column. */
static void mark_pos(const builder *b, yaml_mark_t m, int *line, int *col)
{
  size_t ln = m.line < b->n_lines ? m.line : b->n_lines - 1;
  size_t p = b->line_start[ln];
  for (size_t c = 0; c < m.column && p < b->len && b->text[p] != '\n'; c++) {
    p++;
    while (p < b->len && ((unsigned char)b->text[p] & 0xC0) == 0x80)
      p++;
  }
  *line = ln + 1 > (size_t)1 << 30 ? 1 << 30 : (int)(ln + 1);
  size_t c = p - b->line_start[ln] + 1;
  *col = c > (size_t)1 << 30 ? 1 << 30 : (int)c;
}

/* Bytes between two marks on the start mark's line (at least 1). */
static int mark_span(const builder *b, yaml_mark_t s, yaml_mark_t e)
{
  if (e.line != s.line || e.index <= s.index)
    return 1;
  int l1, c1, l2, c2;
  mark_pos(b, s, &l1, &c1);
  mark_pos(b, e, &l2, &c2);
  return c2 > c1 ? c2 - c1 : 1;
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
  mark_pos(b, s, &v->line, &v->col);
  v->span = mark_span(b, s, e);
  return v;
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

/*
 * Apply a scalar's tag. Without one, a plain scalar is resolved by the core
 * schema and a quoted one is a string. The core schema's own tags force the
 * type (!!float 365 is the float 365.0, !!str 365 the string "365") and the
 * text must fit it; any other tag is refused rather than silently dropped.
 */
static bool resolve_tagged(builder *b, hg_yval *v, const yaml_event_t *e)
{
  const char *tag = (const char *)e->data.scalar.tag;
  bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  if (!tag || strcmp(tag, "!") == 0) {
    if (plain && !tag)
      resolve_plain(v, v->text);
    return true;
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
      return true;
    resolve_plain(v, v->text);
    if (core[i].kind == HG_Y_FLOAT && v->kind == HG_Y_INT) {
      v->kind = HG_Y_FLOAT;
      v->f = (double)v->i;
    }
    if (v->kind != core[i].kind) {
      hg_diag *d = err(b, e->start_mark, "profile-type", "'%s' is not %s, as its tag %s says", v->text,
                       hg_yval_kind_name(core[i].kind), core[i].shorthand);
      d->span = v->span;
      return false;
    }
    return true;
  }
  const char *core_prefix = "tag:yaml.org,2002:";
  size_t np = strlen(core_prefix);
  bool is_core = strncmp(tag, core_prefix, np) == 0;
  hg_diag *d = err(b, e->start_mark, "profile-yaml-tag", "unsupported YAML tag '%s%s'", is_core ? "!!" : "",
                   is_core ? tag + np : tag);
  d->span = v->span;
  hg_diag_note(d, "a profile uses plain YAML values; remove the tag");
  return false;
}

/* ---- building ----------------------------------------------------------- */

static void anchor_set(builder *b, const char *name, hg_yval *node, size_t weight)
{
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
  if (b->expanded > HG_YAML_MAX_NODES) {
    hg_diag *d = err(b, m, "profile-yaml-too-large",
                     "document expands to more than %d nodes", HG_YAML_MAX_NODES);
    hg_diag_note(d, "aliases count as copies of what they refer to (a billion-laughs document is refused)");
    return false;
  }
  return true;
}

static bool push(builder *b, hg_yval *v, const char *anchor_name, yaml_mark_t m)
{
  if (b->depth >= HG_YAML_MAX_DEPTH) {
    err(b, m, "profile-yaml-too-deep", "collections nested deeper than %d levels", HG_YAML_MAX_DEPTH);
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
  return true;
}

typedef struct keyref {
  const char *key;
  size_t idx;
} keyref;

static int keyref_cmp(const void *x, const void *y)
{
  const keyref *a = x, *b = y;
  int c = strcmp(a->key, b->key);
  if (c)
    return c;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
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
      hg_diag_add(key_sink(b), HG_SEV_ERROR, k->file, k->line, k->col, "profile-yaml-complex-key",
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
      refs[i] = (keyref){kn[i]->text, i};
    qsort(refs, n, sizeof *refs, keyref_cmp);
    for (size_t i = 1; i < n; i++) {
      size_t first = i - 1;
      while (i < n && strcmp(refs[i].key, refs[first].key) == 0) {
        const hg_yval *k = kn[refs[i].idx], *k0 = kn[refs[first].idx];
        hg_diag *d = hg_diag_add(key_sink(b), HG_SEV_ERROR, k->file, k->line, k->col,
                                 "profile-duplicate-key", "duplicate key '%.80s%s'", k->text,
                                 strlen(k->text) > 80 ? "..." : "");
        d->span = k->span < 256 ? k->span : 256;
        hg_diag_note(d, "first given at line %d", k0->line);
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

static bool pop(builder *b, yaml_mark_t end)
{
  frame *f = &b->stack[b->depth - 1];
  hg_yval *v = f->node;
  (void)end;
  if (v->kind == HG_Y_MAP) {
    finish_map(b, f);
  } else {
    v->items = hg_arena_alloc(b->a, (f->n ? f->n : 1) * sizeof *v->items);
    if (f->n)
      memcpy(v->items, f->items, f->n * sizeof *v->items);
    v->n = f->n;
  }
  size_t weight = f->weight;
  if (f->anchor)
    anchor_set(b, f->anchor, v, weight);
  free(f->anchor);
  free(f->items);
  b->depth--;
  attach(b, v, weight);
  return true;
}

static bool on_event(builder *b, const yaml_event_t *e)
{
  switch (e->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++b->documents > 1) {
      err(b, e->start_mark, "profile-yaml-documents", "a profile holds one YAML document; found a second one");
      return false;
    }
    return true;
  case YAML_SCALAR_EVENT: {
    if (!count(b, 1, e->start_mark))
      return false;
    hg_yval *v = new_node(b, HG_Y_STR, e->start_mark, e->end_mark);
    v->text = hg_arena_strndup(b->a, (const char *)e->data.scalar.value, e->data.scalar.length);
    hg_text_bad bad;
    if (!hg_text_ok((const char *)e->data.scalar.value, e->data.scalar.length, HG_TEXT_LINES, &bad)) {
      hg_diag *d = err(b, e->start_mark, "profile-bad-text", "this value is not text: %s at byte %zu of the value",
                       bad.why, bad.off + 1);
      d->span = v->span;
      hg_diag_note(d, "profile text is UTF-8 without control characters (tab and line feed allowed)");
    } else {
      resolve_tagged(b, v, e); /* a bad tag is reported; parsing goes on to find more */
    }
    if (e->data.scalar.anchor)
      anchor_set(b, (const char *)e->data.scalar.anchor, v, 1);
    attach(b, v, 1);
    return true;
  }
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    if (!count(b, 1, e->start_mark))
      return false;
    bool map = e->type == YAML_MAPPING_START_EVENT;
    hg_yval *v = new_node(b, map ? HG_Y_MAP : HG_Y_SEQ, e->start_mark, e->start_mark);
    const yaml_char_t *an = map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
    return push(b, v, (const char *)an, e->start_mark);
  }
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    return pop(b, e->end_mark);
  case YAML_ALIAS_EVENT: {
    const char *name = (const char *)e->data.alias.anchor;
    const anchor *an = anchor_get(b, name);
    if (!an) {
      /* Also an alias inside its own anchor (`&a [*a]`): the anchor is not
       * registered until its node ends, so recursion cannot happen. */
      err(b, e->start_mark, "profile-yaml-unknown-anchor", "alias '*%s' refers to no earlier anchor", name);
      return false;
    }
    if (!count(b, an->weight, e->start_mark))
      return false;
    attach(b, an->node, an->weight);
    return true;
  }
  default:
    return true;
  }
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
  size_t lo = 0, hi = b->n_lines;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (b->line_start[mid] <= off)
      lo = mid;
    else
      hi = mid;
  }
  size_t col = off >= b->line_start[lo] ? off - b->line_start[lo] + 1 : 1;
  int value = parser->problem_value;
  const char *problem = parser->problem ? parser->problem : "unreadable text";
  if (off < b->len && b->text[off] == '\0')
    hg_diag_add(b->sink, HG_SEV_ERROR, b->file, (int)lo + 1, (int)col, "profile-yaml-syntax",
                    "a NUL byte in the profile (it must be UTF-8 text)");
  else if (value >= 0 && strstr(problem, "octet"))
    hg_diag_add(b->sink, HG_SEV_ERROR, b->file, (int)lo + 1, (int)col, "profile-yaml-syntax",
                "YAML syntax error: %s (byte 0x%02x); a profile is UTF-8 text", problem, (unsigned)value & 0xFFu);
  else if (value >= 0)
    hg_diag_add(b->sink, HG_SEV_ERROR, b->file, (int)lo + 1, (int)col, "profile-yaml-syntax",
                "YAML syntax error: %s (U+%04X)", problem, (unsigned)value);
  else
    hg_diag_add(b->sink, HG_SEV_ERROR, b->file, (int)lo + 1, (int)col, "profile-yaml-syntax",
                "YAML syntax error: %s; a profile is UTF-8 text", problem);
  b->failed = true;
}

hg_yval *hg_yval_parse(hg_arena *a, const char *file, const char *text, size_t len, hg_diag_sink *sink)
{
  builder b;
  memset(&b, 0, sizeof b);
  b.a = a;
  b.file = hg_arena_strdup(a, file);
  b.text = text;
  b.len = len;
  b.sink = sink;
  hg_diag_init(&b.overflow);
  index_lines(&b);

  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    fprintf(stderr, "hardengen: out of memory (libyaml)\n");
    abort();
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  bool done = false;
  while (!done) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      if (parser.error == YAML_READER_ERROR) {
        reader_error(&b, &parser);
        break;
      }
      yaml_mark_t m = parser.problem_mark;
      const char *problem = parser.problem ? parser.problem : "malformed YAML";
      hg_diag *d;
      if (parser.context)
        d = err(&b, m, "profile-yaml-syntax", "YAML syntax error: %s (%s)", problem, parser.context);
      else
        d = err(&b, m, "profile-yaml-syntax", "YAML syntax error: %s", problem);
      size_t off = b.line_start[m.line < b.n_lines ? m.line : b.n_lines - 1];
      int line, col;
      mark_pos(&b, m, &line, &col);
      off += (size_t)col - 1;
      if (off < len && text[off] == '\t')
        hg_diag_note(d, "YAML does not allow tabs for indentation; use spaces");
      else if (strcmp(problem, "did not find expected key") == 0 ||
               strcmp(problem, "mapping values are not allowed in this context") == 0)
        hg_diag_note(d, "check the indentation of this line and the one before, and quote values holding ': '");
      if (parser.context && parser.context_mark.line != m.line) {
        mark_pos(&b, parser.context_mark, &line, &col);
        hg_diag_note(d, "the construct started at line %d, column %d", line, col);
      }
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
    hg_diag_add(sink, HG_SEV_ERROR, b.file, 0, 0, "profile-too-many-problems",
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
