/*
 * filter.h — the filter model: what the Lua filter maps declare and what the
 * planner turns into metric filters and alarms.
 *
 * Produced by the Lua host (lua.h) from `filter{...}` calls, adjusted by the
 * profile (filters.disable / filters.override) and by the CIS selector
 * (cis.h), consumed by the pattern checker, the planner and the backtest.
 *
 * Ownership: an hg_filterset owns its filters and every string in them;
 * hg_filterset_free releases all of it.
 */
#ifndef HG_FILTER_H
#define HG_FILTER_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { HG_TOPIC_INFOSEC, HG_TOPIC_DEVOPS } hg_topic;

/* A CIS benchmark number per version: {"1.4", "4.1"}. */
typedef struct hg_cis_ref {
  char *version;
  char *number;
} hg_cis_ref;

/* One example event of a filter: compact JSON text (keys sorted), or, for a
 * Lua string example, the raw message text. */
typedef struct hg_example {
  char *text;
  bool is_json;         /* false: a raw (non-JSON) message */
  int line;             /* line of the example in the Lua file */
} hg_example;

/*
 * A pattern variant of a CIS control (cis.lua's `variants = {...}`): the
 * same control written the way one checker or CIS version wants it. The CIS
 * selector picks the fewest variants that satisfy the profile's targets.
 */
typedef struct hg_variant {
  char *name;           /* e.g. "securityhub", "cis", "prowler" */
  char *pattern;
  int line;             /* line of the variant in the Lua file */
  char **versions;      /* CIS versions the variant is valid for; NULL = all */
  size_t n_versions;
} hg_variant;

typedef struct hg_filter {
  char *id;             /* [a-z0-9-]+, unique in a set */
  char *title;
  char *pattern;        /* the text emitted, byte for byte */
  char *file;           /* Lua chunk name without '@', e.g. "filters/cis.lua" */
  int line;             /* line of the filter{} call */
  int pattern_line;     /* line where the pattern value was written (0: unknown) */
  int pattern_col;      /* column of the pattern's first byte when it was a plain
                           string literal without escapes, else 0 */
  char **envs;          /* env names it applies to; NULL = all */
  size_t n_envs;
  hg_topic topic;
  double threshold;     /* default 1 */
  int period;           /* seconds, default 300 */
  int evaluation_periods; /* default 1 */
  hg_cis_ref *cis;      /* CIS numbers by version; NULL/0 for custom filters */
  size_t n_cis;
  char *securityhub;    /* Security Hub control id ("CloudWatch.2"), or NULL */
  char *control;        /* for a filter emitted from a CIS variant: the control id; else NULL */
  hg_variant *variants; /* CIS variants; NULL/0 when the filter has one pattern */
  size_t n_variants;
  hg_example *match, *nomatch;
  size_t n_match, n_nomatch;
} hg_filter;

typedef struct hg_filterset {
  hg_filter *v;
  size_t n, cap;
} hg_filterset;

void hg_filterset_init(hg_filterset *fs);
void hg_filterset_free(hg_filterset *fs);
/* Append a zeroed filter and return it (valid until the next append). */
hg_filter *hg_filterset_add(hg_filterset *fs);
/* Remove v[i], freeing it; later filters move down by one. */
void hg_filterset_remove(hg_filterset *fs, size_t i);
/* Free the strings and arrays inside one filter (not the filter itself). */
void hg_filter_clear(hg_filter *f);
/* Deep copy of src into dst (dst is overwritten). */
void hg_filter_copy(hg_filter *dst, const hg_filter *src);
hg_filter *hg_filterset_find(const hg_filterset *fs, const char *id);
/* CIS number for a version, or NULL. */
const char *hg_filter_cis(const hg_filter *f, const char *version);
const char *hg_topic_name(hg_topic t);

#endif
