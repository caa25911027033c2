/*
 * profile_schema.h — the profile schema of SPEC §3 as data: one table of
 * fields per mapping, the single source of the checks (types, known keys and
 * their did-you-mean, value rules, required keys), of the typed fill of
 * hg_profile (offsets and defaults) and of the profile reference
 * (doc/hardengen-profile.5 and doc/profile-reference.md, written by
 * hg_profile_doc and `make man`).
 *
 * A field whose shape is not one value at one offset (notify endpoints,
 * tags, filters.override, cis.targets, preflight) has a fill hook; its keys,
 * defaults and doc line still live here.
 */
#ifndef HG_PROFILE_SCHEMA_H
#define HG_PROFILE_SCHEMA_H

#include <stddef.h>

#include "hg/profile.h"

typedef enum {
  HG_FT_MAP,     /* fixed keys: kids */
  HG_FT_IDMAP,   /* free keys (filter ids), each a mapping of kids */
  HG_FT_ANYMAP,  /* any mapping (vars, tags, org) */
  HG_FT_STR,
  HG_FT_INT,
  HG_FT_NUM,     /* integer or float */
  HG_FT_BOOL,
  HG_FT_STRLIST,
  HG_FT_STRS,    /* a string or a list of strings */
  HG_FT_SCALAR,  /* any scalar; the check decides (account.id, cis.version) */
  HG_FT_BOOLMAP, /* a boolean, or a mapping of kids (preflight) */
} hg_ftype;

/* The checker's state (private to the profile modules). */
struct hg_pctx;
struct hg_field;

/* A value rule: adds diagnostics for v (already of the field's type) at path. */
typedef void (*hg_field_check)(struct hg_pctx *c, const hg_yval *v, const char *path);
/* A custom fill: v is the field's node in the merged, checked tree, or NULL. */
typedef void (*hg_field_fill)(hg_profile *p, const hg_yval *v, const struct hg_field *f);

#define HG_FIELD_NOFILL ((size_t)-1)
enum {
  HG_FIELD_REQUIRED = 1u << 0,  /* must be present after merging (unless abstract) */
  HG_FIELD_RULE_META = 1u << 1, /* rule metadata: documented once as config.rules.NAME.KEY */
  HG_FIELD_DOC_KIDS = 1u << 2,  /* documented by its own line only, not key by key */
};

typedef struct hg_field {
  const char *key;              /* NULL ends a table */
  hg_ftype type;
  const struct hg_field *kids;  /* MAP, IDMAP, BOOLMAP: the mapping's keys */
  hg_field_check check;         /* value rule (MAP: whole-mapping rule), or NULL */
  size_t offset;                /* where the generic fill stores the value, or HG_FIELD_NOFILL */
  hg_field_fill fill;           /* custom fill, or NULL (by type at offset) */
  const char *dflt;             /* default as written in YAML ("365", "true", "CISBenchmark"), or NULL */
  unsigned flags;               /* HG_FIELD_* */
  const char *doc_type;         /* type in the reference when not the type's own name, or NULL */
  const char *doc_default;      /* default in the reference when dflt does not say it, or NULL */
  const char *doc;              /* one line; `code` marks literal text */
} hg_field;

/* The top-level mapping of a profile. */
extern const hg_field hg_profile_schema[];

/* Fill p's typed fields from p->tree (merged and checked), defaults included. */
void hg_profile_fill(hg_profile *p);

typedef enum { HG_PROFILE_DOC_MAN, HG_PROFILE_DOC_MARKDOWN } hg_profile_doc_format;

/*
 * The profile reference generated from the schema: the whole man page
 * hardengen-profile(5), or the Markdown reference (doc/profile-reference.md).
 * Returns malloc'd text; byte-stable.
 */
char *hg_profile_doc(hg_profile_doc_format format);

#endif
