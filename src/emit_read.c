/*
 * emit_read.c — read a YAML template skeleton into a document (see emit.h).
 *
 * Event-driven with libyaml and an explicit stack, so nesting depth is
 * bounded and aliases (which could multiply a document) are refused.
 */
#include "hg/emit.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64

typedef struct frame {
  hg_doc *node;       /* map or seq being filled */
  char *pending_key;  /* map: the key read, waiting for its value */
  char *tag_fn;       /* non-NULL: the node is the value of a one-key intrinsic map */
} frame;

/* "!Ref" -> "Ref", "!GetAtt" -> "Fn::GetAtt", ...; NULL when tag is not a
 * CloudFormation short form. The result is malloc'd. */
static char *intrinsic_name(const char *tag)
{
  static const char *const fns[] = {"Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs",
                                    "ImportValue", "Join", "Select", "Split", "Sub",
                                    "If", "Equals", "Not", "And", "Or", "Transform", NULL};
  if (!tag || tag[0] != '!')
    return NULL;
  if (strcmp(tag, "!Ref") == 0)
    return xstrdup("Ref");
  if (strcmp(tag, "!Condition") == 0)
    return xstrdup("Condition");
  for (size_t i = 0; fns[i]; i++)
    if (strcmp(tag + 1, fns[i]) == 0)
      return xasprintf("Fn::%s", fns[i]);
  return NULL;
}

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

static hg_doc *scalar_node(const yaml_event_t *ev, const char *fn)
{
  const char *text = (const char *)ev->data.scalar.value;
  if (fn && strcmp(fn, "Fn::GetAtt") == 0) {
    /* !GetAtt Res.Attr.Path -> [Res, "Attr.Path"] */
    hg_doc *seq = hg_doc_seq();
    const char *dot = strchr(text, '.');
    if (dot) {
      hg_doc_push(seq, hg_doc_str(""));
      free(seq->items[0]->str);
      seq->items[0]->str = xstrndup(text, (size_t)(dot - text));
      hg_doc_push_str(seq, dot + 1);
    } else {
      hg_doc_push_str(seq, text);
    }
    return seq;
  }
  bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
  if (plain && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0))
    return hg_doc_bool(text[0] == 't');
  if (plain && is_decimal_int(text))
    return hg_doc_int(strtoll(text, NULL, 10));
  return hg_doc_str(text);
}

static hg_doc *wrap(hg_doc *value, char *fn)
{
  if (!fn)
    return value;
  hg_doc *m = hg_doc_map();
  hg_doc_set(m, fn, value);
  free(fn);
  return m;
}

hg_doc *hg_emit_read_yaml(const char *text, size_t len, const char *file, hg_diag_sink *sink)
{
  yaml_parser_t parser;
  yaml_event_t ev;
  frame stack[MAX_DEPTH];
  int depth = 0;
  hg_doc *root = NULL;
  bool done = false, failed = false;

  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  while (!done && !failed) {
    if (!yaml_parser_parse(&parser, &ev)) {
      hg_diag_add(sink, HG_SEV_ERROR, file, (int)parser.problem_mark.line + 1,
                  (int)parser.problem_mark.column + 1, "template-yaml-syntax", "%s",
                  parser.problem ? parser.problem : "YAML syntax error");
      failed = true;
      break;
    }
    int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
    hg_doc *value = NULL;
    switch (ev.type) {
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_END_EVENT:
      done = ev.type == YAML_STREAM_END_EVENT || root != NULL;
      break;
    case YAML_ALIAS_EVENT:
      hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "template-yaml-alias",
                  "aliases are not allowed in a template skeleton");
      failed = true;
      break;
    case YAML_SCALAR_EVENT: {
      char *fn = intrinsic_name((const char *)ev.data.scalar.tag);
      frame *top = depth ? &stack[depth - 1] : NULL;
      if (top && top->node->kind == HG_DOC_MAP && !top->pending_key) {
        top->pending_key = xstrdup((const char *)ev.data.scalar.value);
        free(fn);
        break;
      }
      value = wrap(scalar_node(&ev, fn), fn);
      break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
      frame *top = depth ? &stack[depth - 1] : NULL;
      if (top && top->node->kind == HG_DOC_MAP && !top->pending_key) {
        hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "template-yaml-key",
                    "a mapping key must be a scalar");
        failed = true;
        break;
      }
      if (depth == MAX_DEPTH) {
        hg_diag_add(sink, HG_SEV_ERROR, file, line, col, "template-yaml-depth",
                    "nesting deeper than %d levels", MAX_DEPTH);
        failed = true;
        break;
      }
      const char *tag = ev.type == YAML_SEQUENCE_START_EVENT
                            ? (const char *)ev.data.sequence_start.tag
                            : (const char *)ev.data.mapping_start.tag;
      stack[depth].node = ev.type == YAML_SEQUENCE_START_EVENT ? hg_doc_seq() : hg_doc_map();
      stack[depth].pending_key = NULL;
      stack[depth].tag_fn = intrinsic_name(tag);
      depth++;
      break;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
      frame f = stack[--depth];
      value = wrap(f.node, f.tag_fn);
      break;
    }
    default:
      break;
    }
    yaml_event_delete(&ev);
    if (!value)
      continue;
    if (depth == 0) {
      root = value;
      continue;
    }
    frame *top = &stack[depth - 1];
    if (top->node->kind == HG_DOC_SEQ) {
      hg_doc_push(top->node, value);
    } else {
      hg_doc_set(top->node, top->pending_key, value);
      free(top->pending_key);
      top->pending_key = NULL;
    }
  }
  while (depth > 0) {
    frame f = stack[--depth];
    free(f.pending_key);
    free(f.tag_fn);
    hg_doc_free(f.node);
  }
  yaml_parser_delete(&parser);
  if (failed) {
    hg_doc_free(root);
    return NULL;
  }
  if (!root) {
    hg_diag_add(sink, HG_SEV_ERROR, file, 1, 1, "template-yaml-empty", "the template is empty");
    return NULL;
  }
  return root;
}
