/*
 * yaml.h — the one positioned YAML loader, and the CloudFormation tag table.
 *
 * Every YAML reader of the project (the profile and its exceptions files,
 * template skeletons, the IAM linter's templates and policies) parses with
 * hg_yaml_parse: libyaml events into an hg_yval tree in an arena, each node
 * with its file, line, byte column, caret span, byte offsets and scalar
 * style. The bounds against hostile input are the same for all of them:
 * alias expansion counted against a node budget (a billion-laughs document
 * fails after a few dozen events), nesting depth, duplicate keys reported.
 * What differs between readers is a small options record (hg_yaml_opts):
 * diagnostic codes, limits, whether CloudFormation short-form tags are read.
 *
 * CloudFormation short forms are turned into their long forms by one table
 * (hg_cfn_tag_name): `!Ref X` is the map {Ref: X}, `!GetAtt A.B` is
 * {Fn::GetAtt: [A, B]}, `!Sub s` is {Fn::Sub: s}, and so on, so every reader
 * and walker sees one shape.
 *
 * Ownership: every node, key and text lives in the arena given to the parser.
 */
#ifndef HG_YAML_H
#define HG_YAML_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/util.h"

/* A YAML node. Scalars keep their text; the loader resolves plain scalars
 * to the YAML 1.2 core schema (null, bool, int, float, str). */
typedef enum { HG_Y_NULL, HG_Y_BOOL, HG_Y_INT, HG_Y_FLOAT, HG_Y_STR, HG_Y_SEQ, HG_Y_MAP } hg_ykind;

typedef struct hg_yval hg_yval;
struct hg_yval {
  hg_ykind kind;
  const char *text;     /* scalar text as written (STR: the string value); NULL for SEQ/MAP */
  bool b;               /* BOOL */
  long long i;          /* INT */
  double f;             /* FLOAT */
  size_t n;             /* SEQ/MAP: number of children */
  const char **keys;    /* MAP: keys, in document order */
  hg_yval **items;      /* SEQ/MAP: children */
  hg_yval **key_nodes;  /* MAP: the key scalars, for positions in diagnostics */
  const char *file;     /* where the node was written (after merge: the file that set it) */
  int line, col;        /* 1-based; col counts bytes of the line */
  int span;             /* caret width: bytes of the node's first line it covers, >= 1 */
  const char *tag;      /* scalars: the explicit core-schema tag ("!!str", "!!float", ...), else NULL */
  size_t len;           /* scalars: bytes of text (the value may hold NUL bytes when opts allow) */
  char style;           /* scalars: 'p' plain, '\'' '"' quoted, '|' '>' block; 0 for a node
                           the loader made (empty document, long form of a short-form tag) */
  bool anchored;        /* the node has an anchor: aliases may make it a child of several
                           nodes (the tree is a DAG); a node without one has one parent */
  size_t off, end;      /* the node's bytes in the parsed text: [off, end) (collections: off only) */
};

/* Default bounds that keep hostile YAML cheap: nodes after alias expansion,
 * nesting depth, and the size of one profile file. */
#define HG_YAML_MAX_NODES 100000
#define HG_YAML_MAX_DEPTH 64
#define HG_PROFILE_MAX_BYTES (4u << 20)

/*
 * What a reader wants from the loader. Codes are full diagnostic codes
 * ("profile-yaml-syntax"); NULL members of the code set fall back to
 * code_syntax.
 */
typedef struct hg_yaml_opts {
  const char *what;          /* the input in messages: "a profile", "a template skeleton" */
  const char *text_what;     /* check_text's note: "profile" -> "profile text is UTF-8 ..." */
  size_t max_nodes;          /* after alias expansion; 0 = HG_YAML_MAX_NODES */
  int max_depth;             /* 0 = HG_YAML_MAX_DEPTH */
  bool cfn_tags;             /* read CloudFormation short forms; else only core tags (!!str, ...) */
  bool check_text;           /* scalars must be UTF-8 text without control characters (tab, LF allowed) */
  bool first_document_only;  /* later documents are ignored (as CloudFormation does); else an error */
  bool refuse_aliases;       /* an alias is an error (the reader builds a tree, not a DAG) */
  const char *syntax_what;   /* message head of a syntax error: "YAML syntax error"; NULL: none */
  bool dup_given_twice;      /* "key 'K' is given twice in one mapping", else "duplicate key 'K'" */
  const char *dup_note;      /* extra note for a duplicate key, or NULL */
  const char *code_syntax;   /* syntax and reader errors */
  const char *code_depth, *code_size, *code_anchor, *code_alias, *code_documents;
  const char *code_dup, *code_complex_key, *code_tag, *code_type, *code_text, *code_overflow;
} hg_yaml_opts;

/*
 * Parse YAML text (one document) into a tree allocated in arena a. Aliases
 * share the anchored node (the tree is a DAG); expansion is counted against
 * max_nodes. Duplicate keys, complex keys, unknown anchors, unknown tags, too
 * deep nesting, extra documents and syntax errors are diagnostics. Returns
 * the root (a NULL node of style 0 for an empty document), or NULL after a
 * fatal error (syntax, limits, unknown anchor or tag, refused alias).
 * Duplicate and complex keys are reported but not fatal: the tree keeps the
 * first of duplicate keys and drops complex ones, so later checks still run;
 * callers test the sink. file is copied into a. The text is not registered
 * with the sink (callers do it).
 */
hg_yval *hg_yaml_parse(hg_arena *a, const char *file, const char *text, size_t len,
                       const hg_yaml_opts *opts, hg_diag_sink *sink);

/*
 * The CloudFormation short-form tag table: the long-form key of a tag
 * ("!Ref" -> "Ref", "!Condition" -> "Condition", "!GetAtt" -> "Fn::GetAtt",
 * and Fn:: for Base64, Cidr, FindInMap, GetAZs, ImportValue, Join, Select,
 * Split, Sub, If, Equals, Not, And, Or, Transform), or NULL for any other
 * tag. Static storage.
 */
const char *hg_cfn_tag_name(const char *tag);

/* Name of a node's kind for messages: "a string", "an integer", "a mapping", ... */
const char *hg_yval_kind_name(hg_ykind k);

/* A diagnostic at node v: its file, line and column, the caret as wide as
 * its span (1 to 256). Returns the diagnostic, for notes. */
hg_diag *hg_yval_diag(hg_diag_sink *sink, hg_severity sev, const hg_yval *v, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
hg_diag *hg_yval_vdiag(hg_diag_sink *sink, hg_severity sev, const hg_yval *v, const char *code, const char *fmt,
                       va_list ap) __attribute__((format(printf, 5, 0)));

/* s for a message: at most 80 bytes, cut at a character boundary with
 * "..." when cut (then allocated in a); else s itself. */
const char *hg_yval_clip(hg_arena *a, const char *s);

#endif
