/*
 * iam.h — the IAM action linter.
 *
 * AWS does not check action names: a typo in an Allow grants nothing, and the
 * same typo in a Deny, an SCP or a NotAction under Allow fails open. The
 * linter checks every Action/NotAction of every policy against the shipped
 * list of IAM actions (share/hardengen/iam-actions.txt): unknown service,
 * unknown action, a wildcard that matches nothing, non-canonical casing.
 * Severity follows the effect (fail-open cases are errors).
 *
 * The module has four parts, one file each:
 *   iam_db.c      the action database: a hash set over the shipped list
 *   iam_load.c    a position-aware loader (libyaml, for YAML and JSON alike)
 *                 into hg_iam_node trees, and hg_doc -> hg_iam_node
 *   iam_policy.c  the policy walker and the checks on one policy document
 *   iam_lint.c    finding the policies in a template or file; entry points
 *
 * Diagnostic codes: iam-unknown-service, iam-unknown-action,
 * iam-wildcard-matches-nothing, iam-action-case, iam-action-syntax,
 * iam-wrong-service, iam-policy-shape, iam-parse-error, iam-input-kind,
 * iam-too-complex, iam-too-many-findings, iam-db (the action list cannot be
 * loaded), iam-io.
 */
#ifndef HG_IAM_H
#define HG_IAM_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/util.h"

/* ------------------------------------------------------------------------ */
/* The action database (iam_db.c)                                           */
/* ------------------------------------------------------------------------ */

/*
 * The set of IAM actions: lower-cased keys in an open-addressing hash table
 * mapping to the canonical `service:Action`, plus the actions of each service
 * in file order for wildcard matching and did-you-mean. Immutable once loaded;
 * every string it returns lives as long as the database.
 */
typedef struct hg_iam_db hg_iam_db;

/*
 * Parse an action list: one `service:Action` a line; blank lines and lines
 * starting with '#' are skipped. A malformed line gets an iam-db diagnostic
 * (file name from name) and is skipped. Returns a new database (free with
 * hg_iam_db_free); NULL only when no action at all was read.
 */
hg_iam_db *hg_iam_db_parse(const char *text, size_t len, const char *name, hg_diag_sink *sink);

/* hg_iam_db_parse of a file; NULL with an iam-db diagnostic when unreadable. */
hg_iam_db *hg_iam_db_load(const char *path, hg_diag_sink *sink);

/*
 * The database at hg_res_iam_actions() (resource.h), loaded on first use and kept for the
 * life of the process (not thread-safe). NULL with an iam-db diagnostic when
 * it cannot be loaded (each call reports it again).
 */
const hg_iam_db *hg_iam_db_default(hg_diag_sink *sink);

void hg_iam_db_free(hg_iam_db *db);

size_t hg_iam_db_count_actions(const hg_iam_db *db);
size_t hg_iam_db_count_services(const hg_iam_db *db);

/* Canonical `service:Action` for an exact name (case-insensitive), or NULL. */
const char *hg_iam_db_find(const hg_iam_db *db, const char *action);

/* Canonical service prefix (case-insensitive, n bytes of prefix), or NULL. */
const char *hg_iam_db_find_service(const hg_iam_db *db, const char *prefix, size_t n);

/*
 * Count the actions a pattern with `*` and `?` wildcards (IAM semantics,
 * case-insensitive) matches, in the service part and the action part. When
 * first is not NULL it receives the first match (or NULL). A pattern
 * without ':' matches nothing.
 */
size_t hg_iam_db_match(const hg_iam_db *db, const char *pattern, const char **first);

/*
 * A did-you-mean for a name that matched nothing: for an unknown service the
 * closest service prefix (with the action when the corrected service has
 * it); for an unknown action the closest action of its service (edit
 * distance, case-insensitive); for a wildcard the closest pattern that
 * matches something. Returns malloc'd `service:Action` text in AWS casing
 * (the caller frees it), or NULL when nothing is close.
 */
char *hg_iam_db_suggest(const hg_iam_db *db, const char *action);

/* ------------------------------------------------------------------------ */
/* Position-aware documents (iam_load.c)                                    */
/* ------------------------------------------------------------------------ */

typedef enum { HG_IAM_NULL, HG_IAM_SCALAR, HG_IAM_MAP, HG_IAM_SEQ } hg_iam_kind;

/*
 * A YAML/JSON node with its place in the source. Short-form tags are turned
 * into their long forms (`!Sub x` is the map {Fn::Sub: x}, `!Ref x` is
 * {Ref: x}), so walkers see one shape. Aliases point at the anchored node
 * (a tree may be a DAG; walkers bound their work). All memory belongs to the
 * hg_iam_file arena.
 */
