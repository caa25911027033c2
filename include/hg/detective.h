/*
 * detective.h — the detective controls' data (SPEC §11): the profile's
 * detective: block in typed form, the rule metadata (shipped defaults under
 * the profile's config.rules.NAME), and detective-data.json, the items of
 * the two central DynamoDB tables.
 *
 * detective-data.json (the fixed interface with `hardengen sync`), a
 * document printed by the one JSON writer (emit.h: two-space indent):
 *   {"schema": 1, "env": ENV, "tables": [
 *     {"name": RULES, "key": ["rule"], "items": [
 *       {"rule": {"S": ..}, "severity": {"S": ..}, "title": {"S": ..}, "description": {"S": ..},
 *        "frameworks": {"M": {..}}, "route": {"L": [..]}, "enabled": {"BOOL": ..}},
 *       ...]},
 *     {"name": EXCEPTIONS, "key": ["rule", "match"], "items": [
 *       {"rule": .., "match": .., "arn" | "tag_key", "tag_value": .., "reason": .., "approved_by": ..,
 *        "expires": .., "source": ..},
 *       ...]}]}
 * Tables in name order, items in key order; byte-stable.
 *
 * Ownership: strings in these structures are borrowed from the profile, the
 * exceptions or static tables; arrays are malloc'd and freed by the *_free
 * functions.
 */
#ifndef HG_DETECTIVE_H
#define HG_DETECTIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/doc.h"
#include "hg/exceptions.h"
#include "hg/profile.h"
#include "hg/util.h"

typedef struct hg_det_config {
  const char *central_account;   /* 12 digits */
  const char *central_region;
  const char *org_id;
  const char *rules_table;       /* default "hardengen-config-rules" */
  const char *exceptions_table;  /* default "hardengen-exceptions" */
  const char *reader_role;       /* default "hardengen-detective-reader" */
  bool splunk;                   /* detective.splunk is set */
  const char *hec_url, *hec_token_secret_arn, *backup_bucket;
  const char *endpoint_type;     /* "Event" (default) | "Raw" */
  bool securityhub;              /* default true */
  const hg_yval *fields;         /* a MAP of strings, or NULL */
} hg_det_config;

/* Fill c from a checked profile. False when the profile has no detective: block. */
bool hg_det_config_of(const hg_profile *p, hg_det_config *c);

/* True when this env deploys the central stack: its account.id is the central account. */
bool hg_det_is_central(const hg_profile *p, const hg_det_config *c);

/* One rule's metadata item. */
typedef struct hg_det_rule {
  const char *name;
  const char *severity;          /* INFORMATIONAL | LOW | MEDIUM | HIGH | CRITICAL */
  const char *title;
  const char *description;
  const char **fw_names;         /* frameworks, sorted by name (malloc'd array) */
  const char **fw_sections;
  size_t n_fw;
  bool route_splunk, route_securityhub;
  bool enabled;
} hg_det_rule;

typedef struct hg_det_rules {
  hg_det_rule *v;                /* malloc'd; sorted by name */
  size_t n;
} hg_det_rules;

/*
 * The metadata of each rule in names (n of them): the values hardengen
 * ships for its managed rules, each field replaced by the profile's
 * config.rules.NAME when it sets it. A rule with neither gets the
 * function's defaults (MEDIUM, title = name, both routes, enabled).
 */
void hg_det_rules_of(const hg_profile *p, const char *const *names, size_t n, hg_det_rules *out);
void hg_det_rules_free(hg_det_rules *r);

/* The shipped managed rules' names, NULL-terminated (static). */
const char *const *hg_det_shipped_rules(void);

/* detective-data.json for env as a document (the caller frees it), and
 * as the text the JSON writer prints for it (malloc'd, *len its length). */
hg_doc *hg_det_data_doc(const char *env, const hg_det_config *c, const hg_det_rules *rules,
                        const hg_exceptions *x);
char *hg_det_data_json(const char *env, const hg_det_config *c, const hg_det_rules *rules,
                       const hg_exceptions *x, size_t *len);

/* SPLUNK_FIELDS: the profile's detective.fields as compact JSON, keys in
 * document order ("{}" when none). malloc'd. */
char *hg_det_fields_json(const hg_det_config *c);

#endif
