/*
 * doc.h — the ordered document model that every template is built in.
 *
 * A document is a tree of maps (keys keep insertion order), sequences and
 * scalars. The YAML and JSON writers (emit.h) print the same tree, so the two
 * formats can never drift apart. Intrinsic functions are ordinary one-key maps
 * ({"Ref": "X"}, {"Fn::Sub": "..."}), which both formats read natively.
 *
 * Ownership: a node owns its children. hg_doc_set/hg_doc_push take ownership
 * of the value they are given. hg_doc_free frees a whole tree.
 */
#ifndef HG_DOC_H
#define HG_DOC_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  HG_DOC_MAP,
  HG_DOC_SEQ,
  HG_DOC_STR,    /* text; the YAML writer quotes it when a reader could take it for anything else */
  HG_DOC_INT,    /* a JSON number / YAML int */
  HG_DOC_FLOAT,  /* a JSON number / YAML float, printed with the fewest digits that read back the same */
  HG_DOC_BOOL,
  HG_DOC_NULL,   /* JSON null / YAML null */
} hg_doc_kind;

typedef struct hg_doc hg_doc;
struct hg_doc {
  hg_doc_kind kind;
  char *str;           /* STR: owned text */
  long long num;       /* INT */
  double f;            /* FLOAT: finite */
  bool b;              /* BOOL */
  size_t n, cap;       /* MAP/SEQ: number of children */
  char **keys;         /* MAP: owned keys, parallel to items */
  hg_doc **items;      /* MAP/SEQ: owned children */
};

hg_doc *hg_doc_map(void);
hg_doc *hg_doc_seq(void);
hg_doc *hg_doc_str(const char *s);
hg_doc *hg_doc_strn(const char *s, size_t len);   /* s[0, len), no NUL in it */
hg_doc *hg_doc_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
hg_doc *hg_doc_int(long long v);
hg_doc *hg_doc_float(double v);   /* v must be finite */
/* Text of a FLOAT as the writers print it: the shortest of %.15g..%.17g that
 * reads back as v, with ".0" added when it would otherwise read as an int.
 * buf holds at least 32 bytes. */
const char *hg_doc_float_text(double v, char *buf);
hg_doc *hg_doc_bool(bool v);
hg_doc *hg_doc_null(void);

/* Append key: val to a map (keys are not checked for duplicates); returns val. */
hg_doc *hg_doc_set(hg_doc *map, const char *key, hg_doc *val);
/* Shorthands for hg_doc_set with a fresh scalar / container. */
void hg_doc_set_str(hg_doc *map, const char *key, const char *s);
void hg_doc_set_int(hg_doc *map, const char *key, long long v);
void hg_doc_set_bool(hg_doc *map, const char *key, bool v);
void hg_doc_set_null(hg_doc *map, const char *key);
hg_doc *hg_doc_set_map(hg_doc *map, const char *key);   /* returns the new child map */
hg_doc *hg_doc_set_seq(hg_doc *map, const char *key);   /* returns the new child seq */
/* Remove key from a map, freeing its value; false when absent (or map is
 * not a map). */
bool hg_doc_remove(hg_doc *map, const char *key);
/* Append to a sequence; returns val. */
hg_doc *hg_doc_push(hg_doc *seq, hg_doc *val);
void hg_doc_push_str(hg_doc *seq, const char *s);

/* Lookups; NULL when absent or of another kind. The result is borrowed. */
hg_doc *hg_doc_get(const hg_doc *map, const char *key);
const char *hg_doc_get_str(const hg_doc *map, const char *key);
hg_doc *hg_doc_get_map(const hg_doc *map, const char *key);   /* a MAP member */
hg_doc *hg_doc_get_seq(const hg_doc *map, const char *key);   /* a SEQ member */
/* Typed lookups: true (and *out set) when key holds an INT / a BOOL. */
bool hg_doc_get_int(const hg_doc *map, const char *key, long long *out);
bool hg_doc_get_bool(const hg_doc *map, const char *key, bool *out);
/* True (and *out set) when key holds a number: an INT or a FLOAT. */
bool hg_doc_get_num(const hg_doc *map, const char *key, double *out);

/* Intrinsic functions, as one-key maps. */
hg_doc *hg_doc_ref(const char *name);                      /* {Ref: name} */
hg_doc *hg_doc_sub(const char *text);                      /* {Fn::Sub: text} */
hg_doc *hg_doc_getatt(const char *res, const char *attr);  /* {Fn::GetAtt: [res, attr]} */

/* Deep copy. */
hg_doc *hg_doc_clone(const hg_doc *d);
/* Equal values: maps hold the same keys with equal values, in any order;
 * sequences equal items in order; an INT equals a FLOAT of the same value.
 * Keys are assumed unique (as hg_emit_read_json makes them). */
bool hg_doc_equal(const hg_doc *a, const hg_doc *b);
void hg_doc_free(hg_doc *d);
/* As hg_doc_free, zeroing every key and string first (credentials). */
void hg_doc_free_wiped(hg_doc *d);

#endif
