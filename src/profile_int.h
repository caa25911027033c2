/*
 * profile_int.h — private to the profile modules (profile.c: loading,
 * profile_merge.c: `extends`, profile_check.c: the checks,
 * profile_schema.c: the tables, the fill and the generated reference).
 *
 * hg_pctx carries the arena and the sink of one profile check; diagnostics
 * past HG_PCTX_MAX_REPORTS are counted in `overflow` and summarised by
 * hg_pctx_finish, so a hostile file cannot flood the output.
 */
#ifndef HG_PROFILE_INT_H
#define HG_PROFILE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/profile.h"
#include "hg/profile_schema.h"
#include "hg/resource.h"
#include "hg/util.h"

#define HG_PCTX_MAX_REPORTS 100

typedef struct hg_pctx {
  hg_arena *a;
  hg_diag_sink *sink;
  hg_diag_sink overflow;  /* diagnostics past HG_PCTX_MAX_REPORTS: counted, then dropped */
  size_t reported;
  hg_res *res;            /* reads the files and records their digests; set by the loader */
} hg_pctx;

void hg_pctx_init(hg_pctx *c, hg_arena *a, hg_diag_sink *sink);
/* Report what was held back (one diagnostic naming file), then release it. */
void hg_pctx_finish(hg_pctx *c, const char *file);
/* The sink the next diagnostic goes to (the real one, or the overflow). */
hg_diag_sink *hg_pctx_report(hg_pctx *c);
/* A diagnostic at node v (its file, line, column and caret width). */
hg_diag *hg_pctx_at(hg_pctx *c, hg_severity sev, const hg_yval *v, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The whole document: top-level type, every key against hg_profile_schema,
 * and (unless abstract) the required keys. */
void hg_pctx_check_tree(hg_pctx *c, const hg_yval *tree, const char *file);

/* [A-Za-z0-9_-]+, at most 128 bytes: an environment or `extends` name. */
bool hg_profile_env_name_ok(const char *s);

/* Deep merge, child over parent (profile_merge.c); top drops the parent's
 * `extends` and `abstract`. Nodes are shared, never modified; new mappings
 * are allocated in a. */
const hg_yval *hg_profile_merge(hg_arena *a, const hg_yval *parent, const hg_yval *child, bool top);

/* The SNS endpoint kind (hg_endpoint_kind) of a notify entry, or -1 with *why set. */
int hg_pcheck_endpoint_kind(const char *s, const char **why);
/* cis.version as written ("1.4", or the number 1.4 / 3) in canonical form, or NULL. */
const char *hg_pcheck_cis_version_of(const hg_yval *v);

/* Word lists shared by the checks, the fill and the reference (NULL-terminated). */
extern const char *const hg_pcheck_cis_target_names[]; /* bit k of cis_targets */
extern const char *const hg_check_level_names[];       /* index: hg_check_level */
extern const char *const hg_data_event_names[];        /* index: hg_data_events */
extern const char *const hg_config_mode_names[];       /* "managed", "existing" */

/* Value rules of the schema's fields (profile_check.c). */
void hg_pcheck_account_id(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_account_name(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_bucket(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_bucket_url(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_cis_targets(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_cis_version(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_config_mode(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_data_events(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_detective(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_endpoint_type(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_endpoints(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_eval_periods(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_extends(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_filter_ids(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_frameworks(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_hec_url(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_level(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_lock_days(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_lock_mode(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_name_prefix(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_namespace(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_no_token(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_org(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_org_id(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_pattern(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_period(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_pf_timeout(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_pw_age(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_pw_len(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_pw_reuse(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_region(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_retention(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_role_arn(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_role_name(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_route(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_rule_description(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_rule_title(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_secret_arn(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_severity(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_splunk_fields(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_table_name(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_tags(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_threshold(hg_pctx *c, const hg_yval *v, const char *path);
void hg_pcheck_topic(hg_pctx *c, const hg_yval *v, const char *path);

#endif
