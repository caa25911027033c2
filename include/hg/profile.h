/*
 * profile.h — load and check a per-environment profile (profiles/ENV.yaml).
 *
 * Stage 1 of the pipeline. The loader parses YAML with libyaml into a tree
 * that keeps every node's line and column, follows `extends:` (deep merge of
 * maps; lists and scalars replace; cycles and missing parents are errors),
 * checks the merged tree against the schema of SPEC §3, and fills the typed
 * hg_profile. Every problem becomes a diagnostic with file:line:col; unknown
 * keys get a did-you-mean. Alias expansion is bounded (no billion laughs).
 *
 * Ownership: an hg_profile owns everything it points to (one arena) and is
 * freed with hg_profile_free.
 */
#ifndef HG_PROFILE_H
#define HG_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/resource.h"
#include "hg/util.h"
#include "hg/yaml.h"

/* hg_yval, the positioned YAML node, and the bounds on hostile YAML are in
 * yaml.h (one loader for every YAML reader). */

/* Checker targets for the CIS monitoring controls (cis.targets). */
enum {
  HG_TARGET_SECURITYHUB = 1u << 0,
  HG_TARGET_PROWLER = 1u << 1,
  HG_TARGET_STEAMPIPE = 1u << 2,
  HG_TARGET_ALL = 7u,
};

/* One SNS subscription endpoint of notify.infosec / notify.devops. */
typedef enum { HG_EP_EMAIL, HG_EP_HTTPS, HG_EP_SQS, HG_EP_LAMBDA } hg_endpoint_kind;
typedef struct hg_endpoint {
  hg_endpoint_kind kind;
  const char *value;             /* the address, URL or ARN as written */
} hg_endpoint;

/* SNS protocol name of an endpoint kind: "email", "https", "sqs", "lambda". */
const char *hg_endpoint_protocol(hg_endpoint_kind k);

/* cloudtrail.s3_data_events: which S3 object-level events the trail records
 * (CIS v1.4+ 3.10 write, 3.11 read). */
typedef enum { HG_DATA_NONE, HG_DATA_WRITE, HG_DATA_READ, HG_DATA_ALL } hg_data_events;

/* filters.override.ID: fields left unset keep the filter's own value. */
typedef struct hg_override {
  const char *id;
  const hg_yval *node;           /* for diagnostics (unknown filter id, ...) */
  bool has_threshold;  double threshold;
  bool has_period;     int period;
  bool has_evaluation_periods; int evaluation_periods;
  const char *pattern;           /* NULL = unchanged */
  const char *topic;             /* NULL = unchanged; "infosec" | "devops" */
} hg_override;

/* Preflight audit (SPEC §10): what a failed check does. */
typedef enum { HG_CHECK_OFF, HG_CHECK_WARN, HG_CHECK_BLOCK } hg_check_level;

/*
 * The audit's checks, in the order of SPEC §10, as one list:
 * X(ID, NAME as written under preflight.checks, default level as written).
 * The index enum (HG_PF_ID, into hg_profile.preflight_checks and
 * hg_preflight_checks), the names, the default levels and the profile
 * schema's rows (profile_schema.c: check, fill, reference) all come from it.
 */
#define HG_PF_CHECK_LIST(X)                                     \
  X(CONFIG_RECORDER, "config-recorder", block)                  \
  X(TRAIL_QUOTA, "trail-quota", block)                          \
  X(DUPLICATE_TRAIL, "duplicate-trail", warn)                   \
  X(ROOT_MFA, "root-mfa", warn)                                 \
  X(ROOT_ACCESS_KEYS, "root-access-keys", warn)                 \
  X(S3_PUBLIC_ACCESS_BLOCK, "s3-account-public-access-block", warn) \
  X(EBS_DEFAULT_ENCRYPTION, "ebs-default-encryption", warn)     \
  X(PASSWORD_POLICY, "password-policy", warn)

/* A level by its word, for the list above (HG_CHECK_LEVEL_##level). */
#define HG_CHECK_LEVEL_off HG_CHECK_OFF
#define HG_CHECK_LEVEL_warn HG_CHECK_WARN
#define HG_CHECK_LEVEL_block HG_CHECK_BLOCK

enum {
#define HG_PF_ENUM_(id, name, level) HG_PF_##id,
  HG_PF_CHECK_LIST(HG_PF_ENUM_)
#undef HG_PF_ENUM_
  HG_PF_N_CHECKS
};
/* Check names ("config-recorder", ...), NULL-terminated, and their default
 * levels: HG_PF_CHECK_LIST's. */
extern const char *const hg_preflight_checks[HG_PF_N_CHECKS + 1];
extern const hg_check_level hg_preflight_defaults[HG_PF_N_CHECKS];
/* "off" | "warn" | "block" */
const char *hg_check_level_name(hg_check_level l);

#define HG_PREFLIGHT_TIMEOUT 300      /* default ServiceTimeout, seconds */
#define HG_PREFLIGHT_MIN_TIMEOUT 120  /* the Lambda gets half: room for its bounded calls */
#define HG_PREFLIGHT_MAX_TIMEOUT 3600 /* CloudFormation's ServiceTimeout maximum */

