/*
 * fp_int.h — filter-pattern internals shared by the fp_* modules:
 * fp_lex.c (tokens), fp_parse.c (recursive descent, diagnostics),
 * fp_check.c (service limits and warnings), fp_print.c (canonical text and
 * equality), fp_eval.c (matching) and fp_regex.c (the regex subset).
 *
 * Every AST allocation lives in the pattern's arena; hg_fp_free releases it
 * all at once. Offsets are byte offsets into the pattern text.
 */
#ifndef HG_FP_INT_H
#define HG_FP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hg/fp.h"
#include "hg/util.h"

/* ---- regex (fp_regex.c) ---- */

typedef struct fp_regex fp_regex;

/*
 * Compile the regex body src[0..len) (the text between the % signs) into
 * arena a. On error returns NULL and sets *err (static or arena text) and
 * *err_off (offset inside src) and *err_span.
 */
fp_regex *fp_re_compile(hg_arena *a, const char *src, size_t len, const char **err,
                        size_t *err_off, size_t *err_span);
/*
 * True when the regex matches anywhere in s[0..n). fp_re_search uses a lazy
 * DFA cached in the regex (so it is not safe to share one regex between
 * threads); fp_re_search_nfa is the plain NFA simulation, the reference the
 * DFA is tested against. Both take time linear in n.
 */
bool fp_re_search(const fp_regex *re, const char *s, size_t n);
bool fp_re_search_nfa(const fp_regex *re, const char *s, size_t n);
/* DFA states built by fp_re_search on re so far (each costs a closure over
 * the program); the work measure the tests bound. */
size_t fp_re_dfa_built(const fp_regex *re);
/* Release the DFA cache (the program itself lives in the arena). */
void fp_re_free(fp_regex *re);

/*
 * The structure of a regex body, for translators (sql.c): a sequence of
 * pieces, each a byte set repeated min..max times (max -1: unbounded), an
 * anchor, or the bar starting the next alternative. The sets are exactly
 * those the matcher runs. Returns a malloc'd array of *n pieces, or NULL
 * when src is not a valid regex (it was checked at parse time).
 */
typedef enum { FP_RP_SET, FP_RP_BOL, FP_RP_EOL, FP_RP_BAR } fp_rp_kind;
typedef struct fp_re_piece {
  fp_rp_kind kind;
  uint32_t set[8];       /* FP_RP_SET: bit b of set[b >> 5] is byte b */
  int min, max;
} fp_re_piece;
fp_re_piece *fp_re_pieces(const char *src, size_t len, size_t *n);

/* ---- values ---- */

typedef enum { FPV_STRING, FPV_WORD, FPV_NUMBER, FPV_REGEX } fpv_kind;

typedef struct fp_value {
  fpv_kind kind;
  const char *core;      /* literal bytes without wildcard stars (unescaped) */
  size_t corelen;
  bool wild_start;       /* leading * wildcard */
  bool wild_end;         /* trailing * wildcard */
  double num;            /* FPV_NUMBER */
  const char *text;      /* FPV_NUMBER: as written; FPV_REGEX: the body */
  size_t textlen;
  fp_regex *re;          /* FPV_REGEX */
} fp_value;

/* ---- AST ---- */

typedef enum { FPN_OR, FPN_AND, FPN_GROUP, FPN_COND } fpn_kind;

typedef enum {
  FPO_EQ, FPO_NE, FPO_LT, FPO_GT, FPO_LE, FPO_GE,
  FPO_IS_NULL, FPO_IS_TRUE, FPO_IS_FALSE, FPO_NOT_EXISTS
} fp_op;

typedef struct fp_node fp_node;
struct fp_node {
  fpn_kind kind;
  size_t off;            /* first byte of the node */
  size_t op_off;         /* OR/AND: first operator; COND: the operator */
  size_t op_len;
  fp_node **kids;        /* OR/AND: n >= 2; GROUP: 1 */
  size_t n;
  /* COND */
  fp_op op;
  hg_jstep *steps;       /* JSON: the selector */
  size_t nsteps;
  const char *name;      /* space-delimited: the field name */
  size_t namelen;
  size_t field;          /* space-delimited: index of the named field */
  fp_value val;
};