typedef struct hg_iam_node hg_iam_node;
struct hg_iam_node {
  hg_iam_kind kind;
  const char *str;        /* SCALAR: text, NUL-terminated (len bytes) */
  size_t len;
  char style;             /* SCALAR source style: 'p' plain, '\'' '"' quoted, '|' '>' block, 0 none */
  int line, col;          /* 1-based byte position in the file; 0 when unknown */
  int span;               /* caret width, >= 1 */
  size_t off, end;        /* byte span in the file's text (when line > 0) */
  size_t n;               /* MAP/SEQ children */
  const char **keys;      /* MAP: key texts ("" for a non-scalar key) */
  hg_iam_node **items;
};

/*
 * One input: its text, line table and the arena its nodes live in. name is
 * the file name diagnostics carry; text may be NULL for a document built
 * from a hg_doc (positions are then 0).
 */
typedef struct hg_iam_file {
  const char *name;       /* borrowed */
  const char *text;       /* borrowed; NULL for hg_doc input */
  size_t len;
  size_t *lines;          /* arena: byte offset of each line start */
  size_t n_lines;
  hg_arena *arena;        /* owned */
} hg_iam_file;

/* Set up f over text (borrowed; must outlive f). */
void hg_iam_file_init(hg_iam_file *f, const char *name, const char *text, size_t len);
void hg_iam_file_free(hg_iam_file *f);

/*
 * Parse f's text (YAML 1.1 as libyaml reads it, which includes JSON) into a
 * node tree. On a syntax error adds iam-parse-error at the error's position
 * and returns NULL. An empty stream gives a HG_IAM_NULL node.
 */
hg_iam_node *hg_iam_load(hg_iam_file *f, hg_diag_sink *sink);

/*
 * Parse the text of scalar str (a JSON/YAML policy held in a string) as a
 * document whose positions are mapped back into f's text as closely as the
 * scalar's quoting allows. Returns NULL, with no diagnostic, when the text
 * does not parse; *why (when not NULL) then gets libyaml's problem text
 * (static storage of the arena).
 */
hg_iam_node *hg_iam_load_embedded(hg_iam_file *f, const hg_iam_node *str, const char **why);

/* Convert a document model tree into nodes in f's arena (positions 0). */
hg_iam_node *hg_iam_from_doc(hg_iam_file *f, const hg_doc *d);

/* Map lookup by exact key; NULL when absent or m is not a map. */
hg_iam_node *hg_iam_get(const hg_iam_node *m, const char *key);

/* ------------------------------------------------------------------------ */
/* The policy walker (iam_policy.c)                                         */
/* ------------------------------------------------------------------------ */

/* What kind of policy a document is, which decides severities. */
typedef struct hg_iam_policy_ctx {
  const hg_iam_db *db;
  hg_diag_sink *sink;
  hg_iam_file *file;
  bool scp;               /* an SCP or RCP: every bad name fails open (error) */
  const char *service;    /* when set, the only service prefix the policy may name (S3/SNS/SQS resource policies) */
  const char *where;      /* a path shown in a note when positions are unknown (hg_doc input), or NULL */
  size_t *budget;         /* node visits left for the whole input; walkers stop at 0 */
  int findings;           /* diagnostics added so far (incremented by the walker) */
  bool exhausted;         /* the budget ran out and iam-too-complex was reported */
} hg_iam_policy_ctx;

/*
 * Check one policy document node (a map with Statement, or a string holding
 * one, or an intrinsic such as Fn::If around one). Adds diagnostics and
 * counts them in ctx->findings.
 */
void hg_iam_lint_policy(hg_iam_policy_ctx *ctx, const hg_iam_node *policy);

/* ------------------------------------------------------------------------ */
/* Entry points (iam_lint.c)                                                */
/* ------------------------------------------------------------------------ */

typedef struct hg_iam_opts {
  bool scp;               /* a bare policy document is a service control policy */
} hg_iam_opts;

/*
 * Lint one input: a CloudFormation template (YAML or JSON; every policy in
 * it) or a bare policy document (a map with Statement). name is the file name
 * for diagnostics; the text is also registered with the sink for caret lines.
 * opts may be NULL. Returns the number of diagnostics added.
 */
int hg_iam_lint_text(const hg_iam_db *db, const char *name, const char *text, size_t len,
                     const hg_iam_opts *opts, hg_diag_sink *sink);

/*
 * hg_iam_lint_text on a file ("-" reads standard input). Returns the number
 * of diagnostics added, or -1 with an iam-io diagnostic when it cannot be read.
 */
int hg_iam_lint_file(const hg_iam_db *db, const char *path, const hg_iam_opts *opts,
                     hg_diag_sink *sink);

/*
 * Lint every policy inside a generated template (the document model), as
 * `build` and `check` do before writing. name is the template's file name,
 * used as the diagnostic file. Uses hg_iam_db_default(). Returns the number
 * of findings added (an unloadable action list counts as one).
 */
int hg_iam_lint_doc(const hg_doc *tmpl, const char *name, hg_diag_sink *sink);

#endif
