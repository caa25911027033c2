/*
 * emit_read.c — read a YAML template skeleton into a document (see emit.h).
 *
 * The text goes through the one YAML loader (yaml.h) with the template's
 * options: CloudFormation short forms turned into their long forms by the
 * shared tag table, nesting bounded, duplicate keys reported, aliases
 * refused (a document is a tree; an alias could multiply it). The positioned
 * tree is then copied into an hg_doc.
 */
#include "hg/emit.h"
#include "hg/yaml.h"

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