typedef struct fp_field {
  bool ellipsis;         /* "..." */
  const char *name;      /* NULL for "..." */
  size_t namelen;
  fp_node *cond;         /* NULL: a plain name */
} fp_field;

typedef enum { FPT_PLAIN, FPT_NOT, FPT_ANY } fpt_mode;

/*
 * One instruction of a JSON pattern's program (fp_prog.c): test cond, then
 * continue at t when it holds, at f when not. Targets at or past the
 * program's end finish it: nprog means the pattern matches, nprog + 1
 * that it does not.
 */
typedef struct fp_insn {
  const fp_node *cond;   /* a COND node of the pattern's AST */
  uint32_t t, f;
} fp_insn;

typedef struct fp_term {
  fpt_mode mode;
  bool quoted;
  const char *text;      /* unescaped */
  size_t len;
} fp_term;

struct hg_fp {
  hg_fp_kind kind;
  hg_arena *arena;
  char *src;             /* arena copy of the pattern */
  size_t len;
  int nregex;
  fp_node *root;         /* JSON */
  fp_insn *prog;         /* JSON: root as jumping code (arena), nprog conditions */
  uint32_t nprog;
  fp_field *fields;      /* SPACE */
  size_t nfields;
  fp_term *terms;        /* TERM */
  size_t nterms;
  bool any_terms_only;   /* TERM: every term is '?' */
  fp_value regex;        /* REGEX */
  fp_regex **regexes;    /* every compiled regex, for fp_re_free (malloc'd) */
  size_t nregexes;
};

/* ---- lexer (fp_lex.c) ---- */

typedef enum {
  FPK_END, FPK_LPAREN, FPK_RPAREN, FPK_LBRACE, FPK_RBRACE, FPK_LBRACKET, FPK_RBRACKET,
  FPK_COMMA, FPK_AND, FPK_OR, FPK_OP, FPK_SEL, FPK_STRING, FPK_REGEX, FPK_WORD, FPK_BAD
} fpk_kind;

typedef struct fp_tok {
  fpk_kind kind;
  size_t off, len;       /* the token's bytes in the pattern */
  fp_op op;              /* FPK_OP */
  const char *msg;       /* FPK_BAD: why */
  size_t bad_off, bad_len; /* FPK_BAD: where exactly */
  bool fatal;            /* FPK_BAD: the rest of the text cannot be tokenised */
} fp_tok;

typedef struct fp_lexer {
  const char *s;
  size_t len, pos;
} fp_lexer;

/* Next token; never fails (problems come back as FPK_BAD). */
fp_tok fp_lex_next(fp_lexer *lx);
const char *fp_op_text(fp_op op);

/* ---- parser plumbing shared with the checker ---- */

typedef struct fp_parser {
  const char *s;
  size_t len;
  const hg_fp_origin *origin;
  hg_diag_sink *sink;
  hg_fp *fp;
  hg_arena *a;
  int errors;
  bool fatal;
  bool panic;            /* after a syntax error, until the next condition starts */
} fp_parser;

/* Add a diagnostic at bytes [off, off+span) of the pattern. */
hg_diag *fp_diag(fp_parser *p, hg_severity sev, size_t off, size_t span, const char *code,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* fp_check.c: limits and warnings over a parsed AST. */
void fp_check(fp_parser *p);

/* fp_print.c: a value, a selector (for messages and the printer). */
void fp_print_value(hg_buf *b, const fp_value *v);
void fp_print_selector(hg_buf *b, const hg_jstep *steps, size_t n);

/* fp_prog.c: build fp->prog from fp->root (a JSON pattern without errors;
 * other kinds get none). Called once by hg_fp_parse. */
void fp_prog_build(hg_fp *fp);

/* fp_eval.c: string comparison shared by JSON and space-delimited fields. */
bool fp_value_match(const fp_value *v, const char *s, size_t n);

#endif