typedef struct hg_profile {
  hg_arena *arena;               /* owns everything below */
  const char *env;               /* the profile's file stem, e.g. "prod" */
  const char *path;              /* e.g. "profiles/prod.yaml" (as given, relative to the cwd) */
  const char *root;              /* the --root folder */
  hg_yval *tree;                 /* the merged document (a MAP) */
  const char **files;            /* the profile file, then each parent it extends, in order */
  size_t n_files;

  const char *account_name;      /* AWSAccountName */
  const char *account_id;        /* 12 digits, or NULL */
  const char *infosec_email;     /* InfosecEmail: the first email endpoint of notify.infosec */
  const char *devops_email;      /* DevOpsEmail: the first email endpoint of notify.devops */
  hg_endpoint *infosec;          /* every endpoint of notify.infosec, in profile order */
  size_t n_infosec;
  hg_endpoint *devops;           /* every endpoint of notify.devops */
  size_t n_devops;
  const char *logs_bucket;       /* Bucket4Logs */
  int retention_days;            /* LogRetentionDays */
  const char *object_lock_mode;  /* logs.object_lock.mode: "GOVERNANCE" | "COMPLIANCE", or NULL (off) */
  int object_lock_days;          /* logs.object_lock.days */
  const char *break_glass_role;  /* logs.break_glass_role: an IAM role ARN, or NULL */
  hg_data_events s3_data_events; /* cloudtrail.s3_data_events; default none */
  bool insights;                 /* cloudtrail.insights; default false */
  const char **tag_keys;         /* tags: keys sorted, values alongside */
  const char **tag_values;
  size_t n_tags;
  const char *templates_bucket_url; /* CFtemplateBucketURL, ends with '/' */
  const char *publish_bucket, *publish_prefix, *publish_region; /* NULL when unset */

  const char *cis_version;       /* "1.2" | "1.4" | "3.0" | "5.0"; default "1.4" */
  unsigned cis_targets;          /* HG_TARGET_* bits; default HG_TARGET_ALL */

  const char *alarm_namespace;   /* default "CISBenchmark" */
  const char *alarm_name_prefix; /* default: none (NULL) */

  const char **disable;          /* filters.disable ids */
  size_t n_disable;
  hg_override *overrides;        /* filters.override, sorted by id */
  size_t n_overrides;

  /* config.rules.iam-password-policy (AWS Config IAM_PASSWORD_POLICY). */
  int pw_min_length;             /* default 14 */
  int pw_reuse_prevention;       /* default 24 */
  int pw_max_age;                /* default 90 */
  bool pw_require_upper, pw_require_lower, pw_require_symbols, pw_require_numbers; /* default true */

  /* config.mode: false = "managed" (the Config stack owns the recorder and
   * delivery channel), true = "existing" (another tool owns them; rules only). */
  bool config_existing;

  /* preflight (SPEC §10). A zeroed profile has the audit off. */
  bool preflight;                /* default true; `preflight: false` turns it off */
  int preflight_timeout;         /* custom resource ServiceTimeout, seconds */
  hg_check_level preflight_checks[HG_PF_N_CHECKS];

  const hg_yval *vars;           /* free values for the Lua filters (a MAP, maybe empty) */
  const hg_yval *detective;      /* the checked detective: block (SPEC §11), or NULL; see detective.h */
  const hg_yval *org;            /* the org: block (checked; read it with hg_org_read), or NULL */
} hg_profile;

/*
 * Load ROOT/profiles/ENV.yaml. Returns NULL when any error was added to sink
 * (warnings alone do not fail). env must be a plain name ([A-Za-z0-9_-]+).
 */
hg_profile *hg_profile_load(const char *root, const char *env, hg_diag_sink *sink);
/* The same with the root of res, whose record gets the digest of every
 * profile file read (the extends chain: the files of p->files). */
hg_profile *hg_profile_load_res(hg_res *res, const char *env, hg_diag_sink *sink);
void hg_profile_free(hg_profile *p);

/*
 * Names of every environment under ROOT/profiles (*.yaml, sorted), as a
 * malloc'd NULL-terminated array of malloc'd strings. Profiles meant only as
 * parents (a top-level `abstract: true`) are left out. NULL when the folder
 * cannot be read.
 */
char **hg_profile_list(const char *root);
void hg_profile_list_free(char **names);

/*
 * Parse one file or text into a profile without following `extends`, with
 * every other check of hg_profile_load (schema, values, required keys). file
 * names the text in diagnostics and gives env (its stem); the text is
 * registered with the sink for caret lines. Returns NULL when an error was
 * added to sink. For tests and fuzzing.
 */
hg_profile *hg_profile_parse_text(const char *file, const char *text, size_t len,
                                  hg_diag_sink *sink);

/*
 * Lower level: parse YAML text (one document) into a tree allocated in arena
 * a, scalars resolved to the YAML 1.2 core schema. Aliases share the anchored
 * node (the tree is a DAG); expansion is counted against HG_YAML_MAX_NODES.
 * Duplicate keys, complex keys, unknown anchors, too deep nesting, more than
 * one document and syntax errors are diagnostics. Returns the root (a NULL
 * node for an empty document), or NULL after a fatal error (syntax, limits,
 * unknown anchor). Duplicate and complex keys are reported but not fatal: the
 * tree keeps the first of duplicate keys and drops complex ones, so later
 * checks still run; callers test the sink. file is copied into a. The text
 * is not registered with the sink (callers do it).
 */
hg_yval *hg_yval_parse(hg_arena *a, const char *file, const char *text, size_t len,
                       hg_diag_sink *sink);

/* Value of key in a MAP node, or NULL (also when m is not a MAP). */
const hg_yval *hg_yval_get(const hg_yval *m, const char *key);

/* Look up a dotted path ("account.name") in a tree; NULL when absent. */
const hg_yval *hg_yval_path(const hg_yval *tree, const char *dotted);

#endif
